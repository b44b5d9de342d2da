/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "governed.h"
#include "handlers.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "sweeper.h"
#include "treewatch.h"
#include "unitlookup.h"

static void runtimes_free(struct policy_runtime *rt, size_t n)
{
	if (!rt)
		return;
	for (size_t i = 0; i < n; i++) {
		sd_event_source_disable_unref(rt[i].timer);
		policy_runtime_clear(&rt[i]);
	}
	free(rt);
}

struct manager *manager_free(struct manager *m)
{
	if (!m)
		return NULL;
	m->control = control_server_free(m->control);
	m->treewatch = treewatch_free(m->treewatch);
	runtimes_free(m->runtime, m->policies ? m->policies->set->n_policies : 0);
	governed_free(m->cgroups, m->n_cgroups);
	policydir_free(m->policies);
	sd_event_source_disable_unref(m->inotify_source);
	sd_event_unref(m->event);
	movedset_done(&m->moved);
	topology_free(m->topo);
	sysroot_free(m->root);
	if (m->lock_fd >= 0)
		close(m->lock_fd);
	units_bus_close(m);
	carried_policies_free(m->carried, m->n_carried);
	free(m);
	return NULL;
}

int manager_new(const struct daemon_config *cfg, struct manager **ret, struct error *err)
{
	_cleanup_(manager_freep) struct manager *m = calloc(1, sizeof(*m));
	struct error cgerr = { 0 };
	int r;

	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	m->lock_fd = -1;
	r = movedset_init(&m->moved);
	if (r < 0)
		return r;
	r = sysroot_open(cfg->sysroot, &m->root);
	if (r < 0)
		return error_set(err, r, "--sysroot %s: %s", cfg->sysroot, strerror(-r));
	r = sysroot_check_pid_namespace(m->root, err);
	if (r < 0)
		return r;
	r = topology_read(m->root, NULL, &m->topo, err);
	if (r < 0)
		return r;
	m->ctx = (struct cxlp_ctx){
		.root = m->root,
		.topo = m->topo,
		.maps_method = PROCMAPS_AUTO,
		.residency_method = RESIDENCY_AUTO,
		.live = true,
	};
	r = cgroup_mode_detect(m->root, &m->cgmode, &cgerr);
	if (r < 0)
		snprintf(m->cgroup_error, sizeof(m->cgroup_error), "%s",
			 cgerr.code ? cgerr.message : strerror(-r));
	else
		m->have_cgroups = true;
	if (m->have_cgroups && !m->cgmode.cpuset_dir[0])
		snprintf(m->cgroup_error, sizeof(m->cgroup_error), "%s", m->cgmode.cpuset_missing);
	movers_detect(m->root, &m->movers);
	m->started_realtime_usec = clock_usec(CLOCK_REALTIME);
	r = sd_event_default(&m->event);
	if (r < 0)
		return error_set(err, r, "sd_event_default: %s", strerror(-r));
	*ret = TAKE_PTR(m);
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata);

/* Arm policy @i's timer for its interval from now. */
static int arm_timer(struct manager *m, size_t i)
{
	const struct policy *p = &m->policies->set->policies[i];
	struct policy_runtime *rt = &m->runtime[i];
	uint64_t now, next;
	int r;

	r = sd_event_now(m->event, CLOCK_MONOTONIC, &now);
	if (r < 0)
		return r;
	next = now + p->exec.interval_ns / 1000;
	if (rt->timer) {
		r = sd_event_source_set_time(rt->timer, next);
		if (r < 0)
			return r;
		return sd_event_source_set_enabled(rt->timer, SD_EVENT_ONESHOT);
	}
	/* 1% accuracy lets the loop coalesce wake-ups of policies with close intervals */
	return sd_event_add_time(m->event, &rt->timer, CLOCK_MONOTONIC, next,
				 p->exec.interval_ns / 1000 / 100, on_timer, m);
}

