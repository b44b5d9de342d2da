/* SPDX-License-Identifier: MIT */
/*
 * Sweeps over real processes that share a real text file, with a model of
 * the kernel's move_pages() in place of the system call: this host may have
 * one NUMA node, so the model keeps the node of every page of the shared
 * file (all on CXL node 2 of the dax-region fixture topology at the start)
 * and answers queries and moves for it.  Everything else is real: /proc,
 * pagemap residency, pidfds, the processes' own page tables (which pages
 * each one faulted).  Real migration is proven in the guest.
 */
#include <check.h>
#include <errno.h>
#include <numaif.h>
#include <string.h>

#include "proclib.h"
#include "sweep.h"
#include "testlib.h"

enum { PAGES = 64, CXL_NODE = 2, DRAM_NODE = 0 };

static struct {
	pid_t pid[2];
	uint64_t base[2];
	int node[PAGES]; /* node of each page of the shared file */
	pid_t refuse_pid; /* moves through this pid fail with EACCES (cpuset) */
	size_t moves_asked;
} model;

static long model_move_pages(int pid, unsigned long count, void **pages, const int *nodes,
			     int *status, int flags)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);

	(void)flags;
	if (nodes && pid == model.refuse_pid) {
		errno = EACCES;
		return -1;
	}
	for (unsigned long i = 0; i < count; i++) {
		uint64_t a = (uint64_t)(uintptr_t)pages[i];
		int *slot = NULL;

		for (int k = 0; k < 2; k++)
			if (pid == model.pid[k] && a >= model.base[k] &&
			    a < model.base[k] + PAGES * psz)
				slot = &model.node[(a - model.base[k]) / psz];
		if (!nodes) {
			status[i] = slot ? *slot : DRAM_NODE;
			continue;
		}
		model.moves_asked++;
		if (slot)
			*slot = nodes[i];
		status[i] = nodes[i];
	}
	return 0;
}

struct fixture {
	struct sysroot *root, *fixture_root;
	struct topology *topo;
	char path[64];
	struct child a, b;
};

/* A faulted one page (plus fault-around), B all 64 pages of the same text file. */
static void setup(struct fixture *f)
{
	char all[PAGES + 1];
	struct error err = { 0 };

	memset(f, 0, sizeof(*f));
	memset(&model, 0, sizeof(model));
	for (size_t i = 0; i < PAGES; i++)
		model.node[i] = CXL_NODE;
	memset(all, 'r', PAGES);
	all[PAGES] = '\0';
	f->root = open_root("/");
	f->fixture_root = open_fixture("dax-region");
	ck_assert_msg(topology_read(f->fixture_root, NULL, &f->topo, &err) == 0, "%s", err.message);
	ck_assert(topology_is_cxl(f->topo, CXL_NODE));
	ck_assert(!topology_is_cxl(f->topo, DRAM_NODE));
	make_text_file(f->path, sizeof(f->path), PAGES);
	f->a = child_map_file(f->path, PAGES, "r");
	f->b = child_map_file(f->path, PAGES, all);
	model.pid[0] = f->a.pid;
	model.base[0] = f->a.exec_addr;
	model.pid[1] = f->b.pid;
	model.base[1] = f->b.exec_addr;
}

static void teardown(struct fixture *f)
{
	child_stop(&f->a);
	child_stop(&f->b);
	unlink(f->path);
	topology_free(f->topo);
	sysroot_free(f->fixture_root);
	sysroot_free(f->root);
}

static struct cxlp_ctx model_ctx(const struct fixture *f)
{
	return (struct cxlp_ctx){
		.root = f->root,
		.topo = f->topo,
		.residency_method = RESIDENCY_AUTO,
		.live = true,
		.move_pages = model_move_pages,
	};
}

struct seen {
	size_t processes;
	struct process_moves moves[2];
	pid_t pids[2];
	size_t flagged_moved[2]; /* pages the report marks moved (the daemon's re-demotion record)
				  */
};

static int remember(const struct process_report *p, const struct process_moves *m, void *data)
{
	struct seen *s = data;

	ck_assert_int_eq(p->error, 0);
	if (s->processes < 2) {
		s->pids[s->processes] = p->info.pid;
		s->moves[s->processes] = *m;
		for (size_t i = 0; i < p->n_pages; i++)
			if (p->pages[i].moved) {
				ck_assert_int_eq(p->pages[i].moved_to, DRAM_NODE);
				ck_assert_int_ne(p->pages[i].node, DRAM_NODE); /* where it was */
				s->flagged_moved[s->processes]++;
			}
	}
	s->processes++;
	return 0;
}

