/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "sysroot.h"
#include "testlib.h"

START_TEST(test_read_file_relative_and_absolute)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("server-2s-cxl");
	_cleanup_free_ char *a = NULL, *b = NULL;
	size_t len = 0;

	ck_assert_str_eq(root->path, fixture_path("server-2s-cxl"));
	ck_assert_int_eq(sysroot_read_file(root, "sys/devices/system/node/node0/cpulist", &a, &len),
			 0);
	ck_assert_str_eq(a, "0-15,32-47\n");
	ck_assert_uint_eq(len, 11);
	/* a leading '/' is ignored: still below the root */
	ck_assert_int_eq(
		sysroot_read_file(root, "//sys/devices/system/node/node0/cpulist", &b, NULL), 0);
	ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(test_read_line_and_empty)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_free_ char *line = NULL, *empty = NULL, *nl = NULL;
	size_t len = 99;

	ck_assert_int_eq(sysroot_read_line(root, "proc/100/comm", &line), 0);
	ck_assert_str_eq(line, "my (weird) app");
	ck_assert_int_eq(sysroot_read_file(root, "proc/200/maps", &empty, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(empty, "");
	ck_assert_int_eq(sysroot_read_line(root, "sys/devices/system/node/node1/cpulist", &nl), 0);
	ck_assert_str_eq(nl, "");
}
END_TEST

START_TEST(test_read_large_file)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	/* 425013 bytes: many read() calls and buffer growths */
	ck_assert_int_eq(sysroot_read_file(root, "proc/300/maps", &buf, &len), 0);
	ck_assert_uint_eq(len, 425013);
	ck_assert_uint_eq(strlen(buf), 425013);
	ck_assert_int_eq(buf[len - 1], '\n');
}
END_TEST

START_TEST(test_read_proc_zero_size)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_free_ char *buf = NULL;
	char want[64];
	size_t len = 0;

	/* /proc files report st_size 0: must read to EOF anyway */
	ck_assert_int_eq(sysroot_read_file(root, "proc/self/status", &buf, &len), 0);
	ck_assert_uint_gt(len, 100);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", (int)getpid());
	ck_assert_ptr_nonnull(strstr(buf, want));
}
END_TEST

START_TEST(test_missing)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("laptop");
	char *buf = (char *)"untouched";
	DIR *d;

	ck_assert_int_eq(
		sysroot_read_file(root, "sys/devices/system/node/node1/cpulist", &buf, NULL),
		-ENOENT);
	ck_assert_str_eq(buf, "untouched");
	ck_assert_int_eq(sysroot_read_line(root, "proc/1/comm", &buf), -ENOENT);
	ck_assert(!sysroot_exists(root, "sys/bus/dax"));
	ck_assert(sysroot_exists(root, "sys/devices/system/node/node0"));
	ck_assert(sysroot_exists(root, "/"));
	errno = 0;
	d = sysroot_opendir(root, "sys/bus/dax/devices");
	ck_assert_ptr_null(d);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sysroot_openat(root, "nope", O_RDONLY), -ENOENT);
}
END_TEST

START_TEST(test_opendir)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("dax-region");
	DIR *d = sysroot_opendir(root, "sys/bus/dax/devices");
	struct dirent *de;
	int seen = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			seen++;
	closedir(d);
	ck_assert_int_eq(seen, 3);
}
END_TEST

START_TEST(test_readlink)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("dax-region");
	_cleanup_free_ char *target = NULL, *node = NULL;

	ck_assert_int_eq(sysroot_readlink(root, "sys/bus/dax/devices/dax0.0", &target), 0);
	ck_assert_str_eq(target, "../../../devices/platform/ACPI0017:00/root0/decoder0.0/region0/"
				 "dax_region0/dax0.0");
	/* relative symlinks resolve inside the tree */
	ck_assert_int_eq(sysroot_read_line(root, "sys/bus/dax/devices/dax0.0/target_node", &node),
			 0);
	ck_assert_str_eq(node, "1");
	ck_assert_int_eq(sysroot_readlink(root, "sys/bus/dax/devices/dax9.0", &target), -ENOENT);
	/* not a symlink */
	ck_assert_int_eq(sysroot_readlink(root, "sys/devices/system/node/online", &target),
			 -EINVAL);
}
END_TEST

START_TEST(test_open_errors)
{
	struct sysroot *root = NULL;
	char path[PATH_MAX];

	ck_assert_int_eq(sysroot_open("/nonexistent/cxlpolicy-root", &root), -ENOENT);
	ck_assert_ptr_null(root);
	snprintf(path, sizeof(path), "%s/README.md", fixtures_root());
	ck_assert_int_eq(sysroot_open(path, &root), -ENOTDIR);
	ck_assert_ptr_null(root);
}
END_TEST

