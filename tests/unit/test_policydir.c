/* SPDX-License-Identifier: MIT */
/*
 * Policy directories on scratch directories: which files are read and in
 * which order, all-or-nothing failure naming the file, names unique across
 * files, and files that must be refused without blocking (a FIFO, a device).
 * Topology: the dax-region fixture (node 0 dram, nodes 1-2 cxl).
 */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policydir.h"
#include "testlib.h"

#define POLICY(name, glob)                                                           \
	"{\"name\": \"" name "\", \"match\": {\"cgroup\": \"" glob "\"}, \"mems\": " \
	"[\"dram\"]}"
#define FILE_OF(list) "{\"version\": 1, \"policies\": [" list "]}"

static struct topology *load_topology(void)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("dax-region");
	struct topology *topo = NULL;
	struct error err = { 0 };
	int r = topology_read(root, NULL, &topo, &err);

	ck_assert_msg(r == 0, "topology_read: %s", err.message);
	return topo;
}

static char *scratch(void)
{
	char tmpl[] = "/tmp/cxlpolicy-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);

	ck_assert_msg(dir != NULL, "mkdtemp: %s", strerror(errno));
	dir = strdup(dir);
	ck_assert_ptr_nonnull(dir);
	return dir;
}

static struct policydir *load_ok(const char *dir)
{
	_cleanup_(topology_freep) struct topology *topo = load_topology();
	struct policydir *pd = NULL;
	struct error err = { 0 };
	int r = policydir_load(dir, topo, &pd, &err);

	ck_assert_msg(r == 0, "policydir_load: %d %s", r, err.message);
	ck_assert_ptr_nonnull(pd);
	return pd;
}

/* The load must fail with @code and a message holding every string of @want (NULL ended). */
static void load_fails(const char *dir, int code, const char *const *want)
{
	_cleanup_(topology_freep) struct topology *topo = load_topology();
	struct policydir *pd = (struct policydir *)0x1;
	struct error err = { 0 };
	int r = policydir_load(dir, topo, &pd, &err);

	ck_assert_msg(r == code, "expected %d, got %d (%s)", code, r, err.message);
	ck_assert_ptr_eq(pd, (struct policydir *)0x1);
	for (; *want; want++)
		ck_assert_msg(strstr(err.message, *want), "message \"%s\" lacks \"%s\"",
			      err.message, *want);
}

START_TEST(test_order_and_origin)
{
	char *dir = scratch();
	struct policydir *pd;

	write_file(dir, "b.json", FILE_OF(POLICY("b1", "b.slice") "," POLICY("b2", "b2.slice")));
	write_file(dir, "a.json", FILE_OF(POLICY("a1", "a.slice")));
	write_file(dir, "B.json", FILE_OF(POLICY("cap", "cap.slice")));
	write_file(dir, "10.json", FILE_OF(""));
	pd = load_ok(dir);
	/* strcmp order: digits < upper case < lower case */
	ck_assert_uint_eq(pd->n_files, 4);
	ck_assert_str_eq(pd->files[0], "10.json");
	ck_assert_str_eq(pd->files[1], "B.json");
	ck_assert_str_eq(pd->files[2], "a.json");
	ck_assert_str_eq(pd->files[3], "b.json");
	ck_assert_uint_eq(pd->set->n_policies, 4);
	ck_assert_str_eq(pd->set->policies[0].name, "cap");
	ck_assert_str_eq(pd->set->policies[1].name, "a1");
	ck_assert_str_eq(pd->set->policies[2].name, "b1");
	ck_assert_str_eq(pd->set->policies[3].name, "b2");
	ck_assert_str_eq(pd->set->policies[3].match.cgroups[0], "b2.slice");
	ck_assert_str_eq(policydir_policy_file(pd, 0), "B.json");
	ck_assert_str_eq(policydir_policy_file(pd, 1), "a.json");
	ck_assert_str_eq(policydir_policy_file(pd, 2), "b.json");
	ck_assert_str_eq(policydir_policy_file(pd, 3), "b.json");
	ck_assert_ptr_null(policydir_policy_file(pd, 4));
	policydir_free(pd);
	remove_tree(dir);
}
END_TEST

