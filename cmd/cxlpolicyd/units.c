/* SPDX-License-Identifier: MIT */
#include "units.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "escape.h"
#include "macro.h"
#include "policy.h"
#include "unitfile.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT "org.freedesktop.systemd1.Unit"
#define PRIVATE_SOCKET "/run/systemd/private"

static void strv_free(char **l)
{
	for (char **p = l; p && *p; p++)
		free(*p);
	free(l);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)

static int open_private(sd_bus **ret)
{
	_cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
	int r;

	r = sd_bus_new(&bus);
	if (r < 0)
		return r;
	r = sd_bus_set_address(bus, "unix:path=" PRIVATE_SOCKET);
	if (r < 0)
		return r;
	(void)sd_bus_set_description(bus, "cxlpolicyd-systemd-private");
	r = sd_bus_start(bus);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(bus);
	return 0;
}

int units_bus_open(sd_bus **ret, struct error *err)
{
	int rp = -EPERM, rs;

	if (geteuid() == 0) {
		rp = open_private(ret);
		if (rp >= 0)
			return 0;
	}
	rs = sd_bus_open_system(ret);
	if (rs >= 0) {
		/* sd_bus_open_system() connects lazily: make a failure show now. */
		rs = sd_bus_call_method(*ret, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					"org.freedesktop.DBus.Peer", "Ping", NULL, NULL, "");
		if (rs >= 0)
			return 0;
		*ret = sd_bus_unref(*ret);
	}
	if (geteuid() == 0)
		return error_set(err, rs,
				 "cannot reach systemd: " PRIVATE_SOCKET ": %s; system bus: %s "
				 "(is systemd PID 1?)",
				 strerror(-rp), strerror(-rs));
	return error_set(err, rs,
			 "cannot reach systemd: system bus: %s (not root, so systemd's private "
			 "socket is not an option)",
			 strerror(-rs));
}

/* The D-Bus interface that carries ControlGroup for @unit's type. */
static const char *cgroup_interface(const char *unit)
{
	static const struct {
		const char *suffix, *iface;
	} types[] = {
		{ ".service", "org.freedesktop.systemd1.Service" },
		{ ".scope", "org.freedesktop.systemd1.Scope" },
		{ ".slice", "org.freedesktop.systemd1.Slice" },
		{ ".socket", "org.freedesktop.systemd1.Socket" },
		{ ".mount", "org.freedesktop.systemd1.Mount" },
		{ ".swap", "org.freedesktop.systemd1.Swap" },
	};
	size_t n = strlen(unit);

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		size_t s = strlen(types[i].suffix);

		if (n > s && strcmp(unit + n - s, types[i].suffix) == 0)
			return types[i].iface;
	}
	return NULL;
}

static bool gone(const sd_bus_error *e)
{
	/* Not loaded, or unloaded between GetUnit and the property read. */
	return sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit") ||
	       sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.UnknownObject");
}

/* The object path of loaded @unit in *@ret, or 0 with *@ret NULL when it is not loaded. */
static int get_unit(sd_bus *bus, const char *unit, char **ret, struct error *err)
{
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *path;
	char *copy;
	int r;

	r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit", &e, &reply, "s", unit);
	if (r < 0) {
		if (gone(&e)) {
			*ret = NULL;
			return 0;
		}
		return error_set(err, r, "%s: GetUnit: %s", ESCAPE_TERMINAL(unit),
				 ESCAPE_TERMINAL(e.message ? e.message : strerror(-r)));
	}
	r = sd_bus_message_read(reply, "o", &path);
	if (r < 0)
		return error_set(err, r, "%s: GetUnit reply: %s", ESCAPE_TERMINAL(unit),
				 strerror(-r));
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	*ret = copy;
	return 0;
}

