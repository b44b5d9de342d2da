/* SPDX-License-Identifier: MIT */
/*
 * cxlpolicyctl: keep executable pages off CXL memory — the admin CLI.
 *
 * Global options are accepted before the verb and after it, as systemctl and
 * cxl-cli do (`cxlpolicyctl nodes --json`).  main() takes them out of the
 * verb's arguments, except after "--", after the operand that starts run's
 * COMMAND, and where they are the value of one of the verb's own options
 * (`scan --cgroup --json` names a cgroup).  The verb parses the rest.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const sweep_values[] = { "--pid", "--cgroup", "--max-bytes", NULL };
static const char *const daemon_values[] = { "--socket", "--cgroup", "--policy", NULL };
static const char *const run_values[] = { "--membind", "--preferred",  "--interleave",
					  "--policy",  "--policy-dir", "--cgroup",
					  NULL };

static const struct verb verbs[] = {
	{ .name = "nodes",
	  .summary = "show NUMA nodes, their class (dram|cxl) and the evidence",
	  .run = verb_nodes },
	{ .name = "scan",
	  .summary = "report executable mappings and where their pages are",
	  .run = verb_scan,
	  .value_options = sweep_values },
	{ .name = "migrate",
	  .summary = "move CXL-resident executable pages to the nearest DRAM",
	  .run = verb_migrate,
	  .value_options = sweep_values },
	{ .name = "run",
	  .summary = "run a command under a memory policy (--membind 2, --policy NAME)",
	  .run = verb_run,
	  .value_options = run_values,
	  .operand_ends_options = true },
	{ .name = "validate",
	  .summary = "check policy files (policies/README.md) against this machine",
	  .run = verb_validate },
	{ .name = "warm",
	  .summary = "put files' page cache (e.g. a service's binary) on DRAM",
	  .run = verb_warm },
	{ .name = "apply",
	  .summary = "validate policy files and install them in cxlpolicyd (--dry-run: plan only)",
	  .run = verb_apply,
	  .value_options = daemon_values },
	{ .name = "status",
	  .summary = "per governed cgroup: policy and why, cpuset.mems, code on CXL, moves",
	  .run = verb_status,
	  .value_options = daemon_values },
	{ .name = "sweep",
	  .summary = "ask cxlpolicyd for a full sweep now",
	  .run = verb_sweep,
	  .value_options = daemon_values },
};

enum global_id { OPT_SYSROOT, OPT_CXL_NODES, OPT_JSON, OPT_MAPS_METHOD, OPT_VERSION };

struct global_option {
	const char *name; /* with its leading "--" */
	bool has_value;
	enum global_id id;
};

static const struct global_option globals[] = {
	{ "--sysroot", true, OPT_SYSROOT },  { "--cxl-nodes", true, OPT_CXL_NODES },
	{ "--json", false, OPT_JSON },	     { "--maps-method", true, OPT_MAPS_METHOD },
	{ "--version", false, OPT_VERSION },
};

/* Returned by take_global() for --version: stop, exit 0. */
#define EXIT_DONE (-1)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cxlpolicyctl [GLOBAL OPTIONS] VERB [OPTIONS] [GLOBAL OPTIONS]\n\n"
		"Global options (before or after the verb):\n"
		"  --sysroot DIR        read /proc and /sys below DIR (default $%s, else /)\n"
		"  --cxl-nodes LIST     treat exactly these nodes as CXL (e.g. 2-3)\n"
		"  --json               machine-readable output (schema: "
		"cmd/cxlpolicyctl/SCHEMA.md)\n"
		"  --maps-method M      auto (PROCMAP_QUERY when available) | text | query\n"
		"  --version            print the version\n"
		"  -h, --help           this text; VERB --help shows the verb's "
		"options\n\nVerbs:\n",
		SYSROOT_ENV);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(out, "  %-9s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out, "\nExit status: 0 success, 1 runtime failure, 2 bad usage or input,\n"
		     "3 (migrate, warm) some pages on CXL could not be moved.\n");
}

int cli_fail(int exit_code, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL, *safe = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		msg = NULL;
	else
		safe = escape_bytes_dup(msg, ESCAPE_KEEP_BACKSLASH);
	fprintf(stderr, "cxlpolicyctl: %s\n", safe ? safe : "out of memory formatting a message");
	return exit_code;
}

/* No byte that escaping would change (backslashes aside). */
static bool printable(const char *s)
{
	return escape_bytes_size(s, ESCAPE_KEEP_BACKSLASH) == strlen(s) + 1;
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(name, verbs[i].name) == 0)
			return &verbs[i];
	return NULL;
}

/* @arg is "--name" (@with_eq false) or "--name=value" (true) of one of @verb's value options. */
static bool is_value_option(const struct verb *verb, const char *arg, bool with_eq)
{
	for (const char *const *o = verb->value_options; o && *o; o++) {
		size_t n = strlen(*o);

		if (strncmp(arg, *o, n) == 0 && (with_eq ? arg[n] == '=' : arg[n] == '\0'))
			return true;
	}
	return false;
}

