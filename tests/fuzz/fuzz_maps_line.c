/* SPDX-License-Identifier: MIT */
/*
 * /proc/PID/maps text: procmaps_parse_line() on the first line and
 * procmaps_parse() on the whole input (exec-only when the first byte is odd).
 * Invariants: the exec-only list holds only executable VMAs, and a line that
 * parses alone parses the same inside a one-line text (which drops [vsyscall]).
 */
#include "fuzzlib.h"
#include "procmaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char *line = strndup(text, strcspn(text, "\n"));
	struct vma_list list = { 0 };
	bool exec_only = size > 0 && (data[0] & 1);
	struct vma one = { 0 };
	int r_line, r;

	if (!line)
		abort();
	r_line = procmaps_parse_line(line, &one);

	r = procmaps_parse(text, exec_only, &list);
	if (r >= 0 && exec_only)
		for (size_t i = 0; i < list.n; i++)
			FUZZ_ASSERT(vma_is_exec(&list.items[i]), "vma %zu is %s", i,
				    list.items[i].perms);
	vma_list_free(&list);

	memset(&list, 0, sizeof(list));
	if (r_line >= 0 && strcmp(one.name, "[vsyscall]") != 0 &&
	    procmaps_parse(line, false, &list) >= 0) {
		FUZZ_ASSERT(list.n == 1, "one line gave %zu VMAs", list.n);
		FUZZ_ASSERT(list.items[0].start == one.start && list.items[0].end == one.end &&
				    list.items[0].inode == one.inode &&
				    strcmp(list.items[0].name, one.name) == 0,
			    "parse_line and parse disagree on '%s'", line);
	}
	vma_list_free(&list);
	free(one.name);
	free(line);
	free(text);
	return 0;
}