/* The cgroup of @unit as units_resolve() reports it (*@ret NULL: none). */
static int resolve_one(sd_bus *bus, const char *unit, char **ret, struct error *err)
{
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_free_ char *path = NULL, *cg = NULL;
	const char *iface = cgroup_interface(unit);
	char *rel;
	int r;

	if (policy_check_unit_name(unit) < 0 || !iface)
		return error_set(err, -EINVAL,
				 "invalid unit name \"%s\" (expected NAME.service, .scope, .slice, "
				 ".socket, .mount or .swap)",
				 ESCAPE_TERMINAL(unit));
	r = get_unit(bus, unit, &path, err);
	if (r < 0)
		return r;
	if (!path) {
		*ret = NULL;
		return 0;
	}
	r = sd_bus_get_property_string(bus, SD_DEST, path, iface, "ControlGroup", &e, &cg);
	if (r < 0) {
		if (gone(&e)) {
			*ret = NULL;
			return 0;
		}
		return error_set(err, r, "%s: ControlGroup: %s", ESCAPE_TERMINAL(unit),
				 ESCAPE_TERMINAL(e.message ? e.message : strerror(-r)));
	}
	if (cg[0] == '\0') {
		*ret = NULL;
		return 0;
	}
	if (cg[0] != '/')
		return error_set(err, -EPROTO, "%s: ControlGroup \"%s\" is not an absolute path",
				 ESCAPE_TERMINAL(unit), ESCAPE_TERMINAL(cg));
	rel = strdup(cg + 1); /* "/" (-.slice) becomes "", the root */
	if (!rel)
		return -ENOMEM;
	*ret = rel;
	return 0;
}

void unit_cgroups_free(struct unit_cgroup *array, size_t n)
{
	if (!array)
		return;
	for (size_t i = 0; i < n; i++) {
		free(array[i].unit);
		free(array[i].cgroup);
	}
	free(array);
}

int units_resolve(sd_bus *bus, const char *const *names, size_t n, struct unit_cgroup **ret,
		  size_t *ret_n, struct error *err)
{
	struct unit_cgroup *out;
	int r;

	out = calloc(n ? n : 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r = resolve_one(bus, names[i], &out[i].cgroup, err);
		if (r >= 0) {
			out[i].unit = strdup(names[i]);
			if (!out[i].unit)
				r = -ENOMEM;
		}
		if (r < 0) {
			unit_cgroups_free(out, i + 1);
			return r;
		}
	}
	*ret = out;
	*ret_n = n;
	return 0;
}

/* ---- X-CXLPolicy= ---- */

static int file_error(const char *path, struct error *err)
{
	int r = negative_errno();

	return error_set(err, r, "%s: %s", ESCAPE_TERMINAL(path), strerror(-r));
}

/*
 * Read one unit file for X-CXLPolicy=: returns 1 and updates @name when it assigns it, 0
 * when it does not or is masked (/dev/null).
 */
static int read_policy_file(const char *path, char name[POLICY_NAME_MAX + 1], struct error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return file_error(path, err);
	if (fstat(fd, &st) < 0)
		return file_error(path, err);
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
		return 0; /* masked: linked to /dev/null */
	if (!S_ISREG(st.st_mode))
		return error_set(err, -EINVAL, "%s: not a regular file", ESCAPE_TERMINAL(path));
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return error_set(err, -EPERM,
				 "%s: owned by uid %u with mode %04o (expected owned by root, not "
				 "writable by group or others: it decides a cgroup's memory nodes)",
				 ESCAPE_TERMINAL(path), (unsigned)st.st_uid,
				 (unsigned)(st.st_mode & 07777));
	if (st.st_size > UNITFILE_SIZE_MAX)
		return error_set(err, -EFBIG, "%s: %lld bytes (at most %d)", ESCAPE_TERMINAL(path),
				 (long long)st.st_size, UNITFILE_SIZE_MAX);
	/* One byte more than the limit tells a file that grew since fstat. */
	buf = malloc(UNITFILE_SIZE_MAX + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t k = read(fd, buf + len, UNITFILE_SIZE_MAX + 1 - len);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return file_error(path, err);
		}
		if (k == 0)
			break;
		len += (size_t)k;
		if (len > UNITFILE_SIZE_MAX)
			return error_set(err, -EFBIG, "%s: more than %d bytes",
					 ESCAPE_TERMINAL(path), UNITFILE_SIZE_MAX);
	}
	return unitfile_policy_parse(buf, len, path, name, err);
}

