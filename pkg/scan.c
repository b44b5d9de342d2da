/* SPDX-License-Identifier: MIT */
#include "scan.h"

#include <string.h>

#include "placement.h"

int scanner_init(struct scanner *s, const struct sysroot *root, const struct topology *topo,
		 const struct scan_options *opts)
{
	memset(s, 0, sizeof(*s));
	s->root = root;
	s->topo = topo;
	s->opts = *opts;
	s->page_size = placement_page_size();
	return rangeset_new(&s->seen);
}

void scanner_done(struct scanner *s)
{
	rangeset_free(s->seen);
	s->seen = NULL;
}

void process_report_clear(struct process_report *r)
{
	for (size_t i = 0; i < r->n_maps; i++) {
		free(r->maps[i].vma.name);
		free(r->maps[i].node_pages);
	}
	free(r->maps);
	free(r->moves);
	memset(r, 0, sizeof(*r));
}

void scan_totals_add(struct scan_totals *into, const struct scan_totals *from)
{
	into->processes += from->processes;
	into->mappings += from->mappings;
	into->pages += from->pages;
	into->resident += from->resident;
	into->deduplicated += from->deduplicated;
	into->cxl_pages += from->cxl_pages;
	into->unmovable_cxl_pages += from->unmovable_cxl_pages;
	into->straddling += from->straddling;
	into->tier_boundaries += from->tier_boundaries;
}

static int push_move(struct process_report *r, uint64_t addr, int node)
{
	if (GROW_ARRAY(r->moves, r->cap_moves, r->n_moves + 1) < 0)
		return -ENOMEM;
	r->moves[r->n_moves++] = (struct page_at){ .addr = addr, .node = node };
	return 0;
}

/* Walk state across the queried pieces of one mapping. */
struct tally {
	int prev_tier; /* -1: previous page not resident or not adjacent */
	bool any_dram;
	bool any_cxl;
};

static int tally_pages(struct scanner *s, struct process_report *r, struct mapping_report *m,
		       struct tally *t, uint64_t start, const int *status, size_t n)
{
	const struct topology *topo = s->topo;

	for (size_t i = 0; i < n; i++) {
		int node = status[i];
		int tier;

		if (!placement_is_resident(node)) {
			t->prev_tier = -1;
			continue;
		}
		m->resident++;
		if (node <= topo->max_node)
			m->node_pages[node]++;
		tier = topology_is_cxl(topo, node) ? 1 : 0;
		if (tier) {
			m->cxl_pages++;
			t->any_cxl = true;
			if (s->opts.collect_moves && !m->special) {
				int r2 = push_move(r, start + i * s->page_size, node);

				if (r2 < 0)
					return r2;
			}
		} else {
			t->any_dram = true;
		}
		if (t->prev_tier >= 0 && t->prev_tier != tier)
			m->tier_boundaries++;
		t->prev_tier = tier;
	}
	return 0;
}

/* Query pages [first, first + n) of the mapping (page indexes within it). */
static int scan_piece(struct scanner *s, struct process_report *r, struct mapping_report *m,
		      struct tally *t, size_t first, size_t n)
{
	int status[PLACEMENT_BATCH];

	for (size_t done = 0; done < n;) {
		size_t count = MIN(n - done, (size_t)PLACEMENT_BATCH);
		uint64_t start = m->vma.start + (first + done) * s->page_size;
		int err;

		err = placement_query_range(r->info.pid, start, count, s->page_size, status);
		if (err < 0)
			return err;
		err = tally_pages(s, r, m, t, start, status, count);
		if (err < 0)
			return err;
		done += count;
	}
	return 0;
}

static int scan_mapping(struct scanner *s, struct process_report *r, struct mapping_report *m)
{
	struct tally t = { .prev_tier = -1 };
	_cleanup_free_ struct page_range *gaps = NULL;
	struct file_key key = {
		.dev_major = m->vma.dev_major,
		.dev_minor = m->vma.dev_minor,
		.inode = m->vma.inode,
	};
	uint64_t file_lo = m->vma.offset / s->page_size;
	bool dedupe = s->opts.dedupe && vma_is_file(&m->vma);
	struct page_range whole = { file_lo, file_lo + m->pages };
	const struct page_range *todo = &whole;
	size_t n_gaps = 1, fresh = 0;
	int err;

	/* Deduplicated file text: only the parts no earlier process of this run showed. */
	if (dedupe) {
		err = rangeset_gaps(s->seen, &key, whole.lo, whole.hi, &gaps, &n_gaps);
		if (err < 0)
			return err;
		todo = gaps;
	}
	for (size_t i = 0; i < n_gaps; i++) {
		t.prev_tier = -1;
		err = scan_piece(s, r, m, &t, todo[i].lo - file_lo, todo[i].hi - todo[i].lo);
		if (err < 0)
			return err;
		fresh += todo[i].hi - todo[i].lo;
	}
	m->deduplicated = m->pages - fresh;
	m->straddle = t.any_dram && t.any_cxl;
	return dedupe ? rangeset_claim(s->seen, &key, whole.lo, whole.hi) : 0;
}

static int scan_process(struct scanner *s, pid_t pid, struct process_report *r)
{
	_cleanup_(vma_list_free) struct vma_list vmas = { 0 };
	int err;

	err = procinfo_read(s->root, pid, &r->info);
	if (err < 0)
		return err;
	err = procmaps_read_exec(s->root, pid, s->opts.maps_method, &vmas);
	if (err < 0)
		return err;
	r->used_procmap_query = vmas.used_procmap_query;
	r->maps = calloc(vmas.n ? vmas.n : 1, sizeof(*r->maps));
	if (!r->maps)
		return -ENOMEM;

	for (size_t i = 0; i < vmas.n; i++) {
		struct mapping_report *m = &r->maps[r->n_maps];

		m->vma = vmas.items[i];
		vmas.items[i].name = NULL; /* now owned by the report */
		r->n_maps++;
		m->special = vma_is_special(&m->vma);
		m->pages = (m->vma.end - m->vma.start) / s->page_size;
		m->node_pages = calloc((size_t)s->topo->max_node + 1, sizeof(*m->node_pages));
		if (!m->node_pages)
			return -ENOMEM;
		err = scan_mapping(s, r, m);
		if (err < 0)
			return err;

		r->totals.mappings++;
		r->totals.pages += m->pages;
		r->totals.resident += m->resident;
		r->totals.deduplicated += m->deduplicated;
		if (m->special)
			r->totals.unmovable_cxl_pages += m->cxl_pages;
		else
			r->totals.cxl_pages += m->cxl_pages;
		r->totals.straddling += m->straddle;
		r->totals.tier_boundaries += m->tier_boundaries;
	}
	r->totals.processes = 1;
	return 0;
}

int scanner_scan_process(struct scanner *s, pid_t pid, struct process_report *ret)
{
	int err;

	memset(ret, 0, sizeof(*ret));
	ret->info.pid = pid;
	ret->info.cpu = -1;
	err = scan_process(s, pid, ret);
	if (err == -ENOENT)
		err = -ESRCH; /* /proc/PID vanished between reads */
	ret->error = err;
	return err;
}
