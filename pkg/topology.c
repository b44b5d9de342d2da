/* SPDX-License-Identifier: MIT */
#include "topology.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NODE_DIR "sys/devices/system/node"
#define TIER_DIR "sys/devices/virtual/memory_tiering"
#define DAX_DIR "sys/bus/dax/devices"
#define KMEM_DIR "sys/bus/dax/drivers/kmem"
#define IOMEM "proc/iomem"
#define BLOCK_SIZE "sys/devices/system/memory/block_size_bytes"

const char *node_class_to_string(enum node_class cls)
{
	return cls == NODE_CLASS_CXL ? "cxl" : "dram";
}

void topology_free(struct topology *topo)
{
	if (!topo)
		return;
	for (size_t i = 0; i < topo->n_nodes; i++)
		free(topo->nodes[i].distance);
	free(topo->nodes);
	free(topo->index);
	free(topo->dax);
	free(topo->cxl_windows);
	free(topo);
}

const struct numa_node *topology_node(const struct topology *topo, int id)
{
	if (id < 0 || id > topo->max_node)
		return NULL;
	if (topo->index)
		return topo->index[id] >= 0 ? &topo->nodes[topo->index[id]] : NULL;
	for (size_t i = 0; i < topo->n_nodes; i++) /* a topology built by hand */
		if (topo->nodes[i].id == id)
			return &topo->nodes[i];
	return NULL;
}

bool topology_is_cxl(const struct topology *topo, int node)
{
	return idset_has(&topo->cxl, node);
}

int topology_cpu_node(const struct topology *topo, int cpu)
{
	for (size_t i = 0; i < topo->n_nodes; i++)
		if (idset_has(&topo->nodes[i].cpus, cpu))
			return topo->nodes[i].id;
	return -1;
}

int topology_nearest_dram(const struct topology *topo, int node, const struct idset *allowed,
			  int prefer)
{
	const struct numa_node *from = topology_node(topo, node);
	int best = -1, best_distance = INT_MAX;

	if (!from)
		return -1;
	for (size_t i = 0; i < topo->n_nodes; i++) {
		const struct numa_node *n = &topo->nodes[i];
		int d;

		if (n->cls != NODE_CLASS_DRAM || !n->has_memory)
			continue;
		if (allowed && !idset_has(allowed, n->id))
			continue;
		d = from->distance[n->id];
		if (d < 0)
			d = INT_MAX - 1;
		if (d < best_distance || (d == best_distance && n->id == prefer)) {
			best = n->id;
			best_distance = d;
		}
	}
	return best;
}

int topology_parse_distance_row(const char *text, int *ret, size_t max, size_t *ret_n)
{
	const char *p = text;
	size_t n = 0;

	for (;;) {
		char *end;
		long v;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		v = strtol(p, &end, 10);
		if (errno || v > 255)
			return -EINVAL;
		if (n >= max)
			return -E2BIG;
		ret[n++] = (int)v;
		p = end;
	}
	*ret_n = n;
	return 0;
}