static void notify_status(struct manager *m)
{
	uint64_t moved = 0, cxl = 0;
	size_t n = m->policies ? m->policies->set->n_policies : 0;

	for (size_t i = 0; i < n; i++) {
		moved += m->runtime[i].counters.moved_pages;
		cxl += m->runtime[i].counters.exec_cxl_bytes;
	}
	(void)sd_notifyf(false,
			 "STATUS=%zu policies, %zu cgroups governed, %llu pages moved, %llu KiB of "
			 "code on CXL%s%s",
			 n, m->n_cgroups, (unsigned long long)moved,
			 (unsigned long long)(cxl >> 10),
			 m->load_error[0] ? "; last reload failed" : "",
			 m->movers.n ? "; another page mover is active" : "");
}

int manager_sweep_policy(struct manager *m, size_t i, bool full, struct error *err)
{
	int r = sweeper_sweep_policy(m, i, full, err);

	notify_status(m);
	return r;
}

static void refresh_and_sweep(struct manager *m, const char *why)
{
	struct error err = { 0 };
	int r = manager_refresh_cgroups(m, &err);

	if (r == -ECANCELED)
		return;
	if (r < 0)
		log_warning("%s: cgroups not refreshed: %s", why, err.message);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	struct error err = { 0 };
	uint64_t cpu0 = clock_usec(CLOCK_PROCESS_CPUTIME_ID);
	int r;

	(void)usec;
	refresh_and_sweep(m, "timer");
	for (size_t i = 0; m->policies && i < m->policies->set->n_policies; i++) {
		if (m->runtime[i].timer != s)
			continue;
		r = manager_sweep_policy(m, i, false, &err);
		if (r == -ECANCELED)
			return 0; /* the stop signal is handled next */
		if (m->repair_pending) {
			m->repair_pending = false;
			r = sweeper_repair(m, &err);
			if (r < 0 && r != -ECANCELED)
				log_warning("%s", err.message);
		}
		/* the whole tick: re-reading the cgroup tree and cpuset.mems, and the sweep */
		m->runtime[i].counters.last_cpu_usec = clock_usec(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
		/* give back what a big status reply or sweep left in the heap */
		(void)malloc_trim(0);
		if (r < 0)
			log_warning("%s", err.message);
		r = arm_timer(m, i);
		if (r < 0)
			log_error("cannot re-arm the timer of policy %s: %s",
				  m->policies->set->policies[i].name, strerror(-r));
		break;
	}
	return 0;
}

int manager_refresh_cgroups(struct manager *m, struct error *err)
{
	struct governed_cgroup *table = NULL;
	size_t n = 0, changed = 0;
	int r;

	if (!m->policies)
		return 0;
	/*
	 * Walking the whole cgroup tree and matching it costs ~25 us per cgroup:
	 * only when a directory came or went (treewatch), systemd's slices or
	 * units changed, or every MANAGER_REBUILD_EVERY ticks as a backstop.
	 */
	if (m->built && !treewatch_changed(m->treewatch) && !m->carried_dirty &&
	    ++m->refreshes_since_build < MANAGER_REBUILD_EVERY) {
		governed_apply_mems(m, &changed);
		return changed ? sweeper_repair(m, err) : 0;
	}
	treewatch_clear(m->treewatch); /* before the walk: what changes during it counts */
	r = governed_build(m, m->policies, m->cgroups, m->n_cgroups, &table, &n, err);
	if (r < 0) {
		m->built = false;
		return r;
	}
	governed_free(m->cgroups, m->n_cgroups);
	m->cgroups = table;
	m->n_cgroups = n;
	m->built = true;
	m->refreshes_since_build = 0;
	governed_apply_mems(m, &changed);
	if (changed)
		return sweeper_repair(m, err);
	return 0;
}

int manager_reload(struct manager *m, const char *why, struct error *err)
{
	struct policydir *dir = NULL;
	struct policy_runtime *rt = NULL;
	struct governed_cgroup *table = NULL;
	size_t n = 0, changed = 0;
	int r;

	m->loads++;
	r = policydir_load(m->cfg.policy_dir, m->topo, &dir, err);
	if (r < 0) {
		m->load_failures++;
		snprintf(m->load_error, sizeof(m->load_error), "%s", err->message);
		log_error("%s: policies not reloaded, the previous set stays in force: %s", why,
			  err->message);
		notify_status(m);
		return r;
	}
	if (m->policies && dir->hash == m->policies->hash) {
		policydir_free(dir);
		m->load_error[0] = '\0';
		log_debug("%s: policies unchanged", why);
		return 0;
	}
	if (m->have_cgroups) {
		r = governed_build(m, dir, m->cgroups, m->n_cgroups, &table, &n, err);
		if (r < 0) {
			policydir_free(dir);
			m->load_failures++;
			snprintf(m->load_error, sizeof(m->load_error), "%s", err->message);
			log_error("%s: %s", why, err->message);
			return r;
		}
	}
	rt = calloc(dir->set->n_policies + 1, sizeof(*rt));
	if (!rt) {
		governed_free(table, n);
		policydir_free(dir);
		return -ENOMEM;
	}
	for (size_t i = 0; i < dir->set->n_policies; i++)
		rt[i].cxl_allocated = UINT64_MAX;
	/* the swap: from here on the new set is in force */
	runtimes_free(m->runtime, m->policies ? m->policies->set->n_policies : 0);
	governed_free(m->cgroups, m->n_cgroups);
	policydir_free(m->policies);
	m->policies = dir;
	m->runtime = rt;
	m->cgroups = table;
	m->n_cgroups = n;
	m->built = m->have_cgroups;
	m->refreshes_since_build = 0;
	m->load_error[0] = '\0';
	m->last_load_realtime_usec = clock_usec(CLOCK_REALTIME);
	log_notice("%s: %zu policies from %zu files in %s in force, %zu cgroups governed", why,
		   dir->set->n_policies, dir->n_files, m->cfg.policy_dir, n);
	for (size_t i = 0; i < dir->set->n_policies; i++) {
		r = arm_timer(m, i);
		if (r < 0)
			return error_set(err, r, "timer: %s", strerror(-r));
	}
	for (size_t i = 0; i < n; i++)
		if (table[i].nesting_warning) {
			struct log_fields f = { dir->set->policies[table[i].policy].name,
						table[i].path, 0, -1 };

			log_full(LOG_WARNING, &f, "%s", table[i].nesting_warning);
		}
	if (m->have_cgroups)
		governed_apply_mems(m, &changed);
	/* a new set sweeps at once: what it governs, then what narrowing dragged */
	for (size_t i = 0; i < dir->set->n_policies; i++) {
		r = manager_sweep_policy(m, i, true, err);
		if (r == -ECANCELED)
			return 0;
		if (r < 0)
			log_warning("%s", err->message);
	}
	if (changed) {
		r = sweeper_repair(m, err);
		if (r < 0 && r != -ECANCELED)
			log_warning("%s", err->message);
	}
	notify_status(m);
	return 0;
}

static int watch_policy_dir(struct manager *m);

static int on_stop_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;

	(void)s;
	log_notice("signal %s: stopping", si->ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
	m->stopping = true;
	(void)sd_notify(false, "STOPPING=1");
	return sd_event_exit(m->event, 0);
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct manager *m = userdata;
	struct error err = { 0 };

	(void)s;
	(void)si;
	(void)sd_notify(false, "RELOADING=1");
	m->movers.n = 0;
	movers_detect(m->root, &m->movers);
	(void)watch_policy_dir(m);
	(void)manager_reload(m, "SIGHUP", &err);
	(void)sd_notify(false, "READY=1");
	return 0;
}

static int on_rewatch(sd_event_source *s, void *userdata)
{
	struct manager *m = userdata;
	struct error err = { 0 };

	sd_event_source_disable_unref(s);
	(void)watch_policy_dir(m);
	(void)manager_reload(m, "policy directory replaced", &err);
	return 0;
}

/* Re-add the directory watch from the event loop, not from inside the watch's own callback. */
static void schedule_rewatch(struct manager *m)
{
	sd_event_source *s = NULL;

	if (sd_event_add_defer(m->event, &s, on_rewatch, m) < 0)
		log_error("cannot schedule re-watching %s", m->cfg.policy_dir);
}

static int on_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata)
{
	struct manager *m = userdata;
	struct error err = { 0 };

	(void)s;
	/* the directory itself went (rm -rf, rename, a symlink swapped): watch the new one */
	if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
		schedule_rewatch(m);
		return 0;
	}
	/*
	 * Editor leftovers and hidden files do not matter, except a Kubernetes
	 * ConfigMap's "..data" link: the kubelet swaps it atomically, and the
	 * policy files are links through it whose own names never change.
	 */
	if (ev->len && !policydir_wants_name(ev->name) && strncmp(ev->name, "..data", 6) != 0)
		return 0;
	(void)manager_reload(m, "policy directory changed", &err);
	return 0;
}

