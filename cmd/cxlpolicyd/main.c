/* SPDX-License-Identifier: MIT */
/*
 * cxlpolicyd: keeps the cgroups that JSON policies match on their allowed
 * NUMA nodes (cpuset.mems) and their executable pages off CXL memory.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "duration.h"
#include "escape.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "version.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cxlpolicyd [OPTIONS]\n"
		"  --policy-dir DIR     policy files (default %s)\n"
		"  --socket PATH        control socket (default %s)\n"
		"  --lock PATH          the mover lock shared with cxlpolicyctl migrate (default "
		"%s)\n"
		"  --control-group GRP  this group may change policy too (root always may)\n"
		"  --status-restricted  status only for root and the control group\n"
		"  --full-every N       look at every member at least every N intervals and "
		"re-read\n"
		"                       it when it changed, or at every fifth look (default %d;\n"
		"                       1: re-read every member every interval)\n"
		"  --sysroot DIR        read /proc and /sys below DIR (a host mounted into a pod)\n"
		"  --log-level LEVEL    err, warning, notice, info (default), debug\n"
		"  --version\n",
		POLICYDIR_DEFAULT, DAEMON_SOCKET_DEFAULT, DAEMON_LOCK_DEFAULT,
		DAEMON_FULL_EVERY_DEFAULT);
}

static int parse_group(const char *text, gid_t *ret)
{
	struct group *g = getgrnam(text);
	char *end;
	unsigned long v;

	if (g) {
		*ret = g->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno || *end || end == text || v > UINT32_MAX - 1)
		return -EINVAL;
	*ret = (gid_t)v;
	return 0;
}

/* mkdir -p @path (0755), for the default /etc/cxlpolicy/policies.d. */
static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char save = *p;

		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = save;
		if (!save)
			return 0;
	}
}

/* One fd per governed process is kept (pidfds): lift the soft limit to the hard one. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	enum {
		OPT_POLICY_DIR = 256,
		OPT_SOCKET,
		OPT_LOCK,
		OPT_GROUP,
		OPT_RESTRICTED,
		OPT_FULL_EVERY,
		OPT_SYSROOT,
		OPT_LOG_LEVEL,
		OPT_VERSION,
		OPT_CONTROL_TIMEOUT
	};
	static const struct option options[] = {
		{ "policy-dir", required_argument, NULL, OPT_POLICY_DIR },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "lock", required_argument, NULL, OPT_LOCK },
		{ "control-group", required_argument, NULL, OPT_GROUP },
		{ "status-restricted", no_argument, NULL, OPT_RESTRICTED },
		{ "full-every", required_argument, NULL, OPT_FULL_EVERY },
		{ "sysroot", required_argument, NULL, OPT_SYSROOT },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "control-timeout", required_argument, NULL, OPT_CONTROL_TIMEOUT },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct daemon_config cfg = {
		.policy_dir = POLICYDIR_DEFAULT,
		.socket_path = DAEMON_SOCKET_DEFAULT,
		.lock_path = DAEMON_LOCK_DEFAULT,
		.sysroot = "/",
		.full_every = DAEMON_FULL_EVERY_DEFAULT,
	};
	_cleanup_(manager_freep) struct manager *m = NULL;
	struct error err = { 0 };
	int level = LOG_INFO, c, r;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_POLICY_DIR:
			cfg.policy_dir = optarg;
			break;
		case OPT_SOCKET:
			cfg.socket_path = optarg;
			break;
		case OPT_LOCK:
			cfg.lock_path = *optarg ? optarg : NULL;
			break;
		case OPT_GROUP:
			if (parse_group(optarg, &cfg.control_gid) < 0) {
				fprintf(stderr, "cxlpolicyd: --control-group %s: no such group\n",
					ESCAPE_TERMINAL(optarg));
				return 2;
			}
			cfg.has_control_gid = true;
			break;
		case OPT_RESTRICTED:
			cfg.status_restricted = true;
			break;
		case OPT_FULL_EVERY: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || end == optarg || v < 1 || v > 1000000) {
				fprintf(stderr,
					"cxlpolicyd: --full-every %s: expected a number "
					"1-1000000\n",
					ESCAPE_TERMINAL(optarg));
				return 2;
			}
			cfg.full_every = (unsigned)v;
			break;
		}
		case OPT_SYSROOT:
			cfg.sysroot = optarg;
			break;
		case OPT_LOG_LEVEL:
			if (log_parse_level(optarg, &level) < 0) {
				fprintf(stderr,
					"cxlpolicyd: --log-level %s: expected err, warning, "
					"notice, info or debug\n",
					ESCAPE_TERMINAL(optarg));
				return 2;
			}
			break;
		case OPT_CONTROL_TIMEOUT:
			if (duration_parse(optarg, &cfg.control_timeout_ns) < 0 ||
			    !cfg.control_timeout_ns) {
				fprintf(stderr,
					"cxlpolicyd: --control-timeout %s: expected a "
					"duration such as 5s\n",
					ESCAPE_TERMINAL(optarg));
				return 2;
			}
			break;
		case OPT_VERSION:
			printf("cxlpolicyd %s\n", CXLPOLICY_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cxlpolicyd: unexpected argument \"%s\"\n",
			ESCAPE_TERMINAL(argv[optind]));
		return 2;
	}
	log_setup(level);
	raise_fd_limit();
	r = mkdir_parents(cfg.policy_dir);
	if (r < 0) {
		log_error("cannot create the policy directory %s: %s", cfg.policy_dir,
			  strerror(-r));
		return 1;
	}
	r = manager_new(&cfg, &m, &err);
	if (r < 0) {
		log_error("%s", err.code ? err.message : strerror(-r));
		return 1;
	}
	r = manager_start(m, &err);
	if (r < 0) {
		log_error("%s", err.code ? err.message : strerror(-r));
		return 1;
	}
	r = manager_run(m);
	if (r < 0) {
		log_error("event loop: %s", strerror(-r));
		return 1;
	}
	log_info("stopped");
	return 0;
}
