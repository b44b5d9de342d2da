/* SPDX-License-Identifier: MIT */
/* cxlpolicyctl scan | migrate: one sweep over the chosen processes. */
#include <getopt.h>
#include <limits.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "sweep.h"
#include "targets.h"

enum {
	OPT_PID = 'p',
	OPT_CGROUP = 'g',
	OPT_ALL = 'a',
	OPT_DRY_RUN = 'n',
	OPT_MAX_BYTES = 'b',
	OPT_MAPPINGS = 'M',
	OPT_SUMMARY = 's',
	OPT_HELP = 'h',
};

static void usage(const char *verb, bool migrate)
{
	printf("usage: cxlpolicyctl [--json] %s (--pid PID | --cgroup PATH | --all)%s\n"
	       "  --mappings      list every executable mapping (default with --pid)\n"
	       "  --summary       totals only (per cgroup and overall)\n",
	       verb, migrate ? " [--dry-run] [--max-bytes N[K|M|G]]" : "");
	if (migrate)
		printf("  --dry-run       say what would move, move nothing\n"
		       "  --max-bytes N   move at most N bytes in this run\n");
}

/* The message a user needs when a single --pid could not be inspected. */
static int explain_pid_error(const struct cli *cli, const struct process_report *p)
{
	char maps[PATH_MAX], rel[64];

	snprintf(rel, sizeof(rel), "proc/%d/maps", (int)p->info.pid);
	switch (p->error) {
	case -ESRCH:
		return cli_fail(EXIT_RUNTIME, "no such process: %d (it may have exited)",
				p->info.pid);
	case -EACCES:
		return cli_fail(EXIT_RUNTIME,
				"permission denied reading %s: run as root or with CAP_SYS_PTRACE",
				sysroot_display(cli->root, rel, maps, sizeof(maps)));
	case -EPERM:
		return cli_fail(EXIT_RUNTIME,
				"permission denied querying pages of process %d (move_pages): run "
				"as root or with CAP_SYS_NICE",
				p->info.pid);
	default:
		return cli_fail(EXIT_RUNTIME, "process %d: %s", p->info.pid, strerror(-p->error));
	}
}

static int sweep_verb(struct cli *cli, int argc, char **argv, bool migrate)
{
	static const struct option options[] = { { "pid", required_argument, NULL, OPT_PID },
						 { "cgroup", required_argument, NULL, OPT_CGROUP },
						 { "all", no_argument, NULL, OPT_ALL },
						 { "dry-run", no_argument, NULL, OPT_DRY_RUN },
						 { "max-bytes", required_argument, NULL,
						   OPT_MAX_BYTES },
						 { "mappings", no_argument, NULL, OPT_MAPPINGS },
						 { "summary", no_argument, NULL, OPT_SUMMARY },
						 { "help", no_argument, NULL, OPT_HELP },
						 {} };
	const char *verb = argv[0];
	_cleanup_(topology_freep) struct topology *topo = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	struct targets targets = { .kind = TARGET_NONE };
	struct sweep_options sopts = { .maps_method = cli->maps_method, .migrate = migrate };
	struct report_options ropts = { .json = cli->json, .migrate = migrate };
	struct sweep_result res;
	size_t n = 0;
	int c, code, r;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		code = EXIT_OK;
		switch (c) {
		case OPT_PID:
			code = targets_set(&targets, TARGET_PID, optarg, verb);
			break;
		case OPT_CGROUP:
			code = targets_set(&targets, TARGET_CGROUP, optarg, verb);
			break;
		case OPT_ALL:
			code = targets_set(&targets, TARGET_ALL, NULL, verb);
			break;
		case OPT_DRY_RUN:
		case OPT_MAX_BYTES:
			if (!migrate)
				return cli_fail(EXIT_USAGE, "%s: --%s belongs to migrate", verb,
						c == OPT_DRY_RUN ? "dry-run" : "max-bytes");
			if (c == OPT_DRY_RUN)
				sopts.dry_run = true;
			else if (parse_bytes(optarg, &sopts.max_bytes) < 0 || !sopts.max_bytes)
				return cli_fail(EXIT_USAGE,
						"%s: invalid --max-bytes \"%s\": expected a "
						"positive size such as 65536, 64K or 10M",
						verb, optarg);
			break;
		case OPT_MAPPINGS:
			ropts.mappings = true;
			break;
		case OPT_SUMMARY:
			ropts.summary = true;
			break;
		case OPT_HELP:
			usage(verb, migrate);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
		if (code != EXIT_OK)
			return code;
	}
	if (optind < argc)
		return cli_fail(EXIT_USAGE, "%s: unexpected argument \"%s\"", verb, argv[optind]);
	if (targets.kind == TARGET_NONE)
		return cli_fail(EXIT_USAGE, "%s: give one of --pid PID, --cgroup PATH, --all",
				verb);

	code = cli_load_topology(cli, &topo);
	if (code != EXIT_OK)
		return code;
	code = targets_resolve(cli, &targets, &pids, &n);
	if (code != EXIT_OK)
		return code;

	sopts.move_flags = migrate_default_flags();
	ropts.dry_run = sopts.dry_run;
	ropts.max_bytes = sopts.max_bytes;
	ropts.topo = topo;
	if (targets.kind == TARGET_PID)
		ropts.mappings = true;
	if (migrate && !sopts.dry_run && sopts.move_flags != MPOL_MF_MOVE_ALL && !cli->json)
		fprintf(stderr, "cxlpolicyctl: note: without CAP_SYS_NICE, pages shared with other "
				"processes stay put (EACCES)\n");

	r = sweep_run(cli->root, topo, pids, n, &sopts, &res);
	if (r < 0)
		return cli_fail(EXIT_RUNTIME, "%s: %s", verb, strerror(-r));
	if (targets.kind == TARGET_PID && res.n_procs == 1 && res.procs[0].error &&
	    !(migrate && res.procs[0].error == -ESRCH && res.procs[0].n_maps)) {
		code = explain_pid_error(cli, &res.procs[0]);
		sweep_result_clear(&res);
		return code;
	}
	report_print(&res, &ropts);
	if (targets.kind != TARGET_PID && res.denied && cli->json)
		fprintf(stderr,
			"cxlpolicyctl: %zu processes could not be inspected (first: %d): run as "
			"root or with CAP_SYS_PTRACE\n",
			res.denied, res.first_denied);
	sweep_result_clear(&res);
	return EXIT_OK;
}

int verb_scan(struct cli *cli, int argc, char **argv)
{
	return sweep_verb(cli, argc, argv, false);
}

int verb_migrate(struct cli *cli, int argc, char **argv)
{
	return sweep_verb(cli, argc, argv, true);
}