START_TEST(test_open_null_empty_no_env)
{
	_cleanup_(sysroot_freep) struct sysroot *a = NULL;
	struct sysroot *b = NULL;

	/* the library reads no environment: NULL is "/", whatever $CXLPOLICY_SYSROOT says */
	ck_assert_int_eq(setenv(SYSROOT_ENV, fixture_path("laptop"), 1), 0);
	ck_assert_int_eq(sysroot_open(NULL, &a), 0);
	ck_assert_str_eq(a->path, "/");
	ck_assert_int_eq(a->resolve, SYSROOT_RESOLVE_PLAIN);
	ck_assert_uint_eq(a->max_file_size, SYSROOT_MAX_FILE_SIZE_DEFAULT);
	ck_assert_int_eq(unsetenv(SYSROOT_ENV), 0);
	/* an empty --sysroot is a mistake, not "/" */
	ck_assert_int_eq(sysroot_open("", &b), -EINVAL);
	ck_assert_ptr_null(b);
}
END_TEST

START_TEST(test_display)
{
	_cleanup_(sysroot_freep) struct sysroot *slash = open_root("/");
	_cleanup_(sysroot_freep) struct sysroot *fix = open_fixture("laptop");
	_cleanup_(sysroot_freep) struct sysroot *trail = NULL;
	char buf[PATH_MAX + 64], want[PATH_MAX + 64], given[PATH_MAX + 8];

	ck_assert_str_eq(sysroot_display(slash, "proc/1/maps", buf, sizeof(buf)), "/proc/1/maps");
	ck_assert_str_eq(sysroot_display(slash, "/sys/x", buf, sizeof(buf)), "/sys/x");
	snprintf(want, sizeof(want), "%s/sys/devices/system/node/online", fix->path);
	ck_assert_str_eq(sysroot_display(fix, "sys/devices/system/node/online", buf, sizeof(buf)),
			 want);
	/* the root as given (one trailing slash dropped), never "/" for another root */
	snprintf(given, sizeof(given), "%s/", fixture_path("laptop"));
	trail = open_root(given);
	ck_assert_str_eq(trail->path, given);
	snprintf(want, sizeof(want), "%s/proc", fixture_path("laptop"));
	ck_assert_str_eq(sysroot_display(trail, "proc", buf, sizeof(buf)), want);
}
END_TEST

START_TEST(test_read_fd_fully)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-fd-XXXXXX";
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int fd = mkstemp(tmpl);

	ck_assert_int_ge(fd, 0);
	unlink(tmpl);
	ck_assert_int_eq(write(fd, "abc\0def", 7), 7);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(read_fd_fully(fd, &buf, &len), 0);
	ck_assert_uint_eq(len, 7); /* binary content, length is exact */
	ck_assert_mem_eq(buf, "abc\0def", 8);
	close(fd);
	ck_assert_int_eq(read_fd_fully(fd, &buf, &len), -EBADF);
}
END_TEST

/*
 * A tree that tries every way out of its root.  <top>/root is the sysroot;
 * <top>/secret and <top>/outlink lie outside it.
 */
static char *make_escape_tree(void)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-XXXXXX";
	char *top = mkdtemp(tmpl);
	char path[PATH_MAX], big[5001];
	static const char *const links[][2] = {
		{ "up", ".." },
		{ "dotdot", "../secret" },
		{ "deep/a/b/up4", "../../../../secret" },
		{ "deep/a/abs2", "/sys/file" },
		{ "abs", "/etc/passwd" },
		{ "absdir", "/" },
		{ "loop1", "loop2" },
		{ "loop2", "loop1" },
		{ "selfloop", "selfloop" },
		{ "dot", "." },
		{ "filelink", "sys/file" },
		{ "dirlink", "sys/" },
		{ "proc", "/proc" },
		{ "relproc", "../../../../../../../../../proc" },
		{ "zero", "/dev/zero" },
	};

	ck_assert_msg(top != NULL, "mkdtemp: %s", strerror(errno));
	top = strdup(top);
	ck_assert_ptr_nonnull(top);
	write_file(top, "secret", "outside\n");
	write_file(top, "root/sys/file", "inside\n");
	write_file(top, "root/etc/passwd", "fake passwd\n");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_file(top, "root/big", big);
	snprintf(path, sizeof(path), "%s/outlink", top);
	ck_assert_int_eq(symlink("outside-target", path), 0);
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		snprintf(path, sizeof(path), "%s/root/%s", top, links[i][0]);
		make_parents(top, path + strlen(top) + 1);
		ck_assert_msg(symlink(links[i][1], path) == 0, "symlink %s: %s", path,
			      strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/root/fifo", top);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	return top;
}

