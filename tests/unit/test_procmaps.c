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
	"10000000000000000-10000000000000001 r-xp 00000000 00:00 0", /* START > 64 bits */
	"1000-2000 r-xp 10000000000000000 00:00 0", /* OFFSET > 64 bits */
	"1000-2000 r-xp 00000000 100000000:00 0", /* MAJOR > 32 bits */
	"1000-2000 r-xp 00000000 00:100000000 0", /* MINOR > 32 bits */
	"1000-2000 r-xp 00000000 00:00 18446744073709551616", /* INODE > 64 bits */
	"0x1000-0x2000 r-xp 00000000 00:00 0", /* no "0x" */
	"-1000-2000 r-xp 00000000 00:00 0",
	"1000-2000 rwzp 00000000 00:00 0", /* not a permission letter */
	"1000-2000 xr-p 00000000 00:00 0", /* letters out of place */
	"1000-2000 r-xp 00000000 00:00 12abc", /* junk after INODE */
	"1000-2000r-xp 00000000 00:00 0", /* no blank */
	" 1000-2000 r-xp 00000000 00:00 0", /* leading blank */
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

START_TEST(test_parse_bounds)
{
	struct vma v;

	/* the largest values that fit are accepted */
	ck_assert_int_eq(
		procmaps_parse_line("fffffffffffff000-ffffffffffffffff r-xs ffffffffffffffff "
				    "ffffffff:ffffffff 18446744073709551615 /x",
				    &v),
		0);
	ck_assert_uint_eq(v.start, 0xfffffffffffff000ULL);
	ck_assert_uint_eq(v.end, UINT64_MAX);
	ck_assert_uint_eq(v.offset, UINT64_MAX);
	ck_assert_uint_eq(v.dev_major, UINT32_MAX);
	ck_assert_uint_eq(v.dev_minor, UINT32_MAX);
	ck_assert_uint_eq(v.inode, UINT64_MAX);
	ck_assert_str_eq(v.perms, "r-xs");
	ck_assert_uint_eq(v.page_size, (uint64_t)sysconf(_SC_PAGESIZE));
	free(v.name);
	/* leading zeros do not count as overflow */
	ck_assert_int_eq(
		procmaps_parse_line("00000000000000001000-2000 ---p 0000000000000000000000 "
				    "000:000 0000000000000000000000007",
				    &v),
		0);
	ck_assert_uint_eq(v.start, 0x1000);
	ck_assert_uint_eq(v.inode, 7);
	ck_assert_str_eq(v.name, "");
	free(v.name);
}
END_TEST

/* A generated maps text of @n lines: each VMA follows the previous one. */
static char *generate_maps(size_t n, size_t *ret_len)
{
	size_t cap = n * 96 + 1, len = 0;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < n; i++) {
		uint64_t start = 0x400000 + (uint64_t)i * 0x3000;

		len += (size_t)snprintf(text + len, cap - len,
					"%012" PRIx64 "-%012" PRIx64 " %s %08zx 08:01 %zu"
					"          /usr/lib/lib%zu.so\n",
					start, start + 0x2000, i % 4 == 1 ? "r-xp" : "r--p",
					i * 4096, 1000 + i / 4, i / 4);
		ck_assert_uint_lt(len, cap);
	}
	*ret_len = len;
	return text;
}

/*
 * 65536 lines (issue 7 item 14: the sscanf() parser took ~3 s here, being
 * quadratic).  No timing is asserted; the count and the last VMA are.
 */
START_TEST(test_parse_64k_lines)
{
	_cleanup_(vma_list_free) struct vma_list exec = { 0 };
	_cleanup_(vma_list_free) struct vma_list all = { 0 };
	size_t len;
	_cleanup_free_ char *text = generate_maps(65536, &len);
	struct error err = { 0 };

	ck_assert_int_eq(procmaps_parse_text(text, len, false, "gen", &all, &err), 0);
	ck_assert_uint_eq(all.n, 65536);
	ck_assert_uint_eq(all.items[65535].start, 0x400000 + 65535ULL * 0x3000);
	ck_assert_str_eq(all.items[65535].name, "/usr/lib/lib16383.so");
	ck_assert_int_eq(procmaps_parse_text(text, len, true, "gen", &exec, &err), 0);
	ck_assert_uint_eq(exec.n, 65536 / 4);
	ck_assert_uint_eq(exec.items[16383].offset, 65533ULL * 4096);
	ck_assert_int_eq(err.code, 0);
}
END_TEST

