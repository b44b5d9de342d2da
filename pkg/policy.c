/* SPDX-License-Identifier: MIT */
#include "jsonstrict.h"
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "escape.h"

/* One parse: where messages go and what node ids resolve against. */
struct ctx {
	const char *file; /* escaped display name */
	const struct topology *topo;
	struct error *err;
};

static __attribute__((format(printf, 3, 4))) int fail(struct ctx *c, const char *path,
						      const char *fmt, ...)
{
	char msg[ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error_set(c->err, -EINVAL, "%s: %s: %s", c->file, path, msg);
}

/* 1-based line and byte column of @off in @buf. */
static void line_col(const char *buf, size_t off, size_t *ret_line, size_t *ret_col)
{
	size_t line = 1, start = 0;

	for (size_t i = 0; i < off; i++)
		if (buf[i] == '\n') {
			line++;
			start = i + 1;
		}
	*ret_line = line;
	*ret_col = off - start + 1;
}

static __attribute__((format(printf, 4, 5))) int fail_at(struct ctx *c, const char *buf, size_t off,
							 const char *fmt, ...)
{
	char msg[ERROR_MESSAGE_MAX];
	size_t line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line_col(buf, off, &line, &col);
	return error_set(c->err, -EINVAL, "%s:%zu:%zu: %s", c->file, line, col, msg);
}

const char *policy_mempolicy_mode_to_string(enum policy_mempolicy_mode mode)
{
	static const char *const names[] = {
		[POLICY_MPOL_DEFAULT] = "default",
		[POLICY_MPOL_BIND] = "bind",
		[POLICY_MPOL_PREFERRED] = "preferred",
		[POLICY_MPOL_PREFERRED_MANY] = "preferred-many",
		[POLICY_MPOL_INTERLEAVE] = "interleave",
		[POLICY_MPOL_WEIGHTED_INTERLEAVE] = "weighted-interleave",
	};

	return (size_t)mode < ARRAY_SIZE(names) ? names[mode] : "?";
}

const char *policy_pod_qos_to_string(enum policy_pod_qos qos)
{
	static const char *const names[] = {
		[POLICY_POD_QOS_ANY] = "any",
		[POLICY_POD_QOS_GUARANTEED] = "guaranteed",
		[POLICY_POD_QOS_BURSTABLE] = "burstable",
		[POLICY_POD_QOS_BESTEFFORT] = "besteffort",
	};

	return (size_t)qos < ARRAY_SIZE(names) ? names[qos] : "?";
}

/* ---- syntax checks of single strings ---- */

int policy_check_name(const char *name)
{
	size_t n = strlen(name);

	if (n < 1 || n > POLICY_NAME_MAX)
		return -EINVAL;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '.' || *p == '-'))
			return -EINVAL;
	return 0;
}

int policy_check_cgroup_glob(const char *glob)
{
	const char *comp = glob;
	size_t n = strlen(glob);

	if (n < 1 || n > POLICY_GLOB_MAX || glob[0] == '/')
		return -EINVAL;
	for (;;) {
		const char *end = strchrnul(comp, '/');
		size_t len = (size_t)(end - comp);

		if (len == 0 || (len == 1 && comp[0] == '.') ||
		    (len == 2 && comp[0] == '.' && comp[1] == '.'))
			return -EINVAL;
		for (const char *p = comp; p < end; p++) {
			unsigned char ch = (unsigned char)*p;

			if (ch < 0x20 || ch == 0x7f || ch == '[' || ch == ']' || ch == '\\')
				return -EINVAL;
			/* "**" only as a whole component */
			if (ch == '*' && p + 1 < end && p[1] == '*' && len != 2)
				return -EINVAL;
		}
		if (!*end)
			return 0;
		comp = end + 1;
	}
}

