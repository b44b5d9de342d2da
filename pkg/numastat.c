/* SPDX-License-Identifier: MIT */
#include "numastat.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

struct item_name {
	const char *name;
	enum numastat_item item;
};

static const struct item_name v2_items[] = {
	{ "anon", NUMASTAT_ANON },
	{ "file", NUMASTAT_FILE },
	{ "kernel_stack", NUMASTAT_KERNEL_STACK },
	{ "shmem", NUMASTAT_SHMEM },
	{ "file_mapped", NUMASTAT_FILE_MAPPED },
	{ "unevictable", NUMASTAT_UNEVICTABLE },
};

static const struct item_name v1_items[] = {
	{ "total", NUMASTAT_TOTAL },
	{ "file", NUMASTAT_FILE },
	{ "anon", NUMASTAT_ANON },
	{ "unevictable", NUMASTAT_UNEVICTABLE },
	{ "hierarchical_total", NUMASTAT_HIERARCHICAL_TOTAL },
	{ "hierarchical_file", NUMASTAT_HIERARCHICAL_FILE },
	{ "hierarchical_anon", NUMASTAT_HIERARCHICAL_ANON },
	{ "hierarchical_unevictable", NUMASTAT_HIERARCHICAL_UNEVICTABLE },
};

static const char *const item_names[NUMASTAT_ITEM_COUNT] = {
	[NUMASTAT_ANON] = "anon",
	[NUMASTAT_FILE] = "file",
	[NUMASTAT_KERNEL_STACK] = "kernel_stack",
	[NUMASTAT_SHMEM] = "shmem",
	[NUMASTAT_FILE_MAPPED] = "file_mapped",
	[NUMASTAT_UNEVICTABLE] = "unevictable",
	[NUMASTAT_TOTAL] = "total",
	[NUMASTAT_HIERARCHICAL_TOTAL] = "hierarchical_total",
	[NUMASTAT_HIERARCHICAL_FILE] = "hierarchical_file",
	[NUMASTAT_HIERARCHICAL_ANON] = "hierarchical_anon",
	[NUMASTAT_HIERARCHICAL_UNEVICTABLE] = "hierarchical_unevictable",
};

const char *numastat_item_name(enum numastat_item item)
{
	return (unsigned)item < NUMASTAT_ITEM_COUNT ? item_names[item] : "unknown";
}

void numastat_done(struct numa_stat *st)
{
	if (!st)
		return;
	free(st->nodes);
	st->nodes = NULL;
	st->n_nodes = 0;
}

