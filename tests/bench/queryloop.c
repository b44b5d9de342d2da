/* SPDX-License-Identifier: MIT */
/*
 * queryloop: the bare approach without dedupe — for every process, parse
 * /proc/PID/maps and query the node of every page of every executable mapping with
 * move_pages(pid, n, pages, NULL, status, 0), 1024 pages a call. The same page-cache
 * page is queried again through every process that maps it.
 * Prints "processes=N mappings=N pages=N resident=N".
 *
 *   queryloop [PID...]     (default: every process)
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "eachpid.h"

#define BATCH 1024

static long long mappings, pages, resident;

static void one(const char *pid)
{
	static void *addrs[BATCH];
	static int status[BATCH];
	char path[64], line[4096];

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	long p = atol(pid);
	while (fgets(line, sizeof(line), f)) {
		uintptr_t start, end;
		char perms[8];
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s", &start, &end, perms) != 3)
			continue;
		if (perms[2] != 'x')
			continue;
		mappings++;
		for (uintptr_t a = start; a < end;) {
			int n = 0;
			for (; n < BATCH && a < end; n++, a += 4096)
				addrs[n] = (void *)a;
			if (syscall(SYS_move_pages, p, n, addrs, NULL, status, 0) < 0)
				break;
			pages += n;
			for (int i = 0; i < n; i++)
				resident += status[i] >= 0;
		}
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	long long procs = 0;

	procs = each_pid(argc, argv, one);
	if (procs < 0)
		return 1;
	printf("processes=%lld mappings=%lld pages=%lld resident=%lld\n", procs, mappings, pages,
	       resident);
	return 0;
}