int policy_check_unit_name(const char *unit)
{
	/* The unit types that own a cgroup. */
	static const char *const suffixes[] = { ".service", ".scope", ".slice",
						".socket",  ".mount", ".swap" };
	size_t n = strlen(unit), prefix = 0;
	const char *at;

	if (n > POLICY_UNIT_MAX)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t s = strlen(suffixes[i]);

		if (n > s && strcmp(unit + n - s, suffixes[i]) == 0) {
			prefix = n - s;
			break;
		}
	}
	if (prefix == 0)
		return -EINVAL;
	for (size_t i = 0; i < prefix; i++) {
		char ch = unit[i];

		if (!(isalnum((unsigned char)ch) || ch == ':' || ch == '_' || ch == '.' ||
		      ch == '\\' || ch == '@' || ch == '-'))
			return -EINVAL;
	}
	at = memchr(unit, '@', prefix);
	if (at) {
		/* "name@instance": both parts non-empty, one '@' */
		if (at == unit || (size_t)(at - unit) == prefix - 1 ||
		    memchr(at + 1, '@', prefix - (size_t)(at - unit) - 1))
			return -EINVAL;
	}
	return 0;
}

int policy_check_pod_uid(const char *uid)
{
	if (strlen(uid) != POLICY_POD_UID_LEN)
		return -EINVAL;
	for (size_t i = 0; i < POLICY_POD_UID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? uid[i] != '-' : hex_digit_value(uid[i]) < 0)
			return -EINVAL;
	}
	return 0;
}

int policy_check_container_id(const char *id)
{
	size_t n = strlen(id);

	if (n < 12 || n > 64)
		return -EINVAL;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return -EINVAL;
	return 0;
}

