/* SPDX-License-Identifier: MIT */
#include "sweep.h"

#include <string.h>

void move_plan_clear(struct move_plan *plan)
{
	free(plan->refs);
	free(plan->targets);
	free(plan->no_target);
	free(plan->over_budget);
	memset(plan, 0, sizeof(*plan));
}

void sweep_result_clear(struct sweep_result *r)
{
	free(r->cgroups);
	memset(r, 0, sizeof(*r));
}

static bool movable_cxl_page(const struct topology *topo, const struct process_report *p,
			     const struct page_ref *ref)
{
	return !p->maps[ref->map].special && !ref->deduplicated && topology_is_cxl(topo, ref->node);
}

/* The nodes @p may be moved to: its cpuset, narrowed to @targets when given. */
static const struct idset *allowed_targets(const struct process_report *p,
					   const struct idset *targets, struct idset *buf)
{
	if (!targets)
		return p->info.has_mems_allowed ? &p->info.mems_allowed : NULL;
	if (!p->info.has_mems_allowed)
		return targets;
	idset_clear(buf);
	IDSET_FOREACH(id, targets)
		if (idset_has(&p->info.mems_allowed, id))
			(void)idset_add(buf, id);
	return buf;
}

int sweep_plan_process(const struct topology *topo, const struct process_report *p,
		       const struct idset *targets, uint64_t *budget_bytes, struct move_plan *ret)
{
	_cleanup_(move_plan_clear) struct move_plan plan = { 0 };
	int prefer = p->info.cpu >= 0 ? topology_cpu_node(topo, p->info.cpu) : -1;
	struct idset both;
	const struct idset *allowed = allowed_targets(p, targets, &both);
	uint64_t budget = *budget_bytes;
	size_t cap = 0;
	int last_from = -2, last_target = -1;

	for (size_t i = 0; i < p->n_pages; i++)
		cap += movable_cxl_page(topo, p, &p->pages[i]);
	if (cap == 0) {
		*ret = plan;
		return 0;
	}
	plan.refs = malloc(cap * sizeof(*plan.refs));
	plan.targets = malloc(cap * sizeof(*plan.targets));
	plan.no_target = malloc(cap * sizeof(*plan.no_target));
	plan.over_budget = malloc(cap * sizeof(*plan.over_budget));
	if (!plan.refs || !plan.targets || !plan.no_target || !plan.over_budget)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_pages; i++) {
		const struct page_ref *ref = &p->pages[i];
		uint64_t size = p->maps[ref->map].page_size;

		if (!movable_cxl_page(topo, p, ref))
			continue;
		if (ref->node != last_from) {
			last_from = ref->node;
			last_target = topology_nearest_dram(topo, last_from, allowed, prefer);
		}
		if (last_target < 0) {
			plan.no_target[plan.n_no_target++] = i;
		} else if (budget < size) {
			plan.over_budget[plan.n_over_budget++] = i;
		} else {
			budget -= size;
			plan.refs[plan.n] = i;
			plan.targets[plan.n++] = last_target;
		}
	}
	*budget_bytes = budget;
	*ret = plan;
	memset(&plan, 0, sizeof(plan));
	return 0;
}

bool sweep_left_pages(const struct sweep_result *r)
{
	/* pages whose every mapper exited are nobody's code any more: not left behind */
	return r->moves.failed_pages || r->moves.no_target_pages || r->totals.truncated_mappings;
}

/* One sweep in flight. */
struct sweeper {
	const struct cxlp_ctx *ctx;
	const struct sweep_options *opts;
	struct scanner scanner;
	struct migrate_pacer pacer;
	uint64_t budget_bytes;
	struct sweep_result *res;
};

/*
 * Whether what becomes of @ref is settled in the run's record (a shared page,
 * counted once at the end) rather than counted at once for this process.
 */
static bool recorded(const struct sweeper *w, const struct page_ref *ref)
{
	return ref->file_page != PAGE_REF_PRIVATE && w->scanner.state;
}

