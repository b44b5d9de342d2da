/* SPDX-License-Identifier: MIT */
/*
 * sleeper: the benchmark's population. A small program linked (--no-as-needed, see
 * bench.sh) against ~a dozen shared libraries, so each process has the executable
 * mappings of a typical service. It forks CHILDREN-1 copies of itself (sharing the
 * same text, as a pre-forking server does) and every copy sleeps until killed.
 *
 *   sleeper CHILDREN
 * Prints "READY <n>" on stdout when all copies exist.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;

	/* Copies killed by the churn test are reaped at once, never zombies. */
	signal(SIGCHLD, SIG_IGN);

	for (int i = 1; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("sleeper: fork");
			return 1;
		}
		if (pid == 0) {
			/* The copies die with the leader if the benchmark is killed hard. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
	printf("READY %d\n", n);
	fflush(stdout);
	for (;;)
		pause();
}
