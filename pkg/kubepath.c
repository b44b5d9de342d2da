/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "kubepath.h"

/* One path component: @n bytes at @s. */
struct span {
	const char *s;
	size_t n;
};

/* The component at *@p into @ret and *@p past it; false at the end of the path. */
static bool next_comp(const char **p, struct span *ret)
{
	const char *start = *p, *end;

	if (!start || !*start)
		return false;
	end = strchrnul(start, '/');
	*ret = (struct span){ start, (size_t)(end - start) };
	*p = *end ? end + 1 : end;
	return true;
}

/* When @c starts with @lit, drop it from @c and return true. */
static bool eat(struct span *c, const char *lit)
{
	size_t n = strlen(lit);

	if (c->n < n || memcmp(c->s, lit, n) != 0)
		return false;
	c->s += n;
	c->n -= n;
	return true;
}

static bool eat_span(struct span *c, struct span lit)
{
	if (c->n < lit.n || memcmp(c->s, lit.s, lit.n) != 0)
		return false;
	c->s += lit.n;
	c->n -= lit.n;
	return true;
}

static bool is_lower_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

/*
 * A pod UID at the start of @c with @sep between its groups, copied with '-'
 * into @uid; drops it from @c.
 */
static bool eat_uid(struct span *c, char sep, char uid[POLICY_POD_UID_LEN + 1])
{
	if (c->n < POLICY_POD_UID_LEN)
		return false;
	for (size_t i = 0; i < POLICY_POD_UID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? c->s[i] != sep : !is_lower_hex(c->s[i]))
			return false;
		uid[i] = dash ? '-' : c->s[i];
	}
	uid[POLICY_POD_UID_LEN] = '\0';
	c->s += POLICY_POD_UID_LEN;
	c->n -= POLICY_POD_UID_LEN;
	return true;
}

static const struct {
	const char *name;
	enum policy_pod_qos qos;
} qos_dirs[] = {
	{ "burstable", POLICY_POD_QOS_BURSTABLE },
	{ "besteffort", POLICY_POD_QOS_BESTEFFORT },
};

/* "pod<uid><suffix>" exactly: the rest of @c, the UID's groups separated by @sep. */
static bool pod_name(struct span c, const char *suffix, char sep, char uid[POLICY_POD_UID_LEN + 1])
{
	return eat(&c, "pod") && eat_uid(&c, sep, uid) && eat(&c, suffix) && c.n == 0;
}

/* The quality of service class named by all of @c ("burstable", "besteffort"), or -1. */
static int qos_name(struct span c)
{
	for (size_t i = 0; i < sizeof(qos_dirs) / sizeof(qos_dirs[0]); i++)
		if (c.n == strlen(qos_dirs[i].name) && memcmp(c.s, qos_dirs[i].name, c.n) == 0)
			return (int)i;
	return -1;
}

/*
 * The systemd driver below the slice of stem @stem ("kubepods",
 * "kubelet-kubepods"), whose component is number @depth; @p: the rest.
 */
static bool systemd_pod(struct span stem, const char *p, size_t depth, struct kube_pod *pod)
{
	struct span c, q;
	int i;

	/* "<stem>-pod<uid>.slice": guaranteed */
	if (!next_comp(&p, &c) || !eat_span(&c, stem) || !eat(&c, "-"))
		return false;
	if (pod_name(c, ".slice", '_', pod->uid)) {
		pod->qos = POLICY_POD_QOS_GUARANTEED;
		pod->depth = depth + 1;
		return true;
	}
	/* "<stem>-<qos>.slice/<stem>-<qos>-pod<uid>.slice" */
	if (c.n <= strlen(".slice") || memcmp(c.s + c.n - 6, ".slice", 6) != 0)
		return false;
	q = (struct span){ c.s, c.n - 6 };
	i = qos_name(q);
	if (i < 0 || !next_comp(&p, &c) || !eat_span(&c, stem) || !eat(&c, "-") ||
	    !eat_span(&c, q) || !eat(&c, "-") || !pod_name(c, ".slice", '_', pod->uid))
		return false;
	pod->qos = qos_dirs[i].qos;
	pod->depth = depth + 2;
	return true;
}

