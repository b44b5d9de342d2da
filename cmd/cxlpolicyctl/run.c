/* SPDX-License-Identifier: MIT */
/*
 * cxlpolicyctl run: start a command under a memory policy.  No kernel
 * interface sets another running process's policy, so policy is applied at
 * launch: set_mempolicy() on ourselves, then exec.
 *
 * With --policy NAME (from the policy directory): join the policy's cgroup
 * (write our pid to its cgroup.procs), warm the command's binary and its ELF
 * interpreter onto DRAM (warm.h; shared libraries are not warmed), set the
 * policy's mempolicy, exec.  Joining comes first, so the page cache read in
 * by warming is charged to that cgroup and allowed by its cpuset.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs.h"
#include "cli.h"
#include "match.h"
#include "mempolicy.h"
#include "policydir.h"
#include "warm.h"

static void usage(void)
{
	printf("usage: cxlpolicyctl run (--membind LIST | --preferred NODE | --interleave LIST) -- "
	       "COMMAND [ARGS...]\n"
	       "       cxlpolicyctl run --policy NAME [--policy-dir DIR] [--cgroup PATH] -- "
	       "COMMAND [ARGS...]\n"
	       "--policy: join the policy's cgroup (--cgroup, which the policy must govern;\n"
	       "the default when the policy names exactly one cgroup without wildcards), warm\n"
	       "the command's binary and ELF interpreter onto DRAM, set the policy's mempolicy,\n"
	       "exec.  DIR defaults to %s.\n",
	       POLICYDIR_DEFAULT);
}

/* "/sys/fs/cgroup/a/b", "/a/b/", "a/b" -> "a/b" in @buf. */
static const char *cgroup_relative(const char *cgroup, char *buf, size_t size)
{
	const char *rel = cgroup;
	size_t n;

	if (strncmp(rel, "/" CGROUPFS_MOUNT, strlen("/" CGROUPFS_MOUNT)) == 0 &&
	    (rel[strlen("/" CGROUPFS_MOUNT)] == '/' || rel[strlen("/" CGROUPFS_MOUNT)] == '\0'))
		rel += strlen("/" CGROUPFS_MOUNT);
	while (*rel == '/')
		rel++;
	snprintf(buf, size, "%s", rel);
	n = strlen(buf);
	while (n && buf[n - 1] == '/')
		buf[--n] = '\0';
	return buf;
}

/*
 * The cgroup to join: @given, which policy @i must govern (win the match, as the
 * daemon decides it), or the policy's only literal glob.
 */
static int pick_cgroup(const struct policy_set *set, size_t i, const char *given, char *buf,
		       size_t size)
{
	const struct policy *p = &set->policies[i];
	struct match_result res;
	int r;

	if (p->match.n_cgroups == 0)
		return cli_fail(EXIT_USAGE,
				"run: policy \"%s\" names no cgroup globs (run --policy supports "
				"policies matching by \"cgroup\" only)",
				p->name);
	if (!given) {
		if (p->match.n_cgroups != 1 || strpbrk(p->match.cgroups[0], "*?"))
			return cli_fail(EXIT_USAGE,
					"run: policy \"%s\" governs several cgroups: give --cgroup "
					"PATH",
					p->name);
		snprintf(buf, size, "%s", p->match.cgroups[0]);
		return EXIT_OK;
	}
	cgroup_relative(given, buf, size);
	r = match_cgroup(set, NULL, 0, buf, &res);
	if (r < 0)
		return cli_fail(EXIT_USAGE, "run: invalid cgroup \"%s\"", ESCAPE_TERMINAL(given));
	if (res.matched && res.winner.policy == i) {
		match_result_clear(&res);
		return EXIT_OK;
	}
	if (res.matched) {
		r = cli_fail(EXIT_USAGE,
			     "run: cgroup \"%s\" is governed by policy \"%s\", not \"%s\": %s",
			     ESCAPE_TERMINAL(given), set->policies[res.winner.policy].name, p->name,
			     ESCAPE_TERMINAL(res.why));
		match_result_clear(&res);
		return r;
	}
	match_result_clear(&res);
	return cli_fail(EXIT_USAGE, "run: cgroup \"%s\" is not governed by policy \"%s\"",
			ESCAPE_TERMINAL(given), p->name);
}

static int write_procs(const struct sysroot *root, const char *dir)
{
	char rel[PATH_MAX], pid[32];
	_cleanup_close_ int fd = -1;
	int n;

	snprintf(rel, sizeof(rel), "%s/cgroup.procs", dir);
	fd = sysroot_openat(root, rel, O_WRONLY);
	if (fd < 0)
		return fd;
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (write(fd, pid, (size_t)n) != n)
		return negative_errno();
	return 0;
}

