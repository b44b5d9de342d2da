/* SPDX-License-Identifier: MIT */
/* Shared state and helpers of the cxlpolicyctl verbs. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "escape.h"
#include "idset.h"
#include "procmaps.h"
#include "sysroot.h"
#include "topology.h"

#include "version.h"

enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1, /* the system did not let us: permissions, vanished pid */
	EXIT_USAGE = 2, /* bad usage or bad input */
	EXIT_PARTIAL =
		3, /* migrate: some executable pages could not be moved (output still printed) */
};

struct cli {
	const char *sysroot_path; /* NULL: $CXLPOLICY_SYSROOT, else "/" */
	const char *sysroot_origin; /* for messages: "--sysroot", "CXLPOLICY_SYSROOT", "default" */
	bool json;
	struct topology_options topo_opts;
	enum procmaps_method maps_method;
	struct sysroot *root;
};

struct verb {
	const char *name;
	const char *summary;
	int (*run)(struct cli *cli, int argc, char **argv);
	/*
	 * The verb's own options that take a separate value ("--pid", NULL
	 * ended): main() must not read that value as a global option.  Keep in
	 * step with the verb's getopt table.
	 */
	const char *const *value_options;
	/* The first operand starts a command whose arguments are not ours (run). */
	bool operand_ends_options;
};

int verb_nodes(struct cli *cli, int argc, char **argv);
int verb_scan(struct cli *cli, int argc, char **argv);
int verb_migrate(struct cli *cli, int argc, char **argv);
int verb_run(struct cli *cli, int argc, char **argv);
int verb_validate(struct cli *cli, int argc, char **argv);
int verb_warm(struct cli *cli, int argc, char **argv);

struct warm_result;
struct error;
/*
 * Open @path safely (no blocking on a FIFO) and warm it (warm.h); the
 * message in @err names the file.  -EISDIR, -EINVAL, -EFBIG, -ENOENT ... for
 * bad input; other -errno for failures.
 */
int cli_warm_file(const struct topology *topo, const char *path, struct warm_result *ret,
		  struct error *err);
int verb_apply(struct cli *cli, int argc, char **argv);
int verb_status(struct cli *cli, int argc, char **argv);
int verb_sweep(struct cli *cli, int argc, char **argv);

/*
 * Print "cxlpolicyctl: <message>" to stderr and return @exit_code.  Escape
 * every %s that comes from the user, a file or a process with
 * ESCAPE_TERMINAL() (escape.h).  As a last guard, any control byte or invalid
 * UTF-8 left in the formatted message is shown as \xNN too.
 */
int cli_fail(int exit_code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * What to tell a user who was denied access to another process, for the
 * current credentials: @cap is CAP_SYS_PTRACE (reading /proc/PID/maps) or
 * CAP_SYS_NICE (move_pages).  "run as root or with CAP_..." only when that
 * would help; for root it names what else is wrong (a user namespace, a
 * dropped capability, Yama ptrace_scope 3, a security module).  A static
 * string or buffer, valid until the next call.
 */
const char *cli_permission_hint(int cap);

/* Open the sysroot and read the topology; prints the error itself. */
int cli_load_topology(struct cli *cli, struct topology **ret);

/* "16 GiB", "512 MiB" ... into @buf. */
const char *format_bytes(uint64_t bytes, char *buf, size_t size);
/* "4096", "64K", "10M", "1G" (powers of 1024) */
int parse_bytes(const char *text, uint64_t *ret);
