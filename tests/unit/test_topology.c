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

	/* the largest value whose bytes fit in 64 bits */
	ck_assert_int_eq(
		topology_parse_meminfo_total("Node 0 MemTotal: 18014398509481983 kB\n", &bytes), 0);
	ck_assert_uint_eq(bytes, 18014398509481983ULL * 1024);

	bytes = 42;
	ck_assert_int_eq(topology_parse_meminfo_total("Node 1 MemFree: 5 kB\n", &bytes), -ENODATA);
	ck_assert_int_eq(topology_parse_meminfo_total("", &bytes), -ENODATA);
	/* a MemTotal line that is there but malformed is no longer "absent" */
	ck_assert_int_eq(topology_parse_meminfo_total("Node 1 MemTotal: lots\n", &bytes), -EINVAL);
	ck_assert_uint_eq(bytes, 42);
}
END_TEST

/* Item 15: values the old sscanf("%llu") took, silently wrapped or cut. */
START_TEST(test_parse_meminfo_total_strict)
{
	static const struct {
		const char *text;
		int code;
	} bad[] = {
		{ "Node 1 MemTotal: 99999999999999999999 kB\n", -ERANGE }, /* > 2^64 */
		{ "Node 1 MemTotal: 18014398509481984 kB\n", -ERANGE }, /* * 1024 wraps to 0 */
		{ "Node 1 MemTotal: -5 kB\n", -EINVAL }, /* %llu took it as 2^64 - 5 */
		{ "Node 1 MemTotal: +5 kB\n", -EINVAL },
		{ "Node 1 MemTotal: 5 MB\n", -EINVAL },
		{ "Node 1 MemTotal: 5 kBx\n", -EINVAL },
		{ "Node 1 MemTotal: 5\n", -EINVAL },
		{ "Node 1 MemTotal: 5 kB trailing\n", -EINVAL },
		{ "Node 1 MemTotal: 0x10 kB\n", -EINVAL },
		{ "Node 1 MemTotal:  kB\n", -EINVAL },
	};
	uint64_t bytes = 42;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(topology_parse_meminfo_total(bad[i].text, &bytes) == bad[i].code,
			      "\"%s\" must be %d", bad[i].text, bad[i].code);
	ck_assert_uint_eq(bytes, 42);
}
END_TEST

