/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "procmaps.h"
#include "testlib.h"

/* tests/fixtures/README.md, "Expected parse of procs/proc/100/maps". */
struct expected_vma {
	uint64_t start, end;
	const char *perms;
	uint64_t offset;
	unsigned int major, minor;
	uint64_t inode;
	const char *name; /* " (deleted)" stripped */
	bool deleted;
};

static const struct expected_vma maps100[] = {
	{ 0x55d4a1e00000, 0x55d4a1e02000, "r--p", 0x0, 253, 1, 1311042, "/usr/bin/demo", false },
	{ 0x55d4a1e02000, 0x55d4a1e09000, "r-xp", 0x2000, 253, 1, 1311042, "/usr/bin/demo", false },
	{ 0x55d4a1e09000, 0x55d4a1e0c000, "r--p", 0x9000, 253, 1, 1311042, "/usr/bin/demo", false },
	{ 0x55d4a1e0c000, 0x55d4a1e0d000, "rw-p", 0xc000, 253, 1, 1311042, "/usr/bin/demo", false },
	{ 0x55d4a2a1b000, 0x55d4a2a3c000, "rw-p", 0x0, 0, 0, 0, "[heap]", false },
	{ 0x7f3c10000000, 0x7f3c10100000, "rwxp", 0x0, 0, 0, 0, "", false },
	{ 0x7f3c10100000, 0x7f3c10200000, "r-xp", 0x0, 0, 0, 0, "[anon:jit]", false },
	{ 0x7f3c20000000, 0x7f3c20200000, "rw-p", 0x0, 0, 16, 40962, "/anon_hugepage", true },
	{ 0x7f3c20400000, 0x7f3c20600000, "rw-s", 0x0, 0, 46, 3, "/dev/hugepages/x", false },
	{ 0x7f3c28000000, 0x7f3c28200000, "r--s", 0x100000000, 253, 1, 131, "/srv/data/big.bin",
	  false },
	{ 0x7f3c30000000, 0x7f3c30001000, "r--p", 0x0, 259, 2, 2883603, "/opt/my app/lib/libx.so",
	  false },
	{ 0x7f3c30001000, 0x7f3c30003000, "r-xp", 0x1000, 259, 2, 2883603,
	  "/opt/my app/lib/libx.so", false },
	{ 0x7f3c30003000, 0x7f3c30004000, "rw-p", 0x3000, 259, 2, 2883603,
	  "/opt/my app/lib/libx.so", false },
	{ 0x7f3c31000000, 0x7f3c31005000, "r-xp", 0x1000, 253, 1, 1315200,
	  "/var/tmp/demo-plugin.so", true },
	{ 0x7f3c31005000, 0x7f3c31006000, "rw-p", 0x6000, 253, 1, 1315200,
	  "/var/tmp/demo-plugin.so", true },
	{ 0x7f3c31006000, 0x7f3c31008000, "rw-p", 0x0, 0, 0, 0, "", false },
	{ 0x7f3c31008000, 0x7f3c3100c000, "r--p", 0x0, 0, 0, 0, "[vvar]", false },
	{ 0x7f3c3100c000, 0x7f3c3100e000, "r--p", 0x0, 0, 0, 0, "[vvar_vclock]", false },
	{ 0x7f3c3100e000, 0x7f3c31010000, "r-xp", 0x0, 0, 0, 0, "[vdso]", false },
	{ 0x7ffc8a3b1000, 0x7ffc8a3d2000, "rw-p", 0x0, 0, 0, 0, "[stack]", false },
	{ 0xffffffffff600000, 0xffffffffff601000, "--xp", 0x0, 0, 0, 0, "[vsyscall]", false },
};

#define N_MAPS100 (sizeof(maps100) / sizeof(maps100[0]))

