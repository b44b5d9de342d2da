/* SPDX-License-Identifier: MIT */
/*
 * What every library call of a sweep needs to know, in one place: where
 * /proc and /sys are, the memory topology, how to read maps and residency,
 * and a hook that says why a page stayed where it is.  The CLI builds one
 * per run; the daemon keeps one for its life.  Nothing in pkg/ reads the
 * environment or keeps globals.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "placement.h"
#include "procmaps.h"
#include "residency.h"
#include "sysroot.h"
#include "topology.h"

#define CXLP_DEFAULT_PAGEMAP_WALK_BUDGET (64ULL << 30)

/* One decision about some pages, for "why did this page stay on CXL". */
struct cxlp_trace {
	pid_t pid;
	uint64_t addr; /* first page */
	size_t pages;
	int node; /* where they are, -1 unknown */
	const char *why; /* "no DRAM node in cpuset 2", "EBUSY", "budget", ... */
};

struct cxlp_ctx {
	const struct sysroot *root;
	const struct topology *topo;
	enum procmaps_method maps_method;
	enum residency_method residency_method;
	/*
	 * The sysroot's /proc is the caller's own live procfs (same pid namespace):
	 * its pids are the ones move_pages() and pidfds reach.  Sweeps refuse to
	 * query or move through a /proc that is not.
	 */
	bool live;
	/*
	 * Without PAGEMAP_SCAN, residency is read one pagemap entry per page of
	 * address space: at most this many bytes of executable mappings are walked
	 * per process and sweep (0: CXLP_DEFAULT_PAGEMAP_WALK_BUDGET); a mapping
	 * cut short is reported as walk_truncated.  Bounds what an unprivileged
	 * process can make a sweep cost with a huge, sparsely touched mapping.
	 */
	uint64_t pagemap_walk_budget;
	move_pages_fn move_pages; /* queries and moves; NULL: the system call (tests: a model) */
	void (*trace)(void *userdata, const struct cxlp_trace *ev);
	void *trace_userdata;
};

static inline void cxlp_trace(const struct cxlp_ctx *ctx, pid_t pid, uint64_t addr, size_t pages,
			      int node, const char *why)
{
	if (ctx->trace) {
		struct cxlp_trace ev = { pid, addr, pages, node, why };

		ctx->trace(ctx->trace_userdata, &ev);
	}
}
