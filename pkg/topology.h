/* SPDX-License-Identifier: MIT */
/*
 * The machine's memory topology: every online NUMA node, its memory, CPUs,
 * distances and class (DRAM or CXL), with the evidence that decided the
 * class.  Classification rules, first match wins, every matching rule is
 * kept as evidence:
 *   1. explicit override (a --cxl-nodes list: listed nodes are CXL, the
 *      rest DRAM);
 *   2. the target_node of a dax device bound to kmem whose device path runs
 *      through a CXL region;
 *   3. a node outside the top memory tier (the tier holding CPU nodes);
 *   4. a memory-only node (has memory, no CPUs).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "idset.h"
#include "macro.h"
#include "sysroot.h"

enum node_class {
	NODE_CLASS_DRAM,
	NODE_CLASS_CXL,
};

#define TOPOLOGY_MAX_EVIDENCE 5
#define TOPOLOGY_EVIDENCE_LEN 160

struct numa_node {
	int id;
	enum node_class cls;
	bool has_cpu;
	bool has_memory;
	uint64_t memory_bytes;
	struct idset cpus;
	int tier; /* memory_tier<K>, -1 when the kernel has no tiers */
	int nearest_dram; /* -1 when there is no DRAM node with memory */
	int *distance; /* indexed by node id, topology.max_node + 1 entries, -1 unknown */
	size_t n_evidence;
	char evidence[TOPOLOGY_MAX_EVIDENCE][TOPOLOGY_EVIDENCE_LEN];
};

/* A dax device found on the bus, the raw fact behind rule 2. */
struct dax_device {
	char name[32]; /* "dax0.0" */
	char region[32]; /* "region0" when the path runs through a CXL region, else "" */
	int target_node;
	bool kmem;
};

struct topology {
	struct numa_node *nodes; /* online nodes, ascending id */
	size_t n_nodes;
	int max_node;
	int top_tier; /* -1 when unknown */
	struct idset online, dram, cxl;
	struct dax_device *dax;
	size_t n_dax;
	size_t dax_cap;
};

struct topology_options {
	bool has_cxl_override;
	struct idset cxl_override;
};

int topology_read(const struct sysroot *root, const struct topology_options *opts,
		  struct topology **ret, struct error *err);
void topology_free(struct topology *topo);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct topology *, topology_free)

/* Apply the classification rules to the facts already in @topo (pure). */
void topology_classify(struct topology *topo, const struct topology_options *opts);

const struct numa_node *topology_node(const struct topology *topo, int id);
bool topology_is_cxl(const struct topology *topo, int node);
/* Node whose cpulist holds @cpu, or -1. */
int topology_cpu_node(const struct topology *topo, int cpu);
/*
 * Nearest DRAM node with memory to @node, among @allowed (NULL: any).
 * Distance ties go to @prefer (the node of the process's CPU) when it is one
 * of them, else to the lowest id.  -1 when no candidate exists.
 */
int topology_nearest_dram(const struct topology *topo, int node, const struct idset *allowed,
			  int prefer);

const char *node_class_to_string(enum node_class cls);

/* Parsers, exposed for unit tests. */
int topology_parse_distance_row(const char *text, int *ret, size_t max, size_t *ret_n);
int topology_parse_meminfo_total(const char *text, uint64_t *ret_bytes);
/* From a resolved dax device path, the CXL region it runs through ("" if none). */
void topology_dax_cxl_region(const char *link_target, char *ret_region, size_t size);