/* Line @index (0-based) of proc/100/maps, without its newline; free() it. */
static char *maps100_line(size_t index)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_free_ char *text = NULL;
	const char *p;
	size_t len;
	char *line;

	ck_assert_int_eq(sysroot_read_file(root, "proc/100/maps", &text, NULL), 0);
	p = text;
	for (size_t i = 0; i < index; i++) {
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	len = strcspn(p, "\n");
	line = strndup(p, len);
	ck_assert_ptr_nonnull(line);
	return line;
}

static void assert_vma(const struct vma *v, const struct expected_vma *e)
{
	ck_assert_uint_eq(v->start, e->start);
	ck_assert_uint_eq(v->end, e->end);
	ck_assert_str_eq(v->perms, e->perms);
	ck_assert_uint_eq(v->offset, e->offset);
	ck_assert_uint_eq(v->dev_major, e->major);
	ck_assert_uint_eq(v->dev_minor, e->minor);
	ck_assert_uint_eq(v->inode, e->inode);
	ck_assert_ptr_nonnull(v->name);
	ck_assert_str_eq(v->name, e->name);
	ck_assert_int_eq(v->deleted, e->deleted);
}

START_TEST(test_parse_line_table)
{
	_cleanup_free_ char *line = maps100_line((size_t)_i);
	struct vma v;

	ck_assert_msg(procmaps_parse_line(line, &v) == 0, "line %d: %s", _i + 1, line);
	assert_vma(&v, &maps100[_i]);
	ck_assert_int_eq(vma_is_exec(&v), strchr(maps100[_i].perms, 'x') != NULL);
	ck_assert_int_eq(vma_is_file(&v), maps100[_i].inode != 0);
	free(v.name);
}
END_TEST

START_TEST(test_parse_line_with_newline)
{
	struct vma v;

	ck_assert_int_eq(procmaps_parse_line("7f0000001000-7f0000003000 r-xp 00001000 08:01 77    "
					     "            /lib/x.so\nNEXT LINE",
					     &v),
			 0);
	ck_assert_str_eq(v.name, "/lib/x.so");
	ck_assert_uint_eq(v.dev_major, 8);
	ck_assert_uint_eq(v.dev_minor, 1);
	free(v.name);
	/* a name that merely contains "(deleted)" in the middle is not deleted */
	ck_assert_int_eq(procmaps_parse_line("1000-2000 r-xp 00000000 08:01 77 /a (deleted)/b", &v),
			 0);
	ck_assert_str_eq(v.name, "/a (deleted)/b");
	ck_assert(!v.deleted);
	free(v.name);
	/* an unnamed mapping followed by another line: the name is empty */
	ck_assert_int_eq(procmaps_parse_line("1000-2000 rwxp 00000000 00:00 0 \n"
					     "2000-3000 r-xp 00000000 00:00 0      [anon:jit]\n",
					     &v),
			 0);
	ck_assert_str_eq(v.name, "");
	ck_assert_uint_eq(v.end, 0x2000);
	free(v.name);
}
END_TEST

static const char *const malformed[] = {
	"",
	"garbage",
	"\n",
	"1000-2000",
	"1000-2000 r-xp",
	"1000-2000 r-xp 00000000 00:00", /* no inode */
	"1000-2000 r-xp 00000000 0000 0", /* no ':' in dev */
	"1000-2000 r-xp zz 00:00 0",
	"1000 r-xp 00000000 00:00 0",
	"2000-1000 r-xp 00000000 00:00 0", /* end before start */
	"1000-1000 r-xp 00000000 00:00 0", /* empty */
	"1000-2000 r-x 00000000 00:00 0", /* 3-letter perms */
	"1000-2000 r-xpx 00000000 00:00 0", /* 5-letter perms */
	"1000-2000 r-xp 00000000 00:00 inode /x",
};

START_TEST(test_parse_line_malformed)
{
	struct vma v = { .name = (char *)"untouched" };

	ck_assert_msg(procmaps_parse_line(malformed[_i], &v) == -EINVAL, "\"%s\" must be -EINVAL",
		      malformed[_i]);
	ck_assert_str_eq(v.name, "untouched");
}
END_TEST

