/* SPDX-License-Identifier: MIT */
/*
 * benchmove: the raw side of make bench's migration measurements (issue 9), in the guest.
 *
 *   benchmove run CMD [ARG...]        run CMD; its stdout passes through; then print
 *                                     "BENCHTIME wall_us=N status=N" on stderr
 *   benchmove membind NODE CMD [ARG...]
 *                                     exec CMD with its memory bound to NODE (MPOL_BIND)
 *   benchmove where PID FILE          where the pages of PID's mappings of FILE are:
 *                                     "pages=N absent=N node<k>=N..."
 *   benchmove move PID FILE NODE CHUNK
 *                                     the raw syscall: move the resident pages of PID's
 *                                     mappings of FILE to NODE with move_pages(2)
 *                                     (MPOL_MF_MOVE_ALL), CHUNK pages a call, each call
 *                                     timed: "pages=N moved=N calls=N wall_us=N longest_us=N"
 *                                     (wall: the move calls only; moved: on NODE afterwards)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_NODES 64

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Every page address of PID's mappings of FILE; returns the count. */
static size_t pages_of(int pid, const char *file, void ***ret)
{
	char path[64], line[4096];
	void **pages = NULL;
	size_t n = 0, cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "re");
	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		uintptr_t start, end;
		int off = 0;
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %*s %*s %*s %*s %n", &start, &end,
			   &off) != 2 ||
		    off == 0)
			continue;
		char *name = line + off;
		name[strcspn(name, "\n")] = 0;
		if (strcmp(name, file) != 0)
			continue;
		for (uintptr_t a = start; a < end; a += PAGE) {
			if (n == cap) {
				cap = cap ? 2 * cap : 4096;
				pages = realloc(pages, cap * sizeof(*pages));
				if (!pages)
					exit(1);
			}
			pages[n++] = (void *)a;
		}
	}
	fclose(f);
	*ret = pages;
	return n;
}

static void query(int pid, size_t n, void **pages, int *status)
{
	for (size_t i = 0; i < n; i += 1024) {
		size_t k = n - i < 1024 ? n - i : 1024;
		if (move_pages(pid, k, pages + i, NULL, status + i, 0) < 0) {
			perror("move_pages query");
			exit(1);
		}
	}
}

static int where(int pid, const char *file)
{
	void **pages;
	size_t n = pages_of(pid, file, &pages);
	int *status = calloc(n + 1, sizeof(int));
	size_t count[MAX_NODES] = { 0 }, absent = 0;

	query(pid, n, pages, status);
	for (size_t i = 0; i < n; i++) {
		if (status[i] >= 0 && status[i] < MAX_NODES)
			count[status[i]]++;
		else
			absent++;
	}
	printf("pages=%zu absent=%zu", n, absent);
	for (int k = 0; k < MAX_NODES; k++)
		if (count[k])
			printf(" node%d=%zu", k, count[k]);
	printf("\n");
	return 0;
}

static int move(int pid, const char *file, int node, size_t chunk)
{
	void **pages;
	size_t n = pages_of(pid, file, &pages);
	int *status = calloc(n + 1, sizeof(int));
	int *nodes = calloc(n + 1, sizeof(int));

	query(pid, n, pages, status);
	size_t r = 0;
	for (size_t i = 0; i < n; i++)
		if (status[i] >= 0)
			pages[r++] = pages[i];
	for (size_t i = 0; i < r; i++)
		nodes[i] = node;
	long long wall = 0, longest = 0;
	size_t calls = 0;
	for (size_t i = 0; i < r; i += chunk) {
		size_t k = r - i < chunk ? r - i : chunk;
		long long t0 = now_us();
		long rc = move_pages(pid, k, pages + i, nodes + i, status + i, MPOL_MF_MOVE_ALL);
		long long dt = now_us() - t0;
		if (rc < 0) {
			perror("move_pages");
			return 1;
		}
		wall += dt;
		longest = dt > longest ? dt : longest;
		calls++;
	}
	query(pid, r, pages, status);
	size_t moved = 0;
	for (size_t i = 0; i < r; i++)
		moved += status[i] == node;
	printf("pages=%zu moved=%zu calls=%zu wall_us=%lld longest_us=%lld\n", r, moved, calls,
	       wall, longest);
	return 0;
}

static int run(char **argv)
{
	long long t0 = now_us();
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		perror("benchmove run");
		return 1;
	}
	fflush(stdout);
	fprintf(stderr, "BENCHTIME wall_us=%lld status=%d\n", now_us() - t0,
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "run") == 0)
		return run(argv + 2);
	if (argc >= 4 && strcmp(argv[1], "membind") == 0) {
		unsigned long mask = 1UL << atoi(argv[2]);
		if (set_mempolicy(MPOL_BIND, &mask, sizeof(mask) * 8) < 0) {
			perror("set_mempolicy");
			return 1;
		}
		execvp(argv[3], argv + 3);
		perror(argv[3]);
		return 127;
	}
	if (argc == 4 && strcmp(argv[1], "where") == 0)
		return where(atoi(argv[2]), argv[3]);
	if (argc == 6 && strcmp(argv[1], "move") == 0 && atol(argv[5]) > 0)
		return move(atoi(argv[2]), argv[3], atoi(argv[4]), (size_t)atol(argv[5]));
	fprintf(stderr,
		"usage: benchmove run CMD... | where PID FILE | move PID FILE NODE CHUNK\n");
	return 2;
}
