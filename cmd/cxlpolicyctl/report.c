/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <json.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "placement.h"

static json_object *totals_to_json(const struct scan_totals *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "processes", json_object_new_uint64(t->processes));
	json_object_object_add(o, "mappings", json_object_new_uint64(t->mappings));
	json_object_object_add(o, "pages", json_object_new_uint64(t->pages));
	json_object_object_add(o, "resident", json_object_new_uint64(t->resident));
	json_object_object_add(o, "deduplicated", json_object_new_uint64(t->deduplicated));
	json_object_object_add(o, "cxl_pages", json_object_new_uint64(t->cxl_pages));
	json_object_object_add(o, "unmovable_cxl_pages",
			       json_object_new_uint64(t->unmovable_cxl_pages));
	json_object_object_add(o, "straddling_mappings", json_object_new_uint64(t->straddling));
	json_object_object_add(o, "tier_boundaries", json_object_new_uint64(t->tier_boundaries));
	return o;
}

static json_object *mapping_to_json(const struct mapping_report *m, const struct topology *topo)
{
	json_object *o = json_object_new_object();
	json_object *nodes = json_object_new_object();
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)m->vma.start);
	json_object_object_add(o, "start", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)m->vma.end);
	json_object_object_add(o, "end", json_object_new_string(buf));
	json_object_object_add(o, "perms", json_object_new_string(m->vma.perms));
	json_object_object_add(o, "path", json_object_new_string(m->vma.name));
	json_object_object_add(o, "deleted", json_object_new_boolean(m->vma.deleted));
	json_object_object_add(o, "inode", json_object_new_uint64(m->vma.inode));
	snprintf(buf, sizeof(buf), "%x:%x", m->vma.dev_major, m->vma.dev_minor);
	json_object_object_add(o, "dev", json_object_new_string(buf));
	json_object_object_add(o, "offset", json_object_new_uint64(m->vma.offset));
	json_object_object_add(o, "kind",
			       json_object_new_string(m->special     ? "special"
						      : m->vma.inode ? "file"
								     : "anon"));
	json_object_object_add(o, "pages", json_object_new_uint64(m->pages));
	json_object_object_add(o, "resident", json_object_new_uint64(m->resident));
	json_object_object_add(o, "deduplicated", json_object_new_uint64(m->deduplicated));
	for (int id = 0; id <= topo->max_node; id++) {
		if (!m->node_pages[id])
			continue;
		snprintf(buf, sizeof(buf), "%d", id);
		json_object_object_add(nodes, buf, json_object_new_uint64(m->node_pages[id]));
	}
	json_object_object_add(o, "nodes", nodes);
	json_object_object_add(o, "cxl_pages", json_object_new_uint64(m->cxl_pages));
	json_object_object_add(o, "straddle", json_object_new_boolean(m->straddle));
	json_object_object_add(o, "tier_boundaries", json_object_new_uint64(m->tier_boundaries));
	return o;
}

static const char *error_word(int error)
{
	switch (error) {
	case 0:
		return NULL;
	case -ESRCH:
		return "vanished";
	case -EACCES:
	case -EPERM:
		return "permission denied";
	default:
		return strerror(-error);
	}
}

static json_object *process_to_json(const struct process_report *p, const struct topology *topo)
{
	json_object *o = json_object_new_object();
	json_object *maps = json_object_new_array();

	json_object_object_add(o, "pid", json_object_new_int(p->info.pid));
	json_object_object_add(o, "comm", json_object_new_string(p->info.comm));
	json_object_object_add(o, "cgroup", json_object_new_string(p->info.cgroup));
	if (p->error)
		json_object_object_add(o, "error", json_object_new_string(error_word(p->error)));
	for (size_t i = 0; i < p->n_maps; i++)
		json_object_array_add(maps, mapping_to_json(&p->maps[i], topo));
	json_object_object_add(o, "mappings", maps);
	json_object_object_add(o, "totals", totals_to_json(&p->totals));
	return o;
}

static json_object *failures_to_json(const struct migrate_stats *s)
{
	json_object *o = json_object_new_object();

	for (int e = 1; e < MIGRATE_ERRNO_MAX; e++) {
		const char *name;

		if (!s->failures[e])
			continue;
		name = strerrorname_np(e);
		json_object_object_add(o, name ? name : "EUNKNOWN",
				       json_object_new_uint64(s->failures[e]));
	}
	return o;
}

