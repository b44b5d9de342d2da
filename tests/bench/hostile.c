/* SPDX-License-Identifier: MIT */
/*
 * hostile: one process with a shape that punishes a scanner, then sleeps.
 *
 *   hostile maps N       N one-page anonymous executable mappings, every page written,
 *                        protections alternating r-x / rwx so that no two merge (a JIT
 *                        gone wild; the default vm.max_map_count is 65530)
 *   hostile huge GIB K   one GIB GiB PROT_READ|PROT_EXEC, MAP_NORESERVE mapping with only
 *                        its first K pages written (mprotect'ed writable and back)
 *
 * Prints "READY pid=N mappings=N resident=N" and sleeps until killed.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#define PAGE 4096UL

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	long mappings, resident;

	if (argc == 3 && strcmp(argv[1], "maps") == 0) {
		long n = atol(argv[2]);
		char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		for (long i = 0; i < n; i++)
			p[i * PAGE] = 1;
		for (long i = 0; i < n; i += 2)
			if (mprotect(p + i * PAGE, PAGE, PROT_READ | PROT_EXEC))
				die("mprotect");
		mappings = resident = n;
	} else if (argc == 4 && strcmp(argv[1], "huge") == 0) {
		size_t len = (size_t)atol(argv[2]) << 30;
		long k = atol(argv[3]);
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		/* No transparent huge pages: K small pages, not K x 512. */
		madvise(p, len, MADV_NOHUGEPAGE);
		for (long i = 0; i < k; i++)
			p[i * PAGE] = 1;
		if (mprotect(p, len, PROT_READ | PROT_EXEC))
			die("mprotect");
		mappings = 1;
		resident = k;
	} else {
		fprintf(stderr, "usage: hostile maps N | hostile huge GIB K\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	printf("READY pid=%d mappings=%ld resident=%ld\n", getpid(), mappings, resident);
	fflush(stdout);
	for (;;)
		pause();
}
