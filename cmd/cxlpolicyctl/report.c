/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <inttypes.h>
#include <json.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "placement.h"

/* A JSON string of untrusted bytes: always valid UTF-8. */
static json_object *json_text(const char *s)
{
	_cleanup_free_ char *clean = utf8_sanitize_dup(s ? s : "");

	return json_object_new_string(clean ? clean : "");
}

static void json_add_size(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static json_object *totals_to_json(const struct scan_totals *t)
{
	json_object *o = json_object_new_object();

	json_add_size(o, "processes", t->processes);
	json_add_size(o, "mappings", t->mappings);
	json_add_size(o, "pages", t->pages);
	json_add_size(o, "resident", t->resident);
	json_add_size(o, "resident_bytes", t->resident_bytes);
	json_add_size(o, "deduplicated", t->deduplicated);
	json_add_size(o, "private_copies", t->private_copies);
	json_add_size(o, "cxl_pages", t->cxl_pages);
	json_add_size(o, "cxl_bytes", t->cxl_bytes);
	json_add_size(o, "unmovable_cxl_pages", t->unmovable_cxl_pages);
	json_add_size(o, "straddling_mappings", t->straddling);
	json_add_size(o, "tier_boundaries", t->tier_boundaries);
	json_add_size(o, "truncated_mappings", t->truncated_mappings);
	return o;
}

static const char *mapping_kind(const struct mapping_file *f)
{
	return f->special ? "special" : f->inode ? "file" : "anon";
}

static json_object *mapping_to_json(const struct process_report *p, const struct mapping_report *m)
{
	const struct mapping_file *f = mapping_file_of(p, m);
	json_object *o = json_object_new_object();
	json_object *nodes = json_object_new_object();
	char buf[32];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)m->start);
	json_object_object_add(o, "start", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)m->end);
	json_object_object_add(o, "end", json_object_new_string(buf));
	json_object_object_add(o, "perms", json_object_new_string(f->perms));
	json_object_object_add(o, "path", json_text(f->name));
	json_object_object_add(o, "deleted", json_object_new_boolean(f->deleted));
	json_add_size(o, "inode", f->inode);
	snprintf(buf, sizeof(buf), "%x:%x", f->dev_major, f->dev_minor);
	json_object_object_add(o, "dev", json_object_new_string(buf));
	json_add_size(o, "offset", m->offset);
	json_object_object_add(o, "kind", json_object_new_string(mapping_kind(f)));
	json_add_size(o, "page_size", m->page_size);
	json_add_size(o, "pages", mapping_pages(m));
	json_add_size(o, "resident", m->resident);
	json_add_size(o, "deduplicated", m->deduplicated);
	json_add_size(o, "private_copies", m->private_copies);
	json_add_size(o, "huge", m->huge);
	for (size_t i = 0; i < m->n_nodes; i++) {
		struct node_pages np = mapping_node(p, m, i);

		snprintf(buf, sizeof(buf), "%d", np.node);
		json_add_size(nodes, buf, np.pages);
	}
	json_object_object_add(o, "nodes", nodes);
	json_add_size(o, "cxl_pages", m->cxl_pages);
	json_object_object_add(o, "straddle", json_object_new_boolean(m->straddle));
	json_add_size(o, "tier_boundaries", m->tier_boundaries);
	if (m->skipped_empty)
		json_object_object_add(o, "skipped_empty", json_object_new_boolean(true));
	if (m->walk_truncated)
		json_object_object_add(o, "walk_truncated", json_object_new_boolean(true));
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
	case -EINVAL:
		return "malformed";
	default:
		return strerror(-error);
	}
}

static json_object *moves_to_json(const struct process_moves *pm)
{
	json_object *o = json_object_new_object();

	json_add_size(o, "planned", pm->planned);
	json_add_size(o, "moved", pm->moved);
	json_add_size(o, "failed", pm->failed);
	json_add_size(o, "no_target", pm->no_target);
	json_add_size(o, "budget", pm->budget);
	json_add_size(o, "vanished", pm->vanished);
	return o;
}

/* The inside of a JSON object, without its braces, to continue a streamed document. */
static void print_members(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(s);

	if (len >= 2)
		fwrite(s + 1, 1, len - 2, stdout);
}