static const char *const seven_lines = "1000-2000 r--p 00000000 08:01 5 /bin/a\n"
				       "2000-3000 r-xp 00001000 08:01 5 /bin/a\n"
				       "3000-4000 rw-p 00002000 08:01 5 /bin/a\n"
				       "5000-6000 rw-p 00000000 00:00 0 [heap]\n"
				       "7000-8000 r-xp 00000000 08:01 6 /lib/b\n"
				       "8000-9000 r--p 00001000 08:01 6 /lib/b\n";

/* Line 7 of a text whose first six lines are good. */
static int parse_with_line7(const char *line7, struct vma_list *list, struct error *err)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s%s\n", seven_lines, line7);
	return procmaps_parse_text(text, strlen(text), true, "/x/proc/42/maps", list, err);
}

static const struct {
	const char *line;
	const char *why;
} bad_line7[] = {
	{ "9000-a000 r-xp 00000000 08:01 6", NULL }, /* good: control */
	{ "a000-9000 r-xp 00000000 08:01 6", "START is above END" },
	{ "9000-9000 r-xp 00000000 08:01 6", "START equals END" },
	{ "10000000000000000-10000000000000001 r-xp 0 08:01 6", "overflows" },
	{ "9000-a000 r-xp 0 08:01 99999999999999999999", "INODE overflows" },
	{ "9000-a000 r-Xp 00000000 08:01 6", "PERMS" },
	{ "9000-a000 r-xp 00000000 0801 6", "MAJOR:MINOR" },
	{ "hello \x1b[31m\"world\"", "hex" },
};

START_TEST(test_parse_message_names_line)
{
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	struct error err = { 0 };
	int r = parse_with_line7(bad_line7[_i].line, &list, &err);

	if (!bad_line7[_i].why) {
		ck_assert_int_eq(r, 0);
		ck_assert_uint_eq(list.n, 3);
		return;
	}
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_int_eq(err.code, -EINVAL);
	ck_assert_msg(
		strncmp(err.message,
			"/x/proc/42/maps: line 7: expected \"START-END PERMS OFFSET DEV INODE "
			"[PATH]\", got \"",
			strlen("/x/proc/42/maps: line 7: expected \"START-END PERMS OFFSET DEV "
			       "INODE [PATH]\", got \"")) == 0,
		"message: %s", err.message);
	ck_assert_msg(strstr(err.message, bad_line7[_i].why), "message lacks \"%s\": %s",
		      bad_line7[_i].why, err.message);
	/* nothing from the line reaches the message raw: no ESC, no bare quote */
	ck_assert_ptr_null(strchr(err.message, '\x1b'));
}
END_TEST

START_TEST(test_parse_nul_byte)
{
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	_cleanup_(vma_list_free) struct vma_list cut = { 0 };
	struct error err = { 0 };
	char text[512];
	size_t len;

	/* a NUL in the middle of line 2 must not end the list at line 1 */
	len = (size_t)snprintf(text, sizeof(text), "%s", seven_lines);
	text[50] = '\0';
	ck_assert_int_eq(procmaps_parse_text(text, len, true, "m", &list, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "m: line 2: ") && strstr(err.message, "NUL"),
		      "message: %s", err.message);
	ck_assert_msg(strstr(err.message, "\\x00"), "message: %s", err.message);

	/* a NUL at the start of a line, too */
	len = (size_t)snprintf(text, sizeof(text), "%s", seven_lines);
	text[strchr(text, '\n') - text + 1] = '\0';
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(procmaps_parse_text(text, len, false, "m", &cut, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "m: line 2: "), "message: %s", err.message);
}
END_TEST

