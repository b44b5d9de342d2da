/* SPDX-License-Identifier: MIT */
/*
 * Policy files, format v1: every rule of policies/README.md with a file that
 * breaks it, the message it must give, and the contract file of issue 8.
 * Topologies come from the fixture trees: dax-region (node 0 dram, nodes 1-2
 * cxl) and server-2s-cxl (nodes 0-1 dram, 2-3 cxl).
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "policy.h"
#include "testlib.h"

#define CONTRACT                                                                              \
	"{\"version\": 1, \"policies\": [{\"name\": \"web\", \"match\": {\"cgroup\": "        \
	"\"web.slice/**\"},\n  \"mems\": [\"dram\", \"cxl\"], \"exec\": {\"migrate\": true, " \
	"\"interval\": \"2s\"}}]}"

static struct topology *load(const char *tree)
{
	_cleanup_(sysroot_freep) struct sysroot *root = open_fixture(tree);
	struct topology *topo = NULL;
	struct error err = { 0 };
	int r = topology_read(root, NULL, &topo, &err);

	ck_assert_msg(r == 0, "topology_read(%s): %s", tree, err.message);
	return topo;
}

static struct policy_set *parse_ok(const char *tree, const char *text)
{
	_cleanup_(topology_freep) struct topology *topo = load(tree);
	struct policy_set *set = NULL;
	struct error err = { 0 };
	int r = policy_set_parse(text, strlen(text), "p.json", topo, &set, &err);

	ck_assert_msg(r == 0, "expected valid, got %d: %s\n%s", r, err.message, text);
	ck_assert_ptr_nonnull(set);
	return set;
}

/* Parse @len bytes of @text on @tree; the message must be exactly @want. */
static void parse_fails_len(const char *tree, const char *text, size_t len, int code,
			    const char *want)
{
	_cleanup_(topology_freep) struct topology *topo = load(tree);
	struct policy_set *set = (struct policy_set *)0x1;
	struct error err = { 0 };
	int r = policy_set_parse(text, len, "p.json", topo, &set, &err);

	ck_assert_msg(r == code, "expected %d, got %d (%s) for\n%s", code, r, err.message, text);
	ck_assert_ptr_eq(set, (struct policy_set *)0x1); /* untouched */
	ck_assert_int_eq(err.code, code);
	ck_assert_msg(strcmp(err.message, want) == 0, "message\n  %s\nexpected\n  %s", err.message,
		      want);
}

static void parse_fails(const char *text, const char *want)
{
	parse_fails_len("dax-region", text, strlen(text), -EINVAL, want);
}

/* A file of one policy with @body inside the policy object after name. */
#define ONE(body) "{\"version\": 1, \"policies\": [{\"name\": \"a\", " body "}]}"
#define MATCH "\"match\": {\"cgroup\": \"a.slice\"}"

START_TEST(test_contract)
{
	_cleanup_(policy_set_freep) struct policy_set *set = parse_ok("dax-region", CONTRACT);
	const struct policy *p;
	char buf[64];

	ck_assert_uint_eq(set->n_policies, 1);
	p = &set->policies[0];
	ck_assert_str_eq(p->name, "web");
	ck_assert_uint_eq(p->match.n_cgroups, 1);
	ck_assert_str_eq(p->match.cgroups[0], "web.slice/**");
	ck_assert_uint_eq(p->match.n_units, 0);
	ck_assert(!p->match.has_pod);
	ck_assert_uint_eq(p->match.n_containers, 0);
	ck_assert_str_eq(idset_format(&p->mems, buf, sizeof(buf)), "0-2"); /* every node */
	ck_assert(!p->has_mempolicy);
	ck_assert(p->exec.migrate);
	ck_assert_uint_eq(p->exec.interval_ns, 2 * UINT64_C(1000000000));
	ck_assert_uint_eq(p->exec.call_time_ns, POLICY_CALL_TIME_DEFAULT_NS);
	ck_assert_uint_eq(p->exec.bytes_per_sweep, 0);
	ck_assert(p->exec.target_nearest_dram);
	ck_assert(!p->exec.report_only);
}
END_TEST

