/* SPDX-License-Identifier: MIT */
/* cxlpolicyctl scan | migrate: one sweep over the chosen processes. */
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <limits.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "moverlock.h"
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
	OPT_EXPLAIN = 'e',
	OPT_HELP = 'h',
};

static void usage(const char *verb, bool migrate)
{
	printf("usage: cxlpolicyctl [--json] %s (--pid PID | --cgroup PATH | --all)%s\n"
	       "  --mappings      list every executable mapping (default with --pid)\n"
	       "  --summary       totals only (per cgroup and overall)\n",
	       verb, migrate ? " [--dry-run] [--max-bytes N[K|M|G]] [--explain]" : "");
	if (migrate)
		printf("  --dry-run       say what would move, move nothing\n"
		       "  --max-bytes N   move at most N bytes in this run\n"
		       "  --explain       say on stderr why pages stayed on CXL\n");
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
		return cli_fail(
			EXIT_RUNTIME, "permission denied reading %s: %s",
			ESCAPE_TERMINAL(sysroot_display(cli->root, rel, maps, sizeof(maps))),
			cli_permission_hint(CAP_SYS_PTRACE));
	case -EPERM:
		return cli_fail(EXIT_RUNTIME,
				"permission denied querying pages of process %d (move_pages): %s",
				p->info.pid, cli_permission_hint(CAP_SYS_NICE));
	case -EINVAL:
		return cli_fail(EXIT_USAGE, "%s",
				p->message[0] ? p->message : "malformed /proc files");
	default:
		return cli_fail(EXIT_RUNTIME, "process %d: %s", p->info.pid, strerror(-p->error));
	}
}

/*
 * Whether the sysroot's /proc is our own live procfs: only then do its pids
 * name the processes that move_pages() reaches.  Prints why not.
 */
