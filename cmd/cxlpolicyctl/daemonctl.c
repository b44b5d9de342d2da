/* SPDX-License-Identifier: MIT */
/*
 * cxlpolicyctl apply | status | sweep: requests to cxlpolicyd over its
 * control socket (pkg/ipc.h); the daemon does the work and replies.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ipc.h"
#include "ipcclient.h"
#include "macro.h"
#include "policy.h"
#include "sysroot.h"

/* Send @req, unpack the reply: EXIT_OK and the result (a reference the caller puts). */
static int call_daemon(const char *verb, const char *socket_path, const struct ipc_request *req,
		       struct json_object **ret_reply, struct json_object **ret_result)
{
	_cleanup_free_ char *text = NULL;
	struct json_object *reply = NULL, *result = NULL;
	struct error err = { 0 };
	size_t len = 0;
	int r;

	r = ipc_request_format(req, &text, &len, &err);
	if (r < 0)
		return cli_fail(EXIT_USAGE, "%s: %s", verb, err.code ? err.message : strerror(-r));
	r = ipcclient_call(socket_path, text, len, IPCCLIENT_TIMEOUT_DEFAULT_NS, &reply, &err);
	if (ipcclient_no_daemon(r))
		return cli_fail(EXIT_RUNTIME,
				"%s: cxlpolicyd is not running (no daemon listens on %s); start it "
				"(systemctl start cxlpolicyd) or use --socket",
				verb, ESCAPE_TERMINAL(socket_path));
	if (r < 0)
		return cli_fail(EXIT_RUNTIME, "%s: %s", verb,
				err.code ? err.message : strerror(-r));
	memset(&err, 0, sizeof(err));
	r = ipc_reply_unpack(reply, &result, &err);
	if (r < 0) {
		int code = r == -EPERM || r == -EACCES	  ? EXIT_RUNTIME
			   : r == -EINVAL || r == -ENOENT ? EXIT_USAGE
							  : EXIT_RUNTIME;

		json_object_put(reply);
		return cli_fail(code, "%s: cxlpolicyd: %s", verb, err.message);
	}
	*ret_reply = reply;
	*ret_result = result;
	return EXIT_OK;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static uint64_t juint(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	return (uint64_t)json_object_get_int64(v);
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* "0-1" from a JSON array of node ids, "(inherit)" for null. */
static const char *nodes_text(struct json_object *arr, char *buf, size_t size)
{
	struct idset set;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return "(inherit)";
	idset_clear(&set);
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		(void)idset_add(&set, json_object_get_int(json_object_array_get_idx(arr, i)));
	idset_format(&set, buf, size);
	return buf[0] ? buf : "(none)";
}

static void print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
}

enum { OPT_SOCKET = 256, OPT_DRY_RUN, OPT_CGROUP, OPT_POLICY };

static int read_policy_file(const char *path, struct ipc_file *ret)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	const char *base = strrchr(path, '/');
	size_t len = 0;
	int r;

	if (fd < 0)
		return cli_fail(EXIT_USAGE, "apply: %s: %s", ESCAPE_TERMINAL(path),
				strerror(errno));
	r = read_fd_capped(fd, POLICY_FILE_MAX, &buf, &len);
	if (r == -EFBIG)
		return cli_fail(EXIT_USAGE, "apply: %s: larger than %zu bytes",
				ESCAPE_TERMINAL(path), POLICY_FILE_MAX);
	if (r < 0)
		return cli_fail(EXIT_USAGE, "apply: %s: %s", ESCAPE_TERMINAL(path),
				r == -EINVAL ? "not a regular file" : strerror(-r));
	ret->name = strdup(base ? base + 1 : path);
	if (!ret->name)
		return cli_fail(EXIT_RUNTIME, "apply: out of memory");
	ret->content = TAKE_PTR(buf);
	ret->len = len;
	return EXIT_OK;
}

