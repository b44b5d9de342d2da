/* SPDX-License-Identifier: MIT */
#include "scan.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <string.h>

#include "placement.h"

/* Without PAGEMAP_SCAN, a mapping this large is first checked in smaps for any resident page. */
#define LARGE_MAPPING_BYTES (256ULL << 20)

int scanner_init(struct scanner *s, const struct cxlp_ctx *ctx, bool dedupe)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->page_size = placement_page_size();
	s->residency = RESIDENCY_AUTO;
	return dedupe ? pagestate_new(&s->state) : 0;
}

void scanner_done(struct scanner *s)
{
	pagestate_free(s->state);
	s->state = NULL;
}

void process_report_clear(struct process_report *r)
{
	for (size_t i = 0; i < r->n_files; i++)
		free(r->files[i].name);
	free(r->files);
	free(r->maps);
	free(r->nodes);
	free(r->pages);
	proc_handle_close(&r->handle);
	memset(r, 0, sizeof(*r));
	r->handle = PROC_HANDLE_NULL;
}

void scan_totals_add(struct scan_totals *into, const struct scan_totals *from)
{
	into->processes += from->processes;
	into->mappings += from->mappings;
	into->pages += from->pages;
	into->resident += from->resident;
	into->deduplicated += from->deduplicated;
	into->private_copies += from->private_copies;
	into->cxl_pages += from->cxl_pages;
	into->unmovable_cxl_pages += from->unmovable_cxl_pages;
	into->straddling += from->straddling;
	into->tier_boundaries += from->tier_boundaries;
	into->truncated_mappings += from->truncated_mappings;
	into->resident_bytes += from->resident_bytes;
	into->cxl_bytes += from->cxl_bytes;
}

struct node_pages mapping_node(const struct process_report *r, const struct mapping_report *m,
			       size_t k)
{
	if (m->n_nodes == 1)
		return (struct node_pages){ m->node, m->resident };
	return r->nodes[m->nodes_at + k];
}

size_t mapping_node_pages(const struct process_report *r, const struct mapping_report *m, int node)
{
	for (size_t i = 0; i < m->n_nodes; i++) {
		struct node_pages np = mapping_node(r, m, i);

		if (np.node == node)
			return np.pages;
	}
	return 0;
}

/*
 * The identity of the file behind a file mapping.  /proc/PID/maps shows the
 * superblock's device.  A block device's (device, inode) names one file.  An
 * anonymous device's may not: all btrfs subvolumes (and their snapshots, with
 * the same inode numbers) share one; for those, stat the mapping's map_files
 * link, which names the file itself (needs CAP_SYS_ADMIN; else the maps
 * fields, marked uncertain).  The stat is a path walk in procfs: it is only
 * paid where it can tell something.
 */
static struct file_key file_key_of(const struct process_report *r, const struct vma *v,
				   bool *ret_uncertain)
{
	struct file_key key = {
		.dev_major = v->dev_major,
		.dev_minor = v->dev_minor,
		.inode = v->inode,
	};
	char rel[96];
	struct stat st;

	*ret_uncertain = false;
	if (v->dev_major != 0)
		return key;
	/* A task directory has no map_files: its process's is two levels up. */
	snprintf(rel, sizeof(rel), "%smap_files/%" PRIx64 "-%" PRIx64,
		 r->handle.mm_tid != r->handle.pid ? "../../" : "", v->start, v->end);
	if (fstatat(r->handle.dirfd, rel, &st, 0) == 0 && st.st_ino == v->inode) {
		key.dev_major = major(st.st_dev);
		key.dev_minor = minor(st.st_dev);
	} else {
		*ret_uncertain = true;
	}
	return key;
}

static bool mapping_is_file(const struct process_report *r, const struct mapping_report *m)
{
	return mapping_file_of(r, m)->inode != 0;
}