START_TEST(test_contract_other_topology)
{
	_cleanup_(policy_set_freep) struct policy_set *set = parse_ok("server-2s-cxl", CONTRACT);
	char buf[64];

	ck_assert_str_eq(idset_format(&set->policies[0].mems, buf, sizeof(buf)), "0-3");
}
END_TEST

START_TEST(test_full_policy)
{
	static const char text[] =
		"{\"version\": 1, \"policies\": [\n"
		" {\"name\": \"batch-1.x_y\", \"match\": {\"cgroup\": [\"batch.slice/**\", "
		"\"a/*/b?\"], \"unit\": [\"nginx.service\", \"getty@tty1.service\"], "
		"\"pod\": {\"qos\": \"burstable\", \"uid\": "
		"\"0A1B2C3D-0000-4000-8000-00000000ABCD\"}, \"container\": \"0123456789ab\"},\n"
		"  \"mems\": [0, \"2-3\"], \"mempolicy\": {\"mode\": \"interleave\", \"nodes\": "
		"[\"cxl\"]},\n"
		"  \"exec\": {\"migrate\": true, \"interval\": \"1h 30min\", \"bytes_per_sweep\": "
		"\"64M\", \"call_time\": \"5ms\", \"target\": \"0\", \"report_only\": true}},\n"
		" {\"name\": \"b\", \"match\": {\"pod\": {\"qos\": \"guaranteed\"}}, \"mems\": "
		"[\"dram\"], \"mempolicy\": {\"mode\": \"default\"}, \"exec\": "
		"{\"bytes_per_sweep\": "
		"8192, \"target\": \"nearest-dram\"}},\n"
		" {\"name\": \"c\", \"match\": {\"unit\": \"x.slice\"}, \"mems\": [\"cxl\"], "
		"\"exec\": {\"migrate\": false}}\n"
		"]}\n";
	_cleanup_(policy_set_freep) struct policy_set *set = parse_ok("server-2s-cxl", text);
	const struct policy *p = &set->policies[0];
	char buf[64];

	ck_assert_uint_eq(set->n_policies, 3);
	ck_assert_str_eq(p->name, "batch-1.x_y");
	ck_assert_uint_eq(p->match.n_cgroups, 2);
	ck_assert_str_eq(p->match.cgroups[1], "a/*/b?");
	ck_assert_uint_eq(p->match.n_units, 2);
	ck_assert_str_eq(p->match.units[1], "getty@tty1.service");
	ck_assert(p->match.has_pod);
	ck_assert_int_eq(p->match.pod_qos, POLICY_POD_QOS_BURSTABLE);
	ck_assert_str_eq(p->match.pod_uid, "0a1b2c3d-0000-4000-8000-00000000abcd");
	ck_assert_uint_eq(p->match.n_containers, 1);
	ck_assert_str_eq(idset_format(&p->mems, buf, sizeof(buf)), "0,2-3");
	ck_assert(p->has_mempolicy);
	ck_assert_int_eq(p->mempolicy_mode, POLICY_MPOL_INTERLEAVE);
	ck_assert_str_eq(idset_format(&p->mempolicy_nodes, buf, sizeof(buf)), "2-3");
	ck_assert_uint_eq(p->exec.interval_ns, 5400 * UINT64_C(1000000000));
	ck_assert_uint_eq(p->exec.bytes_per_sweep, 64 << 20);
	ck_assert_uint_eq(p->exec.call_time_ns, 5 * UINT64_C(1000000));
	ck_assert(!p->exec.target_nearest_dram);
	ck_assert_str_eq(idset_format(&p->exec.target, buf, sizeof(buf)), "0");
	ck_assert(p->exec.report_only);

	p = &set->policies[1];
	ck_assert_int_eq(p->match.pod_qos, POLICY_POD_QOS_GUARANTEED);
	ck_assert_str_eq(p->match.pod_uid, "");
	ck_assert_str_eq(idset_format(&p->mems, buf, sizeof(buf)), "0-1");
	ck_assert_int_eq(p->mempolicy_mode, POLICY_MPOL_DEFAULT);
	ck_assert_uint_eq(p->exec.bytes_per_sweep, 8192);
	ck_assert(p->exec.target_nearest_dram);
	ck_assert_uint_eq(p->exec.interval_ns, POLICY_INTERVAL_DEFAULT_NS);

	p = &set->policies[2];
	ck_assert(!p->exec.migrate); /* so CXL-only mems are allowed */
	ck_assert_str_eq(idset_format(&p->mems, buf, sizeof(buf)), "2-3");
}
END_TEST

