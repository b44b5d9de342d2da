/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgrouptree.h"
#include "cpusetmems.h"
#include "governed.h"
#include "log.h"
#include "macro.h"
#include "match.h"
#include "treewatch.h"
#include "unitlookup.h"
#include "units.h"

void governed_free(struct governed_cgroup *cgroups, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(cgroups[i].path);
		free(cgroups[i].why);
		free(cgroups[i].mems_message);
		free(cgroups[i].nesting_warning);
	}
	free(cgroups);
}

ssize_t governed_find(const struct manager *m, const char *path)
{
	for (size_t i = 0; i < m->n_cgroups; i++)
		if (strcmp(m->cgroups[i].path, path) == 0)
			return (ssize_t)i;
	return -1;
}

/* The unit names of every policy of @set, resolved over the bus (NULL cgroup when not). */
static int resolve_units(struct manager *m, const struct policy_set *set, struct unit_lookup **ret,
			 size_t *ret_n)
{
	_cleanup_free_ const char **names = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < set->n_policies; i++)
		for (size_t u = 0; u < set->policies[i].match.n_units; u++) {
			if (GROW_ARRAY(names, cap, n + 1) < 0)
				return -ENOMEM;
			names[n++] = set->policies[i].match.units[u];
		}
	*ret = NULL;
	*ret_n = 0;
	if (n == 0)
		return 0;
	return unitlookup(m, names, n, ret, ret_n);
}

/*
 * The set as the matcher sees it: each policy's own unit names plus the slices
 * that carry it with X-CXLPolicy= (a shallow copy; free with view_free()).
 */
static int view_with_carried(struct manager *m, const struct policy_set *set,
			     struct policy_set *ret)
{
	struct policy *pols;

	(void)unitlookup_carried(m);
	pols = calloc(set->n_policies + 1, sizeof(*pols));
	if (!pols)
		return -ENOMEM;
	if (set->n_policies) /* an empty set has no array (memcpy from NULL is undefined) */
		memcpy(pols, set->policies, set->n_policies * sizeof(*pols));
	for (size_t i = 0; i < set->n_policies; i++) {
		size_t extra = 0, k;
		char **units;

		for (size_t c = 0; c < m->n_carried; c++)
			extra += strcmp(m->carried[c].policy, pols[i].name) == 0;
		if (!extra) {
			pols[i].match.units = NULL; /* marks "not ours to free"; restored below */
			continue;
		}
		units = calloc(pols[i].match.n_units + extra, sizeof(*units));
		if (!units) {
			for (size_t j = 0; j < i; j++)
				if (pols[j].match.units != set->policies[j].match.units)
					free(pols[j].match.units);
			free(pols);
			return -ENOMEM;
		}
		memcpy(units, set->policies[i].match.units, pols[i].match.n_units * sizeof(*units));
		k = pols[i].match.n_units;
		for (size_t c = 0; c < m->n_carried; c++)
			if (strcmp(m->carried[c].policy, pols[i].name) == 0)
				units[k++] = m->carried[c].unit;
		pols[i].match.units = units;
		pols[i].match.n_units = k;
	}
	for (size_t i = 0; i < set->n_policies; i++)
		if (!pols[i].match.units)
			pols[i].match.units = set->policies[i].match.units;
	*ret = (struct policy_set){ pols, set->n_policies };
	return 0;
}

static void view_free(struct policy_set *view, const struct policy_set *set)
{
	for (size_t i = 0; view->policies && i < view->n_policies; i++)
		if (view->policies[i].match.units != set->policies[i].match.units)
			free(view->policies[i].match.units);
	free(view->policies);
}

/* Whether @unit carries policy @name by X-CXLPolicy= (not named in the policy itself). */
static bool carried_by(const struct manager *m, const char *unit, const char *name)
{
	for (size_t c = 0; c < m->n_carried; c++)
		if (strcmp(m->carried[c].unit, unit) == 0 &&
		    strcmp(m->carried[c].policy, name) == 0)
			return true;
	return false;
}

/* Whether @anc is @path or one of its ancestors ("a" of "a/b"; "" of everything). */
static bool is_ancestor(const char *anc, const char *path)
{
	size_t n = strlen(anc);

	return n == 0 || (strncmp(anc, path, n) == 0 && (path[n] == '/' || path[n] == '\0'));
}

/*
 * The kernel intersects a cgroup's cpuset.mems with its ancestors': a
 * migrating policy nested below a cgroup whose policy allows no DRAM node
 * can never have its code on DRAM.  Flag each such cgroup (the table is in
 * pre-order: ancestors come first).
 */
static int check_nesting(const struct policy_set *set, const struct topology *topo,
			 struct governed_cgroup *table, size_t n)
{
	_cleanup_free_ size_t *stack = malloc((n ? n : 1) * sizeof(*stack));
	struct idset eff;
	size_t depth = 0;

