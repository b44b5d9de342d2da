/* SPDX-License-Identifier: MIT */
/*
 * Virtual memory areas of a process, from /proc/PID/maps.  Two readers: the
 * PROCMAP_QUERY ioctl (Linux 6.11+), which walks only executable VMAs
 * without formatting text, and the text parser, used when the ioctl is not
 * there (older kernels, fixture trees).  Parsing is separate from reading.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "sysroot.h"

struct vma {
	uint64_t start;
	uint64_t end;
	uint64_t offset;
	char perms[5]; /* "r-xp" */
	unsigned int dev_major;
	unsigned int dev_minor;
	uint64_t inode;
	char *name; /* path or "[vdso]"-style name, "" for anonymous; " (deleted)" stripped */
	bool deleted;
};

struct vma_list {
	struct vma *items;
	size_t n;
	size_t cap;
	bool used_procmap_query;
};

void vma_list_free(struct vma_list *list);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct vma_list *, vma_list_free)

static inline bool vma_is_exec(const struct vma *v)
{
	return v->perms[2] == 'x';
}

/* File-backed (has an inode): shared page cache, deduplicated across processes. */
static inline bool vma_is_file(const struct vma *v)
{
	return v->inode != 0;
}

/* Kernel-provided mappings such as [vdso]: reported, never migrated. */
bool vma_is_special(const struct vma *v);

/*
 * Parse one line of /proc/PID/maps (without the newline) into @ret.
 * @ret->name is allocated.  -EINVAL on a malformed line.
 */
int procmaps_parse_line(const char *line, struct vma *ret);

/* Parse a whole maps text, keeping executable VMAs only when @exec_only. */
int procmaps_parse(const char *text, bool exec_only, struct vma_list *ret);

enum procmaps_method {
	PROCMAPS_AUTO, /* PROCMAP_QUERY when the kernel has it, else text */
	PROCMAPS_TEXT, /* always parse the text */
	PROCMAPS_QUERY, /* ioctl only; -EOPNOTSUPP when missing */
};

/*
 * Executable VMAs of @pid, read below @root.  -ESRCH when the process is
 * gone, -EACCES when we may not look at it.  [vsyscall] is never returned
 * (it is not user memory).
 */
int procmaps_read_exec(const struct sysroot *root, pid_t pid, enum procmaps_method method,
		       struct vma_list *ret);