/* Join @cgroup: v2, or on v1/hybrid every hierarchy (cpuset, name=systemd) that holds it. */
static int join_cgroup(const struct sysroot *root, const char *cgroup)
{
	static const char *const v1[] = { CGROUPFS_MOUNT "/cpuset", CGROUPFS_MOUNT "/systemd" };
	struct error err = { 0 };
	char dir[PATH_MAX], shown[PATH_MAX];
	int r;

	r = cgroupfs_resolve(root, cgroup, dir, sizeof(dir), &err);
	if (r < 0)
		return cli_fail(EXIT_USAGE,
				"run: %s (run does not create cgroups: create it first, e.g. "
				"with mkdir or a systemd slice)",
				err.code ? err.message : strerror(-r));
	r = write_procs(root, dir);
	if (r < 0)
		return cli_fail(EXIT_RUNTIME, "run: joining %s: %s%s",
				sysroot_display(root, dir, shown, sizeof(shown)), strerror(-r),
				r == -EACCES || r == -EPERM ? " (run as root)"
				: r == -EOPNOTSUPP	    ? " (a threaded cgroup takes threads)"
							    : "");
	for (size_t i = 0; i < ARRAY_SIZE(v1); i++) {
		if (strncmp(dir, v1[i], strlen(v1[i])) == 0)
			continue; /* already written */
		if (strncmp(dir, CGROUPFS_MOUNT "/cpuset", strlen(CGROUPFS_MOUNT "/cpuset")) != 0 &&
		    strncmp(dir, CGROUPFS_MOUNT "/systemd", strlen(CGROUPFS_MOUNT "/systemd")) != 0)
			break; /* v2 or hybrid's unified: one hierarchy */
		if ((size_t)snprintf(shown, sizeof(shown), "%s/%s/cgroup.procs", v1[i], cgroup) >=
			    sizeof(shown) ||
		    !sysroot_exists(root, shown))
			continue;
		if ((size_t)snprintf(shown, sizeof(shown), "%s/%s", v1[i], cgroup) >= sizeof(shown))
			continue;
		r = write_procs(root, shown);
		if (r < 0)
			return cli_fail(EXIT_RUNTIME, "run: joining %s: %s", ESCAPE_TERMINAL(shown),
					strerror(-r));
	}
	return EXIT_OK;
}

/* COMMAND as execvp() would find it, into @buf: 0 or -ENOENT. */
static int resolve_command(const char *cmd, char *buf, size_t size)
{
	const char *path = getenv("PATH");

	if (strchr(cmd, '/')) {
		snprintf(buf, size, "%s", cmd);
		return 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		struct stat st;

		snprintf(buf, size, "%.*s%s%s", (int)len, p, len ? "/" : "", cmd);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
			return 0;
		p = colon ? colon + 1 : NULL;
	}
	return -ENOENT;
}

/* Warm @path; a warning on stderr when pages stay on CXL or warming fails. */
static void warm_one(const struct topology *topo, const char *path)
{
	struct warm_result res = { 0 };
	struct error err = { 0 };
	int r = cli_warm_file(topo, path, &res, &err);

	if (r < 0)
		cli_fail(0, "run: warning: warming %s", err.message);
	else if (res.left_cxl || res.unknown)
		cli_fail(0, "run: warning: %s: %ju of %ju pages stay on CXL (%s)",
			 ESCAPE_TERMINAL(path), (uintmax_t)(res.left_cxl + res.unknown),
			 (uintmax_t)res.pages, strerror(res.left_errno ? res.left_errno : EAGAIN));
}