	if (!stack)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct governed_cgroup *g = &table[i];
		const struct policy *p = &set->policies[g->policy];

		while (depth && !is_ancestor(table[stack[depth - 1]].path, g->path))
			depth--;
		eff = p->mems;
		for (size_t k = 0; k < depth; k++) {
			const struct governed_cgroup *a = &table[stack[k]];

			for (size_t w = 0; w < sizeof(eff.bits) / 8; w++)
				eff.bits[w] &= set->policies[a->policy].mems.bits[w];
			if (p->exec.migrate && !p->exec.report_only && !g->nesting_warning &&
			    !idset_intersects(&eff, &topo->dram)) {
				char mine[128], theirs[128];

				if (asprintf(&g->nesting_warning,
					     "policy \"%s\" moves code to DRAM but cpuset.mems "
					     "here can "
					     "hold no DRAM node: the ancestor %s (policy \"%s\") "
					     "allows "
					     "only %s, and the kernel intersects (%s here)",
					     p->name, a->path[0] ? a->path : "(root)",
					     set->policies[a->policy].name,
					     idset_format(&set->policies[a->policy].mems, theirs,
							  sizeof(theirs)),
					     idset_format(&p->mems, mine, sizeof(mine))) < 0)
					return -ENOMEM;
			}
		}
		idset_format(&eff, g->effective_mems, sizeof(g->effective_mems));
		stack[depth++] = i;
	}
	return 0;
}

int governed_build(struct manager *m, const struct policydir *dir,
		   const struct governed_cgroup *old, size_t n_old, struct governed_cgroup **ret,
		   size_t *ret_n, struct error *err)
{
	const struct policy_set *set = dir->set;
	struct policy_set view = { 0 };
	char **paths = NULL;
	size_t n_paths = 0, n = 0;
	struct match_result *results = NULL;
	struct governed_cgroup *table = NULL;
	struct unit_lookup *units = NULL;
	size_t n_units = 0;
	_cleanup_free_ struct match_unit_cgroup *mu = NULL;
	int r;

	if (!m->have_cgroups)
		return error_set(err, -ENODEV, "%s", m->cgroup_error);
	r = cgrouptree_list(m->root, manager_cgroup_dir(m), "", &paths, &n_paths, err);
	if (r < 0)
		return r;
	if (m->treewatch)
		treewatch_add(m->treewatch, m->root, manager_cgroup_dir(m), paths, n_paths);
	r = view_with_carried(m, set, &view);
	if (r < 0)
		goto out;
	r = resolve_units(m, &view, &units, &n_units);
	if (r < 0) {
		error_set(err, r, "resolving systemd units: %s", strerror(-r));
		goto out;
	}
	mu = calloc(n_units ? n_units : 1, sizeof(*mu));
	if (!mu) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_units; i++)
		mu[i] = (struct match_unit_cgroup){ units[i].unit, units[i].cgroup };
	r = match_all(&view, mu, n_units, (const char *const *)paths, n_paths, &results);
	if (r < 0) {
		error_set(err, r, "matching cgroups: %s", strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < n_paths; i++)
		n += results[i].matched;
	table = calloc(n ? n : 1, sizeof(*table));
	n = 0;
	if (!table) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_paths; i++) {
		struct governed_cgroup *g;

		if (!results[i].matched)
			continue;
		g = &table[n++];
		g->path = strdup(paths[i]);
		if (results[i].winner.kind == MATCH_UNIT &&
		    carried_by(m, results[i].winner.pattern,
			       set->policies[results[i].winner.policy].name)) {
			if (asprintf(&g->why, "%s (X-CXLPolicy=%s on %s)", results[i].why,
				     set->policies[results[i].winner.policy].name,
				     results[i].winner.pattern) < 0)
				g->why = NULL;
		} else {
			g->why = strdup(results[i].why);
		}
		if (!g->path || !g->why) {
			r = -ENOMEM;
			goto out;
		}
		g->policy = results[i].winner.policy;
		g->n_candidates = 1 + results[i].n_losers;
		/* the same cgroup under a policy of the same name keeps its history */
		for (size_t o = 0; o < n_old; o++)
			if (strcmp(old[o].path, g->path) == 0 && m->policies &&
			    old[o].policy < m->policies->set->n_policies &&
			    strcmp(m->policies->set->policies[old[o].policy].name,
				   set->policies[g->policy].name) == 0) {
				const struct policy *was =
					&m->policies->set->policies[old[o].policy];

				g->counters = old[o].counters;
				/* written stays true only for the same nodes: else write again */
				g->mems_written = old[o].mems_written &&
						  memcmp(&was->mems, &set->policies[g->policy].mems,
							 sizeof(was->mems)) == 0;
				g->mems_error = old[o].mems_error;
				if (old[o].mems_message) {
					g->mems_message = strdup(old[o].mems_message);
					if (!g->mems_message) {
						r = -ENOMEM;
						goto out;
					}
				}
				memcpy(g->mems_before, old[o].mems_before, sizeof(g->mems_before));
				g->mems_inherit_before = old[o].mems_inherit_before;
				break;
			}
	}
	r = check_nesting(set, m->topo, table, n);
	if (r < 0)
		goto out;
	*ret = table;
	*ret_n = n;
	table = NULL;
	r = 0;
