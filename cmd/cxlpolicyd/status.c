/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpusetmems.h"
#include "escape.h"
#include "governed.h"
#include "macro.h"
#include "numastat.h"
#include "status.h"

#define ADD(obj, key, val) json_object_object_add((obj), (key), (val))

static struct json_object *json_str(const char *s)
{
	char buf[ERROR_MESSAGE_MAX];

	if (!s)
		return NULL;
	return json_object_new_string(utf8_sanitize(s, buf, sizeof(buf)));
}

struct json_object *status_node_array(const struct idset *set)
{
	struct json_object *a = json_object_new_array();

	IDSET_FOREACH(id, set)
		json_object_array_add(a, json_object_new_int(id));
	return a;
}

static struct json_object *counters_json(const struct sweep_counters *c)
{
	struct json_object *o = json_object_new_object(), *f = json_object_new_object();

	ADD(o, "sweeps", json_object_new_uint64(c->sweeps));
	ADD(o, "quiet_sweeps", json_object_new_uint64(c->quiet_sweeps));
	ADD(o, "partial_sweeps", json_object_new_uint64(c->partial_sweeps));
	ADD(o, "processes", json_object_new_uint64(c->processes));
	ADD(o, "exec_cxl_bytes", json_object_new_uint64(c->exec_cxl_bytes));
	ADD(o, "moved_pages", json_object_new_uint64(c->moved_pages));
	ADD(o, "moved_bytes", json_object_new_uint64(c->moved_bytes));
	ADD(o, "failed_pages", json_object_new_uint64(c->failed_pages));
	for (size_t i = 0; i < SWEEP_COUNTERS_ERRNOS; i++) {
		const struct errno_count *ec = &c->failures[i];
		const char *name = ec->errnum > 0 ? strerrorname_np(ec->errnum) : "other";

		if (ec->errnum)
			ADD(f, name ? name : "unknown", json_object_new_uint64(ec->pages));
	}
	ADD(o, "failures", f);
	ADD(o, "no_target_pages", json_object_new_uint64(c->no_target_pages));
	ADD(o, "redemotions", json_object_new_uint64(c->redemotions));
	ADD(o, "last_sweep_usec",
	    c->last_sweep_realtime_usec ? json_object_new_uint64(c->last_sweep_realtime_usec)
					: NULL);
	ADD(o, "last_duration_usec", json_object_new_uint64(c->last_duration_usec));
	return o;
}

/* The task mempolicy of @pid as numa_maps shows it for its first mapping (read-only). */
static struct json_object *process_mempolicy(struct manager *m, pid_t pid)
{
	_cleanup_close_ int fd = -1;
	char rel[64], buf[512];
	ssize_t n;
	char *sp, *end;

	snprintf(rel, sizeof(rel), "proc/%d/numa_maps", (int)pid);
	fd = sysroot_open_file(m->root, rel);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	sp = strchr(buf, ' ');
	if (!sp)
		return NULL;
	end = strpbrk(sp + 1, " \n");
	if (end)
		*end = '\0';
	return json_str(sp + 1);
}

/* What is where: the cgroup's anonymous and file memory per node (memory.numa_stat), or null. */
static struct json_object *memory_by_node(struct manager *m, const char *cgroup)
{
	struct json_object *o;
	struct numa_stat st;

	if (numastat_read(m->root, &m->cgmode, cgroup, (size_t)sysconf(_SC_PAGESIZE), &st, NULL) <
	    0)
		return NULL;
	o = json_object_new_object();
	for (size_t i = 0; i < st.n_nodes; i++) {
		struct json_object *n = json_object_new_object();
		char key[16];

		ADD(n, "anon",
		    json_object_new_uint64(numastat_get(&st, NUMASTAT_ANON, st.nodes[i].node)));
		ADD(n, "file",
		    json_object_new_uint64(numastat_get(&st, NUMASTAT_FILE, st.nodes[i].node)));
		snprintf(key, sizeof(key), "%d", st.nodes[i].node);
		ADD(o, key, n);
	}
	numastat_done(&st);
	return o;
}