/* The escape tree's root, resolved the way @mode says; NULL (and SKIP) when impossible. */
static struct sysroot *open_escape_root(const char *top, enum sysroot_resolve mode,
					const char *test)
{
	char path[PATH_MAX];
	struct sysroot *root;

	snprintf(path, sizeof(path), "%s/root", top);
	root = open_root(path);
	if (mode == SYSROOT_RESOLVE_OPENAT2 && root->resolve != SYSROOT_RESOLVE_OPENAT2) {
		printf("SKIP %s (openat2): this kernel has no openat2 (5.6+); the walk is "
		       "tested alone\n",
		       test);
		sysroot_free(root);
		return NULL;
	}
	ck_assert_int_ne(root->resolve, SYSROOT_RESOLVE_PLAIN);
	root->resolve = mode; /* force the walk when asked */
	return root;
}

static const char *mode_name(enum sysroot_resolve mode)
{
	return mode == SYSROOT_RESOLVE_WALK ? "walk" : "openat2";
}

/* What sysroot_read_file() must give for each path: the content, or an errno. */
static const struct {
	const char *path;
	const char *content;
	int error;
} escape_cases[] = {
	{ "sys/file", "inside\n", 0 },
	{ "../secret", NULL, ENOENT },
	{ "../../../secret", NULL, ENOENT },
	{ "sys/../../secret", NULL, ENOENT },
	{ "../root/sys/file", NULL, ENOENT }, /* ".." of the root is the root */
	{ "dotdot", NULL, ENOENT },
	{ "deep/a/b/up4", NULL, ENOENT },
	{ "up/secret", NULL, ENOENT },
	{ "up/up/up/sys/file", "inside\n", 0 },
	{ "abs", "fake passwd\n", 0 }, /* /etc/passwd of the tree, not the host's */
	{ "/../../etc/passwd", "fake passwd\n", 0 },
	{ "absdir/sys/file", "inside\n", 0 },
	{ "deep/a/abs2", "inside\n", 0 }, /* absolute: from the root, not from deep/a */
	{ "absdir/../secret", NULL, ENOENT },
	{ "dot/dot/dot/sys/file", "inside\n", 0 },
	{ "filelink", "inside\n", 0 },
	{ "dirlink/file", "inside\n", 0 },
	{ "loop1", NULL, ELOOP },
	{ "loop1/x", NULL, ELOOP },
	{ "selfloop", NULL, ELOOP },
	{ "proc/self/status", NULL, ELOOP }, /* "proc -> /proc" is itself */
	{ "relproc/self/status", NULL, ELOOP },
	{ "zero", NULL, ENOENT }, /* no dev/zero in the tree */
	{ "sys/file/", NULL, ENOTDIR },
	{ "sys/file/..", NULL, ENOTDIR },
	{ "nope/x", NULL, ENOENT },
	{ "sys", NULL, EISDIR },
	{ "fifo", NULL, EINVAL }, /* not regular: refused without blocking */
	{ "", NULL, EISDIR },
};

static void check_escapes(enum sysroot_resolve mode)
{
	_cleanup_free_ char *top = make_escape_tree();
	_cleanup_(sysroot_freep) struct sysroot *root =
		open_escape_root(top, mode, "test_containment");

	if (!root)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(escape_cases); i++) {
		_cleanup_free_ char *buf = NULL;
		int r = sysroot_read_file(root, escape_cases[i].path, &buf, NULL);

		if (escape_cases[i].content) {
			ck_assert_msg(r == 0, "%s: read \"%s\": %s", mode_name(mode),
				      escape_cases[i].path, strerror(-r));
			ck_assert_str_eq(buf, escape_cases[i].content);
		} else {
			ck_assert_msg(r == -escape_cases[i].error,
				      "%s: read \"%s\" gave %d (%s), want -%s", mode_name(mode),
				      escape_cases[i].path, r, r ? strerror(-r) : buf,
				      strerrorname_np(escape_cases[i].error));
		}
	}
out:
	remove_tree(TAKE_PTR(top));
}

START_TEST(test_containment_openat2)
{
	check_escapes(SYSROOT_RESOLVE_OPENAT2);
}
END_TEST