/* The parent directory: the policy directory (re)appearing under its name. */
static int on_parent_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata)
{
	struct manager *m = userdata;
	const char *base = strrchr(m->cfg.policy_dir, '/');

	(void)s;
	base = base ? base + 1 : m->cfg.policy_dir;
	if (ev->len && strcmp(ev->name, base) == 0)
		schedule_rewatch(m);
	return 0;
}

static int watch_policy_dir(struct manager *m)
{
	int r;

	m->inotify_source = sd_event_source_disable_unref(m->inotify_source);
	r = sd_event_add_inotify(m->event, &m->inotify_source, m->cfg.policy_dir,
				 IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
					 IN_CREATE | IN_ONLYDIR | IN_DELETE_SELF | IN_MOVE_SELF,
				 on_inotify, m);
	if (r < 0)
		log_warning("not watching %s (%s): waiting for it to appear", m->cfg.policy_dir,
			    strerror(-r));
	return r;
}

static int watch_parent_dir(struct manager *m, struct error *err)
{
	char parent[PATH_MAX];
	char *slash;
	int r;

	snprintf(parent, sizeof(parent), "%s", m->cfg.policy_dir);
	slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	r = sd_event_add_inotify(m->event, NULL, parent, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR,
				 on_parent_inotify, m);
	if (r < 0)
		return error_set(err, r, "watching %s: %s", parent, strerror(-r));
	return 0;
}