static int run_policy(struct cli *cli, const char *name, const char *dir, const char *cgroup,
		      char **cmd)
{
	_cleanup_(topology_freep) struct topology *topo = NULL;
	_cleanup_(policydir_freep) struct policydir *pd = NULL;
	const struct policy *p = NULL;
	size_t index = 0;
	struct mempolicy_args args;
	struct error err = { 0 };
	char cg[PATH_MAX], exe[PATH_MAX], interp[PATH_MAX];
	int code, r, e;

	code = cli_load_topology(cli, &topo);
	if (code != EXIT_OK)
		return code;
	r = policydir_load(dir, topo, &pd, &err);
	if (r < 0)
		return cli_fail(r == -ENOMEM ? EXIT_RUNTIME : EXIT_USAGE, "run: %s", err.message);
	for (size_t i = 0; i < pd->set->n_policies; i++)
		if (strcmp(pd->set->policies[i].name, name) == 0) {
			p = &pd->set->policies[i];
			index = i;
		}
	if (!p)
		return cli_fail(EXIT_USAGE, "run: no policy \"%s\" in %s", ESCAPE_TERMINAL(name),
				ESCAPE_TERMINAL(dir ? dir : POLICYDIR_DEFAULT));
	if (p->has_mempolicy) {
		r = mempolicy_from_policy(p->mempolicy_mode, &p->mempolicy_nodes, &args);
		if (r < 0)
			return cli_fail(EXIT_USAGE, "run: policy \"%s\": invalid mempolicy",
					p->name);
	}
	code = pick_cgroup(pd->set, index, cgroup, cg, sizeof(cg));
	if (code != EXIT_OK)
		return code;
	if (resolve_command(cmd[0], exe, sizeof(exe)) < 0)
		return cli_fail(127, "run: cannot execute \"%s\": not found in PATH",
				ESCAPE_TERMINAL(cmd[0]));
	code = join_cgroup(cli->root, cg);
	if (code != EXIT_OK)
		return code;

	warm_one(topo, exe);
	{
		_cleanup_close_ int fd = open(exe, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd >= 0 && warm_elf_interpreter(fd, interp, sizeof(interp)) == 0)
			warm_one(topo, interp);
	}

	if (p->has_mempolicy) {
		r = mempolicy_apply(&args, cli->sysroot_path, &err);
		if (r < 0)
			return cli_fail(EXIT_RUNTIME, "run: policy \"%s\": %s", p->name,
					err.message);
	}
	execv(exe, cmd);
	e = errno;
	return cli_fail(e == ENOENT ? 127 : 126, "run: cannot execute \"%s\": %s",
			ESCAPE_TERMINAL(exe), strerror(e));
}

int verb_run(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = { { "membind", required_argument, NULL, 'b' },
						 { "preferred", required_argument, NULL, 'p' },
						 { "interleave", required_argument, NULL, 'i' },
						 { "policy", required_argument, NULL, 'P' },
						 { "policy-dir", required_argument, NULL, 'D' },
						 { "cgroup", required_argument, NULL, 'c' },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	struct idset nodes;
	unsigned long mask[IDSET_MAX / (8 * sizeof(unsigned long))];
	int mode = -1, c, e;
	const char *list = NULL, *name = NULL;
	const char *policy = NULL, *policy_dir = NULL, *cgroup = NULL;

	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (c == 'h') {
			usage();
			return EXIT_OK;
		}
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'P' || c == 'D' || c == 'c') {
			*(c == 'P' ? &policy : c == 'D' ? &policy_dir : &cgroup) = optarg;
			continue;
		}
		if (mode != -1)
			return cli_fail(
				EXIT_USAGE,
				"run: give exactly one of --membind, --preferred, --interleave");
		mode = c == 'b' ? MPOL_BIND : c == 'p' ? MPOL_PREFERRED : MPOL_INTERLEAVE;
		name = c == 'b' ? "--membind" : c == 'p' ? "--preferred" : "--interleave";
		list = optarg;
	}
	if (policy && mode != -1)
		return cli_fail(EXIT_USAGE, "run: --policy and %s exclude each other", name);
	if (!policy && (policy_dir || cgroup))
		return cli_fail(EXIT_USAGE, "run: --policy-dir and --cgroup need --policy");
	if (mode == -1 && !policy)
		return cli_fail(EXIT_USAGE, "run: give one of --membind LIST, --preferred NODE, "
					    "--interleave LIST, --policy NAME");
	if (optind >= argc)
		return cli_fail(EXIT_USAGE, "run: missing COMMAND (after --)");
	if (policy)
		return run_policy(cli, policy, policy_dir, cgroup, argv + optind);
	if (idset_parse(list, &nodes) < 0 || idset_empty(&nodes))
		return cli_fail(
			EXIT_USAGE,
			"run: invalid %s \"%s\": expected a node list such as \"0\" or \"0-1\"",
			name, ESCAPE_TERMINAL(list));
	if (mode == MPOL_PREFERRED && idset_count(&nodes) != 1)
		return cli_fail(EXIT_USAGE, "run: --preferred takes one node, got \"%s\"",
				ESCAPE_TERMINAL(list));

	memcpy(mask, nodes.bits, sizeof(mask));
	if (set_mempolicy(mode, mask, IDSET_MAX) < 0) {
		e = errno;
		return cli_fail(EXIT_RUNTIME,
				"run: set_mempolicy(%s %s): %s (is every node online, with memory, "
				"and allowed by this cpuset?)",
				name, ESCAPE_TERMINAL(list), strerror(e));
	}
	execvp(argv[optind], argv + optind);
	e = errno;
	return cli_fail(e == ENOENT ? 127 : 126, "run: cannot execute \"%s\": %s",
			ESCAPE_TERMINAL(argv[optind]), strerror(e));
}
