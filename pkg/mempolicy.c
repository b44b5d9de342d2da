/* SPDX-License-Identifier: MIT */
#include "mempolicy.h"

#include <limits.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

int mempolicy_from_policy(enum policy_mempolicy_mode mode, const struct idset *nodes,
			  struct mempolicy_args *ret)
{
	struct mempolicy_args a = { 0 };
	size_t n = nodes ? idset_count(nodes) : 0;

	switch (mode) {
	case POLICY_MPOL_DEFAULT:
		if (n)
			return -EINVAL;
		a.mode = MPOL_DEFAULT;
		*ret = a;
		return 0;
	case POLICY_MPOL_BIND:
		a.mode = MPOL_BIND;
		break;
	case POLICY_MPOL_PREFERRED:
		if (n != 1)
			return -EINVAL;
		a.mode = MPOL_PREFERRED;
		break;
	case POLICY_MPOL_PREFERRED_MANY:
		a.mode = MPOL_PREFERRED_MANY;
		break;
	case POLICY_MPOL_INTERLEAVE:
		a.mode = MPOL_INTERLEAVE;
		break;
	case POLICY_MPOL_WEIGHTED_INTERLEAVE:
		a.mode = MPOL_WEIGHTED_INTERLEAVE_VALUE;
		break;
	default:
		return -EINVAL;
	}
	if (n == 0)
		return -EINVAL;
	_Static_assert(sizeof(a.mask) == sizeof(nodes->bits), "mask and idset differ");
	memcpy(a.mask, nodes->bits, sizeof(a.mask));
	/* the kernel reads maxnode - 1 bits */
	a.maxnode = IDSET_MAX + 1;
	*ret = a;
	return 0;
}

const char *mempolicy_kernel_name(int mode)
{
	switch (mode) {
	case MPOL_DEFAULT:
		return "MPOL_DEFAULT";
	case MPOL_PREFERRED:
		return "MPOL_PREFERRED";
	case MPOL_BIND:
		return "MPOL_BIND";
	case MPOL_INTERLEAVE:
		return "MPOL_INTERLEAVE";
	case MPOL_PREFERRED_MANY:
		return "MPOL_PREFERRED_MANY";
	case MPOL_WEIGHTED_INTERLEAVE_VALUE:
		return "MPOL_WEIGHTED_INTERLEAVE";
	}
	return "MPOL_?";
}

const char *mempolicy_kernel_since(int mode)
{
	switch (mode) {
	case MPOL_PREFERRED_MANY:
		return "5.15";
	case MPOL_WEIGHTED_INTERLEAVE_VALUE:
		return "6.9";
	}
	return NULL;
}

static int set_policy(int mode, const unsigned long *mask, unsigned long maxnode)
{
	if (set_mempolicy(mode, mask, maxnode) < 0)
		return negative_errno();
	return 0;
}

/*
 * Whether the kernel knows @mode: try it with this thread's allowed nodes
 * (always valid for a known mode), then put the default policy back (the
 * caller's own attempt failed, so the thread's policy was not changed by
 * it; it is reset to the default, which is what it was before run).
 */
static bool kernel_has_mode(int mode)
{
	unsigned long allowed[IDSET_MAX / (8 * sizeof(unsigned long))] = { 0 };
	int r;

	if (get_mempolicy(NULL, allowed, IDSET_MAX + 1, NULL, MPOL_F_MEMS_ALLOWED) < 0)
		return true; /* cannot tell: do not blame the kernel */
	r = set_policy(mode, allowed, IDSET_MAX + 1);
	if (r == 0)
		(void)set_policy(MPOL_DEFAULT, NULL, 0);
	return r != -EINVAL;
}

int mempolicy_apply(const struct mempolicy_args *args, const char *sysfs_root, struct error *err)
{
	const char *since = mempolicy_kernel_since(args->mode);
	const char *name = mempolicy_kernel_name(args->mode);
	struct utsname u = { 0 };
	char path[PATH_MAX];
	int r;

	r = set_policy(args->mode, args->maxnode ? args->mask : NULL, args->maxnode);
	if (r == 0)
		return 0;
	(void)uname(&u);
	if (r == -EINVAL && since) {
		bool has_sysfs = true;

		if (args->mode == MPOL_WEIGHTED_INTERLEAVE_VALUE) {
			struct stat st;

			snprintf(path, sizeof(path),
				 "%s/sys/kernel/mm/mempolicy/weighted_interleave",
				 sysfs_root && strcmp(sysfs_root, "/") != 0 ? sysfs_root : "");
			has_sysfs = stat(path, &st) == 0;
		}
		if (!has_sysfs || !kernel_has_mode(args->mode))
			return error_set(
				err, -EOPNOTSUPP,
				"this kernel (%s) has no %s (Linux %s or later%s)", u.release, name,
				since,
				has_sysfs ? ""
					  : "; no /sys/kernel/mm/mempolicy/weighted_interleave");
	}
	return error_set(err, r,
			 "set_mempolicy(%s): %s (is every node online, with memory, and allowed "
			 "by this cpuset?)",
			 name, strerror(-r));
}
