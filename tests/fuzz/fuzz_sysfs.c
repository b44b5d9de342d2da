/* SPDX-License-Identifier: MIT */
/*
 * The per-file parsers of the node sysfs and cgroupfs readers:
 * topology_parse_distance_row() (nodeN/distance), topology_parse_meminfo_total()
 * (nodeN/meminfo), topology_dax_cxl_region() (a dax device's resolved path)
 * and cgroupfs_parse_procs() (cgroup.procs).  Invariants: a row never
 * overflows its array, the region name is terminated, every parsed pid is > 0.
 */
#include "cgroupfs.h"
#include "fuzzlib.h"
#include "topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ROW_MAX 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	int row[ROW_MAX];
	size_t n = 0;
	uint64_t bytes;
	char region[32];
	pid_t *pids = NULL;
	size_t npids = 0, cap = 0;

	if (topology_parse_distance_row(text, row, ROW_MAX, &n) >= 0)
		FUZZ_ASSERT(n <= ROW_MAX, "%zu distances in a row of %d", n, ROW_MAX);
	(void)topology_parse_meminfo_total(text, &bytes);
	memset(region, 'x', sizeof(region));
	topology_dax_cxl_region(text, region, sizeof(region));
	FUZZ_ASSERT(memchr(region, '\0', sizeof(region)), "region not terminated");
	if (cgroupfs_parse_procs(text, &pids, &npids, &cap) >= 0)
		for (size_t i = 0; i < npids; i++)
			FUZZ_ASSERT(pids[i] > 0, "pid %d parsed", (int)pids[i]);
	free(pids);
	free(text);
	return 0;
}
