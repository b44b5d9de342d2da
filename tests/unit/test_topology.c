/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "testlib.h"
#include "topology.h"

#define NODE_DIR "sys/devices/system/node"

static struct topology *read_tree_opts(const char *path, const struct topology_options *opts)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(path);
	struct topology *topo = NULL;
	struct error err = { 0 };
	int r = topology_read(root, opts, &topo, &err);

	ck_assert_msg(r == 0, "topology_read(%s): %d %s", path, r, err.message);
	ck_assert_ptr_nonnull(topo);
	return topo;
}

static struct topology *read_fixture(const char *tree)
{
	return read_tree_opts(fixture_path(tree), NULL);
}

static const char *list(const struct idset *set)
{
	static char buf[256];

	return idset_format(set, buf, sizeof(buf));
}

static const struct numa_node *node(const struct topology *topo, int id)
{
	const struct numa_node *n = topology_node(topo, id);

	ck_assert_msg(n != NULL, "node %d missing", id);
	return n;
}

/* Does any evidence line of @n contain @needle? */
static bool has_evidence(const struct numa_node *n, const char *needle)
{
	for (size_t i = 0; i < n->n_evidence; i++)
		if (strstr(n->evidence[i], needle))
			return true;
	return false;
}

static const char *all_evidence(const struct numa_node *n)
{
	static char buf[TOPOLOGY_MAX_EVIDENCE * (TOPOLOGY_EVIDENCE_LEN + 3)];

	buf[0] = '\0';
	for (size_t i = 0; i < n->n_evidence; i++) {
		strcat(buf, n->evidence[i]);
		strcat(buf, " | ");
	}
	return buf;
}

#define ck_assert_evidence(n, needle)                                                      \
	ck_assert_msg(has_evidence((n), (needle)), "node %d: no evidence with \"%s\": %s", \
		      (n)->id, (needle), all_evidence(n))
#define ck_assert_no_evidence(n, needle)                                                       \
	ck_assert_msg(!has_evidence((n), (needle)), "node %d: unexpected \"%s\": %s", (n)->id, \
		      (needle), all_evidence(n))

/* ---- parsers on strings ------------------------------------------------ */

