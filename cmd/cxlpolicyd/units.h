/* SPDX-License-Identifier: MIT */
/*
 * systemd units over sd-bus: unit names to their cgroups, units coming and going, and the
 * X-CXLPolicy= a unit carries.
 *
 * Nothing here starts, stops or loads a unit.  Resolution uses GetUnit, not LoadUnit: a unit
 * systemd has not loaded has no cgroup, so there is nothing to govern, and LoadUnit would make
 * PID 1 read unit files and hold a unit object for every name in every policy, on every
 * resolution.  When the unit later starts, a units_watch event says so and the daemon resolves
 * again.
 *
 * Errors: negative errno, with @err (may be NULL) naming the unit and what systemd said.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "error.h"
#include "idset.h"

/*
 * A connection to systemd (PID 1).  As root: systemd's private socket /run/systemd/private
 * first, as systemctl does (it works while dbus-daemon is absent, restarting or not yet
 * started, and needs no bus policy), then the system bus; otherwise the system bus.  Fails
 * with a message naming both attempts.
 */
int units_bus_open(sd_bus **ret, struct error *err);

struct unit_cgroup {
	char *unit; /* the name asked for */
	/*
	 * Its ControlGroup relative to the cgroup root, no leading '/' ("" for -.slice, the
	 * root); NULL when systemd has not loaded the unit or it has no cgroup (inactive).
	 */
	char *cgroup;
};

/*
 * Resolve @n unit names (services, scopes, slices, sockets, mounts, swaps) to their cgroups,
 * in order, into a new array *@ret of *@ret_n (= @n) entries.  An invalid unit name is an
 * error (-EINVAL) as is any bus failure other than "no such unit"; *@ret and *@ret_n are
 * untouched on failure.  Free with unit_cgroups_free().
 */
int units_resolve(sd_bus *bus, const char *const *names, size_t n, struct unit_cgroup **ret,
		  size_t *ret_n, struct error *err);
void unit_cgroups_free(struct unit_cgroup *array, size_t n);

/*
 * The X-CXLPolicy= of @unit: read from the [Unit] section of the unit's fragment and
 * drop-ins (its FragmentPath and DropInPaths properties, in the order systemd applies them;
 * the last assignment wins, an empty one resets), see pkg/unitfile.h for the syntax.  Each
 * file must be a regular file owned by root, not writable by group or others, at most
 * UNITFILE_SIZE_MAX bytes; a masked one (/dev/null) is skipped.  *@ret_policy_name is a new
 * string, or NULL when the unit is not loaded or carries no policy.  A malformed or unsafe
 * file fails the whole call (-EINVAL, -EPERM, -EFBIG) naming the file and line: the unit's
 * policy is then unknown, never silently none.  The files are read as they are now; if they
 * changed without a daemon-reload, systemd's view and this one may differ until it happens.
 */
int units_policy_name(sd_bus *bus, const char *unit, char **ret_policy_name, struct error *err);

/* ---- units coming and going ---- */

enum unit_event_type {
	UNIT_EVENT_NEW, /* systemd loaded a unit (UnitNew): it may get a cgroup soon */
	UNIT_EVENT_REMOVED, /* systemd unloaded a unit (UnitRemoved): its cgroup is gone */
	/*
	 * A job on a unit finished (JobRemoved): a start that succeeded made its cgroup, a
	 * stop removed its processes.  The daemon resolves the unit again.
	 */
	UNIT_EVENT_JOB_DONE,
	/* systemd finished a daemon-reload (Reloading false): resolve everything again */
	UNIT_EVENT_RELOADED,
};

struct unit_event {
	enum unit_event_type type;
	const char *unit; /* NULL for UNIT_EVENT_RELOADED */
	const char *job_result; /* UNIT_EVENT_JOB_DONE: "done", "failed", "canceled", ... */
};

/*
 * Called from the sd-event loop for every event; the strings live until it returns.  A
 * negative return is logged by sd-bus at debug level and otherwise ignored.
 */
typedef int (*unit_event_handler_t)(const struct unit_event *event, void *userdata);

struct units_watch;

/*
 * Watch units on @bus: attach @bus to @event (unless it is attached already), match the
 * manager's UnitNew, UnitRemoved, JobRemoved and Reloading signals and call Subscribe() (which
 * systemd needs before it sends them at all).  On a system bus connection the matches name
 * systemd as the sender; on the private socket (a direct connection, no sender field) they
 * cannot and need not.  @handler runs for each signal until units_watch_free().
 */
int units_watch_new(sd_bus *bus, sd_event *event, unit_event_handler_t handler, void *userdata,
		    struct units_watch **ret, struct error *err);
/* Removes the matches and calls Unsubscribe() (best effort); accepts NULL. */
struct units_watch *units_watch_free(struct units_watch *watch);

/* ---- a unit's allowed memory nodes ---- */

/* Whether @name (a cgroup path's last component) names a unit type that owns a cgroup. */
bool units_is_unit_name(const char *name);

/*
 * Set AllowedMemoryNodes= (and StartupAllowedMemoryNodes=) of @unit to @nodes,
 * at runtime (SetUnitProperties, runtime=true): systemd then enables the cpuset
 * controller on the unit's ancestors itself and writes cpuset.mems, and keeps
 * both across daemon-reloads and unit starts, where a direct write to the
 * cgroup would be undone when systemd realizes the slice again.
 */
int units_set_allowed_memory_nodes(sd_bus *bus, const char *unit, const struct idset *nodes,
				   struct error *err);