START_TEST(test_containment_walk)
{
	check_escapes(SYSROOT_RESOLVE_WALK);
}
END_TEST

/* readlink, exists and opendir obey the same rule, in both modes. */
static void check_other_calls(enum sysroot_resolve mode)
{
	_cleanup_free_ char *top = make_escape_tree();
	_cleanup_(sysroot_freep) struct sysroot *root =
		open_escape_root(top, mode, "test_containment_calls");
	char *target = NULL;
	struct dirent *de;
	bool saw_sys = false, saw_secret = false;
	DIR *d;

	if (!root)
		goto out;
	/* <top>/outlink exists, but "up" cannot reach it */
	ck_assert_int_eq(sysroot_readlink(root, "up/outlink", &target), -ENOENT);
	ck_assert_int_eq(sysroot_readlink(root, "up/dotdot", &target), 0);
	ck_assert_str_eq(target, "../secret"); /* the link itself, not followed */
	free(TAKE_PTR(target));
	ck_assert_int_eq(sysroot_readlink(root, "absdir/abs", &target), 0);
	ck_assert_str_eq(target, "/etc/passwd");
	free(TAKE_PTR(target));
	ck_assert_int_eq(sysroot_readlink(root, "sys/file", &target), -EINVAL);
	ck_assert_int_eq(sysroot_readlink(root, "loop1/x", &target), -ELOOP);
	ck_assert_ptr_null(target);

	ck_assert(!sysroot_exists(root, "dotdot"));
	ck_assert(!sysroot_exists(root, "up/secret"));
	ck_assert(!sysroot_exists(root, "../secret"));
	ck_assert(!sysroot_exists(root, "loop1"));
	ck_assert(sysroot_exists(root, "up/sys/file"));
	ck_assert(sysroot_exists(root, "abs"));
	ck_assert(sysroot_exists(root, "fifo"));

	/* "up" lists the root itself, not <top> */
	d = sysroot_opendir(root, "up");
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		saw_sys |= strcmp(de->d_name, "sys") == 0;
		saw_secret |= strcmp(de->d_name, "secret") == 0;
	}
	closedir(d);
	ck_assert(saw_sys && !saw_secret);
	d = sysroot_opendir(root, "../.."); /* the root again */
	ck_assert_ptr_nonnull(d);
	saw_sys = false;
	while ((de = readdir(d)))
		saw_sys |= strcmp(de->d_name, "sys") == 0;
	closedir(d);
	ck_assert(saw_sys);

	ck_assert_int_eq(sysroot_openat(root, "sys/new", O_WRONLY | O_CREAT), -EINVAL);
out:
	remove_tree(TAKE_PTR(top));
}

START_TEST(test_containment_calls_openat2)
{
	check_other_calls(SYSROOT_RESOLVE_OPENAT2);
}
END_TEST

START_TEST(test_containment_calls_walk)
{
	check_other_calls(SYSROOT_RESOLVE_WALK);
}
END_TEST

START_TEST(test_size_cap)
{
	_cleanup_free_ char *top = make_escape_tree();
	_cleanup_(sysroot_freep) struct sysroot *root = NULL;
	_cleanup_(sysroot_freep) struct sysroot *slash = open_root("/");
	_cleanup_free_ char *a = NULL, *b = NULL, *maps = NULL;
	char *untouched = (char *)"untouched";
	char path[PATH_MAX];
	size_t len = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/root", top);
	root = open_root(path);
	/* 5000 bytes: read at a cap of 5000, -EFBIG at 4999 */
	root->max_file_size = 5000;
	ck_assert_int_eq(sysroot_read_file(root, "big", &a, &len), 0);
	ck_assert_uint_eq(len, 5000);
	root->max_file_size = 4999;
	ck_assert_int_eq(sysroot_read_file(root, "big", &untouched, &len), -EFBIG);
	ck_assert_int_eq(sysroot_read_line(root, "big", &untouched), -EFBIG);
	ck_assert_str_eq(untouched, "untouched");
	ck_assert_uint_eq(len, 5000);
	root->max_file_size = 0;
	ck_assert_int_eq(sysroot_read_file(root, "sys/file", &untouched, NULL), -EFBIG);

	/* the same cap on a descriptor */
	fd = sysroot_open_file(root, "big");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read_fd_capped(fd, 100, &untouched, NULL), -EFBIG);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(read_fd_capped(fd, 5000, &b, &len), 0);
	ck_assert_uint_eq(len, 5000);
	close(fd);

	/* procfs files report st_size 0 and are regular: read under the default cap */
	ck_assert_int_eq(sysroot_read_file(slash, "proc/self/maps", &maps, &len), 0);
	ck_assert_uint_gt(len, 0);
	ck_assert_ptr_nonnull(strstr(maps, "[stack]"));
	remove_tree(TAKE_PTR(top));
}
END_TEST

