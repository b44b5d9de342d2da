/* SPDX-License-Identifier: MIT */
/*
 * runstat: run a command and print what it cost, measured by the kernel:
 *   wall_us=N user_us=N sys_us=N maxrss_kb=N status=N
 * (wait4's rusage: CPU and peak RSS of that one child, nothing else).
 *
 *   runstat [-o FILE] -- COMMAND [ARG...]
 *   -o FILE   the command's stdout goes to FILE (default /dev/null)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	const char *out = "/dev/null";
	int i = 1;

	if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
		out = argv[i + 1];
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: runstat [-o FILE] -- COMMAND [ARG...]\n");
		return 2;
	}
	long long start = now_us();
	pid_t pid = fork();
	if (pid < 0) {
		perror("runstat: fork");
		return 1;
	}
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0) {
			perror(out);
			_exit(127);
		}
		execvp(argv[i], argv + i);
		perror(argv[i]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("runstat: wait4");
		return 1;
	}
	long long wall = now_us() - start;
	printf("wall_us=%lld user_us=%lld sys_us=%lld maxrss_kb=%ld status=%d\n", wall,
	       ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec,
	       ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec, ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