START_TEST(test_parse_exec_only)
{
	static const char *const names[] = {
		"/usr/bin/demo",	   "",	    "[anon:jit]", "/opt/my app/lib/libx.so",
		"/var/tmp/demo-plugin.so", "[vdso]"
	};
	static const size_t lines[] = { 2, 6, 7, 12, 14, 19 }; /* README, minus [vsyscall] */
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_free_ char *text = NULL;
	_cleanup_(vma_list_free) struct vma_list list = { 0 };

	ck_assert_int_eq(sysroot_read_file(root, "proc/100/maps", &text, NULL), 0);
	ck_assert_int_eq(procmaps_parse(text, true, &list), 0);
	ck_assert_uint_eq(list.n, 6);
	for (size_t i = 0; i < list.n; i++) {
		ck_assert_str_eq(list.items[i].name, names[i]);
		assert_vma(&list.items[i], &maps100[lines[i] - 1]);
		ck_assert(vma_is_exec(&list.items[i]));
	}
	ck_assert(list.items[4].deleted);
	ck_assert(!list.used_procmap_query);
	/* special: [vdso] only */
	for (size_t i = 0; i < list.n; i++)
		ck_assert_int_eq(vma_is_special(&list.items[i]), i == 5);
}
END_TEST

START_TEST(test_parse_all)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_free_ char *text = NULL;
	_cleanup_(vma_list_free) struct vma_list list = { 0 };

	ck_assert_int_eq(sysroot_read_file(root, "proc/100/maps", &text, NULL), 0);
	ck_assert_int_eq(procmaps_parse(text, false, &list), 0);
	ck_assert_uint_eq(list.n, N_MAPS100 - 1); /* all but [vsyscall] */
	for (size_t i = 0; i < list.n; i++)
		assert_vma(&list.items[i], &maps100[i]);
}
END_TEST

START_TEST(test_parse_big)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_free_ char *text = NULL;
	_cleanup_(vma_list_free) struct vma_list exec = { 0 };
	_cleanup_(vma_list_free) struct vma_list all = { 0 };
	size_t anon = 0, libs = 0;

	ck_assert_int_eq(sysroot_read_file(root, "proc/300/maps", &text, NULL), 0);
	ck_assert_int_eq(procmaps_parse(text, true, &exec), 0);
	/* 1001 r-xp lines: bigmaps, 999 libraries, [vdso]; --xp [vsyscall] dropped */
	ck_assert_uint_eq(exec.n, 1001);
	ck_assert_str_eq(exec.items[0].name, "/usr/bin/bigmaps");
	ck_assert_str_eq(exec.items[1].name, "/usr/lib/libm0000.so");
	ck_assert_str_eq(exec.items[999].name, "/usr/lib/libm0998.so");
	ck_assert_str_eq(exec.items[1000].name, "[vdso]");
	for (size_t i = 0; i < exec.n; i++) {
		ck_assert_str_eq(exec.items[i].perms, "r-xp");
		if (i > 0)
			ck_assert_uint_le(exec.items[i - 1].end, exec.items[i].start);
	}

	ck_assert_int_eq(procmaps_parse(text, false, &all), 0);
	ck_assert_uint_eq(all.n, 4999); /* 5000 lines, minus [vsyscall] */
	for (size_t i = 0; i < all.n; i++) {
		if (all.items[i].name[0] == '\0')
			anon++;
		if (strncmp(all.items[i].name, "/usr/lib/libm", 13) == 0)
			libs++;
	}
	ck_assert_uint_eq(anon, 998);
	ck_assert_uint_eq(libs, 998 * 4 + 2);
}
END_TEST

