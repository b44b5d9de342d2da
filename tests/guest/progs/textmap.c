/* SPDX-License-Identifier: MIT */
/*
 * textmap: a guest test program that maps a file as executable text (or a huge
 * empty executable region) in the patterns that real processes produce, and
 * reports where its own pages are.
 *
 *   textmap [--file PATH] [--fault LIST] [--cow N] [--pin N] [--thread] [--main-exit]
 *           [--user UID] [--anon-gib N] [--anon-touch K]
 *
 *   --file PATH    map PATH whole, PROT_READ|PROT_EXEC, MAP_PRIVATE (like ld.so maps text)
 *   --fault LIST   file pages to fault in, read-only: "all" (default), "none" or
 *                  N[-M][,N[-M]...] (page indexes; fault-around may map a few more)
 *   --cow N        make file page N a private copy-on-write copy, the way a debugger sets a
 *                  breakpoint: mprotect RW, write one byte (the same value), mprotect R-X
 *   --pin N        vmsplice file page N into a pipe that is never read: the pipe holds a
 *                  reference to the page, so it cannot be migrated
 *   --thread       start a second thread; it answers the commands
 *   --main-exit    with --thread: the main thread exits after READY (the exit system
 *                  call, what pthread_exit() ends in; glibc's pthread_exit() would dlopen
 *                  libgcc_s, which the guest lacks), so /proc/PID/maps is empty while the
 *                  process lives on
 *   --user UID     setgid/setuid to UID (and its gid) before mapping anything
 *   --anon-gib N   map N GiB PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE
 *   --anon-touch K map it PROT_WRITE too and write its first K pages
 *
 * Setup errors go to stderr, exit 1 (runtime) or 2 (usage). When set up it prints
 *   READY pid=<pid> tid=<answering thread> file=<start>-<end> file_pages=N anon=<start>-<end>
 * and reads commands from stdin, one a line:
 *   report   REPORT file_pages=N file_node<N>=C... file_absent=C [cow_node=X] [pin_node=X]
 *            [anon_touched_node<N>=C...]   (move_pages(0, ...) on its own pages, independent
 *            of the project's library; X is the node or the negative errno)
 *   fault LIST  fault in more file pages (LIST as --fault): FAULT LIST
 *   quit     exit 0
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <numaif.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_NODES 64
#define NO_PAGE ULONG_MAX

static struct {
	uintptr_t file;
	unsigned long file_pages;
	uintptr_t anon;
	size_t anon_len;
	unsigned long anon_touch;
	unsigned long cow, pin;
	int pin_pipe[2];
} g = { .cow = NO_PAGE, .pin = NO_PAGE, .pin_pipe = { -1, -1 } };

static volatile unsigned char sink;

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

/* Fault the pages named by @list ("all", "none", "N[-M],...") of the file mapping. */
static int fault_pages(const char *list)
{
	char buf[256], *save = NULL;

	if (strcmp(list, "none") == 0)
		return 0;
	if (strcmp(list, "all") == 0) {
		for (unsigned long i = 0; i < g.file_pages; i++)
			sink += *(volatile const unsigned char *)(g.file + i * PAGE);
		return 0;
	}
	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		unsigned long a, b;

		if (dash)
			*dash = '\0';
		if (parse_ulong(tok, &a) < 0 ||
		    (dash ? parse_ulong(dash + 1, &b) : (b = a, 0)) < 0 || a > b ||
		    b >= g.file_pages)
			return -EINVAL;
		for (unsigned long i = a; i <= b; i++)
			sink += *(volatile const unsigned char *)(g.file + i * PAGE);
	}
	return 0;
}

static int map_file(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size < (off_t)PAGE)
		return -EINVAL;
	g.file_pages = (unsigned long)st.st_size / PAGE;
	p = mmap(NULL, g.file_pages * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	g.file = (uintptr_t)p;
	return 0;
}

