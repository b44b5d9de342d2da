/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "proclib.h"
#include "scan.h"
#include "testlib.h"

struct real {
	struct sysroot *root;
	struct topology *topo;
};

static struct real real_open(void)
{
	struct real r = { .root = open_root("/") };
	struct error err = { 0 };

	ck_assert_msg(topology_read(r.root, NULL, &r.topo, &err) == 0, "topology: %s", err.message);
	return r;
}

static void real_close(struct real *r)
{
	topology_free(r->topo);
	sysroot_free(r->root);
}

static struct cxlp_ctx real_ctx(const struct real *r)
{
	return (struct cxlp_ctx){
		.root = r->root,
		.topo = r->topo,
		.maps_method = PROCMAPS_AUTO,
		.residency_method = RESIDENCY_AUTO,
		.live = true,
	};
}

static void scanner_start(struct scanner *s, const struct cxlp_ctx *ctx, bool dedupe)
{
	ck_assert_int_eq(scanner_init(s, ctx, dedupe), 0);
	ck_assert_uint_eq(s->page_size, (size_t)sysconf(_SC_PAGESIZE));
}

static void scan_ok(struct scanner *s, pid_t pid, struct process_report *rep)
{
	int r = scanner_scan_process(s, pid, rep);

	ck_assert_msg(r == 0, "scan %d: %s", (int)pid, strerror(-r));
	ck_assert_int_eq(rep->error, 0);
	ck_assert_int_eq(rep->info.pid, pid);
	ck_assert_uint_eq(rep->totals.processes, 1);
	ck_assert_uint_eq(rep->totals.mappings, rep->n_maps);
}

/* Settle every shared page the process has, as a sweep does after acting. */
static void settle_all(struct scanner *s, const struct process_report *rep)
{
	for (size_t i = 0; i < rep->n_pages; i++) {
		struct page_info info = { .state = PAGE_SETTLED, .node = rep->pages[i].node };

		ck_assert_int_eq(scanner_record(s, rep, i, 1, &info), 0);
	}
}

static size_t sum_nodes(const struct process_report *r, const struct mapping_report *m)
{
	size_t sum = 0;

	for (size_t i = 0; i < m->n_nodes; i++) {
		struct node_pages np = mapping_node(r, m, i);

		if (i > 0)
			ck_assert_int_lt(mapping_node(r, m, i - 1).node, np.node);
		ck_assert_uint_gt(np.pages, 0);
		ck_assert_uint_eq(mapping_node_pages(r, m, np.node), np.pages);
		sum += np.pages;
	}
	return sum;
}

static char *numa_maps_of(pid_t pid)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "proc/%d/numa_maps", (int)pid);
	return slurp(rel);
}

static const struct mapping_report *find_at(const struct process_report *rep, uint64_t start)
{
	for (size_t i = 0; i < rep->n_maps; i++)
		if (rep->maps[i].start == start)
			return &rep->maps[i];
	return NULL;
}