START_TEST(test_parse_stops_at_malformed)
{
	_cleanup_(vma_list_free) struct vma_list list = { 0 };

	ck_assert_int_eq(procmaps_parse("1000-2000 r-xp 00000000 00:00 0 [a]\n"
					"this is not a maps line\n"
					"3000-4000 r-xp 00000000 00:00 0 [b]\n",
					true, &list),
			 -EINVAL);
	/* an empty text is no VMA, not an error */
	vma_list_free(&list);
	ck_assert_int_eq(procmaps_parse("", true, &list), 0);
	ck_assert_uint_eq(list.n, 0);
	/* last line without a newline */
	ck_assert_int_eq(procmaps_parse("1000-2000 r-xp 00000000 00:00 0 [a]", true, &list), 0);
	ck_assert_uint_eq(list.n, 1);
	ck_assert_str_eq(list.items[0].name, "[a]");
}
END_TEST

START_TEST(test_special)
{
	struct vma v = { .inode = 0 };

	v.name = (char *)"[vdso]";
	ck_assert(vma_is_special(&v));
	v.name = (char *)"[vsyscall]";
	ck_assert(vma_is_special(&v));
	v.name = (char *)"[uprobes]";
	ck_assert(vma_is_special(&v));
	v.name = (char *)"[anon:jit]";
	ck_assert(!vma_is_special(&v));
	v.name = (char *)"";
	ck_assert(!vma_is_special(&v));
	v.name = (char *)"[vdso]";
	v.inode = 5; /* a file called "[vdso]" is a file */
	ck_assert(!vma_is_special(&v));
}
END_TEST

/* ---- readers ---------------------------------------------------------- */

START_TEST(test_read_fixture_text)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_(vma_list_free) struct vma_list list = { 0 };

	ck_assert_int_eq(procmaps_read_exec(root, 100, PROCMAPS_TEXT, &list), 0);
	ck_assert(!list.used_procmap_query);
	ck_assert_uint_eq(list.n, 6);
	ck_assert_str_eq(list.items[0].name, "/usr/bin/demo");
	ck_assert_str_eq(list.items[3].name, "/opt/my app/lib/libx.so");
	ck_assert_str_eq(list.items[5].name, "[vdso]");
	for (size_t i = 0; i < list.n; i++)
		ck_assert_str_ne(list.items[i].name, "[vsyscall]");
}
END_TEST

START_TEST(test_read_fixture_auto_falls_back)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	_cleanup_(vma_list_free) struct vma_list query = { 0 };

	/* a regular file has no PROCMAP_QUERY: AUTO parses the text */
	ck_assert_int_eq(procmaps_read_exec(root, 100, PROCMAPS_AUTO, &list), 0);
	ck_assert(!list.used_procmap_query);
	ck_assert_uint_eq(list.n, 6);
	ck_assert_int_eq(procmaps_read_exec(root, 100, PROCMAPS_QUERY, &query), -EOPNOTSUPP);
	ck_assert_uint_eq(query.n, 0);
}
END_TEST

START_TEST(test_read_fixture_kthread_and_missing)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_(vma_list_free) struct vma_list list = { 0 };

	ck_assert_int_eq(procmaps_read_exec(root, 200, PROCMAPS_TEXT, &list), 0);
	ck_assert_uint_eq(list.n, 0);
	ck_assert_int_eq(procmaps_read_exec(root, 300, PROCMAPS_TEXT, &list), 0);
	ck_assert_uint_eq(list.n, 1001);
	vma_list_free(&list);
	ck_assert_int_eq(procmaps_read_exec(root, 4242, PROCMAPS_TEXT, &list), -ESRCH);
	ck_assert_int_eq(procmaps_read_exec(root, 4242, PROCMAPS_AUTO, &list), -ESRCH);
	ck_assert_uint_eq(list.n, 0);
}
END_TEST