static struct sweep_result sweep(const struct fixture *f, const pid_t *pids,
				 const struct sweep_options *opts, struct seen *seen)
{
	struct cxlp_ctx ctx = model_ctx(f);
	struct sweep_result res;

	memset(seen, 0, sizeof(*seen));
	ck_assert_int_eq(sweep_run(&ctx, pids, 2, opts, remember, seen, &res), 0);
	ck_assert_uint_eq(seen->processes, 2);
	return res;
}

static size_t model_pages_on(int node)
{
	size_t n = 0;

	for (size_t i = 0; i < PAGES; i++)
		n += model.node[i] == node;
	return n;
}

/* Issue 7 item 1: whichever order, every CXL page any process maps reaches DRAM, once. */
START_TEST(test_every_shared_page_moves_once)
{
	struct fixture f;
	struct sweep_options opts = { .migrate = true, .move_flags = MPOL_MF_MOVE_ALL };
	struct sweep_result res;
	struct seen seen;
	pid_t pids[2];

	setup(&f);
	pids[0] = _i == 0 ? f.a.pid : f.b.pid;
	pids[1] = _i == 0 ? f.b.pid : f.a.pid;
	res = sweep(&f, pids, &opts, &seen);
	ck_assert_uint_eq(model_pages_on(DRAM_NODE), PAGES);
	ck_assert_uint_eq(res.moves.moved_pages, PAGES);
	ck_assert_uint_eq(model.moves_asked, PAGES); /* no page asked to move twice */
	ck_assert_uint_eq(res.moves.failed_pages, 0);
	ck_assert_uint_eq(res.moves.no_target_pages, 0);
	ck_assert_uint_eq(res.planned_pages, PAGES);
	ck_assert_uint_eq(res.totals.cxl_pages, PAGES); /* counted once across processes */
	ck_assert_uint_eq(seen.moves[0].moved + seen.moves[1].moved, PAGES);
	/* the report tells exactly which pages moved, per process */
	ck_assert_uint_eq(seen.flagged_moved[0], seen.moves[0].moved);
	ck_assert_uint_eq(seen.flagged_moved[1], seen.moves[1].moved);
	ck_assert(!sweep_left_pages(&res));
	sweep_result_clear(&res);
	teardown(&f);
}
END_TEST

/* Issue 7 item 2: the first mapper cannot move (EACCES): the second one does. */
START_TEST(test_first_mapper_refused_second_moves)
{
	struct fixture f;
	struct sweep_options opts = { .migrate = true, .move_flags = MPOL_MF_MOVE_ALL };
	struct sweep_result res;
	struct seen seen;
	pid_t pids[2];

	setup(&f);
	pids[0] = f.b.pid; /* B has everything resident and is refused */
	pids[1] = f.a.pid; /* A has only its few pages */
	model.refuse_pid = f.b.pid;
	res = sweep(&f, pids, &opts, &seen);
	/* A moves what it has resident; B's refusal leaves only the rest on CXL */
	ck_assert_uint_eq(seen.moves[0].moved, 0);
	ck_assert_uint_eq(seen.flagged_moved[0], 0); /* refused: nothing marked moved */
	ck_assert_uint_eq(seen.moves[0].failed, PAGES);
	ck_assert_uint_eq(seen.moves[0].failures[EACCES], PAGES); /* by errno, per process */
	ck_assert_uint_gt(seen.moves[1].moved, 0);
	ck_assert_uint_eq(res.moves.moved_pages, seen.moves[1].moved);
	ck_assert_uint_eq(res.moves.failed_pages, PAGES - seen.moves[1].moved);
	ck_assert_uint_eq(res.moves.failures[EACCES], PAGES - seen.moves[1].moved);
	ck_assert_uint_eq(model_pages_on(DRAM_NODE), seen.moves[1].moved);
	ck_assert(sweep_left_pages(&res));
	sweep_result_clear(&res);

	/* the other order: A refused, B moves every page */
	model.refuse_pid = f.a.pid;
	for (size_t i = 0; i < PAGES; i++)
		model.node[i] = CXL_NODE;
	pids[0] = f.a.pid;
	pids[1] = f.b.pid;
	res = sweep(&f, pids, &opts, &seen);
	ck_assert_uint_eq(seen.moves[0].moved, 0);
	ck_assert_uint_gt(seen.moves[0].failed, 0);
	ck_assert_uint_eq(seen.moves[1].moved, PAGES);
	ck_assert_uint_eq(res.moves.moved_pages, PAGES);
	ck_assert_uint_eq(res.moves.failed_pages, 0); /* released claims were moved after all */
	ck_assert_uint_eq(model_pages_on(DRAM_NODE), PAGES);
	ck_assert(!sweep_left_pages(&res));
	sweep_result_clear(&res);
	teardown(&f);
}
END_TEST