START_TEST(test_parse_u64_buf)
{
	uint64_t v = 42;

	ck_assert_int_eq(topology_parse_u64_buf("300\n", 4, 10, UINT32_MAX, &v), 0);
	ck_assert_uint_eq(v, 300);
	ck_assert_int_eq(topology_parse_u64_buf("300", 3, 10, UINT32_MAX, &v), 0);
	ck_assert_int_eq(topology_parse_u64_buf("8000000\n", 8, 16, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 0x8000000);
	ck_assert_int_eq(topology_parse_u64_buf("0000020a\n", 9, 16, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 0x20a);
	ck_assert_int_eq(topology_parse_u64_buf("4294967295", 10, 10, UINT32_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT32_MAX);

	v = 42;
	ck_assert_int_eq(topology_parse_u64_buf("4294967296", 10, 10, UINT32_MAX, &v), -ERANGE);
	ck_assert_int_eq(topology_parse_u64_buf("18446744073709551616", 20, 10, UINT64_MAX, &v),
			 -ERANGE);
	ck_assert_int_eq(topology_parse_u64_buf("", 0, 10, 9, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf("\n", 1, 10, 9, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf("1\n\n", 3, 10, 9, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf(" 1", 2, 10, 9, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf("1 ", 2, 10, 9, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf("+1", 2, 10, 9, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf("-1", 2, 10, 9, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf("1\0", 2, 10, 9, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf("1\0003", 3, 10, 99, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf("0x10", 4, 16, 99, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf("1a", 2, 10, 99, &v), -EINVAL);
	ck_assert_int_eq(topology_parse_u64_buf("1", 1, 8, 99, &v), -EINVAL); /* base */
	ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(test_parse_node_id_buf)
{
	static const char *const bad[] = { "4294967297", "4294967297\n", "1024", "-2",	"-1x",
					   "1x",	 " 1",		 "1 ",	 "",	"\n",
					   "+1",	 "1\n\n",	 "-",	 "--1", "0x1" };
	int node = 42;

	ck_assert_int_eq(topology_parse_node_id_buf("1\n", 2, &node), 0);
	ck_assert_int_eq(node, 1);
	ck_assert_int_eq(topology_parse_node_id_buf("-1\n", 3, &node), 0);
	ck_assert_int_eq(node, -1);
	ck_assert_int_eq(topology_parse_node_id_buf("1023", 4, &node), 0);
	ck_assert_int_eq(node, 1023);
	node = 42;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(topology_parse_node_id_buf(bad[i], strlen(bad[i]), &node) < 0,
			      "\"%s\" must fail", bad[i]);
	/* a NUL cuts nothing short: "1\0garbage" is not 1 */
	ck_assert_int_eq(topology_parse_node_id_buf("1\0garbage", 9, &node), -EINVAL);
	ck_assert_int_eq(node, 42);
}
END_TEST

START_TEST(test_parse_tier_name)
{
	static const char *const bad[] = { "memory_tier",
					   "memory_tier4x",
					   "memory_tier-4",
					   "memory_tier 4",
					   "memory_tier+4",
					   "memory_tiers",
					   "memory_tier99999999999",
					   "power",
					   "" };
	int tier = 42;

	ck_assert_int_eq(topology_parse_tier_name("memory_tier4", &tier), 0);
	ck_assert_int_eq(tier, 4);
	ck_assert_int_eq(topology_parse_tier_name("memory_tier54", &tier), 0);
	ck_assert_int_eq(tier, 54);
	tier = 42;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(topology_parse_tier_name(bad[i], &tier) < 0, "\"%s\" must fail",
			      bad[i]);
	ck_assert_int_eq(tier, 42);
}
END_TEST

START_TEST(test_parse_iomem)
{
	_cleanup_free_ struct cxl_window *w = NULL;
	struct cxl_window *none = (struct cxl_window *)&none;
	size_t n = 99;

	ck_assert_int_eq(
		topology_parse_iomem_cxl_windows("00000000-00000fff : Reserved\n"
						 "00100000-3ffdffff : System RAM\n"
						 "  1a000000-1b0031d6 : Kernel code\n"
						 "1050000000-144fffffff : CXL Window 0\n"
						 "  1050000000-108fffffff : System RAM\n"
						 "  2050000000-244fffffff : CXL Window 1\n",
						 &w, &n),
		0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(w[0].name, "CXL Window 0");
	ck_assert_uint_eq(w[0].start, 0x1050000000ULL);
	ck_assert_uint_eq(w[0].end, 0x144fffffffULL);
	ck_assert(w[0].known);
	ck_assert_str_eq(w[1].name, "CXL Window 1"); /* nested: still found */
	ck_assert_uint_eq(w[1].start, 0x2050000000ULL);
	free(w);
	w = NULL;

	/* what a non-root reader sees: addresses unknown, the window still reported */
	ck_assert_int_eq(topology_parse_iomem_cxl_windows("00000000-00000000 : Reserved\n"
							  "00000000-00000000 : CXL Window 0\n",
							  &w, &n),
			 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(!w[0].known);
	free(w);
	w = NULL;

	/* none: NULL, 0 */
	ck_assert_int_eq(topology_parse_iomem_cxl_windows("00000000-00000fff : Reserved\n", &w, &n),
			 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(w);

	n = 99;
	ck_assert_int_eq(topology_parse_iomem_cxl_windows("zz-10 : x\n", &none, &n), -EINVAL);
	ck_assert_int_eq(topology_parse_iomem_cxl_windows("10-1 : CXL Window 0\n", &none, &n),
			 -EINVAL); /* end before start */
	ck_assert_int_eq(topology_parse_iomem_cxl_windows("10-20 CXL Window 0\n", &none, &n),
			 -EINVAL);
	ck_assert_int_eq(topology_parse_iomem_cxl_windows("10-20\n", &none, &n), -EINVAL);
	ck_assert_int_eq(
		topology_parse_iomem_cxl_windows("1-1ffffffffffffffff : CXL Window 0\n", &none, &n),
		-ERANGE);
	ck_assert_ptr_eq(none, (struct cxl_window *)&none); /* untouched */
	ck_assert_uint_eq(n, 99);
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
	/* signs and blanks are no region number (old: sscanf("%d") took them) */
	topology_dax_cxl_region("/devices/platform/ACPI0017:00/root0/decoder0.0/region-1/dax0.0",
				region, sizeof(region));
	ck_assert_str_eq(region, "cxl");
	topology_dax_cxl_region("/devices/platform/ACPI0017:00/root0/decoder0.0/region 5/dax0.0",
				region, sizeof(region));
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

/* ---- firmware numbers: HMAT/CDAT and the CXL window --------------------- */

START_TEST(test_hmat_slow)
{
	_cleanup_(topology_freep) struct topology *topo = read_fixture("hmat-slow");
	const struct numa_node *n0 = node(topo, 0), *n1 = node(topo, 1);

	ck_assert_str_eq(list(&topo->dram), "0");
	ck_assert_str_eq(list(&topo->cxl), "1");
	ck_assert_uint_eq(n0->perf.read_latency, 100);
	ck_assert_uint_eq(n0->perf.write_latency, 100);
	ck_assert_uint_eq(n0->perf.read_bandwidth, 20480);
	ck_assert_uint_eq(n0->perf.write_bandwidth, 20480);
	ck_assert_uint_eq(n1->perf.read_latency, 300);
	ck_assert_uint_eq(n1->perf.read_bandwidth, 5120);
	ck_assert_int_eq(n1->cls, NODE_CLASS_CXL);
	/* HMAT decides (rule 4), before the tier and cpu-less rules, which agree */
	ck_assert_uint_ge(n1->n_evidence, 1);
	ck_assert_msg(strncmp(n1->evidence[0], "hmat: read_latency 300 ns vs 100 ns on node 0",
			      strlen("hmat: read_latency 300 ns vs 100 ns on node 0")) == 0,
		      "evidence[0]: %s", n1->evidence[0]);
	ck_assert_evidence(n1, "(3.0x)");
	ck_assert_evidence(n1, "tier: memory_tier54 below top tier memory_tier4");
	ck_assert_evidence(n1, "cpu-less");
	ck_assert_no_evidence(n0, "hmat"); /* CPU nodes are the reference, not judged */
	ck_assert_int_eq(n1->nearest_dram, 0);
	ck_assert_uint_eq(topo->n_cxl_windows, 0);
}
END_TEST

START_TEST(test_hmat_near)
{
	_cleanup_(topology_freep) struct topology *topo = read_fixture("hmat-near");
	const struct numa_node *n1 = node(topo, 1);

	/* CPU-less, but firmware says it is as fast as DRAM: not slow memory */
	ck_assert_str_eq(list(&topo->dram), "0-1");
	ck_assert(idset_empty(&topo->cxl));
	ck_assert_int_eq(n1->cls, NODE_CLASS_DRAM);
	ck_assert_uint_eq(n1->perf.read_latency, 110);
	ck_assert_uint_eq(n1->perf.read_bandwidth, 19456);
	ck_assert_msg(strncmp(n1->evidence[0], "hmat: read_latency 110 ns vs 100 ns on node 0",
			      strlen("hmat: read_latency 110 ns vs 100 ns on node 0")) == 0,
		      "evidence[0]: %s", n1->evidence[0]);
	ck_assert_evidence(n1, "within 1.5x): not slow memory");
	ck_assert_int_eq(n1->nearest_dram, 1); /* a migration target itself */
}
END_TEST

/* Rule order around HMAT: override > HMAT > tier; the 1.5x boundary. */
START_TEST(test_hmat_order_and_boundary)
{
	char *dir = fixture_copy("hmat-near");
	struct topology_options opts = { .has_cxl_override = true };
	_cleanup_(topology_freep) struct topology *topo = NULL;

	/* a lower tier does not outvote the firmware's numbers */
	write_file(dir, "sys/devices/virtual/memory_tiering/memory_tier4/nodelist", "0\n");
	write_file(dir, "sys/devices/virtual/memory_tiering/memory_tier22/nodelist", "1\n");
	topo = read_tree_opts(dir, NULL);
	ck_assert_int_eq(node(topo, 1)->cls, NODE_CLASS_DRAM);
	ck_assert_evidence(node(topo, 1), "tier: memory_tier22 below");
	/* an override outvotes both */
	ck_assert_int_eq(idset_parse("1", &opts.cxl_override), 0);
	topology_classify(topo, &opts);
	ck_assert_int_eq(node(topo, 1)->cls, NODE_CLASS_CXL);
	ck_assert_str_eq(node(topo, 1)->evidence[0], "override: listed in --cxl-nodes 1");
	topology_free(topo);

	/* exactly 1.5x is still near; one ns more is slow */
	write_file(dir, NODE_DIR "/node1/access0/initiators/read_latency", "150\n");
	topo = read_tree_opts(dir, NULL);
	ck_assert_int_eq(node(topo, 1)->cls, NODE_CLASS_DRAM);
	topology_free(topo);
	write_file(dir, NODE_DIR "/node1/access0/initiators/read_latency", "151\n");
	topo = read_tree_opts(dir, NULL);
	ck_assert_int_eq(node(topo, 1)->cls, NODE_CLASS_CXL);
	ck_assert_evidence(node(topo, 1), "hmat: read_latency 151 ns vs 100 ns on node 0 (1.5x)");
	topology_free(topo);

	/* no CPU node to compare with: HMAT says nothing, the tier decides */
	remove_file(dir, NODE_DIR "/node0/access0/initiators/read_latency");
	topo = read_tree_opts(dir, NULL);
	ck_assert_int_eq(node(topo, 1)->cls, NODE_CLASS_CXL);
	ck_assert_evidence(node(topo, 1), "no CPU node reports one to compare");
	ck_assert_msg(strncmp(node(topo, 1)->evidence[0], "tier:", 5) == 0, "evidence[0]: %s",
		      node(topo, 1)->evidence[0]);
	remove_tree(dir);
}
END_TEST

START_TEST(test_cxl_window)
{
	_cleanup_(topology_freep) struct topology *topo = read_fixture("cxl-window");
	const struct numa_node *n0 = node(topo, 0), *n1 = node(topo, 1);

	ck_assert_uint_eq(topo->n_cxl_windows, 1);
	ck_assert_str_eq(topo->cxl_windows[0].name, "CXL Window 0");
	ck_assert(topo->cxl_windows[0].known);
	ck_assert_uint_eq(topo->cxl_windows[0].start, 0x1050000000ULL);
	ck_assert_uint_eq(topo->cxl_windows[0].end, 0x144fffffffULL);
	ck_assert_uint_eq(topo->block_size, 0x8000000);
	/* firmware onlined it as plain RAM in DRAM's tier: only iomem tells */
	ck_assert_int_eq(n1->tier, 4);
	ck_assert_int_eq(n1->cls, NODE_CLASS_CXL);
	ck_assert_str_eq(n1->evidence[0],
			 "iomem: memory inside CXL Window 0 (8 of 8 memory blocks)");
	ck_assert_int_eq(n1->cxl_window, 0);
	ck_assert_uint_eq(n1->n_blocks, 8);
	ck_assert_uint_eq(n1->n_blocks_in_cxl, 8);
	ck_assert_int_eq(n0->cls, NODE_CLASS_DRAM);
	ck_assert_int_eq(n0->cxl_window, -1);
	ck_assert_uint_eq(n0->n_blocks, 8);
	ck_assert_uint_eq(n0->n_blocks_in_cxl, 0);
	ck_assert_no_evidence(n0, "iomem");
}
END_TEST

START_TEST(test_cxl_window_not_root)
{
	char *dir = fixture_copy("cxl-window");
	_cleanup_(topology_freep) struct topology *topo = NULL;

	/* /proc/iomem as a non-root reader sees it */
	write_file(dir, "proc/iomem",
		   "00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n"
		   "00000000-00000000 : CXL Window 0\n  00000000-00000000 : System RAM\n");
	topo = read_tree_opts(dir, NULL);
	ck_assert_uint_eq(topo->n_cxl_windows, 1);
	ck_assert(!topo->cxl_windows[0].known);
	ck_assert_uint_eq(topo->block_size, 0); /* blocks not even looked at */
	ck_assert_int_eq(node(topo, 1)->cxl_window, -1);
	ck_assert_int_eq(node(topo, 1)->cls, NODE_CLASS_CXL);
	ck_assert_str_eq(node(topo, 1)->evidence[0], "cpu-less: has memory, no CPUs");
	remove_tree(dir);
}
END_TEST

START_TEST(test_cxl_window_minority)
{
	char *dir = fixture_copy("cxl-window");
	_cleanup_(topology_freep) struct topology *topo = NULL;
	char cmd[PATH_MAX * 2];

	/* node 1 also holds blocks 8-16, outside the window; not a memory block: skipped */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s/" NODE_DIR "/node1' && for b in 8 9 10 11 12 13 14 15 16; do "
		 "ln -s ../../memory/memory$b memory$b; done && mkdir memory_side_cache",
		 dir);
	run_shell(cmd);
	topo = read_tree_opts(dir, NULL);
	ck_assert_uint_eq(node(topo, 1)->n_blocks, 17);
	ck_assert_uint_eq(node(topo, 1)->n_blocks_in_cxl, 8);
	ck_assert_evidence(node(topo, 1), "iomem: only 8 of 17 memory blocks inside CXL Window 0");
	ck_assert_str_eq(node(topo, 1)->evidence[0], "cpu-less: has memory, no CPUs");
	remove_tree(dir);
}
END_TEST

/* ---- item 15: bad input is an error naming file, value and expectation ---- */

struct bad_input {
	const char *tree;
	const char *rel; /* file written */
	const char *content;
	size_t len; /* 0: strlen(content) */
	const char *value; /* must appear in the message (escaped) */
	const char *expected; /* must appear in the message */
	const char *shown; /* the path the message names, when not @rel (read through a link) */
};

#define DAX0 "sys/devices/platform/ACPI0017:00/root0/decoder0.0/region0/dax_region0/dax0.0/"
#define DAX0_BUS "sys/bus/dax/devices/dax0.0/target_node"
#define TIERS "sys/devices/virtual/memory_tiering/"

static const struct bad_input bad_inputs[] = {
	/* 0: an overflowed MemTotal (old: saturated, then wrapped by * 1024) */
	{ "no-tiers", NODE_DIR "/node1/meminfo", "Node 1 MemTotal: 99999999999999999999 kB\n", 0,
	  "99999999999999999999", "expected a line", NULL },
	/* 1: fits 64 bits in kB, not in bytes (old: 0 bytes) */
	{ "no-tiers", NODE_DIR "/node1/meminfo", "Node 1 MemTotal: 18014398509481984 kB\n", 0,
	  "18014398509481984", "expected a line", NULL },
	/* 2: negative (old: 2^64 - 5 kB) */
	{ "no-tiers", NODE_DIR "/node1/meminfo", "Node 1 MemTotal: -5 kB\n", 0, "-5",
	  "expected a line", NULL },
	/* 3: trailing garbage (old: 5 kB) */
	{ "no-tiers", NODE_DIR "/node1/meminfo", "Node 1 MemTotal: 5 MB\n", 0, "5 MB",
	  "expected a line", NULL },
	/* 4: a NUL byte cutting the online list short (old: "0-1") */
	{ "no-tiers", NODE_DIR "/online", "0-1\0garbage\n", 12, "0-1\\0garbage",
	  "expected a node or CPU list", NULL },
	/* 5: ... a CPU list */
	{ "no-tiers", NODE_DIR "/node0/cpulist", "0-3\0,7\n", 7, "0-3\\0,7",
	  "expected a node or CPU list", NULL },
	/* 6: ... a distance row */
	{ "no-tiers", NODE_DIR "/node1/distance", "20 10\0 99\n", 10, "20 10\\0 99",
	  "expected one distance", NULL },
	/* 7: a dax target_node beyond int (old: read as 1) */
	{ "dax-region", DAX0 "target_node", "4294967297\n", 0, "4294967297",
	  "expected a node number from -1 to 1023", DAX0_BUS },
	/* 8: a node id beyond MAX_NUMNODES */
	{ "dax-region", DAX0 "target_node", "1024\n", 0, "1024", "expected a node number",
	  DAX0_BUS },
	/* 9: leading white space (old: strtol skipped it) */
	{ "dax-region", DAX0 "target_node", " 1\n", 0, " 1", "expected a node number", DAX0_BUS },
	/* 10: NUL (old: "1") */
	{ "dax-region", DAX0 "target_node", "1\0x\n", 4, "1\\0x", "expected a node number",
	  DAX0_BUS },
	/* 11: a huge range must not allocate, and must be an error */
	{ "no-tiers", NODE_DIR "/online", "0-4294967295\n", 0, "0-4294967295",
	  "with ids below 8192", NULL },
	/* 12: an online node beyond MAX_NUMNODES (old: looked for node1024/) */
	{ "no-tiers", NODE_DIR "/online", "0-1,1024\n", 0, "node 1024",
	  "expected node ids below 1024", NULL },
	/* 13: HMAT numbers: trailing unit */
	{ "hmat-slow", NODE_DIR "/node1/access0/initiators/read_latency", "300ns\n", 0, "300ns",
	  "expected one decimal number from 0 to 4294967295", NULL },
	/* 14: ... beyond the kernel's unsigned int */
	{ "hmat-slow", NODE_DIR "/node1/access0/initiators/read_bandwidth", "4294967296\n", 0,
	  "4294967296", "expected one decimal number", NULL },
	/* 15: ... empty */
	{ "hmat-slow", NODE_DIR "/node0/access0/initiators/write_latency", "\n", 0, "",
	  "expected one decimal number", NULL },
	/* 16: block size with a 0x the kernel never prints */
	{ "cxl-window", "sys/devices/system/memory/block_size_bytes", "0x8000000\n", 0, "0x8000000",
	  "expected one hexadecimal number", NULL },
	/* 17: a memory block's phys_index with garbage */
	{ "cxl-window", "sys/devices/system/memory/memory522/phys_index", "20a garbage\n", 0,
	  "20a garbage", "expected one hexadecimal number",
	  NODE_DIR "/node1/memory522/phys_index" },
	/* 18: an iomem line that is no resource */
	{ "cxl-window", "proc/iomem", "1050000000-144fffffff CXL Window 0\n", 0, "",
	  "expected lines \"<hex start>-<hex end> : <name>\"", NULL },
};

START_TEST(test_bad_input)
{
	const struct bad_input *c = &bad_inputs[_i];
	char *dir = fixture_copy(c->tree);
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);
	struct topology *topo = NULL;
	struct error err = { 0 };
	char path[PATH_MAX], shown[PATH_MAX];
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, c->rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(c->content, 1, c->len ? c->len : strlen(c->content), f),
			  c->len ? c->len : strlen(c->content));
	fclose(f);

	r = topology_read(root, NULL, &topo, &err);
	ck_assert_msg(r == -EINVAL, "case %d %s: got %d (%s), want -EINVAL", _i, c->rel, r,
		      err.message);
	ck_assert_int_eq(err.code, r);
	ck_assert_ptr_null(topo);
	/* the file, with the sysroot it was read below */
	snprintf(shown, sizeof(shown), "%s/%s", dir, c->shown ? c->shown : c->rel);
	ck_assert_msg(strstr(err.message, shown), "case %d: \"%s\" does not name %s", _i,
		      err.message, shown);
	ck_assert_msg(strstr(err.message, c->value), "case %d: \"%s\" does not show \"%s\"", _i,
		      err.message, c->value);
	ck_assert_msg(strstr(err.message, c->expected), "case %d: \"%s\" does not say \"%s\"", _i,
		      err.message, c->expected);
	remove_tree(dir);
}
END_TEST

START_TEST(test_bad_tier_name)
{
	char *dir = fixture_copy("server-2s-cxl");
	_cleanup_(sysroot_freep) struct sysroot *root = open_root(dir);
	struct topology *topo = NULL;
	struct error err = { 0 };

	/* old: sscanf("%d") read "memory_tier4x" as tier 4 */
	write_file(dir, TIERS "memory_tier4x/nodelist", "0-1\n");
	ck_assert_int_eq(topology_read(root, NULL, &topo, &err), -EINVAL);
	ck_assert_ptr_null(topo);
	ck_assert_msg(strstr(err.message, TIERS "memory_tier4x") &&
			      strstr(err.message, "expected a directory memory_tier<K>"),
		      "message: %s", err.message);
	remove_tree(dir);
}
END_TEST

START_TEST(test_override_absent_node)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("server-2s-cxl");
	struct topology_options opts = { .has_cxl_override = true };
	struct topology *topo = NULL;
	struct error err = { 0 };

	/* old: accepted, and node 5 silently matched nothing */
	ck_assert_int_eq(idset_parse("2,5", &opts.cxl_override), 0);
	ck_assert_int_eq(topology_read(root, &opts, &topo, &err), -EINVAL);
	ck_assert_ptr_null(topo);
	ck_assert_msg(strstr(err.message, "--cxl-nodes lists node 5, which is not online") &&
			      strstr(err.message, "online nodes: 0-3"),
		      "message: %s", err.message);
}
END_TEST

/* Item 14: node-indexed arrays are bounded by TOPOLOGY_MAX_NODES and follow max_node. */
START_TEST(test_sparse_ids)
{
	char *dir = fixture_copy("no-tiers");
	_cleanup_(topology_freep) struct topology *topo = NULL;
	char cmd[PATH_MAX * 2];

	snprintf(cmd, sizeof(cmd), "cd '%s/" NODE_DIR "' && mv node1 node1023", dir);
	run_shell(cmd);
	write_file(dir, NODE_DIR "/online", "0,1023\n");
	write_file(dir, NODE_DIR "/has_memory", "0,1023\n");
	write_file(dir, NODE_DIR "/node1023/meminfo", "Node 1023 MemTotal:       33554432 kB\n");
	topo = read_tree_opts(dir, NULL);
	ck_assert_uint_eq(topo->n_nodes, 2);
	ck_assert_int_eq(topo->max_node, 1023);
	ck_assert_int_eq(node(topo, 1023)->distance[0], 20);
	ck_assert_int_eq(node(topo, 1023)->distance[500], -1);
	ck_assert_int_eq(node(topo, 0)->distance[1023], 20);
	ck_assert_ptr_eq(topology_node(topo, 1023), &topo->nodes[1]);
	ck_assert_ptr_null(topology_node(topo, 1));
	ck_assert_ptr_null(topology_node(topo, 1024));
	ck_assert_ptr_null(topology_node(topo, -1));
	ck_assert_str_eq(list(&topo->cxl), "1023");
	ck_assert_int_eq(node(topo, 1023)->nearest_dram, 0);
	remove_tree(dir);
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
	tcase_add_test(parse, test_parse_meminfo_total_strict);
	tcase_add_test(parse, test_parse_u64_buf);
	tcase_add_test(parse, test_parse_node_id_buf);
	tcase_add_test(parse, test_parse_tier_name);
	tcase_add_test(parse, test_parse_iomem);
	suite_add_tcase(s, parse);

	tcase_add_test(trees, test_laptop);
	tcase_add_test(trees, test_server_2s_cxl);
	tcase_add_test(trees, test_dax_region);
	tcase_add_test(trees, test_tie_distance);
	tcase_add_test(trees, test_no_tiers);
	tcase_add_test(trees, test_override);
	tcase_add_test(trees, test_override_everything);
	tcase_add_test(trees, test_real_host);
	tcase_add_test(trees, test_hmat_slow);
	tcase_add_test(trees, test_hmat_near);
	tcase_add_test(trees, test_hmat_order_and_boundary);
	tcase_add_test(trees, test_cxl_window);
	tcase_add_test(trees, test_cxl_window_not_root);
	tcase_add_test(trees, test_cxl_window_minority);
	tcase_add_test(trees, test_sparse_ids);
	suite_add_tcase(s, trees);

	tcase_add_test(garbage, test_garbage_as_is);
	tcase_add_test(garbage, test_garbage_repaired);
	tcase_add_loop_test(garbage, test_garbage_one_broken, 0,
			    (int)(sizeof(garbage_cases) / sizeof(garbage_cases[0])));
	tcase_add_test(garbage, test_garbage_distance_count);
	tcase_add_test(garbage, test_garbage_missing_online);
	tcase_add_test(garbage, test_dax_bad_target_node);
	tcase_add_test(garbage, test_no_error_struct);
	tcase_add_loop_test(garbage, test_bad_input, 0, (int)ARRAY_SIZE(bad_inputs));
	tcase_add_test(garbage, test_bad_tier_name);
	tcase_add_test(garbage, test_override_absent_node);
	suite_add_tcase(s, garbage);
	return s;
}

int main(void)
{
	return run_suite(topology_suite());
}
