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
	m->units_watch = units_watch_free(m->units_watch);
	m->bus = sd_bus_flush_close_unref(m->bus);
	m->carried_dirty = true;
}

void carried_policies_free(struct carried_policy *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].unit);
		free(c[i].policy);
	}
	free(c);
}

static int on_unit_event(const struct unit_event *ev, void *userdata)
{
	struct manager *m = userdata;

	/* slices come and go with pods and services: re-read the carried policies lazily */
	if (ev->type == UNIT_EVENT_RELOADED || !ev->unit || strstr(ev->unit, ".slice"))
		m->carried_dirty = true;
	return 0;
}

/* Open the bus once (and watch units); false when there is no systemd. */
static bool bus_ready(struct manager *m)
{
	struct error err = { 0 };
	int r;

	if (m->bus)
		return true;
	if (m->bus_unavailable)
		return false;
	r = units_bus_open(&m->bus, &err);
	if (r < 0) {
		m->bus_unavailable = true;
		snprintf(m->bus_error, sizeof(m->bus_error), "unit names not resolved: %s",
			 err.message);
		log_warning("%s", m->bus_error);
		return false;
	}
	r = units_watch_new(m->bus, m->event, on_unit_event, m, &m->units_watch, &err);
	if (r < 0)
		log_warning("not watching systemd units (slices carrying X-CXLPolicy= are re-read "
			    "every refresh): %s",
			    err.message);
	m->carried_dirty = true;
	return true;
}

/* The names of the slices systemd has loaded (ListUnitsByPatterns). */
static int list_slices(sd_bus *bus, char ***ret, size_t *ret_n)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	const char *name;
	int r;

	r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", "ListUnitsByPatterns", &e,
			       &reply, "asas", 0, 1, "*.slice");
	sd_bus_error_free(&e);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(ssssssouso)", &name, NULL, NULL, NULL,
						  NULL, NULL, NULL, NULL, NULL, NULL)) > 0) {
		if (GROW_ARRAY(names, cap, n + 1) < 0 || !(names[n] = strdup(name))) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	sd_bus_message_unref(reply);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return r;
	}
	*ret = names;
	*ret_n = n;
	return 0;
}

int unitlookup_carried(struct manager *m)
{
	struct carried_policy *c = NULL;
	char **slices = NULL;
	size_t n_slices = 0, n = 0, cap = 0;
	int r;

	if (!m->carried_dirty && m->units_watch)
		return 0;
	if (!bus_ready(m))
		return 0;
	r = list_slices(m->bus, &slices, &n_slices);
	if (r < 0) {
		log_warning("listing systemd slices: %s", strerror(-r));
		units_bus_close(m);
		return 0;
	}
	for (size_t i = 0; i < n_slices; i++) {
		struct error err = { 0 };
		char *policy = NULL;

		r = units_policy_name(m->bus, slices[i], &policy, &err);
		if (r < 0) {
			log_warning("%s: X-CXLPolicy= ignored: %s", slices[i], err.message);
			continue;
		}
		if (!policy)
			continue;
		if (GROW_ARRAY(c, cap, n + 1) < 0) {
			free(policy);
			r = -ENOMEM;
			break;
		}
		c[n].unit = slices[i];
		c[n].policy = policy;
		slices[i] = NULL;
		n++;
	}
	for (size_t i = 0; i < n_slices; i++)
		free(slices[i]);
	free(slices);
	if (r == -ENOMEM) {
		carried_policies_free(c, n);
		return r;
	}
	carried_policies_free(m->carried, m->n_carried);
	m->carried = c;
	m->n_carried = n;
	m->carried_dirty = false;
	return 0;
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

sd_bus *unitlookup_bus(struct manager *m)
{
	return bus_ready(m) ? m->bus : NULL;
}