int policy_parse_size(const char *text, uint64_t *ret)
{
	uint64_t v = 0;
	const char *p = text;
	int shift = 0;

	if (!(*p >= '0' && *p <= '9'))
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	switch (*p) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (*p) {
		p++;
		if (*p && strcmp(p, "iB") != 0 && strcmp(p, "B") != 0)
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret = v << shift;
	return 0;
}

/* ---- duplicate keys ---- */

static int check_duplicate_keys(struct ctx *c, const char *buf, size_t len, json_object *root)
{
	size_t at = 0;
	int r = jsonstrict_check(buf, len, root, JSON_TOKENER_DEFAULT_DEPTH, &at);

	if (r == -EBADMSG)
		return fail_at(
			c, buf, at,
			"syntax error: single-quoted string (JSON strings use double quotes)");
	if (r == -ENOTUNIQ)
		return at != SIZE_MAX ? fail_at(c, buf, at,
						"this object holds the same key twice (JSON "
						"parsers differ "
						"on which one counts: give each key once)")
				      : fail_at(c, buf, 0, "an object holds the same key twice");
	if (r == -ENOMEM)
		return error_set(c->err, -ENOMEM, "%s: out of memory", c->file);
	return r;
}

/* "PATH.KEY" into @buf; a path that long (it never is) is cut. */
static void join_key(char *buf, size_t size, const char *path, const char *key)
{
	int n = snprintf(buf, size, "%s.%s", path, key);

	if (n < 0 || (size_t)n >= size)
		buf[size - 1] = '\0';
}

/* ---- typed access ---- */

static const char *json_type_label(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number with a fraction";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

/* Every key of @o is one of @allowed (NULL ended); else an error listing them. */
static int check_keys(struct ctx *c, const char *path, json_object *o, const char *const *allowed)
{
	json_object_object_foreach(o, key, val)
	{
		bool ok = false;
		char list[512] = "";
		size_t n = 0;

		(void)val;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(key, *a) == 0)
				ok = true;
		if (ok)
			continue;
		for (const char *const *a = allowed; *a; a++)
			n += (size_t)snprintf(list + n, sizeof(list) - MIN(n, sizeof(list)), "%s%s",
					      a == allowed ? "" : (a[1] ? ", " : " or "), *a);
		return fail(c, path, "unknown key \"%s\" (expected %s)", ESCAPE_TERMINAL(key),
			    list);
	}
	return 0;
}

/* A string value without NUL characters (json-c lets "\u0000" through). */
static int get_string(struct ctx *c, const char *path, json_object *o, const char *expected,
		      const char **ret)
{
	const char *s;

	if (!json_object_is_type(o, json_type_string))
		return fail(c, path, "expected %s, got %s", expected, json_type_label(o));
	s = json_object_get_string(o);
	if (strlen(s) != (size_t)json_object_get_string_len(o))
		return fail(c, path, "a NUL character (\\u0000) inside a string");
	*ret = s;
	return 0;
}

static int get_bool(struct ctx *c, const char *path, json_object *o, bool *ret)
{
	if (!json_object_is_type(o, json_type_boolean))
		return fail(c, path, "expected true or false, got %s", json_type_label(o));
	*ret = json_object_get_boolean(o);
	return 0;
}

static int get_duration(struct ctx *c, const char *path, json_object *o, uint64_t *ret)
{
	const char *s;
	int r;

	r = get_string(c, path, o, "a duration string such as \"2s\" or \"500ms\"", &s);
	if (r < 0)
		return r;
	r = duration_parse(s, ret);
	if (r == -ERANGE)
		return fail(c, path, "duration \"%s\" is too long", ESCAPE_TERMINAL(s));
	if (r < 0)
		return fail(c, path,
			    "invalid duration \"%s\" (expected a number and a unit, such as "
			    "\"500ms\", \"2s\", \"1min\" or \"1h 30min\")",
			    ESCAPE_TERMINAL(s));
	return 0;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * A string or a non-empty array of strings, each passing @check; copies into
 * *@ret (n in *@ret_n).  @what names one element for messages.
 */
static int get_string_list(struct ctx *c, const char *path, json_object *o,
			   int (*check)(const char *), const char *what, const char *expected,
			   char ***ret, size_t *ret_n)
{
	bool array = json_object_is_type(o, json_type_array);
	size_t n = array ? json_object_array_length(o) : 1;
	char **v;

	if (!array && !json_object_is_type(o, json_type_string))
		return fail(c, path, "expected %s or an array of them, got %s", what,
			    json_type_label(o));
	if (n == 0)
		return fail(c, path, "empty array (expected at least one %s)", what);
	v = calloc(n, sizeof(char *));
	if (!v)
		return error_set(c->err, -ENOMEM, "%s: out of memory", c->file);
	for (size_t i = 0; i < n; i++) {
		json_object *e = array ? json_object_array_get_idx(o, i) : o;
		char epath[256];
		const char *s;
		int r;

		if (array)
			snprintf(epath, sizeof(epath), "%s[%zu]", path, i);
		else
			snprintf(epath, sizeof(epath), "%s", path);
		r = get_string(c, epath, e, what, &s);
		if (r >= 0 && check(s) < 0)
			r = fail(c, epath, "invalid %s \"%s\" (expected %s)", what,
				 ESCAPE_TERMINAL(s), expected);
		if (r >= 0 && !(v[i] = strdup(s)))
			r = error_set(c->err, -ENOMEM, "%s: out of memory", c->file);
		if (r < 0) {
			free_strv(v, i);
			return r;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* ---- node lists ---- */

static const char *format_set(const struct idset *set, char *buf, size_t size)
{
	idset_format(set, buf, size);
	if (!buf[0])
		snprintf(buf, size, "none");
	return buf;
}

static int add_node(struct ctx *c, const char *path, int64_t id, struct idset *set)
{
	char online[256];

	if (id < 0 || id >= TOPOLOGY_MAX_NODES || !idset_has(&c->topo->online, (int)id))
		return fail(c, path, "node %lld does not exist (online nodes: %s)", (long long)id,
			    format_set(&c->topo->online, online, sizeof(online)));
	idset_add(set, (int)id);
	return 0;
}

/* One element of a node list: a class name, a list string or an id. */
static int add_nodes_element(struct ctx *c, const char *path, json_object *e, struct idset *set)
{
	const char *s;
	struct idset parsed;
	int r;

	if (json_object_is_type(e, json_type_int)) {
		int64_t id = json_object_get_int64(e);

		if (id == INT64_MAX && json_object_get_uint64(e) > (uint64_t)INT64_MAX)
			id = INT64_MAX;
		return add_node(c, path, id, set);
	}
	r = get_string(c, path, e,
		       "a node class (dram, cxl, all), a node list string such as \"0-1,4\" or "
		       "a node id",
		       &s);
	if (r < 0)
		return r;
	if (strcmp(s, "dram") == 0 || strcmp(s, "cxl") == 0 || strcmp(s, "all") == 0) {
		const struct idset *cls = s[0] == 'd'	? &c->topo->dram
					  : s[0] == 'c' ? &c->topo->cxl
							: &c->topo->online;

		IDSET_FOREACH(id, cls)
			idset_add(set, id);
		return 0;
	}
	r = idset_parse(s, &parsed);
	if (r == -ERANGE)
		return fail(c, path, "node list \"%s\" names a node id beyond %d",
			    ESCAPE_TERMINAL(s), TOPOLOGY_MAX_NODES - 1);
	if (r < 0 || idset_empty(&parsed))
		return fail(c, path,
			    "unknown node class \"%s\" (expected dram, cxl, all or a node list)",
			    ESCAPE_TERMINAL(s));
	IDSET_FOREACH(id, &parsed) {
		r = add_node(c, path, id, set);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A non-empty array of elements (or one element when @single_ok); resolves, never empty. */
static int get_nodes(struct ctx *c, const char *path, json_object *o, bool single_ok,
		     struct idset *ret)
{
	bool array = json_object_is_type(o, json_type_array);
	size_t n = array ? json_object_array_length(o) : 1;
	struct idset set;
	char dram[256], cxl[256];
	int r;

	if (!array && !single_ok)
		return fail(c, path,
			    "expected an array of node classes (dram, cxl, all) and node lists, "
			    "got %s",
			    json_type_label(o));
	if (n == 0)
		return fail(c, path, "empty array (expected at least one node class or node list)");
	idset_clear(&set);
	for (size_t i = 0; i < n; i++) {
		char epath[256];

		if (array)
			snprintf(epath, sizeof(epath), "%s[%zu]", path, i);
		else
			snprintf(epath, sizeof(epath), "%s", path);
		r = add_nodes_element(c, epath, array ? json_object_array_get_idx(o, i) : o, &set);
		if (r < 0)
			return r;
	}
	if (idset_empty(&set))
		return fail(c, path,
			    "resolves to no node on this machine (dram nodes: %s, cxl nodes: %s)",
			    format_set(&c->topo->dram, dram, sizeof(dram)),
			    format_set(&c->topo->cxl, cxl, sizeof(cxl)));
	*ret = set;
	return 0;
}

static bool idset_subset(const struct idset *a, const struct idset *b)
{
	IDSET_FOREACH(id, a)
		if (!idset_has(b, id))
			return false;
	return true;
}

/* ---- the policy's parts ---- */

static int parse_pod(struct ctx *c, const char *path, json_object *o, struct policy_match *m)
{
	static const char *const keys[] = { "qos", "uid", NULL };
	json_object *v;
	char p[256];
	const char *s;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, path, "expected an object {\"qos\": ..., \"uid\": ...}, got %s",
			    json_type_label(o));
	r = check_keys(c, path, o, keys);
	if (r < 0)
		return r;
	if (json_object_object_length(o) == 0)
		return fail(c, path, "empty object (expected \"qos\", \"uid\" or both)");
	m->has_pod = true;
	if (json_object_object_get_ex(o, "qos", &v)) {
		join_key(p, sizeof(p), path, "qos");
		r = get_string(c, p, v, "a QoS class string", &s);
		if (r < 0)
			return r;
		if (strcmp(s, "guaranteed") == 0)
			m->pod_qos = POLICY_POD_QOS_GUARANTEED;
		else if (strcmp(s, "burstable") == 0)
			m->pod_qos = POLICY_POD_QOS_BURSTABLE;
		else if (strcmp(s, "besteffort") == 0)
			m->pod_qos = POLICY_POD_QOS_BESTEFFORT;
		else
			return fail(c, p,
				    "unknown QoS class \"%s\" (expected guaranteed, burstable or "
				    "besteffort)",
				    ESCAPE_TERMINAL(s));
	}
	if (json_object_object_get_ex(o, "uid", &v)) {
		join_key(p, sizeof(p), path, "uid");
		r = get_string(c, p, v, "a pod UID string", &s);
		if (r < 0)
			return r;
		if (policy_check_pod_uid(s) < 0)
			return fail(c, p,
				    "invalid pod UID \"%s\" (expected the RFC 4122 form "
				    "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hex digits)",
				    ESCAPE_TERMINAL(s));
		for (size_t i = 0; i < POLICY_POD_UID_LEN; i++)
			m->pod_uid[i] = (char)tolower((unsigned char)s[i]);
		m->pod_uid[POLICY_POD_UID_LEN] = '\0';
	}
	return 0;
}

static int parse_match(struct ctx *c, const char *path, json_object *o, struct policy_match *m)
{
	static const char *const keys[] = { "cgroup", "unit", "pod", "container", NULL };
	json_object *v;
	char p[256];
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, path, "expected an object, got %s", json_type_label(o));
	r = check_keys(c, path, o, keys);
	if (r < 0)
		return r;
	if (json_object_object_length(o) == 0)
		return fail(c, path,
			    "empty object (expected at least one of cgroup, unit, pod, container)");
	if (json_object_object_get_ex(o, "cgroup", &v)) {
		join_key(p, sizeof(p), path, "cgroup");
		r = get_string_list(
			c, p, v, policy_check_cgroup_glob, "cgroup glob",
			"a path relative to the cgroup root such as \"batch.slice/**\": "
			"no leading '/', no empty, \".\" or \"..\" components, wildcards * "
			"? and ** (a whole component), no [ ] or \\",
			&m->cgroups, &m->n_cgroups);
		if (r < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "unit", &v)) {
		join_key(p, sizeof(p), path, "unit");
		r = get_string_list(c, p, v, policy_check_unit_name, "unit name",
				    "a systemd unit name such as \"nginx.service\" ending in "
				    ".service, .scope, .slice, .socket, .mount or .swap",
				    &m->units, &m->n_units);
		if (r < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "pod", &v)) {
		join_key(p, sizeof(p), path, "pod");
		r = parse_pod(c, p, v, m);
		if (r < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "container", &v)) {
		join_key(p, sizeof(p), path, "container");
		r = get_string_list(c, p, v, policy_check_container_id, "container id",
				    "12 to 64 lower-case hex digits", &m->containers,
				    &m->n_containers);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_mempolicy(struct ctx *c, const char *path, json_object *o, struct policy *pol)
{
	static const char *const keys[] = { "mode", "nodes", NULL };
	json_object *mode, *nodes;
	char p[256], list[256];
	const char *s;
	size_t i;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, path, "expected an object {\"mode\": ..., \"nodes\": [...]}, got %s",
			    json_type_label(o));
	r = check_keys(c, path, o, keys);
	if (r < 0)
		return r;
	if (!json_object_object_get_ex(o, "mode", &mode))
		return fail(c, path, "missing key \"mode\"");
	join_key(p, sizeof(p), path, "mode");
	r = get_string(c, p, mode, "a mempolicy mode string", &s);
	if (r < 0)
		return r;
	for (i = POLICY_MPOL_DEFAULT; i <= POLICY_MPOL_WEIGHTED_INTERLEAVE; i++)
		if (strcmp(s, policy_mempolicy_mode_to_string(i)) == 0)
			break;
	if (i > POLICY_MPOL_WEIGHTED_INTERLEAVE)
		return fail(c, p,
			    "unknown mode \"%s\" (expected default, bind, preferred, "
			    "preferred-many, interleave or weighted-interleave)",
			    ESCAPE_TERMINAL(s));
	pol->has_mempolicy = true;
	pol->mempolicy_mode = i;
	idset_clear(&pol->mempolicy_nodes);
	if (!json_object_object_get_ex(o, "nodes", &nodes)) {
		if (i != POLICY_MPOL_DEFAULT)
			return fail(c, path, "mode \"%s\" needs \"nodes\"", s);
		return 0;
	}
	join_key(p, sizeof(p), path, "nodes");
	if (i == POLICY_MPOL_DEFAULT)
		return fail(c, p, "mode \"default\" takes no nodes");
	r = get_nodes(c, p, nodes, false, &pol->mempolicy_nodes);
	if (r < 0)
		return r;
	if (i == POLICY_MPOL_PREFERRED && idset_count(&pol->mempolicy_nodes) != 1)
		return fail(c, p,
			    "mode \"preferred\" takes exactly one node, got %s (use "
			    "\"preferred-many\" for several)",
			    format_set(&pol->mempolicy_nodes, list, sizeof(list)));
	if (!idset_subset(&pol->mempolicy_nodes, &pol->mems))
		return fail(c, p,
			    "nodes %s are not all in the policy's mems %s (the kernel "
			    "refuses a mempolicy outside cpuset.mems)",
			    format_set(&pol->mempolicy_nodes, list, sizeof(list)),
			    format_set(&pol->mems, (char[256]){ 0 }, 256));
	return 0;
}

static int parse_exec(struct ctx *c, const char *path, json_object *o, struct policy *pol)
{
	static const char *const keys[] = { "migrate",	 "interval", "bytes_per_sweep",
					    "call_time", "target",   "report_only",
					    NULL };
	struct policy_exec *x = &pol->exec;
	json_object *v;
	char p[256], list[256];
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, path, "expected an object, got %s", json_type_label(o));
	r = check_keys(c, path, o, keys);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(o, "migrate", &v)) {
		join_key(p, sizeof(p), path, "migrate");
		r = get_bool(c, p, v, &x->migrate);
		if (r < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "report_only", &v)) {
		join_key(p, sizeof(p), path, "report_only");
		r = get_bool(c, p, v, &x->report_only);
		if (r < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "interval", &v)) {
		join_key(p, sizeof(p), path, "interval");
		r = get_duration(c, p, v, &x->interval_ns);
		if (r < 0)
			return r;
		if (x->interval_ns < POLICY_INTERVAL_MIN_NS)
			return fail(c, p, "interval %s is below the minimum of 100ms",
				    duration_format(x->interval_ns, list, sizeof(list)));
	}
	if (json_object_object_get_ex(o, "call_time", &v)) {
		join_key(p, sizeof(p), path, "call_time");
		r = get_duration(c, p, v, &x->call_time_ns);
		if (r < 0)
			return r;
		if (x->call_time_ns < POLICY_CALL_TIME_MIN_NS ||
		    x->call_time_ns > POLICY_CALL_TIME_MAX_NS)
			return fail(c, p, "call_time %s is outside 1ms .. 10s",
				    duration_format(x->call_time_ns, list, sizeof(list)));
	}
	if (json_object_object_get_ex(o, "bytes_per_sweep", &v)) {
		join_key(p, sizeof(p), path, "bytes_per_sweep");
		if (json_object_is_type(v, json_type_int)) {
			int64_t n = json_object_get_int64(v);

			if (n < 0)
				return fail(c, p, "negative size %lld", (long long)n);
			x->bytes_per_sweep =
				n == INT64_MAX ? json_object_get_uint64(v) : (uint64_t)n;
		} else {
			const char *s;

			r = get_string(c, p, v, "a size such as \"64M\" or a number of bytes", &s);
			if (r < 0)
				return r;
			r = policy_parse_size(s, &x->bytes_per_sweep);
			if (r < 0)
				return fail(c, p,
					    "invalid size \"%s\" (expected bytes with an optional "
					    "K, M, G or T suffix, powers of 1024, such as \"64M\")",
					    ESCAPE_TERMINAL(s));
		}
		if (x->bytes_per_sweep < POLICY_BYTES_PER_SWEEP_MIN)
			return fail(c, p, "%llu bytes is below one page (at least %d)",
				    (unsigned long long)x->bytes_per_sweep,
				    POLICY_BYTES_PER_SWEEP_MIN);
	}
	if (json_object_object_get_ex(o, "target", &v)) {
		join_key(p, sizeof(p), path, "target");
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), "nearest-dram") == 0)
			return 0;
		x->target_nearest_dram = false;
		r = get_nodes(c, p, v, true, &x->target);
		if (r < 0)
			return r;
		IDSET_FOREACH(id, &x->target)
			if (!idset_has(&c->topo->dram, id))
				return fail(c, p,
					    "node %d is cxl, not dram (expected \"nearest-dram\" "
					    "or DRAM nodes)",
					    id);
		if (!idset_subset(&x->target, &pol->mems))
			return fail(c, p,
				    "nodes %s are not all in the policy's mems %s (pages cannot "
				    "move outside cpuset.mems)",
				    format_set(&x->target, list, sizeof(list)),
				    format_set(&pol->mems, (char[256]){ 0 }, 256));
	}
	return 0;
}

static int parse_policy(struct ctx *c, const char *path, json_object *o, struct policy *pol)
{
	static const char *const keys[] = { "name", "match", "mems", "mempolicy", "exec", NULL };
	json_object *v;
	char p[256], list[256];
	const char *name;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(c, path, "expected a policy object, got %s", json_type_label(o));
	r = check_keys(c, path, o, keys);
	if (r < 0)
		return r;
	if (!json_object_object_get_ex(o, "name", &v))
		return fail(c, path, "missing key \"name\"");
	join_key(p, sizeof(p), path, "name");
	r = get_string(c, p, v, "a name string", &name);
	if (r < 0)
		return r;
	if (policy_check_name(name) < 0)
		return fail(c, p,
			    "invalid name \"%s\" (expected 1 to %d characters of a-z 0-9 _ . -)",
			    ESCAPE_TERMINAL(name), POLICY_NAME_MAX);
	snprintf(pol->name, sizeof(pol->name), "%s", name);

	if (!json_object_object_get_ex(o, "match", &v))
		return fail(c, path, "missing key \"match\"");
	join_key(p, sizeof(p), path, "match");
	r = parse_match(c, p, v, &pol->match);
	if (r < 0)
		return r;

	if (!json_object_object_get_ex(o, "mems", &v))
		return fail(c, path, "missing key \"mems\"");
	join_key(p, sizeof(p), path, "mems");
	r = get_nodes(c, p, v, false, &pol->mems);
	if (r < 0)
		return r;

	if (json_object_object_get_ex(o, "mempolicy", &v)) {
		join_key(p, sizeof(p), path, "mempolicy");
		r = parse_mempolicy(c, p, v, pol);
		if (r < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "exec", &v)) {
		join_key(p, sizeof(p), path, "exec");
		r = parse_exec(c, p, v, pol);
		if (r < 0)
			return r;
	}
	if (pol->exec.migrate) {
		bool dram = false;

		IDSET_FOREACH(id, &pol->mems)
			if (idset_has(&c->topo->dram, id))
				dram = true;
		if (!dram) {
			join_key(p, sizeof(p), path, "mems");
			return fail(c, p,
				    "resolves to nodes %s with no DRAM node while exec.migrate is "
				    "on: on cgroup v2 writing cpuset.mems migrates the members' "
				    "memory, shared library text included, and their code could "
				    "never be moved back to DRAM (add a DRAM node, or set "
				    "\"exec\": {\"migrate\": false})",
				    format_set(&pol->mems, list, sizeof(list)));
		}
	}
	return 0;
}

static void policy_clear(struct policy *pol)
{
	free_strv(pol->match.cgroups, pol->match.n_cgroups);
	free_strv(pol->match.units, pol->match.n_units);
	free_strv(pol->match.containers, pol->match.n_containers);
}

void policy_set_free(struct policy_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n_policies; i++)
		policy_clear(&set->policies[i]);
	free(set->policies);
	free(set);
}