START_TEST(test_self_matches_numa_maps)
{
	struct real real = real_open();
	struct cxlp_ctx ctx = real_ctx(&real);
	struct scanner s;
	struct process_report rep;
	_cleanup_free_ char *before = NULL, *after = NULL;
	uint64_t here = (uint64_t)(uintptr_t)&scan_ok;
	size_t sum = 0, checked = 0, nonzero = 0;
	bool found_self = false;

	scanner_start(&s, &ctx, false);
	before = slurp("proc/self/numa_maps");
	scan_ok(&s, getpid(), &rep);
	after = slurp("proc/self/numa_maps");

	ck_assert_uint_gt(rep.n_maps, 0);
	for (size_t i = 0; i < rep.n_maps; i++) {
		const struct mapping_report *m = &rep.maps[i];
		size_t on_cxl = 0;
		long lo, hi;

		const struct mapping_file *f = mapping_file_of(&rep, m);

		ck_assert_uint_lt(m->file, rep.n_files);
		ck_assert_int_eq(f->perms[2], 'x');
		ck_assert_uint_eq(mapping_pages(m), (m->end - m->start) / m->page_size);
		ck_assert_uint_le(m->resident, mapping_pages(m));
		ck_assert_uint_eq(sum_nodes(&rep, m), m->resident);
		for (size_t k = 0; k < m->n_nodes; k++)
			if (topology_is_cxl(real.topo, mapping_node(&rep, m, k).node))
				on_cxl += mapping_node(&rep, m, k).pages;
		ck_assert_uint_eq(m->cxl_pages, on_cxl);
		ck_assert_uint_eq(m->deduplicated, 0); /* dedupe off */
		sum += m->resident;
		if (m->start <= here && here < m->end) {
			found_self = true;
			ck_assert_uint_gt(m->resident, 0); /* we are running it */
		}
		if (m->special)
			continue;
		/* pages may fault in while we look, never out: before <= scan <= after */
		lo = numa_maps_pages(before, m->start);
		hi = numa_maps_pages(after, m->start);
		ck_assert_msg(lo >= 0 && hi >= 0, "%s at %" PRIx64 " missing from numa_maps",
			      f->name, m->start);
		ck_assert_msg((size_t)lo <= m->resident && m->resident <= (size_t)hi,
			      "%s: numa_maps %ld..%ld pages, scan %" PRIu32 " resident", f->name,
			      lo, hi, m->resident);
		checked++;
		nonzero += lo > 0;
	}
	ck_assert(found_self);
	ck_assert_uint_ge(checked, 2);
	ck_assert_uint_ge(nonzero, 1); /* the numa_maps comparison is not vacuous */
	ck_assert_uint_eq(rep.totals.resident, sum);
	ck_assert_uint_gt(rep.totals.resident, 0);
	ck_assert_uint_eq(rep.n_pages, sum);

	process_report_clear(&rep);
	ck_assert_ptr_null(rep.maps);
	scanner_done(&s);
	real_close(&real);
}
END_TEST

START_TEST(test_child_anon_exec)
{
	enum { MAP = 16, TOUCH = 5 };
	struct real real = real_open();
	struct cxlp_ctx ctx = real_ctx(&real);
	struct child c = child_start(MAP, TOUCH);
	struct scanner s;
	struct process_report rep;
	const struct mapping_report *m;

	scanner_start(&s, &ctx, true);
	scan_ok(&s, c.pid, &rep);
	m = find_at(&rep, c.exec_addr);
	ck_assert_msg(m != NULL, "no mapping at %" PRIx64, c.exec_addr);
	ck_assert_uint_eq(m->end - m->start, MAP * s.page_size);
	ck_assert_str_eq(mapping_file_of(&rep, m)->perms, "rwxp");
	ck_assert_str_eq(mapping_file_of(&rep, m)->name, "");
	ck_assert_uint_eq(mapping_file_of(&rep, m)->inode, 0);
	ck_assert(!m->special);
	ck_assert_uint_eq(mapping_pages(m), MAP);
	ck_assert_uint_eq(m->resident, TOUCH);
	ck_assert_uint_eq(sum_nodes(&rep, m), TOUCH);
	ck_assert_uint_eq(m->deduplicated, 0); /* anonymous memory is never shared page cache */
	ck_assert_uint_eq(m->private_copies, 0); /* not a file mapping */
	settle_all(&s, &rep);
	process_report_clear(&rep);

	/* the same region again with the same scanner: still counted (not page cache) */
	scan_ok(&s, c.pid, &rep);
	m = find_at(&rep, c.exec_addr);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->resident, TOUCH);
	ck_assert_uint_eq(m->deduplicated, 0);
	process_report_clear(&rep);

	scanner_done(&s);
	child_stop(&c);
	real_close(&real);
}
END_TEST

/*
 * Issue 7 item 1: a shared file range is only deduplicated where the earlier
 * process really had it resident.  A faulted one page (plus fault-around),
 * B faulted all 64: whichever is scanned first, B sees all 64 resident and
 * only A's pages as deduplicated.
 */
