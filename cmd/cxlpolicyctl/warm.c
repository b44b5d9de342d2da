/* SPDX-License-Identifier: MIT */
/*
 * cxlpolicyctl warm FILE...: put the files' page cache on DRAM (pkg/warm.h),
 * e.g. `ExecStartPre=cxlpolicyctl warm /usr/bin/foo`.  Exit 0 when every
 * page of every file is on DRAM, 3 when some stayed on CXL, 2 for a bad
 * file (directory, FIFO, device, too big), 1 when the work failed.
 */
#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "warm.h"

static void usage(void)
{
	printf("usage: cxlpolicyctl warm [--json] FILE...\n"
	       "Put the files' page cache on DRAM: pages on CXL are moved, pages not in\n"
	       "the page cache are read in bound to DRAM.  Exit 0 all on DRAM, 3 some\n"
	       "left on CXL, 2 bad input, 1 failure.\n");
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0:
		return NULL;
	case EACCES:
		return "EACCES";
	case EBUSY:
		return "EBUSY";
	case ENOMEM:
		return "ENOMEM";
	case EAGAIN:
		return "EAGAIN";
	case ENXIO:
		return "ENXIO";
	case EINVAL:
		return "EINVAL";
	case EFAULT:
		return "EFAULT";
	case ENOENT:
		return "ENOENT";
	case EPERM:
		return "EPERM";
	}
	return "other";
}

static const char *left_reason(const struct warm_result *r)
{
	switch (r->left_errno) {
	case EACCES:
		return "mapped by other processes; moving shared page cache needs CAP_SYS_NICE";
	case EBUSY:
	case EAGAIN:
		return "the kernel could not move them now (busy or pinned)";
	case ENOMEM:
		return "no free memory on the DRAM node";
	case ENXIO:
		return "no DRAM node allowed to move them to";
	}
	return r->left_errno ? strerror(r->left_errno) : "";
}

static json_object *result_json(const char *path, const struct warm_result *r)
{
	json_object *o = json_object_new_object();
	char list[256];

	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "size", json_object_new_uint64(r->size));
	json_object_object_add(o, "pages", json_object_new_uint64(r->pages));
	json_object_object_add(o, "already_dram", json_object_new_uint64(r->already_dram));
	json_object_object_add(o, "faulted", json_object_new_uint64(r->faulted));
	json_object_object_add(o, "moved", json_object_new_uint64(r->moved));
	json_object_object_add(o, "left_cxl", json_object_new_uint64(r->left_cxl));
	json_object_object_add(o, "unknown", json_object_new_uint64(r->unknown));
	json_object_object_add(o, "left_errno",
			       r->left_errno ? json_object_new_string(errno_name(r->left_errno))
					     : NULL);
	json_object_object_add(o, "move_privilege",
			       json_object_new_string(r->move_all ? "move_all" : "move"));
	json_object_object_add(o, "residency_visible",
			       json_object_new_boolean(r->residency_visible));
	json_object_object_add(o, "dram_nodes",
			       json_object_new_string(idset_format(&r->dram, list, sizeof(list))));
	return o;
}

static json_object *error_json(const char *path, int r, const char *message)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "error", json_object_new_string(message));
	json_object_object_add(o, "errno", json_object_new_string(errno_name(-r)));
	return o;
}

int cli_warm_file(const struct topology *topo, const char *path, struct warm_result *ret,
		  struct error *err)
{
	struct warm_options opts = { .topo = topo };
	_cleanup_close_ int fd = warm_open(path, 0);

	if (fd < 0) {
		const char *why = fd == -EISDIR	  ? "a directory, expected a regular file"
				  : fd == -EINVAL ? "not a regular file (FIFO, socket or device)"
				  : fd == -EFBIG  ? "larger than 16 GiB"
						  : strerror(-fd);

		return error_set(err, fd, "%s: %s", ESCAPE_TERMINAL(path), why);
	}
	return warm_fd(fd, &opts, ret, err);
}

int verb_warm(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
	_cleanup_(topology_freep) struct topology *topo = NULL;
	json_object *files = NULL;
	bool bad = false, failed = false, left = false;
	int c, code;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (c == 'h') {
			usage();
			return EXIT_OK;
		}
		return EXIT_USAGE;
	}
	if (optind >= argc)
		return cli_fail(EXIT_USAGE, "warm: missing FILE (try warm --help)");
	code = cli_load_topology(cli, &topo);
	if (code != EXIT_OK)
		return code;
	if (cli->json)
		files = json_object_new_array();
	else
		printf("%-8s %-12s %-8s %-6s %-8s %-7s %s\n", "PAGES", "ALREADY_DRAM", "FAULTED",
		       "MOVED", "LEFT_CXL", "UNKNOWN", "FILE");

	for (int i = optind; i < argc; i++) {
		struct warm_result res = { 0 };
		struct error err = { 0 };
		int r = cli_warm_file(topo, argv[i], &res, &err);

		if (r < 0) {
			bool input = r == -EISDIR || r == -EINVAL || r == -EFBIG || r == -ENOENT ||
				     r == -ENOTDIR || r == -ENAMETOOLONG || r == -ELOOP;

			if (input)
				bad = true;
			else
				failed = true;
			if (files)
				json_object_array_add(files, error_json(argv[i], r, err.message));
			cli_fail(input ? EXIT_USAGE : EXIT_RUNTIME, "warm: %s", err.message);
			continue;
		}
		if (res.left_cxl || res.unknown)
			left = true;
		if (files) {
			json_object_array_add(files, result_json(argv[i], &res));
			continue;
		}
		printf("%-8ju %-12ju %-8ju %-6ju %-8ju %-7ju %s\n", (uintmax_t)res.pages,
		       (uintmax_t)res.already_dram, (uintmax_t)res.faulted, (uintmax_t)res.moved,
		       (uintmax_t)res.left_cxl, (uintmax_t)res.unknown, ESCAPE_TERMINAL(argv[i]));
		if (res.left_cxl)
			printf("  %ju pages left on CXL: %s (%s)%s\n", (uintmax_t)res.left_cxl,
			       left_reason(&res), errno_name(res.left_errno),
			       res.move_all ? "" : "; MPOL_MF_MOVE_ALL was refused (EPERM)");
		if (!res.residency_visible && res.pages)
			printf("  page cache residency is shown only to the file's owner or root: "
			       "pages others had cached count as faulted\n");
	}
	if (files) {
		json_object *root = json_object_new_object();

		json_object_object_add(root, "files", files);
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								  JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	}
	return bad ? EXIT_USAGE : failed ? EXIT_RUNTIME : left ? EXIT_PARTIAL : EXIT_OK;
}