START_TEST(test_dry_run_moves_nothing)
{
	struct fixture f;
	struct sweep_options opts = { .migrate = true, .dry_run = true };
	struct sweep_result res;
	struct seen seen;
	pid_t pids[2];

	setup(&f);
	pids[0] = f.a.pid;
	pids[1] = f.b.pid;
	res = sweep(&f, pids, &opts, &seen);
	ck_assert_uint_eq(model.moves_asked, 0);
	ck_assert_uint_eq(model_pages_on(CXL_NODE), PAGES);
	ck_assert_uint_eq(res.moves.would_move_pages, PAGES);
	ck_assert_uint_eq(res.moves.moved_pages, 0);
	ck_assert_uint_eq(seen.flagged_moved[0] + seen.flagged_moved[1],
			  0); /* a dry run moves nothing */
	sweep_result_clear(&res);
	teardown(&f);
}
END_TEST

/* The byte budget: what is left is counted once, not once per mapper. */
START_TEST(test_budget_counted_once)
{
	struct fixture f;
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	struct sweep_options opts = { .migrate = true, .max_bytes = 10 * psz };
	struct sweep_result res;
	struct seen seen;
	pid_t pids[2];

	setup(&f);
	pids[0] = f.b.pid;
	pids[1] = f.a.pid;
	res = sweep(&f, pids, &opts, &seen);
	ck_assert_uint_eq(res.moves.moved_pages, 10);
	ck_assert_uint_eq(res.moves.moved_bytes, 10 * psz);
	ck_assert_uint_eq(res.moves.budget_pages, PAGES - 10);
	ck_assert_uint_eq(model_pages_on(DRAM_NODE), 10);
	sweep_result_clear(&res);
	teardown(&f);
}
END_TEST

/* The plan is pure: a process whose cpuset holds only CXL nodes gets no target. */
START_TEST(test_plan_no_target)
{
	struct fixture f;
	struct mapping_report map = { .page_size = 4096 };
	struct mapping_file file = { .name = (char *)"/f", .inode = 7 };
	struct page_ref pages[3] = {
		{ .addr = 0x1000, .file_page = 0, .node = CXL_NODE },
		{ .addr = 0x2000, .file_page = 1, .node = DRAM_NODE },
		{ .addr = 0x3000, .file_page = 2, .node = CXL_NODE, .deduplicated = true },
	};
	struct process_report p = { .maps = &map,
				    .n_maps = 1,
				    .files = &file,
				    .n_files = 1,
				    .pages = pages,
				    .n_pages = 3 };
	struct move_plan plan;
	uint64_t budget = UINT64_MAX;

	setup(&f);
	p.info.cpu = -1;
	p.info.has_mems_allowed = true;
	ck_assert_int_eq(idset_parse("1-2", &p.info.mems_allowed), 0);
	ck_assert_int_eq(sweep_plan_process(f.topo, &p, NULL, &budget, &plan), 0);
	ck_assert_uint_eq(plan.n, 0);
	ck_assert_uint_eq(plan.n_no_target, 1); /* the DRAM and the settled page are not planned */
	ck_assert_uint_eq(plan.no_target[0], 0);
	move_plan_clear(&plan);

	ck_assert_int_eq(idset_parse("0-2", &p.info.mems_allowed), 0);
	budget = 4096;
	ck_assert_int_eq(sweep_plan_process(f.topo, &p, NULL, &budget, &plan), 0);
	ck_assert_uint_eq(plan.n, 1);
	ck_assert_int_eq(plan.targets[0], DRAM_NODE);
	ck_assert_uint_eq(budget, 0);
	move_plan_clear(&plan);

	/* a policy's target list narrows the choice to what the cpuset also allows */
	{
		struct idset targets;

		budget = UINT64_MAX;
		ck_assert_int_eq(idset_parse("1", &targets), 0); /* a CXL node is never a target */
		ck_assert_int_eq(sweep_plan_process(f.topo, &p, &targets, &budget, &plan), 0);
		ck_assert_uint_eq(plan.n, 0);
		ck_assert_uint_eq(plan.n_no_target, 1);
		move_plan_clear(&plan);
		ck_assert_int_eq(idset_parse("0", &targets), 0);
		ck_assert_int_eq(idset_parse("1-2", &p.info.mems_allowed), 0);
		ck_assert_int_eq(sweep_plan_process(f.topo, &p, &targets, &budget, &plan), 0);
		ck_assert_uint_eq(plan.n, 0); /* node 0 listed, but not in the cpuset */
		ck_assert_uint_eq(plan.n_no_target, 1);
		move_plan_clear(&plan);
	}
	teardown(&f);
}
END_TEST

