/* SPDX-License-Identifier: MIT */
/*
 * The machine's memory topology: every online NUMA node, its memory, CPUs,
 * distances and class (DRAM or CXL), with the evidence that decided the
 * class.  Classification rules, first match wins, every matching rule is
 * kept as evidence (the deciding one first):
 *   1. explicit override (a --cxl-nodes list: listed nodes are CXL, the
 *      rest DRAM);
 *   2. the target_node of a dax device bound to kmem whose device path runs
 *      through a CXL region (definitive: the kernel built the node from a
 *      CXL region);
 *   3. iomem: more than half of the node's memory blocks lie inside a
 *      "CXL Window N" of /proc/iomem (firmware's CXL address range: CXL
 *      memory that firmware onlined as plain RAM, which no tier shows on 6.1);
 *   4. HMAT/CDAT: a CPU-less node with a firmware read latency
 *      (nodeN/access0/initiators/read_latency) compared with the lowest one of
 *      a CPU node: within TOPOLOGY_HMAT_NEAR_PCT (150%) it is DRAM, beyond it
 *      CXL.  1.5x sits between the two populations measured on real servers:
 *      local DRAM vs. a sub-NUMA cluster or near die differs by 1.1-1.3x,
 *      direct-attached CXL type-3 memory reads at 1.7-3x local DRAM (Intel SPR
 *      ~215-270 ns vs ~110 ns; the QEMU guest's HMAT recipe 300 vs 100 ns);
 *   5. a node outside the top memory tier (the tier holding CPU nodes);
 *   6. a memory-only node (has memory, no CPUs).
 *
 * Node ids are bounded by TOPOLOGY_MAX_NODES (1024, the largest MAX_NUMNODES
 * any architecture configures: CONFIG_NODES_SHIFT <= 10).  An online list or
 * a dax target_node beyond it is bad input (-EINVAL), and per-node arrays
 * (distance, the id -> index map) stay below 1024 entries whatever the
 * input.  Sparse ids (online "0,1000") cost max_node + 1 ints per node row.
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

#define TOPOLOGY_MAX_EVIDENCE 8
#define TOPOLOGY_EVIDENCE_LEN 160
#define TOPOLOGY_MAX_NODES 1024 /* node ids are 0 .. TOPOLOGY_MAX_NODES - 1 */
#define TOPOLOGY_HMAT_NEAR_PCT 150 /* rule 4: read latency within 1.5x of DRAM's */

/*
 * Firmware's access coordinates (ACPI HMAT, or CDAT for CXL on 6.9+) from the
 * nearest initiator: nodeN/access0/initiators/{read,write}_{latency,bandwidth}.
 * 0 when the kernel does not report them.
 */
struct node_perf {
	uint32_t read_latency; /* ns */
	uint32_t write_latency; /* ns */
	uint32_t read_bandwidth; /* MB/s */
	uint32_t write_bandwidth; /* MB/s */
};

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
	struct node_perf perf;
	size_t n_blocks; /* memory blocks counted (only when a CXL window is known) */
	size_t n_blocks_in_cxl; /* ... of which inside a CXL window */
	int cxl_window; /* index into topology.cxl_windows holding its blocks, -1 */
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

/* A "CXL Window N" resource line of /proc/iomem. */
struct cxl_window {
	char name[32]; /* "CXL Window 0" */
	uint64_t start, end; /* inclusive */
	bool known; /* false when iomem shows zeros (not root): addresses unknown */
};

struct topology {
	struct numa_node *nodes; /* online nodes, ascending id */
	size_t n_nodes;
	int max_node; /* < TOPOLOGY_MAX_NODES */
	int *index; /* node id -> index into nodes, max_node + 1 entries, -1 offline */
	int top_tier; /* -1 when unknown */
	struct idset online, dram, cxl;
	struct dax_device *dax;
	size_t n_dax;
	size_t dax_cap;
	struct cxl_window *cxl_windows;
	size_t n_cxl_windows;
	uint64_t block_size; /* memory block size, 0 unknown (not read) */
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

/*
 * Parsers on strings and buffers, for unit tests and fuzz targets.  All are
 * strict: a sign, white space inside, trailing garbage or an embedded NUL
 * (the _buf variants, and every reader) is -EINVAL; a number that does not
 * fit is -ERANGE.  Outputs are untouched on failure.
 */
int topology_parse_distance_row(const char *text, int *ret, size_t max, size_t *ret_n);
/* "Node N MemTotal: <kB> kB" anywhere in a node meminfo; -ENODATA when absent. */
int topology_parse_meminfo_total(const char *text, uint64_t *ret_bytes);
/*
 * A whole one-value sysfs file of @len bytes: digits in @base (10 or 16, no
 * "0x"), at most one trailing '\n', value <= @max.
 */
int topology_parse_u64_buf(const char *buf, size_t len, unsigned base, uint64_t max, uint64_t *ret);
/* A dax target_node file: -1 (no node) or 0 .. TOPOLOGY_MAX_NODES - 1. */
int topology_parse_node_id_buf(const char *buf, size_t len, int *ret);
/* "memory_tier<K>" directory name -> K; -EINVAL for anything else. */
int topology_parse_tier_name(const char *name, int *ret);
/*
 * The "CXL Window N" lines of a /proc/iomem text, at any nesting depth, in
 * file order; *ret is malloc'ed (NULL when none).  Lines that are not
 * "<hex>-<hex> : <name>" are -EINVAL.
 */
int topology_parse_iomem_cxl_windows(const char *text, struct cxl_window **ret, size_t *ret_n);
/* From a resolved dax device path, the CXL region it runs through ("" if none). */
void topology_dax_cxl_region(const char *link_target, char *ret_region, size_t size);
