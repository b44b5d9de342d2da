/* SPDX-License-Identifier: MIT */
/*
 * The matcher: globs (edge cases and a bound on the work for hostile ones),
 * unit, pod and container keys, and the specificity order with each of its
 * tie-break levels, the "why" text and determinism.  Policy sets are parsed
 * from JSON with the real validator on the dax-region fixture topology.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "match.h"
#include "policy.h"
#include "testlib.h"
#include "topology.h"

#define UID "6f9c2a1e-3b4d-4c5e-8f7a-9b0c1d2e3f40"
#define UID_ "6f9c2a1e_3b4d_4c5e_8f7a_9b0c1d2e3f40"
#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD_SD "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice"
#define CTR_SD POD_SD "/cri-containerd-" ID ".scope"

/* ---- helpers ---- */

/*
 * A set of @n policies named @names[i] with `"match": {@matches[i]}`, parsed
 * by the validator (so every set here is one a file can hold).
 */
static struct policy_set *make_set(size_t n, const char *const *names, const char *const *matches)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture("dax-region");
	_cleanup_(topology_freep) struct topology *topo = NULL;
	struct policy_set *set = NULL;
	struct error err = { 0 };
	char text[16384];
	size_t len;
	int r;

	ck_assert_int_eq(topology_read(root, NULL, &topo, &err), 0);
	len = (size_t)snprintf(text, sizeof(text), "{\"version\": 1, \"policies\": [");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(
			text + len, sizeof(text) - len,
			"%s{\"name\": \"%s\", \"match\": {%s}, \"mems\": [\"dram\"]}",
			i ? ", " : "", names[i], matches[i]);
	len += (size_t)snprintf(text + len, sizeof(text) - len, "]}");
	ck_assert_uint_lt(len, sizeof(text));
	r = policy_set_parse(text, len, "t.json", topo, &set, &err);
	ck_assert_msg(r == 0, "%s\n%s", err.message, text);
	return set;
}

#define MAKE_SET(names, matches)                                                   \
	({                                                                         \
		_Static_assert(ARRAY_SIZE(names) == ARRAY_SIZE(matches), "sizes"); \
		make_set(ARRAY_SIZE(names), (names), (matches));                   \
	})

static const char *winner_name(const struct policy_set *set, const struct match_result *r)
{
	ck_assert_msg(r->matched, "no match: %s", r->why);
	return set->policies[r->winner.policy].name;
}

static const char *loser_name(const struct policy_set *set, const struct match_result *r, size_t i)
{
	ck_assert_uint_lt(i, r->n_losers);
	return set->policies[r->losers[i].policy].name;
}

static void match_ok(const struct policy_set *set, const struct match_unit_cgroup *units,
		     size_t n_units, const char *cgroup, struct match_result *r)
{
	int rc = match_cgroup(set, units, n_units, cgroup, r);

	ck_assert_msg(rc == 0, "match_cgroup(%s): %d", cgroup, rc);
}

/* ---- globs ---- */

