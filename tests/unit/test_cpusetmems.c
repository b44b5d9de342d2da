/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "cpusetmems.h"
#include "testlib.h"

static struct idset set_of(const char *list)
{
	struct idset s;

	ck_assert_int_eq(idset_parse(list, &s), 0);
	return s;
}

static const char *fmt(const struct idset *s)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) % 4;
	return idset_format(s, buf[i], sizeof(buf[i]));
}

static struct cgroup_mode detect(const struct sysroot *root)
{
	struct cgroup_mode m;
	struct error err = { 0 };

	ck_assert_msg(cgroup_mode_detect(root, &m, &err) == 0, "detect: %s", err.message);
	return m;
}

struct readcase {
	const char *tree, *cgroup;
	bool enabled, inherit;
	const char *mems, *effective;
};

static const struct readcase reads[] = {
	{ "cgroup-v2", "", true, false, "0-1", "0-1" }, /* the root: no cpuset.mems */
	{ "cgroup-v2", "web.slice", true, false, "0-1", "0-1" },
	{ "cgroup-v2", "web.slice/app.service", true, false, "0", "0" },
	{ "cgroup-v2", "web.slice/api.service", true, true, "", "0-1" }, /* empty: inherit */
	{ "cgroup-v2", "web.slice/api.service/worker", true, false, "1", "1" },
	/* cpuset not enabled by system.slice: no files, the parent's effective set */
	{ "cgroup-v2", "system.slice/cron.service", false, true, "", "0-1" },
	{ "cgroup-hybrid", "", true, false, "0-1", "0-1" },
	{ "cgroup-hybrid", "batch.slice", true, false, "1", "1" },
	/* v1 noprefix without effective_mems: effective = mems */
	{ "cgroup-v1", "docker/abc123", true, false, "0", "0" },
};

START_TEST(test_read)
{
	const struct readcase *t = &reads[_i];
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture(t->tree);
	struct cgroup_mode m = detect(root);
	struct cpuset_mems c;
	struct error err = { 0 };

	ck_assert_msg(cpusetmems_read(root, &m, t->cgroup, &c, &err) == 0, "%s %s: %s", t->tree,
		      t->cgroup, err.message);
	ck_assert_int_eq(c.enabled, t->enabled);
	ck_assert_int_eq(c.inherit, t->inherit);
	ck_assert_str_eq(fmt(&c.mems), t->mems);
	ck_assert_str_eq(fmt(&c.effective), t->effective);
}
END_TEST