static struct json_object *cgroup_json(struct manager *m, const struct governed_cgroup *g,
				       bool detail)
{
	const struct policy *p = &m->policies->set->policies[g->policy];
	struct json_object *o = json_object_new_object(), *mems = json_object_new_object();
	struct cpuset_mems cur;
	struct idset before;

	ADD(o, "cgroup", json_str(g->path));
	ADD(o, "policy", json_str(p->name));
	ADD(o, "file", json_str(policydir_policy_file(m->policies, g->policy)));
	ADD(o, "why", json_str(g->why));
	ADD(o, "candidates", json_object_new_uint64(g->n_candidates));
	ADD(o, "warning", g->nesting_warning ? json_str(g->nesting_warning) : NULL);
	ADD(mems, "policy", status_node_array(&p->mems));
	if (cpusetmems_read(m->root, &m->cgmode, g->path, &cur, NULL) == 0) {
		ADD(mems, "now", cur.inherit ? NULL : status_node_array(&cur.mems));
		ADD(mems, "effective", status_node_array(&cur.effective));
	}
	if (!g->mems_inherit_before && idset_parse(g->mems_before, &before) == 0)
		ADD(mems, "before", status_node_array(&before));
	else
		ADD(mems, "before", NULL);
	ADD(mems, "written", json_object_new_boolean(g->mems_written));
	ADD(mems, "error", g->mems_message ? json_str(g->mems_message) : NULL);
	ADD(o, "mems", mems);
	ADD(o, "memory_by_node", memory_by_node(m, g->path));
	ADD(o, "exec", counters_json(&g->counters));
	if (detail) {
		/* read-only: no interface sets a running process's mempolicy */
		struct json_object *procs = json_object_new_array();
		_cleanup_free_ char *text = NULL;
		char rel[PATH_MAX];

		if (cgroup_path_join(manager_cgroup_dir(m), g->path, rel, sizeof(rel) - 16) == 0) {
			strcat(rel, "/cgroup.procs");
			if (sysroot_read_file(m->root, rel, &text, NULL) == 0) {
				char *save = NULL;

				for (char *t = strtok_r(text, "\n", &save); t;
				     t = strtok_r(NULL, "\n", &save)) {
					struct json_object *po = json_object_new_object();
					pid_t pid = (pid_t)atoi(t);

					ADD(po, "pid", json_object_new_int(pid));
					ADD(po, "mempolicy", process_mempolicy(m, pid));
					json_object_array_add(procs, po);
				}
			}
		}
		ADD(o, "processes_mempolicy_readonly", procs);
	}
	return o;
}

struct json_object *status_build(struct manager *m, const char *cgroup, int *ret_errno)
{
	struct json_object *o = json_object_new_object(), *d = json_object_new_object();
	struct json_object *pols = json_object_new_array(), *cgs = json_object_new_array();
	struct json_object *warn = json_object_new_array(), *files = json_object_new_array();
	size_t n = m->policies ? m->policies->set->n_policies : 0;

	*ret_errno = 0;
	ADD(d, "pid", json_object_new_int(getpid()));
	ADD(d, "started_usec", json_object_new_uint64(m->started_realtime_usec));
	ADD(d, "policy_dir", json_str(m->cfg.policy_dir));
	for (size_t i = 0; m->policies && i < m->policies->n_files; i++)
		json_object_array_add(files, json_str(m->policies->files[i]));
	ADD(d, "files", files);
	ADD(d, "last_reload_error", m->load_error[0] ? json_str(m->load_error) : NULL);
	ADD(d, "reloads", json_object_new_uint64(m->loads));
	ADD(d, "reload_failures", json_object_new_uint64(m->load_failures));
	ADD(d, "cgroup_layout",
	    m->have_cgroups ? json_str(cgroup_layout_name(m->cgmode.layout)) : NULL);
	ADD(d, "cgroup_error", m->cgroup_error[0] ? json_str(m->cgroup_error) : NULL);
	ADD(d, "units",
	    m->bus_unavailable ? json_str(m->bus_error) : json_str("resolved over sd-bus"));
	ADD(d, "repair_sweeps", json_object_new_uint64(m->repair_sweeps));
	ADD(d, "remembered_moved_pages", json_object_new_uint64(m->moved.n));
	ADD(o, "daemon", d);
	for (size_t i = 0; i < m->movers.n; i++)
		json_object_array_add(warn, json_str(m->movers.warnings[i]));
	ADD(o, "warnings", warn);
	for (size_t i = 0; i < n; i++) {
		const struct policy *p = &m->policies->set->policies[i];
		struct json_object *po = json_object_new_object();
		size_t governed = 0;

		for (size_t g = 0; g < m->n_cgroups; g++)
			governed += m->cgroups[g].policy == i;
		ADD(po, "name", json_str(p->name));
		ADD(po, "file", json_str(policydir_policy_file(m->policies, i)));
		ADD(po, "interval_ns", json_object_new_uint64(p->exec.interval_ns));
		ADD(po, "migrate",
		    json_object_new_boolean(p->exec.migrate && !p->exec.report_only));
		ADD(po, "report_only", json_object_new_boolean(p->exec.report_only));
		ADD(po, "cgroups", json_object_new_uint64(governed));
		ADD(po, "last_cpu_usec",
		    json_object_new_uint64(m->runtime[i].counters.last_cpu_usec));
		ADD(po, "last_processes",
		    json_object_new_uint64(m->runtime[i].counters.last_processes));
		ADD(po, "exec", counters_json(&m->runtime[i].counters));
		json_object_array_add(pols, po);
	}
	ADD(o, "policies", pols);
	for (size_t g = 0; g < m->n_cgroups; g++) {
		if (cgroup && strcmp(cgroup, m->cgroups[g].path) != 0)
			continue;
		json_object_array_add(cgs, cgroup_json(m, &m->cgroups[g], cgroup != NULL));
	}
	if (cgroup && json_object_array_length(cgs) == 0)
		*ret_errno = ENOENT;
	ADD(o, "cgroups", cgs);
	return o;
}
