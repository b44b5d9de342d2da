/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

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

static void scanner_start(struct scanner *s, const struct real *r, bool dedupe)
{
	struct scan_options opts = {
		.maps_method = PROCMAPS_AUTO,
		.dedupe = dedupe,
		.collect_moves = true,
	};

	ck_assert_int_eq(scanner_init(s, r->root, r->topo, &opts), 0);
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

/* The text mapping of the C library (its r-xp segment). */
static const struct mapping_report *find_libc(const struct process_report *rep)
{
	for (size_t i = 0; i < rep->n_maps; i++) {
		const char *base = strrchr(rep->maps[i].vma.name, '/');

		if (base && strncmp(base, "/libc.so", 8) == 0 && vma_is_file(&rep->maps[i].vma))
			return &rep->maps[i];
	}
	ck_abort_msg("no libc text mapping among %zu", rep->n_maps);
	return NULL;
}

static const struct mapping_report *find_at(const struct process_report *rep, uint64_t start)
{
	for (size_t i = 0; i < rep->n_maps; i++)
		if (rep->maps[i].vma.start == start)
			return &rep->maps[i];
	return NULL;
}

START_TEST(test_self_matches_numa_maps)
{
	struct real real = real_open();
	struct scanner s;
	struct process_report rep;
	_cleanup_free_ char *before = NULL, *after = NULL;
	uint64_t here = (uint64_t)(uintptr_t)&scan_ok;
	size_t sum = 0, checked = 0, nonzero = 0;
	bool found_self = false;

	/* this host has one node: everything resident is on node 0 */
	ck_assert_int_eq(real.topo->max_node, 0);
	ck_assert(idset_empty(&real.topo->cxl));
	scanner_start(&s, &real, false);

	before = slurp("proc/self/numa_maps");
	scan_ok(&s, getpid(), &rep);
	after = slurp("proc/self/numa_maps");

	ck_assert(rep.used_procmap_query);
	ck_assert_uint_gt(rep.n_maps, 0);
	for (size_t i = 0; i < rep.n_maps; i++) {
		const struct mapping_report *m = &rep.maps[i];
		long lo, hi;

		ck_assert(vma_is_exec(&m->vma));
		ck_assert_uint_eq(m->pages, (m->vma.end - m->vma.start) / s.page_size);
		ck_assert_uint_le(m->resident, m->pages);
		ck_assert_uint_eq(m->node_pages[0], m->resident);
		ck_assert_uint_eq(m->cxl_pages, 0);
		ck_assert_uint_eq(m->deduplicated, 0); /* dedupe off */
		ck_assert(!m->straddle);
		ck_assert_uint_eq(m->tier_boundaries, 0);
		sum += m->resident;
		if (m->vma.start <= here && here < m->vma.end) {
			found_self = true;
			ck_assert_uint_gt(m->resident, 0); /* we are running it */
		}
		if (m->special)
			continue;
		/* pages may fault in while we look, never out: before <= scan <= after */
		lo = numa_maps_pages(before, m->vma.start);
		hi = numa_maps_pages(after, m->vma.start);
		ck_assert_msg(lo >= 0 && hi >= 0, "%s at %" PRIx64 " missing from numa_maps",
			      m->vma.name, m->vma.start);
		ck_assert_msg((size_t)lo <= m->resident && m->resident <= (size_t)hi,
			      "%s: numa_maps %ld..%ld pages, scan %zu resident", m->vma.name, lo,
			      hi, m->resident);
		checked++;
		nonzero += lo > 0;
	}
	ck_assert(found_self);
	ck_assert_uint_ge(checked, 2);
	ck_assert_uint_ge(nonzero, 1); /* the numa_maps comparison is not vacuous */
	ck_assert_uint_eq(rep.totals.resident, sum);
	ck_assert_uint_gt(rep.totals.resident, 0);
	ck_assert_uint_eq(rep.totals.cxl_pages, 0);
	ck_assert_uint_eq(rep.n_moves, 0); /* nothing on CXL */

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
	struct child c = child_start(MAP, TOUCH);
	struct scanner s;
	struct process_report rep;
	const struct mapping_report *m;

	scanner_start(&s, &real, true);
	scan_ok(&s, c.pid, &rep);
	m = find_at(&rep, c.exec_addr);
	ck_assert_msg(m != NULL, "no mapping at %" PRIx64, c.exec_addr);
	ck_assert_uint_eq(m->vma.end - m->vma.start, MAP * s.page_size);
	ck_assert_str_eq(m->vma.perms, "rwxp");
	ck_assert_str_eq(m->vma.name, "");
	ck_assert_uint_eq(m->vma.inode, 0);
	ck_assert(!vma_is_file(&m->vma));
	ck_assert(!m->special);
	ck_assert_uint_eq(m->pages, MAP);
	ck_assert_uint_eq(m->resident, TOUCH);
	ck_assert_uint_eq(m->node_pages[0], TOUCH);
	ck_assert_uint_eq(m->deduplicated, 0); /* anonymous memory is never shared page cache */
	ck_assert_uint_eq(m->cxl_pages, 0);
	process_report_clear(&rep);

	/* the same region again with the same scanner: still counted (not page cache) */
	scan_ok(&s, c.pid, &rep);
	m = find_at(&rep, c.exec_addr);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->resident, TOUCH);
	process_report_clear(&rep);

	scanner_done(&s);
	child_stop(&c);
	real_close(&real);
}
END_TEST