/* A breakpoint-style private copy of file page @n. */
static int make_cow(unsigned long n)
{
	volatile unsigned char *b = (volatile unsigned char *)(g.file + n * PAGE);

	if (mprotect((void *)b, PAGE, PROT_READ | PROT_WRITE) < 0)
		return -errno;
	*b = *b;
	if (mprotect((void *)b, PAGE, PROT_READ | PROT_EXEC) < 0)
		return -errno;
	return 0;
}

/* Put a reference to file page @n into a pipe nobody reads. */
static int pin_page(unsigned long n)
{
	struct iovec iov = { .iov_base = (void *)(g.file + n * PAGE), .iov_len = PAGE };

	sink += *(volatile const unsigned char *)iov.iov_base;
	if (pipe(g.pin_pipe) < 0)
		return -errno;
	if (vmsplice(g.pin_pipe[1], &iov, 1, 0) != (ssize_t)PAGE)
		return errno ? -errno : -EIO;
	return 0;
}

static int page_node(uintptr_t addr)
{
	void *p = (void *)addr;
	int status = -1;

	if (move_pages(0, 1, &p, NULL, &status, 0) < 0)
		return -errno;
	return status;
}

static int report(void)
{
	unsigned long n = g.file_pages, counts[MAX_NODES] = { 0 }, absent = 0;
	void **pages = calloc(n ? n : 1, sizeof(*pages));
	int *status = calloc(n ? n : 1, sizeof(*status));

	if (!pages || !status) {
		free(pages);
		free(status);
		return -ENOMEM;
	}
	for (unsigned long i = 0; i < n; i++)
		pages[i] = (void *)(g.file + i * PAGE);
	if (n && move_pages(0, n, pages, NULL, status, 0) < 0) {
		int r = -errno;

		free(pages);
		free(status);
		return r;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (status[i] >= 0 && status[i] < MAX_NODES)
			counts[status[i]]++;
		else
			absent++;
	}
	free(pages);
	free(status);
	printf("REPORT file_pages=%lu", n);
	for (int node = 0; node < MAX_NODES; node++)
		if (counts[node])
			printf(" file_node%d=%lu", node, counts[node]);
	printf(" file_absent=%lu", absent);
	if (g.cow != NO_PAGE)
		printf(" cow_node=%d", page_node(g.file + g.cow * PAGE));
	if (g.pin != NO_PAGE)
		printf(" pin_node=%d", page_node(g.file + g.pin * PAGE));
	if (g.anon_touch) {
		unsigned long tc[MAX_NODES] = { 0 };

		for (unsigned long i = 0; i < g.anon_touch; i++) {
			int node = page_node(g.anon + i * PAGE);

			if (node >= 0 && node < MAX_NODES)
				tc[node]++;
		}
		for (int node = 0; node < MAX_NODES; node++)
			if (tc[node])
				printf(" anon_touched_node%d=%lu", node, tc[node]);
	}
	putchar('\n');
	return 0;
}

static void *serve(void *arg)
{
	char line[256];

	(void)arg;
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, "report") == 0) {
			int r = report();

			if (r < 0) {
				fprintf(stderr, "textmap: move_pages: %s\n", strerror(-r));
				exit(1);
			}
		} else if (strncmp(line, "fault ", 6) == 0) {
			if (fault_pages(line + 6) < 0)
				printf("ERROR bad page list: %s\n", line + 6);
			else
				printf("FAULT %s\n", line + 6);
		} else if (strcmp(line, "quit") == 0) {
			exit(0);
		} else if (line[0]) {
			printf("ERROR unknown command: %s\n", line);
		}
		fflush(stdout);
	}
	exit(0);
}

/* The second thread tells its tid through this pipe, then serves once READY is out. */
static int tid_pipe[2];
static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;

