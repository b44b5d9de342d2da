/* SPDX-License-Identifier: MIT */
/*
 * cxlpolicyctl run: start a command under a memory policy.  No kernel
 * interface sets another running process's policy, so policy is applied at
 * launch: set_mempolicy() on ourselves, then exec.
 */
#include <getopt.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void usage(void)
{
	printf("usage: cxlpolicyctl run (--membind LIST | --preferred NODE | --interleave LIST) -- "
	       "COMMAND [ARGS...]\n");
}

int verb_run(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = { { "membind", required_argument, NULL, 'b' },
						 { "preferred", required_argument, NULL, 'p' },
						 { "interleave", required_argument, NULL, 'i' },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	struct idset nodes;
	unsigned long mask[IDSET_MAX / (8 * sizeof(unsigned long))];
	int mode = -1, c, e;
	const char *list = NULL, *name = NULL;

	(void)cli;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (c == 'h') {
			usage();
			return EXIT_OK;
		}
		if (c == '?')
			return EXIT_USAGE;
		if (mode != -1)
			return cli_fail(
				EXIT_USAGE,
				"run: give exactly one of --membind, --preferred, --interleave");
		mode = c == 'b' ? MPOL_BIND : c == 'p' ? MPOL_PREFERRED : MPOL_INTERLEAVE;
		name = c == 'b' ? "--membind" : c == 'p' ? "--preferred" : "--interleave";
		list = optarg;
	}
	if (mode == -1)
		return cli_fail(
			EXIT_USAGE,
			"run: give one of --membind LIST, --preferred NODE, --interleave LIST");
	if (optind >= argc)
		return cli_fail(EXIT_USAGE, "run: missing COMMAND (after --)");
	if (idset_parse(list, &nodes) < 0 || idset_empty(&nodes))
		return cli_fail(
			EXIT_USAGE,
			"run: invalid %s \"%s\": expected a node list such as \"0\" or \"0-1\"",
			name, ESCAPE_TERMINAL(list));
	if (mode == MPOL_PREFERRED && idset_count(&nodes) != 1)
		return cli_fail(EXIT_USAGE, "run: --preferred takes one node, got \"%s\"",
				ESCAPE_TERMINAL(list));

	memcpy(mask, nodes.bits, sizeof(mask));
	if (set_mempolicy(mode, mask, IDSET_MAX) < 0) {
		e = errno;
		return cli_fail(EXIT_RUNTIME,
				"run: set_mempolicy(%s %s): %s (is every node online, with memory, "
				"and allowed by this cpuset?)",
				name, ESCAPE_TERMINAL(list), strerror(e));
	}
	execvp(argv[optind], argv + optind);
	e = errno;
	return cli_fail(e == ENOENT ? 127 : 126, "run: cannot execute \"%s\": %s",
			ESCAPE_TERMINAL(argv[optind]), strerror(e));
}