static void print_json_value(json_object *o)
{
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE),
	      stdout);
}

/*
 * One process, streamed: its fields, then each mapping as it is formatted,
 * then its totals, so a process with 65,000 mappings never sits in memory as
 * json-c objects.
 */
static void print_process_json(const struct process_report *p, const struct process_moves *pm,
			       bool migrate)
{
	json_object *head = json_object_new_object(), *tail = json_object_new_object();

	json_object_object_add(head, "pid", json_object_new_int(p->info.pid));
	if (p->handle.mm_tid && p->handle.mm_tid != p->info.pid)
		json_object_object_add(head, "mm_tid", json_object_new_int(p->handle.mm_tid));
	json_object_object_add(head, "comm", json_text(p->info.comm));
	json_object_object_add(head, "cgroup", json_text(p->info.cgroup));
	if (p->error)
		json_object_object_add(head, "error", json_object_new_string(error_word(p->error)));
	if (p->message[0])
		json_object_object_add(head, "message", json_text(p->message));
	putchar('{');
	print_members(head);
	fputs(",\"mappings\":[", stdout);
	for (size_t i = 0; i < p->n_maps; i++) {
		json_object *m = mapping_to_json(p, &p->maps[i]);

		if (i)
			putchar(',');
		print_json_value(m);
		json_object_put(m);
	}
	fputs("],", stdout);
	json_object_object_add(tail, "totals", totals_to_json(&p->totals));
	if (migrate)
		json_object_object_add(tail, "moves", moves_to_json(pm));
	print_members(tail);
	putchar('}');
	json_object_put(head);
	json_object_put(tail);
}

static json_object *failures_to_json(const size_t *failures)
{
	json_object *o = json_object_new_object();

	for (int e = 1; e < MIGRATE_ERRNO_MAX; e++) {
		const char *name;

		if (!failures[e])
			continue;
		name = strerrorname_np(e);
		json_add_size(o, name ? name : "EUNKNOWN", failures[e]);
	}
	return o;
}

static const char *move_privilege_name(enum move_privilege p)
{
	switch (p) {
	case MOVE_PRIVILEGE_ALL:
		return "move_all";
	case MOVE_PRIVILEGE_NO_CAP:
		return "no_cap_sys_nice";
	case MOVE_PRIVILEGE_USERNS:
		return "user_namespace";
	}
	return "unknown";
}

static void add_migration_json(json_object *root, const struct sweep_result *r,
			       const struct report_options *o)
{
	const struct sweep_moves *mv = &r->moves;

	json_object_object_add(root, "dry_run", json_object_new_boolean(o->dry_run));
	json_add_size(root, "moved_pages", o->dry_run ? mv->would_move_pages : mv->moved_pages);
	json_add_size(root, "moved_bytes", o->dry_run ? mv->would_move_bytes : mv->moved_bytes);
	json_add_size(root, "failed_pages", mv->failed_pages);
	json_object_object_add(root, "failures", failures_to_json(mv->failures));
	json_add_size(root, "no_target_pages", mv->no_target_pages);
	json_add_size(root, "budget_skipped_pages", mv->budget_pages);
	json_add_size(root, "vanished_pages", mv->vanished_pages);
	json_add_size(root, "planned_pages", r->planned_pages);
	json_add_size(root, "max_bytes", o->max_bytes);
	json_add_size(root, "move_calls", r->calls.calls);
	json_add_size(root, "requeries", r->calls.requeries);
	json_add_size(root, "retried_pages", r->calls.retried_pages);
	json_add_size(root, "longest_call_us", r->calls.longest_call_ns / 1000);
	json_object_object_add(root, "fell_back_to_move",
			       json_object_new_boolean(r->calls.fell_back_to_move));
	json_object_object_add(root, "move_privilege",
			       json_object_new_string(move_privilege_name(o->privilege)));
	json_object_object_add(root, "shared_pages_need_cap_sys_nice",
			       json_object_new_boolean(o->privilege != MOVE_PRIVILEGE_ALL ||
						       r->calls.fell_back_to_move));
	json_object_object_add(root, "complete", json_object_new_boolean(!sweep_left_pages(r)));
}

