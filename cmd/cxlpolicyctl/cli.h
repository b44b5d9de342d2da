/* SPDX-License-Identifier: MIT */
/* Shared state and helpers of the cxlpolicyctl verbs. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "idset.h"
#include "procmaps.h"
#include "sysroot.h"
#include "topology.h"

enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1, /* the system did not let us: permissions, vanished pid */
	EXIT_USAGE = 2, /* bad usage or bad input */
};

struct cli {
	const char *sysroot_path;
	bool json;
	struct topology_options topo_opts;
	enum procmaps_method maps_method;
	struct sysroot *root;
};

struct verb {
	const char *name;
	const char *summary;
	int (*run)(struct cli *cli, int argc, char **argv);
};

int verb_nodes(struct cli *cli, int argc, char **argv);
int verb_scan(struct cli *cli, int argc, char **argv);
int verb_migrate(struct cli *cli, int argc, char **argv);
int verb_run(struct cli *cli, int argc, char **argv);

/* Print "cxlpolicyctl: <message>" to stderr and return @exit_code. */
int cli_fail(int exit_code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open the sysroot and read the topology; prints the error itself. */
int cli_load_topology(struct cli *cli, struct topology **ret);

/* "16 GiB", "512 MiB" ... into @buf. */
const char *format_bytes(uint64_t bytes, char *buf, size_t size);
/* "4096", "64K", "10M", "1G" (powers of 1024) */
int parse_bytes(const char *text, uint64_t *ret);
