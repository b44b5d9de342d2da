/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_load_topology(struct cli *cli, struct topology **ret)
{
	struct error err = { 0 };
	int r;

	if (!cli->root) {
		/* the library no longer reads $CXLPOLICY_SYSROOT; empty counts as unset */
		const char *env = getenv(SYSROOT_ENV);
		const char *path = cli->sysroot_path ? cli->sysroot_path : env && *env ? env : NULL;

		r = sysroot_open(path, &cli->root);
		if (r < 0)
			return cli_fail(EXIT_USAGE, "cannot open sysroot \"%s\": %s",
					path ? path : "/", strerror(-r));
	}
	r = topology_read(cli->root, &cli->topo_opts, ret, &err);
	if (r < 0)
		return cli_fail(r == -EINVAL ? EXIT_USAGE : EXIT_RUNTIME,
				"reading the memory topology: %s",
				err.code ? err.message : strerror(-r));
	return EXIT_OK;
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