static const struct {
	const char *glob, *path;
	int want;
} globs[] = {
	/* "**" at the end: the directory itself and everything below */
	{ "web.slice/**", "web.slice", 1 },
	{ "web.slice/**", "web.slice/a", 1 },
	{ "web.slice/**", "web.slice/a/b", 1 },
	{ "web.slice/**", "web.slicex", 0 },
	{ "web.slice/**", "", 0 },
	{ "web.slice/**", "other.slice/web.slice", 0 },
	/* in the middle */
	{ "a/**/c", "a/c", 1 },
	{ "a/**/c", "a/x/c", 1 },
	{ "a/**/c", "a/x/y/c", 1 },
	{ "a/**/c", "a/c/d", 0 },
	{ "a/**/c", "a", 0 },
	{ "a/**/c", "a/x/y", 0 },
	{ "a/**/**/b", "a/b", 1 },
	{ "a/**/**/b", "a/x/y/z/b", 1 },
	/* at the start */
	{ "**/c", "c", 1 },
	{ "**/c", "a/b/c", 1 },
	{ "**/c", "a/b/cd", 0 },
	{ "**", "", 1 },
	{ "**", "a/b", 1 },
	{ "**/**", "", 1 },
	/* "*" stays in one component, "**" spans them */
	{ "*", "", 0 },
	{ "*", "a", 1 },
	{ "*", "a/b", 0 },
	{ "*/b", "a/b", 1 },
	{ "web.slice/*", "web.slice", 0 },
	{ "web.slice/*", "web.slice/a", 1 },
	{ "web.slice/*", "web.slice/a/b", 0 },
	{ "web.slice/*/**", "web.slice", 0 },
	{ "web.slice/*/**", "web.slice/a/b", 1 },
	{ "*.slice", "web.slice", 1 },
	{ "*.slice", ".slice", 1 },
	{ "*.slice", "a/b.slice", 0 },
	{ "*a*b", "xaxb", 1 },
	{ "*a*b", "xab", 1 },
	{ "*a*b", "ba", 0 },
	{ "*a*b", "abab", 1 },
	{ "a*", "a", 1 },
	{ "a***", "abc", 0 }, /* invalid: "**" not alone */
	/* "?": one character, never '/' */
	{ "?", "a", 1 },
	{ "?", "ab", 0 },
	{ "?", "", 0 },
	{ "a?c", "abc", 1 },
	{ "a?c", "a/c", 0 },
	{ "?", "\xc3\xa9", 1 }, /* é: one character, two bytes */
	{ "??", "\xc3\xa9", 0 },
	{ "*??", "\xe2\x82\xac", 0 }, /* €: '*' does not stop inside a character */
	{ "*??", "a\xe2\x82\xac", 1 },
	{ "*?", "\xe2\x82\xac", 1 },
	/* no escapes: a '*' in a cgroup name is matched by any glob character */
	{ "*", "*", 1 },
	{ "a", "*", 0 },
	/* literal */
	{ "system.slice/foo.service", "system.slice/foo.service", 1 },
	{ "system.slice/foo.service", "system.slice/foo.service/x", 0 },
	{ "system.slice/foo.service", "system.slice", 0 },
	/* invalid globs and paths */
	{ "/a", "a", -EINVAL },
	{ "a/", "a", -EINVAL },
	{ "a//b", "a/b", -EINVAL },
	{ "a/../b", "b", -EINVAL },
	{ "[ab]", "a", -EINVAL },
	{ "", "", -EINVAL },
	{ "*", "/a", -EINVAL },
	{ "**", "a/", -EINVAL },
	{ "**", "a//b", -EINVAL },
	{ "**", "a/./b", -EINVAL },
	{ "**", "..", -EINVAL },
};

START_TEST(test_glob)
{
	int want = globs[_i].want, r = match_glob(globs[_i].glob, globs[_i].path);

	if (strcmp(globs[_i].glob, "a***") == 0)
		want = -EINVAL;
	ck_assert_msg(r == want, "glob \"%s\" path \"%s\": %d, expected %d", globs[_i].glob,
		      globs[_i].path, r, want);
}
END_TEST

/* A generous O(strlen(glob) * strlen(path)) bound on the steps. */
static uint64_t work_bound(const char *glob, const char *path)
{
	return 2 * (uint64_t)(strlen(glob) + 2) * (strlen(path) + 2);
}

static void check_bounded(const char *glob, const char *path, int want)
{
	uint64_t steps = 0;
	int r = match_glob_counted(glob, path, &steps);

	ck_assert_int_eq(r, want);
	ck_assert_uint_gt(steps, 0);
	ck_assert_msg(steps <= work_bound(glob, path), "%" PRIu64 " steps > bound %" PRIu64, steps,
		      work_bound(glob, path));
}

/*
 * Globs that make a backtracking matcher exponential: "*a*a*a...*b" against
 * a long run of 'a' (C(n, k) ways to place the stars), and many "**" against
 * a deep path.  The work must stay within the bound.
 */
