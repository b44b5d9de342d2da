/* SPDX-License-Identifier: MIT */
/* cxlpolicyctl validate FILE...: check policy files against this machine's topology. */
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "policy.h"

static json_object *nodes_json(const struct idset *set)
{
	json_object *arr = json_object_new_array();

	IDSET_FOREACH(id, set)
		json_object_array_add(arr, json_object_new_int(id));
	return arr;
}

static json_object *strv_json(char **v, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

static json_object *policy_json(const struct policy *p)
{
	json_object *o = json_object_new_object(), *m = json_object_new_object();
	json_object *x = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(p->name));
	if (p->match.n_cgroups)
		json_object_object_add(m, "cgroup",
				       strv_json(p->match.cgroups, p->match.n_cgroups));
	if (p->match.n_units)
		json_object_object_add(m, "unit", strv_json(p->match.units, p->match.n_units));
	if (p->match.has_pod) {
		json_object *pod = json_object_new_object();

		json_object_object_add(pod, "qos",
				       p->match.pod_qos == POLICY_POD_QOS_ANY
					       ? NULL
					       : json_object_new_string(policy_pod_qos_to_string(
							 p->match.pod_qos)));
		json_object_object_add(
			pod, "uid",
			p->match.pod_uid[0] ? json_object_new_string(p->match.pod_uid) : NULL);
		json_object_object_add(m, "pod", pod);
	}
	if (p->match.n_containers)
		json_object_object_add(m, "container",
				       strv_json(p->match.containers, p->match.n_containers));
	json_object_object_add(o, "match", m);
	json_object_object_add(o, "mems", nodes_json(&p->mems));
	if (p->has_mempolicy) {
		json_object *mp = json_object_new_object();

		json_object_object_add(
			mp, "mode",
			json_object_new_string(policy_mempolicy_mode_to_string(p->mempolicy_mode)));
		json_object_object_add(mp, "nodes", nodes_json(&p->mempolicy_nodes));
		json_object_object_add(o, "mempolicy", mp);
	} else {
		json_object_object_add(o, "mempolicy", NULL);
	}
	json_object_object_add(x, "migrate", json_object_new_boolean(p->exec.migrate));
	json_object_object_add(x, "interval_ns", json_object_new_uint64(p->exec.interval_ns));
	json_object_object_add(
		x, "bytes_per_sweep",
		p->exec.bytes_per_sweep ? json_object_new_uint64(p->exec.bytes_per_sweep) : NULL);
	json_object_object_add(x, "call_time_ns", json_object_new_uint64(p->exec.call_time_ns));
	json_object_object_add(x, "target",
			       p->exec.target_nearest_dram ? json_object_new_string("nearest-dram")
							   : nodes_json(&p->exec.target));
	json_object_object_add(x, "report_only", json_object_new_boolean(p->exec.report_only));
	json_object_object_add(o, "exec", x);
	return o;
}

/* Read @path (at most POLICY_FILE_MAX bytes, one more to notice a bigger file). */
static int read_policy_file(const char *path, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return negative_errno();
	return read_fd_capped(fd, POLICY_FILE_MAX, ret_buf, ret_len);
}

/* Validate one file: EXIT_OK or EXIT_USAGE; adds its entry to @files (JSON) when set. */
static int validate_one(const struct topology *topo, const char *path, json_object *files)
{
	_cleanup_(policy_set_freep) struct policy_set *set = NULL;
	_cleanup_free_ char *buf = NULL, *safe = escape_bytes_dup(path, 0);
	struct error err = { 0 };
	json_object *entry = NULL;
	size_t len = 0;
	int r;

	if (!safe)
		return cli_fail(EXIT_RUNTIME, "out of memory");
	if (files) {
		entry = json_object_new_object();
		json_object_object_add(entry, "file", json_object_new_string(path));
		json_object_array_add(files, entry);
	}
	r = read_policy_file(path, &buf, &len);
	if (r == -EFBIG)
		error_set(&err, r, "%s: over the limit of %zu bytes (1 MiB)", safe,
			  POLICY_FILE_MAX);
	else if (r < 0)
		error_set(&err, r, "%s: cannot read: %s", safe, strerror(-r));
	else
		r = policy_set_parse(buf, len, path, topo, &set, &err);
	if (r < 0) {
		if (!err.code)
			error_set(&err, r, "%s: %s", safe, strerror(-r));
		fprintf(stderr, "%s\n", err.message);
		if (entry) {
			json_object_object_add(entry, "valid", json_object_new_boolean(false));
			json_object_object_add(entry, "error", json_object_new_string(err.message));
		}
		return EXIT_USAGE;
	}
	if (entry) {
		json_object *arr = json_object_new_array();

		json_object_object_add(entry, "valid", json_object_new_boolean(true));
		for (size_t i = 0; i < set->n_policies; i++)
			json_object_array_add(arr, policy_json(&set->policies[i]));
		json_object_object_add(entry, "policies", arr);
	} else {
		printf("%s: ok (%zu %s)\n", safe, set->n_policies,
		       set->n_policies == 1 ? "policy" : "policies");
	}
	return EXIT_OK;
}

int verb_validate(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
	_cleanup_(topology_freep) struct topology *topo = NULL;
	json_object *root = NULL, *files = NULL;
	int c, code, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: cxlpolicyctl [--json] validate FILE...\n\n"
			       "Check policy files (format: policies/README.md) against this\n"
			       "machine's topology. Exit 0 when every file is valid, 2 "
			       "otherwise.\n");
			return EXIT_OK;
		}
		return EXIT_USAGE;
	}
	if (optind >= argc)
		return cli_fail(EXIT_USAGE, "validate: no FILE given (try validate --help)");
	code = cli_load_topology(cli, &topo);
	if (code != EXIT_OK)
		return code;
	if (cli->json) {
		root = json_object_new_object();
		files = json_object_new_array();
		json_object_object_add(root, "files", files);
	}
	for (int i = optind; i < argc; i++)
		if (validate_one(topo, argv[i], files) != EXIT_OK)
			status = EXIT_USAGE;
	if (root) {
		json_object_object_add(root, "valid", json_object_new_boolean(status == EXIT_OK));
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	}
	fflush(stdout);
	return status;
}