START_TEST(test_empty_policy_list)
{
	_cleanup_(policy_set_freep) struct policy_set *set =
		parse_ok("laptop", "{\"version\": 1, \"policies\": []}");

	ck_assert_uint_eq(set->n_policies, 0);
}
END_TEST

/* Each rule broken once, with the exact message. */
static const struct {
	const char *text;
	const char *want;
} bad[] = {
	/* the example message */
	{ "{\"version\": 1, \"policies\": [{\"name\": \"a\", " MATCH ", \"mems\": [0]},\n"
	  "{\"name\": \"b\", " MATCH ", \"mems\": [\"cx1\"]}]}",
	  "p.json: policies[1].mems[0]: unknown node class \"cx1\" (expected dram, cxl, all or a "
	  "node list)" },
	/* syntax errors with line and column */
	{ "{\"version\": 1,\n  \"policies\": [,]}",
	  "p.json:2:16: syntax error: unexpected character" },
	{ "{\"version\": 1, \"policies\": []} x",
	  "p.json:1:32: syntax error: unexpected character" },
	{ "{\"version\": 1, \"policies\": []}\n{}",
	  "p.json:2:1: syntax error: unexpected character" },
	{ "{\"version\": 1, \"policies\": [] /* c */}",
	  "p.json:1:31: syntax error: object value separator ',' expected" },
	{ "{\"version\": 1, \"policies\": [],}",
	  "p.json:1:31: syntax error: unexpected character" },
	{ "{'version': 1, \"policies\": []}",
	  "p.json:1:2: syntax error: single-quoted string (JSON strings use double quotes)" },
	{ "{\"version\": 1, \"policies\": [", "p.json:1:29: syntax error: unexpected end of data" },
	{ "", "p.json:1:1: syntax error: unexpected end of data" },
	/* duplicate keys, at the object that holds them */
	{ "{\"version\": 1, \"version\": 1, \"policies\": []}",
	  "p.json:1:1: this object holds the same key twice (JSON parsers differ on which one "
	  "counts: give each key once)" },
	{ ONE("\"match\": {\"cgroup\": \"a\", \"cgroup\": \"b\"}, \"mems\": [0]"),
	  "p.json:1:52: this object holds the same key twice (JSON parsers differ on which one "
	  "counts: give each key once)" },
	{ ONE("\"match\": {\"cgroup\": \"a\", \"cgr\\u006fup\": \"b\"}, \"mems\": [0]"),
	  "p.json:1:52: this object holds the same key twice (JSON parsers differ on which one "
	  "counts: give each key once)" },
	/* top level */
	{ "[]",
	  "p.json: (top level): expected an object {\"version\": 1, \"policies\": [...]}, got "
	  "an array" },
	{ "{\"policies\": []}",
	  "p.json: (top level): missing key \"version\" (expected \"version\": 1)" },
	{ "{\"version\": 2, \"policies\": []}",
	  "p.json: version: unsupported version 2 (this build reads version 1)" },
	{ "{\"version\": \"1\", \"policies\": []}",
	  "p.json: version: expected the integer 1, got a string" },
	{ "{\"version\": 1.0, \"policies\": []}",
	  "p.json: version: expected the integer 1, got a number with a fraction" },
	{ "{\"version\": 1}", "p.json: (top level): missing key \"policies\"" },
	{ "{\"version\": 1, \"policies\": {}}",
	  "p.json: policies: expected an array of policies, got an object" },
	{ "{\"version\": 1, \"policies\": [], \"extra\": 0}",
	  "p.json: (top level): unknown key \"extra\" (expected version or policies)" },
	/* policy keys and names */
	{ ONE(MATCH ", \"mems\": [0], \"mem\": [0]"),
	  "p.json: policies[0]: unknown key \"mem\" (expected name, match, mems, mempolicy or "
	  "exec)" },
	{ ONE(MATCH ", \"mems\": [0], \"x\\u001b[2J\": 1"),
	  "p.json: policies[0]: unknown key \"x\\x1b[2J\" (expected name, match, mems, mempolicy "
	  "or exec)" },
	{ "{\"version\": 1, \"policies\": [{" MATCH ", \"mems\": [0]}]}",
	  "p.json: policies[0]: missing key \"name\"" },
	{ "{\"version\": 1, \"policies\": [{\"name\": \"Web\", " MATCH ", \"mems\": [0]}]}",
	  "p.json: policies[0].name: invalid name \"Web\" (expected 1 to 64 characters of a-z 0-9 "
	  "_ "
	  ". -)" },
	{ "{\"version\": 1, \"policies\": [{\"name\": \"\", " MATCH ", \"mems\": [0]}]}",
	  "p.json: policies[0].name: invalid name \"\" (expected 1 to 64 characters of a-z 0-9 _ . "
	  "-)" },
	{ "{\"version\": 1, \"policies\": [{\"name\": "
	  "\"a2345678901234567890123456789012345678901234567890123456789012345\", " MATCH
	  ", \"mems\": [0]}]}",
	  "p.json: policies[0].name: invalid name "
	  "\"a2345678901234567890123456789012345678901234567890123456789012345\" (expected 1 to 64 "
	  "characters of a-z 0-9 _ . -)" },
	{ "{\"version\": 1, \"policies\": [{\"name\": 5, " MATCH ", \"mems\": [0]}]}",
	  "p.json: policies[0].name: expected a name string, got an integer" },
	{ "{\"version\": 1, \"policies\": [{\"name\": \"a\\u0000b\", " MATCH ", \"mems\": [0]}]}",
	  "p.json: policies[0].name: a NUL character (\\u0000) inside a string" },
	{ "{\"version\": 1, \"policies\": [{\"name\": \"a\", " MATCH ", \"mems\": [0]},\n"
	  " {\"name\": \"a\", " MATCH ", \"mems\": [0]}]}",
	  "p.json: policies[1].name: duplicate policy name \"a\" (also policies[0])" },
	{ "{\"version\": 1, \"policies\": [5]}",
	  "p.json: policies[0]: expected a policy object, got an integer" },
	/* match */
	{ ONE("\"mems\": [0]"), "p.json: policies[0]: missing key \"match\"" },
	{ ONE("\"match\": {}, \"mems\": [0]"),
	  "p.json: policies[0].match: empty object (expected at least one of cgroup, unit, pod, "
	  "container)" },
	{ ONE("\"match\": {\"cgroups\": \"a\"}, \"mems\": [0]"),
	  "p.json: policies[0].match: unknown key \"cgroups\" (expected cgroup, unit, pod or "
	  "container)" },
	{ ONE("\"match\": \"a\", \"mems\": [0]"),
	  "p.json: policies[0].match: expected an object, got a string" },
	{ ONE("\"match\": {\"cgroup\": \"/a.slice\"}, \"mems\": [0]"),
	  "p.json: policies[0].match.cgroup: invalid cgroup glob \"/a.slice\" (expected a path "
	  "relative to the cgroup root such as \"batch.slice/**\": no leading '/', no empty, \".\" "
	  "or \"..\" components, wildcards * ? and ** (a whole component), no [ ] or \\)" },
	{ ONE("\"match\": {\"cgroup\": [\"a\", \"b/../c\"]}, \"mems\": [0]"),
	  "p.json: policies[0].match.cgroup[1]: invalid cgroup glob \"b/../c\" (expected a path "
	  "relative to the cgroup root such as \"batch.slice/**\": no leading '/', no empty, \".\" "
	  "or \"..\" components, wildcards * ? and ** (a whole component), no [ ] or \\)" },
	{ ONE("\"match\": {\"cgroup\": []}, \"mems\": [0]"),
	  "p.json: policies[0].match.cgroup: empty array (expected at least one cgroup glob)" },
	{ ONE("\"match\": {\"cgroup\": [1]}, \"mems\": [0]"),
	  "p.json: policies[0].match.cgroup[0]: expected cgroup glob, got an integer" },
	{ ONE("\"match\": {\"unit\": \"nginx\"}, \"mems\": [0]"),
	  "p.json: policies[0].match.unit: invalid unit name \"nginx\" (expected a systemd unit "
	  "name such as \"nginx.service\" ending in .service, .scope, .slice, .socket, .mount or "
	  ".swap)" },
	{ ONE("\"match\": {\"pod\": {\"qos\": \"Burstable\"}}, \"mems\": [0]"),
	  "p.json: policies[0].match.pod.qos: unknown QoS class \"Burstable\" (expected "
	  "guaranteed, burstable or besteffort)" },
	{ ONE("\"match\": {\"pod\": {\"uid\": \"0a1b2c3d00004000800000000000abcd\"}}, \"mems\": "
	      "[0]"),
	  "p.json: policies[0].match.pod.uid: invalid pod UID \"0a1b2c3d00004000800000000000abcd\" "
	  "(expected the RFC 4122 form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hex digits)" },
	{ ONE("\"match\": {\"pod\": {}}, \"mems\": [0]"),
	  "p.json: policies[0].match.pod: empty object (expected \"qos\", \"uid\" or both)" },
	{ ONE("\"match\": {\"pod\": {\"name\": \"x\"}}, \"mems\": [0]"),
	  "p.json: policies[0].match.pod: unknown key \"name\" (expected qos or uid)" },
	{ ONE("\"match\": {\"container\": \"0123456789AB\"}, \"mems\": [0]"),
	  "p.json: policies[0].match.container: invalid container id \"0123456789AB\" (expected 12 "
	  "to 64 lower-case hex digits)" },
	/* mems */
	{ ONE(MATCH), "p.json: policies[0]: missing key \"mems\"" },
	{ ONE(MATCH ", \"mems\": \"dram\""),
	  "p.json: policies[0].mems: expected an array of node classes (dram, cxl, all) and node "
	  "lists, got a string" },
	{ ONE(MATCH ", \"mems\": []"),
	  "p.json: policies[0].mems: empty array (expected at least one node class or node list)" },
	{ ONE(MATCH ", \"mems\": [3]"),
	  "p.json: policies[0].mems[0]: node 3 does not exist (online nodes: 0-2)" },
	{ ONE(MATCH ", \"mems\": [\"0,3\"]"),
	  "p.json: policies[0].mems[0]: node 3 does not exist (online nodes: 0-2)" },
	{ ONE(MATCH ", \"mems\": [-1]"),
	  "p.json: policies[0].mems[0]: node -1 does not exist (online nodes: 0-2)" },
	{ ONE(MATCH ", \"mems\": [99999999999999999999]"),
	  "p.json: policies[0].mems[0]: node 9223372036854775807 does not exist (online nodes: "
	  "0-2)" },
	{ ONE(MATCH ", \"mems\": [\"2-1\"]"),
	  "p.json: policies[0].mems[0]: unknown node class \"2-1\" (expected dram, cxl, all or a "
	  "node list)" },
	{ ONE(MATCH ", \"mems\": [true]"),
	  "p.json: policies[0].mems[0]: expected a node class (dram, cxl, all), a node list string "
	  "such as \"0-1,4\" or a node id, got a boolean" },
	{ ONE(MATCH ", \"mems\": [\"cxl\"]"),
	  "p.json: policies[0].mems: resolves to nodes 1-2 with no DRAM node while exec.migrate is "
	  "on: on cgroup v2 writing cpuset.mems migrates the members' memory, shared library text "
	  "included, and their code could never be moved back to DRAM (add a DRAM node, or set "
	  "\"exec\": {\"migrate\": false})" },
	/* mempolicy */
	{ ONE(MATCH ", \"mems\": [\"all\"], \"mempolicy\": {\"mode\": \"bind\"}"),
	  "p.json: policies[0].mempolicy: mode \"bind\" needs \"nodes\"" },
	{ ONE(MATCH ", \"mems\": [\"all\"], \"mempolicy\": {\"mode\": \"local\"}"),
	  "p.json: policies[0].mempolicy.mode: unknown mode \"local\" (expected default, bind, "
	  "preferred, preferred-many, interleave or weighted-interleave)" },
	{ ONE(MATCH ", \"mems\": [\"all\"], \"mempolicy\": {\"nodes\": [0]}"),
	  "p.json: policies[0].mempolicy: missing key \"mode\"" },
	{ ONE(MATCH ", \"mems\": [\"all\"], \"mempolicy\": {\"mode\": \"default\", \"nodes\": "
		    "[0]}"),
	  "p.json: policies[0].mempolicy.nodes: mode \"default\" takes no nodes" },
	{ ONE(MATCH ", \"mems\": [\"all\"], \"mempolicy\": {\"mode\": \"preferred\", \"nodes\": "
		    "[\"cxl\"]}"),
	  "p.json: policies[0].mempolicy.nodes: mode \"preferred\" takes exactly one node, got 1-2 "
	  "(use \"preferred-many\" for several)" },
	{ ONE(MATCH ", \"mems\": [0, 1], \"mempolicy\": {\"mode\": \"bind\", \"nodes\": [2]}"),
	  "p.json: policies[0].mempolicy.nodes: nodes 2 are not all in the policy's mems 0-1 (the "
	  "kernel refuses a mempolicy outside cpuset.mems)" },
	/* exec */
	{ ONE(MATCH ", \"mems\": [0], \"exec\": {\"interval\": \"50ms\"}"),
	  "p.json: policies[0].exec.interval: interval 50ms is below the minimum of 100ms" },
	{ ONE(MATCH ", \"mems\": [0], \"exec\": {\"interval\": 2}"),
	  "p.json: policies[0].exec.interval: expected a duration string such as \"2s\" or "
	  "\"500ms\", got an integer" },
	{ ONE(MATCH ", \"mems\": [0], \"exec\": {\"interval\": \"-2s\"}"),
	  "p.json: policies[0].exec.interval: invalid duration \"-2s\" (expected a number and a "
	  "unit, such as \"500ms\", \"2s\", \"1min\" or \"1h 30min\")" },
	{ ONE(MATCH ", \"mems\": [0], \"exec\": {\"migrate\": \"yes\"}"),
	  "p.json: policies[0].exec.migrate: expected true or false, got a string" },
	{ ONE(MATCH ", \"mems\": [0], \"exec\": {\"report_only\": 1}"),
	  "p.json: policies[0].exec.report_only: expected true or false, got an integer" },
	{ ONE(MATCH ", \"mems\": [0], \"exec\": {\"call_time\": \"20s\"}"),
	  "p.json: policies[0].exec.call_time: call_time 20s is outside 1ms .. 10s" },
	{ ONE(MATCH ", \"mems\": [0], \"exec\": {\"bytes_per_sweep\": \"64Q\"}"),
	  "p.json: policies[0].exec.bytes_per_sweep: invalid size \"64Q\" (expected bytes with an "
	  "optional K, M, G or T suffix, powers of 1024, such as \"64M\")" },
	{ ONE(MATCH ", \"mems\": [0], \"exec\": {\"bytes_per_sweep\": -1}"),
	  "p.json: policies[0].exec.bytes_per_sweep: negative size -1" },
	{ ONE(MATCH ", \"mems\": [0], \"exec\": {\"bytes_per_sweep\": 100}"),
	  "p.json: policies[0].exec.bytes_per_sweep: 100 bytes is below one page (at least 4096)" },
	{ ONE(MATCH ", \"mems\": [\"all\"], \"exec\": {\"target\": \"1\"}"),
	  "p.json: policies[0].exec.target: node 1 is cxl, not dram (expected \"nearest-dram\" or "
	  "DRAM nodes)" },
	{ ONE(MATCH ", \"mems\": [\"all\"], \"exec\": {\"target\": \"nearest\"}"),
	  "p.json: policies[0].exec.target: unknown node class \"nearest\" (expected dram, cxl, "
	  "all or a node list)" },
	{ ONE(MATCH ", \"mems\": [0], \"exec\": {\"speed\": 1}"),
	  "p.json: policies[0].exec: unknown key \"speed\" (expected migrate, interval, "
	  "bytes_per_sweep, call_time, target or report_only)" },
};