START_TEST(test_read_errors)
{
	char *dir = fixture_copy("cgroup-v2");
	struct sysroot *root = open_root(dir);
	struct cgroup_mode m = detect(root);
	struct cpuset_mems c = { .enabled = true, .inherit = true };
	struct error err = { 0 };

	ck_assert_int_eq(cpusetmems_read(root, &m, "nope.slice", &c, &err), -ENOENT);
	ck_assert_msg(strstr(err.message, "\"nope.slice\" does not exist"), "message: %s",
		      err.message);
	ck_assert_int_eq(cpusetmems_read(root, &m, "/web.slice", &c, &err), -EINVAL);
	ck_assert_int_eq(cpusetmems_read(root, &m, "web.slice/../web.slice", &c, &err), -EINVAL);
	write_file(dir, "sys/fs/cgroup/web.slice/cpuset.mems", "0-\n");
	err = (struct error){ 0 };
	ck_assert_int_eq(cpusetmems_read(root, &m, "web.slice", &c, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "web.slice/cpuset.mems") &&
			      strstr(err.message, "expected a node list") &&
			      strstr(err.message, "0-"),
		      "message: %s", err.message);
	write_file(dir, "sys/fs/cgroup/web.slice/cpuset.mems", "0\n");
	write_file(dir, "sys/fs/cgroup/web.slice/cpuset.mems.effective", "x\n");
	ck_assert_int_eq(cpusetmems_read(root, &m, "web.slice", &c, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "cpuset.mems.effective"), "message: %s", err.message);
	/* untouched on failure */
	ck_assert(c.enabled && c.inherit);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

/* ---- writes: a recording writer that writes for real into the fixture copy ---- */

struct recorder {
	char log[1024];
	unsigned calls;
	const char *fail_file; /* fail writes to this file name ... */
	int fail_errno; /* ... with this errno */
};

static int record_write(int dirfd, const char *name, const char *value, void *userdata)
{
	struct recorder *rec = userdata;
	size_t len = strlen(rec->log);
	int fd;

	rec->calls++;
	snprintf(rec->log + len, sizeof(rec->log) - len, "%s%s=%s", len ? ";" : "", name, value);
	if (rec->fail_file && strcmp(name, rec->fail_file) == 0)
		return -rec->fail_errno;
	fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ck_assert_int_eq(write(fd, value, strlen(value)), (ssize_t)strlen(value));
	close(fd);
	return 0;
}

static char *read_fixture_file(const char *dir, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return slurp(path);
}

/* v2: the ancestors that lack cpuset in subtree_control get "+cpuset", top-down. */
START_TEST(test_write_v2_enables_ancestors)
{
	char *dir = fixture_copy("cgroup-v2");
	struct sysroot *root;
	struct cgroup_mode m;
	struct recorder rec = { 0 };
	struct idset one = set_of("1");
	struct error err = { 0 };
	bool changed = false;
	char *text;

	/* what the kernel would show once system.slice enables cpuset */
	write_file(dir, "sys/fs/cgroup/system.slice/cron.service/cpuset.mems", "\n");
	write_file(dir, "sys/fs/cgroup/cgroup.subtree_control", "cpu memory pids\n");
	root = open_root(dir);
	m = detect(root);
	ck_assert_msg(cpusetmems_write_with(root, &m, "system.slice/cron.service", &one,
					    record_write, &rec, &changed, &err) == 0,
		      "%s", err.message);
	ck_assert(changed);
	ck_assert_str_eq(rec.log, "cgroup.subtree_control=+cpuset;cgroup.subtree_control=+cpuset;"
				  "cpuset.mems=1");
	text = read_fixture_file(dir, "sys/fs/cgroup/system.slice/cgroup.subtree_control");
	ck_assert_str_eq(text, "+cpuset");
	free(text);
	text = read_fixture_file(dir, "sys/fs/cgroup/system.slice/cron.service/cpuset.mems");
	ck_assert_str_eq(text, "1");
	free(text);

	/* again: nothing is written (the fixture files now hold what was written) */
	write_file(dir, "sys/fs/cgroup/cgroup.subtree_control", "cpuset cpu memory pids\n");
	write_file(dir, "sys/fs/cgroup/system.slice/cgroup.subtree_control", "cpuset memory\n");
	rec = (struct recorder){ 0 };
	changed = true;
	ck_assert_int_eq(cpusetmems_write_with(root, &m, "system.slice/cron.service", &one,
					       record_write, &rec, &changed, &err),
			 0);
	ck_assert(!changed);
	ck_assert_uint_eq(rec.calls, 0);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

/* The real writer: same value, no write (mtime unchanged); another value, written. */
START_TEST(test_write_v2_noop_real)
{
	char *dir = fixture_copy("cgroup-v2");
	const char *rel = "sys/fs/cgroup/web.slice/api.service/worker/cpuset.mems";
	struct timespec old[2] = { { .tv_sec = 1000000 }, { .tv_sec = 1000000 } };
	char path[PATH_MAX];
	struct sysroot *root;
	struct cgroup_mode m;
	struct idset one = set_of("1"), both = set_of("0-1");
	struct error err = { 0 };
	struct stat st;
	bool changed = true;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	ck_assert_int_eq(utimensat(AT_FDCWD, path, old, 0), 0);
	root = open_root(dir);
	m = detect(root);
	ck_assert_int_eq(
		cpusetmems_write(root, &m, "web.slice/api.service/worker", &one, &changed, &err),
		0);
	ck_assert(!changed);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mtim.tv_sec, 1000000);
	ck_assert_int_eq(
		cpusetmems_write(root, &m, "web.slice/api.service/worker", &both, &changed, &err),
		0);
	ck_assert(changed);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_ne(st.st_mtim.tv_sec, 1000000);
	text = read_fixture_file(dir, rel);
	ck_assert_str_eq(text, "0-1");
	free(text);
	/* NULL: v2's inherit, an empty write; then again: nothing */
	ck_assert_int_eq(
		cpusetmems_write(root, &m, "web.slice/api.service/worker", NULL, &changed, &err),
		0);
	ck_assert(changed);
	text = read_fixture_file(dir, rel);
	ck_assert_str_eq(text, "");
	free(text);
	ck_assert_int_eq(
		cpusetmems_write(root, &m, "web.slice/api.service/worker", NULL, &changed, &err),
		0);
	ck_assert(!changed);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

START_TEST(test_write_refusals)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("cgroup-v2");
	struct cgroup_mode m = detect(root);
	struct idset one = set_of("1"), none;
	struct recorder rec = { 0 };
	struct error err = { 0 };
	bool changed = true;

	idset_clear(&none);
	ck_assert_int_eq(cpusetmems_write_with(root, &m, "web.slice", &none, record_write, &rec,
					       &changed, &err),
			 -EINVAL);
	ck_assert_msg(strstr(err.message, "empty node set"), "message: %s", err.message);
	ck_assert_int_eq(
		cpusetmems_write_with(root, &m, "", &one, record_write, &rec, &changed, &err),
		-EINVAL);
	ck_assert_msg(strstr(err.message, "root cgroup"), "message: %s", err.message);
	ck_assert_int_eq(cpusetmems_write_with(root, &m, "web.slice/", &one, record_write, &rec,
					       &changed, &err),
			 -EINVAL);
	ck_assert_int_eq(cpusetmems_write_with(root, &m, "web.slice/nope/deeper", &one,
					       record_write, &rec, &changed, &err),
			 -ENOENT);
	ck_assert_msg(strstr(err.message, "does not exist") &&
			      strstr(err.message, "web.slice/nope"),
		      "message: %s", err.message);
	ck_assert_uint_eq(rec.calls, 0);
	ck_assert(changed); /* untouched */
}
END_TEST

struct failcase {
	const char *tree, *cgroup, *value, *file;
	int errno_;
	const char *hint;
};

static const struct failcase fails[] = {
	/* v2: no-internal-process rule in an ancestor */
	{ "cgroup-v2", "system.slice/cron.service", "1", "cgroup.subtree_control", EBUSY,
	  "no-internal-process" },
	{ "cgroup-v2", "web.slice/app.service", "0-1", "cpuset.mems", EINVAL, "not online" },
	{ "cgroup-v2", "web.slice/app.service", "1", "cpuset.mems", EACCES, "needs root" },
	/* v1 */
	{ "cgroup-hybrid", "system.slice", "1", "cpuset.mems", EINVAL, "not online" },
	{ "cgroup-hybrid", "system.slice", "1", "cpuset.mems", EACCES, "subset of its parent" },
	{ "cgroup-hybrid", "system.slice", "1", "cpuset.mems", ENOSPC, "without nodes" },
	{ "cgroup-hybrid", "system.slice", "1", "cpuset.mems", EBUSY, "child cgroup" },
	{ "cgroup-hybrid", "system.slice", "1", "cpuset.memory_migrate", EACCES, "needs root" },
	{ "cgroup-v1", "docker", "1", "mems", EACCES, "subset of its parent" },
};

/* A refused write: -errno, a message with the cgroup, the file, the value and why. */
START_TEST(test_write_kernel_refuses)
{
	const struct failcase *t = &fails[_i];
	char *dir = fixture_copy(t->tree);
	struct sysroot *root = open_root(dir);
	struct cgroup_mode m = detect(root);
	struct idset mems = set_of(t->value);
	struct recorder rec = { .fail_file = t->file, .fail_errno = t->errno_ };
	struct error err = { 0 };
	bool changed = true;
	const char *value = strcmp(t->file, "cgroup.subtree_control") == 0 ? "+cpuset"
			    : strstr(t->file, "memory_migrate")		   ? "1"
									   : t->value;

	if (strcmp(t->tree, "cgroup-v2") == 0)
		write_file(dir, "sys/fs/cgroup/system.slice/cron.service/cpuset.mems", "\n");
	ck_assert_int_eq(cpusetmems_write_with(root, &m, t->cgroup, &mems, record_write, &rec,
					       &changed, &err),
			 -t->errno_);
	ck_assert(changed);
	ck_assert_msg(strstr(err.message, t->cgroup) && strstr(err.message, t->file) &&
			      strstr(err.message, value) &&
			      strstr(err.message, strerror(t->errno_)) &&
			      strstr(err.message, t->hint),
		      "message: %s", err.message);
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

/* v1: memory_migrate is set to 1 before mems; neither is rewritten when already right. */
START_TEST(test_write_v1)
{
	char *dir = fixture_copy("cgroup-hybrid");
	struct sysroot *root = open_root(dir);
	struct cgroup_mode m = detect(root);
	struct idset one = set_of("1");
	struct recorder rec = { 0 };
	struct error err = { 0 };
	bool changed = false;
	char *text;

	ck_assert_int_eq(cpusetmems_write_with(root, &m, "system.slice", &one, record_write, &rec,
					       &changed, &err),
			 0);
	ck_assert(changed);
	ck_assert_str_eq(rec.log, "cpuset.memory_migrate=1;cpuset.mems=1");
	text = read_fixture_file(dir, "sys/fs/cgroup/cpuset/system.slice/cpuset.memory_migrate");
	ck_assert_str_eq(text, "1");
	free(text);
	/* batch.slice: memory_migrate 1 and mems 1 already */
	rec = (struct recorder){ 0 };
	ck_assert_int_eq(cpusetmems_write_with(root, &m, "batch.slice", &one, record_write, &rec,
					       &changed, &err),
			 0);
	ck_assert(!changed);
	ck_assert_uint_eq(rec.calls, 0);
	/* no "inherit" on v1 */
	ck_assert_int_eq(cpusetmems_write(root, &m, "batch.slice", NULL, &changed, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "v1"), "message: %s", err.message);
	/* a memory_migrate that is neither 0 nor 1 */
	write_file(dir, "sys/fs/cgroup/cpuset/batch.slice/cpuset.memory_migrate", "yes\n");
	ck_assert_int_eq(cpusetmems_write(root, &m, "batch.slice", &one, &changed, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "cpuset.memory_migrate") &&
			      strstr(err.message, "expected 0 or 1"),
		      "message: %s", err.message);
	sysroot_free(root);
	remove_tree(dir);

	/* noprefix: the files are "memory_migrate" and "mems" */
	dir = fixture_copy("cgroup-v1");
	root = open_root(dir);
	m = detect(root);
	rec = (struct recorder){ 0 };
	ck_assert_int_eq(cpusetmems_write_with(root, &m, "docker/abc123", &one, record_write, &rec,
					       &changed, &err),
			 0);
	ck_assert_str_eq(rec.log, "memory_migrate=1;mems=1");
	sysroot_free(root);
	remove_tree(dir);
}
END_TEST

/* ---- live: this machine's own cpuset hierarchy (v2 in the guest, v1 on a hybrid host) ---- */

static char live_name[64];
static char live_dir[PATH_MAX];

/* In the runner process (unchecked fixture), so the teardown knows the directory. */
static void live_setup(void)
{
	struct sysroot *root = NULL;
	struct cgroup_mode m;

	snprintf(live_name, sizeof(live_name), "cxlpolicy-unit-%d", (int)getpid());
	if (sysroot_open("/", &root) == 0 && cgroup_mode_detect(root, &m, NULL) == 0 &&
	    m.cpuset_dir[0])
		snprintf(live_dir, sizeof(live_dir), "/%s/%s", m.cpuset_dir, live_name);
	sysroot_free(root);
}

static void live_teardown(void)
{
	char path[PATH_MAX + 64];

	if (!live_dir[0])
		return;
	snprintf(path, sizeof(path), "%s/sub", live_dir);
	rmdir(path);
	rmdir(live_dir);
}

START_TEST(test_live_write)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	struct cgroup_mode m;
	struct cpuset_mems top, c;
	struct error err = { 0 };
	struct idset first, bad;
	char cg[128], path[PATH_MAX + 64];
	bool changed = false;
	int last = -1, r;

	if (geteuid() != 0) {
		printf("SKIP test_live_write: needs root to create a cgroup\n");
		return;
	}
	r = cgroup_mode_detect(root, &m, &err);
	if (r < 0 || !m.cpuset_dir[0]) {
		printf("SKIP test_live_write: no cpuset hierarchy here: %s\n",
		       r < 0 ? err.message : m.cpuset_missing);
		return;
	}
	ck_assert(live_dir[0]);
	if (mkdir(live_dir, 0755) < 0) {
		printf("SKIP test_live_write: mkdir %s: %s\n", live_dir, strerror(errno));
		return;
	}
	printf("live: %s cpuset at /%s (%s)\n", m.cpuset_v2 ? "v2" : "v1", m.cpuset_dir,
	       cgroup_layout_name(m.layout));
	ck_assert_msg(cpusetmems_read(root, &m, "", &top, &err) == 0, "%s", err.message);
	/* the first node: a narrowing on a multi-node machine, all there is on one node */
	idset_clear(&first);
	idset_add(&first, idset_next(&top.effective, 0));
	IDSET_FOREACH(id, &top.effective)
		last = id;

	/* nested: sub's parent gets +cpuset on v2; on v1 the parent needs mems first */
	snprintf(path, sizeof(path), "%s/sub", live_dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	if (!m.cpuset_v2) {
		ck_assert_msg(cpusetmems_write(root, &m, live_name, &first, &changed, &err) == 0,
			      "%s", err.message);
		ck_assert(changed);
	}
	snprintf(cg, sizeof(cg), "%s/sub", live_name);
	ck_assert_msg(cpusetmems_write(root, &m, cg, &first, &changed, &err) == 0, "%s",
		      err.message);
	ck_assert(changed);
	ck_assert_msg(cpusetmems_read(root, &m, cg, &c, &err) == 0, "%s", err.message);
	ck_assert(c.enabled && !c.inherit);
	ck_assert_str_eq(fmt(&c.mems), fmt(&first));
	ck_assert_str_eq(fmt(&c.effective), fmt(&first));
	if (m.cpuset_v2) {
		char *text;

		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", live_dir);
		text = slurp(path);
		ck_assert_msg(strstr(text, "cpuset"), "subtree_control: %s", text);
		free(text);
	} else {
		char *text;

		snprintf(path, sizeof(path), "%s/sub/cpuset.memory_migrate", live_dir);
		text = slurp(path);
		ck_assert_str_eq(text, "1\n");
		free(text);
	}
	/* the same value again: nothing written */
	ck_assert_int_eq(cpusetmems_write(root, &m, cg, &first, &changed, &err), 0);
	ck_assert(!changed);

	/* a node that is not online: the kernel says EINVAL, the message says what */
	idset_clear(&bad);
	idset_add(&bad, last + 1 < 1023 ? last + 1 : 0);
	err = (struct error){ 0 };
	ck_assert_int_eq(cpusetmems_write(root, &m, cg, &bad, &changed, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, cg) && strstr(err.message, "mems") &&
			      strstr(err.message, fmt(&bad)),
		      "message: %s", err.message);
	printf("live: refused: %s\n", err.message);

	/* v1 only: a child's mems must be inside its parent's (EACCES) */
	if (!m.cpuset_v2 && idset_count(&top.effective) > 1) {
		err = (struct error){ 0 };
		ck_assert_int_eq(cpusetmems_write(root, &m, cg, &top.effective, &changed, &err),
				 -EACCES);
		ck_assert_msg(strstr(err.message, "subset"), "message: %s", err.message);
	} else if (!m.cpuset_v2) {
		printf("live: one node only: the v1 subset rule (EACCES) is not tried here\n");
	}
}
END_TEST

static Suite *cpusetmems_suite(void)
{
	Suite *s = suite_create("cpusetmems");
	TCase *tc = tcase_create("core");
	TCase *live = tcase_create("live");

	tcase_add_loop_test(tc, test_read, 0, ARRAY_SIZE(reads));
	tcase_add_test(tc, test_read_errors);
	tcase_add_test(tc, test_write_v2_enables_ancestors);
	tcase_add_test(tc, test_write_v2_noop_real);
	tcase_add_test(tc, test_write_refusals);
	tcase_add_loop_test(tc, test_write_kernel_refuses, 0, ARRAY_SIZE(fails));
	tcase_add_test(tc, test_write_v1);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(live, live_setup, live_teardown);
	tcase_add_test(live, test_live_write);
	suite_add_tcase(s, live);
	return s;
}

int main(void)
{
	return run_suite(cpusetmems_suite());
}