static int parse_top(struct ctx *c, json_object *root, struct policy_set *set)
{
	static const char *const keys[] = { "version", "policies", NULL };
	json_object *v, *list;
	size_t n;
	int r;

	if (!json_object_is_type(root, json_type_object))
		return fail(c, "(top level)",
			    "expected an object {\"version\": 1, \"policies\": [...]}, got %s",
			    json_type_label(root));
	r = check_keys(c, "(top level)", root, keys);
	if (r < 0)
		return r;
	if (!json_object_object_get_ex(root, "version", &v))
		return fail(c, "(top level)", "missing key \"version\" (expected \"version\": 1)");
	if (!json_object_is_type(v, json_type_int))
		return fail(c, "version", "expected the integer 1, got %s", json_type_label(v));
	if (json_object_get_int64(v) != POLICY_VERSION)
		return fail(c, "version", "unsupported version %s (this build reads version 1)",
			    json_object_to_json_string(v));
	if (!json_object_object_get_ex(root, "policies", &list))
		return fail(c, "(top level)", "missing key \"policies\"");
	if (!json_object_is_type(list, json_type_array))
		return fail(c, "policies", "expected an array of policies, got %s",
			    json_type_label(list));
	n = json_object_array_length(list);
	set->policies = calloc(n ? n : 1, sizeof(struct policy));
	if (!set->policies)
		return error_set(c->err, -ENOMEM, "%s: out of memory", c->file);
	for (size_t i = 0; i < n; i++) {
		struct policy *pol = &set->policies[i];
		char path[64];

		snprintf(path, sizeof(path), "policies[%zu]", i);
		pol->exec = (struct policy_exec){
			.migrate = true,
			.interval_ns = POLICY_INTERVAL_DEFAULT_NS,
			.call_time_ns = POLICY_CALL_TIME_DEFAULT_NS,
			.target_nearest_dram = true,
		};
		set->n_policies = i + 1;
		r = parse_policy(c, path, json_object_array_get_idx(list, i), pol);
		if (r < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (strcmp(set->policies[j].name, pol->name) == 0) {
				snprintf(path, sizeof(path), "policies[%zu].name", i);
				return fail(c, path,
					    "duplicate policy name \"%s\" (also policies[%zu])",
					    pol->name, j);
			}
	}
	return 0;
}

static void json_object_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

int policy_set_parse(const char *buf, size_t len, const char *display_name,
		     const struct topology *topo, struct policy_set **ret, struct error *err)
{
	_cleanup_(json_object_putp) json_object *root = NULL;
	_cleanup_(policy_set_freep) struct policy_set *set = NULL;
	_cleanup_free_ char *file = escape_bytes_dup(display_name ? display_name : "(policy)", 0);
	struct ctx c = { .file = file, .topo = topo, .err = err };
	struct jsonstrict_failure f;
	int r;

	if (!file)
		return error_set(err, -ENOMEM, "out of memory");
	if (len > POLICY_FILE_MAX)
		return error_set(err, -EFBIG, "%s: %zu bytes, over the limit of %zu (1 MiB)", file,
				 len, POLICY_FILE_MAX);
	r = jsonstrict_parse(buf, len, JSON_TOKENER_DEFAULT_DEPTH, &root, &f);
	if (r == -ENOMEM)
		return error_set(err, -ENOMEM, "%s: out of memory", file);
	if (r < 0) {
		size_t at = f.offset;

		switch (f.kind) {
		case JSONSTRICT_NUL:
			return fail_at(&c, buf, at, "a NUL byte (not a text file)");
		case JSONSTRICT_NOT_UTF8:
			return fail_at(&c, buf, at, "not UTF-8 text (byte 0x%02x)", f.byte);
		case JSONSTRICT_EOF:
			return fail_at(&c, buf, len, "syntax error: unexpected end of file");
		case JSONSTRICT_SYNTAX:
			/* point past white space at what json-c choked on */
			while (at < len && (buf[at] == ' ' || buf[at] == '\t' || buf[at] == '\n' ||
					    buf[at] == '\r'))
				at++;
			return fail_at(&c, buf, MIN(at, len), "syntax error: %s", f.desc);
		case JSONSTRICT_TRAILING:
		default:
			return fail_at(&c, buf, at,
				       "syntax error: trailing characters after the JSON value");
		}
	}
	if (!root)
		return fail_at(&c, buf, 0, "syntax error: null instead of an object");
	r = check_duplicate_keys(&c, buf, len, root);
	if (r < 0)
		return r;

	set = calloc(1, sizeof(*set));
	if (!set)
		return error_set(err, -ENOMEM, "%s: out of memory", file);
	r = parse_top(&c, root, set);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(set);
	return 0;
}
