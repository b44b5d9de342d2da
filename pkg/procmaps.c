/* SPDX-License-Identifier: MIT */
#include "procmaps.h"

#include "procinfo.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "procmap_query.h"

#define DELETED_SUFFIX " (deleted)"

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

/*
 * A parse of maps text that may arrive in pieces: lines are numbered across
 * them, and each VMA kept is handed to @fn (its name borrowed for the call).
 */
struct text_parse {
	bool exec_only;
	const char *filename; /* NULL: found from @procdir_fd when a message needs it */
	int procdir_fd;
	size_t lineno;
	vma_fn fn;
	void *userdata;
	struct error *err;
};

static void maps_display(int procdir_fd, char *buf, size_t size);

/* The line [p, p + len), without its newline. */
static int parse_one(struct text_parse *tp, const char *p, size_t len)
{
	const char *why = NULL;
	char shown[400], found[PATH_MAX + 8];
	struct vma v;
	int r;

	tp->lineno++;
	r = parse_line(p, len, &v, &why);
	if (r == -EINVAL) {
		const char *filename = tp->filename;

		if (!filename) {
			maps_display(tp->procdir_fd, found, sizeof(found));
			filename = found;
		}
		return error_set(tp->err, r,
				 "%s: line %zu: expected \"" MAPS_LINE_FORMAT "\", got \"%s\" (%s)",
				 filename, tp->lineno, quote_line(p, len, shown, sizeof(shown)),
				 why);
	}
	if (r < 0)
		return r;
	if ((!tp->exec_only || vma_is_exec(&v)) && strcmp(v.name, "[vsyscall]") != 0)
		r = tp->fn(&v, tp->userdata);
	free(v.name);
	return r;
}

/*
 * The complete lines of [text, text + len); with @final, a last line without
 * its newline too.  *@ret_used: bytes parsed (the rest waits for more text).
 */
static int parse_lines(struct text_parse *tp, const char *text, size_t len, bool final,
		       size_t *ret_used)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		int r;

		if (!nl && !final)
			break;
		r = parse_one(tp, p, nl ? (size_t)(nl - p) : (size_t)(end - p));
		if (r < 0)
			return r;
		p = nl ? nl + 1 : end;
	}
	*ret_used = (size_t)(p - text);
	return 0;
}

static int push_copy(const struct vma *v, void *userdata)
{
	struct vma copy = *v;
	int r;

	copy.name = strdup(v->name);
	if (!copy.name)
		return -ENOMEM;
	r = vma_list_push(userdata, &copy);
	if (r < 0)
		free(copy.name);
	return r;
}

int procmaps_parse_text(const char *text, size_t len, bool exec_only, const char *filename,
			struct vma_list *ret, struct error *err)
{
	struct text_parse tp = {
		.exec_only = exec_only,
		.filename = filename ? filename : "maps",
		.procdir_fd = -1,
		.fn = push_copy,
		.userdata = ret,
		.err = err,
	};
	size_t used;

	return parse_lines(&tp, text, len, true, &used);
}

int procmaps_parse(const char *text, bool exec_only, struct vma_list *ret)
{
	return procmaps_parse_text(text, strlen(text), exec_only, NULL, ret, NULL);
}

/* Strip " (deleted)" from the NUL-terminated @name in place. */
static bool strip_deleted(char *name)
{
	size_t len = strlen(name), suffix = strlen(DELETED_SUFFIX);

	if (len < suffix || strcmp(name + len - suffix, DELETED_SUFFIX) != 0)
		return false;
	name[len - suffix] = '\0';
	return true;
}

/*
 * *@ret_seen: whether @fn was called; then, when the query itself failed,
 * *@ret_resume is where the next VMA was asked for (text can go on from there).
 */