START_TEST(test_hidden_and_leftovers_ignored)
{
	static const char *const skipped[] = { ".#a.json",     "a.json~", "a.json.swp",
					       ".hidden.json", ".json",	  "a.JSON",
					       "a.jsonx",      "json",	  "a.json.bak",
					       "#a.json#" };
	char *dir = scratch();
	struct policydir *pd;
	char path[PATH_MAX];

	write_file(dir, "a.json", FILE_OF(POLICY("a", "a.slice")));
	for (size_t i = 0; i < ARRAY_SIZE(skipped); i++)
		write_file(dir, skipped[i], "not json at all");
	/* a directory whose name does not end in .json is not looked at either */
	snprintf(path, sizeof(path), "%s/sub", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	pd = load_ok(dir);
	ck_assert_uint_eq(pd->n_files, 1);
	ck_assert_str_eq(pd->files[0], "a.json");
	ck_assert_uint_eq(pd->set->n_policies, 1);
	policydir_free(pd);
	ck_assert(policydir_wants_name("x.json"));
	ck_assert(!policydir_wants_name(".json"));
	ck_assert(!policydir_wants_name("x.json~"));
	remove_tree(dir);
}
END_TEST

START_TEST(test_duplicate_across_files)
{
	char *dir = scratch();
	const char *want[] = { "/b.json: policy \"web\" is also defined in ", "/a.json", NULL };

	write_file(dir, "a.json", FILE_OF(POLICY("web", "web.slice")));
	write_file(dir, "b.json", FILE_OF(POLICY("x", "x.slice") "," POLICY("web", "other.slice")));
	load_fails(dir, -EINVAL, want);
	remove_tree(dir);
}
END_TEST

START_TEST(test_one_bad_file_fails_all)
{
	char *dir = scratch();
	const char *want[] = { "/c.json", "version", NULL };

	write_file(dir, "a.json", FILE_OF(POLICY("a", "a.slice")));
	write_file(dir, "c.json", "{\"version\": 2, \"policies\": []}");
	write_file(dir, "d.json", FILE_OF(POLICY("d", "d.slice")));
	load_fails(dir, -EINVAL, want);
	remove_tree(dir);
}
END_TEST

START_TEST(test_empty_dir)
{
	char *dir = scratch();
	struct policydir *pd = load_ok(dir);

	ck_assert_uint_eq(pd->n_files, 0);
	ck_assert_ptr_nonnull(pd->set);
	ck_assert_uint_eq(pd->set->n_policies, 0);
	policydir_free(pd);
	remove_tree(dir);
}
END_TEST

START_TEST(test_missing_dir)
{
	const char *want[] = { "/nonexistent-cxlpolicy-dir", "cannot open", NULL };

	load_fails("/nonexistent-cxlpolicy-dir", -ENOENT, want);
}
END_TEST

START_TEST(test_over_limit)
{
	char *dir = scratch();
	const char *want[] = { "/big.json", "over the limit", NULL };
	char path[PATH_MAX];
	int fd;

	write_file(dir, "a.json", FILE_OF(POLICY("a", "a.slice")));
	snprintf(path, sizeof(path), "%s/big.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)POLICY_FILE_MAX + 1), 0);
	close(fd);
	load_fails(dir, -EFBIG, want);
	/* exactly the limit is read (and then fails as JSON: NUL bytes) */
	ck_assert_int_eq(truncate(path, (off_t)POLICY_FILE_MAX), 0);
	{
		const char *want2[] = { "/big.json", "NUL", NULL };

		load_fails(dir, -EINVAL, want2);
	}
	remove_tree(dir);
}
END_TEST

START_TEST(test_fifo_refused)
{
	char *dir = scratch();
	const char *want[] = { "/x.json: not a regular file (a FIFO)", NULL };
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/x.json", dir);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	alarm(10); /* a hang fails the test instead of the suite */
	load_fails(dir, -EINVAL, want);
	alarm(0);
	remove_tree(dir);
}
END_TEST

START_TEST(test_symlinks)
{
	char *dir = scratch(), *other = scratch();
	const char *want[] = { "/zero.json: not a regular file (a character device)", NULL };
	char path[PATH_MAX], target[PATH_MAX];
	struct policydir *pd;

	/* a symlink to a regular file elsewhere is followed */
	write_file(other, "real.json", FILE_OF(POLICY("linked", "l.slice")));
	snprintf(target, sizeof(target), "%s/real.json", other);
	snprintf(path, sizeof(path), "%s/l.json", dir);
	ck_assert_int_eq(symlink(target, path), 0);
	pd = load_ok(dir);
	ck_assert_uint_eq(pd->set->n_policies, 1);
	ck_assert_str_eq(pd->set->policies[0].name, "linked");
	ck_assert_str_eq(pd->files[0], "l.json");
	policydir_free(pd);

	/* one to /dev/zero is refused (never read: it would never end) */
	snprintf(path, sizeof(path), "%s/zero.json", dir);
	ck_assert_int_eq(symlink("/dev/zero", path), 0);
	alarm(10);
	load_fails(dir, -EINVAL, want);
	alarm(0);
	remove_file(dir, "zero.json");

	/* a dangling one fails the load too, named */
	snprintf(path, sizeof(path), "%s/gone.json", dir);
	ck_assert_int_eq(symlink("/nonexistent-cxlpolicy", path), 0);
	{
		const char *want2[] = { "/gone.json", NULL };

		load_fails(dir, -ENOENT, want2);
	}
	remove_tree(dir);
	remove_tree(other);
}
END_TEST

START_TEST(test_hash)
{
	char *dir = scratch();
	struct policydir *pd;
	uint64_t h0, h1, h2;

	pd = load_ok(dir);
	h0 = pd->hash;
	policydir_free(pd);
	write_file(dir, "a.json", FILE_OF(POLICY("a", "a.slice")));
	pd = load_ok(dir);
	h1 = pd->hash;
	policydir_free(pd);
	pd = load_ok(dir);
	ck_assert(pd->hash == h1); /* nothing changed */
	policydir_free(pd);
	write_file(dir, "a.json", FILE_OF(POLICY("a", "b.slice")));
	pd = load_ok(dir);
	h2 = pd->hash;
	policydir_free(pd);
	ck_assert(h0 != h1 && h1 != h2 && h0 != h2);
	/* the same bytes under another name are another directory */
	remove_file(dir, "a.json");
	write_file(dir, "z.json", FILE_OF(POLICY("a", "b.slice")));
	pd = load_ok(dir);
	ck_assert(pd->hash != h2);
	policydir_free(pd);
	remove_tree(dir);
}
END_TEST

START_TEST(test_load_at)
{
	_cleanup_(topology_freep) struct topology *topo = load_topology();
	char *dir = scratch();
	struct policydir *pd = NULL;
	struct error err = { 0 };
	int fd, r;

	write_file(dir, "a.json", "{\"version\": 1}");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	r = policydir_load_at(fd, "/etc/shown.d", topo, &pd, &err);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_msg(strncmp(err.message, "/etc/shown.d/a.json: ", 21) == 0, "%s", err.message);
	ck_assert_ptr_null(pd);
	/* the descriptor stays open and usable */
	ck_assert_int_eq(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	remove_tree(dir);
}
END_TEST

static Suite *policydir_suite(void)
{
	Suite *s = suite_create("policydir");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_order_and_origin);
	tcase_add_test(tc, test_hidden_and_leftovers_ignored);
	tcase_add_test(tc, test_duplicate_across_files);
	tcase_add_test(tc, test_one_bad_file_fails_all);
	tcase_add_test(tc, test_empty_dir);
	tcase_add_test(tc, test_missing_dir);
	tcase_add_test(tc, test_over_limit);
	tcase_add_test(tc, test_fifo_refused);
	tcase_add_test(tc, test_symlinks);
	tcase_add_test(tc, test_hash);
	tcase_add_test(tc, test_load_at);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(policydir_suite());
}
