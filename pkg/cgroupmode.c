/* SPDX-License-Identifier: MIT */
#include "cgroupmode.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

#define CGROUP_ROOT "sys/fs/cgroup"
#define MAX_CGROUP_MOUNTS 64

/* v1 controllers a mount can carry; anything else in the options is a mount option */
static const char *const v1_controllers[] = {
	"cpuset",     "cpu",	  "cpuacct", "memory", "devices", "freezer", "net_cls",
	"perf_event", "net_prio", "hugetlb", "pids",   "rdma",	  "misc",    "blkio",
};

struct cg_mount {
	char dir[CGROUP_MODE_DIR_MAX]; /* relative to the sysroot */
	bool v2;
	bool cpuset, memory, systemd, noprefix, controllers;
};

struct cg_mounts {
	struct cg_mount m[MAX_CGROUP_MOUNTS];
	size_t n;
};

const char *cgroup_layout_name(enum cgroup_layout layout)
{
	switch (layout) {
	case CGROUP_LAYOUT_UNIFIED:
		return "unified";
	case CGROUP_LAYOUT_HYBRID:
		return "hybrid";
	case CGROUP_LAYOUT_LEGACY:
		return "legacy";
	}
	return "unknown";
}

int cgroup_path_check(const char *cgroup, struct error *err)
{
	const char *p;

	if (!cgroup)
		return error_set(err, -EINVAL, "cgroup path missing");
	if (strlen(cgroup) >= PATH_MAX)
		return error_set(err, -EINVAL, "cgroup path longer than %d bytes", PATH_MAX - 1);
	if (!*cgroup)
		return 0;
	if (cgroup[0] == '/')
		return error_set(err, -EINVAL,
				 "cgroup \"%s\": expected a path relative to the cgroup root, "
				 "without a leading '/'",
				 ESCAPE_TERMINAL(cgroup));
	for (p = cgroup;;) {
		size_t len = strcspn(p, "/");

		if (len == 0)
			return error_set(err, -EINVAL,
					 "cgroup \"%s\": empty path component (expected names "
					 "joined by single '/')",
					 ESCAPE_TERMINAL(cgroup));
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return error_set(err, -EINVAL,
					 "cgroup \"%s\": expected a path without \".\" or \"..\"",
					 ESCAPE_TERMINAL(cgroup));
		p += len;
		if (!*p)
			return 0;
		p++; /* the '/': a trailing one leaves an empty component */
	}
}

int cgroup_path_join(const char *dir, const char *cgroup, char *buf, size_t size)
{
	size_t dlen = strlen(dir), clen = strlen(cgroup), slash = dlen && clen ? 1 : 0;

	if (dlen + slash + clen >= size)
		return -ENAMETOOLONG;
	memcpy(buf, dir, dlen);
	if (slash)
		buf[dlen] = '/';
	memcpy(buf + dlen + slash, cgroup, clen + 1);
	return 0;
}

/* mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo; undo that in place. */
static int unescape_octal(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s == '\\') {
			int v = 0;

			for (int i = 1; i <= 3; i++) {
				if (s[i] < '0' || s[i] > '7')
					return -EINVAL;
				v = v * 8 + (s[i] - '0');
			}
			if (v == 0 || v > 0xff)
				return -EINVAL;
			*out++ = (char)v;
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
	return 0;
}