START_TEST(test_parse_smaps_page_sizes)
{
	static const char smaps[] =
		"1000-2000 r-xp 00000000 08:01 5 /bin/a\n"
		"Size:                  4 kB\n"
		"KernelPageSize:        4 kB\n"
		"MMUPageSize:           4 kB\n"
		"7f0000000000-7f0000200000 r-xs 00000000 00:10 4096 /anon_hugepage (deleted)\n"
		"Size:               2048 kB\n"
		"KernelPageSize:     2048 kB\n"
		"MMUPageSize:        2048 kB\n"
		"7f0040000000-7f0080000000 r-xs 00000000 00:11 7 /dev/hugepages/big\n"
		"KernelPageSize:  1048576 kB\n";
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	uint64_t base = (uint64_t)sysconf(_SC_PAGESIZE);

	ck_assert_int_eq(procmaps_parse("1000-2000 r-xp 00000000 08:01 5 /bin/a\n"
					"7f0000000000-7f0000200000 r-xs 00000000 00:10 4096 "
					"/anon_hugepage (deleted)\n"
					"7f0040000000-7f0080000000 r-xs 00000000 00:11 7 "
					"/dev/hugepages/big\n",
					true, &list),
			 0);
	ck_assert_uint_eq(list.n, 3);
	for (size_t i = 0; i < list.n; i++)
		ck_assert_uint_eq(list.items[i].page_size, base);
	ck_assert_int_eq(procmaps_parse_smaps_page_sizes(smaps, &list), 0);
	ck_assert_uint_eq(list.items[0].page_size, 4096);
	ck_assert_uint_eq(list.items[1].page_size, 2 << 20);
	ck_assert_uint_eq(list.items[2].page_size, 1 << 30);
	ck_assert_int_eq(procmaps_parse_smaps_page_sizes("1000-2000 r-xp 0 08:01 5 /bin/a\n"
							 "KernelPageSize: lots\n",
							 &list),
			 -EINVAL);
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

START_TEST(test_read_malformed_message)
{
	char *dir = fixture_copy("procs");
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	struct error err = { 0 };
	char want[PATH_MAX + 64], text[1024];

	snprintf(text, sizeof(text), "%s%s\n", seven_lines, "9000-a000 r-xp 00000000 08:01");
	write_file(dir, "proc/42/maps", text);
	ck_assert_int_eq(procmaps_read_exec_err(root, 42, PROCMAPS_AUTO, &list, &err), -EINVAL);
	ck_assert_uint_eq(list.n, 0);
	snprintf(want, sizeof(want), "%s/proc/42/maps: line 7: expected \"START-END", dir);
	ck_assert_msg(strncmp(err.message, want, strlen(want)) == 0, "message: %s", err.message);
	/* the old reader: the same errno, no message */
	ck_assert_int_eq(procmaps_read_exec(root, 42, PROCMAPS_TEXT, &list), -EINVAL);
	remove_tree(dir);
}
END_TEST

START_TEST(test_read_at_fixture)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("procs");
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	_cleanup_close_ int fd = sysroot_openat(root, "proc/100", O_RDONLY | O_DIRECTORY);
	_cleanup_close_ int kfd = sysroot_openat(root, "proc/200", O_RDONLY | O_DIRECTORY);
	struct error err = { 0 };

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(kfd, 0);
	ck_assert_int_eq(procmaps_read_exec_at(fd, PROCMAPS_AUTO, &list, &err), 0);
	ck_assert_uint_eq(list.n, 6);
	ck_assert_str_eq(list.items[0].name, "/usr/bin/demo");
	ck_assert(!list.used_procmap_query);
	ck_assert_int_eq(procmaps_read_exec_at(fd, PROCMAPS_QUERY, &list, &err), -EOPNOTSUPP);
	ck_assert_uint_eq(list.n, 6); /* untouched on failure */
	vma_list_free(&list);
	ck_assert_int_eq(procmaps_read_exec_at(kfd, PROCMAPS_TEXT, &list, &err), 0);
	ck_assert_uint_eq(list.n, 0);
	ck_assert_int_eq(err.code, 0);
}
END_TEST