/* Strict decimal: digits only, no sign, no more than 64 bits. */
static int parse_u64(const char **p, const char *end, uint64_t *ret)
{
	uint64_t v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*p = s;
	*ret = v;
	return 0;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* The entry for @node, inserted (zeroed) in order when missing; NULL when out of memory. */
static struct numastat_node *node_entry(struct numa_stat *st, size_t *cap, int node)
{
	size_t lo = 0, hi = st->n_nodes;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (st->nodes[mid].node == node)
			return &st->nodes[mid];
		if (st->nodes[mid].node < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (GROW_ARRAY(st->nodes, *cap, st->n_nodes + 1) < 0)
		return NULL;
	memmove(&st->nodes[lo + 1], &st->nodes[lo], (st->n_nodes - lo) * sizeof(*st->nodes));
	memset(&st->nodes[lo], 0, sizeof(*st->nodes));
	st->nodes[lo].node = node;
	st->n_nodes++;
	return &st->nodes[lo];
}

static int lookup_item(const char *name, size_t len, bool v1)
{
	const struct item_name *items = v1 ? v1_items : v2_items;
	size_t n = v1 ? ARRAY_SIZE(v1_items) : ARRAY_SIZE(v2_items);

	for (size_t i = 0; i < n; i++)
		if (strlen(items[i].name) == len && strncmp(items[i].name, name, len) == 0)
			return (int)items[i].item;
	return -1;
}

struct parser {
	struct numa_stat st;
	size_t cap;
	bool v1;
	size_t page_size;
};

/* One line [p, end): 0 or -EINVAL/-ENOMEM with *@why saying what was expected. */
static int parse_stat_line(struct parser *ps, const char *p, const char *end, const char **why)
{
	const char *name = p;
	struct idset seen;
	uint64_t v;
	int item;

	while (p < end && is_name_char(*p))
		p++;
	if (p == name) {
		*why = "an item name ([a-z0-9_]+)";
		return -EINVAL;
	}
	item = lookup_item(name, (size_t)(p - name), ps->v1);
	if (item >= 0 && (ps->st.present & (1u << item))) {
		*why = "each item once";
		return -EINVAL;
	}
	if (ps->v1) {
		if (p >= end || *p != '=' || (p++, parse_u64(&p, end, &v) < 0)) {
			*why = "NAME=<pages> first (cgroup v1)";
			return -EINVAL;
		}
	}
	idset_clear(&seen);
	while (p < end) {
		struct numastat_node *e;
		uint64_t node;

		if (end - p < 2 || p[0] != ' ' || p[1] != 'N') {
			*why = "\" N<node>=<value>\" fields";
			return -EINVAL;
		}
		p += 2;
		if (parse_u64(&p, end, &node) < 0 || p >= end || *p != '=') {
			*why = "\" N<node>=<value>\" fields";
			return -EINVAL;
		}
		p++;
		if (node > NUMASTAT_MAX_NODE || idset_has(&seen, (int)node)) {
			*why = "node ids up to "
			       "1023"
			       ", each once in a line";
			return -EINVAL;
		}
		idset_add(&seen, (int)node);
		if (parse_u64(&p, end, &v) < 0) {
			*why = "a decimal value of at most 64 bits";
			return -EINVAL;
		}
		if (ps->v1 && __builtin_mul_overflow(v, (uint64_t)ps->page_size, &v)) {
			*why = "a page count whose bytes fit in 64 bits";
			return -EINVAL;
		}
		if (item < 0)
			continue;
		e = node_entry(&ps->st, &ps->cap, (int)node);
		if (!e)
			return -ENOMEM;
		e->bytes[item] = v;
	}
	if (item >= 0)
		ps->st.present |= 1u << item;
	return 0;
}

int numastat_parse(const char *text, bool v1, size_t page_size, const char *what,
		   struct numa_stat *ret, struct error *err)
{
	struct parser ps = { .v1 = v1, .page_size = page_size, .st = { .v1 = v1 } };
	unsigned lineno = 0;
	const char *p = text;

	if (v1 && page_size == 0)
		return error_set(err, -EINVAL, "%s: page size 0", what);
	while (*p) {
		size_t len = strcspn(p, "\n");
		const char *why = NULL;
		int r;

		lineno++;
		r = parse_stat_line(&ps, p, p + len, &why);
		if (r < 0) {
			char line[128];

			snprintf(line, sizeof(line), "%.*s", (int)MIN(len, sizeof(line) - 1), p);
			free(ps.st.nodes);
			if (r == -ENOMEM)
				return r;
			return error_set(err, r, "%s:%u: expected %s, got \"%s\"", what, lineno,
					 why, ESCAPE_TERMINAL(line));
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	*ret = ps.st;
	return 0;
}

int numastat_read(const struct sysroot *root, const struct cgroup_mode *m, const char *cgroup,
		  size_t page_size, struct numa_stat *ret, struct error *err)
{
	_cleanup_free_ char *text = NULL;
	char dir[PATH_MAX], rel[PATH_MAX], raw[PATH_MAX], shown[PATH_MAX];
	size_t len = 0;
	int r;

	r = cgroup_path_check(cgroup, err);
	if (r < 0)
		return r;
	if (!m->memory_dir[0])
		return error_set(err, -ENODEV, "no memory controller (memory.numa_stat) found");
	if (cgroup_path_join(m->memory_dir, cgroup, dir, sizeof(dir)) < 0 ||
	    cgroup_path_join(dir, "memory.numa_stat", rel, sizeof(rel)) < 0)
		return error_set(err, -ENAMETOOLONG, "cgroup path too long");
	escape_terminal(sysroot_display(root, rel, raw, sizeof(raw)), shown, sizeof(shown));
	r = sysroot_read_file(root, rel, &text, &len);
	if (r == -ENOENT && m->memory_v2 && *cgroup && sysroot_exists(root, dir))
		return error_set(err, r,
				 "%s: missing: the memory controller is not enabled for this "
				 "cgroup (its parent's cgroup.subtree_control has no \"memory\")",
				 shown);
	if (r < 0)
		return error_set(err, r, "%s: %s", shown, strerror(-r));
	if (memchr(text, '\0', len))
		return error_set(err, -EINVAL, "%s: expected text, found a NUL byte", shown);
	return numastat_parse(text, !m->memory_v2, page_size, shown, ret, err);
}

uint64_t numastat_get(const struct numa_stat *st, enum numastat_item item, int node)
{
	if ((unsigned)item >= NUMASTAT_ITEM_COUNT)
		return 0;
	for (size_t i = 0; i < st->n_nodes; i++)
		if (st->nodes[i].node == node)
			return st->nodes[i].bytes[item];
	return 0;
}

int numastat_narrowing(const struct numa_stat *st, const struct idset *before_effective,
		       const struct idset *after, struct numastat_move **ret, size_t *ret_n,
		       uint64_t *ret_total)
{
	_cleanup_free_ struct numastat_move *moves = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;

	IDSET_FOREACH(node, before_effective) {
		uint64_t bytes = numastat_get(st, NUMASTAT_ANON, node);

		if (idset_has(after, node))
			continue;
		if (!st->v1)
			bytes += numastat_get(st, NUMASTAT_FILE_MAPPED, node);
		if (GROW_ARRAY(moves, cap, n + 1) < 0)
			return -ENOMEM;
		moves[n++] = (struct numastat_move){ .node = node, .bytes = bytes };
		total += bytes;
	}
	*ret = TAKE_PTR(moves);
	*ret_n = n;
	if (ret_total)
		*ret_total = total;
	return 0;
}