static int record_one(struct sweeper *w, const struct process_report *p, size_t ref,
		      const struct page_info *info)
{
	return scanner_record(&w->scanner, p, ref, 1, info);
}

/* Pages the plan leaves on CXL: private ones count now, shared ones stay pending. */
static int leave_pages(struct sweeper *w, const struct process_report *p, const size_t *refs,
		       size_t n, enum pending_reason reason, int error, size_t *private_count)
{
	for (size_t i = 0; i < n; i++) {
		const struct page_ref *ref = &p->pages[refs[i]];
		struct page_info info = {
			.state = PAGE_PENDING, .reason = reason, .node = ref->node, .error = error
		};
		int err;

		if (!recorded(w, ref)) {
			(*private_count)++;
			continue;
		}
		err = record_one(w, p, refs[i], &info);
		if (err < 0)
			return err;
	}
	return 0;
}

/*
 * Tell the trace hook about pages left on CXL, one event per run of adjacent
 * pages of one mapping that stayed for the same reason.
 */
static void trace_left(const struct sweeper *w, const struct process_report *p, const size_t *refs,
		       const int *why_errno, size_t n, const char *why)
{
	char buf[64];

	if (!w->ctx->trace)
		return;
	for (size_t i = 0; i < n;) {
		const struct page_ref *first = &p->pages[refs[i]];
		size_t psz = p->maps[first->map].page_size, run = 1;
		int e = why_errno ? why_errno[i] : 0;

		while (i + run < n && p->pages[refs[i + run]].map == first->map &&
		       p->pages[refs[i + run]].addr == first->addr + run * psz &&
		       (why_errno ? why_errno[i + run] : 0) == e)
			run++;
		if (why_errno) {
			const char *name = strerrorname_np(-e);

			snprintf(buf, sizeof(buf), "move_pages: %s", name ? name : "unknown error");
		}
		cxlp_trace(w->ctx, p->info.pid, first->addr, run, first->node,
			   why_errno ? buf : why);
		i += run;
	}
}

static pid_t still_same(void *userdata)
{
	return proc_handle_task(userdata);
}

/* Move the planned pages; record what became of each. */
static int act(struct sweeper *w, struct process_report *p, const struct move_plan *plan,
	       struct process_moves *pm)
{
	struct sweep_moves *mv = &w->res->moves;
	_cleanup_free_ uint64_t *addrs = NULL;
	_cleanup_free_ int *outcome = NULL;
	struct migrate_request req = {
		.pid = p->handle.mm_tid,
		.flags = w->opts->move_flags,
		.still_same = still_same,
		.userdata = &p->handle,
		.move_pages = w->ctx->move_pages,
	};
	int r;

