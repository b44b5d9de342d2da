/* SPDX-License-Identifier: MIT */
/*
 * Facts about one process from /proc/PID/{comm,stat,status,cgroup}, and the
 * list of processes in /proc.  Parsers take text; readers take a sysroot.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "idset.h"
#include "sysroot.h"

struct procinfo {
	pid_t pid;
	char comm[64];
	int cpu; /* CPU it last ran on, -1 unknown */
	bool has_mems_allowed;
	struct idset mems_allowed; /* cpuset: nodes it may allocate on */
	char cgroup[512]; /* v2 path ("/system.slice/x.service"), "" unknown */
};

/* Field 39 of /proc/PID/stat (comm may hold spaces and parentheses). */
int procinfo_parse_stat_cpu(const char *stat, int *ret_cpu);
/* The value of "Key:\tvalue" in /proc/PID/status, copied into @buf. */
int procinfo_parse_status_field(const char *status, const char *key, char *buf, size_t size);
/* The unified (v2) path from /proc/PID/cgroup ("0::/path"). */
int procinfo_parse_cgroup(const char *text, char *buf, size_t size);

/* -ESRCH when the process does not exist. */
int procinfo_read(const struct sysroot *root, pid_t pid, struct procinfo *ret);

/* Parse a pid argument strictly: positive decimal that fits pid_t. */
int parse_pid(const char *text, pid_t *ret);

/* qsort() comparator for pid_t. */
int pid_compare(const void *a, const void *b);

/* All numeric entries of <root>/proc, ascending. */
int proclist_all(const struct sysroot *root, pid_t **ret_pids, size_t *ret_n);
