/* SPDX-License-Identifier: MIT */
/*
 * vmafloor: the floor of any design that finds executable mappings with PROCMAP_QUERY
 * (Linux 6.11+) — open every /proc/PID/maps and ask for each executable VMA in turn, no
 * name, nothing else: no residency, no placement, no per-process files. Prints
 * "processes=N vmas=N"; exit 3 without PROCMAP_QUERY (the bench then leaves it out).
 *
 *   vmafloor [PID...]     (default: every process)
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eachpid.h"

#include "procmap_query.h"

static long long procs, vmas;
static int unsupported;

static void one(const char *pid)
{
	char path[64];
	uint64_t addr = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	procs++;
	for (;;) {
		struct procmap_query_v1 q;

		if (procmap_query_next_exec(fd, addr, NULL, 0, &q) < 0) {
			if (errno == ENOTTY)
				unsupported = 1;
			break;
		}
		vmas++;
		addr = q.vma_end;
	}
	close(fd);
}

int main(int argc, char **argv)
{
	if (each_pid(argc, argv, one) < 0)
		return 1;
	if (unsupported) {
		fprintf(stderr, "vmafloor: no PROCMAP_QUERY on this kernel\n");
		return 3;
	}
	printf("processes=%lld vmas=%lld\n", procs, vmas);
	return 0;
}
