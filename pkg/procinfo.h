/* SPDX-License-Identifier: MIT */
/*
 * Facts about one process from /proc/PID/{comm,stat,status,cgroup}, and the
 * list of processes in /proc.  Parsers take text; readers take a sysroot.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "idset.h"
#include "sysroot.h"

/*
 * Whether a process has mapped new code or faulted in new pages, cheaply:
 * the size of its program text and of its other executable mappings (status
 * VmExe, VmLib: exact, kept under the mmap lock) and its page fault counts
 * (stat minflt, majflt: exact, summed over its threads).  A page reaches a
 * process's page tables by a fault, or by populating (MAP_POPULATE, mlock),
 * which comes with a new mapping; so while all four stay the same its
 * resident pages are the ones it had.  The RSS fields of status are no use
 * here: they are per-CPU counters, read without folding in the CPUs' parts.
 */
struct exec_signature {
	uint64_t vm_exe_kb; /* status VmExe */
	uint64_t vm_lib_kb; /* status VmLib */
	uint64_t min_flt; /* stat field 10 */
	uint64_t maj_flt; /* stat field 12 */
};

struct procinfo {
	pid_t pid;
	char comm[64];
	int cpu; /* CPU it last ran on, -1 unknown */
	bool has_mems_allowed;
	struct idset mems_allowed; /* cpuset: nodes it may allocate on */
	char cgroup[512]; /* v2 path ("/system.slice/x.service"), "" unknown */
	char state; /* field 3 of stat: 'R', 'S', 'Z', ...; '\0' unknown */
	uint64_t start_time; /* field 22 of stat, clock ticks after boot; 0 unknown */
	pid_t tgid; /* status Tgid, 0 unknown */
	int threads; /* status Threads, 0 unknown */
	bool has_exec_signature; /* status had all of exec_signature's fields */
	struct exec_signature exec_signature;
};

/* Field 39 of /proc/PID/stat (comm may hold spaces and parentheses). */
int procinfo_parse_stat_cpu(const char *stat, int *ret_cpu);
/* Numeric field @field (1-based, >= 4) of /proc/PID/stat; -EINVAL when absent or not a u64. */
int procinfo_parse_stat_u64(const char *stat, int field, uint64_t *ret);
/* Field 3, the state letter. */
int procinfo_parse_stat_state(const char *stat, char *ret_state);
/* Field 22, starttime: clock ticks after boot; with the pid, a process's identity. */
int procinfo_parse_stat_start_time(const char *stat, uint64_t *ret);
/* The value of "Key:\tvalue" in /proc/PID/status, copied into @buf. */
int procinfo_parse_status_field(const char *status, const char *key, char *buf, size_t size);
/* A decimal "Key:" of a status text that fits an int ("Tgid", "Threads"); -ENOENT when absent. */
int procinfo_parse_status_int(const char *status, const char *key, int *ret);
/* The unified (v2) path from /proc/PID/cgroup ("0::/path"). */
int procinfo_parse_cgroup(const char *text, char *buf, size_t size);

/* An O_DIRECTORY descriptor of <root>/proc/PID; -ESRCH when there is none. */
int proc_dir_open(const struct sysroot *root, pid_t pid);

/* -ESRCH when the process does not exist. */
int procinfo_read(const struct sysroot *root, pid_t pid, struct procinfo *ret);
/*
 * The same through an open directory fd of /proc/PID (or /proc/PID/task/TID):
 * comm, stat, status and cgroup are opened relative to it.  @pid is only
 * stored in @ret.  -ESRCH when stat is missing or the task is gone.
 */
int procinfo_read_at(int procdir_fd, pid_t pid, struct procinfo *ret);
/*
 * A procinfo from texts already read: @stat is required (empty: -ESRCH, the
 * task went away while it was read); @comm, @status and @cgroup may be NULL
 * (their fields stay unknown).  Without @comm the name is stat's field 2,
 * which the kernel prints from the same task name.
 */
int procinfo_from_text(pid_t pid, const char *stat, const char *comm, const char *status,
		       const char *cgroup, struct procinfo *ret);

/*
 * The exec_signature of a process from its stat and status texts: -ENOENT
 * when status lacks VmExe or VmLib (no mm), -EINVAL for a malformed field.
 */
int procinfo_parse_exec_signature(const char *stat, const char *status, struct exec_signature *ret);
/*
 * Read <root>/proc/PID/stat and status for its exec_signature.  -ESRCH when
 * the process is gone, -ENOENT when it has no mm (a kernel thread, a zombie).
 */
int procinfo_read_exec_signature(const struct sysroot *root, pid_t pid, struct exec_signature *ret);

/* Parse a pid argument strictly: positive decimal that fits pid_t. */
int parse_pid(const char *text, pid_t *ret);

/* qsort() comparator for pid_t. */
int pid_compare(const void *a, const void *b);

/* All numeric entries of <root>/proc, ascending. */
int proclist_all(const struct sysroot *root, pid_t **ret_pids, size_t *ret_n);
