/* SPDX-License-Identifier: MIT */
/* cxlpolicyctl nodes: the memory topology and why each node got its class. */
#include <getopt.h>
#include <inttypes.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* A firmware number, null when the kernel does not report it (0). */
static json_object *perf_json(uint32_t v)
{
	return v ? json_object_new_int64(v) : NULL;
}

static json_object *node_to_json(const struct topology *topo, const struct numa_node *n)
{
	json_object *o = json_object_new_object();
	json_object *dist = json_object_new_array();
	json_object *ev = json_object_new_array();
	char cpus[1024];

	json_object_object_add(o, "node", json_object_new_int(n->id));
	json_object_object_add(o, "class", json_object_new_string(node_class_to_string(n->cls)));
	json_object_object_add(o, "memory_bytes", json_object_new_uint64(n->memory_bytes));
	json_object_object_add(o, "has_memory", json_object_new_boolean(n->has_memory));
	json_object_object_add(o, "cpus",
			       json_object_new_string(idset_format(&n->cpus, cpus, sizeof(cpus))));
	json_object_object_add(o, "tier", n->tier >= 0 ? json_object_new_int(n->tier) : NULL);
	json_object_object_add(o, "nearest_dram",
			       n->nearest_dram >= 0 ? json_object_new_int(n->nearest_dram) : NULL);
	IDSET_FOREACH(id, &topo->online)
		json_object_array_add(dist, json_object_new_int(n->distance[id]));
	json_object_object_add(o, "distances", dist);
	json_object_object_add(o, "read_latency_ns", perf_json(n->perf.read_latency));
	json_object_object_add(o, "write_latency_ns", perf_json(n->perf.write_latency));
	json_object_object_add(o, "read_bandwidth_mbps", perf_json(n->perf.read_bandwidth));
	json_object_object_add(o, "write_bandwidth_mbps", perf_json(n->perf.write_bandwidth));
	json_object_object_add(
		o, "cxl_window",
		n->cxl_window >= 0 ? json_object_new_string(topo->cxl_windows[n->cxl_window].name)
				   : NULL);
	json_object_object_add(
		o, "memory_blocks_in_cxl_window",
		n->cxl_window >= 0 ? json_object_new_int64((int64_t)n->n_blocks_in_cxl) : NULL);
	for (size_t i = 0; i < n->n_evidence; i++)
		json_object_array_add(ev, json_object_new_string(n->evidence[i]));
	json_object_object_add(o, "evidence", ev);
	return o;
}

static json_object *windows_to_json(const struct topology *topo)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < topo->n_cxl_windows; i++) {
		const struct cxl_window *w = &topo->cxl_windows[i];
		json_object *o = json_object_new_object();
		char addr[32];

		json_object_object_add(o, "name", json_object_new_string(w->name));
		snprintf(addr, sizeof(addr), "0x%" PRIx64, w->start);
		json_object_object_add(o, "start", w->known ? json_object_new_string(addr) : NULL);
		snprintf(addr, sizeof(addr), "0x%" PRIx64, w->end);
		json_object_object_add(o, "end", w->known ? json_object_new_string(addr) : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}

static void print_json(const struct topology *topo)
{
	json_object *root = json_object_new_object();
	json_object *nodes = json_object_new_array();
	char list[1024];

	for (size_t i = 0; i < topo->n_nodes; i++)
		json_object_array_add(nodes, node_to_json(topo, &topo->nodes[i]));
	json_object_object_add(root, "nodes", nodes);
	json_object_object_add(root, "cxl_windows", windows_to_json(topo));
	json_object_object_add(
		root, "dram_nodes",
		json_object_new_string(idset_format(&topo->dram, list, sizeof(list))));
	json_object_object_add(
		root, "cxl_nodes",
		json_object_new_string(idset_format(&topo->cxl, list, sizeof(list))));
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

static const char *format_perf(uint32_t v, const char *unit, char *buf, size_t size)
{
	if (!v)
		return "-";
	snprintf(buf, size, "%" PRIu32 "%s", v, unit);
	return buf;
}

static void print_windows(const struct topology *topo)
{
	for (size_t i = 0; i < topo->n_cxl_windows; i++) {
		const struct cxl_window *w = &topo->cxl_windows[i];

		if (w->known)
			printf("%s: 0x%" PRIx64 "-0x%" PRIx64 " (/proc/iomem)\n", w->name, w->start,
			       w->end);
		else
			printf("%s: address unknown (/proc/iomem shows zeros: run as root)\n",
			       w->name);
	}
}

static void print_table(const struct topology *topo)
{
	char mem[32], cpus[256], near[16], list[1024], lat[24], bw[24];

	printf("%-5s %-5s %-10s %-12s %-12s %-16s %-8s %-11s %s\n", "NODE", "CLASS", "MEMORY",
	       "CPUS", "NEAREST_DRAM", "DISTANCES", "READ_LAT", "READ_BW", "EVIDENCE");
	for (size_t i = 0; i < topo->n_nodes; i++) {
		const struct numa_node *n = &topo->nodes[i];
		char dist[256] = "";
		size_t len = 0;

		IDSET_FOREACH(id, &topo->online)
			len += (size_t)snprintf(dist + len, sizeof(dist) - MIN(len, sizeof(dist)),
						"%s%d", len ? " " : "", n->distance[id]);
		idset_format(&n->cpus, cpus, sizeof(cpus));
		snprintf(near, sizeof(near), "%d", n->nearest_dram);
		printf("%-5d %-5s %-10s %-12s %-12s %-16s %-8s %-11s ", n->id,
		       node_class_to_string(n->cls),
		       format_bytes(n->memory_bytes, mem, sizeof(mem)), cpus[0] ? cpus : "-",
		       n->nearest_dram >= 0 ? near : "-", dist,
		       format_perf(n->perf.read_latency, "ns", lat, sizeof(lat)),
		       format_perf(n->perf.read_bandwidth, "MB/s", bw, sizeof(bw)));
		for (size_t e = 0; e < n->n_evidence; e++)
			printf("%s%s", e ? "; " : "", n->evidence[e]);
		putchar('\n');
	}
	if (idset_empty(&topo->cxl))
		printf("\nno CXL nodes: every node is DRAM (dram nodes: %s)\n",
		       idset_format(&topo->dram, list, sizeof(list)));
	else
		printf("\ncxl nodes: %s; dram nodes: %s\n",
		       idset_format(&topo->cxl, list, sizeof(list)),
		       idset_format(&topo->dram, cpus, sizeof(cpus)));
	print_windows(topo);
}

int verb_nodes(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
	_cleanup_(topology_freep) struct topology *topo = NULL;
	int c, code;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: cxlpolicyctl [--json] nodes\n");
			return EXIT_OK;
		}
		return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_fail(EXIT_USAGE, "nodes: unexpected argument \"%s\"", argv[optind]);
	code = cli_load_topology(cli, &topo);
	if (code != EXIT_OK)
		return code;
	if (cli->json)
		print_json(topo);
	else
		print_table(topo);
	return EXIT_OK;
}
