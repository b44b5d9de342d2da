/* SPDX-License-Identifier: MIT */
/*
 * A policy directory (/etc/cxlpolicy/policies.d): every "*.json" file in it,
 * validated with policy_set_parse() and merged into one policy set.
 *
 * Which files: regular files whose name ends exactly in ".json" and does not
 * start with '.', so hidden files and editor leftovers (".#x.json",
 * "x.json~", "x.json.swp") are skipped.  They are read in strcmp() order of
 * their names (C locale bytes), and the merged set holds their policies in
 * (file name, order in the file) order.
 *
 * Symlinks are followed, but only to regular files: a package or a config
 * manager may install "policies.d/web.json -> /usr/share/...", as systemd's
 * .d directories allow, and whoever can write into the directory (root)
 * could write the file itself, so following gives no one more power.  A
 * symlink (or a file) that is a FIFO, a device or a directory is an error:
 * the target is checked with fstatat() before it is opened (a device is
 * never opened), and opened O_NONBLOCK then checked again with fstat() (so a
 * FIFO swapped in meanwhile cannot block the daemon).
 *
 * The directory is given as a path or an open directory descriptor, never
 * through a sysroot: the daemon reads the real /etc even when /proc and /sys
 * come from a --sysroot.
 *
 * All or nothing: any bad file (invalid, over POLICY_FILE_MAX, unreadable,
 * not regular) or a policy name used twice (in one file or in two) fails the
 * whole load with a message naming the file(s); the caller keeps its previous
 * set.  An empty directory is a valid, empty set.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "macro.h"
#include "policy.h"
#include "topology.h"

#define POLICYDIR_DEFAULT "/etc/cxlpolicy/policies.d"
#define POLICYDIR_MAX_FILES 4096

struct policydir {
	struct policy_set *set; /* never NULL; n_policies may be 0 */
	char **files; /* file names (no directory part), sorted */
	size_t n_files;
	size_t *policy_file; /* per policy of @set: its index into @files */
	/*
	 * FNV-1a 64 over every (file name, size, contents), in order: equal
	 * hashes mean "nothing changed" for a reload.  Not cryptographic; the
	 * files are root's.
	 */
	uint64_t hash;
};

/*
 * Load the directory @path (NULL: POLICYDIR_DEFAULT).  0 and a new policydir
 * in *@ret; on failure -errno, a message in @err, *@ret untouched:
 * -ENOENT/-ENOTDIR/-EACCES (the directory or a file), -EINVAL (an invalid
 * file, a policy name in two files, a file that is not regular), -EFBIG (a
 * file over POLICY_FILE_MAX), -E2BIG (over POLICYDIR_MAX_FILES files),
 * -ENOMEM.
 */
int policydir_load(const char *path, const struct topology *topo, struct policydir **ret,
		   struct error *err);
/* The same on an open directory @dirfd (not closed); @display_path names it in messages. */
int policydir_load_at(int dirfd, const char *display_path, const struct topology *topo,
		      struct policydir **ret, struct error *err);
void policydir_free(struct policydir *dir);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct policydir *, policydir_free)

/* The file name policy @i of dir->set came from. */
const char *policydir_policy_file(const struct policydir *dir, size_t i);

/* Whether @name is one the loader reads ("x.json", not ".x.json", "x.json~"). */
bool policydir_wants_name(const char *name);