START_TEST(test_parse_distance_row)
{
	int row[4] = { -7, -7, -7, -7 };
	size_t n = 99;

	ck_assert_int_eq(topology_parse_distance_row("10 21 24 32\n", row, 4, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(row[0], 10);
	ck_assert_int_eq(row[1], 21);
	ck_assert_int_eq(row[2], 24);
	ck_assert_int_eq(row[3], 32);
	ck_assert_int_eq(topology_parse_distance_row("10\t255", row, 4, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(row[1], 255);
	ck_assert_int_eq(topology_parse_distance_row("", row, 4, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(topology_parse_distance_row("\n", row, 4, &n), 0);
	ck_assert_uint_eq(n, 0);

	n = 99;
	ck_assert_int_eq(topology_parse_distance_row("10 abc", row, 4, &n), -EINVAL);
	ck_assert_int_eq(topology_parse_distance_row("10 256", row, 4, &n), -EINVAL);
	ck_assert_int_eq(topology_parse_distance_row("-1 10", row, 4, &n), -EINVAL);
	ck_assert_int_eq(topology_parse_distance_row("10,20", row, 4, &n), -EINVAL);
	ck_assert_int_eq(topology_parse_distance_row("99999999999999999999", row, 4, &n), -EINVAL);
	ck_assert_int_eq(topology_parse_distance_row("10 20 30", row, 2, &n), -E2BIG);
	ck_assert_uint_eq(n, 99); /* untouched on failure */
}
END_TEST

START_TEST(test_parse_meminfo_total)
{
	uint64_t bytes = 0;

	ck_assert_int_eq(topology_parse_meminfo_total("Node 2 MemTotal:       67108864 kB\n"
						      "Node 2 MemFree:        67000000 kB\n",
						      &bytes),
			 0);
	ck_assert_uint_eq(bytes, 67108864ULL * 1024);
	/* more than 8 digits: the field is wider than usual */
	ck_assert_int_eq(
		topology_parse_meminfo_total("Node 0 MemTotal:       263921220 kB\n", &bytes), 0);
	ck_assert_uint_eq(bytes, 263921220ULL * 1024);
	/* not on the first line */
	ck_assert_int_eq(topology_parse_meminfo_total("Node 1 MemFree:      5 kB\n"
						      "Node 1 MemTotal:      7 kB\n",
						      &bytes),
			 0);
	ck_assert_uint_eq(bytes, 7 * 1024);

	bytes = 42;
	ck_assert_int_eq(topology_parse_meminfo_total("Node 1 MemFree: 5 kB\n", &bytes), -ENODATA);
	ck_assert_int_eq(topology_parse_meminfo_total("", &bytes), -ENODATA);
	ck_assert_int_eq(topology_parse_meminfo_total("Node 1 MemTotal: lots\n", &bytes), -ENODATA);
	ck_assert_uint_eq(bytes, 42);
}
END_TEST

START_TEST(test_dax_cxl_region)
{
	char region[32];

	topology_dax_cxl_region("../../../devices/platform/ACPI0017:00/root0/decoder0.0/region0/"
				"dax_region0/dax0.0",
				region, sizeof(region));
	ck_assert_str_eq(region, "region0");
	topology_dax_cxl_region("../../../devices/platform/ACPI0017:00/root0/decoder0.0/region2/"
				"dax_region2/dax2.0",
				region, sizeof(region));
	ck_assert_str_eq(region, "region2");
	/* NVDIMM region: not CXL */
	topology_dax_cxl_region("../../../devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0012:00/ndbus0/"
				"region1/dax1.0/dax1.0",
				region, sizeof(region));
	ck_assert_str_eq(region, "");
	topology_dax_cxl_region("../../../devices/platform/hmem.0/dax0.0", region, sizeof(region));
	ck_assert_str_eq(region, "");
	/* multi-digit region at the end of the path */
	topology_dax_cxl_region("/sys/devices/platform/ACPI0017:00/root0/decoder3.1/region12",
				region, sizeof(region));
	ck_assert_str_eq(region, "region12");
	/* under the CXL root with no region component: still CXL */
	topology_dax_cxl_region("../../devices/platform/ACPI0017:00/root0/dax9.0", region,
				sizeof(region));
	ck_assert_str_eq(region, "cxl");
	/* "/regionX" is no region; "dax_region0" is not "/region0" */
	topology_dax_cxl_region(
		"/devices/platform/ACPI0017:00/root0/decoder0.0/regionX/dax_region0", region,
		sizeof(region));
	ck_assert_str_eq(region, "cxl");
}
END_TEST

/* ---- fixture trees ---------------------------------------------------- */

START_TEST(test_laptop)
{
	_cleanup_(topology_freep) struct topology *topo = read_fixture("laptop");
	const struct numa_node *n0;

	ck_assert_uint_eq(topo->n_nodes, 1);
	ck_assert_int_eq(topo->max_node, 0);
	ck_assert_int_eq(topo->top_tier, 4);
	ck_assert(idset_empty(&topo->cxl));
	ck_assert_str_eq(list(&topo->dram), "0");
	ck_assert_uint_eq(topo->n_dax, 0);
	n0 = node(topo, 0);
	ck_assert_int_eq(n0->cls, NODE_CLASS_DRAM);
	ck_assert_str_eq(node_class_to_string(n0->cls), "dram");
	ck_assert(n0->has_cpu);
	ck_assert(n0->has_memory);
	ck_assert_uint_eq(n0->memory_bytes, 16303096ULL * 1024);
	ck_assert_str_eq(list(&n0->cpus), "0-7");
	ck_assert_int_eq(n0->tier, 4);
	ck_assert_int_eq(n0->nearest_dram, 0);
	ck_assert_int_eq(n0->distance[0], 10);
	ck_assert_evidence(n0, "memory_tier4 is the top tier");
	ck_assert(!topology_is_cxl(topo, 0));
	ck_assert_ptr_null(topology_node(topo, 1));
	ck_assert_int_eq(topology_nearest_dram(topo, 0, NULL, -1), 0);
	ck_assert_int_eq(topology_cpu_node(topo, 7), 0);
	ck_assert_int_eq(topology_cpu_node(topo, 8), -1);
}
END_TEST

START_TEST(test_server_2s_cxl)
{
	_cleanup_(topology_freep) struct topology *topo = read_fixture("server-2s-cxl");
	static const int dist[4][4] = {
		{ 10, 21, 24, 32 }, { 21, 10, 32, 24 }, { 24, 32, 10, 40 }, { 32, 24, 40, 10 }
	};

	ck_assert_uint_eq(topo->n_nodes, 4);
	ck_assert_int_eq(topo->max_node, 3);
	ck_assert_int_eq(topo->top_tier, 4);
	ck_assert_str_eq(list(&topo->online), "0-3");
	ck_assert_str_eq(list(&topo->dram), "0-1");
	ck_assert_str_eq(list(&topo->cxl), "2-3");
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			ck_assert_int_eq(node(topo, i)->distance[j], dist[i][j]);
	ck_assert_str_eq(list(&node(topo, 0)->cpus), "0-15,32-47");
	ck_assert_str_eq(list(&node(topo, 1)->cpus), "16-31,48-63");
	ck_assert_uint_eq(node(topo, 0)->memory_bytes, 263921220ULL * 1024);
	ck_assert_uint_eq(node(topo, 1)->memory_bytes, 264214516ULL * 1024);
	for (int id = 2; id <= 3; id++) {
		const struct numa_node *n = node(topo, id);

		ck_assert_int_eq(n->cls, NODE_CLASS_CXL);
		ck_assert_str_eq(node_class_to_string(n->cls), "cxl");
		ck_assert(topology_is_cxl(topo, id));
		ck_assert(!n->has_cpu);
		ck_assert(idset_empty(&n->cpus));
		ck_assert_uint_eq(n->memory_bytes, 67108864ULL * 1024);
		ck_assert_int_eq(n->tier, 22);
		ck_assert_evidence(n, "tier: memory_tier22 below top tier memory_tier4");
		ck_assert_no_evidence(n, "dax");
	}
	for (int id = 0; id <= 1; id++) {
		ck_assert_int_eq(node(topo, id)->cls, NODE_CLASS_DRAM);
		ck_assert_int_eq(node(topo, id)->tier, 4);
		ck_assert_int_eq(node(topo, id)->nearest_dram, id);
	}
	ck_assert_int_eq(node(topo, 2)->nearest_dram, 0); /* 24 < 32 */
	ck_assert_int_eq(node(topo, 3)->nearest_dram, 1); /* 24 < 32 */
	/* a preferred node that is farther does not win */
	ck_assert_int_eq(topology_nearest_dram(topo, 2, NULL, 1), 0);
	ck_assert_int_eq(topology_cpu_node(topo, 40), 0);
	ck_assert_int_eq(topology_cpu_node(topo, 50), 1);
	ck_assert_int_eq(topology_cpu_node(topo, 64), -1);
}
END_TEST

START_TEST(test_dax_region)
{
	_cleanup_(topology_freep) struct topology *topo = read_fixture("dax-region");
	const struct numa_node *n1, *n2;
	bool seen[3] = { false, false, false };

	ck_assert_uint_eq(topo->n_nodes, 3);
	ck_assert_int_eq(topo->max_node, 2);
	ck_assert_str_eq(list(&topo->dram), "0");
	ck_assert_str_eq(list(&topo->cxl), "1-2");
	ck_assert_ptr_null(topology_node(topo, 3)); /* possible, not online */
	ck_assert(!topology_is_cxl(topo, 3));

	n1 = node(topo, 1);
	ck_assert_int_eq(n1->cls, NODE_CLASS_CXL);
	ck_assert_evidence(n1, "dax0.0");
	ck_assert_evidence(n1, "region0");
	ck_assert_evidence(n1, "dax: dax0.0 bound to kmem, target_node=1, via CXL region0");
	ck_assert_int_eq(n1->nearest_dram, 0);

	n2 = node(topo, 2);
	ck_assert_int_eq(n2->cls, NODE_CLASS_CXL);
	ck_assert_evidence(n2, "tier: memory_tier22");
	ck_assert_no_evidence(n2, "dax");
	ck_assert_int_eq(n2->nearest_dram, 0);
	ck_assert_int_eq(node(topo, 0)->cls, NODE_CLASS_DRAM);
	ck_assert_no_evidence(node(topo, 0), "dax");

	/* the raw dax facts: numa_node is never taken as the memory's node */
	ck_assert_uint_eq(topo->n_dax, 3);
	for (size_t i = 0; i < topo->n_dax; i++) {
		const struct dax_device *d = &topo->dax[i];

		if (strcmp(d->name, "dax0.0") == 0) {
			ck_assert_str_eq(d->region, "region0");
			ck_assert_int_eq(d->target_node, 1);
			ck_assert(d->kmem);
			seen[0] = true;
		} else if (strcmp(d->name, "dax1.0") == 0) {
			ck_assert_str_eq(d->region, "");
			ck_assert_int_eq(d->target_node, 2);
			ck_assert(d->kmem);
			seen[1] = true;
		} else if (strcmp(d->name, "dax2.0") == 0) {
			ck_assert_str_eq(d->region, "region2");
			ck_assert_int_eq(d->target_node, 3);
			ck_assert(!d->kmem); /* device_dax, ignored */
			seen[2] = true;
		} else {
			ck_abort_msg("unexpected dax device %s", d->name);
		}
	}
	ck_assert(seen[0] && seen[1] && seen[2]);
}
END_TEST

START_TEST(test_tie_distance)
{
	_cleanup_(topology_freep) struct topology *topo = read_fixture("tie-distance");
	struct idset only1, none;

	ck_assert_str_eq(list(&topo->dram), "0-1");
	ck_assert_str_eq(list(&topo->cxl), "2");
	ck_assert_evidence(node(topo, 2), "tier: memory_tier22");
	ck_assert_int_eq(topology_nearest_dram(topo, 2, NULL, 1), 1);
	ck_assert_int_eq(topology_nearest_dram(topo, 2, NULL, 0), 0);
	ck_assert_int_eq(topology_nearest_dram(topo, 2, NULL, -1), 0); /* lowest id */
	ck_assert_int_eq(topology_nearest_dram(topo, 2, NULL, 2), 0); /* 2 is no candidate */
	ck_assert_int_eq(node(topo, 2)->nearest_dram, 0);
	/* the process's CPU decides the tie */
	ck_assert_int_eq(topology_nearest_dram(topo, 2, NULL, topology_cpu_node(topo, 1)), 0);
	ck_assert_int_eq(topology_nearest_dram(topo, 2, NULL, topology_cpu_node(topo, 3)), 1);
	/* allowed nodes (cpuset) restrict the candidates */
	ck_assert_int_eq(idset_parse("1", &only1), 0);
	ck_assert_int_eq(topology_nearest_dram(topo, 2, &only1, 0), 1);
	idset_clear(&none);
	ck_assert_int_eq(topology_nearest_dram(topo, 2, &none, 0), -1);
	ck_assert_int_eq(topology_nearest_dram(topo, 7, NULL, 0), -1); /* no such node */
	/* from DRAM node 0 the nearest DRAM is itself */
	ck_assert_int_eq(topology_nearest_dram(topo, 0, NULL, 1), 0);
}
END_TEST

START_TEST(test_no_tiers)
{
	_cleanup_(topology_freep) struct topology *topo = read_fixture("no-tiers");
	const struct numa_node *n1;

	ck_assert_int_eq(topo->top_tier, -1);
	ck_assert_str_eq(list(&topo->dram), "0");
	ck_assert_str_eq(list(&topo->cxl), "1");
	n1 = node(topo, 1);
	ck_assert_int_eq(n1->tier, -1);
	ck_assert_int_eq(node(topo, 0)->tier, -1);
	ck_assert_evidence(n1, "cpu-less: has memory, no CPUs");
	ck_assert_no_evidence(n1, "tier");
	ck_assert_int_eq(n1->nearest_dram, 0);
	ck_assert_uint_eq(n1->memory_bytes, 33554432ULL * 1024);
	ck_assert_uint_eq(topo->n_dax, 0);
}
END_TEST

START_TEST(test_override)
{
	struct topology_options opts = { .has_cxl_override = true };
	_cleanup_(topology_freep) struct topology *topo = NULL;

	ck_assert_int_eq(idset_parse("3", &opts.cxl_override), 0);
	topo = read_tree_opts(fixture_path("server-2s-cxl"), &opts);
	ck_assert_str_eq(list(&topo->cxl), "3");
	ck_assert_str_eq(list(&topo->dram), "0-2");
	for (int id = 0; id <= 3; id++) {
		const struct numa_node *n = node(topo, id);

		ck_assert_uint_ge(n->n_evidence, 1);
		ck_assert_str_eq(n->evidence[0], id == 3 ? "override: listed in --cxl-nodes 3"
							 : "override: not listed in --cxl-nodes 3");
		ck_assert_int_eq(n->cls, id == 3 ? NODE_CLASS_CXL : NODE_CLASS_DRAM);
	}
	/* the tier fact is kept as evidence, but does not decide */
	ck_assert_evidence(node(topo, 2), "memory_tier22");
	/* node 2 is DRAM now: nearest to 3 is still 1 (24), not 2 (40) */
	ck_assert_int_eq(node(topo, 3)->nearest_dram, 1);
	ck_assert_int_eq(node(topo, 2)->nearest_dram, 2);

	/* classify again without the override: back to the tier rule */
	topology_classify(topo, NULL);
	ck_assert_str_eq(list(&topo->cxl), "2-3");
	ck_assert_no_evidence(node(topo, 3), "override");
	ck_assert_int_eq(node(topo, 2)->nearest_dram, 0);
}
END_TEST

START_TEST(test_override_everything)
{
	struct topology_options opts = { .has_cxl_override = true };
	_cleanup_(topology_freep) struct topology *topo = NULL;

	ck_assert_int_eq(idset_parse("0", &opts.cxl_override), 0);
	topo = read_tree_opts(fixture_path("laptop"), &opts);
	ck_assert_str_eq(list(&topo->cxl), "0");
	ck_assert(idset_empty(&topo->dram));
	ck_assert_int_eq(node(topo, 0)->nearest_dram, -1); /* no DRAM node left */
}
END_TEST

/* ---- garbage ---------------------------------------------------------- */

START_TEST(test_garbage_as_is)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("garbage");
	struct topology *topo = NULL;
	struct error err = { 0 };
	int r = topology_read(root, NULL, &topo, &err);

	ck_assert_int_lt(r, 0);
	ck_assert_int_eq(err.code, r);
	ck_assert_ptr_null(topo);
	ck_assert_msg(strstr(err.message, NODE_DIR "/has_cpu"), "message: %s", err.message);
}
END_TEST

/*
 * The garbage tree with its broken files repaired, but for one: each case
 * puts back exactly one broken thing from the fixture.
 */
struct repair {
	const char *rel;
	const char *content;
	int fixes; /* the case index this repair belongs to */
};

static const struct repair repairs[] = {
	{ NODE_DIR "/has_cpu", "0\n", 0 },
	{ NODE_DIR "/node0/distance", "10 20 20\n", 1 },
	{ NODE_DIR "/node1/cpulist", "\n", 2 },
	{ NODE_DIR "/node1/meminfo",
	  "Node 1 MemTotal:       33554432 kB\nNode 1 MemFree:        33546880 kB\n", 3 },
	{ "sys/devices/virtual/memory_tiering/memory_tier22/nodelist", "1-2\n", 4 },
	{ NODE_DIR "/node2/cpulist", "\n", 5 },
	{ NODE_DIR "/node2/meminfo", "Node 2 MemTotal:       16777216 kB\n", 5 },
	{ NODE_DIR "/node2/distance", "20 20 10\n", 5 },
};

struct garbage_case {
	const char *file; /* must be named in the message */
	int code;
};

static const struct garbage_case garbage_cases[] = {
	{ NODE_DIR "/has_cpu", -EINVAL }, /* "zzz" */
	{ NODE_DIR "/node0/distance", -EINVAL }, /* 0 bytes */
	{ NODE_DIR "/node1/cpulist", -EINVAL }, /* "0-" */
	{ NODE_DIR "/node1/meminfo", -EINVAL }, /* no MemTotal */
	{ "sys/devices/virtual/memory_tiering/memory_tier22/nodelist", -EINVAL }, /* "1-0" */
	{ NODE_DIR "/node2", -ENOENT }, /* missing directory */
};

/* Copy of the garbage tree with every repair except those of case @keep_broken (-1: none). */
static char *garbage_copy(int keep_broken)
{
	char *dir = fixture_copy("garbage");

	for (size_t i = 0; i < sizeof(repairs) / sizeof(repairs[0]); i++)
		if (repairs[i].fixes != keep_broken)
			write_file(dir, repairs[i].rel, repairs[i].content);
	return dir;
}

START_TEST(test_garbage_repaired)
{
	char *dir = garbage_copy(-1);
	_cleanup_(topology_freep) struct topology *topo = read_tree_opts(dir, NULL);

	/* the baseline the broken cases start from is itself fine */
	ck_assert_uint_eq(topo->n_nodes, 3);
	ck_assert_str_eq(list(&topo->dram), "0");
	ck_assert_str_eq(list(&topo->cxl), "1-2");
	ck_assert_int_eq(node(topo, 1)->distance[0], 20);
	ck_assert_str_eq(list(&node(topo, 0)->cpus), "0-3");
	remove_tree(dir);
}
END_TEST

START_TEST(test_garbage_one_broken)
{
	const struct garbage_case *c = &garbage_cases[_i];
	char *dir = garbage_copy(_i);
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);
	struct topology *topo = NULL;
	struct error err = { 0 };
	char shown[PATH_MAX];
	int r;

	r = topology_read(root, NULL, &topo, &err);
	ck_assert_msg(r == c->code, "%s: got %d (%s), want %d", c->file, r, err.message, c->code);
	ck_assert_int_eq(err.code, r);
	ck_assert_ptr_null(topo);
	/* the message names the file, with the sysroot it was read below */
	snprintf(shown, sizeof(shown), "%s/%s", dir, c->file);
	ck_assert_msg(strstr(err.message, shown), "message \"%s\" does not name %s", err.message,
		      shown);
	remove_tree(dir);
}
END_TEST

START_TEST(test_garbage_distance_count)
{
	char *dir = garbage_copy(-1);
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);
	struct topology *topo = NULL;
	struct error err = { 0 };

	/* two distances for three online nodes */
	write_file(dir, NODE_DIR "/node1/distance", "20 10\n");
	ck_assert_int_eq(topology_read(root, NULL, &topo, &err), -EINVAL);
	ck_assert_ptr_null(topo);
	ck_assert_msg(strstr(err.message, "node1/distance") &&
			      strstr(err.message, "expected 3 distances"),
		      "message: %s", err.message);
	/* a distance out of range */
	write_file(dir, NODE_DIR "/node1/distance", "20 10 300\n");
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(topology_read(root, NULL, &topo, &err), -EINVAL);
	ck_assert_ptr_null(topo);
	ck_assert_msg(strstr(err.message, "node1/distance"), "message: %s", err.message);
	remove_tree(dir);
}
END_TEST

START_TEST(test_garbage_missing_online)
{
	char *dir = garbage_copy(-1);
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);
	struct topology *topo = NULL;
	struct error err = { 0 };

	remove_file(dir, NODE_DIR "/online");
	ck_assert_int_eq(topology_read(root, NULL, &topo, &err), -ENOENT);
	ck_assert_ptr_null(topo);
	ck_assert_msg(strstr(err.message, NODE_DIR "/online"), "message: %s", err.message);
	/* empty online list */
	write_file(dir, NODE_DIR "/online", "\n");
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(topology_read(root, NULL, &topo, &err), -EINVAL);
	ck_assert_msg(strstr(err.message, "online"), "message: %s", err.message);
	remove_tree(dir);
}
END_TEST

START_TEST(test_dax_bad_target_node)
{
	char *dir = fixture_copy("dax-region");
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);
	struct topology *topo = NULL;
	struct error err = { 0 };

	write_file(dir,
		   "sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax0.0/"
		   "target_node",
		   "one\n");
	ck_assert_int_eq(topology_read(root, NULL, &topo, &err), -EINVAL);
	ck_assert_ptr_null(topo);
	ck_assert_msg(strstr(err.message, "dax0.0/target_node"), "message: %s", err.message);
	remove_tree(dir);
}
END_TEST

START_TEST(test_no_error_struct)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("garbage");
	struct topology *topo = NULL;

	/* @err is optional */
	ck_assert_int_eq(topology_read(root, NULL, &topo, NULL), -EINVAL);
	ck_assert_ptr_null(topo);
}
END_TEST