int manager_start(struct manager *m, struct error *err)
{
	struct ipcauth_config auth = {
		.status_open = !m->cfg.status_restricted,
		.has_group = m->cfg.has_control_gid,
		.group = m->cfg.control_gid,
	};
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return error_set(err, -errno, "sigprocmask: %s", strerror(errno));
	r = sd_event_add_signal(m->event, NULL, SIGTERM, on_stop_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, on_stop_signal, m);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);
	if (r < 0)
		return error_set(err, r, "signals: %s", strerror(-r));
	r = watch_policy_dir(m);
	if (r < 0)
		return error_set(err, r, "watching %s: %s", m->cfg.policy_dir, strerror(-r));
	r = watch_parent_dir(m, err);
	if (r < 0)
		return r;
	r = treewatch_new(m->event, &m->treewatch);
	if (r < 0)
		log_warning("no inotify for the cgroup tree (%s): it is walked every tick",
			    strerror(-r));
	r = sd_event_set_watchdog(m->event, true); /* WATCHDOG=1 at half of WatchdogSec= */
	if (r < 0)
		return error_set(err, r, "watchdog: %s", strerror(-r));
	r = control_server_new(m->event, m->cfg.socket_path, &auth, handlers_dispatch, m,
			       &m->control, err);
	if (r < 0)
		return r;
	r = manager_reload(m, "start", err);
	if (r < 0 && !m->policies) {
		/* nothing in force yet: run with an empty set and show the error in status */
		log_warning("starting with no policy in force");
	}
	(void)sd_notify(false, "READY=1");
	notify_status(m);
	return 0;
}

int manager_run(struct manager *m)
{
	return sd_event_loop(m->event);
}