	if (plan->n == 0)
		return 0;
	addrs = malloc(plan->n * sizeof(*addrs));
	outcome = malloc(plan->n * sizeof(*outcome));
	if (!addrs || !outcome)
		return -ENOMEM;
	for (size_t i = 0; i < plan->n; i++)
		addrs[i] = p->pages[plan->refs[i]].addr;
	if (w->opts->dry_run) {
		for (size_t i = 0; i < plan->n; i++)
			outcome[i] = plan->targets[i];
	} else {
		r = migrate_move(&req, addrs, plan->targets, plan->n, &w->pacer, outcome,
				 &w->res->calls);
		if (r == -ENOMEM)
			return r;
		pm->not_moved_vanished = r == -ESRCH;
	}
	for (size_t i = 0; i < plan->n; i++) {
		const struct page_ref *ref = &p->pages[plan->refs[i]];
		uint64_t size = p->maps[ref->map].page_size;
		bool shared = recorded(w, ref);
		struct page_info info = { .node = ref->node };

		if (outcome[i] >= 0) {
			info.state = PAGE_SETTLED;
			info.node = outcome[i];
			pm->moved++;
			if (w->opts->dry_run) {
				mv->would_move_pages++;
				mv->would_move_bytes += size;
			} else {
				mv->moved_pages++;
				mv->moved_bytes += size;
				p->pages[plan->refs[i]].moved = true;
				p->pages[plan->refs[i]].moved_to = outcome[i];
			}
		} else {
			info.state = PAGE_PENDING;
			info.reason = outcome[i] == -ESRCH ? PENDING_VANISHED : PENDING_FAILED;
			info.error = -outcome[i];
			if (outcome[i] == -ESRCH)
				pm->vanished++;
			else {
				pm->failed++;
				pm->failures[-outcome[i] < MIGRATE_ERRNO_MAX ? -outcome[i] : EIO]++;
			}
			if (!shared && outcome[i] == -ESRCH) {
				mv->vanished_pages++;
			} else if (!shared) {
				int e = -outcome[i] < MIGRATE_ERRNO_MAX ? -outcome[i] : EIO;

				mv->failed_pages++;
				mv->failures[e]++;
			}
		}
		/* a moved page left its frame behind: that frame may soon hold another page */
		if (shared && !(ref->by_frame && outcome[i] >= 0)) {
			r = record_one(w, p, plan->refs[i], &info);
			if (r < 0)
				return r;
		}
	}
	if (w->ctx->trace) {
		_cleanup_free_ size_t *left = malloc(plan->n * sizeof(*left));
		size_t n_left = 0;

		if (!left)
			return -ENOMEM;
		for (size_t i = 0; i < plan->n; i++)
			if (outcome[i] < 0) {
				left[n_left] = plan->refs[i];
				outcome[n_left++] = outcome[i];
			}
		trace_left(w, p, left, outcome, n_left, NULL);
	}
	return 0;
}

/* Shared pages newly found where nothing is owed (DRAM, or anywhere when only scanning). */
static int settle_found(struct sweeper *w, const struct process_report *p)
{
	bool moving = w->opts->migrate;

	for (size_t i = 0; i < p->n_pages; i++) {
		const struct page_ref *ref = &p->pages[i];
		struct page_info info = { .state = PAGE_SETTLED, .node = ref->node };
		int err;

		if (ref->file_page == PAGE_REF_PRIVATE || ref->deduplicated)
			continue;
		if (moving && movable_cxl_page(w->ctx->topo, p, ref))
			continue; /* the plan decides */
		err = record_one(w, p, i, &info);
		if (err < 0)
			return err;
	}
	return 0;
}

static int plan_and_act(struct sweeper *w, struct process_report *p, struct process_moves *pm)
{
	_cleanup_(move_plan_clear) struct move_plan plan = { 0 };
	struct sweep_moves *mv = &w->res->moves;
	int err;

	err = settle_found(w, p);
	if (err < 0 || !w->opts->migrate)
		return err;
	err = sweep_plan_process(w->ctx->topo, p, w->opts->targets, &w->budget_bytes, &plan);
	if (err < 0)
		return err;
	pm->planned = plan.n + plan.n_no_target + plan.n_over_budget;
	for (size_t i = 0; i < pm->planned; i++) {
		size_t ref = i < plan.n ? plan.refs[i]
			     : i < plan.n + plan.n_no_target
				     ? plan.no_target[i - plan.n]
				     : plan.over_budget[i - plan.n - plan.n_no_target];

		w->res->planned_pages += !p->pages[ref].counted;
	}
	pm->no_target = plan.n_no_target;
	pm->budget = plan.n_over_budget;
	err = leave_pages(w, p, plan.no_target, plan.n_no_target, PENDING_NO_TARGET, 0,
			  &mv->no_target_pages);
	if (err < 0)
		return err;
	trace_left(w, p, plan.no_target, NULL, plan.n_no_target,
		   "no DRAM node in the process's cpuset (mems_allowed)");
	trace_left(w, p, plan.over_budget, NULL, plan.n_over_budget,
		   "byte budget (--max-bytes) used up");
	err = leave_pages(w, p, plan.over_budget, plan.n_over_budget, PENDING_BUDGET, 0,
			  &mv->budget_pages);
	if (err < 0)
		return err;
	return act(w, p, &plan, pm);
}

