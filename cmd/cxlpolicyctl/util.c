/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"

/* --sysroot, else $CXLPOLICY_SYSROOT (empty counts as unset), else "/". */
static int open_sysroot(struct cli *cli)
{
	const char *path = cli->sysroot_path, *origin = cli->sysroot_origin;
	int r;

	if (!path) {
		path = getenv(SYSROOT_ENV);
		origin = SYSROOT_ENV;
		if (!path || !*path) {
			path = "/";
			origin = NULL;
		}
	}
	r = sysroot_open(path, &cli->root);
	if (r < 0)
		/* The system refusing us is a runtime failure; a bad path is bad input. */
		return cli_fail(
			r == -ENOMEM || r == -EACCES || r == -EPERM || r == -EMFILE || r == -ENFILE
				? EXIT_RUNTIME
				: EXIT_USAGE,
			"sysroot \"%s\" (%s%s): %s", ESCAPE_TERMINAL(path),
			origin ? "from " : "the default", origin ? origin : "", strerror(-r));
	cli->sysroot_path = path;
	cli->sysroot_origin = origin ? origin : "default";
	return EXIT_OK;
}

int cli_load_topology(struct cli *cli, struct topology **ret)
{
	_cleanup_(topology_freep) struct topology *topo = NULL;
	struct error err = { 0 };
	int r, code;

	if (!cli->root) {
		code = open_sysroot(cli);
		if (code != EXIT_OK)
			return code;
	}
	r = topology_read(cli->root, &cli->topo_opts, &topo, &err);
	if (r < 0)
		return cli_fail(r == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME,
				"reading the memory topology: %s",
				err.code ? err.message : strerror(-r));
	*ret = TAKE_PTR(topo);
	return EXIT_OK;
}

/* The first line of /proc/self/uid_map when it is not the initial namespace's "0 0 4294967295". */
static bool in_user_namespace(char *map, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long inside, outside, count;

	if (!f || fscanf(f, "%lu %lu %lu", &inside, &outside, &count) != 3)
		return false; /* no /proc, or no user namespaces: nothing to say */
	if (inside == 0 && outside == 0 && count == 4294967295UL)
		return false;
	snprintf(map, size, "%lu %lu %lu", inside, outside, count);
	return true;
}

static bool have_capability(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

static int yama_ptrace_scope(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	int scope;

	if (!f || fscanf(f, "%d", &scope) != 1)
		return -1;
	return scope;
}

const char *cli_permission_hint(int cap)
{
	static char hint[512];
	const char *name = cap == CAP_SYS_NICE ? "CAP_SYS_NICE" : "CAP_SYS_PTRACE";
	char map[96];
	bool has = have_capability(cap);

	if (in_user_namespace(map, sizeof(map)))
		snprintf(
			hint, sizeof(hint),
			"this process runs in a user namespace (uid_map \"%s\"), where root and %s "
			"do not reach processes outside it; run it in the host's initial user "
			"namespace",
			map, name);
	else if (!has && geteuid() != 0)
		snprintf(hint, sizeof(hint), "run as root or with %s", name);
	else if (!has)
		snprintf(hint, sizeof(hint),
			 "this root lacks %s (dropped from its capability set, as container "
			 "runtimes do by default): grant it, e.g. docker run --cap-add %s",
			 name, name + 4);
	else if (cap == CAP_SYS_PTRACE && yama_ptrace_scope() == 3)
		snprintf(hint, sizeof(hint),
			 "kernel.yama.ptrace_scope is 3: no process may inspect another, root "
			 "included, until the next boot");
	else
		snprintf(hint, sizeof(hint),
			 "%s is held yet the kernel refused: a security module (AppArmor, "
			 "SELinux, Yama), a seccomp sandbox or the target's own user namespace "
			 "forbids it",
			 name);
	return hint;
}

const char *format_bytes(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
	return buf;
}

int parse_bytes(const char *text, uint64_t *ret)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1] && strcasecmp(end + 1, "iB") != 0 && strcasecmp(end + 1, "B") != 0)
		return -EINVAL;
	if (shift && v > (~0ULL >> shift))
		return -ERANGE;
	*ret = (uint64_t)v << shift;
	return 0;
}