static int push_page(struct process_report *r, uint64_t addr, uint64_t file_page, uint32_t map)
{
	if (GROW_ARRAY(r->pages, r->cap_pages, r->n_pages + 1) < 0)
		return -ENOMEM;
	r->pages[r->n_pages++] = (struct page_ref){
		.addr = addr,
		.file_page = file_page,
		.map = map,
		.node = -1,
	};
	return 0;
}

/*
 * Node counts are sparse: a handful of nodes, whatever the highest node id.
 * While @m is tallied, its counts are the last ones of r->nodes.
 */
static int count_node(struct process_report *r, struct mapping_report *m, int node)
{
	struct node_pages *counts = r->nodes + m->nodes_at;
	size_t i;

	for (i = 0; i < m->n_nodes && counts[i].node < node; i++)
		;
	if (i < m->n_nodes && counts[i].node == node) {
		counts[i].pages++;
		return 0;
	}
	if (m->n_nodes == UINT16_MAX || GROW_ARRAY(r->nodes, r->cap_nodes, r->n_nodes + 1) < 0)
		return -ENOMEM;
	counts = r->nodes + m->nodes_at;
	memmove(&counts[i + 1], &counts[i], (m->n_nodes - i) * sizeof(counts[0]));
	counts[i] = (struct node_pages){ node, 1 };
	m->n_nodes++;
	r->n_nodes++;
	return 0;
}

/*
 * Take the run's record for the shared pages refs[first, n): one run of
 * consecutive file pages of one mapping, or one frame-keyed page.
 */
static int apply_record(struct scanner *s, struct process_report *r, size_t first, size_t n)
{
	const struct mapping_report *m;
	_cleanup_free_ struct page_segment *segs = NULL;
	struct file_key key;
	size_t n_segs = 0, k = 0;
	int err;

	if (!s->state || n == 0)
		return 0;
	m = &r->maps[r->pages[first].map];
	key = r->pages[first].by_frame ? ANON_FRAME_KEY : mapping_file_of(r, m)->key;
	err = pagestate_segments(s->state, &key, r->pages[first].file_page,
				 r->pages[first + n - 1].file_page + 1, &segs, &n_segs);
	if (err < 0)
		return err;
	for (size_t i = first; i < first + n; i++) {
		struct page_ref *ref = &r->pages[i];

		while (k < n_segs && segs[k].hi <= ref->file_page)
			k++;
		if (k == n_segs)
			break;
		if (segs[k].info.state == PAGE_SETTLED && segs[k].info.node >= 0) {
			ref->node = segs[k].info.node;
			ref->deduplicated = true;
		} else if (segs[k].info.state == PAGE_PENDING) {
			ref->counted = true; /* an earlier process found it on CXL: ask again */
		}
	}
	return 0;
}

/*
 * Pages from refs[first, n_pages) on that have no file key: a page that
 * other processes map too (pagemap's exclusive bit clear: anonymous memory
 * copy-on-write after fork and never written since, KSM, or page cache of a
 * file whose identity is uncertain) is one physical page for all of them,
 * keyed by its frame so the run handles it once.  Frames need CAP_SYS_ADMIN:
 * without it such pages stay per process.  A frame is only trusted while the
 * page is where it was found: the sweep never records a frame it moved away.
 */
static int key_by_frame(struct scanner *s, struct process_report *r, struct residency *res,
			size_t first)
{
	uint64_t entries[512];

	for (size_t i = first; i < r->n_pages;) {
		uint64_t base = r->pages[i].addr;
		size_t span = 0, n;
		int err;

		/* A chunk of up to 512 base pages starting at the next private page. */
		while (i + span < r->n_pages &&
		       r->pages[i + span].addr - base < ARRAY_SIZE(entries) * s->page_size)
			span++;
		n = (size_t)((r->pages[i + span - 1].addr - base) / s->page_size) + 1;
		err = residency_entries(res, base, n, entries);
		if (err < 0)
			return err;
		for (size_t k = i; k < i + span; k++) {
			struct page_ref *ref = &r->pages[k];
			uint64_t e = entries[(ref->addr - base) / s->page_size];
			uint64_t frame = e & PAGEMAP_ENTRY_PFN_MASK;

			if (!(e & PAGEMAP_ENTRY_PRESENT) || (e & PAGEMAP_ENTRY_EXCLUSIVE) || !frame)
				continue;
			ref->file_page = frame;
			ref->by_frame = true;
			err = apply_record(s, r, k, 1);
			if (err < 0)
				return err;
		}
		i += span;
	}
	return 0;
}