/* The cgroupfs driver below a "kubepods" component, number @depth. */
static bool cgroupfs_pod(const char *p, size_t depth, struct kube_pod *pod)
{
	struct span c;
	int i;

	if (!next_comp(&p, &c))
		return false;
	if (pod_name(c, "", '-', pod->uid)) {
		pod->qos = POLICY_POD_QOS_GUARANTEED;
		pod->depth = depth + 1;
		return true;
	}
	i = qos_name(c);
	if (i < 0 || !next_comp(&p, &c) || !pod_name(c, "", '-', pod->uid))
		return false;
	pod->qos = qos_dirs[i].qos;
	pod->depth = depth + 2;
	return true;
}

/*
 * Is @c the slice of the kubelet's pods, given its parent component @parent
 * (n == 0 at the root)?  Its stem (the name without ".slice") in @ret_stem.
 */
static bool kubepods_slice(struct span c, struct span parent, struct span *ret_stem)
{
	static const char suffix[] = "kubepods.slice";
	size_t sn = sizeof(suffix) - 1, pn;

	if (c.n < sn || memcmp(c.s + c.n - sn, suffix, sn) != 0)
		return false;
	*ret_stem = (struct span){ c.s, c.n - strlen(".slice") };
	if (c.n == sn)
		return true;
	/* "X-kubepods.slice" must sit in "X.slice", as systemd names nested slices. */
	pn = c.n - sn; /* "X-" */
	return pn >= 2 && c.s[pn - 1] == '-' && parent.n == pn - 1 + strlen(".slice") &&
	       memcmp(parent.s, c.s, pn - 1) == 0 && memcmp(parent.s + pn - 1, ".slice", 6) == 0;
}

int kubepath_pod(const char *cgroup, struct kube_pod *ret)
{
	struct span c, parent = { "", 0 }, stem;
	const char *p = cgroup;
	struct kube_pod pod;

	for (size_t depth = 1; next_comp(&p, &c); depth++) {
		if ((kubepods_slice(c, parent, &stem) && systemd_pod(stem, p, depth, &pod)) ||
		    (c.n == 8 && memcmp(c.s, "kubepods", 8) == 0 && cgroupfs_pod(p, depth, &pod))) {
			*ret = pod;
			return 0;
		}
		parent = c;
	}
	return -ENOENT;
}

/* 64 lower-case hex digits at the start of @c, copied to @id; dropped from @c. */
static bool eat_id(struct span *c, char id[KUBE_CONTAINER_ID_LEN + 1])
{
	if (c->n < KUBE_CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < KUBE_CONTAINER_ID_LEN; i++)
		if (!is_lower_hex(c->s[i]))
			return false;
	memcpy(id, c->s, KUBE_CONTAINER_ID_LEN);
	id[KUBE_CONTAINER_ID_LEN] = '\0';
	c->s += KUBE_CONTAINER_ID_LEN;
	c->n -= KUBE_CONTAINER_ID_LEN;
	return true;
}

/* "<runtime>-<id>.scope" */
static bool scope_container(struct span c, char id[KUBE_CONTAINER_ID_LEN + 1])
{
	static const char *const prefixes[] = { "cri-containerd-", "crio-", "docker-" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		struct span t = c;

		if (eat(&t, prefixes[i]) && eat_id(&t, id) && eat(&t, ".scope") && t.n == 0)
			return true;
	}
	return false;
}

/* "<id>" or "crio-<id>", as the cgroupfs driver names a container below its pod. */
static bool bare_container(struct span c, char id[KUBE_CONTAINER_ID_LEN + 1])
{
	struct span t = c;

	if (eat_id(&t, id) && t.n == 0)
		return true;
	t = c;
	return eat(&t, "crio-") && eat_id(&t, id) && t.n == 0;
}

int kubepath_container(const char *cgroup, size_t after_depth, struct kube_container *ret)
{
	struct kube_container ctr;
	struct kube_pod pod;
	const char *p = cgroup;
	size_t pod_depth = 0;
	struct span c;

	if (kubepath_pod(cgroup, &pod) == 0)
		pod_depth = pod.depth;
	for (size_t depth = 1; next_comp(&p, &c); depth++) {
		if (depth <= after_depth)
			continue;
		if (scope_container(c, ctr.id) ||
		    (pod_depth > 0 && depth == pod_depth + 1 && bare_container(c, ctr.id))) {
			ctr.depth = depth;
			*ret = ctr;
			return 0;
		}
	}
	return -ENOENT;
}