/* Digits in @base over [p, end), at least one, none other; -ERANGE past UINT64_MAX. */
static int parse_digits(const char *p, const char *end, unsigned base, uint64_t *ret)
{
	uint64_t v = 0;
	bool overflow = false;

	if (p >= end)
		return -EINVAL;
	for (; p < end; p++) {
		int d = hex_digit_value(*p);

		if (d < 0 || (unsigned)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			overflow = true;
		else
			v = v * base + (unsigned)d;
	}
	if (overflow)
		return -ERANGE;
	*ret = v;
	return 0;
}

int topology_parse_u64_buf(const char *buf, size_t len, unsigned base, uint64_t max, uint64_t *ret)
{
	uint64_t v;
	int r;

	if (base != 10 && base != 16)
		return -EINVAL;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	r = parse_digits(buf, buf + len, base, &v);
	if (r < 0)
		return r;
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int topology_parse_node_id_buf(const char *buf, size_t len, int *ret)
{
	uint64_t v;
	int r;

	if ((len == 2 || (len == 3 && buf[2] == '\n')) && buf[0] == '-' && buf[1] == '1') {
		*ret = -1; /* NUMA_NO_NODE */
		return 0;
	}
	r = topology_parse_u64_buf(buf, len, 10, TOPOLOGY_MAX_NODES - 1, &v);
	if (r < 0)
		return r;
	*ret = (int)v;
	return 0;
}

int topology_parse_tier_name(const char *name, int *ret)
{
	static const char prefix[] = "memory_tier";
	uint64_t v;
	int r;

	if (strncmp(name, prefix, sizeof(prefix) - 1) != 0)
		return -EINVAL;
	name += sizeof(prefix) - 1;
	r = parse_digits(name, name + strlen(name), 10, &v);
	if (r < 0)
		return r;
	if (v > INT_MAX)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

/* Skip the literal @lit at *p (within [*p, end)); false if it is not there. */
static bool skip_literal(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

static const char *span_digits(const char *p, const char *end, unsigned base)
{
	while (p < end && hex_digit_value(*p) >= 0 && (unsigned)hex_digit_value(*p) < base)
		p++;
	return p;
}

int topology_parse_meminfo_total(const char *text, uint64_t *ret_bytes)
{
	const char *line = text;

	while (*line) {
		const char *eol = strchrnul(line, '\n'), *p = line, *q;
		uint64_t node, kb;
		int r;

		/* "Node %d MemTotal:%*s%lu kB" as drivers/base/node.c prints it */
		if (skip_literal(&p, eol, "Node ") && (q = span_digits(p, eol, 10)) > p &&
		    parse_digits(p, q, 10, &node) == 0 &&
		    (p = q, skip_literal(&p, eol, " MemTotal:"))) {
			while (p < eol && *p == ' ')
				p++;
			q = span_digits(p, eol, 10);
			r = parse_digits(p, q, 10, &kb);
			if (r < 0)
				return r;
			p = q;
			if (!skip_literal(&p, eol, " kB") || p != eol)
				return -EINVAL;
			if (kb > UINT64_MAX / 1024)
				return -ERANGE;
			*ret_bytes = kb * 1024;
			return 0;
		}
		line = *eol ? eol + 1 : eol;
	}
	return -ENODATA;
}

int topology_parse_iomem_cxl_windows(const char *text, struct cxl_window **ret, size_t *ret_n)
{
	static const char window[] = "CXL Window ";
	_cleanup_free_ struct cxl_window *found = NULL;
	size_t n = 0, cap = 0;
	const char *line = text;

	while (*line) {
		const char *eol = strchrnul(line, '\n'), *p = line, *q;
		uint64_t start, end;
		size_t name_len;
		int r;

		while (p < eol && *p == ' ')
			p++;
		if (p == eol) {
			line = *eol ? eol + 1 : eol;
			continue;
		}
		/* "%0*llx-%0*llx : %s" (kernel/resource.c r_show) */
		q = span_digits(p, eol, 16);
		r = parse_digits(p, q, 16, &start);
		if (r < 0)
			return r;
		p = q;
		if (!skip_literal(&p, eol, "-"))
			return -EINVAL;
		q = span_digits(p, eol, 16);
		r = parse_digits(p, q, 16, &end);
		if (r < 0)
			return r;
		p = q;
		if (!skip_literal(&p, eol, " : ") || end < start)
			return -EINVAL;
		name_len = (size_t)(eol - p);
		if (memchr(p, '\0', name_len))
			return -EINVAL;
		if (name_len >= sizeof(window) - 1 && memcmp(p, window, sizeof(window) - 1) == 0) {
			struct cxl_window *w;

			if (GROW_ARRAY(found, cap, n + 1) < 0)
				return -ENOMEM;
			w = &found[n++];
			memset(w, 0, sizeof(*w));
			memcpy(w->name, p, MIN(name_len, sizeof(w->name) - 1));
			w->start = start;
			w->end = end;
			/* non-root readers see every address as zero */
			w->known = !(start == 0 && end == 0);
		}
		line = *eol ? eol + 1 : eol;
	}
	*ret = TAKE_PTR(found);
	*ret_n = n;
	return 0;
}

void topology_dax_cxl_region(const char *link_target, char *ret_region, size_t size)
{
	bool under_cxl = false;
	const char *p = link_target;

	ret_region[0] = '\0';
	/* CXL root devices are ACPI0017; CXL regions sit below a decoder. */
	if (strstr(link_target, "/ACPI0017:") || strstr(link_target, "/decoder"))
		under_cxl = true;
	if (!under_cxl)
		return;
	while ((p = strstr(p, "/region"))) {
		const char *start = p + 1;
		size_t len = strcspn(start, "/");

		/* a whole path component "region<digits>" (not "region-1", "region 5") */
		if (len > 6 && len < size &&
		    span_digits(start + 6, start + len, 10) == start + len) {
			memcpy(ret_region, start, len);
			ret_region[len] = '\0';
			return;
		}
		p = start;
	}
	/* Under the CXL root but no region component: still CXL memory. */
	snprintf(ret_region, size, "cxl");
}

static void add_evidence(struct numa_node *node, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_evidence(struct numa_node *node, const char *fmt, ...)
{
	va_list ap;

	if (node->n_evidence >= TOPOLOGY_MAX_EVIDENCE)
		return;
	va_start(ap, fmt);
	vsnprintf(node->evidence[node->n_evidence++], TOPOLOGY_EVIDENCE_LEN, fmt, ap);
	va_end(ap);
}

static const struct dax_device *cxl_dax_for(const struct topology *topo, int node)
{
	for (size_t i = 0; i < topo->n_dax; i++) {
		const struct dax_device *d = &topo->dax[i];

		if (d->kmem && d->region[0] && d->target_node == node)
			return d;
	}
	return NULL;
}

static bool cpu_less(const struct numa_node *n)
{
	return n->has_memory && !n->has_cpu && idset_empty(&n->cpus);
}

/* Rule 3: more than half of the node's memory blocks inside one CXL window. */
static bool in_cxl_window(const struct topology *topo, const struct numa_node *n)
{
	return n->cxl_window >= 0 && (size_t)n->cxl_window < topo->n_cxl_windows &&
	       n->n_blocks_in_cxl * 2 > n->n_blocks;
}

/* The CPU node with memory and the lowest firmware read latency: DRAM's reference. */
static const struct numa_node *hmat_reference(const struct topology *topo)
{
	const struct numa_node *best = NULL;

	for (size_t i = 0; i < topo->n_nodes; i++) {
		const struct numa_node *n = &topo->nodes[i];

		if (!n->has_memory || idset_empty(&n->cpus) || n->perf.read_latency == 0)
			continue;
		if (!best || n->perf.read_latency < best->perf.read_latency)
			best = n;
	}
	return best;
}

/* Rule 4; returns true when it decided, with the class in *cls. */
static bool classify_hmat(const struct numa_node *ref, struct numa_node *n, enum node_class *cls)
{
	uint64_t lat = n->perf.read_latency;
	unsigned tenths;

	if (!cpu_less(n) || lat == 0)
		return false;
	if (!ref)
		return false; /* nothing to compare with: noted after the rules */
	tenths = (unsigned)((lat * 10 + ref->perf.read_latency / 2) / ref->perf.read_latency);

	if (lat * 100 <= (uint64_t)ref->perf.read_latency * TOPOLOGY_HMAT_NEAR_PCT) {
		*cls = NODE_CLASS_DRAM;
		add_evidence(n,
			     "hmat: read_latency %" PRIu64 " ns vs %" PRIu32
			     " ns on node %d (%u.%ux, within %d.%dx): not slow memory",
			     lat, ref->perf.read_latency, ref->id, tenths / 10, tenths % 10,
			     TOPOLOGY_HMAT_NEAR_PCT / 100, TOPOLOGY_HMAT_NEAR_PCT % 100 / 10);
	} else {
		*cls = NODE_CLASS_CXL;
		add_evidence(n,
			     "hmat: read_latency %" PRIu64 " ns vs %" PRIu32
			     " ns on node %d (%u.%ux)",
			     lat, ref->perf.read_latency, ref->id, tenths / 10, tenths % 10);
	}
	return true;
}

void topology_classify(struct topology *topo, const struct topology_options *opts)
{
	const struct numa_node *hmat_ref = hmat_reference(topo);
	char list[256];

	idset_clear(&topo->dram);
	idset_clear(&topo->cxl);
	for (size_t i = 0; i < topo->n_nodes; i++) {
		struct numa_node *n = &topo->nodes[i];
		const struct dax_device *dax = cxl_dax_for(topo, n->id);
		enum node_class hmat_cls = NODE_CLASS_DRAM;
		bool decided = false;

		n->n_evidence = 0;
		n->cls = NODE_CLASS_DRAM;
		if (opts && opts->has_cxl_override) {
			bool listed = idset_has(&opts->cxl_override, n->id);

			n->cls = listed ? NODE_CLASS_CXL : NODE_CLASS_DRAM;
			add_evidence(n, "override: %s --cxl-nodes %s",
				     listed ? "listed in" : "not listed in",
				     idset_format(&opts->cxl_override, list, sizeof(list)));
			decided = true;
		}
		if (dax) {
			if (!decided)
				n->cls = NODE_CLASS_CXL;
			decided = true;
			add_evidence(n, "dax: %s bound to kmem, target_node=%d, via CXL %s",
				     dax->name, dax->target_node, dax->region);
		}
		if (in_cxl_window(topo, n)) {
			if (!decided)
				n->cls = NODE_CLASS_CXL;
			decided = true;
			add_evidence(n, "iomem: memory inside %s (%zu of %zu memory blocks)",
				     topo->cxl_windows[n->cxl_window].name, n->n_blocks_in_cxl,
				     n->n_blocks);
		}
		if (classify_hmat(hmat_ref, n, &hmat_cls)) {
			if (!decided)
				n->cls = hmat_cls;
			decided = true;
		}
		if (topo->top_tier >= 0 && n->tier > topo->top_tier) {
			if (!decided)
				n->cls = NODE_CLASS_CXL;
			decided = true;
			add_evidence(n, "tier: memory_tier%d below top tier memory_tier%d", n->tier,
				     topo->top_tier);
		}
		if (cpu_less(n)) {
			if (!decided)
				n->cls = NODE_CLASS_CXL;
			decided = true;
			add_evidence(n, "cpu-less: has memory, no CPUs");
		}
		/* descriptive facts that decided nothing */
		if (n->cxl_window >= 0 && !in_cxl_window(topo, n))
			add_evidence(n, "iomem: only %zu of %zu memory blocks inside %s, not most",
				     n->n_blocks_in_cxl, n->n_blocks,
				     topo->cxl_windows[n->cxl_window].name);
		if (cpu_less(n) && n->perf.read_latency && !hmat_ref)
			add_evidence(n,
				     "hmat: read_latency %" PRIu32
				     " ns (no CPU node reports one to compare)",
				     n->perf.read_latency);
		if (!n->has_memory)
			add_evidence(n, "no memory: never a migration target");
		if (!idset_empty(&n->cpus))
			add_evidence(n, "cpus: %s", idset_format(&n->cpus, list, sizeof(list)));
		if (n->tier >= 0 && n->tier == topo->top_tier)
			add_evidence(n, "tier: memory_tier%d is the top tier", n->tier);
		idset_add(n->cls == NODE_CLASS_CXL ? &topo->cxl : &topo->dram, n->id);
	}
	for (size_t i = 0; i < topo->n_nodes; i++) {
		struct numa_node *n = &topo->nodes[i];

		n->nearest_dram = topology_nearest_dram(topo, n->id, NULL, -1);
	}
}

/* ---- reading sysfs ---------------------------------------------------- */

/*
 * The start of a file's text for a message: up to 40 bytes of its first line,
 * bytes that are not printable ASCII escaped (\0, \xNN), so nothing a file
 * holds reaches a terminal raw.
 */
static const char *shown_value(const char *buf, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && i < 40 && buf[i] != '\n' && o + 5 < size; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\0')
			o += (size_t)snprintf(out + o, size - o, "\\0");
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/*
 * Read a whole text file.  A NUL byte inside is an error naming the file and
 * what @expected, so a value cut short by a NUL ("0-1\0garbage") is never
 * taken for its first part.
 */
static int read_text(const struct sysroot *root, const char *rel, const char *expected, char **ret,
		     size_t *ret_len, struct error *err)
{
	_cleanup_free_ char *text = NULL;
	char shown[PATH_MAX], value[256];
	const char *nul;
	size_t len = 0;
	int r;

	r = sysroot_read_file(root, rel, &text, &len);
	if (r < 0)
		return error_set(err, r, "cannot read %s: %s",
				 sysroot_display(root, rel, shown, sizeof(shown)), strerror(-r));
	nul = memchr(text, '\0', len);
	if (nul)
		return error_set(err, -EINVAL, "%s: NUL byte at offset %zu in \"%s\": expected %s",
				 sysroot_display(root, rel, shown, sizeof(shown)),
				 (size_t)(nul - text), shown_value(text, len, value, sizeof(value)),
				 expected);
	*ret = TAKE_PTR(text);
	if (ret_len)
		*ret_len = len;
	return 0;
}

static int read_idset(const struct sysroot *root, const char *rel, struct idset *ret, bool optional,
		      struct error *err)
{
	static const char expected[] = "a node or CPU list such as \"0-3,8\"";
	_cleanup_free_ char *text = NULL;
	char shown[PATH_MAX], value[256];
	size_t len = 0;
	int r;

	if (optional && !sysroot_exists(root, rel)) {
		idset_clear(ret);
		return 0;
	}
	r = read_text(root, rel, expected, &text, &len, err);
	if (r < 0)
		return r;
	r = idset_parse_buf(text, len, ret);
	if (r == -ERANGE)
		return error_set(err, -EINVAL, "%s: \"%s\": expected %s with ids below %d",
				 sysroot_display(root, rel, shown, sizeof(shown)),
				 shown_value(text, len, value, sizeof(value)), expected, IDSET_MAX);
	if (r < 0)
		return error_set(err, -EINVAL, "%s: expected %s, got \"%s\"",
				 sysroot_display(root, rel, shown, sizeof(shown)), expected,
				 shown_value(text, len, value, sizeof(value)));
	return 0;
}

/* An optional one-number file: *ret = 0 when absent. */
static int read_u64(const struct sysroot *root, const char *rel, unsigned base, uint64_t max,
		    uint64_t *ret, struct error *err)
{
	_cleanup_free_ char *text = NULL;
	char shown[PATH_MAX], value[256], expected[96];
	size_t len = 0;
	int r;

	if (base == 16)
		snprintf(expected, sizeof(expected), "one hexadecimal number from 0 to 0x%" PRIx64,
			 max);
	else
		snprintf(expected, sizeof(expected), "one decimal number from 0 to %" PRIu64, max);
	if (!sysroot_exists(root, rel)) {
		*ret = 0;
		return 0;
	}
	r = read_text(root, rel, expected, &text, &len, err);
	if (r < 0)
		return r;
	r = topology_parse_u64_buf(text, len, base, max, ret);
	if (r < 0)
		return error_set(err, -EINVAL, "%s: \"%s\": expected %s",
				 sysroot_display(root, rel, shown, sizeof(shown)),
				 shown_value(text, len, value, sizeof(value)), expected);
	return 0;
}

static int read_perf(const struct sysroot *root, struct numa_node *node, struct error *err)
{
	static const char *const names[] = { "read_latency", "write_latency", "read_bandwidth",
					     "write_bandwidth" };
	uint32_t *fields[] = { &node->perf.read_latency, &node->perf.write_latency,
			       &node->perf.read_bandwidth, &node->perf.write_bandwidth };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char rel[160];
		uint64_t v;
		int r;

		snprintf(rel, sizeof(rel), NODE_DIR "/node%d/access0/initiators/%s", node->id,
			 names[i]);
		r = read_u64(root, rel, 10, UINT32_MAX, &v, err);
		if (r < 0)
			return r;
		*fields[i] = (uint32_t)v;
	}
	return 0;
}

static int read_node(const struct sysroot *root, const struct idset *online,
		     const struct idset *has_cpu, const struct idset *has_memory,
		     struct numa_node *node, int max_node, struct error *err)
{
	static const char meminfo_expected[] = "a line \"Node N MemTotal: <kB> kB\"";
	static const char distance_expected[] = "one distance (0-255) per online node";
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ int *row = NULL;
	char rel[128], shown[PATH_MAX], value[256];
	size_t n_row = 0, i = 0, len = 0;
	int r;

	node->has_cpu = idset_has(has_cpu, node->id);
	node->has_memory = idset_has(has_memory, node->id);
	node->tier = -1;
	node->nearest_dram = -1;
	node->cxl_window = -1;

	snprintf(rel, sizeof(rel), NODE_DIR "/node%d", node->id);
	if (!sysroot_exists(root, rel))
		return error_set(err, -ENOENT, "%s: missing, but node %d is listed in %s/online",
				 sysroot_display(root, rel, shown, sizeof(shown)), node->id,
				 NODE_DIR);

	snprintf(rel, sizeof(rel), NODE_DIR "/node%d/cpulist", node->id);
	r = read_idset(root, rel, &node->cpus, false, err);
	if (r < 0)
		return r;

	snprintf(rel, sizeof(rel), NODE_DIR "/node%d/meminfo", node->id);
	r = read_text(root, rel, meminfo_expected, &text, &len, err);
	if (r < 0)
		return r;
	r = topology_parse_meminfo_total(text, &node->memory_bytes);
	if (r < 0) {
		const char *line = strstr(text, "MemTotal:");

		if (!line || r == -ENODATA)
			return error_set(err, -EINVAL, "%s: no MemTotal line: expected %s",
					 sysroot_display(root, rel, shown, sizeof(shown)),
					 meminfo_expected);
		return error_set(err, -EINVAL,
				 "%s: \"%s\": expected %s with at most %" PRIu64 " kB",
				 sysroot_display(root, rel, shown, sizeof(shown)),
				 shown_value(line, strlen(line), value, sizeof(value)),
				 meminfo_expected, UINT64_MAX / 1024);
	}
	free(text);
	text = NULL;

	r = read_perf(root, node, err);
	if (r < 0)
		return r;

	node->distance = malloc(sizeof(int) * (size_t)(max_node + 1));
	row = malloc(sizeof(int) * (size_t)(max_node + 1));
	if (!node->distance || !row)
		return -ENOMEM;
	for (int k = 0; k <= max_node; k++)
		node->distance[k] = -1;
	snprintf(rel, sizeof(rel), NODE_DIR "/node%d/distance", node->id);
	r = read_text(root, rel, distance_expected, &text, &len, err);
	if (r < 0)
		return r;
	r = topology_parse_distance_row(text, row, (size_t)max_node + 1, &n_row);
	if (r < 0 || n_row == 0)
		return error_set(err, -EINVAL, "%s: expected %s, got \"%s\"",
				 sysroot_display(root, rel, shown, sizeof(shown)),
				 distance_expected, shown_value(text, len, value, sizeof(value)));
	if (n_row != idset_count(online))
		return error_set(err, -EINVAL,
				 "%s: expected %zu distances (one per online node), got %zu",
				 sysroot_display(root, rel, shown, sizeof(shown)),
				 idset_count(online), n_row);
	/* The row lists one distance per online node, in id order. */
	IDSET_FOREACH(id, online)
		node->distance[id] = row[i++];
	return 0;
}

static int read_tiers(const struct sysroot *root, struct topology *topo,
		      const struct idset *has_cpu, struct error *err)
{
	DIR *dir = sysroot_opendir(root, TIER_DIR);
	char shown[PATH_MAX];
	struct dirent *de;
	int r = 0;

	topo->top_tier = -1;
	if (!dir) {
		r = negative_errno();
		if (r == -ENOENT)
			return 0; /* kernels before 6.1 */
		return error_set(err, r, "cannot open %s: %s",
				 sysroot_display(root, TIER_DIR, shown, sizeof(shown)),
				 strerror(-r));
	}
	while ((de = readdir(dir))) {
		struct idset nodes;
		char rel[PATH_MAX];
		int tier;

		if (strncmp(de->d_name, "memory_tier", strlen("memory_tier")) != 0)
			continue; /* "power", "uevent" */
		snprintf(rel, sizeof(rel), TIER_DIR "/%s", de->d_name);
		if (topology_parse_tier_name(de->d_name, &tier) < 0) {
			char value[256];

			r = error_set(
				err, -EINVAL,
				"%s: expected a directory memory_tier<K>, K below 2^31, got \"%s\"",
				sysroot_display(root, rel, shown, sizeof(shown)),
				shown_value(de->d_name, strlen(de->d_name), value, sizeof(value)));
			break;
		}
		snprintf(rel, sizeof(rel), TIER_DIR "/%s/nodelist", de->d_name);
		r = read_idset(root, rel, &nodes, false, err);
		if (r < 0)
			break;
		IDSET_FOREACH(id, &nodes) {
			const struct numa_node *n = topology_node(topo, id);

			if (n)
				topo->nodes[n - topo->nodes].tier = tier;
			if (idset_has(has_cpu, id) && (topo->top_tier < 0 || tier < topo->top_tier))
				topo->top_tier = tier;
		}
	}
	closedir(dir);
	return r;
}

static int read_dax(const struct sysroot *root, struct topology *topo, struct error *err)
{
	DIR *dir = sysroot_opendir(root, DAX_DIR);
	char shown[PATH_MAX];
	struct dirent *de;
	int r = 0;

	if (!dir) {
		r = negative_errno();
		if (r == -ENOENT)
			return 0; /* no dax devices */
		return error_set(err, r, "cannot open %s: %s",
				 sysroot_display(root, DAX_DIR, shown, sizeof(shown)),
				 strerror(-r));
	}
	while ((de = readdir(dir))) {
		static const char expected[] = "a node number from -1 to 1023";
		_cleanup_free_ char *target = NULL, *node_text = NULL;
		struct dax_device *dev;
		char rel[PATH_MAX], value[256];
		size_t len = 0;
		int node;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(dev->name))
			continue;
		snprintf(rel, sizeof(rel), DAX_DIR "/%s", de->d_name);
		if (sysroot_readlink(root, rel, &target) < 0)
			continue;
		snprintf(rel, sizeof(rel), DAX_DIR "/%s/target_node", de->d_name);
		if (!sysroot_exists(root, rel))
			continue; /* older kernels: no target_node, nothing to learn */
		r = read_text(root, rel, expected, &node_text, &len, err);
		if (r < 0)
			break;
		r = topology_parse_node_id_buf(node_text, len, &node);
		if (r < 0) {
			r = error_set(err, -EINVAL, "%s: expected %s, got \"%s\"",
				      sysroot_display(root, rel, shown, sizeof(shown)), expected,
				      shown_value(node_text, len, value, sizeof(value)));
			break;
		}
		if (GROW_ARRAY(topo->dax, topo->dax_cap, topo->n_dax + 1) < 0) {
			r = -ENOMEM;
			break;
		}
		dev = &topo->dax[topo->n_dax++];
		memset(dev, 0, sizeof(*dev));
		memcpy(dev->name, de->d_name, strlen(de->d_name) + 1); /* length checked above */
		dev->target_node = node;
		topology_dax_cxl_region(target, dev->region, sizeof(dev->region));
		snprintf(rel, sizeof(rel), KMEM_DIR "/%s", de->d_name);
		dev->kmem = sysroot_exists(root, rel);
	}
	closedir(dir);
	return r;
}

static int read_iomem(const struct sysroot *root, struct topology *topo, struct error *err)
{
	_cleanup_free_ char *text = NULL;
	char shown[PATH_MAX];
	int r;

	if (!sysroot_exists(root, IOMEM))
		return 0; /* a sysroot with /sys only */
	r = read_text(root, IOMEM, "\"<start>-<end> : <name>\" lines", &text, NULL, err);
	if (r < 0)
		return r;
	r = topology_parse_iomem_cxl_windows(text, &topo->cxl_windows, &topo->n_cxl_windows);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return error_set(
			err, -EINVAL,
			"%s: expected lines \"<hex start>-<hex end> : <name>\" with start <= end",
			sysroot_display(root, IOMEM, shown, sizeof(shown)));
	return 0;
}

/* "memory<N>" -> N; false for other names ("memory_side_cache"). */
static bool memory_block_name(const char *name, uint64_t *ret)
{
	return strncmp(name, "memory", 6) == 0 &&
	       parse_digits(name + 6, name + strlen(name), 10, ret) == 0;
}

/* Which known CXL window holds [start, start + size); -1 for none. */
static int window_of(const struct topology *topo, uint64_t start, uint64_t size)
{
	for (size_t w = 0; w < topo->n_cxl_windows; w++) {
		const struct cxl_window *win = &topo->cxl_windows[w];

		if (win->known && start >= win->start && start <= win->end &&
		    size - 1 <= win->end - start)
			return (int)w;
	}
	return -1;
}

/*
 * Rule 3's facts: the physical range of each memory block of each node
 * (phys_index * block_size_bytes), counted against the known CXL windows.
 * Done only when iomem showed a window with real addresses.
 */
static int read_blocks(const struct sysroot *root, struct topology *topo, struct error *err)
{
	bool any_known = false;
	uint64_t bsize;
	int r;

	for (size_t w = 0; w < topo->n_cxl_windows; w++)
		any_known |= topo->cxl_windows[w].known;
	if (!any_known)
		return 0;
	r = read_u64(root, BLOCK_SIZE, 16, UINT64_C(1) << 40, &bsize, err);
	if (r < 0)
		return r;
	if (bsize == 0)
		return 0; /* no memory hotplug interface: nothing to place */
	topo->block_size = bsize;
	for (size_t i = 0; i < topo->n_nodes; i++) {
		struct numa_node *n = &topo->nodes[i];
		char rel[PATH_MAX];
		struct dirent *de;
		DIR *dir;

		snprintf(rel, sizeof(rel), NODE_DIR "/node%d", n->id);
		dir = sysroot_opendir(root, rel);
		if (!dir)
			continue;
		while ((de = readdir(dir))) {
			uint64_t index, phys;
			int w;

			if (!memory_block_name(de->d_name, &index))
				continue;
			snprintf(rel, sizeof(rel), NODE_DIR "/node%d/%s/phys_index", n->id,
				 de->d_name);
			if (sysroot_exists(root, rel)) {
				r = read_u64(root, rel, 16, UINT64_MAX / bsize, &phys, err);
				if (r < 0)
					break;
				index = phys;
			} else if (index > UINT64_MAX / bsize) {
				continue;
			}
			n->n_blocks++;
			w = window_of(topo, index * bsize, bsize);
			if (w >= 0) {
				n->n_blocks_in_cxl++;
				if (n->cxl_window < 0)
					n->cxl_window = w;
			}
		}
		closedir(dir);
		if (r < 0)
			return r;
	}
	return 0;
}

int topology_read(const struct sysroot *root, const struct topology_options *opts,
		  struct topology **ret, struct error *err)
{
	_cleanup_(topology_freep) struct topology *topo = NULL;
	struct idset has_cpu, has_memory;
	char shown[PATH_MAX], list[256];
	int r, max_node;

	topo = calloc(1, sizeof(*topo));
	if (!topo)
		return -ENOMEM;
	r = read_idset(root, NODE_DIR "/online", &topo->online, false, err);
	if (r < 0)
		return r;
	r = read_idset(root, NODE_DIR "/has_cpu", &has_cpu, false, err);
	if (r < 0)
		return r;
	r = read_idset(root, NODE_DIR "/has_memory", &has_memory, false, err);
	if (r < 0)
		return r;
	if (idset_empty(&topo->online))
		return error_set(err, -EINVAL, "%s: no online node",
				 sysroot_display(root, NODE_DIR "/online", shown, sizeof(shown)));

	max_node = 0;
	IDSET_FOREACH(id, &topo->online)
		max_node = id;
	if (max_node >= TOPOLOGY_MAX_NODES)
		return error_set(
			err, -EINVAL,
			"%s: node %d: expected node ids below %d (the largest MAX_NUMNODES "
			"of any Linux configuration)",
			sysroot_display(root, NODE_DIR "/online", shown, sizeof(shown)), max_node,
			TOPOLOGY_MAX_NODES);
	if (opts && opts->has_cxl_override) {
		IDSET_FOREACH(id, &opts->cxl_override)
			if (!idset_has(&topo->online, id))
				return error_set(err, -EINVAL,
						 "--cxl-nodes lists node %d, which is not online "
						 "(online nodes: %s, from %s)",
						 id,
						 idset_format(&topo->online, list, sizeof(list)),
						 sysroot_display(root, NODE_DIR "/online", shown,
								 sizeof(shown)));
	}
	topo->max_node = max_node;
	topo->nodes = calloc(idset_count(&topo->online), sizeof(*topo->nodes));
	topo->index = malloc(sizeof(*topo->index) * (size_t)(max_node + 1));
	if (!topo->nodes || !topo->index)
		return -ENOMEM;
	for (int id = 0; id <= max_node; id++)
		topo->index[id] = -1;

	IDSET_FOREACH(id, &topo->online) {
		struct numa_node *node = &topo->nodes[topo->n_nodes];

		topo->index[id] = (int)topo->n_nodes++;
		node->id = id;
		r = read_node(root, &topo->online, &has_cpu, &has_memory, node, max_node, err);
		if (r < 0)
			return r;
	}
	r = read_tiers(root, topo, &has_cpu, err);
	if (r < 0)
		return r;
	r = read_dax(root, topo, err);
	if (r < 0)
		return r;
	r = read_iomem(root, topo, err);
	if (r < 0)
		return r;
	r = read_blocks(root, topo, err);
	if (r < 0)
		return r;
	topology_classify(topo, opts);
	*ret = TAKE_PTR(topo);
	return 0;
}