START_TEST(test_glob_hostile_bounded)
{
	_cleanup_free_ char *glob = malloc(4096), *path = malloc(8192);
	size_t n = 0;

	ck_assert_ptr_nonnull(glob);
	ck_assert_ptr_nonnull(path);
	/* "*a" x 20 then "*b", against 4000 'a' (no match) and with a final 'b' (match) */
	for (int i = 0; i < 20; i++)
		n += (size_t)sprintf(glob + n, "*a");
	strcpy(glob + n, "*b");
	memset(path, 'a', 4000);
	path[4000] = '\0';
	check_bounded(glob, path, 0);
	strcpy(path + 3999, "b");
	check_bounded(glob, path, 1);

	/* the greedy matcher's own worst case: "*" then 30 'a' then 'b' retries every start */
	memset(glob + 1, 'a', 30);
	glob[0] = '*';
	strcpy(glob + 31, "b");
	path[3999] = 'a';
	check_bounded(glob, path, 0);

	/* "**" x 600 then "x", against 1000 components "a" (no match) and ending in "x" */
	n = 0;
	for (int i = 0; i < 600; i++)
		n += (size_t)sprintf(glob + n, "**/");
	strcpy(glob + n, "x");
	n = 0;
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(path + n, "%sa", i ? "/" : "");
	check_bounded(glob, path, 0);
	path[n - 1] = 'x';
	check_bounded(glob, path, 1);

	/* "**" and "*a*a*b" alternating, against deep "aaaa" components */
	n = 0;
	for (int i = 0; i < 200; i++)
		n += (size_t)sprintf(glob + n, "**/*a*a*b/");
	strcpy(glob + n, "**");
	n = 0;
	for (int i = 0; i < 800; i++)
		n += (size_t)sprintf(path + n, "%saaaaaaa", i ? "/" : "");
	check_bounded(glob, path, 0);
}
END_TEST

/* ---- keys ---- */

