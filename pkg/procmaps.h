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

#include "error.h"
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
	uint64_t page_size; /* bytes: PROCMAP_QUERY's, smaps' KernelPageSize, else the base size */
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
 * Parse one line of /proc/PID/maps (up to a newline or the end) into @ret.
 * @ret->name is allocated.  -EINVAL on a malformed line: hex fields that
 * overflow (DEV: 32 bits each), START >= END, PERMS other than [r-][w-][x-][ps].
 */
int procmaps_parse_line(const char *line, struct vma *ret);

/*
 * Parse a whole maps text of @len bytes (a NUL byte inside is malformed, not
 * the end), keeping executable VMAs only when @exec_only; [vsyscall] is
 * dropped.  Order is not checked: a live process that remaps while its maps
 * are read across several read() calls can show overlapping lines.  Linear
 * in @len.  On a
 * malformed line: -EINVAL and, in @err (may be NULL), "<filename>: line N:
 * expected \"START-END PERMS OFFSET DEV INODE [PATH]\", got \"...\" (why)".
 * @filename (NULL: "maps") is for the message only.  VMAs are appended to
 * @ret; on failure @ret may hold the VMAs of the lines before the bad one.
 */
int procmaps_parse_text(const char *text, size_t len, bool exec_only, const char *filename,
			struct vma_list *ret, struct error *err);

/* procmaps_parse_text() of a NUL-terminated text, without a message. */
int procmaps_parse(const char *text, bool exec_only, struct vma_list *ret);

/*
 * Set page_size of the VMAs of @list (ascending) from the KernelPageSize
 * lines of a /proc/PID/smaps text.  VMAs not in the text keep theirs.
 */
int procmaps_parse_smaps_page_sizes(const char *smaps, struct vma_list *list);

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
/* The same, with a message in @err (may be NULL) naming <root>/proc/PID/maps and the line. */
int procmaps_read_exec_err(const struct sysroot *root, pid_t pid, enum procmaps_method method,
			   struct vma_list *ret, struct error *err);

/*
 * Executable VMAs through an open directory fd of /proc/PID or
 * /proc/PID/task/TID (maps and, for hugetlb candidates in text mode, smaps
 * are opened relative to it).  -ESRCH when that task is gone.  The VMAs are
 * appended to @ret; @ret is untouched on failure.  Messages name the
 * directory's path as /proc/self/fd shows it.
 */
int procmaps_read_exec_at(int procdir_fd, enum procmaps_method method, struct vma_list *ret,
			  struct error *err);

/*
 * Called with each VMA a reader finds, in the order the kernel gives them;
 * @v and its name are valid during the call only.  A negative return stops
 * the read and is returned.
 */
typedef int (*vma_fn)(const struct vma *v, void *userdata);

/*
 * procmaps_read_exec_at(), handing each VMA to @fn as it is read instead of
 * collecting them: memory stays flat whatever the number of VMAs (text is
 * parsed a buffer at a time).  When PROCMAP_QUERY fails after @fn saw a VMA,
 * that error is returned (a text read would show the VMAs again).  On
 * success *@ret_used_query (may be NULL) says whether PROCMAP_QUERY was
 * used; on failure @fn may have seen some VMAs.
 */
int procmaps_each_exec_at(int procdir_fd, enum procmaps_method method, vma_fn fn, void *userdata,
			  bool *ret_used_query, struct error *err);