static void add_migration_json(json_object *root, const struct sweep_result *r,
			       const struct report_options *o)
{
	size_t ps = placement_page_size();
	size_t moved = o->dry_run ? r->would_move_pages : r->moves.moved_pages;

	json_object_object_add(root, "dry_run", json_object_new_boolean(o->dry_run));
	json_object_object_add(root, "moved_pages", json_object_new_uint64(moved));
	json_object_object_add(root, "moved_bytes", json_object_new_uint64(moved * ps));
	json_object_object_add(root, "failed_pages", json_object_new_uint64(r->moves.failed_pages));
	json_object_object_add(root, "failures", failures_to_json(&r->moves));
	json_object_object_add(root, "no_target_pages", json_object_new_uint64(r->no_target_pages));
	json_object_object_add(root, "budget_skipped_pages",
			       json_object_new_uint64(r->budget_skipped_pages));
	json_object_object_add(root, "max_bytes", json_object_new_uint64(o->max_bytes));
	json_object_object_add(root, "move_calls", json_object_new_uint64(r->moves.calls));
	json_object_object_add(root, "retried_pages",
			       json_object_new_uint64(r->moves.retried_pages));
	json_object_object_add(root, "longest_call_us",
			       json_object_new_uint64(r->moves.longest_call_ns / 1000));
}

static void print_json(const struct sweep_result *r, const struct report_options *o)
{
	json_object *root = json_object_new_object();
	json_object *procs = json_object_new_array();
	json_object *groups = json_object_new_array();
	struct cgroup_totals *cg = NULL;
	size_t n_cg = 0;

	for (size_t i = 0; i < r->n_procs; i++)
		json_object_array_add(procs, process_to_json(&r->procs[i], o->topo));
	json_object_object_add(root, "processes", procs);
	if (sweep_cgroup_totals(r, &cg, &n_cg) == 0) {
		for (size_t i = 0; i < n_cg; i++) {
			json_object *g = json_object_new_object();

			json_object_object_add(g, "cgroup", json_object_new_string(cg[i].cgroup));
			json_object_object_add(g, "totals", totals_to_json(&cg[i].totals));
			json_object_array_add(groups, g);
		}
		free(cg);
	}
	json_object_object_add(root, "cgroups", groups);
	json_object_object_add(root, "totals", totals_to_json(&r->totals));
	json_object_object_add(root, "processes_vanished", json_object_new_uint64(r->vanished));
	json_object_object_add(root, "processes_denied", json_object_new_uint64(r->denied));
	json_object_object_add(
		root, "maps_method",
		json_object_new_string(r->used_procmap_query ? "procmap_query" : "text"));
	json_object_object_add(root, "page_size", json_object_new_uint64(placement_page_size()));
	if (o->migrate)
		add_migration_json(root, r, o);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

static void format_nodes(const struct mapping_report *m, const struct topology *topo, char *buf,
			 size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int id = 0; id <= topo->max_node && len < size; id++)
		if (m->node_pages[id])
			len += (size_t)snprintf(buf + len, size - len, "%sN%d=%zu", len ? "," : "",
						id, m->node_pages[id]);
	if (!buf[0])
		snprintf(buf, size, "-");
}

static void print_mappings(const struct process_report *p, const struct topology *topo)
{
	for (size_t i = 0; i < p->n_maps; i++) {
		const struct mapping_report *m = &p->maps[i];
		char nodes[128];

		format_nodes(m, topo, nodes, sizeof(nodes));
		printf("    %012llx-%012llx %s %7zu %8zu %6zu %6zu %-14s %-8s %s%s\n",
		       (unsigned long long)m->vma.start, (unsigned long long)m->vma.end,
		       m->vma.perms, m->pages, m->resident, m->deduplicated, m->cxl_pages, nodes,
		       m->straddle ? "STRADDLE" : "-", m->vma.name[0] ? m->vma.name : "[anon]",
		       m->vma.deleted ? " (deleted)" : "");
	}
}

