/* SPDX-License-Identifier: MIT */
/*
 * Printing a sweep as it goes: a table for people, JSON (SCHEMA.md) for
 * programs.  Each process is printed when the sweep hands it over and then
 * forgotten, so memory stays flat with the number of processes; totals come
 * at the end.  Every string a process or file controls is escaped (tables)
 * or made valid UTF-8 (JSON).
 */
#pragma once

#include <stdbool.h>

#include "sweep.h"

struct report_options {
	bool json;
	bool mappings; /* table: list every executable mapping */
	bool summary; /* table: totals only */
	bool migrate;
	bool dry_run;
	bool single; /* one --pid: its error is explained by the caller */
	uint64_t max_bytes;
	enum move_privilege privilege; /* migrate: whether MPOL_MF_MOVE_ALL could be used */
	const struct topology *topo;
};

struct reporter {
	const struct report_options *o;
	size_t printed;
};

void report_begin(struct reporter *rep, const struct report_options *o);
/* A sweep_process_fn: @userdata is the struct reporter. */
int report_process(const struct process_report *p, const struct process_moves *moves,
		   void *userdata);
void report_end(struct reporter *rep, const struct sweep_result *res);
