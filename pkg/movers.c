/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "movers.h"
#include "topology.h"

static void add(struct movers *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct movers *m, const char *fmt, ...)
{
	va_list ap;

	if (m->n >= MOVERS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(m->warnings[m->n++], MOVERS_TEXT_MAX, fmt, ap);
	va_end(ap);
}

static void check_numa_balancing(const struct sysroot *root, struct movers *m)
{
	_cleanup_free_ char *line = NULL;
	uint64_t v;

	if (sysroot_read_line(root, "proc/sys/kernel/numa_balancing", &line) < 0)
		return;
	if (topology_parse_u64_buf(line, strlen(line), 10, UINT64_MAX, &v) < 0)
		return;
	if (v & 2)
		add(m,
		    "NUMA balancing is in memory tiering mode (/proc/sys/kernel/numa_balancing = "
		    "%llu): it promotes and demotes pages by hotness and may move code the "
		    "daemon placed",
		    (unsigned long long)v);
}

static void check_demotion(const struct sysroot *root, struct movers *m)
{
	_cleanup_free_ char *line = NULL;

	if (sysroot_read_line(root, "sys/kernel/mm/numa/demotion_enabled", &line) < 0)
		return;
	if (strcmp(line, "true") == 0 || strcmp(line, "1") == 0 || strcmp(line, "Y") == 0)
		add(m,
		    "reclaim demotes pages to lower tiers (/sys/kernel/mm/numa/demotion_enabled "
		    "= %s): code moved to DRAM can be demoted again (counted as re-demotions)",
		    line);
}

static void check_damon(const struct sysroot *root, struct movers *m)
{
	_cleanup_close_ int dfd =
		sysroot_openat(root, "sys/kernel/mm/damon/admin/kdamonds", O_RDONLY | O_DIRECTORY);
	DIR *d;
	struct dirent *de;

	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (!d)
		return;
	dfd = -1; /* owned by d */
	while ((de = readdir(d))) {
		_cleanup_free_ char *state = NULL;
		char rel[sizeof("sys/kernel/mm/damon/admin/kdamonds/") + sizeof(de->d_name) + 8];

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || strlen(de->d_name) > 8)
			continue;
		snprintf(rel, sizeof(rel), "sys/kernel/mm/damon/admin/kdamonds/%s/state",
			 de->d_name);
		if (sysroot_read_line(root, rel, &state) < 0)
			continue;
		if (strcmp(state, "on") == 0)
			add(m,
			    "a DAMON context is running (/%s = on): its schemes may migrate "
			    "or demote pages, code included (DAMON has no exec filter)",
			    rel);
	}
	closedir(d);
}

void movers_detect(const struct sysroot *root, struct movers *ret)
{
	struct movers m = { 0 };

	check_numa_balancing(root, &m);
	check_demotion(root, &m);
	check_damon(root, &m);
	*ret = m;
}