static void end_json(const struct sweep_result *r, const struct report_options *o)
{
	json_object *root = json_object_new_object();
	json_object *groups = json_object_new_array();

	for (size_t i = 0; i < r->n_cgroups; i++) {
		json_object *g = json_object_new_object();

		json_object_object_add(g, "cgroup", json_text(r->cgroups[i].cgroup));
		json_object_object_add(g, "totals", totals_to_json(&r->cgroups[i].totals));
		json_object_array_add(groups, g);
	}
	json_object_object_add(root, "cgroups", groups);
	json_object_object_add(root, "totals", totals_to_json(&r->totals));
	json_add_size(root, "processes_vanished", r->vanished);
	json_add_size(root, "processes_denied", r->denied);
	json_add_size(root, "processes_malformed", r->malformed);
	json_add_size(root, "processes_failed", r->failed);
	json_object_object_add(
		root, "maps_method",
		json_object_new_string(r->used_procmap_query ? "procmap_query" : "text"));
	json_object_object_add(
		root, "residency_method",
		json_object_new_string(r->used_pagemap_scan ? "pagemap_scan" : "pagemap"));
	json_add_size(root, "page_size", placement_page_size());
	if (o->migrate)
		add_migration_json(root, r, o);
	fputs("],", stdout);
	print_members(root);
	fputs("}\n", stdout);
	json_object_put(root);
}

static void format_nodes(const struct process_report *p, const struct mapping_report *m, char *buf,
			 size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < m->n_nodes && len < size; i++) {
		struct node_pages np = mapping_node(p, m, i);

		len += (size_t)snprintf(buf + len, size - len, "%sN%d=%" PRIu32, len ? "," : "",
					np.node, np.pages);
	}
	if (!buf[0])
		snprintf(buf, size, "-");
}

static void print_mappings(const struct process_report *p)
{
	printf("    %-25s %-4s %7s %8s %6s %6s %-14s %-8s %s\n", "RANGE", "PERM", "PAGES",
	       "RESIDENT", "DEDUP", "CXL", "NODES", "STRADDLE", "PATH");
	for (size_t i = 0; i < p->n_maps; i++) {
		const struct mapping_report *m = &p->maps[i];
		const struct mapping_file *f = mapping_file_of(p, m);
		char nodes[128];
		_cleanup_free_ char *name = escape_bytes_dup(f->name[0] ? f->name : "[anon]", 0);

		format_nodes(p, m, nodes, sizeof(nodes));
		printf("    %012llx-%012llx %s %7" PRIu64 " %8" PRIu32 " %6" PRIu32 " %6" PRIu32
		       " %-14s %-8s %s%s\n",
		       (unsigned long long)m->start, (unsigned long long)m->end, f->perms,
		       mapping_pages(m), m->resident, m->deduplicated, m->cxl_pages, nodes,
		       m->straddle ? "STRADDLE" : "-", name ? name : "?",
		       f->deleted ? " (deleted)" : "");
	}
}

void report_begin(struct reporter *rep, const struct report_options *o)
{
	memset(rep, 0, sizeof(*rep));
	rep->o = o;
	if (o->json)
		fputs("{\"processes\":[", stdout);
	else if (!o->summary)
		printf("%-8s %-16s %8s %9s %9s %9s %9s %8s  %s\n", "PID", "COMM", "MAPPINGS",
		       "PAGES", "RESIDENT", "DEDUP", "CXL", "STRADDLE", "CGROUP");
}

int report_process(const struct process_report *p, const struct process_moves *moves,
		   void *userdata)
{
	struct reporter *rep = userdata;
	const struct report_options *o = rep->o;
	char comm[ESCAPE_BUF_SIZE(sizeof(p->info.comm))];

	if (o->json) {
		if (o->summary)
			return 0; /* totals only, as in the table */
		if (rep->printed++)
			putchar(',');
		print_process_json(p, moves, o->migrate);
		return 0;
	}
	if (o->summary || (o->single && p->error))
		return 0;
	escape_field(p->info.comm, comm, sizeof(comm));
	if (p->error) {
		printf("%-8d %-16s %s\n", p->info.pid, comm, error_word(p->error));
		return 0;
	}
	if (p->n_maps == 0 && !o->single)
		return 0; /* kernel threads, zombies */
	{
		_cleanup_free_ char *cg = escape_bytes_dup(p->info.cgroup, ESCAPE_FIELD);

		printf("%-8d %-16.16s %8zu %9zu %9zu %9zu %9zu %8zu  %s\n", p->info.pid, comm,
		       p->totals.mappings, p->totals.pages, p->totals.resident,
		       p->totals.deduplicated, p->totals.cxl_pages, p->totals.straddling,
		       cg ? cg : "?");
	}
	if (o->mappings)
		print_mappings(p);
	rep->printed++;
	return 0;
}

