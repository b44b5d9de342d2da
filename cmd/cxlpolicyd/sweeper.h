/* SPDX-License-Identifier: MIT */
/*
 * Sweeps: for one policy, the member processes of the cgroups it governs go
 * through pkg/sweep (acquire, plan, act) with the policy's exec settings;
 * what happened is added to the per-cgroup and per-policy counters, pages
 * found on CXL again after the daemon moved them count as re-demotions.
 *
 * Steady state is cheap: when the CXL nodes' allocation counters
 * (nodecounters.h) have not moved since the policy's last full sweep, nothing
 * can have arrived on CXL through an allocation, and a sweep reads only the
 * members new since the last sweep (a pid not seen before, or one whose
 * pidfd died: pid reuse) and a rolling 1/full_every of all members, for what
 * the counters cannot see (a process mapping a file whose page cache is
 * already on CXL): a quiet sweep when no member came or went, a partial one
 * when some did.  Members that left drop out; their pidfds are closed, the
 * others' kept.  Counters that moved, a forced sweep (the sweep verb), the
 * first sweep, or members leaving while the last full sweep counted code on
 * CXL: every member is read (a full sweep, which alone sets exec_cxl_bytes).
 *
 * A stop signal (SIGTERM, SIGINT) pending while a sweep runs ends it after
 * the process at hand (-ECANCELED); the event loop then handles the signal.
 */
#pragma once

#include <stdbool.h>

#include "manager.h"

int sweeper_sweep_policy(struct manager *m, size_t policy, bool full, struct error *err);

/*
 * After cpuset.mems writes: every process on the host, so shared text that
 * a narrowing dragged onto CXL for processes outside the cgroup is moved
 * back (each to the nearest DRAM node its own cpuset allows).
 */
int sweeper_repair(struct manager *m, struct error *err);

void policy_runtime_clear(struct policy_runtime *rt);