static int apply_global(struct cli *cli, enum global_id id, const char *value)
{
	switch (id) {
	case OPT_SYSROOT:
		if (!*value)
			return cli_fail(
				EXIT_USAGE,
				"invalid --sysroot \"\": expected a directory such as /host");
		cli->sysroot_path = value;
		cli->sysroot_origin = "--sysroot";
		return EXIT_OK;
	case OPT_CXL_NODES:
		if (idset_parse(value, &cli->topo_opts.cxl_override) < 0)
			return cli_fail(EXIT_USAGE,
					"invalid --cxl-nodes \"%s\": expected a node list such as "
					"\"2\" or \"2-3,5\"",
					ESCAPE_TERMINAL(value));
		cli->topo_opts.has_cxl_override = true;
		return EXIT_OK;
	case OPT_JSON:
		cli->json = true;
		return EXIT_OK;
	case OPT_MAPS_METHOD:
		if (strcmp(value, "auto") == 0)
			cli->maps_method = PROCMAPS_AUTO;
		else if (strcmp(value, "text") == 0)
			cli->maps_method = PROCMAPS_TEXT;
		else if (strcmp(value, "query") == 0)
			cli->maps_method = PROCMAPS_QUERY;
		else
			return cli_fail(
				EXIT_USAGE,
				"invalid --maps-method \"%s\": expected auto, text or query",
				ESCAPE_TERMINAL(value));
		return EXIT_OK;
	case OPT_VERSION:
		printf("cxlpolicyctl %s\n", CXLPOLICY_VERSION);
		return EXIT_DONE;
	}
	return EXIT_USAGE;
}

/*
 * If argv[*i] is a global option ("--json", "--sysroot DIR", "--sysroot=DIR"),
 * apply it, step *i over its value and set *taken.  Returns EXIT_OK, EXIT_DONE
 * or the exit code of a bad value.
 */
static int take_global(struct cli *cli, int argc, char **argv, int *i, bool *taken)
{
	const char *arg = argv[*i];

	*taken = false;
	for (size_t g = 0; g < ARRAY_SIZE(globals); g++) {
		size_t n = strlen(globals[g].name);
		const char *value = NULL;

		if (strncmp(arg, globals[g].name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
			continue;
		*taken = true;
		if (arg[n] == '=') {
			if (!globals[g].has_value)
				return cli_fail(EXIT_USAGE, "option %s takes no value",
						globals[g].name);
			value = arg + n + 1;
		} else if (globals[g].has_value) {
			if (*i + 1 >= argc)
				return cli_fail(EXIT_USAGE, "option %s needs a value",
						globals[g].name);
			value = argv[++*i];
		}
		return apply_global(cli, globals[g].id, value);
	}
	return EXIT_OK;
}

/*
 * Split argv into the global options (applied to @cli) and the verb's own
 * arguments (@verb_argv, room for @argc + 1 entries: [0] is the verb's name,
 * NULL ended, *@ret_verb_argc of them).  EXIT_DONE after --help/--version.
 */
static int parse_command_line(struct cli *cli, int argc, char **argv, const struct verb **ret_verb,
			      char **verb_argv, int *ret_verb_argc)
{
	const struct verb *verb;
	bool taken;
	int i, n = 0, code;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break; /* the verb */
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EXIT_DONE;
		}
		code = take_global(cli, argc, argv, &i, &taken);
		if (code != EXIT_OK)
			return code;
		if (!taken)
			return cli_fail(EXIT_USAGE, "unknown option \"%s\" (try --help)",
					ESCAPE_TERMINAL(a));
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	verb = find_verb(argv[i]);
	if (!verb)
		return cli_fail(EXIT_USAGE, "unknown verb \"%s\" (try --help)",
				ESCAPE_TERMINAL(argv[i]));
	verb_argv[n++] = argv[i];

	for (i++; i < argc; i++) {
		const char *a = argv[i];
		bool option = a[0] == '-' && a[1] != '\0';

		if (strcmp(a, "--") == 0 || (!option && verb->operand_ends_options)) {
			while (i < argc)
				verb_argv[n++] = argv[i++];
			break;
		}
		if (!option) {
			verb_argv[n++] = argv[i];
			continue;
		}
		if (is_value_option(verb, a, false)) {
			verb_argv[n++] = argv[i];
			if (i + 1 < argc)
				verb_argv[n++] = argv[++i];
			continue;
		}
		code = take_global(cli, argc, argv, &i, &taken);
		if (code != EXIT_OK)
			return code;
		if (taken)
			continue;
		/*
		 * getopt would echo an unknown option raw; no real option holds
		 * control bytes, so refuse such an argument here, escaped.
		 */
		if (!printable(a) && !is_value_option(verb, a, true))
			return cli_fail(EXIT_USAGE, "%s: unknown option \"%s\" (try %s --help)",
					verb->name, ESCAPE_TERMINAL(a), verb->name);
		verb_argv[n++] = argv[i];
	}
	verb_argv[n] = NULL;
	*ret_verb = verb;
	*ret_verb_argc = n;
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	_cleanup_free_ char **verb_argv = calloc((size_t)argc + 1, sizeof(char *));
	struct cli cli = { .maps_method = PROCMAPS_AUTO };
	const struct verb *verb = NULL;
	int verb_argc = 0, code;

	if (!verb_argv)
		return cli_fail(EXIT_RUNTIME, "out of memory");
	code = parse_command_line(&cli, argc, argv, &verb, verb_argv, &verb_argc);
	if (code != EXIT_OK)
		return code == EXIT_DONE ? EXIT_OK : code;
	optind = 0; /* full getopt reset: the verb parses its own options */
	code = verb->run(&cli, verb_argc, verb_argv);
	sysroot_free(cli.root);
	return code;
}
