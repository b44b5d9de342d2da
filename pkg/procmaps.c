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

static uint64_t base_page_size(void)
{
	long size = sysconf(_SC_PAGESIZE);

	return size > 0 ? (uint64_t)size : 4096;
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

/* ---- text parser ------------------------------------------------------ */

#define MAPS_LINE_FORMAT "START-END PERMS OFFSET DEV INODE [PATH]"

/* A cursor over one line: [p, end). */
struct cursor {
	const char *p;
	const char *end;
};

/* One or more hex digits, no sign or "0x", fitting @max. */
static int take_hex(struct cursor *c, uint64_t max, uint64_t *ret, const char **why)
{
	uint64_t v = 0;
	const char *start = c->p;

	for (; c->p < c->end && hex_digit_value(*c->p) >= 0; c->p++) {
		unsigned int d = (unsigned int)hex_digit_value(*c->p);

		if (v > (max - d) / 16) {
			*why = "a hex field overflows";
			return -EINVAL;
		}
		v = v * 16 + d;
	}
	if (c->p == start) {
		*why = "a hex field is missing";
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int take_dec(struct cursor *c, uint64_t *ret, const char **why)
{
	uint64_t v = 0;
	const char *start = c->p;

	for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++) {
		unsigned int d = (unsigned int)(*c->p - '0');

		if (v > (UINT64_MAX - d) / 10) {
			*why = "INODE overflows 64 bits";
			return -EINVAL;
		}
		v = v * 10 + d;
	}
	if (c->p == start) {
		*why = "INODE is not a decimal number";
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int take_char(struct cursor *c, char want, const char *why_missing, const char **why)
{
	if (c->p >= c->end || *c->p != want) {
		*why = why_missing;
		return -EINVAL;
	}
	c->p++;
	return 0;
}

/* One or more blanks between fields. */
static int take_blanks(struct cursor *c, const char **why)
{
	const char *start = c->p;

	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
	if (c->p == start) {
		*why = "fields must be separated by spaces";
		return -EINVAL;
	}
	return 0;
}

static int take_perms(struct cursor *c, char perms[5], const char **why)
{
	static const char allowed[4][3] = { "r-", "w-", "x-", "ps" };

	*why = "PERMS must be 4 letters like \"r-xp\"";
	if (c->end - c->p < 4)
		return -EINVAL;
	for (size_t i = 0; i < 4; i++) {
		if (c->p[i] != allowed[i][0] && c->p[i] != allowed[i][1])
			return -EINVAL;
		perms[i] = c->p[i];
	}
	perms[4] = '\0';
	c->p += 4;
	if (c->p < c->end && *c->p != ' ' && *c->p != '\t')
		return -EINVAL;
	return 0;
}

/*
 * Parse the line [line, line + len) (no newline in it).  On failure, *why
 * says which part was wrong.  @ret->name is allocated on success only.
 */
static int parse_line(const char *line, size_t len, struct vma *ret, const char **why)
{
	struct cursor c = { .p = line, .end = line + len };
	uint64_t start, end, offset, major, minor, inode;
	struct vma v = { 0 };
	int r;

	if (memchr(line, '\0', len)) {
		*why = "a NUL byte inside the line";
		return -EINVAL;
	}
	if ((r = take_hex(&c, UINT64_MAX, &start, why)) < 0 ||
	    (r = take_char(&c, '-', "START-END needs a '-'", why)) < 0 ||
	    (r = take_hex(&c, UINT64_MAX, &end, why)) < 0 || (r = take_blanks(&c, why)) < 0 ||
	    (r = take_perms(&c, v.perms, why)) < 0 || (r = take_blanks(&c, why)) < 0 ||
	    (r = take_hex(&c, UINT64_MAX, &offset, why)) < 0 || (r = take_blanks(&c, why)) < 0 ||
	    (r = take_hex(&c, UINT32_MAX, &major, why)) < 0 ||
	    (r = take_char(&c, ':', "DEV must be MAJOR:MINOR in hex", why)) < 0 ||
	    (r = take_hex(&c, UINT32_MAX, &minor, why)) < 0 || (r = take_blanks(&c, why)) < 0 ||
	    (r = take_dec(&c, &inode, why)) < 0)
		return r;
	if (c.p < c.end && (r = take_blanks(&c, why)) < 0)
		return r;
	if (start >= end) {
		*why = start == end ? "START equals END" : "START is above END";
		return -EINVAL;
	}
	v.start = start;
	v.end = end;
	v.offset = offset;
	v.dev_major = (unsigned int)major;
	v.dev_minor = (unsigned int)minor;
	v.inode = inode;
	v.page_size = base_page_size();
	if (set_name(&v, c.p, (size_t)(c.end - c.p)) < 0)
		return -ENOMEM;
	*ret = v;
	return 0;
}

int procmaps_parse_line(const char *line, struct vma *ret)
{
	const char *why;

	return parse_line(line, strcspn(line, "\n"), ret, &why);
}

/* @line shown in a message: at most 80 bytes, control bytes and '"' escaped. */
static const char *quote_line(const char *line, size_t len, char *buf, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 8 < size; i++) {
		unsigned char ch = (unsigned char)line[i];

		if (i == 80) {
			o += (size_t)snprintf(buf + o, size - o, "...");
			break;
		}
		if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", ch);
		else
			buf[o++] = (char)ch;
	}
	buf[o] = '\0';
	return buf;
}

int procmaps_parse_text(const char *text, size_t len, bool exec_only, const char *filename,
			struct vma_list *ret, struct error *err)
{
	const char *p = text, *end = text + len;
	size_t lineno = 0;

	if (!filename)
		filename = "maps";
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line_len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *why = NULL;
		char shown[400];
		struct vma v;
		int r;

		lineno++;
		r = parse_line(p, line_len, &v, &why);
		if (r == -EINVAL)
			return error_set(err, r,
					 "%s: line %zu: expected \"" MAPS_LINE_FORMAT
					 "\", got \"%s\" (%s)",
					 filename, lineno,
					 quote_line(p, line_len, shown, sizeof(shown)), why);
		if (r < 0)
			return r;
		if ((exec_only && !vma_is_exec(&v)) || strcmp(v.name, "[vsyscall]") == 0) {
			free(v.name);
		} else if ((r = vma_list_push(ret, &v)) < 0) {
			free(v.name);
			return r;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int procmaps_parse(const char *text, bool exec_only, struct vma_list *ret)
{
	return procmaps_parse_text(text, strlen(text), exec_only, NULL, ret, NULL);
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
		v.page_size = q.vma_page_size ? q.vma_page_size : base_page_size();
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

/* hugetlbfs, SYSV hugetlb segments and /anon_hugepage live on a pseudo device (major 0). */
static bool vma_may_be_hugetlb(const struct vma *v)
{
	return v->dev_major == 0 && v->inode != 0;
}

int procmaps_parse_smaps_page_sizes(const char *smaps, struct vma_list *list)
{
	const char *line = smaps;
	size_t i = 0;
	bool current = false;

	while (line && *line && i < list->n) {
		size_t len = strcspn(line, "\n");

		struct cursor c = { .p = line, .end = line + len };
		uint64_t start;
		const char *why;

		/*
		 * A mapping's header starts "START-END"; field lines start with a name,
		 * and some names ("Anonymous:", "AnonHugePages:", "FilePmdMapped:") begin
		 * with letters that are hex digits too.
		 */
		if (take_hex(&c, UINT64_MAX, &start, &why) == 0 && c.p < c.end && *c.p == '-') {
			while (i < list->n && list->items[i].start < start)
				i++;
			current = i < list->n && list->items[i].start == start;
		} else if (current && strncmp(line, "KernelPageSize:", 15) == 0) {
			char *end;
			unsigned long long kb = strtoull(line + 15, &end, 10);

			if (end == line + 15 || kb == 0 || kb > UINT64_MAX / 1024 ||
			    strncmp(end, " kB", 3) != 0)
				return -EINVAL;
			list->items[i].page_size = (uint64_t)kb * 1024;
		}
		line = line[len] ? line + len + 1 : NULL;
	}
	return 0;
}

/* Text mode knows no page size: ask smaps, only when some VMA may be hugetlb. */
static void fill_page_sizes(int procdir_fd, struct vma_list *list)
{
	_cleanup_free_ char *smaps = NULL;
	_cleanup_close_ int fd = -1;
	bool need = false;

	for (size_t i = 0; i < list->n && !need; i++)
		need = vma_may_be_hugetlb(&list->items[i]);
	if (!need)
		return;
	fd = openat(procdir_fd, "smaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_fd_fully(fd, &smaps, NULL) < 0)
		return; /* best effort: the base page size stays */
	(void)procmaps_parse_smaps_page_sizes(smaps, list);
}

/* Hand @list's VMAs over to @ret (appended after any it holds). */
static int vma_list_move(struct vma_list *ret, struct vma_list *list)
{
	if (ret->n == 0) {
		free(ret->items);
		*ret = *list;
	} else {
		if (GROW_ARRAY(ret->items, ret->cap, ret->n + list->n) < 0)
			return -ENOMEM;
		memcpy(ret->items + ret->n, list->items, list->n * sizeof(*list->items));
		ret->n += list->n;
		ret->used_procmap_query = list->used_procmap_query;
		free(list->items);
	}
	*list = (struct vma_list){ 0 };
	return 0;
}

/* For messages only: the path of @procdir_fd's maps as the kernel knows it. */
static void maps_display(int procdir_fd, char *buf, size_t size)
{
	char link[64], dir[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", procdir_fd);
	n = readlink(link, dir, sizeof(dir) - 1);
	if (n > 0) {
		dir[n] = '\0';
		snprintf(buf, size, "%s/maps", dir);
	} else {
		snprintf(buf, size, "maps");
	}
}

/* @display: the maps file's name in messages; NULL: found from @procdir_fd when needed. */
static int read_exec_at(int procdir_fd, enum procmaps_method method, const char *display,
			struct vma_list *ret, struct error *err)
{
	char found[PATH_MAX + 8];
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	fd = openat(procdir_fd, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : negative_errno();

	if (method != PROCMAPS_TEXT) {
		r = read_with_query(fd, &list);
		if (r == 0) {
			list.used_procmap_query = true;
			return vma_list_move(ret, &list);
		}
		vma_list_free(&list);
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
	r = read_fd_fully(fd, &text, &len);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	if (!display) {
		maps_display(procdir_fd, found, sizeof(found));
		display = found;
	}
	r = procmaps_parse_text(text, len, true, display, &list, err);
	if (r < 0)
		return r;
	fill_page_sizes(procdir_fd, &list);
	return vma_list_move(ret, &list);
}

int procmaps_read_exec_at(int procdir_fd, enum procmaps_method method, struct vma_list *ret,
			  struct error *err)
{
	return read_exec_at(procdir_fd, method, NULL, ret, err);
}

int procmaps_read_exec_err(const struct sysroot *root, pid_t pid, enum procmaps_method method,
			   struct vma_list *ret, struct error *err)
{
	_cleanup_close_ int dirfd = -1;
	char rel[64], display[PATH_MAX];

	snprintf(rel, sizeof(rel), "proc/%d", (int)pid);
	dirfd = sysroot_openat(root, rel, O_RDONLY | O_DIRECTORY);
	if (dirfd == -ENOENT)
		return -ESRCH;
	if (dirfd < 0)
		return dirfd;
	snprintf(rel, sizeof(rel), "proc/%d/maps", (int)pid);
	return read_exec_at(dirfd, method, sysroot_display(root, rel, display, sizeof(display)),
			    ret, err);
}

int procmaps_read_exec(const struct sysroot *root, pid_t pid, enum procmaps_method method,
		       struct vma_list *ret)
{
	return procmaps_read_exec_err(root, pid, method, ret, NULL);
}