static void assert_same_vmas(const struct vma_list *a, const struct vma_list *b)
{
	ck_assert_uint_eq(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct vma *x = &a->items[i], *y = &b->items[i];

		ck_assert_msg(x->start == y->start && x->end == y->end,
			      "VMA %zu: %" PRIx64 "-%" PRIx64 " vs %" PRIx64 "-%" PRIx64, i,
			      x->start, x->end, y->start, y->end);
		ck_assert_str_eq(x->perms, y->perms);
		ck_assert_uint_eq(x->offset, y->offset);
		ck_assert_uint_eq(x->dev_major, y->dev_major);
		ck_assert_uint_eq(x->dev_minor, y->dev_minor);
		ck_assert_uint_eq(x->inode, y->inode);
		ck_assert_str_eq(x->name, y->name);
		ck_assert_int_eq(x->deleted, y->deleted);
	}
}

START_TEST(test_read_self_query_matches_text)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_(vma_list_free) struct vma_list text = { 0 };
	_cleanup_(vma_list_free) struct vma_list autom = { 0 };
	_cleanup_(vma_list_free) struct vma_list query = { 0 };
	uint64_t here = (uint64_t)(uintptr_t)&maps100_line;
	bool found_self = false, found_vdso = false;

	ck_assert_int_eq(procmaps_read_exec(root, getpid(), PROCMAPS_AUTO, &autom), 0);
	ck_assert_int_eq(procmaps_read_exec(root, getpid(), PROCMAPS_TEXT, &text), 0);
	ck_assert_int_eq(procmaps_read_exec(root, getpid(), PROCMAPS_QUERY, &query), 0);
	/* Linux 6.11+ has PROCMAP_QUERY; this host runs 6.18 */
	ck_assert(autom.used_procmap_query);
	ck_assert(query.used_procmap_query);
	ck_assert(!text.used_procmap_query);
	assert_same_vmas(&autom, &text);
	assert_same_vmas(&query, &text);

	for (size_t i = 0; i < text.n; i++) {
		const struct vma *v = &text.items[i];

		ck_assert(vma_is_exec(v));
		ck_assert_str_ne(v->name, "[vsyscall]");
		if (v->start <= here && here < v->end) {
			/* our own text: a file mapping of this test binary */
			ck_assert(vma_is_file(v));
			ck_assert_ptr_nonnull(strstr(v->name, "test_procmaps"));
			found_self = true;
		}
		if (strcmp(v->name, "[vdso]") == 0)
			found_vdso = true;
	}
	ck_assert(found_self);
	ck_assert(found_vdso);
}
END_TEST

START_TEST(test_read_gone)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root("/");
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	pid_t child = fork();
	int status;

	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_int_eq(procmaps_read_exec(root, child, PROCMAPS_AUTO, &list), -ESRCH);
	ck_assert_int_eq(procmaps_read_exec(root, child, PROCMAPS_TEXT, &list), -ESRCH);
	ck_assert_uint_eq(list.n, 0);
}
END_TEST

static Suite *procmaps_suite(void)
{
	Suite *s = suite_create("procmaps");
	TCase *parse = tcase_create("parse");
	TCase *read = tcase_create("read");

	tcase_add_loop_test(parse, test_parse_line_table, 0, (int)N_MAPS100);
	tcase_add_test(parse, test_parse_line_with_newline);
	tcase_add_loop_test(parse, test_parse_line_malformed, 0,
			    (int)(sizeof(malformed) / sizeof(malformed[0])));
	tcase_add_test(parse, test_parse_exec_only);
	tcase_add_test(parse, test_parse_all);
	tcase_add_test(parse, test_parse_big);
	tcase_add_test(parse, test_parse_stops_at_malformed);
	tcase_add_test(parse, test_special);
	suite_add_tcase(s, parse);

	tcase_add_test(read, test_read_fixture_text);
	tcase_add_test(read, test_read_fixture_auto_falls_back);
	tcase_add_test(read, test_read_fixture_kthread_and_missing);
	tcase_add_test(read, test_read_self_query_matches_text);
	tcase_add_test(read, test_read_gone);
	suite_add_tcase(s, read);
	return s;
}

int main(void)
{
	return run_suite(procmaps_suite());
}