/* read_proc_file_at(): no fstat, short read ends it; growth, FIFO, missing, cap. */
START_TEST(test_read_proc_file_at)
{
	char dir[] = "/tmp/cxlp-procfile-XXXXXX";
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *big = NULL;
	char *buf = NULL, path[PATH_MAX];
	size_t len = 7, size = 3 * 4096 + 17;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	/* larger than the first buffer: it grows and reads to the end */
	big = malloc(size);
	for (size_t i = 0; i < size; i++)
		big[i] = (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/big", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(big, 1, size, f), size);
	fclose(f);
	ck_assert_int_eq(read_proc_file_at(dfd, "big", &buf, &len), 0);
	ck_assert_uint_eq(len, size);
	ck_assert_int_eq(memcmp(buf, big, size), 0);
	ck_assert_int_eq(buf[len], '\0');
	free(buf);
	buf = NULL;
	/* a real procfs file of ours */
	ck_assert_int_eq(read_proc_file_at(AT_FDCWD, "/proc/self/stat", &buf, &len), 0);
	ck_assert_msg(strncmp(buf, "", 0) == 0 && strchr(buf, ')') && buf[len - 1] == '\n',
		      "stat: %s", buf);
	free(buf);
	buf = NULL;
	/* a FIFO without a writer does not block: it reads as empty */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(read_proc_file_at(dfd, "fifo", &buf, &len), 0);
	ck_assert_uint_eq(len, 0);
	free(buf);
	buf = NULL;
	/* missing: -ENOENT, outputs untouched */
	len = 7;
	ck_assert_int_eq(read_proc_file_at(dfd, "nope", &buf, &len), -ENOENT);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 7);
	/* beyond 1 MiB: -EFBIG (a sparse file of 2 MiB) */
	snprintf(path, sizeof(path), "%s/huge", dir);
	ck_assert_int_eq(truncate(path, 0) == 0 || errno == ENOENT, 1);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(truncate(path, 2 << 20), 0);
	ck_assert_int_eq(read_proc_file_at(dfd, "huge", &buf, &len), -EFBIG);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 7);
	for (const char *n = "big\0fifo\0huge\0"; *n; n += strlen(n) + 1) {
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		unlink(path);
	}
	rmdir(dir);
}
END_TEST

START_TEST(test_fifo_and_dir_refused)
{
	_cleanup_free_ char *top = make_escape_tree();
	_cleanup_(sysroot_freep) struct sysroot *root = NULL;
	char path[PATH_MAX], *buf = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/root", top);
	root = open_root(path);
	/* open() of a FIFO without a writer would block forever */
	ck_assert_int_eq(sysroot_open_file(root, "fifo"), -EINVAL);
	ck_assert_int_eq(sysroot_read_line(root, "fifo", &buf), -EINVAL);
	ck_assert_int_eq(sysroot_open_file(root, "sys"), -EISDIR);
	/* a descriptor that is not a regular file */
	fd = sysroot_openat(root, "sys", O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read_fd_fully(fd, &buf, NULL), -EISDIR);
	close(fd);
	/* the descriptor sysroot_open_file() returns blocks normally again */
	fd = sysroot_open_file(root, "sys/file");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	ck_assert_ptr_null(buf);
	remove_tree(TAKE_PTR(top));
}
END_TEST

/* VmSize of this process, in bytes. */
static unsigned long long vm_size(void)
{
	_cleanup_free_ char *status = slurp("/proc/self/status");
	const char *line = strstr(status, "\nVmSize:");

	ck_assert_ptr_nonnull(line);
	return strtoull(line + strlen("\nVmSize:"), NULL, 10) * 1024;
}

START_TEST(test_dev_zero_refused)
{
	unsigned long long vm = vm_size();
	int status;
	pid_t pid;

	/*
	 * In a child whose address space may grow by 256 MiB at most, so that a
	 * reader without the check fails there instead of eating the machine.
	 */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { vm + (256ull << 20), vm + (256ull << 20) };
		struct sysroot *root = NULL;
		char *buf = NULL;
		int r;

		alarm(20);
		if (setrlimit(RLIMIT_AS, &rl) < 0 || sysroot_open("/", &root) < 0)
			_exit(3);
		r = sysroot_read_file(root, "dev/zero", &buf, NULL);
		if (r != -EINVAL) {
			fprintf(stderr, "read /dev/zero: %d (%s)\n", r, r ? strerror(-r) : "read");
			_exit(1);
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "reading /dev/zero was not refused (status 0x%x)", status);
}
END_TEST