START_TEST(test_vanished_is_counted)
{
	struct fixture f;
	struct sweep_options opts = { .migrate = true };
	struct cxlp_ctx ctx;
	struct sweep_result res;
	pid_t gone = dead_pid();

	setup(&f);
	ctx = model_ctx(&f);
	ck_assert_int_eq(sweep_run(&ctx, &gone, 1, &opts, NULL, NULL, &res), 0);
	ck_assert_uint_eq(res.vanished, 1);
	ck_assert_uint_eq(res.totals.processes, 0);
	sweep_result_clear(&res);
	/* a /proc that is not ours is refused */
	ctx.live = false;
	ck_assert_int_eq(sweep_run(&ctx, &gone, 1, &opts, NULL, NULL, &res), -EXDEV);
	teardown(&f);
}
END_TEST

struct traced {
	size_t events;
	size_t pages;
	char why[128];
};

static void collect_trace(void *userdata, const struct cxlp_trace *ev)
{
	struct traced *t = userdata;

	t->events++;
	t->pages += ev->pages;
	ck_assert_int_eq(ev->node, CXL_NODE);
	snprintf(t->why, sizeof(t->why), "%s", ev->why);
}

/* The trace hook says why pages stayed: one event per run of adjacent pages. */
START_TEST(test_trace_says_why)
{
	struct fixture f;
	struct sweep_options opts = { .migrate = true, .move_flags = MPOL_MF_MOVE_ALL };
	struct traced t = { 0 };
	struct cxlp_ctx ctx;
	struct sweep_result res;

	setup(&f);
	ctx = model_ctx(&f);
	ctx.trace = collect_trace;
	ctx.trace_userdata = &t;
	model.refuse_pid = f.b.pid;
	ck_assert_int_eq(sweep_run(&ctx, &f.b.pid, 1, &opts, NULL, NULL, &res), 0);
	ck_assert_uint_eq(t.pages, PAGES);
	ck_assert_uint_eq(t.events, 1); /* 64 adjacent pages, one reason */
	ck_assert_str_eq(t.why, "move_pages: EACCES");
	sweep_result_clear(&res);

	memset(&t, 0, sizeof(t));
	model.refuse_pid = 0;
	opts.max_bytes = 4 * (size_t)sysconf(_SC_PAGESIZE);
	ck_assert_int_eq(sweep_run(&ctx, &f.b.pid, 1, &opts, NULL, NULL, &res), 0);
	ck_assert_uint_eq(t.pages, PAGES - 4);
	ck_assert_uint_eq(t.events, 1);
	ck_assert_str_eq(t.why, "byte budget (--max-bytes) used up");
	sweep_result_clear(&res);
	teardown(&f);
}
END_TEST

/* Without dedupe every mapper asks and moves for itself: counts per process, none lost. */
START_TEST(test_no_dedupe_counts_per_mapper)
{
	struct fixture f;
	struct sweep_options opts = { .migrate = true, .no_dedupe = true };
	struct sweep_result res;
	struct seen seen;
	pid_t pids[2];

	setup(&f);
	pids[0] = f.b.pid;
	pids[1] = f.a.pid;
	model.refuse_pid = f.b.pid;
	res = sweep(&f, pids, &opts, &seen);
	ck_assert_uint_eq(seen.moves[0].failed, PAGES);
	ck_assert_uint_eq(res.moves.failed_pages, PAGES); /* counted for B at once */
	ck_assert_uint_eq(res.moves.moved_pages, seen.moves[1].moved);
	ck_assert_uint_gt(seen.moves[1].moved, 0);
	sweep_result_clear(&res);
	teardown(&f);
}
END_TEST

static Suite *sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_every_shared_page_moves_once, 0, 2);
	tcase_add_test(tc, test_first_mapper_refused_second_moves);
	tcase_add_test(tc, test_dry_run_moves_nothing);
	tcase_add_test(tc, test_budget_counted_once);
	tcase_add_test(tc, test_plan_no_target);
	tcase_add_test(tc, test_vanished_is_counted);
	tcase_add_test(tc, test_trace_says_why);
	tcase_add_test(tc, test_no_dedupe_counts_per_mapper);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(sweep_suite());
}