int units_policy_name(sd_bus *bus, const char *unit, char **ret_policy_name, struct error *err)
{
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_free_ char *path = NULL, *fragment = NULL;
	_cleanup_(strv_freep) char **dropins = NULL;
	char name[POLICY_NAME_MAX + 1] = "";
	char *copy;
	int r;

	if (policy_check_unit_name(unit) < 0)
		return error_set(err, -EINVAL, "invalid unit name \"%s\"", ESCAPE_TERMINAL(unit));
	r = get_unit(bus, unit, &path, err);
	if (r < 0)
		return r;
	if (!path) {
		*ret_policy_name = NULL;
		return 0;
	}
	r = sd_bus_get_property_string(bus, SD_DEST, path, SD_UNIT, "FragmentPath", &e, &fragment);
	if (r >= 0)
		r = sd_bus_get_property_strv(bus, SD_DEST, path, SD_UNIT, "DropInPaths", &e,
					     &dropins);
	if (r < 0) {
		if (gone(&e)) {
			*ret_policy_name = NULL;
			return 0;
		}
		return error_set(err, r, "%s: unit files: %s", ESCAPE_TERMINAL(unit),
				 ESCAPE_TERMINAL(e.message ? e.message : strerror(-r)));
	}
	if (fragment[0]) {
		r = read_policy_file(fragment, name, err);
		if (r < 0)
			return r;
	}
	for (char **p = dropins; p && *p; p++) {
		r = read_policy_file(*p, name, err);
		if (r < 0)
			return r;
	}
	if (!name[0]) {
		*ret_policy_name = NULL;
		return 0;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	*ret_policy_name = copy;
	return 0;
}

/* ---- watching ---- */

struct units_watch {
	sd_bus *bus;
	sd_bus_slot *slots[4];
	unit_event_handler_t handler;
	void *userdata;
};

static int on_unit_new_or_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct units_watch *w = userdata;
	struct unit_event ev = { 0 };
	const char *path;
	int r;

	(void)ret_error;
	r = sd_bus_message_read(m, "so", &ev.unit, &path);
	if (r < 0)
		return r;
	ev.type = strcmp(sd_bus_message_get_member(m), "UnitNew") == 0 ? UNIT_EVENT_NEW
								       : UNIT_EVENT_REMOVED;
	return w->handler(&ev, w->userdata);
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct units_watch *w = userdata;
	struct unit_event ev = { .type = UNIT_EVENT_JOB_DONE };
	const char *job;
	uint32_t id;
	int r;

	(void)ret_error;
	r = sd_bus_message_read(m, "uoss", &id, &job, &ev.unit, &ev.job_result);
	if (r < 0)
		return r;
	return w->handler(&ev, w->userdata);
}

static int on_reloading(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct units_watch *w = userdata;
	struct unit_event ev = { .type = UNIT_EVENT_RELOADED };
	int active, r;

	(void)ret_error;
	r = sd_bus_message_read(m, "b", &active);
	if (r < 0)
		return r;
	if (active)
		return 0; /* the reload begins; wait for its end */
	return w->handler(&ev, w->userdata);
}

struct units_watch *units_watch_free(struct units_watch *w)
{
	if (!w)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(w->slots); i++)
		sd_bus_slot_unref(w->slots[i]);
	if (w->bus) {
		/* Best effort: the connection may be closed already. */
		(void)sd_bus_call_method(w->bus, SD_DEST, SD_PATH, SD_MANAGER, "Unsubscribe", NULL,
					 NULL, "");
		sd_bus_unref(w->bus);
	}
	free(w);
	return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct units_watch *, units_watch_free)