out:
	if (table)
		governed_free(table, n);
	if (results)
		match_results_free(results, n_paths);
	unitlookup_free(units, n_units);
	view_free(&view, set);
	cgrouptree_free(paths);
	return r;
}

/*
 * Put @mems in force for @g.  A cgroup systemd owns (the unified hierarchy,
 * named as a unit) gets AllowedMemoryNodes= over D-Bus: systemd rewrites
 * cgroup.subtree_control from its own masks whenever it realizes a slice
 * (a unit starts, daemon-reload), which turns off a cpuset it did not ask
 * for and undoes a direct write.  Anything else, or a unit systemd does not
 * know, is written directly.
 */
static int write_mems(struct manager *m, const struct governed_cgroup *g, const struct idset *mems,
		      bool *ret_changed, struct error *err)
{
	const char *base = strrchr(g->path, '/');
	struct cpuset_mems cur;
	sd_bus *bus;

	base = base ? base + 1 : g->path;
	if (m->cgmode.cpuset_v2 && units_is_unit_name(base) && (bus = unitlookup_bus(m))) {
		if (cpusetmems_read(m->root, &m->cgmode, g->path, &cur, NULL) == 0 &&
		    !cur.inherit && memcmp(&cur.mems, mems, sizeof(*mems)) == 0) {
			*ret_changed = false;
			return 0;
		}
		if (units_set_allowed_memory_nodes(bus, base, mems, NULL) == 0) {
			*ret_changed = true;
			return 0;
		}
	}
	return cpusetmems_write(m->root, &m->cgmode, g->path, mems, ret_changed, err);
}

/* Whether @before (effective) holds a node @after does not: writing @after migrates memory. */
static bool narrows(const struct idset *before, const struct idset *after)
{
	IDSET_FOREACH(node, before)
		if (!idset_has(after, node))
			return true;
	return false;
}

static unsigned path_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void governed_apply_mems(struct manager *m, size_t *ret_changed)
{
	unsigned tick = m->mems_tick++;
	size_t changed = 0;

	for (size_t i = 0; i < m->n_cgroups; i++) {
		struct governed_cgroup *g = &m->cgroups[i];
		const struct policy *p = &m->policies->set->policies[g->policy];
		struct log_fields f = { p->name, g->path, 0, -1 };
		struct error err = { 0 };
		struct cpuset_mems cur;
		bool did = false, narrowing = true;
		char buf[256];
		int r;

		/*
		 * Written and unchanged since: re-checked on a rolling 1/full_every of
		 * the cgroups each time (someone else may have written it), so an idle
		 * tick over many cgroups reads few cgroup files.
		 */
		if (g->mems_written && !g->mems_error &&
		    (path_hash(g->path) + tick) % m->cfg.full_every != 0)
			continue;
		if (cpusetmems_read(m->root, &m->cgmode, g->path, &cur, NULL) == 0) {
			if (!g->mems_written) {
				g->mems_inherit_before = cur.inherit;
				idset_format(&cur.mems, g->mems_before, sizeof(g->mems_before));
			}
			narrowing = narrows(&cur.effective, &p->mems);
		}
		r = write_mems(m, g, &p->mems, &did, &err);
		if (r < 0) {
			/* said once per change, not every interval */
			if (!g->mems_message || strcmp(g->mems_message, err.message) != 0)
				log_full(LOG_WARNING, &f, "cpuset.mems not written: %s",
					 err.message);
			free(g->mems_message);
			g->mems_message = strdup(err.message);
			g->mems_error = r;
			continue;
		}
		free(g->mems_message);
		g->mems_message = NULL;
		g->mems_error = 0;
		g->mems_written = true;
		if (did) {
			/* only a narrowing migrates memory (and may drag shared text) */
			changed += narrowing;
			log_full(LOG_NOTICE, &f, "cpuset.mems set to %s%s",
				 idset_format(&p->mems, buf, sizeof(buf)),
				 narrowing ? " (narrowed: memory outside it migrates)" : "");
		}
	}
	*ret_changed = changed;
}