START_TEST(test_dedupe_only_what_was_resident)
{
	enum { PAGES = 64 };
	struct real real = real_open();
	struct cxlp_ctx ctx = real_ctx(&real);
	char path[64], all[PAGES + 1];
	struct child a, b;
	struct scanner s;
	struct process_report ra, rb;
	const struct mapping_report *ma, *mb;
	_cleanup_free_ char *numa_a = NULL;
	long a_mapped;

	memset(all, 'r', PAGES);
	all[PAGES] = '\0';
	make_text_file(path, sizeof(path), PAGES);
	a = child_map_file(path, PAGES, "r");
	b = child_map_file(path, PAGES, all);
	numa_a = numa_maps_of(a.pid);
	a_mapped = numa_maps_pages(numa_a, a.exec_addr);
	ck_assert_int_ge(a_mapped, 1);
	ck_assert_int_lt(a_mapped, PAGES); /* fault-around maps 16 pages at most */

	for (int order = 0; order < 2; order++) {
		scanner_start(&s, &ctx, true);
		if (order == 0) {
			scan_ok(&s, a.pid, &ra);
			settle_all(&s, &ra);
			scan_ok(&s, b.pid, &rb);
		} else {
			scan_ok(&s, b.pid, &rb);
			settle_all(&s, &rb);
			scan_ok(&s, a.pid, &ra);
		}
		ma = find_at(&ra, a.exec_addr);
		mb = find_at(&rb, b.exec_addr);
		ck_assert_ptr_nonnull(ma);
		ck_assert_ptr_nonnull(mb);
		ck_assert_uint_eq(ma->resident, (size_t)a_mapped);
		ck_assert_uint_eq(mb->resident, PAGES);
		if (order == 0) {
			ck_assert_uint_eq(ma->deduplicated, 0);
			ck_assert_uint_eq(mb->deduplicated, (size_t)a_mapped);
		} else {
			ck_assert_uint_eq(mb->deduplicated, 0);
			ck_assert_uint_eq(ma->deduplicated, (size_t)a_mapped);
		}
		ck_assert_uint_eq(sum_nodes(&ra, ma), ma->resident);
		ck_assert_uint_eq(sum_nodes(&rb, mb), mb->resident);
		process_report_clear(&ra);
		process_report_clear(&rb);
		scanner_done(&s);
	}
	child_stop(&a);
	child_stop(&b);
	unlink(path);
	real_close(&real);
}
END_TEST

/*
 * Issue 7 item 3: a private copy-on-write copy of a text page is its own
 * page, never taken for the shared page another process settled.
 */
START_TEST(test_cow_copy_is_private)
{
	enum { PAGES = 32, COW = 5 };
	struct real real = real_open();
	struct cxlp_ctx ctx = real_ctx(&real);
	char path[64], all[PAGES + 1], cow[PAGES + 1];
	struct child b, c;
	struct scanner s;
	struct process_report rb, rc;
	size_t resident = 0, dedup = 0, copies = 0;

	memset(all, 'r', PAGES);
	all[PAGES] = '\0';
	memcpy(cow, all, sizeof(cow));
	cow[COW] = 'w';
	make_text_file(path, sizeof(path), PAGES);
	b = child_map_file(path, PAGES, all);
	c = child_map_file(path, PAGES, cow);

	scanner_start(&s, &ctx, true);
	scan_ok(&s, b.pid, &rb);
	settle_all(&s, &rb);
	scan_ok(&s, c.pid, &rc);
	/* the COW page may have split the mapping: add up the file's mappings */
	for (size_t i = 0; i < rc.n_maps; i++) {
		const struct mapping_report *m = &rc.maps[i];

		if (m->start < c.exec_addr || m->start >= c.exec_addr + PAGES * s.page_size)
			continue;
		resident += m->resident;
		dedup += m->deduplicated;
		copies += m->private_copies;
	}
	ck_assert_uint_eq(resident, PAGES);
	ck_assert_uint_eq(copies, 1);
	ck_assert_uint_eq(dedup, PAGES - 1); /* every page but the private copy */
	for (size_t i = 0; i < rc.n_pages; i++)
		if (rc.pages[i].addr == c.exec_addr + COW * s.page_size) {
			ck_assert_uint_eq(rc.pages[i].file_page, PAGE_REF_PRIVATE);
			ck_assert(!rc.pages[i].deduplicated);
		}
	process_report_clear(&rb);
	process_report_clear(&rc);
	scanner_done(&s);
	child_stop(&b);
	child_stop(&c);
	unlink(path);
	real_close(&real);
}
END_TEST

