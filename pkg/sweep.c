/* SPDX-License-Identifier: MIT */
#include "sweep.h"

#include <numaif.h>
#include <string.h>

#include "placement.h"

void sweep_result_clear(struct sweep_result *r)
{
	for (size_t i = 0; i < r->n_procs; i++)
		process_report_clear(&r->procs[i]);
	free(r->procs);
	memset(r, 0, sizeof(*r));
}

/* Target node for every page of @p; pages with no target get -1. */
static void plan_targets(const struct topology *topo, const struct process_report *p, int *targets)
{
	int prefer = p->info.cpu >= 0 ? topology_cpu_node(topo, p->info.cpu) : -1;
	const struct idset *allowed = p->info.has_mems_allowed ? &p->info.mems_allowed : NULL;
	int last_from = -2, last_target = -1;

	for (size_t i = 0; i < p->n_moves; i++) {
		if (p->moves[i].node != last_from) {
			last_from = p->moves[i].node;
			last_target = topology_nearest_dram(topo, last_from, allowed, prefer);
		}
		targets[i] = last_target;
	}
}

static int move_process(const struct topology *topo, struct process_report *p,
			const struct sweep_options *opts, struct migrate_pacer *pacer,
			size_t *budget_pages, struct sweep_result *res)
{
	_cleanup_free_ int *targets = NULL;
	_cleanup_free_ uint64_t *addrs = NULL;
	_cleanup_free_ int *nodes = NULL;
	size_t n = 0, allowed;
	int r;

	if (p->n_moves == 0)
		return 0;
	targets = malloc(p->n_moves * sizeof(*targets));
	addrs = malloc(p->n_moves * sizeof(*addrs));
	nodes = malloc(p->n_moves * sizeof(*nodes));
	if (!targets || !addrs || !nodes)
		return -ENOMEM;
	plan_targets(topo, p, targets);
	for (size_t i = 0; i < p->n_moves; i++) {
		if (targets[i] < 0) {
			res->no_target_pages++;
			continue;
		}
		addrs[n] = p->moves[i].addr;
		nodes[n] = targets[i];
		n++;
	}
	allowed = MIN(n, *budget_pages);
	res->budget_skipped_pages += n - allowed;
	*budget_pages -= allowed;
	if (opts->dry_run) {
		res->would_move_pages += allowed;
		return 0;
	}
	{
		struct migrate_request req = { .pid = p->info.pid, .flags = opts->move_flags };
		_cleanup_free_ int *outcome = malloc(MAX(allowed, (size_t)1) * sizeof(*outcome));

		if (!outcome)
			return -ENOMEM;
		r = migrate_move(&req, addrs, nodes, allowed, pacer, outcome, &res->moves);
	}
	return r;
}

static int push_report(struct sweep_result *res, size_t *cap, struct process_report *p)
{
	if (GROW_ARRAY(res->procs, *cap, res->n_procs + 1) < 0)
		return -ENOMEM;
	res->procs[res->n_procs++] = *p;
	return 0;
}

int sweep_run(const struct sysroot *root, const struct topology *topo, const pid_t *pids, size_t n,
	      const struct sweep_options *opts, struct sweep_result *ret)
{
	struct scan_options sopts = {
		.maps_method = opts->maps_method,
		.dedupe = true,
		.collect_moves = opts->migrate,
	};
	struct scanner scanner;
	struct migrate_pacer pacer;
	size_t cap = 0;
	size_t budget = SIZE_MAX;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (opts->max_bytes)
		budget = opts->max_bytes / placement_page_size();
	migrate_pacer_init(&pacer, opts->chunk_target_ns);
	r = scanner_init(&scanner, root, topo, &sopts);
	if (r < 0)
		return r;

	for (size_t i = 0; i < n; i++) {
		struct process_report p;

		r = scanner_scan_process(&scanner, pids[i], &p);
		if (r == -ENOMEM)
			goto fail;
		if (r == -ESRCH) {
			ret->vanished++;
		} else if (r == -EACCES || r == -EPERM) {
			if (!ret->denied++)
				ret->first_denied = pids[i];
		} else if (r == 0) {
			ret->used_procmap_query |= p.used_procmap_query;
			ret->planned_pages += p.n_moves;
			if (opts->migrate) {
				r = move_process(topo, &p, opts, &pacer, &budget, ret);
				if (r == -ESRCH) {
					ret->vanished++;
					p.error = -ESRCH;
				} else if (r == -ENOMEM) {
					process_report_clear(&p);
					goto fail;
				} else if (r < 0) {
					p.error = r;
				}
			}
			if (p.error == 0)
				scan_totals_add(&ret->totals, &p.totals);
		}
		/* Keep only the reports worth showing; drop the page lists. */
		free(p.moves);
		p.moves = NULL;
		p.n_moves = p.cap_moves = 0;
		r = push_report(ret, &cap, &p);
		if (r < 0) {
			process_report_clear(&p);
			goto fail;
		}
	}
	scanner_done(&scanner);
	return 0;
fail:
	scanner_done(&scanner);
	sweep_result_clear(ret);
	return -ENOMEM;
}

int sweep_cgroup_totals(const struct sweep_result *r, struct cgroup_totals **ret, size_t *ret_n)
{
	struct cgroup_totals *groups = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < r->n_procs; i++) {
		const struct process_report *p = &r->procs[i];
		size_t g;

		if (p->error)
			continue;
		for (g = 0; g < n; g++)
			if (strcmp(groups[g].cgroup, p->info.cgroup) == 0)
				break;
		if (g == n) {
			if (GROW_ARRAY(groups, cap, n + 1) < 0) {
				free(groups);
				return -ENOMEM;
			}
			memset(&groups[n], 0, sizeof(groups[n]));
			snprintf(groups[n].cgroup, sizeof(groups[n].cgroup), "%s", p->info.cgroup);
			n++;
		}
		scan_totals_add(&groups[g].totals, &p->totals);
	}
	*ret = groups;
	*ret_n = n;
	return 0;
}
