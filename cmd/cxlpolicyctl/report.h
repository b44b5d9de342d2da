/* SPDX-License-Identifier: MIT */
/* Printing a sweep result: a table for people, JSON (SCHEMA.md) for programs. */
#pragma once

#include <stdbool.h>

#include "sweep.h"

struct report_options {
	bool json;
	bool mappings; /* table: list every executable mapping */
	bool summary; /* table: totals only */
	bool migrate;
	bool dry_run;
	uint64_t max_bytes;
	const struct topology *topo;
};

void report_print(const struct sweep_result *res, const struct report_options *o);