/*
 * Issue 7 item 11: a huge executable mapping with two written pages costs
 * what is resident: two pages are found, none of the rest is asked about.
 */
START_TEST(test_huge_sparse_mapping)
{
	struct real real = real_open();
	struct cxlp_ctx ctx = real_ctx(&real);
	const size_t pages = (8ULL << 30) / (size_t)sysconf(_SC_PAGESIZE);
	struct child c = child_start(pages, 2);
	struct scanner s;
	struct process_report rep;
	const struct mapping_report *m;

	scanner_start(&s, &ctx, true);
	scan_ok(&s, c.pid, &rep);
	m = find_at(&rep, c.exec_addr);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(mapping_pages(m), pages);
	ck_assert_uint_eq(m->resident, 2);
	ck_assert_uint_eq(rep.n_pages, rep.totals.resident);
	process_report_clear(&rep);
	scanner_done(&s);
	child_stop(&c);
	real_close(&real);
}
END_TEST

/*
 * Without PAGEMAP_SCAN (forced here), the pagemap walk per process is bounded:
 * a mapping beyond the budget is cut short and says so.
 */
START_TEST(test_pagemap_walk_budget)
{
	enum { MAP = 16, TOUCH = 5 }; /* pages 0, 2, 4, 6, 8 written */
	struct real real = real_open();
	struct cxlp_ctx ctx = real_ctx(&real);
	struct child c = child_start(MAP, TOUCH);
	struct scanner s;
	struct process_report rep;
	const struct mapping_report *m;
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);

	ctx.residency_method = RESIDENCY_PAGEMAP;
	ctx.pagemap_walk_budget = 1ULL << 40; /* all of it */
	scanner_start(&s, &ctx, true);
	scan_ok(&s, c.pid, &rep);
	ck_assert(!rep.used_pagemap_scan);
	m = find_at(&rep, c.exec_addr);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->resident, TOUCH);
	ck_assert(!m->walk_truncated);
	ck_assert_uint_eq(rep.totals.truncated_mappings, 0);
	process_report_clear(&rep);
	scanner_done(&s);

	/* a budget that ends inside the region: the mappings before it eat some, so
	 * measure from a budget that covers all but the region's last 12 pages */
	{
		uint64_t before = 0;

		scanner_start(&s, &ctx, true);
		scan_ok(&s, c.pid, &rep);
		for (size_t i = 0; i < rep.n_maps && rep.maps[i].start < c.exec_addr; i++)
			before += rep.maps[i].end - rep.maps[i].start;
		process_report_clear(&rep);
		scanner_done(&s);
		ctx.pagemap_walk_budget = before + 4 * psz; /* pages 0-3 of the region */
	}
	scanner_start(&s, &ctx, true);
	scan_ok(&s, c.pid, &rep);
	m = find_at(&rep, c.exec_addr);
	ck_assert_ptr_nonnull(m);
	ck_assert(m->walk_truncated);
	ck_assert_uint_eq(m->resident, 2); /* pages 0 and 2 */
	ck_assert_uint_ge(rep.totals.truncated_mappings, 1);
	process_report_clear(&rep);
	scanner_done(&s);
	child_stop(&c);
	real_close(&real);
}
END_TEST

