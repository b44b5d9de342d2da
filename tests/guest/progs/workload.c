/* SPDX-License-Identifier: MIT */
/*
 * workload: a guest test program with hot code spread over several text pages and a
 * page-aligned heap buffer, reporting where its own pages are.
 *
 *   workload [--heap-kb N] [--heap-node NODE] [--jit-kb N]
 *
 * On start it faults in every page of its own text and heap, then prints one line
 *   READY pid=<pid> text=<start>-<end> heap=<start>-<end>
 * and reads commands from stdin, one a line:
 *   report   REPORT text_pages=N text_node<N>=C... text_absent=C heap_pages=N
 *            heap_node<N>=C... heap_absent=C   (move_pages(0, ...) on its own pages,
 *            independent of the project's library)
 *   spin N   run the hot loop N rounds: SPIN rounds=N ns_per_round=X
 *   run MS   run the hot loop for MS milliseconds, printing about every 100 ms
 *            TICK t_ms=<CLOCK_MONOTONIC ms> rounds=N ns_per_round=X, then RUN done
 * --heap-node binds the heap (and the JIT region) to NODE (mbind) before it is touched,
 * so a test can keep data on CXL while the stack stays wherever the process runs.
 * --jit-kb N adds an anonymous read-write-execute region of N KiB, like a JIT's code
 * cache; report then also prints jit_pages=N jit_node<N>=C... jit_absent=C.
 *   quit     exit 0
 * Errors go to stderr with exit status 1 (runtime) or 2 (usage).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <numaif.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_NODES 64

/* Eight hot functions, each on its own page, so the hot loop executes from >= 8 pages. */
#define HOT_FN(n)                                                                      \
	__attribute__((noinline, aligned(4096))) static uint64_t hot##n(uint64_t x)    \
	{                                                                              \
		for (int i = 0; i < 64; i++)                                           \
			x = x * 6364136223846793005ULL + (1442695040888963407ULL ^ n); \
		return x;                                                              \
	}
HOT_FN(0)
HOT_FN(1)
HOT_FN(2)
HOT_FN(3)
HOT_FN(4)
HOT_FN(5)
HOT_FN(6)
HOT_FN(7)

static uint64_t (*const hot_fns[])(uint64_t) = { hot0, hot1, hot2, hot3, hot4, hot5, hot6, hot7 };
static volatile uint64_t sink;

struct range {
	uintptr_t start, end;
};

/* The r-xp mapping of our own executable, from /proc/self/maps. */
static int find_text(struct range *ret)
{
	char exe[PATH_MAX], line[PATH_MAX + 128];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f;
	int r = -ENOENT;

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		uintptr_t s, e;
		char perms[8];
		int path_at = 0;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %*s %n", &s, &e, perms,
			   &path_at) < 3 ||
		    !path_at)
			continue;
		if (strcmp(perms, "r-xp") == 0 && strcmp(line + path_at, exe) == 0) {
			*ret = (struct range){ s, e };
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

/* Count the pages of [r) per node into counts[], non-resident ones into *absent. */
static int count_nodes(const struct range *r, unsigned long counts[MAX_NODES],
		       unsigned long *absent)
{
	unsigned long n = (r->end - r->start) / PAGE;
	void **pages = calloc(n, sizeof(*pages));
	int *status = calloc(n, sizeof(*status));
	int ret = 0;

	if (!pages || !status) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned long i = 0; i < n; i++)
		pages[i] = (void *)(r->start + i * PAGE);
	if (move_pages(0, n, pages, NULL, status, 0) < 0) {
		ret = -errno;
		goto out;
	}
	memset(counts, 0, MAX_NODES * sizeof(*counts));
	*absent = 0;
	for (unsigned long i = 0; i < n; i++) {
		if (status[i] >= 0 && status[i] < MAX_NODES)
			counts[status[i]]++;
		else
			(*absent)++;
	}
out:
	free(pages);
	free(status);
	return ret;
}

static int report(const struct range *text, const struct range *heap, const struct range *jit)
{
	const struct {
		const char *name;
		const struct range *r;
	} parts[] = { { "text", text }, { "heap", heap }, { "jit", jit } };
	unsigned long counts[MAX_NODES], absent = 0;

	fputs("REPORT", stdout);
	for (size_t p = 0; p < (jit->end > jit->start ? 3 : 2); p++) {
		int r = count_nodes(parts[p].r, counts, &absent);

		if (r < 0) {
			fprintf(stderr, "workload: move_pages: %s\n", strerror(-r));
			return r;
		}
		printf(" %s_pages=%lu", parts[p].name,
		       (unsigned long)((parts[p].r->end - parts[p].r->start) / PAGE));
		for (int node = 0; node < MAX_NODES; node++)
			if (counts[node])
				printf(" %s_node%d=%lu", parts[p].name, node, counts[node]);
		printf(" %s_absent=%lu", parts[p].name, absent);
	}
	putchar('\n');
	return 0;
}