static bool option_has(const char *opts, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = opts; *p;) {
		size_t n = strcspn(p, ",");

		if (n == len && strncmp(p, word, len) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/*
 * Mount point @mp (absolute) below the sysroot @root_path, made relative to
 * it: false when it is not below it.  With @root_path NULL, "/" or "", @mp
 * is taken as seen from inside the sysroot.
 */
static bool relative_to_root(const char *mp, const char *root_path, char *buf, size_t size)
{
	size_t rlen;

	if (root_path) {
		while (*root_path == '/' && root_path[1] == '/')
			root_path++;
		rlen = strlen(root_path);
		while (rlen > 0 && root_path[rlen - 1] == '/')
			rlen--;
		if (rlen > 0) {
			if (strncmp(mp, root_path, rlen) != 0 || (mp[rlen] != '/' && mp[rlen]))
				return false;
			mp += rlen;
		}
	}
	while (*mp == '/')
		mp++;
	return (size_t)snprintf(buf, size, "%s", mp) < size;
}

static void mounts_add(struct cg_mounts *ms, const struct cg_mount *m)
{
	/* a later mount on the same point hides the earlier one */
	for (size_t i = 0; i < ms->n; i++)
		if (strcmp(ms->m[i].dir, m->dir) == 0) {
			ms->m[i] = *m;
			return;
		}
	if (ms->n < MAX_CGROUP_MOUNTS)
		ms->m[ms->n++] = *m;
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE
 * SUPEROPTS" */
static int parse_line(char *line, const char *root_path, struct cg_mounts *below,
		      struct cg_mounts *inside)
{
	char *fields[6] = { 0 }, *fstype, *superopts, *save = NULL, *tok;
	struct cg_mount m = { 0 };
	size_t n = 0;

	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		fields[n++] = tok;
		if (n == ARRAY_SIZE(fields))
			break;
	}
	if (n < ARRAY_SIZE(fields))
		return -EINVAL;
	/* optional fields up to the lone "-" */
	for (tok = strtok_r(NULL, " ", &save); tok && strcmp(tok, "-") != 0;
	     tok = strtok_r(NULL, " ", &save))
		;
	if (!tok)
		return -EINVAL;
	fstype = strtok_r(NULL, " ", &save);
	if (!fstype || !strtok_r(NULL, " ", &save))
		return -EINVAL;
	superopts = strtok_r(NULL, " ", &save);
	if (!superopts || strtok_r(NULL, " ", &save))
		return -EINVAL;
	if (strcmp(fstype, "cgroup2") != 0 && strcmp(fstype, "cgroup") != 0)
		return 0;
	if (unescape_octal(fields[4]) < 0 || fields[4][0] != '/')
		return -EINVAL;
	m.v2 = strcmp(fstype, "cgroup2") == 0;
	if (!m.v2) {
		m.cpuset = option_has(superopts, "cpuset");
		m.memory = option_has(superopts, "memory");
		m.systemd = option_has(superopts, "name=systemd");
		m.noprefix = option_has(superopts, "noprefix");
		for (size_t i = 0; i < ARRAY_SIZE(v1_controllers); i++)
			m.controllers |= option_has(superopts, v1_controllers[i]);
	}
	if (relative_to_root(fields[4], NULL, m.dir, sizeof(m.dir)))
		mounts_add(inside, &m);
	if (relative_to_root(fields[4], root_path, m.dir, sizeof(m.dir)))
		mounts_add(below, &m);
	return 0;
}

static const struct cg_mount *find_v2(const struct cg_mounts *ms)
{
	static const char *const preferred[] = { CGROUP_ROOT, CGROUP_ROOT "/unified" };

	for (size_t p = 0; p < ARRAY_SIZE(preferred); p++)
		for (size_t i = 0; i < ms->n; i++)
			if (ms->m[i].v2 && strcmp(ms->m[i].dir, preferred[p]) == 0)
				return &ms->m[i];
	for (size_t i = 0; i < ms->n; i++)
		if (ms->m[i].v2)
			return &ms->m[i];
	return NULL;
}

enum v1_want { WANT_CONTROLLERS, WANT_CPUSET, WANT_MEMORY, WANT_SYSTEMD };

/* The first v1 mount that carries what @want names. */
static const struct cg_mount *find_v1(const struct cg_mounts *ms, enum v1_want want)
{
	for (size_t i = 0; i < ms->n; i++) {
		const struct cg_mount *m = &ms->m[i];
		bool match = want == WANT_CPUSET    ? m->cpuset
			     : want == WANT_MEMORY  ? m->memory
			     : want == WANT_SYSTEMD ? m->systemd
						    : m->controllers;

		if (!m->v2 && match)
			return m;
	}
	return NULL;
}

static int decide(const struct cg_mounts *ms, const char *what, struct cgroup_mode *ret,
		  struct error *err)
{
	const struct cg_mount *v2 = find_v2(ms), *cpuset = find_v1(ms, WANT_CPUSET),
			      *memory = find_v1(ms, WANT_MEMORY), *members = NULL;
	struct cgroup_mode m = { 0 };
	bool v1 = find_v1(ms, WANT_CONTROLLERS) != NULL;

	if (ms->n == 0)
		return error_set(err, -ENOENT, "%s: no cgroup or cgroup2 filesystem mounted", what);
	m.layout = !v1 ? (v2 ? CGROUP_LAYOUT_UNIFIED : CGROUP_LAYOUT_LEGACY)
		       : (v2 ? CGROUP_LAYOUT_HYBRID : CGROUP_LAYOUT_LEGACY);
	if (cpuset) {
		snprintf(m.cpuset_dir, sizeof(m.cpuset_dir), "%s", cpuset->dir);
		m.cpuset_noprefix = cpuset->noprefix;
	} else if (v2) {
		snprintf(m.cpuset_dir, sizeof(m.cpuset_dir), "%s", v2->dir);
		m.cpuset_v2 = true;
	} else {
		snprintf(m.cpuset_missing, sizeof(m.cpuset_missing),
			 "%s: no cgroup hierarchy has the cpuset controller", what);
	}
	members = v2 ? v2 : find_v1(ms, WANT_SYSTEMD);
	if (!members)
		members = cpuset ? cpuset : &ms->m[0];
	snprintf(m.members_dir, sizeof(m.members_dir), "%s", members->dir);
	if (memory) {
		snprintf(m.memory_dir, sizeof(m.memory_dir), "%s", memory->dir);
	} else if (v2) {
		snprintf(m.memory_dir, sizeof(m.memory_dir), "%s", v2->dir);
		m.memory_v2 = true;
	}
	*ret = m;
	return 0;
}

int cgroup_mode_parse(const char *mountinfo, const char *root_path, const char *what,
		      struct cgroup_mode *ret, struct error *err)
{
	/* mounts below the sysroot's path, and all mounts as seen from inside it */
	struct cg_mounts below = { 0 }, inside = { 0 };
	bool has_root = root_path && root_path[strspn(root_path, "/")];
	unsigned lineno = 0;

	for (const char *p = mountinfo; *p;) {
		size_t len = strcspn(p, "\n");
		char line[4 * PATH_MAX];
		int r;

		lineno++;
		if (len >= sizeof(line))
			return error_set(err, -EINVAL, "%s:%u: line longer than %zu bytes", what,
					 lineno, sizeof(line) - 1);
		memcpy(line, p, len);
		line[len] = '\0';
		if (len > 0) {
			r = parse_line(line, has_root ? root_path : NULL, &below, &inside);
			if (r < 0)
				return error_set(err, r,
						 "%s:%u: expected \"ID PARENT MAJ:MIN ROOT "
						 "MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE "
						 "SUPEROPTIONS\"",
						 what, lineno);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	/*
	 * A container that sees the host's cgroups under its --sysroot /host
	 * has them below that path; a mountinfo of the sysroot's own view (the
	 * host's /proc/1/mountinfo, a fixture) names them from inside it.
	 */
	return decide(has_root && below.n > 0 ? &below : &inside, what, ret, err);
}

/* Without mountinfo: the usual mount points, recognised by their files. */
static void probe(const struct sysroot *root, struct cg_mounts *ms)
{
	static const struct {
		const char *dir, *file;
		struct cg_mount flags;
	} known[] = {
		{ CGROUP_ROOT, "cgroup.controllers", { .v2 = true } },
		{ CGROUP_ROOT "/unified", "cgroup.controllers", { .v2 = true } },
		{ CGROUP_ROOT "/cpuset", "cpuset.mems", { .cpuset = true, .controllers = true } },
		{ CGROUP_ROOT "/cpuset",
		  "mems",
		  { .cpuset = true, .controllers = true, .noprefix = true } },
		{ CGROUP_ROOT "/memory",
		  "memory.numa_stat",
		  { .memory = true, .controllers = true } },
		{ CGROUP_ROOT "/systemd", "cgroup.procs", { .systemd = true } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		char rel[PATH_MAX];
		struct cg_mount m = known[i].flags;

		snprintf(rel, sizeof(rel), "%s/%s", known[i].dir, known[i].file);
		if (!sysroot_exists(root, rel))
			continue;
		snprintf(m.dir, sizeof(m.dir), "%s", known[i].dir);
		mounts_add(ms, &m);
		if (i == 0)
			break; /* cgroup2 at sys/fs/cgroup: nothing below it is v1 */
	}
}

bool cgroup_list_has(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; *p;) {
		size_t n;

		p += strspn(p, " \n");
		n = strcspn(p, " \n");
		if (n == len && strncmp(p, word, len) == 0)
			return true;
		p += n;
	}
	return false;
}

/* On cgroup v2: does the root's cgroup.controllers offer @controller? */
static int v2_offers(const struct sysroot *root, const char *dir, const char *controller, char *why,
		     size_t why_size)
{
	_cleanup_free_ char *text = NULL;
	char rel[PATH_MAX], shown[PATH_MAX];
	int r;

	snprintf(rel, sizeof(rel), "%s/cgroup.controllers", dir);
	sysroot_display(root, rel, shown, sizeof(shown));
	r = sysroot_read_file(root, rel, &text, NULL);
	if (r < 0) {
		snprintf(why, why_size, "%s: %s", ESCAPE_TERMINAL(shown), strerror(-r));
		return r;
	}
	if (cgroup_list_has(text, controller))
		return 1;
	text[strcspn(text, "\n")] = '\0';
	snprintf(why, why_size,
		 "%s lists no %s controller (it has \"%s\"): the kernel lacks it, or a cgroup "
		 "v1 hierarchy holds it",
		 ESCAPE_TERMINAL(shown), controller, ESCAPE_TERMINAL(text));
	return 0;
}

int cgroup_mode_detect(const struct sysroot *root, struct cgroup_mode *ret, struct error *err)
{
	_cleanup_free_ char *text = NULL;
	struct cgroup_mode m;
	struct cg_mounts ms = { 0 };
	char shown[PATH_MAX], why[512];
	int r;

	sysroot_display(root, "proc/self/mountinfo", shown, sizeof(shown));
	r = sysroot_read_file(root, "proc/self/mountinfo", &text, NULL);
	if (r == -ENOENT) {
		probe(root, &ms);
		sysroot_display(root, CGROUP_ROOT, shown, sizeof(shown));
		r = decide(&ms, ESCAPE_TERMINAL(shown), &m, err);
	} else if (r < 0) {
		return error_set(err, r, "%s: %s", ESCAPE_TERMINAL(shown), strerror(-r));
	} else {
		r = cgroup_mode_parse(text, root->path, ESCAPE_TERMINAL(shown), &m, err);
	}
	if (r < 0)
		return r;

	if (m.cpuset_v2 && v2_offers(root, m.cpuset_dir, "cpuset", why, sizeof(why)) <= 0) {
		snprintf(m.cpuset_missing, sizeof(m.cpuset_missing), "%s", why);
		m.cpuset_dir[0] = '\0';
		m.cpuset_v2 = false;
	}
	if (m.memory_v2 && v2_offers(root, m.memory_dir, "memory", why, sizeof(why)) <= 0) {
		m.memory_dir[0] = '\0';
		m.memory_v2 = false;
	}
	*ret = m;
	return 0;
}