static void print_totals_line(const char *label, const struct scan_totals *t)
{
	_cleanup_free_ char *name = escape_bytes_dup(label, ESCAPE_FIELD);

	printf("%-28s %9zu %9zu %9zu %9zu %9zu %9zu\n", name ? name : "?", t->mappings, t->pages,
	       t->resident, t->deduplicated, t->cxl_pages, t->straddling);
}

static void print_failures(const size_t *failures)
{
	for (int e = 1, first = 1; e < MIGRATE_ERRNO_MAX; e++) {
		if (!failures[e])
			continue;
		printf("%s%s=%zu", first ? "" : " ", strerrorname_np(e), failures[e]);
		first = 0;
	}
}

static void end_table(const struct sweep_result *r, const struct report_options *o)
{
	const struct sweep_moves *mv = &r->moves;
	char b1[32], b2[32];

	if (!o->summary)
		putchar('\n');
	if (o->summary || !o->single) {
		printf("%-28s %9s %9s %9s %9s %9s %9s\n", "CGROUP", "MAPPINGS", "PAGES", "RESIDENT",
		       "DEDUP", "CXL", "STRADDLE");
		for (size_t i = 0; i < r->n_cgroups; i++)
			print_totals_line(r->cgroups[i].cgroup[0] ? r->cgroups[i].cgroup
								  : "(unknown)",
					  &r->cgroups[i].totals);
		putchar('\n');
	}
	printf("total: %zu processes, %zu executable mappings, %zu pages, %zu resident (%s), %zu "
	       "deduplicated, %zu on CXL (%s), %zu straddling\n",
	       r->totals.processes, r->totals.mappings, r->totals.pages, r->totals.resident,
	       format_bytes(r->totals.resident_bytes, b1, sizeof(b1)), r->totals.deduplicated,
	       r->totals.cxl_pages, format_bytes(r->totals.cxl_bytes, b2, sizeof(b2)),
	       r->totals.straddling);
	if (r->totals.truncated_mappings)
		printf("note: %zu mappings were walked only up to the pagemap budget (this kernel "
		       "has "
		       "no PAGEMAP_SCAN); pages beyond it were not seen\n",
		       r->totals.truncated_mappings);
	if (r->vanished || r->denied || r->malformed || r->failed)
		printf("skipped: %zu vanished, %zu not inspectable%s%s, %zu malformed, %zu "
		       "failed\n",
		       r->vanished, r->denied, r->denied ? ": " : "",
		       r->denied ? cli_permission_hint(CAP_SYS_PTRACE) : "", r->malformed,
		       r->failed);
	if (!o->migrate)
		return;
	printf("%s %zu pages (%s) from CXL to DRAM", o->dry_run ? "would move" : "moved",
	       o->dry_run ? mv->would_move_pages : mv->moved_pages,
	       format_bytes(o->dry_run ? mv->would_move_bytes : mv->moved_bytes, b1, sizeof(b1)));
	if (mv->failed_pages) {
		printf(", %zu failed (", mv->failed_pages);
		print_failures(mv->failures);
		printf(")");
	}
	if (mv->no_target_pages)
		printf(", %zu with no allowed DRAM node", mv->no_target_pages);
	if (mv->budget_pages)
		printf(", %zu left by --max-bytes", mv->budget_pages);
	if (mv->vanished_pages)
		printf(", %zu of processes that exited first", mv->vanished_pages);
	putchar('\n');
	if (r->calls.fell_back_to_move)
		printf("note: MPOL_MF_MOVE_ALL was refused (EPERM); pages shared with other "
		       "processes need CAP_SYS_NICE on the host (initial user namespace)\n");
}

void report_end(struct reporter *rep, const struct sweep_result *res)
{
	if (rep->o->json)
		end_json(res, rep->o);
	else
		end_table(res, rep->o);
	fflush(stdout);
}
