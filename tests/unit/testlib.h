/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the unit suites: where the fixture trees are, scratch
 * copies of a tree with one file changed, and a main() body for Check.
 * Everything is static inline so each test binary takes only what it uses.
 */
#pragma once

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sysroot.h"

/* Fixture trees: $CXLPOLICY_FIXTURES, else tests/fixtures (tests run from the repo top). */
#define FIXTURES_ENV "CXLPOLICY_FIXTURES"
#define FIXTURES_DEFAULT "tests/fixtures"

static inline const char *fixtures_root(void)
{
	const char *env = getenv(FIXTURES_ENV);

	return env && *env ? env : FIXTURES_DEFAULT;
}

/* "<fixtures>/<tree>" in a static buffer (one at a time is enough for tests). */
static inline const char *fixture_path(const char *tree)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", fixtures_root(), tree);
	return path;
}

static inline struct sysroot *open_root(const char *path)
{
	struct sysroot *root = NULL;
	int r = sysroot_open(path, &root);

	ck_assert_msg(r == 0, "sysroot_open(%s): %s", path, strerror(-r));
	ck_assert_ptr_nonnull(root);
	return root;
}

static inline struct sysroot *open_fixture(const char *tree)
{
	return open_root(fixture_path(tree));
}

/* Run a shell command line built by the test itself (paths we made). */
static inline void run_shell(const char *cmd)
{
	int status = system(cmd);

	ck_assert_msg(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "command failed: %s", cmd);
}

/* Copy fixture @tree with `cp -a` into a fresh mkdtemp() directory; free() the result. */
static inline char *fixture_copy(const char *tree)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-XXXXXX";
	char cmd[2 * PATH_MAX + 64];
	char *dir = mkdtemp(tmpl);

	ck_assert_msg(dir != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(cmd, sizeof(cmd), "cp -a '%s/.' '%s/'", fixture_path(tree), dir);
	run_shell(cmd);
	dir = strdup(dir);
	ck_assert_ptr_nonnull(dir);
	return dir;
}

/* mkdir -p of the parent directories of @dir/@rel. */
static inline void make_parents(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path,
			      strerror(errno));
		*p = '/';
	}
}

/* Overwrite (or create) @dir/@rel with exactly @content. */
static inline void write_file(const char *dir, const char *rel, const char *content)
{
	char path[PATH_MAX];
	size_t len = strlen(content);
	int fd;

	make_parents(dir, rel);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_msg(write(fd, content, len) == (ssize_t)len, "write %s", path);
	close(fd);
}

static inline void remove_file(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	ck_assert_msg(unlink(path) == 0, "unlink %s: %s", path, strerror(errno));
}

static inline void remove_tree(char *dir)
{
	char cmd[PATH_MAX + 16];

	if (!dir)
		return;
	/* Only ever our own mkdtemp() directories. */
	ck_assert(strncmp(dir, "/tmp/cxlpolicy-unit-", 20) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	run_shell(cmd);
	free(dir);
}

/* Read a whole file outside any sysroot (for comparisons); free() the result. */
static inline char *slurp(const char *path)
{
	struct sysroot *root = open_root("/");
	char *buf = NULL;
	int r = sysroot_read_file(root, path, &buf, NULL);

	ck_assert_msg(r == 0, "read %s: %s", path, strerror(-r));
	sysroot_free(root);
	return buf;
}

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY; run.sh asks for verbose */
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
