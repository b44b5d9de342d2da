/* SPDX-License-Identifier: MIT */
/*
 * Warm a file: put all of its page cache on DRAM, as a service's
 * ExecStartPre would before the service maps its binary.
 *
 * The file is mapped read-only and shared, a window at a time (RSS stays
 * bounded).  Pages already in the page cache (mincore() before anything is
 * touched) are mapped and queried with move_pages(0, ...); those on a CXL
 * node are moved to the nearest DRAM node with MPOL_MF_MOVE_ALL (the page
 * cache is shared with other mappers; needs CAP_SYS_NICE), else with
 * MPOL_MF_MOVE, which leaves pages other processes map (-EACCES).  Pages not
 * in the page cache are read in while the thread's mempolicy binds to the
 * DRAM nodes (page cache goes where the first toucher's policy says).  At the
 * end of each window every page is queried again: the counts say where each
 * page really is, not what was asked.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "idset.h"
#include "topology.h"

#define WARM_FILE_MAX ((uint64_t)16 << 30) /* 16 GiB: more is not a binary */
#define WARM_WINDOW_DEFAULT ((size_t)16 << 20)

struct warm_options {
	const struct topology *topo; /* which nodes are DRAM and CXL, distances */
	size_t window; /* bytes mapped at a time; 0: WARM_WINDOW_DEFAULT */
	uint64_t max_size; /* 0: WARM_FILE_MAX */
};

struct warm_result {
	uint64_t size; /* bytes */
	uint64_t pages;
	uint64_t already_dram; /* in the page cache on DRAM before */
	uint64_t faulted; /* not in the page cache before, now on DRAM */
	uint64_t moved; /* were on CXL, now on DRAM */
	uint64_t left_cxl; /* still on a CXL node at the end */
	uint64_t unknown; /* the final query gave no node (status -errno) */
	int left_errno; /* why the first page left on CXL stayed (positive errno), 0 */
	bool move_all; /* MPOL_MF_MOVE_ALL was allowed (else MPOL_MF_MOVE) */
	/*
	 * mincore() shows another user's file's page cache only to its owner
	 * or root (Linux 5.0+); otherwise pages only others had in the page
	 * cache count as faulted, not already_dram.
	 */
	bool residency_visible;
	bool bound; /* faulting ran under MPOL_BIND to the DRAM nodes */
	struct idset dram; /* the DRAM nodes used: DRAM with memory, allowed by the cpuset */
};

/*
 * Open @path without blocking (O_NONBLOCK, no controlling tty) and check it:
 * fd, or -EISDIR (a directory), -EINVAL (not a regular file: FIFO, socket,
 * device), -EFBIG (over @max_size, 0: WARM_FILE_MAX), -errno of open().
 */
int warm_open(const char *path, uint64_t max_size);

/*
 * Warm the regular file open at @fd (see above).  0 and *@ret filled, also
 * when pages stay on CXL (ret->left_cxl, ret->left_errno); -errno with a
 * message in @err when the work could not be done (no DRAM node allowed,
 * mmap failed, set_mempolicy failed).  The thread's mempolicy is put back.
 */
int warm_fd(int fd, const struct warm_options *opts, struct warm_result *ret, struct error *err);

/*
 * The ELF interpreter (PT_INTERP, "/lib64/ld-linux-x86-64.so.2") of the
 * 64-bit ELF file open at @fd, into @buf: 0; -ENOENT when it has none
 * (static, or a script), -ENOEXEC when it is not 64-bit ELF of this byte
 * order, -ENAMETOOLONG.
 */
int warm_elf_interpreter(int fd, char *buf, size_t size);