static void print_plan(struct json_object *result)
{
	struct json_object *plan = jget(result, "plan");
	size_t n = plan ? json_object_array_length(plan) : 0;

	if (n == 0)
		printf("no cgroup on this host is governed by these policies yet\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(plan, i);
		struct json_object *by = jget(c, "bytes_to_migrate_by_node");
		const char *prev = jget(c, "previous_policy") ? jstr(c, "previous_policy") : NULL;
		char a[128], b[128], size[32];

		printf("%s: policy %s%s%s%s, cpuset.mems %s -> %s",
		       ESCAPE_TERMINAL(jstr(c, "cgroup")), jstr(c, "policy"),
		       prev ? " (was " : " (new", prev ? prev : "", ")",
		       nodes_text(jget(c, "mems_before"), a, sizeof(a)),
		       nodes_text(jget(c, "mems_after"), b, sizeof(b)));
		if (by) {
			printf(", narrowing migrates %s",
			       format_bytes(juint(c, "bytes_to_migrate"), size, sizeof(size)));
			json_object_object_foreach(by, node, v)
			{
				printf(" [node %s: %s]", node,
				       format_bytes((uint64_t)json_object_get_int64(v), size,
						    sizeof(size)));
			}
		} else if (jstr(c, "numa_stat_error"))
			printf(", what a narrowing migrates is unknown: %s",
			       ESCAPE_TERMINAL(jstr(c, "numa_stat_error")));
		printf("\n  why: %s\n", ESCAPE_TERMINAL(jstr(c, "why")));
		if (jstr(c, "warning"))
			printf("  WARNING: %s\n", ESCAPE_TERMINAL(jstr(c, "warning")));
	}
}

