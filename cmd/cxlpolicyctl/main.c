/* SPDX-License-Identifier: MIT */
/* cxlpolicyctl: keep executable pages off CXL memory — the admin CLI. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct verb verbs[] = {
	{ "nodes", "show NUMA nodes, their class (dram|cxl) and the evidence", verb_nodes },
	{ "scan", "report executable mappings and where their pages are", verb_scan },
	{ "migrate", "move CXL-resident executable pages to the nearest DRAM", verb_migrate },
	{ "run", "run a command under a memory policy (e.g. --membind 2)", verb_run },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cxlpolicyctl [GLOBAL OPTIONS] VERB [OPTIONS]\n\n"
		"Global options:\n"
		"  --sysroot DIR        read /proc and /sys below DIR (default /, or $%s)\n"
		"  --cxl-nodes LIST     treat exactly these nodes as CXL (e.g. 2-3)\n"
		"  --json               machine-readable output (schema: "
		"cmd/cxlpolicyctl/SCHEMA.md)\n"
		"  --maps-method M      auto (PROCMAP_QUERY when available) | text | query\n"
		"  -h, --help           this text\n\nVerbs:\n",
		SYSROOT_ENV);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(out, "  %-9s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out, "\nExit status: 0 success, 1 runtime failure, 2 bad usage or input.\n");
}

int cli_fail(int exit_code, const char *fmt, ...)
{
	va_list ap;

	fputs("cxlpolicyctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return exit_code;
}

int main(int argc, char **argv)
{
	static const struct option options[] = { { "sysroot", required_argument, NULL, 'r' },
						 { "cxl-nodes", required_argument, NULL, 'c' },
						 { "json", no_argument, NULL, 'j' },
						 { "maps-method", required_argument, NULL, 'm' },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	struct cli cli = { .maps_method = PROCMAPS_AUTO };
	int c, code;

	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			cli.sysroot_path = optarg;
			break;
		case 'c':
			if (idset_parse(optarg, &cli.topo_opts.cxl_override) < 0)
				return cli_fail(EXIT_USAGE,
						"invalid --cxl-nodes \"%s\": expected a node list "
						"such as \"2\" or \"2-3,5\"",
						optarg);
			cli.topo_opts.has_cxl_override = true;
			break;
		case 'j':
			cli.json = true;
			break;
		case 'm':
			if (strcmp(optarg, "auto") == 0)
				cli.maps_method = PROCMAPS_AUTO;
			else if (strcmp(optarg, "text") == 0)
				cli.maps_method = PROCMAPS_TEXT;
			else if (strcmp(optarg, "query") == 0)
				cli.maps_method = PROCMAPS_QUERY;
			else
				return cli_fail(EXIT_USAGE,
						"invalid --maps-method \"%s\": expected auto, text "
						"or query",
						optarg);
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (strcmp(argv[optind], verbs[i].name) != 0)
			continue;
		/* The verb parses its own options: argv[0] is the verb. */
		optind++;
		{
			int vargc = argc - optind + 1;
			char **vargv = argv + optind - 1;

			optind = 0; /* full getopt reset */
			code = verbs[i].run(&cli, vargc, vargv);
		}
		sysroot_free(cli.root);
		return code;
	}
	return cli_fail(EXIT_USAGE, "unknown verb \"%s\" (try --help)", argv[optind]);
}