/* Set by main() before the suite runs (probed on this kernel, never assumed). */
static bool have_procmap_query;

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

/* A maps text of @n lines (every third one executable) with long names, line @long_at longer
 * than the reader's 64 KiB buffer and line @bad (1-based, 0: none) malformed; free() it. */
static char *big_maps_text(size_t n, size_t long_at, size_t bad)
{
	size_t cap = n * 160 + (96 << 10), len = 0;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < n; i++) {
		uint64_t start = 0x10000000ULL + i * 0x2000;

		if (i + 1 == bad) {
			len += (size_t)snprintf(text + len, cap - len,
						"%" PRIx64 " r-xp 0 08:01 5\n", start);
			continue;
		}
		len += (size_t)snprintf(text + len, cap - len,
					"%" PRIx64 "-%" PRIx64 " %s %08zx %s %zu ", start,
					start + 0x1000, i % 3 ? "r--p" : "r-xp", i * 0x1000,
					i == 6 ? "00:2e" : "08:01", i + 1);
		if (i == long_at) {
			memset(text + len, 'L', 70000);
			len += 70000;
		} else {
			len += (size_t)snprintf(
				text + len, cap - len,
				"/usr/lib/x86_64-linux-gnu/a-rather-long-library-name-%zu.so",
				i % 50);
		}
		text[len++] = '\n';
	}
	text[len] = '\0';
	return text;
}

static int collect(const struct vma *v, void *userdata)
{
	struct vma_list *list = userdata;
	struct vma copy = *v;

	copy.name = strdup(v->name);
	ck_assert_ptr_nonnull(copy.name);
	ck_assert_int_eq(GROW_ARRAY(list->items, list->cap, list->n + 1), 0);
	list->items[list->n++] = copy;
	return 0;
}

/*
 * The streaming text reader parses a buffer at a time: lines that cross its
 * buffers, a line longer than one, line numbers in messages and page sizes
 * from smaps come out as from parsing the whole text at once.
 */
