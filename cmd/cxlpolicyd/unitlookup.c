/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "unitlookup.h"
#include "units.h"

void units_bus_close(struct manager *m)
{
	m->bus = sd_bus_flush_close_unref(m->bus);
}

void unitlookup_free(struct unit_lookup *u, size_t n)
{
	for (size_t i = 0; u && i < n; i++)
		free(u[i].cgroup);
	free(u);
}

int unitlookup(struct manager *m, const char *const *names, size_t n, struct unit_lookup **ret,
	       size_t *ret_n)
{
	struct unit_lookup *out = calloc(n ? n : 1, sizeof(*out));
	struct unit_cgroup *res = NULL;
	size_t n_res = 0;
	struct error err = { 0 };
	int r;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		out[i].unit = names[i];
	if (!m->bus && !m->bus_unavailable) {
		r = units_bus_open(&m->bus, &err);
		if (r < 0) {
			m->bus_unavailable = true;
			snprintf(m->bus_error, sizeof(m->bus_error), "unit names not resolved: %s",
				 err.message);
			log_warning("%s", m->bus_error);
		}
	}
	if (m->bus) {
		r = units_resolve(m->bus, names, n, &res, &n_res, &err);
		if (r < 0) {
			log_warning("resolving units: %s", err.message);
			/* the bus may have gone (systemd re-executed): reconnect next time */
			units_bus_close(m);
		} else {
			for (size_t i = 0; i < n_res && i < n; i++)
				if (res[i].cgroup) {
					out[i].cgroup = strdup(res[i].cgroup);
					if (!out[i].cgroup) {
						unit_cgroups_free(res, n_res);
						unitlookup_free(out, n);
						return -ENOMEM;
					}
				}
			unit_cgroups_free(res, n_res);
		}
	}
	*ret = out;
	*ret_n = n;
	return 0;
}