START_TEST(test_real_host)
{
	_cleanup_(topology_freep) struct topology *topo = read_tree_opts("/", NULL);
	const struct numa_node *n;

	/* whatever the host, every online node is classified exactly once */
	ck_assert_uint_ge(topo->n_nodes, 1);
	ck_assert_uint_eq(idset_count(&topo->dram) + idset_count(&topo->cxl), topo->n_nodes);
	n = node(topo, topo->nodes[0].id);
	ck_assert_uint_gt(n->memory_bytes, 0);
	ck_assert_int_eq(n->distance[n->id], 10);
}
END_TEST

static Suite *topology_suite(void)
{
	Suite *s = suite_create("topology");
	TCase *parse = tcase_create("parse");
	TCase *trees = tcase_create("trees");
	TCase *garbage = tcase_create("garbage");

	tcase_add_test(parse, test_parse_distance_row);
	tcase_add_test(parse, test_parse_meminfo_total);
	tcase_add_test(parse, test_dax_cxl_region);
	suite_add_tcase(s, parse);

	tcase_add_test(trees, test_laptop);
	tcase_add_test(trees, test_server_2s_cxl);
	tcase_add_test(trees, test_dax_region);
	tcase_add_test(trees, test_tie_distance);
	tcase_add_test(trees, test_no_tiers);
	tcase_add_test(trees, test_override);
	tcase_add_test(trees, test_override_everything);
	tcase_add_test(trees, test_real_host);
	suite_add_tcase(s, trees);

	tcase_add_test(garbage, test_garbage_as_is);
	tcase_add_test(garbage, test_garbage_repaired);
	tcase_add_loop_test(garbage, test_garbage_one_broken, 0,
			    (int)(sizeof(garbage_cases) / sizeof(garbage_cases[0])));
	tcase_add_test(garbage, test_garbage_distance_count);
	tcase_add_test(garbage, test_garbage_missing_online);
	tcase_add_test(garbage, test_dax_bad_target_node);
	tcase_add_test(garbage, test_no_error_struct);
	suite_add_tcase(s, garbage);
	return s;
}

int main(void)
{
	return run_suite(topology_suite());
}