START_TEST(test_bad)
{
	parse_fails(bad[_i].text, bad[_i].want);
}
END_TEST

START_TEST(test_target_outside_mems)
{
	/* server-2s-cxl: DRAM 0-1 */
	static const char text[] = ONE(MATCH ", \"mems\": [0, 2], \"exec\": {\"target\": [1]}");

	parse_fails_len("server-2s-cxl", text, strlen(text), -EINVAL,
			"p.json: policies[0].exec.target: nodes 1 are not all in the policy's mems "
			"0,2 (pages cannot move outside cpuset.mems)");
}
END_TEST

START_TEST(test_node_exists_per_topology)
{
	static const char text[] = ONE(MATCH ", \"mems\": [0, 3]");
	_cleanup_(policy_set_freep) struct policy_set *set = parse_ok("server-2s-cxl", text);

	ck_assert_uint_eq(idset_count(&set->policies[0].mems), 2);
	parse_fails(text, "p.json: policies[0].mems[1]: node 3 does not exist (online nodes: 0-2)"
		    /* mems[1]: the second element */);
}
END_TEST

START_TEST(test_cxl_class_empty_on_laptop)
{
	static const char text[] = ONE(MATCH ", \"mems\": [\"cxl\"], \"exec\": {\"migrate\": "
					     "false}");

	parse_fails_len(
		"laptop", text, strlen(text), -EINVAL,
		"p.json: policies[0].mems: resolves to no node on this machine (dram nodes: "
		"0, cxl nodes: none)");
}
END_TEST