static int read_with_query(int fd, vma_fn fn, void *userdata, bool *ret_seen, uint64_t *ret_resume)
{
	char name[PATH_MAX + sizeof(DELETED_SUFFIX)];
	uint64_t addr = 0;

	for (;;) {
		struct procmap_query_v1 q;
		struct vma v = { 0 };
		int r;

		if (procmap_query_next_exec(fd, addr, name, sizeof(name), &q) < 0) {
			if (errno == ENOENT)
				return 0; /* no further executable VMA */
			*ret_resume = addr;
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
		if (!q.vma_name_size)
			name[0] = '\0';
		name[sizeof(name) - 1] = '\0';
		v.deleted = strip_deleted(name);
		v.name = name;
		*ret_seen = true;
		r = fn(&v, userdata);
		if (r < 0)
			return r;
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

/* At @line (@len bytes), a mapping's header "START-END ..."?  *@ret_start: its START. */
static bool smaps_header(const char *line, size_t len, uint64_t *ret_start)
{
	struct cursor c = { .p = line, .end = line + len };
	const char *why;

	/*
	 * Field lines start with a name, and some names ("Anonymous:",
	 * "AnonHugePages:", "FilePmdMapped:") begin with letters that are hex
	 * digits too: a header has the '-' right after its hex START.
	 */
	return take_hex(&c, UINT64_MAX, ret_start, &why) == 0 && c.p < c.end && *c.p == '-';
}

/*
 * The KernelPageSize of the mapping starting at @start, searched from
 * *@cursor (a position in an smaps text, at a line start; advanced past the
 * headers below @start, so ascending lookups read the text once).  0 and
 * the size, -ENOENT when the mapping or its line is missing, -EINVAL when
 * that line is malformed.
 */
static int smaps_page_size(const char **cursor, uint64_t start, uint64_t *ret)
{
	const char *line = *cursor;
	bool current = false;

	while (line && *line) {
		size_t len = strcspn(line, "\n");
		uint64_t at;

		if (smaps_header(line, len, &at)) {
			if (current || at > start)
				return -ENOENT;
			*cursor = line;
			current = at == start;
		} else if (current && strncmp(line, "KernelPageSize:", 15) == 0) {
			char *end;
			unsigned long long kb = strtoull(line + 15, &end, 10);

			if (end == line + 15 || kb == 0 || kb > UINT64_MAX / 1024 ||
			    strncmp(end, " kB", 3) != 0)
				return -EINVAL;
			*ret = (uint64_t)kb * 1024;
			return 0;
		}
		line = line[len] ? line + len + 1 : NULL;
	}
	return -ENOENT;
}

int procmaps_parse_smaps_page_sizes(const char *smaps, struct vma_list *list)
{
	const char *cursor = smaps;

	for (size_t i = 0; i < list->n; i++) {
		uint64_t size;
		int r = smaps_page_size(&cursor, list->items[i].start, &size);

		if (r == -EINVAL)
			return r;
		if (r == 0)
			list->items[i].page_size = size;
	}
	return 0;
}

/*
 * Text mode knows no page size: smaps tells it, read only when some VMA may
 * be hugetlb (once, at the first one) and only best effort.
 */
struct smaps_sizes {
	int procdir_fd;
	bool tried;
	char *text;
	const char *cursor;
	uint64_t last; /* START of the VMA looked up last */
};

static void smaps_sizes_fill(struct smaps_sizes *ss, struct vma *v)
{
	uint64_t size;

	if (!vma_may_be_hugetlb(v))
		return;
	if (!ss->tried) {
		_cleanup_close_ int fd = openat(ss->procdir_fd, "smaps", O_RDONLY | O_CLOEXEC);

		ss->tried = true;
		if (fd < 0 || read_fd_fully(fd, &ss->text, NULL) < 0)
			return; /* the base page size stays */
		ss->cursor = ss->text;
	}
	if (!ss->text)
		return;
	if (v->start < ss->last)
		ss->cursor = ss->text; /* out of order (the process remapped while we read) */
	ss->last = v->start;
	if (smaps_page_size(&ss->cursor, v->start, &size) < 0)
		return;
	v->page_size = size;
}

/* The text reader's consumer: page sizes from smaps, then the caller's @fn. */
struct text_sink {
	struct smaps_sizes sizes;
	vma_fn fn;
	void *userdata;
	uint64_t from; /* VMAs ending at or below: already given by PROCMAP_QUERY */
};

static int text_sink_push(const struct vma *v, void *userdata)
{
	struct text_sink *sink = userdata;
	struct vma sized = *v;

	if (v->end <= sink->from)
		return 0;
	smaps_sizes_fill(&sink->sizes, &sized);
	return sink->fn(&sized, sink->userdata);
}

/*
 * Maps text is parsed as it is read, a buffer at a time, so its total size
 * costs no memory (65,000 mappings with long paths exceed 64 MiB of text on
 * kernels without PROCMAP_QUERY).  A line is at most a path and some fields:
 * one longer than TEXT_LINE_MAX is not maps text (-EFBIG).
 */
#define TEXT_CHUNK ((size_t)64 << 10)
#define TEXT_LINE_MAX ((size_t)1 << 20)

static int read_text(int fd, struct text_parse *tp)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0, used;
	struct stat st;
	int r;

	/* not a FIFO or a device in a fixture tree */
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			/* a line longer than the buffer: make room for it */
			size_t ncap = cap ? cap * 2 : TEXT_CHUNK;

			if (cap >= TEXT_LINE_MAX)
				return -EFBIG;
			char *grown = realloc(buf, ncap);

			if (!grown)
				return -ENOMEM;
			buf = grown;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == ENOENT ? -ESRCH : negative_errno();
		}
		if (n == 0)
			break;
		len += (size_t)n;
		r = parse_lines(tp, buf, len, false, &used);
		if (r < 0)
			return r;
		memmove(buf, buf + used, len - used);
		len -= used;
	}
	return parse_lines(tp, buf, len, true, &used);
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
static int each_exec_at(int procdir_fd, enum procmaps_method method, const char *display, vma_fn fn,
			void *userdata, bool *ret_used_query, struct error *err)
{
	_cleanup_close_ int fd = -1;
	struct text_sink sink = {
		.sizes = { .procdir_fd = procdir_fd },
		.fn = fn,
		.userdata = userdata,
	};
	struct text_parse tp = {
		.exec_only = true,
		.filename = display,
		.procdir_fd = procdir_fd,
		.fn = text_sink_push,
		.userdata = &sink,
		.err = err,
	};
	int r;

	fd = openat(procdir_fd, "maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : negative_errno();

	if (method != PROCMAPS_TEXT) {
		bool seen = false;
		uint64_t resume = 0;

		r = read_with_query(fd, fn, userdata, &seen, &resume);
		if (r == 0 && ret_used_query)
			*ret_used_query = true;
		if (r == 0 || r == -EACCES || r == -EPERM)
			return r;
		if (seen) {
			/* @fn failed, the process went away, or only the query was asked for */
			if (!resume || r == -ESRCH || method == PROCMAPS_QUERY)
				return r;
			/*
			 * The query failed part-way (ENAMETOOLONG: a file's path
			 * longer than PATH_MAX, which maps text prints): text gives
			 * the VMAs @fn has not seen yet.
			 */
			sink.from = resume;
			goto text;
		}
		/*
		 * ESRCH also means "no mm": kernel threads and zombies.  The
		 * text read below tells those (empty) from a reaped process.
		 */
		if (method == PROCMAPS_QUERY && r != -ESRCH)
			return r == -ENOTTY || r == -EINVAL ? -EOPNOTSUPP : r;
		/* ENOTTY: kernel without PROCMAP_QUERY, or not procfs: parse text */
	}
text:
	r = read_text(fd, &tp);
	free(sink.sizes.text);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	if (ret_used_query)
		*ret_used_query = false;
	return 0;
}

int procmaps_each_exec_at(int procdir_fd, enum procmaps_method method, vma_fn fn, void *userdata,
			  bool *ret_used_query, struct error *err)
{
	return each_exec_at(procdir_fd, method, NULL, fn, userdata, ret_used_query, err);
}

/* Collect into @ret, untouched on failure. */
static int read_exec_at(int procdir_fd, enum procmaps_method method, const char *display,
			struct vma_list *ret, struct error *err)
{
	_cleanup_(vma_list_free) struct vma_list list = { 0 };
	bool used_query = false;
	int r;

	r = each_exec_at(procdir_fd, method, display, push_copy, &list, &used_query, err);
	if (r < 0)
		return r;
	if (ret->n == 0) {
		free(ret->items);
		*ret = list;
	} else if (list.n > 0) {
		if (GROW_ARRAY(ret->items, ret->cap, ret->n + list.n) < 0)
			return -ENOMEM;
		memcpy(ret->items + ret->n, list.items, list.n * sizeof(*list.items));
		ret->n += list.n;
		free(list.items);
	}
	ret->used_procmap_query = used_query;
	list = (struct vma_list){ 0 };
	return 0;
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

	dirfd = proc_dir_open(root, pid);
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