static int check_live_proc(struct cli *cli, const char *verb)
{
	struct error err = { 0 };
	struct statfs sfs;
	char path[PATH_MAX];
	_cleanup_close_ int fd = sysroot_openat(cli->root, "proc", O_PATH | O_DIRECTORY);
	int r;

	sysroot_display(cli->root, "proc", path, sizeof(path));
	if (fd < 0 || fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return cli_fail(
			EXIT_USAGE,
			"%s: %s is not a mounted procfs: %s queries and moves pages of live "
			"processes, so it needs the host's /proc (e.g. --sysroot /host with "
			"/proc mounted there)",
			verb, ESCAPE_TERMINAL(path), verb);
	r = sysroot_check_pid_namespace(cli->root, &err);
	if (r < 0)
		return cli_fail(EXIT_USAGE, "%s: %s", verb, err.code ? err.message : strerror(-r));
	return EXIT_OK;
}

/* --explain: one stderr line per run of pages that stayed on CXL, and why. */
static void explain_trace(void *userdata, const struct cxlp_trace *ev)
{
	(void)userdata;
	fprintf(stderr, "cxlpolicyctl: pid %d: %zu page%s at 0x%llx on node %d stayed: %s\n",
		(int)ev->pid, ev->pages, ev->pages == 1 ? "" : "s", (unsigned long long)ev->addr,
		ev->node, ev->why);
}

struct sweep_verb_state {
	struct reporter rep;
	const struct process_report *single_error; /* never kept past the callback */
	int single_code;
	const struct cli *cli;
	bool single;
};

/* Print each process; a single --pid that could not be inspected gets its message. */
static int on_process(const struct process_report *p, const struct process_moves *moves,
		      void *userdata)
{
	struct sweep_verb_state *st = userdata;

	if (st->single && p->error && !(p->error == -ESRCH && p->n_maps)) {
		st->single_code = explain_pid_error(st->cli, p);
		return 0;
	}
	return report_process(p, moves, &st->rep);
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
						 { "explain", no_argument, NULL, OPT_EXPLAIN },
						 { "help", no_argument, NULL, OPT_HELP },
						 {} };
	const char *verb = argv[0];
	_cleanup_(topology_freep) struct topology *topo = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	struct targets targets = { .kind = TARGET_NONE };
	struct sweep_options sopts = { .migrate = migrate, .scan_without_status = !migrate };
	struct report_options ropts = { .json = cli->json, .migrate = migrate };
	bool explain = false;
	_cleanup_close_ int lock_fd = -1;
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
		case OPT_EXPLAIN:
			if (!migrate)
				return cli_fail(EXIT_USAGE, "%s: --explain belongs to migrate",
						verb);
			explain = true;
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

	code = check_live_proc(cli, verb);
	if (code != EXIT_OK)
		return code;

	sopts.move_flags = migrate_default_flags();
	ropts.dry_run = sopts.dry_run;
	ropts.max_bytes = sopts.max_bytes;
	ropts.topo = topo;
	ropts.single = targets.kind == TARGET_PID;
	if (ropts.single)
		ropts.mappings = true;
	ropts.privilege = migrate_privilege();
	if (migrate && !sopts.dry_run) {
		switch (ropts.privilege) {
		case MOVE_PRIVILEGE_NO_CAP:
			fprintf(stderr,
				"cxlpolicyctl: note: without CAP_SYS_NICE, pages shared with "
				"other processes stay put (EACCES)\n");
			break;
		case MOVE_PRIVILEGE_USERNS:
			fprintf(stderr,
				"cxlpolicyctl: note: running in a user namespace: move_pages() "
				"checks CAP_SYS_NICE in the initial namespace, so pages shared "
				"with "
				"other processes stay put; run on the host with CAP_SYS_NICE\n");
			break;
		case MOVE_PRIVILEGE_ALL:
			break;
		}
	}

	if (migrate && !sopts.dry_run) {
		/* one mover on the node: wait for a running cxlpolicyd sweep (moverlock.h) */
		bool waited = false;

		r = moverlock_take(CXLPOLICY_MOVER_LOCK_DEFAULT, true, &waited, &lock_fd);
		if (r < 0 && r != -EACCES && r != -EPERM && r != -EROFS)
			return cli_fail(EXIT_RUNTIME, "%s: the mover lock %s: %s", verb,
					CXLPOLICY_MOVER_LOCK_DEFAULT, strerror(-r));
		if (waited)
			fprintf(stderr, "cxlpolicyctl: waited for another mover (cxlpolicyd) to "
					"finish its sweep\n");
	}

	{
		struct cxlp_ctx ctx = {
			.root = cli->root,
			.topo = topo,
			.maps_method = cli->maps_method,
			.residency_method = RESIDENCY_AUTO,
			.live = true,
			.trace = explain ? explain_trace : NULL,
		};
		struct sweep_verb_state st = { .cli = cli, .single = ropts.single };
		struct sweep_result res;

		if (ropts.single)
			st.single_code = EXIT_OK;
		report_begin(&st.rep, &ropts);
		r = sweep_run(&ctx, pids, n, &sopts, on_process, &st, &res);
		if (r < 0) {
			fflush(stdout);
			return cli_fail(EXIT_RUNTIME, "%s: %s", verb, strerror(-r));
		}
		if (ropts.single && st.single_code != EXIT_OK && !cli->json) {
			sweep_result_clear(&res);
			return st.single_code;
		}
		report_end(&st.rep, &res);
		if (!ropts.single && res.denied && cli->json)
			fprintf(stderr,
				"cxlpolicyctl: %zu processes could not be inspected (first: %d): "
				"%s\n",
				res.denied, res.first_denied, cli_permission_hint(CAP_SYS_PTRACE));
		code = st.single_code;
		if (code == EXIT_OK && migrate && !sopts.dry_run &&
		    (sweep_left_pages(&res) || res.denied || res.malformed || res.failed))
			code = EXIT_PARTIAL;
		sweep_result_clear(&res);
		return code;
	}
}

int verb_scan(struct cli *cli, int argc, char **argv)
{
	return sweep_verb(cli, argc, argv, false);
}

int verb_migrate(struct cli *cli, int argc, char **argv)
{
	return sweep_verb(cli, argc, argv, true);
}