START_TEST(test_not_utf8_and_nul)
{
	static const char latin1[] = "{\"version\": 1,\n \"policies\": [{\"name\": \"caf\xe9\"}]}";
	static const char nul[] = "{\"version\": 1, \"policies\": []}\0garbage";

	parse_fails_len("dax-region", latin1, strlen(latin1), -EINVAL,
			"p.json:2:28: not UTF-8 text (byte 0xe9)");
	parse_fails_len("dax-region", nul, sizeof(nul) - 1, -EINVAL,
			"p.json:1:31: a NUL byte (not a text file)");
}
END_TEST

START_TEST(test_too_big)
{
	size_t len = POLICY_FILE_MAX + 1;
	_cleanup_free_ char *buf = malloc(len);
	char want[256];

	ck_assert_ptr_nonnull(buf);
	memset(buf, ' ', len);
	memcpy(buf, "{\"version\": 1, \"policies\": []}", 30);
	snprintf(want, sizeof(want), "p.json: %zu bytes, over the limit of %zu (1 MiB)", len,
		 POLICY_FILE_MAX);
	parse_fails_len("dax-region", buf, len, -EFBIG, want);
	/* exactly the limit is fine */
	{
		_cleanup_(topology_freep) struct topology *topo = load("dax-region");
		_cleanup_(policy_set_freep) struct policy_set *set = NULL;
		struct error err = { 0 };

		ck_assert_int_eq(policy_set_parse(buf, len - 1, "p.json", topo, &set, &err), 0);
	}
}
END_TEST