static int add_cgroup_totals(struct sweep_result *res, const struct process_report *p)
{
	size_t g;

	for (g = 0; g < res->n_cgroups; g++)
		if (strcmp(res->cgroups[g].cgroup, p->info.cgroup) == 0)
			break;
	if (g == res->n_cgroups) {
		if (GROW_ARRAY(res->cgroups, res->cap_cgroups, res->n_cgroups + 1) < 0)
			return -ENOMEM;
		memset(&res->cgroups[g], 0, sizeof(res->cgroups[g]));
		snprintf(res->cgroups[g].cgroup, sizeof(res->cgroups[g].cgroup), "%s",
			 p->info.cgroup);
		res->n_cgroups++;
	}
	scan_totals_add(&res->cgroups[g].totals, &p->totals);
	return 0;
}

static int sweep_one(struct sweeper *w, pid_t pid, sweep_process_fn on_process, void *userdata)
{
	struct process_report p;
	struct process_moves pm = { 0 };
	struct sweep_result *res = w->res;
	int r;

	r = scanner_scan_process(&w->scanner, pid, &p);
	if (r == 0) {
		res->used_procmap_query |= p.used_procmap_query;
		res->used_pagemap_scan |= p.used_pagemap_scan;
		r = plan_and_act(w, &p, &pm);
		if (r == -ENOMEM)
			goto out;
		if (pm.not_moved_vanished)
			p.error = -ESRCH;
		else if (r < 0)
			p.error = r;
		r = 0;
	}
	switch (p.error) {
	case 0:
		scan_totals_add(&res->totals, &p.totals);
		r = add_cgroup_totals(res, &p);
		if (r < 0)
			goto out;
		break;
	case -ESRCH:
		res->vanished++;
		break;
	case -EACCES:
	case -EPERM:
		if (!res->denied++)
			res->first_denied = pid;
		break;
	case -EINVAL:
		res->malformed++;
		break;
	case -ENOMEM:
		r = -ENOMEM;
		goto out;
	default:
		res->failed++;
		break;
	}
	r = on_process ? on_process(&p, &pm, userdata) : 0;
out:
	process_report_clear(&p);
	return r;
}

/* Shared pages still pending at the end: what the run could not move, once each. */
static void count_pending(const struct file_key *key, const struct page_segment *seg, void *data)
{
	struct sweep_moves *mv = data;
	size_t n = seg->hi - seg->lo;

	(void)key;
	if (seg->info.state != PAGE_PENDING)
		return;
	switch (seg->info.reason) {
	case PENDING_NO_TARGET:
		mv->no_target_pages += n;
		break;
	case PENDING_BUDGET:
		mv->budget_pages += n;
		break;
	case PENDING_VANISHED:
		mv->vanished_pages += n;
		break;
	case PENDING_FAILED:
	default: {
		int e = seg->info.error > 0 && seg->info.error < MIGRATE_ERRNO_MAX ? seg->info.error
										   : EIO;

		mv->failed_pages += n;
		mv->failures[e] += n;
		break;
	}
	}
}

int sweep_run(const struct cxlp_ctx *ctx, const pid_t *pids, size_t n,
	      const struct sweep_options *opts, sweep_process_fn on_process, void *userdata,
	      struct sweep_result *ret)
{
	struct sweep_result res = { 0 };
	struct sweeper w = {
		.ctx = ctx,
		.opts = opts,
		.budget_bytes = opts->max_bytes ? opts->max_bytes : UINT64_MAX,
		.res = &res,
	};
	int r;

	if (!ctx->live)
		return -EXDEV;
	migrate_pacer_init(&w.pacer, opts->chunk_target_ns);
	r = scanner_init(&w.scanner, ctx, !opts->no_dedupe);
	w.scanner.no_status = !opts->migrate && opts->scan_without_status;
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		r = sweep_one(&w, pids[i], on_process, userdata);
		if (r < 0)
			break;
	}
	if (r >= 0)
		if (w.scanner.state)
			pagestate_foreach(w.scanner.state, count_pending, &res.moves);
	scanner_done(&w.scanner);
	if (r < 0) {
		sweep_result_clear(&res);
		return r;
	}
	*ret = res;
	return 0;
}