START_TEST(test_each_exec_streams_text)
{
	enum { LINES = 3000, LONG_AT = 1500 };
	char *dir = fixture_copy("procs");
	_cleanup_free_ char *text = big_maps_text(LINES, LONG_AT, 0);
	_cleanup_free_ char *bad = big_maps_text(LINES, LONG_AT, 2500);
	_cleanup_(vma_list_free) struct vma_list whole = { 0 };
	_cleanup_(vma_list_free) struct vma_list streamed = { 0 };
	_cleanup_(vma_list_free) struct vma_list partial = { 0 };
	_cleanup_close_ int fd = -1;
	struct error err = { 0 };
	bool used_query = true;
	char smaps[256];

	ck_assert_uint_gt(strlen(text), 4 * (64 << 10));
	/* line 7 (index 6, executable) is a hugetlb candidate: 00:2e with an inode */
	snprintf(smaps, sizeof(smaps),
		 "%" PRIx64 "-%" PRIx64 " r-xp 00006000 00:2e 7 /x\nKernelPageSize:     2048 kB\n",
		 (uint64_t)0x10000000 + 6 * 0x2000, (uint64_t)0x10000000 + 6 * 0x2000 + 0x1000);
	write_file(dir, "proc/42/maps", text);
	write_file(dir, "proc/42/smaps", smaps);
	{
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/proc/42", dir);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_ge(fd, 0);
	}
	ck_assert_int_eq(procmaps_parse_text(text, strlen(text), true, "m", &whole, &err), 0);
	ck_assert_uint_eq(whole.n, LINES / 3);
	ck_assert_int_eq(
		procmaps_each_exec_at(fd, PROCMAPS_TEXT, collect, &streamed, &used_query, &err), 0);
	ck_assert(!used_query);
	assert_same_vmas(&whole, &streamed);
	ck_assert_uint_eq(strlen(streamed.items[LONG_AT / 3].name), 70000);
	for (size_t i = 0; i < streamed.n; i++)
		ck_assert_uint_eq(streamed.items[i].page_size,
				  i == 6 / 3 ? 2048 * 1024 : (uint64_t)sysconf(_SC_PAGESIZE));

	write_file(dir, "proc/42/maps", bad);
	ck_assert_int_eq(procmaps_each_exec_at(fd, PROCMAPS_TEXT, collect, &partial, NULL, &err),
			 -EINVAL);
	ck_assert_msg(strstr(err.message, "/proc/42/maps: line 2500: expected") != NULL,
		      "message: %s", err.message);
	ck_assert_uint_eq(partial.n, (2500 - 1 + 2) / 3); /* the exec lines before it, as read */

	/* a line of more than 1 MiB is not maps text: -EFBIG, not an ever-growing buffer */
	{
		size_t name = (1 << 20) + 10;
		_cleanup_free_ char *huge = malloc(name + 64);
		_cleanup_(vma_list_free) struct vma_list none = { 0 };
		int k = snprintf(huge, 64, "10000-11000 r-xp 0 08:01 5 /");

		memset(huge + k, 'x', name);
		strcpy(huge + k + name, "\n");
		write_file(dir, "proc/42/maps", huge);
		ck_assert_int_eq(
			procmaps_each_exec_at(fd, PROCMAPS_TEXT, collect, &none, NULL, &err),
			-EFBIG);
		ck_assert_uint_eq(none.n, 0);
	}
	remove_tree(dir);
}
END_TEST

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
	ck_assert(!text.used_procmap_query);
	assert_same_vmas(&autom, &text);
	if (have_procmap_query) {
		ck_assert_int_eq(procmaps_read_exec(root, getpid(), PROCMAPS_QUERY, &query), 0);
		ck_assert(autom.used_procmap_query);
		ck_assert(query.used_procmap_query);
		assert_same_vmas(&query, &text);
		for (size_t i = 0; i < query.n; i++)
			ck_assert_uint_eq(query.items[i].page_size, text.items[i].page_size);
	} else {
		/* a kernel without PROCMAP_QUERY (< 6.11): the documented answer and the fallback
		 */
		ck_assert_int_eq(procmaps_read_exec(root, getpid(), PROCMAPS_QUERY, &query),
				 -EOPNOTSUPP);
		ck_assert(!autom.used_procmap_query);
	}

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
	tcase_add_test(parse, test_parse_bounds);
	tcase_add_test(parse, test_parse_64k_lines);
	tcase_add_loop_test(parse, test_parse_message_names_line, 0,
			    (int)(sizeof(bad_line7) / sizeof(bad_line7[0])));
	tcase_add_test(parse, test_parse_nul_byte);
	tcase_add_test(parse, test_parse_smaps_page_sizes);
	tcase_add_test(parse, test_special);
	suite_add_tcase(s, parse);

	tcase_add_test(read, test_read_fixture_text);
	tcase_add_test(read, test_read_fixture_auto_falls_back);
	tcase_add_test(read, test_read_fixture_kthread_and_missing);
	tcase_add_test(read, test_read_self_query_matches_text);
	tcase_add_test(read, test_read_gone);
	tcase_add_test(read, test_read_malformed_message);
	tcase_add_test(read, test_read_at_fixture);
	tcase_add_test(read, test_each_exec_streams_text);
	suite_add_tcase(s, read);
	return s;
}

int main(void)
{
	_cleanup_(sysroot_freep) struct sysroot *root = NULL;
	_cleanup_(vma_list_free) struct vma_list probe = { 0 };
	int r = sysroot_open("/", &root);

	/* not open_root(): ck_assert outside a test cannot report */
	if (r == 0)
		r = procmaps_read_exec(root, getpid(), PROCMAPS_QUERY, &probe);

	have_procmap_query = r == 0;
	if (!have_procmap_query)
		printf("NOTE test_read_self_query_matches_text: no PROCMAP_QUERY on this kernel "
		       "(%s): the test asserts -EOPNOTSUPP and the text fallback instead\n",
		       strerror(-r));
	fflush(stdout); /* before Check forks: else each child repeats it */
	return run_suite(procmaps_suite());
}