START_TEST(test_vanished)
{
	struct real real = real_open();
	struct scanner s;
	struct process_report rep;
	pid_t gone = dead_pid();

	struct cxlp_ctx ctx = real_ctx(&real);

	scanner_start(&s, &ctx, true);
	ck_assert_int_eq(scanner_scan_process(&s, gone, &rep), -ESRCH);
	ck_assert_int_eq(rep.error, -ESRCH);
	ck_assert_int_eq(rep.info.pid, gone);
	ck_assert_uint_eq(rep.n_maps, 0);
	ck_assert_uint_eq(rep.totals.processes, 0);
	process_report_clear(&rep);
	scanner_done(&s);
	real_close(&real);
}
END_TEST

/*
 * With PAGEMAP_SCAN, executable mappings close together are walked at once
 * and what lies between them is dropped: two rwx mappings with a data
 * mapping between them, touched so that present pages run across both
 * boundaries (exec1's last page, every data page, exec2's first page: one
 * run of anonymous present pages, which the walk may return as one range).
 * Each exec mapping counts exactly its own page; no data page is counted.
 */
START_TEST(test_walk_window_clips_neighbours)
{
	struct real real = real_open();
	struct cxlp_ctx ctx = real_ctx(&real);
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct scanner s;
	struct process_report rep;
	const struct mapping_report *m1, *m2;
	unsigned char *base;

	base = mmap(NULL, 12 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(base != MAP_FAILED);
	ck_assert_int_eq(mprotect(base, 4 * pg, PROT_READ | PROT_WRITE | PROT_EXEC), 0);
	ck_assert_int_eq(mprotect(base + 4 * pg, 4 * pg, PROT_READ | PROT_WRITE), 0);
	ck_assert_int_eq(mprotect(base + 8 * pg, 4 * pg, PROT_READ | PROT_WRITE | PROT_EXEC), 0);
	for (size_t i = 3; i <= 8; i++)
		base[i * pg] = 1;

	scanner_start(&s, &ctx, true);
	scan_ok(&s, getpid(), &rep);
	m1 = find_at(&rep, (uint64_t)(uintptr_t)base);
	m2 = find_at(&rep, (uint64_t)(uintptr_t)(base + 8 * pg));
	ck_assert_ptr_nonnull(m1);
	ck_assert_ptr_nonnull(m2);
	ck_assert_uint_eq(m1->end, (uint64_t)(uintptr_t)(base + 4 * pg));
	ck_assert_uint_eq(m1->resident, 1);
	ck_assert_uint_eq(m2->resident, 1);
	ck_assert_uint_eq(sum_nodes(&rep, m1), 1);
	ck_assert_uint_eq(sum_nodes(&rep, m2), 1);
	ck_assert_ptr_null(find_at(&rep, (uint64_t)(uintptr_t)(base + 4 * pg))); /* not exec */
	for (size_t i = 0; i < rep.n_pages; i++) {
		uint64_t a = rep.pages[i].addr;

		ck_assert_msg(a < (uint64_t)(uintptr_t)(base + 4 * pg) ||
				      a >= (uint64_t)(uintptr_t)(base + 8 * pg),
			      "a data page at %" PRIx64 " counted as code", a);
	}
	ck_assert_uint_eq(rep.n_pages, rep.totals.resident);
	process_report_clear(&rep);
	scanner_done(&s);
	munmap(base, 12 * pg);
	real_close(&real);
}
END_TEST

START_TEST(test_totals_add)
{
	struct scan_totals a = { .processes = 1,
				 .mappings = 2,
				 .pages = 3,
				 .resident = 4,
				 .deduplicated = 5,
				 .cxl_pages = 6,
				 .unmovable_cxl_pages = 9,
				 .straddling = 7,
				 .tier_boundaries = 8 };
	struct scan_totals b = { .processes = 10,
				 .mappings = 20,
				 .pages = 30,
				 .resident = 40,
				 .deduplicated = 50,
				 .cxl_pages = 60,
				 .unmovable_cxl_pages = 90,
				 .straddling = 70,
				 .tier_boundaries = 80 };

	scan_totals_add(&a, &b);
	ck_assert_uint_eq(a.processes, 11);
	ck_assert_uint_eq(a.mappings, 22);
	ck_assert_uint_eq(a.pages, 33);
	ck_assert_uint_eq(a.resident, 44);
	ck_assert_uint_eq(a.deduplicated, 55);
	ck_assert_uint_eq(a.cxl_pages, 66);
	ck_assert_uint_eq(a.unmovable_cxl_pages, 99);
	ck_assert_uint_eq(a.straddling, 77);
	ck_assert_uint_eq(a.tier_boundaries, 88);
}
END_TEST

/*
 * What a process with 65,000 mappings costs is sizeof(struct mapping_report)
 * and sizeof(struct page_ref) per mapping and page: the bar of issue 9 (RSS
 * <= 10 MiB in every mode) was met at these sizes, not above them.
 */
START_TEST(test_per_mapping_sizes)
{
	ck_assert_uint_le(sizeof(struct mapping_report), 72);
	ck_assert_uint_le(sizeof(struct page_ref), 24);
	ck_assert_uint_le(sizeof(struct node_pages), 8);
}
END_TEST

/* Mappings of one file with the same permissions share one files entry, so one name. */
START_TEST(test_mappings_of_one_file_share_an_entry)
{
	enum { N = 40 };
	struct real real = real_open();
	struct cxlp_ctx ctx = real_ctx(&real);
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct scanner s;
	struct process_report rep;
	char path[64];
	char *maps[N];
	uint32_t file = UINT32_MAX;
	int fd;

	make_text_file(path, sizeof(path), 1);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	/* offset 0 every time: no two can merge, wherever the kernel puts them */
	for (size_t i = 0; i < N; i++) {
		maps[i] = mmap(NULL, pg, i % 2 ? PROT_READ | PROT_EXEC : PROT_EXEC, MAP_PRIVATE, fd,
			       0);
		ck_assert(maps[i] != MAP_FAILED);
	}
	close(fd);

	scanner_start(&s, &ctx, false);
	scan_ok(&s, getpid(), &rep);
	for (size_t i = 0; i < N; i += 2) {
		const struct mapping_report *m = find_at(&rep, (uint64_t)(uintptr_t)maps[i]);

		ck_assert_ptr_nonnull(m);
		ck_assert_str_eq(mapping_file_of(&rep, m)->name, path);
		ck_assert_str_eq(mapping_file_of(&rep, m)->perms, "--xp");
		if (file == UINT32_MAX)
			file = m->file;
		ck_assert_uint_eq(m->file, file);
	}
	for (size_t i = 1; i < N; i += 2) {
		const struct mapping_report *m = find_at(&rep, (uint64_t)(uintptr_t)maps[i]);

		ck_assert_ptr_nonnull(m);
		ck_assert_str_eq(mapping_file_of(&rep, m)->perms, "r-xp"); /* its own entry */
		ck_assert_uint_ne(m->file, file);
	}
	ck_assert_uint_le(rep.n_files + N - 2, rep.n_maps);
	process_report_clear(&rep);
	scanner_done(&s);
	for (size_t i = 0; i < N; i++)
		munmap(maps[i], pg);
	unlink(path);
	real_close(&real);
}
END_TEST

static Suite *scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("real");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_self_matches_numa_maps);
	tcase_add_test(tc, test_per_mapping_sizes);
	tcase_add_test(tc, test_mappings_of_one_file_share_an_entry);
	tcase_add_test(tc, test_child_anon_exec);
	tcase_add_test(tc, test_dedupe_only_what_was_resident);
	tcase_add_test(tc, test_cow_copy_is_private);
	tcase_add_test(tc, test_huge_sparse_mapping);
	tcase_add_test(tc, test_pagemap_walk_budget);
	tcase_add_test(tc, test_vanished);
	tcase_add_test(tc, test_walk_window_clips_neighbours);
	tcase_add_test(tc, test_totals_add);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(scan_suite());
}