static void spin(unsigned long rounds)
{
	struct timespec a, b;
	uint64_t x = 1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (unsigned long i = 0; i < rounds; i++)
		for (size_t f = 0; f < sizeof(hot_fns) / sizeof(hot_fns[0]); f++)
			x = hot_fns[f](x);
	clock_gettime(CLOCK_MONOTONIC, &b);
	sink = x;
	double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
	printf("SPIN rounds=%lu ns_per_round=%.1f\n", rounds, rounds ? ns / rounds : 0.0);
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* Spin for @ms, one TICK line per ~100 ms; batches grow so clock reads stay rare. */
static void run_for(unsigned long ms)
{
	double end = now_ns() + ms * 1e6;
	unsigned long batch = 1;
	uint64_t x = 1;

	while (now_ns() < end) {
		double tick_start = now_ns(), t = tick_start;
		unsigned long rounds = 0;

		while (t - tick_start < 100e6 && t < end) {
			double b0 = t;

			for (unsigned long i = 0; i < batch; i++)
				for (size_t f = 0; f < sizeof(hot_fns) / sizeof(hot_fns[0]); f++)
					x = hot_fns[f](x);
			rounds += batch;
			t = now_ns();
			if (t - b0 < 5e6 && batch < (1UL << 24))
				batch *= 2;
			else if (t - b0 > 20e6 && batch > 1)
				batch /= 2;
		}
		printf("TICK t_ms=%.1f rounds=%lu ns_per_round=%.1f\n", t / 1e6, rounds,
		       (t - tick_start) / rounds);
		fflush(stdout);
	}
	sink = x;
	printf("RUN done\n");
}

/* mmap @kb KiB with @prot, bound to @node (ULONG_MAX: no binding), every page touched. */
static int map_region(unsigned long kb, int prot, unsigned long node, struct range *ret)
{
	size_t len = (kb * 1024 + PAGE - 1) & ~(PAGE - 1);
	void *buf = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		return -errno;
	if (node != ULONG_MAX) {
		unsigned long mask = 1UL << node;

		if (mbind(buf, len, MPOL_BIND, &mask, MAX_NODES, 0) < 0)
			return -errno;
	}
	*ret = (struct range){ (uintptr_t)buf, (uintptr_t)buf + len };
	for (uintptr_t p = ret->start; p < ret->end; p += PAGE)
		*(volatile unsigned char *)p = 1;
	return 0;
}

static int parse_ulong(const char *s, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -EINVAL;
	*ret = v;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long heap_kb = 1024, jit_kb = 0, rounds, heap_node = ULONG_MAX;
	struct range text, heap, jit = { 0, 0 };
	char line[256];
	int r;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--heap-kb") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], &heap_kb) == 0 && heap_kb > 0) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "--heap-node") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], &heap_node) == 0 && heap_node < MAX_NODES) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "--jit-kb") == 0 && i + 1 < argc &&
		    parse_ulong(argv[i + 1], &jit_kb) == 0) {
			i++;
			continue;
		}
		fprintf(stderr, "usage: workload [--heap-kb N] [--heap-node NODE] [--jit-kb N]   "
				"(N > 0)\n");
		return 2;
	}

	r = find_text(&text);
	if (r < 0) {
		fprintf(stderr, "workload: own text mapping not found: %s\n", strerror(-r));
		return 1;
	}
	/* Fault in every text page so each is resident in this process. */
	for (uintptr_t p = text.start; p < text.end; p += PAGE)
		sink += *(volatile const unsigned char *)p;

	r = map_region(heap_kb, PROT_READ | PROT_WRITE, heap_node, &heap);
	if (r == 0 && jit_kb)
		r = map_region(jit_kb, PROT_READ | PROT_WRITE | PROT_EXEC, heap_node, &jit);
	if (r < 0) {
		fprintf(stderr, "workload: mapping heap/jit (node %lu): %s\n", heap_node,
			strerror(-r));
		return 1;
	}

	printf("READY pid=%d text=0x%" PRIxPTR "-0x%" PRIxPTR " heap=0x%" PRIxPTR "-0x%" PRIxPTR
	       "\n",
	       getpid(), text.start, text.end, heap.start, heap.end);
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, "report") == 0) {
			if (report(&text, &heap, &jit) < 0)
				return 1;
		} else if (strncmp(line, "spin ", 5) == 0 && parse_ulong(line + 5, &rounds) == 0) {
			spin(rounds);
		} else if (strncmp(line, "run ", 4) == 0 && parse_ulong(line + 4, &rounds) == 0) {
			run_for(rounds);
		} else if (strcmp(line, "quit") == 0) {
			return 0;
		} else if (line[0]) {
			printf("ERROR unknown command: %s\n", line);
		}
		fflush(stdout);
	}
	return 0;
}
