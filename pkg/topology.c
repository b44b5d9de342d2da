/* SPDX-License-Identifier: MIT */
#include "topology.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NODE_DIR "sys/devices/system/node"
#define TIER_DIR "sys/devices/virtual/memory_tiering"
#define DAX_DIR "sys/bus/dax/devices"
#define KMEM_DIR "sys/bus/dax/drivers/kmem"

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
	free(topo->dax);
	free(topo);
}

const struct numa_node *topology_node(const struct topology *topo, int id)
{
	for (size_t i = 0; i < topo->n_nodes; i++)
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

int topology_parse_meminfo_total(const char *text, uint64_t *ret_bytes)
{
	const char *line = text;

	while (line && *line) {
		unsigned long long kb;
		int node;

		if (sscanf(line, "Node %d MemTotal: %llu kB", &node, &kb) == 2) {
			*ret_bytes = (uint64_t)kb * 1024;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENODATA;
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
		int id;
		char tail = 0;

		if (sscanf(start, "region%d%c", &id, &tail) >= 1 && len < size &&
		    (tail == '/' || start[len] == '\0')) {
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

void topology_classify(struct topology *topo, const struct topology_options *opts)
{
	char list[256];

	idset_clear(&topo->dram);
	idset_clear(&topo->cxl);
	for (size_t i = 0; i < topo->n_nodes; i++) {
		struct numa_node *n = &topo->nodes[i];
		const struct dax_device *dax = cxl_dax_for(topo, n->id);
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
		if (topo->top_tier >= 0 && n->tier > topo->top_tier) {
			if (!decided)
				n->cls = NODE_CLASS_CXL;
			decided = true;
			add_evidence(n, "tier: memory_tier%d below top tier memory_tier%d", n->tier,
				     topo->top_tier);
		}
		if (n->has_memory && !n->has_cpu && idset_empty(&n->cpus)) {
			if (!decided)
				n->cls = NODE_CLASS_CXL;
			decided = true;
			add_evidence(n, "cpu-less: has memory, no CPUs");
		}
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

static int read_idset(const struct sysroot *root, const char *rel, struct idset *ret, bool optional,
		      struct error *err)
{
	_cleanup_free_ char *text = NULL;
	char shown[PATH_MAX];
	int r;

	r = sysroot_read_file(root, rel, &text, NULL);
	if (r == -ENOENT && optional) {
		idset_clear(ret);
		return 0;
	}
	if (r < 0)
		return error_set(err, r, "cannot read %s: %s",
				 sysroot_display(root, rel, shown, sizeof(shown)), strerror(-r));
	r = idset_parse(text, ret);
	if (r < 0)
		return error_set(err, -EINVAL,
				 "%s: expected a node or CPU list such as \"0-3,8\", got \"%.40s\"",
				 sysroot_display(root, rel, shown, sizeof(shown)),
				 strtok(text, "\n") ? text : "");
	return 0;
}

static int read_node(const struct sysroot *root, const struct idset *online,
		     const struct idset *has_cpu, const struct idset *has_memory,
		     struct numa_node *node, int max_node, struct error *err)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ int *row = NULL;
	char rel[128], shown[PATH_MAX];
	size_t n_row = 0, i = 0;
	int r;

	node->has_cpu = idset_has(has_cpu, node->id);
	node->has_memory = idset_has(has_memory, node->id);
	node->tier = -1;
	node->nearest_dram = -1;

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
	r = sysroot_read_file(root, rel, &text, NULL);
	if (r < 0)
		return error_set(err, r, "cannot read %s: %s",
				 sysroot_display(root, rel, shown, sizeof(shown)), strerror(-r));
	r = topology_parse_meminfo_total(text, &node->memory_bytes);
	if (r < 0)
		return error_set(err, -EINVAL, "%s: expected a line \"Node %d MemTotal: <n> kB\"",
				 sysroot_display(root, rel, shown, sizeof(shown)), node->id);
	free(text);
	text = NULL;

	node->distance = malloc(sizeof(int) * (size_t)(max_node + 1));
	row = malloc(sizeof(int) * (size_t)(max_node + 1));
	if (!node->distance || !row)
		return -ENOMEM;
	for (int k = 0; k <= max_node; k++)
		node->distance[k] = -1;
	snprintf(rel, sizeof(rel), NODE_DIR "/node%d/distance", node->id);
	r = sysroot_read_file(root, rel, &text, NULL);
	if (r < 0)
		return error_set(err, r, "cannot read %s: %s",
				 sysroot_display(root, rel, shown, sizeof(shown)), strerror(-r));
	r = topology_parse_distance_row(text, row, (size_t)max_node + 1, &n_row);
	if (r < 0 || n_row == 0)
		return error_set(err, -EINVAL,
				 "%s: expected one distance (0-255) per online node, got \"%.40s\"",
				 sysroot_display(root, rel, shown, sizeof(shown)),
				 strtok(text, "\n") ? text : "");
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
	struct dirent *de;
	int r = 0;

	topo->top_tier = -1;
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		struct idset nodes;
		char rel[PATH_MAX];
		int tier;

		if (sscanf(de->d_name, "memory_tier%d", &tier) != 1)
			continue;
		snprintf(rel, sizeof(rel), TIER_DIR "/%s/nodelist", de->d_name);
		r = read_idset(root, rel, &nodes, false, err);
		if (r < 0)
			break;
		IDSET_FOREACH(id, &nodes) {
			for (size_t i = 0; i < topo->n_nodes; i++)
				if (topo->nodes[i].id == id)
					topo->nodes[i].tier = tier;
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
	struct dirent *de;
	int r = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		_cleanup_free_ char *target = NULL, *node_text = NULL;
		struct dax_device *dev;
		char rel[PATH_MAX], shown[PATH_MAX];
		char *end;
		long node;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(dev->name))
			continue;
		snprintf(rel, sizeof(rel), DAX_DIR "/%s", de->d_name);
		if (sysroot_readlink(root, rel, &target) < 0)
			continue;
		snprintf(rel, sizeof(rel), DAX_DIR "/%s/target_node", de->d_name);
		if (sysroot_read_line(root, rel, &node_text) < 0)
			continue; /* older kernels: no target_node, nothing to learn */
		errno = 0;
		node = strtol(node_text, &end, 10);
		if (errno || *end || end == node_text) {
			r = error_set(err, -EINVAL, "%s: expected a node number, got \"%.40s\"",
				      sysroot_display(root, rel, shown, sizeof(shown)), node_text);
			break;
		}
		if (GROW_ARRAY(topo->dax, topo->dax_cap, topo->n_dax + 1) < 0) {
			r = -ENOMEM;
			break;
		}
		dev = &topo->dax[topo->n_dax++];
		memset(dev, 0, sizeof(*dev));
		memcpy(dev->name, de->d_name, strlen(de->d_name) + 1); /* length checked above */
		dev->target_node = (int)node;
		topology_dax_cxl_region(target, dev->region, sizeof(dev->region));
		snprintf(rel, sizeof(rel), KMEM_DIR "/%s", de->d_name);
		dev->kmem = sysroot_exists(root, rel);
	}
	closedir(dir);
	return r;
}

int topology_read(const struct sysroot *root, const struct topology_options *opts,
		  struct topology **ret, struct error *err)
{
	_cleanup_(topology_freep) struct topology *topo = NULL;
	struct idset has_cpu, has_memory;
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
		return error_set(err, -EINVAL, "%s/online: no online node", NODE_DIR);

	max_node = 0;
	IDSET_FOREACH(id, &topo->online)
		max_node = id;
	topo->max_node = max_node;
	topo->nodes = calloc(idset_count(&topo->online), sizeof(*topo->nodes));
	if (!topo->nodes)
		return -ENOMEM;

	IDSET_FOREACH(id, &topo->online) {
		struct numa_node *node = &topo->nodes[topo->n_nodes++];

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
	topology_classify(topo, opts);
	*ret = TAKE_PTR(topo);
	return 0;
}
