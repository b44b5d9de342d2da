/* SPDX-License-Identifier: MIT */
#include "procmaps.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#define DELETED_SUFFIX " (deleted)"

/* linux/fs.h of 6.11+; Debian 12's headers lack it.  Size-versioned ABI. */
struct procmap_query_v1 {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};

#define PROCMAP_QUERY_IOCTL _IOWR('f', 17, struct procmap_query_v1)
#define PROCMAP_QUERY_VMA_READABLE 0x01
#define PROCMAP_QUERY_VMA_WRITABLE 0x02
#define PROCMAP_QUERY_VMA_EXECUTABLE 0x04
#define PROCMAP_QUERY_VMA_SHARED 0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10

void vma_list_free(struct vma_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++)
		free(list->items[i].name);
	free(list->items);
	list->items = NULL;
	list->n = list->cap = 0;
}

bool vma_is_special(const struct vma *v)
{
	return v->inode == 0 &&
	       (strcmp(v->name, "[vdso]") == 0 || strcmp(v->name, "[vsyscall]") == 0 ||
		strcmp(v->name, "[uprobes]") == 0 || strcmp(v->name, "[vvar]") == 0);
}

static int vma_list_push(struct vma_list *list, struct vma *v)
{
	if (GROW_ARRAY(list->items, list->cap, list->n + 1) < 0)
		return -ENOMEM;
	list->items[list->n++] = *v;
	return 0;
}

static int set_name(struct vma *v, const char *name, size_t len)
{
	size_t suffix = strlen(DELETED_SUFFIX);

	v->deleted = false;
	if (len >= suffix && memcmp(name + len - suffix, DELETED_SUFFIX, suffix) == 0) {
		v->deleted = true;
		len -= suffix;
	}
	v->name = strndup(name, len);
	return v->name ? 0 : -ENOMEM;
}

int procmaps_parse_line(const char *line, struct vma *ret)
{
	unsigned long long start, end, offset, inode;
	unsigned int major, minor;
	char perms[5];
	int name_at = -1;
	const char *name;
	size_t len;
	struct vma v = { 0 };

	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu%n", &start, &end, perms, &offset, &major,
		   &minor, &inode, &name_at) < 7 ||
	    name_at < 0)
		return -EINVAL;
	/* Not " %n": that would skip an unnamed mapping's newline into the next line. */
	while (line[name_at] == ' ' || line[name_at] == '\t')
		name_at++;
	if (end <= start || strlen(perms) != 4)
		return -EINVAL;
	name = line + name_at;
	len = strcspn(name, "\n");
	v.start = start;
	v.end = end;
	v.offset = offset;
	memcpy(v.perms, perms, sizeof(v.perms));
	v.dev_major = major;
	v.dev_minor = minor;
	v.inode = inode;
	if (set_name(&v, name, len) < 0)
		return -ENOMEM;
	*ret = v;
	return 0;
}

int procmaps_parse(const char *text, bool exec_only, struct vma_list *ret)
{
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');
		struct vma v;
		int r;

		r = procmaps_parse_line(line, &v);
		if (r < 0)
			return r;
		if ((exec_only && !vma_is_exec(&v)) || strcmp(v.name, "[vsyscall]") == 0) {
			free(v.name);
		} else if ((r = vma_list_push(ret, &v)) < 0) {
			free(v.name);
			return r;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

static int read_with_query(int fd, struct vma_list *ret)
{
	char name[PATH_MAX + sizeof(DELETED_SUFFIX)];
	uint64_t addr = 0;

	for (;;) {
		struct procmap_query_v1 q = {
			.size = sizeof(q),
			.query_flags =
				PROCMAP_QUERY_COVERING_OR_NEXT_VMA | PROCMAP_QUERY_VMA_EXECUTABLE,
			.query_addr = addr,
			.vma_name_size = sizeof(name),
			.vma_name_addr = (uint64_t)(uintptr_t)name,
		};
		struct vma v = { 0 };
		int r;

		if (ioctl(fd, PROCMAP_QUERY_IOCTL, &q) < 0) {
			if (errno == ENOENT)
				return 0; /* no further executable VMA */
			return negative_errno();
		}
		v.start = q.vma_start;
		v.end = q.vma_end;
		v.offset = q.vma_offset;
		v.perms[0] = q.vma_flags & PROCMAP_QUERY_VMA_READABLE ? 'r' : '-';
		v.perms[1] = q.vma_flags & PROCMAP_QUERY_VMA_WRITABLE ? 'w' : '-';
		v.perms[2] = q.vma_flags & PROCMAP_QUERY_VMA_EXECUTABLE ? 'x' : '-';
		v.perms[3] = q.vma_flags & PROCMAP_QUERY_VMA_SHARED ? 's' : 'p';
		v.dev_major = q.dev_major;
		v.dev_minor = q.dev_minor;
		v.inode = q.inode;
		r = set_name(&v, name, q.vma_name_size ? strnlen(name, q.vma_name_size) : 0);
		if (r < 0)
			return r;
		if ((r = vma_list_push(ret, &v)) < 0) {
			free(v.name);
			return r;
		}
		if (q.vma_end <= addr)
			return -EIO; /* the kernel went backwards: do not loop */
		addr = q.vma_end;
	}
}

int procmaps_read_exec(const struct sysroot *root, pid_t pid, enum procmaps_method method,
		       struct vma_list *ret)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	char rel[64];
	int r;

	snprintf(rel, sizeof(rel), "proc/%d/maps", (int)pid);
	fd = sysroot_openat(root, rel, O_RDONLY);
	if (fd == -ENOENT)
		return -ESRCH;
	if (fd < 0)
		return fd;

	if (method != PROCMAPS_TEXT) {
		r = read_with_query(fd, ret);
		if (r == 0) {
			ret->used_procmap_query = true;
			return 0;
		}
		vma_list_free(ret);
		if (r == -EACCES || r == -EPERM)
			return r;
		/*
		 * ESRCH also means "no mm": kernel threads and zombies.  The
		 * text read below tells those (empty) from a reaped process.
		 */
		if (method == PROCMAPS_QUERY && r != -ESRCH)
			return r == -ENOTTY || r == -EINVAL ? -EOPNOTSUPP : r;
		/* ENOTTY: kernel without PROCMAP_QUERY, or not procfs: parse text */
	}
	r = read_fd_fully(fd, &text, NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	return procmaps_parse(text, true, ret);
}