int units_watch_new(sd_bus *bus, sd_event *event, unit_event_handler_t handler, void *userdata,
		    struct units_watch **ret, struct error *err)
{
	static const struct {
		const char *member;
		sd_bus_message_handler_t fn;
	} signals[] = {
		{ "UnitNew", on_unit_new_or_removed },
		{ "UnitRemoved", on_unit_new_or_removed },
		{ "JobRemoved", on_job_removed },
		{ "Reloading", on_reloading },
	};
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(units_watch_freep) struct units_watch *w = NULL;
	/* A direct connection (the private socket) has no sender field to match. */
	const char *sender = sd_bus_is_bus_client(bus) > 0 ? SD_DEST : NULL;
	int r;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->handler = handler;
	w->userdata = userdata;
	if (!sd_bus_get_event(bus)) {
		r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
		if (r < 0)
			return error_set(err, r, "attaching the bus to the event loop: %s",
					 strerror(-r));
	}
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
		r = sd_bus_match_signal(bus, &w->slots[i], sender, SD_PATH, SD_MANAGER,
					signals[i].member, signals[i].fn, w);
		if (r < 0)
			return error_set(err, r, "matching systemd's %s signal: %s",
					 signals[i].member, strerror(-r));
	}
	/* Matches first, then Subscribe(): no signal falls between the two. */
	r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", &e, NULL, "");
	if (r < 0 && !sd_bus_error_has_name(&e, "org.freedesktop.systemd1.AlreadySubscribed"))
		return error_set(err, r, "systemd Subscribe(): %s",
				 ESCAPE_TERMINAL(e.message ? e.message : strerror(-r)));
	w->bus = sd_bus_ref(bus);
	*ret = TAKE_PTR(w);
	return 0;
}

/* ---- setting a unit's allowed memory nodes ---- */

bool units_is_unit_name(const char *name)
{
	return cgroup_interface(name) != NULL;
}

int units_set_allowed_memory_nodes(sd_bus *bus, const char *unit, const struct idset *nodes,
				   struct error *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *msg = NULL, *reply = NULL;
	uint8_t mask[(IDSET_MAX + 7) / 8] = { 0 };
	size_t len = 0;
	int r;

	IDSET_FOREACH(id, nodes) {
		mask[id / 8] |= (uint8_t)(1u << (id % 8));
		len = (size_t)id / 8 + 1;
	}
	r = sd_bus_message_new_method_call(bus, &msg, "org.freedesktop.systemd1",
					   "/org/freedesktop/systemd1",
					   "org.freedesktop.systemd1.Manager", "SetUnitProperties");
	if (r >= 0)
		r = sd_bus_message_append(msg, "sb", unit, 1); /* runtime: /run, gone at reboot */
	if (r >= 0)
		r = sd_bus_message_open_container(msg, 'a', "(sv)");
	for (int k = 0; k < 2 && r >= 0; k++) {
		/* both: StartupAllowedMemoryNodes= would otherwise rule while the system boots */
		r = sd_bus_message_open_container(msg, 'r', "sv");
		if (r >= 0)
			r = sd_bus_message_append(
				msg, "s", k ? "StartupAllowedMemoryNodes" : "AllowedMemoryNodes");
		if (r >= 0)
			r = sd_bus_message_open_container(msg, 'v', "ay");
		if (r >= 0)
			r = sd_bus_message_append_array(msg, 'y', mask, len);
		if (r >= 0)
			r = sd_bus_message_close_container(msg);
		if (r >= 0)
			r = sd_bus_message_close_container(msg);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(msg);
	if (r < 0) {
		sd_bus_message_unref(msg);
		return error_set(err, r, "building SetUnitProperties for %s: %s", unit,
				 strerror(-r));
	}
	r = sd_bus_call(bus, msg, 0, &e, &reply);
	sd_bus_message_unref(msg);
	sd_bus_message_unref(reply);
	if (r < 0) {
		error_set(err, r, "systemd refused AllowedMemoryNodes= for %s: %s", unit,
			  e.message ? e.message : strerror(-r));
		sd_bus_error_free(&e);
		return r;
	}
	return 0;
}