int verb_apply(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = { { "socket", required_argument, NULL, OPT_SOCKET },
						 { "dry-run", no_argument, NULL, OPT_DRY_RUN },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	const char *socket_path = CXLPOLICY_SOCKET_DEFAULT;
	struct ipc_request req = { .command = IPC_APPLY };
	struct json_object *reply = NULL, *result = NULL;
	int c, code = EXIT_OK;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			socket_path = optarg;
			break;
		case OPT_DRY_RUN:
			req.dry_run = true;
			break;
		case 'h':
			printf("usage: cxlpolicyctl apply [--dry-run] [--socket PATH] FILE...\n"
			       "  validate FILE... with the daemon's other policy files and "
			       "install "
			       "them\n  --dry-run  show per cgroup the policy, cpuset.mems before "
			       "and after and what a narrowing migrates; change nothing\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_fail(EXIT_USAGE, "apply: give one or more policy files");
	req.files = calloc((size_t)(argc - optind), sizeof(*req.files));
	if (!req.files)
		return cli_fail(EXIT_RUNTIME, "apply: out of memory");
	for (int i = optind; i < argc && code == EXIT_OK; i++) {
		code = read_policy_file(argv[i], &req.files[req.n_files]);
		if (code == EXIT_OK)
			req.n_files++;
	}
	if (code == EXIT_OK)
		code = call_daemon("apply", socket_path, &req, &reply, &result);
	ipc_request_clear(&req);
	if (code != EXIT_OK)
		return code;
	if (cli->json)
		print_json(result);
	else {
		print_plan(result);
		if (req.dry_run)
			printf("dry run: nothing changed\n");
		else
			printf("applied: %" PRIu64 " policies in force, %" PRIu64
			       " cgroups governed\n",
			       juint(result, "policies_in_force"),
			       juint(result, "cgroups_governed"));
	}
	json_object_put(reply);
	return EXIT_OK;
}

static void print_counters(struct json_object *x)
{
	char a[32], b[32];
	struct json_object *f = jget(x, "failures");

	printf("    processes %" PRIu64 ", code on CXL %s, moved %" PRIu64 " pages (%s), "
	       "re-demotions %" PRIu64 ", sweeps %" PRIu64 " (%" PRIu64 " quiet, %" PRIu64
	       " partial), last %.1f ms",
	       juint(x, "processes"), format_bytes(juint(x, "exec_cxl_bytes"), a, sizeof(a)),
	       juint(x, "moved_pages"), format_bytes(juint(x, "moved_bytes"), b, sizeof(b)),
	       juint(x, "redemotions"), juint(x, "sweeps"), juint(x, "quiet_sweeps"),
	       juint(x, "partial_sweeps"), (double)juint(x, "last_duration_usec") / 1000.0);
	if (juint(x, "failed_pages")) {
		printf(", failed %" PRIu64 ":", juint(x, "failed_pages"));
		json_object_object_foreach(f, name, v)
		{
			printf(" %s %" PRId64, name, json_object_get_int64(v));
		}
	}
	if (juint(x, "no_target_pages"))
		printf(", no DRAM in cpuset %" PRIu64 " pages", juint(x, "no_target_pages"));
	putchar('\n');
}

static void print_status(struct json_object *st)
{
	struct json_object *d = jget(st, "daemon"), *w = jget(st, "warnings");
	struct json_object *pols = jget(st, "policies"), *cgs = jget(st, "cgroups");
	char a[128], b[128], e[128];

	printf("cxlpolicyd pid %" PRIu64 ", policies from %s (%zu files), cgroups %s\n",
	       juint(d, "pid"), ESCAPE_TERMINAL(jstr(d, "policy_dir")),
	       json_object_array_length(jget(d, "files")),
	       jstr(d, "cgroup_layout") ? jstr(d, "cgroup_layout") : "unavailable");
	if (jstr(d, "last_reload_error"))
		printf("last reload FAILED (previous set in force): %s\n",
		       ESCAPE_TERMINAL(jstr(d, "last_reload_error")));
	if (jstr(d, "cgroup_error"))
		printf("cgroups: %s\n", ESCAPE_TERMINAL(jstr(d, "cgroup_error")));
	for (size_t i = 0; w && i < json_object_array_length(w); i++)
		printf("warning: %s\n",
		       ESCAPE_TERMINAL(json_object_get_string(json_object_array_get_idx(w, i))));
	for (size_t i = 0; pols && i < json_object_array_length(pols); i++) {
		struct json_object *p = json_object_array_get_idx(pols, i);

		printf("policy %s (%s): %" PRIu64
		       " cgroups, every %.3g s%s; the last sweep read %" PRIu64 " processes\n",
		       jstr(p, "name"), ESCAPE_TERMINAL(jstr(p, "file")), juint(p, "cgroups"),
		       (double)juint(p, "interval_ns") / 1e9,
		       json_object_get_boolean(jget(p, "report_only")) ? ", report only" : "",
		       juint(p, "last_processes"));
		print_counters(jget(p, "exec"));
	}
	for (size_t i = 0; cgs && i < json_object_array_length(cgs); i++) {
		struct json_object *c = json_object_array_get_idx(cgs, i);
		struct json_object *mems = jget(c, "mems");
		struct json_object *procs = jget(c, "processes_mempolicy_readonly");

		printf("%s: policy %s\n  why: %s\n  cpuset.mems %s (effective %s, policy %s)%s%s\n",
		       ESCAPE_TERMINAL(jstr(c, "cgroup")), jstr(c, "policy"),
		       ESCAPE_TERMINAL(jstr(c, "why")), nodes_text(jget(mems, "now"), a, sizeof(a)),
		       nodes_text(jget(mems, "effective"), b, sizeof(b)),
		       nodes_text(jget(mems, "policy"), e, sizeof(e)),
		       jstr(mems, "error") ? ": NOT WRITTEN: " : "",
		       jstr(mems, "error") ? ESCAPE_TERMINAL(jstr(mems, "error")) : "");
		if (jget(c, "memory_by_node")) {
			printf("    memory:");
			json_object_object_foreach(jget(c, "memory_by_node"), node, v)
			{
				char a1[32], f1[32];

				printf(" node %s anon %s file %s;", node,
				       format_bytes(juint(v, "anon"), a1, sizeof(a1)),
				       format_bytes(juint(v, "file"), f1, sizeof(f1)));
			}
			putchar('\n');
		}
		if (jstr(c, "warning"))
			printf("  WARNING: %s\n", ESCAPE_TERMINAL(jstr(c, "warning")));
		print_counters(jget(c, "exec"));
		for (size_t k = 0; procs && k < json_object_array_length(procs); k++) {
			struct json_object *po = json_object_array_get_idx(procs, k);

			printf("    pid %" PRIu64 " mempolicy %s (read-only: set at launch by "
			       "cxlpolicyctl run)\n",
			       juint(po, "pid"),
			       jstr(po, "mempolicy") ? ESCAPE_TERMINAL(jstr(po, "mempolicy"))
						     : "?");
		}
	}
}

int verb_status(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = { { "socket", required_argument, NULL, OPT_SOCKET },
						 { "cgroup", required_argument, NULL, OPT_CGROUP },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	const char *socket_path = CXLPOLICY_SOCKET_DEFAULT;
	struct ipc_request req = { .command = IPC_STATUS };
	struct json_object *reply = NULL, *result = NULL;
	int c, code;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			socket_path = optarg;
			break;
		case OPT_CGROUP:
			req.cgroup = optarg[0] == '/' ? optarg + 1 : optarg;
			break;
		case 'h':
			printf("usage: cxlpolicyctl [--json] status [--cgroup PATH] [--socket "
			       "PATH]\n"
			       "  per governed cgroup: its policy and why, cpuset.mems, code on "
			       "CXL, "
			       "what was moved\n  --cgroup  one cgroup, with its processes' "
			       "mempolicies (read-only)\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_fail(EXIT_USAGE, "status: unexpected argument \"%s\"",
				ESCAPE_TERMINAL(argv[optind]));
	code = call_daemon("status", socket_path, &req, &reply, &result);
	if (code != EXIT_OK)
		return code;
	if (cli->json)
		print_json(result);
	else
		print_status(result);
	json_object_put(reply);
	return EXIT_OK;
}

int verb_sweep(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = { { "socket", required_argument, NULL, OPT_SOCKET },
						 { "cgroup", required_argument, NULL, OPT_CGROUP },
						 { "policy", required_argument, NULL, OPT_POLICY },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	const char *socket_path = CXLPOLICY_SOCKET_DEFAULT;
	struct ipc_request req = { .command = IPC_SWEEP };
	struct json_object *reply = NULL, *result = NULL, *sw;
	int c, code = EXIT_OK;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			socket_path = optarg;
			break;
		case OPT_CGROUP:
			req.cgroup = optarg[0] == '/' ? optarg + 1 : optarg;
			break;
		case OPT_POLICY:
			req.policy = optarg;
			break;
		case 'h':
			printf("usage: cxlpolicyctl [--json] sweep [--policy NAME] [--cgroup PATH] "
			       "[--socket PATH]\n  ask cxlpolicyd for a full sweep now (all "
			       "policies, one policy, or the one governing a cgroup)\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_fail(EXIT_USAGE, "sweep: unexpected argument \"%s\"",
				ESCAPE_TERMINAL(argv[optind]));
	code = call_daemon("sweep", socket_path, &req, &reply, &result);
	if (code != EXIT_OK)
		return code;
	sw = jget(result, "sweeps");
	if (cli->json)
		print_json(result);
	for (size_t i = 0; sw && i < json_object_array_length(sw); i++) {
		struct json_object *s = json_object_array_get_idx(sw, i);
		char a[32];

		if (!cli->json)
			printf("policy %s: %" PRIu64 " processes, moved %" PRIu64
			       " pages (%s), failed %" PRIu64 ", no DRAM in cpuset %" PRIu64
			       ", code left on CXL %" PRIu64 " bytes, %.1f ms\n",
			       jstr(s, "policy"), juint(s, "processes"), juint(s, "moved_pages"),
			       format_bytes(juint(s, "moved_bytes"), a, sizeof(a)),
			       juint(s, "failed_pages"), juint(s, "no_target_pages"),
			       juint(s, "exec_cxl_bytes"),
			       (double)juint(s, "duration_usec") / 1000.0);
		if (juint(s, "failed_pages") || juint(s, "no_target_pages"))
			code = EXIT_PARTIAL;
	}
	json_object_put(reply);
	return code;
}
