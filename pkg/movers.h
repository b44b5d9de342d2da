/* SPDX-License-Identifier: MIT */
/*
 * Other page movers that may fight the daemon: NUMA balancing in memory
 * tiering mode (kernel.numa_balancing & 2: promotes hot pages and, with
 * demotion, pushes cold ones down), reclaim-driven demotion
 * (/sys/kernel/mm/numa/demotion_enabled), and DAMON schemes that are
 * running (/sys/kernel/mm/damon/admin/kdamonds/N/state "on").  Each found
 * is one warning line naming the file it came from.  Files that do not
 * exist mean the feature is absent, not an error.
 */
#pragma once

#include <stddef.h>

#include "sysroot.h"

#define MOVERS_MAX 8
#define MOVERS_TEXT_MAX 256

struct movers {
	size_t n;
	char warnings[MOVERS_MAX][MOVERS_TEXT_MAX];
};

/* Fill @ret (always initialised); unreadable files are skipped. */
void movers_detect(const struct sysroot *root, struct movers *ret);