static void *thread_main(void *arg)
{
	pid_t tid = gettid();

	if (write(tid_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		exit(1);
	pthread_mutex_lock(&ready_lock);
	pthread_mutex_unlock(&ready_lock);
	return serve(arg);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: textmap [--file PATH] [--fault LIST] [--cow N] [--pin N] [--thread] "
		"[--main-exit] [--user UID] [--anon-gib N] [--anon-touch K]\n");
	exit(2);
}

static void die(const char *what, int r)
{
	fprintf(stderr, "textmap: %s: %s\n", what, strerror(-r));
	exit(1);
}

int main(int argc, char **argv)
{
	const char *file = NULL, *fault = "all";
	unsigned long anon_gib = 0, user = NO_PAGE;
	bool thread = false, main_exit = false;
	pid_t tid;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--thread") == 0) {
			thread = true;
			continue;
		}
		if (strcmp(a, "--main-exit") == 0) {
			main_exit = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "--file") == 0)
			file = v;
		else if (strcmp(a, "--fault") == 0)
			fault = v;
		else if (strcmp(a, "--cow") == 0 && parse_ulong(v, &g.cow) == 0)
			;
		else if (strcmp(a, "--pin") == 0 && parse_ulong(v, &g.pin) == 0)
			;
		else if (strcmp(a, "--user") == 0 && parse_ulong(v, &user) == 0)
			;
		else if (strcmp(a, "--anon-gib") == 0 && parse_ulong(v, &anon_gib) == 0)
			;
		else if (strcmp(a, "--anon-touch") == 0 && parse_ulong(v, &g.anon_touch) == 0)
			;
		else
			usage();
	}
	if ((main_exit && !thread) || ((g.cow != NO_PAGE || g.pin != NO_PAGE) && !file) ||
	    (g.anon_touch && !anon_gib))
		usage();

	if (user != NO_PAGE && (setgid((gid_t)user) < 0 || setuid((uid_t)user) < 0))
		die("setuid", -errno);
	if (file) {
		r = map_file(file);
		if (r < 0)
			die(file, r);
		if (g.cow != NO_PAGE && g.cow >= g.file_pages)
			usage();
		if (g.pin != NO_PAGE && g.pin >= g.file_pages)
			usage();
		if (fault_pages(fault) < 0)
			usage();
		if (g.cow != NO_PAGE && (r = make_cow(g.cow)) < 0)
			die("copy-on-write", r);
		if (g.pin != NO_PAGE && (r = pin_page(g.pin)) < 0)
			die("vmsplice", r);
	}
	if (anon_gib) {
		int prot = PROT_READ | PROT_EXEC | (g.anon_touch ? PROT_WRITE : 0);
		void *p;

		g.anon_len = (size_t)anon_gib << 30;
		p = mmap(NULL, g.anon_len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			 0);
		if (p == MAP_FAILED)
			die("mmap anon", -errno);
		g.anon = (uintptr_t)p;
		for (unsigned long i = 0; i < g.anon_touch; i++)
			*(volatile unsigned char *)(g.anon + i * PAGE) = 1;
	}

	tid = gettid();
	if (thread) {
		pthread_t t;

		if (pipe(tid_pipe) < 0)
			die("pipe", -errno);
		pthread_mutex_lock(&ready_lock);
		r = pthread_create(&t, NULL, thread_main, NULL);
		if (r)
			die("pthread_create", -r);
		if (read(tid_pipe[0], &tid, sizeof(tid)) != sizeof(tid))
			die("thread tid", -EIO);
	}
	printf("READY pid=%d tid=%d file=0x%" PRIxPTR "-0x%" PRIxPTR
	       " file_pages=%lu anon=0x%" PRIxPTR "-0x%" PRIxPTR "\n",
	       getpid(), tid, g.file, g.file + g.file_pages * PAGE, g.file_pages, g.anon,
	       g.anon + g.anon_len);
	fflush(stdout);
	if (!thread)
		serve(NULL);
	pthread_mutex_unlock(&ready_lock);
	if (main_exit)
		syscall(SYS_exit, 0); /* this thread only, unlike exit() */
	for (;;)
		pause();
}