/* ---- pid namespaces and a bind-mounted /proc: real namespaces, in children ---- */

#define CHILD_CHECK(cond, code)                                                            \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
			_exit(code);                                                       \
		}                                                                          \
	} while (0)

#define EXIT_SKIP 77

static int write_proc(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		r = -errno;
	close(fd);
	return r;
}

/*
 * In a child: new mount namespace (plus @extra, plus a user namespace when not
 * root), mounts private.  On failure print SKIP with the reason and exit.
 */
static void enter_namespaces(const char *test, int extra)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWNS | extra | (uid ? CLONE_NEWUSER : 0)) < 0) {
		printf("SKIP %s: unshare(%s%s) not permitted here: %s\n", test,
		       uid ? "CLONE_NEWUSER|" : "",
		       extra ? "CLONE_NEWNS|CLONE_NEWPID" : "CLONE_NEWNS", strerror(errno));
		fflush(stdout);
		_exit(EXIT_SKIP);
	}
	if (uid) {
		CHILD_CHECK(write_proc("/proc/self/setgroups", "deny") == 0, 2);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		CHILD_CHECK(write_proc("/proc/self/uid_map", map) == 0, 2);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		CHILD_CHECK(write_proc("/proc/self/gid_map", map) == 0, 2);
	}
	CHILD_CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, 2);
}

/* Wait for the child running a namespace test; SKIP when it said so. */
static void wait_ns_child(pid_t pid, const char *test)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "%s: child died (status 0x%x)", test, status);
	if (WEXITSTATUS(status) == EXIT_SKIP)
		return; /* the child printed SKIP and why */
	ck_assert_msg(WEXITSTATUS(status) == 0, "%s: child check %d failed (see stderr)", test,
		      WEXITSTATUS(status));
}

static int check_pidns(const char *path, struct error *err)
{
	struct sysroot *root = NULL;
	int r = sysroot_open(path, &root);

	if (r < 0)
		return 1000;
	r = sysroot_check_pid_namespace(root, err);
	sysroot_free(root);
	return r;
}

START_TEST(test_pid_namespace_same)
{
	struct error err = { 0 };

	/* this process's own /proc, and trees without a procfs */
	ck_assert_int_eq(check_pidns("/", &err), 0);
	ck_assert_int_eq(check_pidns(fixture_path("procs"), &err), 0); /* proc/ is a directory */
	ck_assert_int_eq(check_pidns(fixture_path("laptop"), &err), 0); /* no proc/ */
	ck_assert_int_eq(err.code, 0);
}
END_TEST

/*
 * A child in a new pid namespace mounts that namespace's procfs at <top>/proc.
 * From inside, <top>/proc is its own and "/" (the old /proc) is not; from the
 * parent namespace it is the other way round.
 */
START_TEST(test_pid_namespace_other)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-XXXXXX";
	char *top = mkdtemp(tmpl), procdir[PATH_MAX];
	pid_t pid;

	ck_assert_ptr_nonnull(top);
	snprintf(procdir, sizeof(procdir), "%s/proc", top);
	ck_assert_int_eq(mkdir(procdir, 0755), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct error err = { 0 };
		int up[2], down[2], status;
		char c = 0;
		pid_t inner;

		enter_namespaces("test_pid_namespace_other", CLONE_NEWPID);
		CHILD_CHECK(pipe(up) == 0 && pipe(down) == 0, 3);
		inner = fork();
		CHILD_CHECK(inner >= 0, 4);
		if (inner == 0) { /* pid 1 of the new namespace */
			CHILD_CHECK(getpid() == 1, 5);
			if (mount("proc", procdir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
			    0) {
				printf("SKIP test_pid_namespace_other: cannot mount a procfs: %s\n",
				       strerror(errno));
				fflush(stdout);
				_exit(EXIT_SKIP);
			}
			CHILD_CHECK(check_pidns(top, &err) == 0, 6);
			CHILD_CHECK(check_pidns("/", &err) == -EXDEV, 7);
			CHILD_CHECK(err.code == -EXDEV &&
					    strstr(err.message, "/proc belongs to "
								"another pid namespace") &&
					    strstr(err.message, "hostPID: true"),
				    8);
			CHILD_CHECK(write(up[1], "m", 1) == 1, 9);
			CHILD_CHECK(read(down[0], &c, 1) == 1, 10);
			_exit(0);
		}
		close(up[1]);
		if (read(up[0], &c, 1) != 1) { /* the inner child failed or skipped */
			CHILD_CHECK(waitpid(inner, &status, 0) == inner && WIFEXITED(status), 11);
			_exit(WEXITSTATUS(status));
		}
		/* the new namespace's procfs does not show this process at all */
		memset(&err, 0, sizeof(err));
		CHILD_CHECK(check_pidns(top, &err) == -EXDEV, 12);
		CHILD_CHECK(strstr(err.message, procdir) && strstr(err.message, "not visible"), 13);
		CHILD_CHECK(check_pidns("/", &err) == 0, 14);
		CHILD_CHECK(write(down[1], "x", 1) == 1, 15);
		CHILD_CHECK(waitpid(inner, &status, 0) == inner && WIFEXITED(status), 16);
		_exit(WEXITSTATUS(status));
	}
	wait_ns_child(pid, "test_pid_namespace_other");
	rmdir(procdir);
	rmdir(top);
}
END_TEST