START_TEST(test_display_name_escaped)
{
	_cleanup_(topology_freep) struct topology *topo = load("dax-region");
	struct policy_set *set = NULL;
	struct error err = { 0 };

	ck_assert_int_eq(policy_set_parse("[]", 2, "evil\n\x1b[2J.json", topo, &set, &err),
			 -EINVAL);
	ck_assert_msg(strncmp(err.message, "evil\\x0a\\x1b[2J.json: ", 22) == 0, "%s", err.message);
}
END_TEST

START_TEST(test_syntax_checks)
{
	uint64_t v = 0;

	ck_assert_int_eq(policy_check_cgroup_glob("a/**/b"), 0);
	ck_assert_int_eq(policy_check_cgroup_glob("**"), 0);
	ck_assert_int_eq(policy_check_cgroup_glob("a/b**"), -EINVAL);
	ck_assert_int_eq(policy_check_cgroup_glob("a//b"), -EINVAL);
	ck_assert_int_eq(policy_check_cgroup_glob("a/"), -EINVAL);
	ck_assert_int_eq(policy_check_cgroup_glob("./a"), -EINVAL);
	ck_assert_int_eq(policy_check_cgroup_glob("a/[ab]"), -EINVAL);
	ck_assert_int_eq(policy_check_cgroup_glob(""), -EINVAL);
	ck_assert_int_eq(policy_check_unit_name("foo@bar.service"), 0);
	ck_assert_int_eq(policy_check_unit_name("system-getty.slice"), 0);
	ck_assert_int_eq(policy_check_unit_name("foo@.service"), -EINVAL);
	ck_assert_int_eq(policy_check_unit_name("@x.service"), -EINVAL);
	ck_assert_int_eq(policy_check_unit_name("a@b@c.service"), -EINVAL);
	ck_assert_int_eq(policy_check_unit_name(".service"), -EINVAL);
	ck_assert_int_eq(policy_check_unit_name("foo.target"), -EINVAL); /* no cgroup */
	ck_assert_int_eq(policy_check_unit_name("foo bar.service"), -EINVAL);
	ck_assert_int_eq(policy_check_pod_uid("0a1b2c3d-0000-4000-8000-00000000abcd"), 0);
	ck_assert_int_eq(policy_check_pod_uid("0a1b2c3d_0000_4000_8000_00000000abcd"), -EINVAL);
	ck_assert_int_eq(policy_check_pod_uid("0a1b2c3d-0000-4000-8000-00000000abcg"), -EINVAL);
	ck_assert_int_eq(policy_check_container_id("0123456789ab"), 0);
	ck_assert_int_eq(policy_check_container_id("0123456789a"), -EINVAL);
	ck_assert_int_eq(
		policy_check_container_id(
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"),
		-EINVAL);
	ck_assert_int_eq(policy_parse_size("64M", &v), 0);
	ck_assert_uint_eq(v, 64 << 20);
	ck_assert_int_eq(policy_parse_size("1GiB", &v), 0);
	ck_assert_uint_eq(v, 1 << 30);
	ck_assert_int_eq(policy_parse_size("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(policy_parse_size("18446744073709551615", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(policy_parse_size("18446744073709551616", &v), -ERANGE);
	ck_assert_int_eq(policy_parse_size("17179869184G", &v), -ERANGE);
	ck_assert_int_eq(policy_parse_size("64m", &v), -EINVAL);
	ck_assert_int_eq(policy_parse_size("-1", &v), -EINVAL);
	ck_assert_int_eq(policy_parse_size("64MB2", &v), -EINVAL);
}
END_TEST

/* Every example file in policies/ validates on the dax-region topology. */
START_TEST(test_examples_validate)
{
	static const char *const files[] = { "policies/contract.json", "policies/batch-on-cxl.json",
					     "policies/kubernetes.json",
					     "policies/report-only.json" };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char path[PATH_MAX];
		_cleanup_free_ char *text = NULL;

		ck_assert_ptr_nonnull(getcwd(path, sizeof(path) - 64));
		strcat(path, "/");
		strcat(path, files[i]);
		text = slurp(path);
		_cleanup_(policy_set_freep) struct policy_set *set = parse_ok("dax-region", text);

		ck_assert_uint_ge(set->n_policies, 1);
	}
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_contract);
	tcase_add_test(tc, test_contract_other_topology);
	tcase_add_test(tc, test_full_policy);
	tcase_add_test(tc, test_empty_policy_list);
	tcase_add_loop_test(tc, test_bad, 0, (int)ARRAY_SIZE(bad));
	tcase_add_test(tc, test_target_outside_mems);
	tcase_add_test(tc, test_node_exists_per_topology);
	tcase_add_test(tc, test_cxl_class_empty_on_laptop);
	tcase_add_test(tc, test_not_utf8_and_nul);
	tcase_add_test(tc, test_too_big);
	tcase_add_test(tc, test_display_name_escaped);
	tcase_add_test(tc, test_syntax_checks);
	tcase_add_test(tc, test_examples_validate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(policy_suite());
}
