/* SPDX-License-Identifier: MIT */
/* The benchmark's floor tools: call @one for each PID argument, or for every /proc/PID. */
#pragma once

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>

/* The number of pids handed to @one; -1 when /proc cannot be listed. */
static inline long long each_pid(int argc, char **argv, void (*one)(const char *pid))
{
	long long n = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++, n++)
			one(argv[i]);
		return n;
	}
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d) {
		perror("/proc");
		return -1;
	}
	while ((e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0])) {
			one(e->d_name);
			n++;
		}
	closedir(d);
	return n;
}