/*
 * The hard case: an ancestor namespace's procfs that shows this process under
 * the same number.  Pid namespace A (we are its pid 1) mounts its procfs, then
 * arranges, through ns_last_pid, that a process in a nested namespace B has
 * pid 201 in both A and B.  Only the NSpid line tells them apart.
 */
START_TEST(test_pid_namespace_same_number)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-XXXXXX";
	char *top = mkdtemp(tmpl), procdir[PATH_MAX], path[PATH_MAX + 64];
	pid_t pid;

	ck_assert_ptr_nonnull(top);
	snprintf(procdir, sizeof(procdir), "%s/proc", top);
	ck_assert_int_eq(mkdir(procdir, 0755), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pid_t a1, b1, leaf;
		int status;

		enter_namespaces("test_pid_namespace_same_number", CLONE_NEWPID);
		a1 = fork(); /* pid 1 in A */
		CHILD_CHECK(a1 >= 0, 3);
		if (a1 == 0) {
			if (mount("proc", procdir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
			    0) {
				printf("SKIP test_pid_namespace_same_number: cannot mount a "
				       "procfs: %s\n",
				       strerror(errno));
				fflush(stdout);
				_exit(EXIT_SKIP);
			}
			/* A's next pid: 200 (a failure shows as pids not lined up below) */
			snprintf(path, sizeof(path), "%s/sys/kernel/ns_last_pid", procdir);
			(void)!write_proc(path, "199");
			CHILD_CHECK(unshare(CLONE_NEWPID) == 0, 4);
			b1 = fork(); /* 200 in A, 1 in B */
			CHILD_CHECK(b1 >= 0, 5);
			if (b1 == 0) {
				/* B's next pid: 201; A's next is 201 too (A is quiet) */
				(void)!write_proc("/proc/sys/kernel/ns_last_pid", "200");
				leaf = fork();
				CHILD_CHECK(leaf >= 0, 6);
				if (leaf == 0) {
					struct error err = { 0 };
					char self[32];
					ssize_t n;

					snprintf(path, sizeof(path), "%s/self", procdir);
					n = readlink(path, self, sizeof(self) - 1);
					CHILD_CHECK(n > 0, 7);
					self[n] = '\0';
					if (getpid() != 201 || atoi(self) != 201) {
						printf("SKIP test_pid_namespace_same_number: could "
						       "not "
						       "line the pids up (pid %d, %s in A)\n",
						       (int)getpid(), self);
						fflush(stdout);
						_exit(EXIT_SKIP);
					}
					CHILD_CHECK(check_pidns(top, &err) == -EXDEV, 8);
					CHILD_CHECK(strstr(err.message, "NSpid"), 9);
					_exit(0);
				}
				CHILD_CHECK(waitpid(leaf, &status, 0) == leaf && WIFEXITED(status),
					    10);
				_exit(WEXITSTATUS(status));
			}
			CHILD_CHECK(waitpid(b1, &status, 0) == b1 && WIFEXITED(status), 11);
			_exit(WEXITSTATUS(status));
		}
		CHILD_CHECK(waitpid(a1, &status, 0) == a1 && WIFEXITED(status), 12);
		_exit(WEXITSTATUS(status));
	}
	wait_ns_child(pid, "test_pid_namespace_same_number");
	rmdir(procdir);
	rmdir(top);
}
END_TEST