START_TEST(test_dedupe_parent_child)
{
	struct real real = real_open();
	struct child c = child_start(0, 0);
	struct scanner s;
	struct process_report first, second, again;
	const struct mapping_report *libc1, *libc2;

	scanner_start(&s, &real, true);
	scan_ok(&s, getpid(), &first);
	scan_ok(&s, c.pid, &second);

	/* first mapper counts libc's text, the second sees it as already counted */
	libc1 = find_libc(&first);
	libc2 = find_libc(&second);
	ck_assert_uint_eq(libc1->vma.inode, libc2->vma.inode);
	ck_assert_uint_eq(libc1->deduplicated, 0);
	ck_assert_uint_gt(libc1->resident, 0);
	ck_assert_uint_eq(libc2->deduplicated, libc2->pages);
	ck_assert_uint_gt(libc2->deduplicated, 0);
	ck_assert_uint_eq(libc2->resident, 0);
	ck_assert_uint_gt(second.totals.deduplicated, 0);
	ck_assert_uint_eq(first.totals.deduplicated, 0);
	/* the child is a fork: all its file text was seen through the parent */
	for (size_t i = 0; i < second.n_maps; i++)
		if (vma_is_file(&second.maps[i].vma))
			ck_assert_uint_eq(second.maps[i].deduplicated, second.maps[i].pages);

	/* a fresh scanner counts it again */
	scanner_done(&s);
	scanner_start(&s, &real, true);
	scan_ok(&s, c.pid, &again);
	ck_assert_uint_eq(find_libc(&again)->deduplicated, 0);
	ck_assert_uint_gt(find_libc(&again)->resident, 0);
	ck_assert_uint_eq(again.totals.deduplicated, 0);

	process_report_clear(&first);
	process_report_clear(&second);
	process_report_clear(&again);
	scanner_done(&s);
	child_stop(&c);
	real_close(&real);
}
END_TEST

START_TEST(test_no_dedupe_counts_twice)
{
	struct real real = real_open();
	struct child c = child_start(0, 0);
	struct scanner s;
	struct process_report first, second;

	scanner_start(&s, &real, false);
	scan_ok(&s, getpid(), &first);
	scan_ok(&s, c.pid, &second);
	ck_assert_uint_eq(second.totals.deduplicated, 0);
	ck_assert_uint_gt(find_libc(&second)->resident, 0);
	process_report_clear(&first);
	process_report_clear(&second);
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

	scanner_start(&s, &real, true);
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

START_TEST(test_totals_add)
{
	struct scan_totals a = { .processes = 1, .mappings = 2, .pages = 3, .resident = 4,
				 .deduplicated = 5, .cxl_pages = 6, .unmovable_cxl_pages = 9,
				 .straddling = 7, .tier_boundaries = 8 };
	struct scan_totals b = { .processes = 10, .mappings = 20, .pages = 30, .resident = 40,
				 .deduplicated = 50, .cxl_pages = 60, .unmovable_cxl_pages = 90,
				 .straddling = 70, .tier_boundaries = 80 };

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

static Suite *scan_suite(void)
{
	Suite *s = suite_create("scan");
	TCase *tc = tcase_create("real");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_self_matches_numa_maps);
	tcase_add_test(tc, test_child_anon_exec);
	tcase_add_test(tc, test_dedupe_parent_child);
	tcase_add_test(tc, test_no_dedupe_counts_twice);
	tcase_add_test(tc, test_vanished);
	tcase_add_test(tc, test_totals_add);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(scan_suite());
}