/*
 * The resident pages of mapping @idx from @ranges, the present ranges of a
 * walk that covered it (and maybe its neighbours: clipped to the mapping).
 */
static int take_ranges(struct scanner *s, struct process_report *r, struct residency *res,
		       uint32_t idx, const struct resident_range *ranges, size_t n_ranges)
{
	struct mapping_report *m = &r->maps[idx];
	uint64_t file_first = m->offset / m->page_size;
	bool is_file = mapping_is_file(r, m), uncertain = mapping_file_of(r, m)->key_uncertain;
	int err;

	for (size_t i = 0; i < n_ranges; i++) {
		bool page_cache = is_file && (ranges[i].flags & RESIDENT_SHARED);
		bool shared = page_cache && !uncertain;
		uint64_t start = MAX(ranges[i].start, m->start) & ~((uint64_t)m->page_size - 1);
		uint64_t end = MIN(ranges[i].end, m->end);
		size_t first = r->n_pages;

		for (uint64_t a = start; a < end; a += m->page_size) {
			uint64_t file_page = shared ? file_first + (a - m->start) / m->page_size
						    : PAGE_REF_PRIVATE;

			if (r->n_pages > first && r->pages[r->n_pages - 1].addr == a)
				continue; /* a huge page already counted from its first base page */
			err = push_page(r, a, file_page, idx);
			if (err < 0)
				return err;
			m->huge += !!(ranges[i].flags & RESIDENT_HUGE);
			m->private_copies += is_file && !page_cache;
		}
		if (shared) {
			err = apply_record(s, r, first, r->n_pages - first);
			if (err < 0)
				return err;
		} else if (s->state && !m->special) {
			/* anonymous pages, private copies, page cache of an uncertain file */
			err = key_by_frame(s, r, res, first);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

/* The resident pages of mapping @idx, from its own walk of the page tables. */
static int collect_mapping(struct scanner *s, struct process_report *r, struct residency *res,
			   uint32_t idx)
{
	struct mapping_report *m = &r->maps[idx];
	_cleanup_free_ struct resident_range *ranges = NULL;
	size_t n_ranges = 0;
	uint64_t end = m->end;
	int err;

	if (res->method == RESIDENCY_PAGEMAP) {
		/* One entry per page of address space: spend the process's budget. */
		if (end - m->start > s->walk_left) {
			end = m->start + (s->walk_left & ~((uint64_t)m->page_size - 1));
			m->walk_truncated = true;
		}
		s->walk_left -= end - m->start;
		if (end == m->start)
			return 0;
	}
	err = residency_ranges(res, m->start, end, &ranges, &n_ranges);
	if (err < 0)
		return err;
	return take_ranges(s, r, res, idx, ranges, n_ranges);
}

/*
 * With PAGEMAP_SCAN, one walk covers a run of executable mappings that lie
 * close together (a library's text is a few hundred KiB of its own data and
 * the next library's header away from the next text): one ioctl for all
 * the libraries instead of one each.  What the walk finds between them is
 * dropped.  Mappings further apart (the program and its libraries, with the
 * heap between) get walks of their own.
 */
#define WALK_GAP_MAX (2ULL << 20)

static int collect_window(struct scanner *s, struct process_report *r, struct residency *res,
			  uint32_t first, uint32_t *ret_last)
{
	_cleanup_(resident_ranges_free) struct resident_ranges window = { 0 };
	uint32_t last = first;
	size_t at = 0;
	int err;

	while (last + 1 < r->n_maps && r->maps[last + 1].start - r->maps[last].end <= WALK_GAP_MAX)
		last++;
	err = residency_ranges_append(res, r->maps[first].start, r->maps[last].end, &window);
	if (err < 0)
		return err;
	/*
	 * Ranges and mappings both ascend: each mapping takes only the ranges
	 * that overlap it (one range may span several), so a window of many
	 * mappings costs their number plus the ranges', not their product.
	 */
	for (uint32_t i = first; i <= last; i++) {
		const struct mapping_report *m = &r->maps[i];
		size_t end;

		while (at < window.n && window.items[at].end <= m->start)
			at++;
		for (end = at; end < window.n && window.items[end].start < m->end; end++)
			;
		err = take_ranges(s, r, res, i, window.items + at, end - at);
		if (err < 0)
			return err;
	}
	*ret_last = last;
	return 0;
}

/* Without PAGEMAP_SCAN: a large mapping with no resident page is known from smaps. */
static bool large_and_empty(const struct process_report *r, const struct residency *res,
			    const struct mapping_report *m, char **smaps)
{
	struct smaps_usage usage;

	if (res->method != RESIDENCY_PAGEMAP || m->end - m->start < LARGE_MAPPING_BYTES)
		return false;
	if (!*smaps) {
		_cleanup_close_ int fd = openat(r->handle.dirfd, "smaps", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || read_fd_fully(fd, smaps, NULL) < 0)
			return false;
	}
	return residency_smaps_usage(*smaps, m->start, &usage) == 0 && usage.rss == 0;
}

/* move_pages() for @n pages of @r, through another thread if the one we read through ended. */
static int query_batch(struct scanner *s, struct process_report *r, const uint64_t *addrs, size_t n,
		       int *status)
{
	int err = placement_query_pages(s->ctx->move_pages, r->handle.mm_tid, addrs, n, status);

	if ((err == -ESRCH || err == -EINVAL) && proc_handle_check(&r->handle) < 0 &&
	    proc_handle_retarget(&r->handle) == 0)
		/* the thread we read the mm through ended; the process lives on */
		err = placement_query_pages(s->ctx->move_pages, r->handle.mm_tid, addrs, n, status);
	/* EINVAL: no mm any more, the process is exiting (it had one when its maps were read). */
	if (err == -EINVAL || (err < 0 && proc_handle_check(&r->handle) < 0))
		return -ESRCH;
	return err;
}

/* Pages asked about per query_batch(): bounds the arrays, whatever the process. */
#define QUERY_BATCH 4096

/* Ask the kernel where the pages the run does not know yet are. */
static int query_nodes(struct scanner *s, struct process_report *r)
{
	_cleanup_free_ uint64_t *addrs = NULL;
	_cleanup_free_ int *status = NULL;
	_cleanup_free_ size_t *which = NULL;
	size_t unknown = 0, batch, kept = 0;
	int err;

	for (size_t i = 0; i < r->n_pages; i++)
		unknown += r->pages[i].node < 0;
	batch = MIN(MAX(unknown, (size_t)1), (size_t)QUERY_BATCH);
	addrs = malloc(batch * sizeof(*addrs));
	status = malloc(batch * sizeof(*status));
	which = malloc(batch * sizeof(*which));
	if (!addrs || !status || !which)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_pages;) {
		size_t n = 0;

		for (; i < r->n_pages && n < batch; i++) {
			if (r->pages[i].node >= 0)
				continue;
			addrs[n] = r->pages[i].addr;
			which[n++] = i;
		}
		if (n == 0)
			break;
		err = query_batch(s, r, addrs, n, status);
		if (err < 0)
			return err;
		for (size_t j = 0; j < n; j++)
			r->pages[which[j]].node = (int16_t)(status[j] >= 0 ? status[j] : -2);
	}
	/* Pages that left memory between the walk and the query are not resident. */
	for (size_t i = 0; i < r->n_pages; i++)
		if (r->pages[i].node >= 0)
			r->pages[kept++] = r->pages[i];
	r->n_pages = kept;
	return 0;
}

/*
 * Counts of mapping @m from its resident pages r->pages[first, end), in
 * address order.  Its per node counts go at the end of r->nodes, and stay
 * there only when the pages are on more than one node.
 */
static int tally_mapping(struct scanner *s, struct process_report *r, struct mapping_report *m,
			 size_t first, size_t end)
{
	const struct topology *topo = s->ctx->topo;
	int prev_tier = -1;
	uint64_t prev_addr = 0;
	int err;

	m->nodes_at = (uint32_t)r->n_nodes;
	for (size_t i = first; i < end; i++) {
		const struct page_ref *p = &r->pages[i];
		int tier = topology_is_cxl(topo, p->node) ? 1 : 0;

		if (p->addr != prev_addr + m->page_size)
			prev_tier = -1;
		m->resident++;
		m->deduplicated += p->deduplicated;
		err = count_node(r, m, p->node);
		if (err < 0)
			return err;
		if (tier) {
			m->cxl_pages++;
			if (m->special)
				r->totals.unmovable_cxl_pages++;
			else if (!p->deduplicated && !p->counted) {
				r->totals.cxl_pages++;
				r->totals.cxl_bytes += m->page_size;
			}
		}
		if (prev_tier >= 0 && prev_tier != tier)
			m->tier_boundaries++;
		prev_tier = tier;
		prev_addr = p->addr;
	}
	if (m->n_nodes == 1) {
		m->node = (int16_t)r->nodes[m->nodes_at].node;
		r->n_nodes--;
	}
	if (m->n_nodes <= 1)
		m->nodes_at = 0;
	return 0;
}

/* Counts of every mapping from the pages. */
static int tally(struct scanner *s, struct process_report *r)
{
	int err;

	/* A mapping's pages are pushed together (in mapping order), and stay so. */
	for (size_t i = 0, end; i < r->n_pages; i = end) {
		struct mapping_report *m = &r->maps[r->pages[i].map];

		for (end = i + 1; end < r->n_pages && r->pages[end].map == r->pages[i].map; end++)
			;
		if (m->resident)
			return -EIO; /* pages of one mapping apart: cannot happen */
		err = tally_mapping(s, r, m, i, end);
		if (err < 0)
			return err;
	}
	for (size_t i = 0; i < r->n_maps; i++) {
		struct mapping_report *m = &r->maps[i];
		size_t on_cxl = m->cxl_pages;

		m->straddle = on_cxl > 0 && on_cxl < m->resident;
		r->totals.mappings++;
		r->totals.pages += mapping_pages(m);
		r->totals.resident += m->resident;
		r->totals.resident_bytes += (uint64_t)m->resident * m->page_size;
		r->totals.deduplicated += m->deduplicated;
		r->totals.private_copies += m->private_copies;
		r->totals.straddling += m->straddle;
		r->totals.tier_boundaries += m->tier_boundaries;
		r->totals.truncated_mappings += m->walk_truncated;
	}
	r->totals.processes = 1;
	return 0;
}

/*
 * Mappings are taken as the maps reader finds them; what they share goes
 * to r->files once, found again through a hash of the entries (open
 * addressing, slot = file index + 1, 0 free).
 */
struct take {
	struct scanner *s;
	struct process_report *r;
	uint32_t *slots;
	size_t n_slots; /* a power of two, more than twice r->n_files */
};

static uint64_t file_hash(const struct mapping_file *f)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (const unsigned char *c = (const unsigned char *)f->name; *c; c++)
		h = (h ^ *c) * 0x100000001b3ULL;
	h ^= f->inode * 0x9e3779b97f4a7c15ULL;
	h ^= ((uint64_t)f->dev_major << 32 | f->dev_minor) * 0xc2b2ae3d27d4eb4fULL;
	h ^= ((uint64_t)f->key.dev_major << 32 | f->key.dev_minor) * 0x165667b19e3779f9ULL;
	for (size_t i = 0; i < 4; i++)
		h = (h ^ (unsigned char)f->perms[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29) ^ f->deleted ^ ((uint64_t)f->key_uncertain << 1);
}

static bool file_equal(const struct mapping_file *a, const struct mapping_file *b)
{
	return a->inode == b->inode && a->dev_major == b->dev_major &&
	       a->dev_minor == b->dev_minor && a->key.dev_major == b->key.dev_major &&
	       a->key.dev_minor == b->key.dev_minor && a->key.inode == b->key.inode &&
	       a->deleted == b->deleted && a->key_uncertain == b->key_uncertain &&
	       memcmp(a->perms, b->perms, sizeof(a->perms)) == 0 && strcmp(a->name, b->name) == 0;
}

static size_t find_slot(const struct take *t, const struct mapping_file *f, uint64_t hash)
{
	size_t mask = t->n_slots - 1, i = hash & mask;

	while (t->slots[i] && !file_equal(&t->r->files[t->slots[i] - 1], f))
		i = (i + 1) & mask;
	return i;
}

static int grow_slots(struct take *t)
{
	size_t n = t->n_slots ? t->n_slots * 2 : 64;
	uint32_t *old = t->slots;
	size_t old_n = t->n_slots;

	t->slots = calloc(n, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->n_slots = n;
	for (size_t i = 0; i < old_n; i++)
		if (old[i])
			t->slots[find_slot(t, &t->r->files[old[i] - 1],
					   file_hash(&t->r->files[old[i] - 1]))] = old[i];
	free(old);
	return 0;
}

/* The index in r->files of @f (its name borrowed), added when new. */
static int intern_file(struct take *t, const struct mapping_file *f, uint32_t *ret)
{
	struct process_report *r = t->r;
	uint64_t hash = file_hash(f);
	size_t slot;
	char *name;

	if (t->n_slots < 2 * (r->n_files + 1) && grow_slots(t) < 0)
		return -ENOMEM;
	slot = find_slot(t, f, hash);
	if (t->slots[slot]) {
		*ret = t->slots[slot] - 1;
		return 0;
	}
	if (GROW_ARRAY(r->files, r->cap_files, r->n_files + 1) < 0)
		return -ENOMEM;
	name = strdup(f->name);
	if (!name)
		return -ENOMEM;
	r->files[r->n_files] = *f;
	r->files[r->n_files].name = name;
	t->slots[slot] = (uint32_t)++r->n_files;
	*ret = t->slots[slot] - 1;
	return 0;
}

static int take_vma(const struct vma *v, void *userdata)
{
	struct take *t = userdata;
	struct process_report *r = t->r;
	struct mapping_file f = {
		.name = v->name,
		.inode = v->inode,
		.dev_major = v->dev_major,
		.dev_minor = v->dev_minor,
		.deleted = v->deleted,
		.special = vma_is_special(v),
	};
	uint32_t file;
	int err;

	if (r->n_maps == MAPPING_INDEX_MAX)
		return -EOVERFLOW;
	memcpy(f.perms, v->perms, sizeof(f.perms));
	if (vma_is_file(v))
		f.key = file_key_of(r, v, &f.key_uncertain);
	err = intern_file(t, &f, &file);
	if (err < 0)
		return err;
	if (GROW_ARRAY(r->maps, r->cap_maps, r->n_maps + 1) < 0)
		return -ENOMEM;
	r->maps[r->n_maps++] = (struct mapping_report){
		.start = v->start,
		.end = v->end,
		.offset = v->offset,
		.page_size = MAX(v->page_size, (uint64_t)t->s->page_size),
		.file = file,
		.node = -1,
		.special = f.special,
	};
	return 0;
}

static int scan_process(struct scanner *s, pid_t pid, struct process_report *r)
{
	_cleanup_free_ char *smaps = NULL;
	struct residency res = { .fd = -1 };
	struct error err_msg = { 0 };
	struct take take = { .s = s, .r = r };
	bool used_query = false;
	int err;

	if (!s->ctx->live)
		return -EXDEV; /* its pids are not the ones move_pages() would reach */
	err = proc_handle_open_info(s->ctx->root, pid, s->ctx->live, !s->no_status, &r->handle,
				    &r->info);
	if (err < 0)
		return err;
	err = procmaps_each_exec_at(r->handle.dirfd, s->ctx->maps_method, take_vma, &take,
				    &used_query, &err_msg);
	free(take.slots);
	if (err < 0) {
		if (err == -EINVAL)
			snprintf(r->message, sizeof(r->message), "%s", err_msg.message);
		return err;
	}
	r->used_procmap_query = used_query;
	if (r->n_maps == 0)
		goto done;

	if (s->residency == RESIDENCY_AUTO) {
		err = residency_open(r->handle.dirfd, s->ctx->residency_method, &res);
		if (err == 0)
			s->residency = res.method;
	} else {
		err = residency_open_settled(r->handle.dirfd, s->residency, &res);
	}
	if (err < 0)
		return err;
	r->used_pagemap_scan = res.method == RESIDENCY_SCAN;
	res.defer_alive_check =
		true; /* most libraries have no page resident: one check at the end */
	s->walk_left = s->ctx->pagemap_walk_budget ? s->ctx->pagemap_walk_budget
						   : CXLP_DEFAULT_PAGEMAP_WALK_BUDGET;
	for (uint32_t i = 0; i < r->n_maps; i++) {
		if (large_and_empty(r, &res, &r->maps[i], &smaps)) {
			r->maps[i].skipped_empty = true;
			continue;
		}
		if (res.method == RESIDENCY_SCAN)
			err = collect_window(s, r, &res, i, &i);
		else
			err = collect_mapping(s, r, &res, i);
		if (err < 0)
			break;
	}
	if (err == 0)
		err = residency_confirm_alive(&res);
	residency_close(&res);
	if (err < 0)
		return err;
	err = query_nodes(s, r);
	if (err < 0)
		return err;
done:
	return tally(s, r);
}

int scanner_scan_process(struct scanner *s, pid_t pid, struct process_report *ret)
{
	int err;

	memset(ret, 0, sizeof(*ret));
	ret->handle = PROC_HANDLE_NULL;
	ret->info.pid = pid;
	ret->info.cpu = -1;
	err = scan_process(s, pid, ret);
	if (err == -ENOENT)
		err = -ESRCH; /* /proc/PID vanished between reads */
	if (err < 0 && err != -ESRCH && err != -ENOMEM && ret->handle.dirfd >= 0 &&
	    proc_handle_check(&ret->handle) < 0)
		err = -ESRCH; /* it exited while we looked: not a failure of ours */
	ret->error = err;
	return err;
}

int scanner_record(struct scanner *s, const struct process_report *r, size_t first, size_t n,
		   const struct page_info *info)
{
	if (!s->state)
		return 0;
	for (size_t i = first; i < first + n;) {
		const struct page_ref *p = &r->pages[i];
		struct file_key key;
		size_t run = 1;
		int err;

		if (p->file_page == PAGE_REF_PRIVATE) {
			i++;
			continue;
		}
		while (!p->by_frame && i + run < first + n && r->pages[i + run].map == p->map &&
		       !r->pages[i + run].by_frame &&
		       r->pages[i + run].file_page == p->file_page + run)
			run++;
		key = p->by_frame ? ANON_FRAME_KEY : mapping_file_of(r, &r->maps[p->map])->key;
		err = pagestate_set(s->state, &key, p->file_page, p->file_page + run, info);
		if (err < 0)
			return err;
		i += run;
	}
	return 0;
}