START_TEST(test_unit)
{
	static const char *const names[] = { "svc", "off", "root" };
	static const char *const matches[] = { "\"unit\": \"foo.service\"",
					       "\"unit\": [\"gone.service\", \"absent.service\"]",
					       "\"unit\": \"-.slice\"" };
	_cleanup_(policy_set_freep) struct policy_set *set = MAKE_SET(names, matches);
	const struct match_unit_cgroup units[] = {
		{ "foo.service", "/system.slice/foo.service" }, /* systemd's leading '/' */
		{ "gone.service", NULL },
	};
	_cleanup_free_ struct match_candidate *unresolved = NULL;
	struct match_result r;
	size_t n = 99;

	/* the unit's cgroup and its descendants */
	match_ok(set, units, ARRAY_SIZE(units), "system.slice/foo.service", &r);
	ck_assert_str_eq(winner_name(set, &r), "svc");
	ck_assert_int_eq(r.winner.kind, MATCH_UNIT);
	ck_assert_uint_eq(r.winner.anchor_depth, 2);
	ck_assert_str_eq(r.winner.pattern, "foo.service");
	match_result_clear(&r);
	match_ok(set, units, ARRAY_SIZE(units), "system.slice/foo.service/worker/x", &r);
	ck_assert_str_eq(winner_name(set, &r), "svc");
	match_result_clear(&r);
	/* not its parent nor a sibling sharing the prefix */
	match_ok(set, units, ARRAY_SIZE(units), "system.slice/foo.service2", &r);
	ck_assert(!r.matched);
	ck_assert_str_eq(r.why, "no policy matches");
	match_result_clear(&r);
	match_ok(set, units, ARRAY_SIZE(units), "system.slice", &r);
	ck_assert(!r.matched);
	match_result_clear(&r);

	/* "-.slice" not in the table: unresolved; with "/" it is the root, depth 0 */
	ck_assert_int_eq(match_unresolved_units(set, units, ARRAY_SIZE(units), &unresolved, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(unresolved[0].pattern, "gone.service");
	ck_assert_uint_eq(unresolved[0].policy, 1);
	ck_assert_str_eq(unresolved[1].pattern, "absent.service");
	ck_assert_str_eq(unresolved[2].pattern, "-.slice");
	ck_assert_int_eq(unresolved[2].kind, MATCH_UNIT);
	{
		const struct match_unit_cgroup with_root[] = {
			{ "foo.service", "system.slice/foo.service" }, { "-.slice", "/" }
		};

		match_ok(set, with_root, ARRAY_SIZE(with_root), "", &r);
		ck_assert_str_eq(winner_name(set, &r), "root");
		ck_assert_uint_eq(r.winner.anchor_depth, 0);
		match_result_clear(&r);
		match_ok(set, with_root, ARRAY_SIZE(with_root), "system.slice/foo.service", &r);
		ck_assert_str_eq(winner_name(set, &r), "svc");
		ck_assert_uint_eq(r.n_losers, 1);
		ck_assert_str_eq(loser_name(set, &r, 0), "root");
		match_result_clear(&r);
	}
}
END_TEST

START_TEST(test_pod_and_container)
{
	static const char *const names[] = { "be", "bu-uid", "be-uid", "uid", "ctr", "ctr-other" };
	static const char *const matches[] = {
		"\"pod\": {\"qos\": \"besteffort\"}",
		"\"pod\": {\"qos\": \"burstable\", \"uid\": \"" UID "\"}",
		/* both keys must match: the uid is right, the class is not */
		"\"pod\": {\"qos\": \"besteffort\", \"uid\": \"" UID "\"}",
		"\"pod\": {\"uid\": \"6F9C2A1E-3B4D-4C5E-8F7A-9B0C1D2E3F40\"}",
		"\"container\": \"0123456789ab\"",
		"\"container\": \"0123456789ac\"",
	};
	_cleanup_(policy_set_freep) struct policy_set *set = MAKE_SET(names, matches);
	struct match_result r;

	/* the pod cgroup: uid beats... both uid keys at depth 3; "bu-uid" is earlier */
	match_ok(set, NULL, 0, POD_SD, &r);
	ck_assert_str_eq(winner_name(set, &r), "bu-uid");
	ck_assert_int_eq(r.winner.kind, MATCH_POD_UID);
	ck_assert_uint_eq(r.winner.anchor_depth, 3);
	ck_assert_uint_eq(r.n_losers, 1);
	ck_assert_str_eq(loser_name(set, &r, 0), "uid");
	match_result_clear(&r);

	/* the container below it: the container key, by its 12-digit prefix */
	match_ok(set, NULL, 0, CTR_SD "/sub", &r);
	ck_assert_str_eq(winner_name(set, &r), "ctr");
	ck_assert_int_eq(r.winner.kind, MATCH_CONTAINER);
	ck_assert_uint_eq(r.winner.anchor_depth, 4);
	ck_assert_uint_eq(r.n_losers, 2);
	match_result_clear(&r);

	/* cgroupfs driver, best effort: the qos-only key */
	match_ok(set, NULL, 0, "kubepods/besteffort/pod" UID "/" ID, &r);
	ck_assert_str_eq(winner_name(set, &r), "ctr");
	ck_assert_str_eq(loser_name(set, &r, 0), "be-uid");
	ck_assert_str_eq(loser_name(set, &r, 1), "uid");
	ck_assert_str_eq(loser_name(set, &r, 2), "be");
	ck_assert_int_eq(r.losers[2].kind, MATCH_POD_QOS);
	ck_assert_str_eq(r.losers[2].pattern, "besteffort");
	match_result_clear(&r);

	/* the QoS parent is no pod; a fake pod slice governs nothing */
	match_ok(set, NULL, 0, "kubepods.slice/kubepods-besteffort.slice", &r);
	ck_assert(!r.matched);
	match_result_clear(&r);
	match_ok(set, NULL, 0,
		 "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podNOTAUID.slice",
		 &r);
	ck_assert(!r.matched);
	match_result_clear(&r);
	/* the CRI-O monitor is not the container */
	match_ok(set, NULL, 0, POD_SD "/crio-conmon-" ID ".scope", &r);
	ck_assert_str_eq(winner_name(set, &r), "bu-uid");
	match_result_clear(&r);
}
END_TEST

/* ---- the order ---- */

/* Level 1: a deeper anchor beats a stronger kind and an earlier policy. */
START_TEST(test_level_depth)
{
	static const char *const names[] = { "unit-shallow", "glob-deep" };
	static const char *const matches[] = { "\"unit\": \"a.slice\"",
					       "\"cgroup\": \"a.slice/b.slice/*\"" };
	_cleanup_(policy_set_freep) struct policy_set *set = MAKE_SET(names, matches);
	const struct match_unit_cgroup units[] = { { "a.slice", "/a.slice" } };
	struct match_result r;

	match_ok(set, units, 1, "a.slice/b.slice/c.service", &r);
	ck_assert_str_eq(winner_name(set, &r), "glob-deep");
	ck_assert_uint_eq(r.winner.anchor_depth, 3);
	ck_assert_str_eq(loser_name(set, &r, 0), "unit-shallow");
	ck_assert_str_eq(r.why,
			 "policy \"glob-deep\" matches by cgroup glob \"a.slice/b.slice/*\"; "
			 "beats \"unit-shallow\" (unit \"a.slice\", shallower anchor: depth "
			 "1 vs 3)");
	match_result_clear(&r);
	/* "**" components do not count: "*" x 2 is deeper than "web.slice/" "**" */
	{
		static const char *const n2[] = { "literal", "two-stars" };
		static const char *const m2[] = { "\"cgroup\": \"web.slice/**\"",
						  "\"cgroup\": \"*/*\"" };
		_cleanup_(policy_set_freep) struct policy_set *s2 = MAKE_SET(n2, m2);

		match_ok(s2, NULL, 0, "web.slice/x.service", &r);
		ck_assert_str_eq(winner_name(s2, &r), "two-stars");
		match_result_clear(&r);
	}
}
END_TEST

/*
 * Level 2: at one depth the kind decides, against literal characters and
 * the policy index: container > pod uid > unit > pod qos > glob.
 */
START_TEST(test_level_kind)
{
	static const char *const names[] = { "glob", "qos", "unit", "uid", "unit4", "ctr" };
	static const char *const matches[] = {
		"\"cgroup\": \"kubepods.slice/kubepods-burstable.slice/*/**\"",
		"\"pod\": {\"qos\": \"burstable\"}",
		"\"unit\": \"pod.slice\"",
		"\"pod\": {\"uid\": \"" UID "\"}",
		"\"unit\": \"ctr.scope\"",
		"\"container\": \"" ID "\"",
	};
	_cleanup_(policy_set_freep) struct policy_set *set = MAKE_SET(names, matches);
	const struct match_unit_cgroup units[] = { { "pod.slice", POD_SD },
						   { "ctr.scope", CTR_SD } };
	struct match_result r;

	/* depth 3: glob, qos, unit, uid all anchored there */
	match_ok(set, units, 2, POD_SD "/x", &r);
	ck_assert_str_eq(winner_name(set, &r), "uid");
	ck_assert_uint_eq(r.n_losers, 3);
	ck_assert_str_eq(loser_name(set, &r, 0), "unit");
	ck_assert_str_eq(loser_name(set, &r, 1), "qos");
	ck_assert_str_eq(loser_name(set, &r, 2), "glob");
	ck_assert_msg(strstr(r.why, "beats \"unit\" (unit \"pod.slice\", same anchor depth 3, "
				    "weaker kind: unit vs pod uid)"),
		      "%s", r.why);
	ck_assert_msg(strstr(r.why, " and 2 more less specific policies"), "%s", r.why);
	match_result_clear(&r);

	/* depth 4: the container beats a unit anchored at the same cgroup */
	match_ok(set, units, 2, CTR_SD, &r);
	ck_assert_str_eq(winner_name(set, &r), "ctr");
	ck_assert_str_eq(loser_name(set, &r, 0), "unit4");
	ck_assert_uint_eq(r.losers[0].anchor_depth, 4);
	match_result_clear(&r);
}
END_TEST

/* Level 3: two globs at one depth: more literal characters wins over an earlier policy. */
START_TEST(test_level_literal)
{
	static const char *const names[] = { "all-slices", "web", "web-q" };
	static const char *const matches[] = { "\"cgroup\": \"*.slice/**\"",
					       "\"cgroup\": \"web.slice/**\"",
					       "\"cgroup\": \"w?b.slice/**\"" };
	_cleanup_(policy_set_freep) struct policy_set *set = MAKE_SET(names, matches);
	struct match_result r;

	match_ok(set, NULL, 0, "web.slice/nginx.service", &r);
	ck_assert_str_eq(winner_name(set, &r), "web");
	ck_assert_uint_eq(r.winner.literal_chars, 9);
	ck_assert_str_eq(loser_name(set, &r, 0), "web-q");
	ck_assert_uint_eq(r.losers[0].literal_chars, 8);
	ck_assert_str_eq(loser_name(set, &r, 1), "all-slices");
	ck_assert_uint_eq(r.losers[1].literal_chars, 6);
	ck_assert_str_eq(r.why,
			 "policy \"web\" matches by cgroup glob \"web.slice/**\"; beats "
			 "\"web-q\" (cgroup glob \"w?b.slice/**\", same anchor depth 1, fewer "
			 "literal characters: 8 vs 9) and 1 more less specific policy");
	match_result_clear(&r);
}
END_TEST

/*
 * Level 4: equally specific: the earlier policy, even when the pattern
 * order (the within-policy last resort) would pick the later one.
 */
START_TEST(test_level_index)
{
	static const char *const names[] = { "first", "second" };
	static const char *const matches[] = { "\"cgroup\": \"web.slice/x*\"",
					       "\"cgroup\": \"web.slice/*x\"" };
	_cleanup_(policy_set_freep) struct policy_set *set = MAKE_SET(names, matches);
	struct match_candidate a = { .policy = 0,
				     .kind = MATCH_GLOB,
				     .pattern = "b",
				     .anchor_depth = 2,
				     .literal_chars = 3 };
	struct match_candidate b = a;
	struct match_result r;

	match_ok(set, NULL, 0, "web.slice/xx", &r);
	ck_assert_str_eq(winner_name(set, &r), "first");
	ck_assert_str_eq(loser_name(set, &r, 0), "second");
	ck_assert_msg(strstr(r.why, "equally specific, later policy: #1 vs #0"), "%s", r.why);
	match_result_clear(&r);

	b.policy = 1;
	b.pattern = "a";
	ck_assert_int_lt(match_candidate_compare(&a, &b), 0);
	ck_assert_int_gt(match_candidate_compare(&b, &a), 0);
	ck_assert_int_eq(match_candidate_compare(&a, &a), 0);
}
END_TEST

/* Each level of match_candidate_compare() alone, both ways. */
START_TEST(test_compare_levels)
{
	const struct match_candidate base = { .policy = 5,
					      .kind = MATCH_GLOB,
					      .pattern = "p",
					      .anchor_depth = 2,
					      .literal_chars = 4 };
	struct match_candidate more;

	more = base, more.anchor_depth = 3, more.kind = MATCH_GLOB, more.policy = 9;
	ck_assert_int_lt(match_candidate_compare(&more, &base), 0);
	ck_assert_int_gt(match_candidate_compare(&base, &more), 0);
	for (int k = MATCH_GLOB; k < MATCH_CONTAINER; k++) {
		struct match_candidate lo = base, hi = base;

		lo.kind = (enum match_kind)k;
		hi.kind = (enum match_kind)(k + 1);
		hi.policy = 9;
		lo.literal_chars = hi.literal_chars = 0;
		ck_assert_int_lt(match_candidate_compare(&hi, &lo), 0);
		ck_assert_int_gt(match_candidate_compare(&lo, &hi), 0);
	}
	more = base, more.literal_chars = 5, more.policy = 9;
	ck_assert_int_lt(match_candidate_compare(&more, &base), 0);
	more = base, more.policy = 4, more.pattern = "z";
	ck_assert_int_lt(match_candidate_compare(&more, &base), 0);
	more = base, more.pattern = "o";
	ck_assert_int_lt(match_candidate_compare(&more, &base), 0);
	ck_assert_int_gt(match_candidate_compare(&base, &more), 0);
}
END_TEST

/*
 * The result does not depend on the order candidates are found in: every
 * permutation of four policies (distinct at levels 1-3) gives the same
 * winner and losers; the order of keys inside one policy does not matter
 * either.
 */
START_TEST(test_determinism)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	static const char *const matches[] = {
		"\"cgroup\": \"**\"",
		"\"cgroup\": [\"*.slice/**\", \"web.slice/**\"]",
		"\"unit\": \"web.slice\"",
		"\"cgroup\": [\"web.slice/*\", \"web.slice/*.service\"]",
	};
	static const char *const want[] = { "d", "c", "b", "a" };
	static const int perms[][4] = {
		{ 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 1, 3, 0, 2 }, { 2, 0, 3, 1 }, { 3, 0, 2, 1 },
		{ 1, 2, 3, 0 }, { 2, 3, 1, 0 }, { 0, 3, 2, 1 }, { 1, 0, 3, 2 }, { 2, 1, 0, 3 },
	};
	const struct match_unit_cgroup units[] = { { "web.slice", "/web.slice" } };

	for (size_t p = 0; p < ARRAY_SIZE(perms); p++) {
		const char *pn[4], *pm[4];
		struct policy_set *set;
		struct match_result r;

		for (int i = 0; i < 4; i++) {
			pn[i] = names[perms[p][i]];
			pm[i] = matches[perms[p][i]];
		}
		set = make_set(4, pn, pm);
		match_ok(set, units, 1, "web.slice/nginx.service", &r);
		ck_assert_str_eq(winner_name(set, &r), want[0]);
		ck_assert_str_eq(r.winner.pattern, "web.slice/*.service");
		ck_assert_uint_eq(r.n_losers, 3);
		for (size_t i = 0; i < 3; i++)
			ck_assert_str_eq(loser_name(set, &r, i), want[i + 1]);
		ck_assert_str_eq(r.losers[1].pattern, "web.slice/**");
		match_result_clear(&r);
		policy_set_free(set);
	}
}
END_TEST

/* Equal keys of one policy in either order: the same pattern is shown. */
START_TEST(test_determinism_keys)
{
	static const char *const n1[] = { "p" }, *const n2[] = { "p" };
	static const char *const m1[] = { "\"cgroup\": [\"web.slice/x*\", \"web.slice/*x\"]" };
	static const char *const m2[] = { "\"cgroup\": [\"web.slice/*x\", \"web.slice/x*\"]" };
	_cleanup_(policy_set_freep) struct policy_set *s1 = MAKE_SET(n1, m1);
	_cleanup_(policy_set_freep) struct policy_set *s2 = MAKE_SET(n2, m2);
	struct match_result r1, r2;

	match_ok(s1, NULL, 0, "web.slice/xx", &r1);
	match_ok(s2, NULL, 0, "web.slice/xx", &r2);
	ck_assert_str_eq(r1.winner.pattern, "web.slice/*x");
	ck_assert_str_eq(r2.winner.pattern, "web.slice/*x");
	ck_assert_str_eq(r1.why, r2.why);
	match_result_clear(&r1);
	match_result_clear(&r2);
}
END_TEST

/* ---- the API around it ---- */

START_TEST(test_invalid_and_all)
{
	static const char *const names[] = { "web", "odd" };
	static const char *const matches[] = { "\"cgroup\": \"web.slice/**\"",
					       "\"cgroup\": \"a\xe2\x80\xae*/**\"" };
	_cleanup_(policy_set_freep) struct policy_set *set = MAKE_SET(names, matches);
	struct match_result r = { .why = "untouched" }, *all = NULL;
	const char *paths[] = { "", "web.slice", "web.slice/a", "a\xe2\x80\xaex/y" };
	const char *bad[] = { "web.slice", "/web.slice", "x" };

	ck_assert_int_eq(match_cgroup(set, NULL, 0, "/web.slice", &r), -EINVAL);
	ck_assert_int_eq(match_cgroup(set, NULL, 0, "web.slice/", &r), -EINVAL);
	ck_assert_int_eq(match_cgroup(set, NULL, 0, "web.slice/../x", &r), -EINVAL);
	ck_assert_str_eq(r.why, "untouched");

	ck_assert_int_eq(match_all(set, NULL, 0, bad, ARRAY_SIZE(bad), &all), -EINVAL);
	ck_assert_ptr_null(all);
	ck_assert_int_eq(match_all(set, NULL, 0, paths, ARRAY_SIZE(paths), &all), 0);
	ck_assert(!all[0].matched);
	ck_assert_str_eq(winner_name(set, &all[1]), "web");
	ck_assert_str_eq(winner_name(set, &all[2]), "web");
	ck_assert_str_eq(winner_name(set, &all[3]), "odd");
	/* the bidi override in the glob is escaped in the text */
	ck_assert_msg(strstr(all[3].why, "\"a\\xe2\\x80\\xae*/**\""), "%s", all[3].why);
	match_results_free(all, ARRAY_SIZE(paths));

	/* an empty set */
	{
		struct policy_set empty = { 0 };

		match_ok(&empty, NULL, 0, "web.slice", &r);
		ck_assert(!r.matched);
		match_result_clear(&r);
	}
}
END_TEST

static Suite *match_suite(void)
{
	Suite *s = suite_create("match");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_glob, 0, ARRAY_SIZE(globs));
	tcase_add_test(tc, test_glob_hostile_bounded);
	tcase_add_test(tc, test_unit);
	tcase_add_test(tc, test_pod_and_container);
	tcase_add_test(tc, test_level_depth);
	tcase_add_test(tc, test_level_kind);
	tcase_add_test(tc, test_level_literal);
	tcase_add_test(tc, test_level_index);
	tcase_add_test(tc, test_compare_levels);
	tcase_add_test(tc, test_determinism);
	tcase_add_test(tc, test_determinism_keys);
	tcase_add_test(tc, test_invalid_and_all);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(match_suite());
}