/* What a sysroot holding a bind mount of the real /proc must (and must not) do. */
static void check_bound_proc(struct sysroot *root)
{
	_cleanup_free_ char *status = NULL, *maps = NULL, *mounts = NULL, *exe = NULL;
	char want[64], real_exe[PATH_MAX];
	struct error err = { 0 };
	ssize_t n;

	CHILD_CHECK(sysroot_read_file(root, "proc/self/status", &status, NULL) == 0, 20);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", (int)getpid());
	CHILD_CHECK(strstr(status, want), 21);
	CHILD_CHECK(sysroot_read_file(root, "proc/self/maps", &maps, NULL) == 0, 22);
	CHILD_CHECK(strstr(maps, "[stack]"), 23);
	CHILD_CHECK(sysroot_read_file(root, "proc/mounts", &mounts, NULL) == 0, 24);
	CHILD_CHECK(sysroot_readlink(root, "proc/self/exe", &exe) == 0, 25);
	n = readlink("/proc/self/exe", real_exe, sizeof(real_exe) - 1);
	CHILD_CHECK(n > 0, 26);
	real_exe[n] = '\0';
	CHILD_CHECK(strcmp(exe, real_exe) == 0, 27);
	CHILD_CHECK(sysroot_check_pid_namespace(root, &err) == 0, 28);
	if (root->resolve != SYSROOT_RESOLVE_PLAIN) {
		/* magic links lead outside the root: not followed */
		CHILD_CHECK(sysroot_openat(root, "proc/self/exe", O_RDONLY) == -ELOOP, 29);
		CHILD_CHECK(sysroot_openat(root, "proc/self/root/etc", O_PATH) == -ELOOP, 30);
		CHILD_CHECK(!sysroot_exists(root, "proc/self/fd/0"), 31);
	} else {
		int fd = sysroot_openat(root, "proc/self/exe", O_RDONLY);

		CHILD_CHECK(fd >= 0, 32);
		close(fd);
	}
}

START_TEST(test_bind_mounted_proc)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-XXXXXX";
	char *top = mkdtemp(tmpl), procdir[PATH_MAX];
	pid_t pid;

	ck_assert_ptr_nonnull(top);
	snprintf(procdir, sizeof(procdir), "%s/proc", top);
	ck_assert_int_eq(mkdir(procdir, 0755), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sysroot *root = NULL;

		enter_namespaces("test_bind_mounted_proc", 0);
		if (mount("/proc", procdir, NULL, MS_BIND | MS_REC, NULL) < 0) {
			printf("SKIP test_bind_mounted_proc: cannot bind-mount /proc: %s\n",
			       strerror(errno));
			fflush(stdout);
			_exit(EXIT_SKIP);
		}
		CHILD_CHECK(sysroot_open(top, &root) == 0, 3);
		if (root->resolve == SYSROOT_RESOLVE_OPENAT2)
			check_bound_proc(root);
		else
			printf("SKIP test_bind_mounted_proc (openat2): no openat2 here\n");
		root->resolve = SYSROOT_RESOLVE_WALK;
		check_bound_proc(root);
		sysroot_free(root);
		CHILD_CHECK(sysroot_open("/", &root) == 0, 4);
		check_bound_proc(root);
		sysroot_free(root);
		_exit(0);
	}
	wait_ns_child(pid, "test_bind_mounted_proc");
	rmdir(procdir);
	rmdir(top);
}
END_TEST

static Suite *sysroot_suite(void)
{
	Suite *s = suite_create("sysroot");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_read_file_relative_and_absolute);
	tcase_add_test(tc, test_read_line_and_empty);
	tcase_add_test(tc, test_read_large_file);
	tcase_add_test(tc, test_read_proc_zero_size);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_opendir);
	tcase_add_test(tc, test_readlink);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_open_null_empty_no_env);
	tcase_add_test(tc, test_display);
	tcase_add_test(tc, test_read_fd_fully);
	tcase_add_test(tc, test_containment_openat2);
	tcase_add_test(tc, test_containment_walk);
	tcase_add_test(tc, test_containment_calls_openat2);
	tcase_add_test(tc, test_containment_calls_walk);
	tcase_add_test(tc, test_size_cap);
	tcase_add_test(tc, test_fifo_and_dir_refused);
	tcase_add_test(tc, test_read_proc_file_at);
	tcase_add_test(tc, test_dev_zero_refused);
	tcase_add_test(tc, test_pid_namespace_same);
	tcase_add_test(tc, test_pid_namespace_other);
	tcase_add_test(tc, test_pid_namespace_same_number);
	tcase_add_test(tc, test_bind_mounted_proc);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(sysroot_suite());
}
