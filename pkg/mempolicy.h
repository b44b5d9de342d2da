/* SPDX-License-Identifier: MIT */
/*
 * A policy file's mempolicy (policy.h) as set_mempolicy(2) arguments, and
 * applying it to the calling thread.  The translation is pure; applying it
 * tells a kernel without the mode (MPOL_PREFERRED_MANY: Linux 5.15,
 * MPOL_WEIGHTED_INTERLEAVE: 6.9) from bad nodes, and never falls back to
 * another mode.
 */
#pragma once

#include "error.h"
#include "idset.h"
#include "policy.h"

#ifndef MPOL_PREFERRED_MANY
#define MPOL_PREFERRED_MANY 5
#endif
#define MPOL_WEIGHTED_INTERLEAVE_VALUE 6 /* uapi MPOL_WEIGHTED_INTERLEAVE, Linux 6.9 */

/* set_mempolicy(mode, mask, maxnode) */
struct mempolicy_args {
	int mode;
	unsigned long mask[IDSET_MAX / (8 * sizeof(unsigned long))];
	unsigned long maxnode; /* 0 for MPOL_DEFAULT */
};

/*
 * Translate @mode and @nodes: 0, or -EINVAL when the nodes do not fit the
 * mode (default takes none, preferred exactly one, the others at least one).
 */
int mempolicy_from_policy(enum policy_mempolicy_mode mode, const struct idset *nodes,
			  struct mempolicy_args *ret);

/* "MPOL_BIND", ... for messages; "MPOL_?" for an unknown value. */
const char *mempolicy_kernel_name(int mode);
/* The first kernel release with @mode ("5.15", "6.9"), NULL when always there. */
const char *mempolicy_kernel_since(int mode);

/*
 * set_mempolicy() on the calling thread.  -EOPNOTSUPP, with a message
 * naming the mode, the kernel release it needs and this kernel's, when the
 * kernel lacks the mode (told by retrying with this thread's allowed nodes,
 * and for weighted interleave by /sys/kernel/mm/mempolicy/weighted_interleave
 * under @sysfs_root, NULL meaning "/"); other -errno with a message.
 */
int mempolicy_apply(const struct mempolicy_args *args, const char *sysfs_root, struct error *err);
