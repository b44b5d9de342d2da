/* SPDX-License-Identifier: MIT */
/*
 * unitcg — drives cmd/cxlpolicyd/units.c against the guest's real systemd (the systemd-*
 * guest cases).
 *
 *   unitcg bus                     how units_bus_open() reached systemd: "private" or "bus"
 *   unitcg resolve UNIT...         one line per unit: "UNIT CGROUP", "-" when it has none
 *   unitcg policy UNIT             its X-CXLPolicy= name, "-" when none
 *   unitcg watch UNIT SECONDS      subscribe, print "WATCHING", then one line per event
 *                                  ("new|removed|job|reloaded UNIT [RESULT]"); exit 0 at the
 *                                  first finished job of UNIT, 1 after SECONDS without one
 * Errors: "unitcg: MESSAGE" on stderr, exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "units.h" /* cmd/cxlpolicyd */

struct watch_state {
	const char *unit;
	sd_event *event;
};

static int die(int r, const struct error *err)
{
	fprintf(stderr, "unitcg: %s\n", err->message[0] ? err->message : strerror(-r));
	return 1;
}

static int on_event(const struct unit_event *ev, void *userdata)
{
	static const char *const names[] = { "new", "removed", "job", "reloaded" };
	struct watch_state *st = userdata;

	printf("%s %s%s%s\n", names[ev->type], ev->unit ? ev->unit : "-", ev->job_result ? " " : "",
	       ev->job_result ? ev->job_result : "");
	fflush(stdout);
	if (ev->type == UNIT_EVENT_JOB_DONE && strcmp(ev->unit, st->unit) == 0)
		sd_event_exit(st->event, 0);
	return 0;
}

static int watch(sd_bus *bus, const char *unit, const char *seconds, struct error *err)
{
	struct watch_state st = { .unit = unit };
	struct units_watch *w = NULL;
	uint64_t now;
	int r;

	r = sd_event_default(&st.event);
	if (r < 0)
		return r;
	r = units_watch_new(bus, st.event, on_event, &st, &w, err);
	if (r < 0)
		goto out;
	/* After the timer: exit code 1 */
	sd_event_now(st.event, CLOCK_MONOTONIC, &now);
	r = sd_event_add_time(st.event, NULL, CLOCK_MONOTONIC,
			      now + strtoull(seconds, NULL, 10) * 1000000ULL, 0, NULL,
			      (void *)(intptr_t)1);
	if (r < 0)
		goto out;
	printf("WATCHING\n");
	fflush(stdout);
	r = sd_event_loop(st.event);
	if (r == 1)
		fprintf(stderr, "unitcg: no finished job of %s in %s s\n", unit, seconds);
out:
	units_watch_free(w);
	sd_bus_detach_event(bus);
	sd_event_unref(st.event);
	return r;
}

int main(int argc, char **argv)
{
	struct error err = { 0 };
	sd_bus *bus = NULL;
	int r;

	if (argc < 2) {
		fprintf(stderr,
			"usage: unitcg bus | resolve UNIT... | policy UNIT | watch UNIT SECONDS\n");
		return 2;
	}
	r = units_bus_open(&bus, &err);
	if (r < 0)
		return die(r, &err);
	if (strcmp(argv[1], "bus") == 0) {
		printf("%s\n", sd_bus_is_bus_client(bus) > 0 ? "bus" : "private");
	} else if (strcmp(argv[1], "resolve") == 0) {
		struct unit_cgroup *cgs = NULL;
		size_t n = 0;

		r = units_resolve(bus, (const char *const *)argv + 2, (size_t)argc - 2, &cgs, &n,
				  &err);
		if (r < 0)
			return die(r, &err);
		for (size_t i = 0; i < n; i++)
			printf("%s %s\n", cgs[i].unit, cgs[i].cgroup ? cgs[i].cgroup : "-");
		unit_cgroups_free(cgs, n);
	} else if (strcmp(argv[1], "policy") == 0 && argc == 3) {
		char *name = NULL;

		r = units_policy_name(bus, argv[2], &name, &err);
		if (r < 0)
			return die(r, &err);
		printf("%s\n", name ? name : "-");
		free(name);
	} else if (strcmp(argv[1], "watch") == 0 && argc == 4) {
		r = watch(bus, argv[2], argv[3], &err);
		if (r < 0)
			return die(r, &err);
		if (r == 1)
			return 1;
	} else {
		fprintf(stderr, "unitcg: unknown command or wrong arguments: %s\n", argv[1]);
		return 2;
	}
	sd_bus_flush_close_unref(bus);
	return 0;
}
