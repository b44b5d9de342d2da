/* SPDX-License-Identifier: MIT */
/*
 * systemd unit names -> their cgroups, for matching.  The bus is opened on
 * first use and kept; when there is no systemd (a container without it, the
 * test guest's busybox init) every unit resolves to nothing and status says
 * the units are unresolved.
 */
#pragma once

#include <stddef.h>

#include "manager.h"

struct unit_lookup {
	const char *unit; /* borrowed from the caller's names */
	char *cgroup; /* NULL: not loaded, no cgroup, or no systemd */
};

int unitlookup(struct manager *m, const char *const *names, size_t n, struct unit_lookup **ret,
	       size_t *ret_n);
void unitlookup_free(struct unit_lookup *u, size_t n);
void units_bus_close(struct manager *m);
/* systemd's bus (opened on first use), NULL when there is no systemd. */
sd_bus *unitlookup_bus(struct manager *m);

/* A slice whose unit file (or a drop-in) says X-CXLPolicy=NAME (units.h). */
struct carried_policy {
	char *unit;
	char *policy;
};

/*
 * The slices systemd has loaded that carry X-CXLPolicy=, re-read only after
 * systemd said units came, went or were reloaded (units_watch): into
 * m->carried.  No systemd: none.  Bad X-CXLPolicy= lines are logged once per
 * change and the slice is skipped.
 */
int unitlookup_carried(struct manager *m);
void carried_policies_free(struct carried_policy *c, size_t n);