static void print_totals_line(const char *label, const struct scan_totals *t)
{
	printf("%-28s %9zu %9zu %9zu %9zu %9zu %9zu\n", label, t->mappings, t->pages, t->resident,
	       t->deduplicated, t->cxl_pages, t->straddling);
}

static void print_table(const struct sweep_result *r, const struct report_options *o)
{
	size_t ps = placement_page_size();
	char b1[32];

	if (!o->summary) {
		printf("%-8s %-16s %8s %9s %9s %9s %9s %8s  %s\n", "PID", "COMM", "MAPPINGS",
		       "PAGES", "RESIDENT", "DEDUP", "CXL", "STRADDLE", "CGROUP");
		for (size_t i = 0; i < r->n_procs; i++) {
			const struct process_report *p = &r->procs[i];

			if (p->error) {
				printf("%-8d %-16s %s\n", p->info.pid, p->info.comm,
				       error_word(p->error));
				continue;
			}
			if (p->n_maps == 0 && r->n_procs > 1)
				continue; /* kernel threads, zombies */
			printf("%-8d %-16.16s %8zu %9zu %9zu %9zu %9zu %8zu  %s\n", p->info.pid,
			       p->info.comm, p->totals.mappings, p->totals.pages,
			       p->totals.resident, p->totals.deduplicated, p->totals.cxl_pages,
			       p->totals.straddling, p->info.cgroup);
			if (o->mappings) {
				printf("    %-25s %-4s %7s %8s %6s %6s %-14s %-8s %s\n", "RANGE",
				       "PERM", "PAGES", "RESIDENT", "DEDUP", "CXL", "NODES",
				       "STRADDLE", "PATH");
				print_mappings(p, o->topo);
			}
		}
		putchar('\n');
	}
	if (o->summary || r->n_procs > 1) {
		struct cgroup_totals *cg = NULL;
		size_t n_cg = 0;

		printf("%-28s %9s %9s %9s %9s %9s %9s\n", "CGROUP", "MAPPINGS", "PAGES", "RESIDENT",
		       "DEDUP", "CXL", "STRADDLE");
		if (sweep_cgroup_totals(r, &cg, &n_cg) == 0) {
			for (size_t i = 0; i < n_cg; i++)
				print_totals_line(cg[i].cgroup[0] ? cg[i].cgroup : "(unknown)",
						  &cg[i].totals);
			free(cg);
		}
		putchar('\n');
	}
	printf("total: %zu processes, %zu executable mappings, %zu pages (%s), %zu resident, %zu "
	       "deduplicated, %zu on CXL, %zu straddling\n",
	       r->totals.processes, r->totals.mappings, r->totals.pages,
	       format_bytes(r->totals.pages * ps, b1, sizeof(b1)), r->totals.resident,
	       r->totals.deduplicated, r->totals.cxl_pages, r->totals.straddling);
	if (r->vanished || r->denied)
		printf("skipped: %zu vanished, %zu not inspectable%s\n", r->vanished, r->denied,
		       r->denied ? " (run as root or with CAP_SYS_PTRACE)" : "");
	if (o->migrate) {
		size_t moved = o->dry_run ? r->would_move_pages : r->moves.moved_pages;

		printf("%s %zu pages (%s) from CXL to DRAM", o->dry_run ? "would move" : "moved",
		       moved, format_bytes(moved * ps, b1, sizeof(b1)));
		if (r->moves.failed_pages) {
			printf(", %zu failed (", r->moves.failed_pages);
			for (int e = 1, first = 1; e < MIGRATE_ERRNO_MAX; e++) {
				if (!r->moves.failures[e])
					continue;
				printf("%s%s=%zu", first ? "" : " ", strerrorname_np(e),
				       r->moves.failures[e]);
				first = 0;
			}
			printf(")");
		}
		if (r->no_target_pages)
			printf(", %zu with no allowed DRAM node", r->no_target_pages);
		if (r->budget_skipped_pages)
			printf(", %zu left by --max-bytes", r->budget_skipped_pages);
		putchar('\n');
	}
}

void report_print(const struct sweep_result *res, const struct report_options *o)
{
	if (o->json)
		print_json(res, o);
	else
		print_table(res, o);
}
