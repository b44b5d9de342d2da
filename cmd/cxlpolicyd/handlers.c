/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpusetmems.h"
#include "governed.h"
#include "handlers.h"
#include "ipcauth.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "numastat.h"
#include "status.h"
#include "version.h"

#define ADD(obj, key, val) json_object_object_add((obj), (key), (val))

static int do_status(struct manager *m, const struct ipc_request *req, struct json_object **ret,
		     struct error *err)
{
	int e = 0;
	struct json_object *o = status_build(m, req->cgroup, &e);

	if (!o)
		return -ENOMEM;
	if (e) {
		json_object_put(o);
		return error_set(err, -e, "cgroup \"%s\" is not governed by any policy",
				 req->cgroup);
	}
	*ret = o;
	return 0;
}

static int do_reload(struct manager *m, struct json_object **ret, struct error *err)
{
	int r = manager_reload(m, "reload request", err);
	struct json_object *o;

	if (r < 0)
		return r;
	o = json_object_new_object();
	ADD(o, "policies", json_object_new_uint64(m->policies->set->n_policies));
	ADD(o, "cgroups", json_object_new_uint64(m->n_cgroups));
	*ret = o;
	return 0;
}

static int do_sweep(struct manager *m, const struct ipc_request *req, struct json_object **ret,
		    struct error *err)
{
	struct json_object *arr, *o;
	size_t n = m->policies ? m->policies->set->n_policies : 0;
	ssize_t only = -1;
	int r;

	r = manager_refresh_cgroups(m, err);
	if (r < 0 && r != -ECANCELED)
		return r;
	if (req->cgroup) {
		ssize_t g = governed_find(m, req->cgroup);

		if (g < 0)
			return error_set(err, -ENOENT,
					 "cgroup \"%s\" is not governed by any policy",
					 req->cgroup);
		only = (ssize_t)m->cgroups[g].policy;
	}
	if (req->policy) {
		ssize_t found = -1;

		for (size_t i = 0; i < n; i++)
			if (strcmp(m->policies->set->policies[i].name, req->policy) == 0)
				found = (ssize_t)i;
		if (found < 0)
			return error_set(err, -ENOENT, "no policy named \"%s\" is in force",
					 req->policy);
		if (only >= 0 && only != found)
			return error_set(err, -EINVAL,
					 "cgroup \"%s\" is governed by policy \"%s\", not \"%s\"",
					 req->cgroup, m->policies->set->policies[only].name,
					 req->policy);
		only = found;
	}
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct sweep_counters before;
		const struct sweep_counters *c = &m->runtime[i].counters;

		if (only >= 0 && (size_t)only != i)
			continue;
		before = *c;
		r = manager_sweep_policy(m, i, true, err);
		if (r < 0) {
			json_object_put(arr);
			return r;
		}
		o = json_object_new_object();
		ADD(o, "policy", json_object_new_string(m->policies->set->policies[i].name));
		ADD(o, "processes", json_object_new_uint64(c->processes));
		ADD(o, "moved_pages", json_object_new_uint64(c->moved_pages - before.moved_pages));
		ADD(o, "moved_bytes", json_object_new_uint64(c->moved_bytes - before.moved_bytes));
		ADD(o, "failed_pages",
		    json_object_new_uint64(c->failed_pages - before.failed_pages));
		ADD(o, "no_target_pages", json_object_new_uint64(c->no_target_pages));
		ADD(o, "redemotions", json_object_new_uint64(c->redemotions - before.redemotions));
		ADD(o, "exec_cxl_bytes", json_object_new_uint64(c->exec_cxl_bytes));
		ADD(o, "duration_usec", json_object_new_uint64(c->last_duration_usec));
		json_object_array_add(arr, o);
	}
	o = json_object_new_object();
	ADD(o, "sweeps", arr);
	*ret = o;
	return 0;
}

/* Write @len bytes to @dirfd/@name through a temporary file and rename(): all or nothing. */
static int write_atomic(int dirfd, const char *name, const char *content, size_t len)
{
	char tmp[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t done = 0;

	snprintf(tmp, sizeof(tmp), ".%s.apply-%d", name, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t w = write(fd, content + done, len - done);

		if (w < 0) {
			int e = -errno;

			unlinkat(dirfd, tmp, 0);
			return e;
		}
		done += (size_t)w;
	}
	if (fsync(fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = -errno;

		unlinkat(dirfd, tmp, 0);
		return e;
	}
	return 0;
}

/* Copy the directory's policy files into @tmpfd, then the request's files over them. */
static int stage_files(struct manager *m, int tmpfd, const struct ipc_request *req,
		       struct error *err)
{
	_cleanup_close_ int dfd = open(m->cfg.policy_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (dfd < 0)
		return error_set(err, -errno, "%s: %s", m->cfg.policy_dir, strerror(errno));
	d = fdopendir(dfd);
	if (!d)
		return -errno;
	dfd = -1;
	while ((de = readdir(d)) && r == 0) {
		_cleanup_close_ int fd = -1;
		_cleanup_free_ char *buf = NULL;
		size_t len = 0;

		if (!policydir_wants_name(de->d_name))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			r = error_set(err, -errno, "%s/%s: %s", m->cfg.policy_dir, de->d_name,
				      strerror(errno));
			break;
		}
		r = read_fd_capped(fd, POLICY_FILE_MAX, &buf, &len);
		if (r < 0) {
			error_set(err, r, "%s/%s: %s", m->cfg.policy_dir, de->d_name, strerror(-r));
			break;
		}
		r = write_atomic(tmpfd, de->d_name, buf, len);
	}
	closedir(d);
	if (r < 0)
		return r;
	for (size_t i = 0; i < req->n_files; i++) {
		if (!policydir_wants_name(req->files[i].name))
			return error_set(err, -EINVAL,
					 "%s: a policy file name must end in \".json\" and not "
					 "start with '.'",
					 req->files[i].name);
		r = write_atomic(tmpfd, req->files[i].name, req->files[i].content,
				 req->files[i].len);
		if (r < 0)
			return error_set(err, r, "staging %s: %s", req->files[i].name,
					 strerror(-r));
	}
	return 0;
}

static void remove_staging(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd >= 0 && (d = fdopendir(fd))) {
		fd = -1;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

/* Per cgroup: governed by what before and after, mems before/after, bytes a narrowing moves. */
static struct json_object *plan_json(struct manager *m, const struct policydir *next)
{
	struct governed_cgroup *table = NULL;
	struct json_object *arr = json_object_new_array();
	struct error err = { 0 };
	size_t n = 0;

	if (!m->have_cgroups || governed_build(m, next, NULL, 0, &table, &n, &err) < 0)
		return arr;
	for (size_t i = 0; i < n; i++) {
		const struct governed_cgroup *g = &table[i];
		const struct policy *p = &next->set->policies[g->policy];
		ssize_t old = governed_find(m, g->path);
		struct json_object *o = json_object_new_object();
		struct cpuset_mems cur;
		struct numa_stat st;

		ADD(o, "cgroup", json_object_new_string(g->path));
		ADD(o, "policy", json_object_new_string(p->name));
		ADD(o, "previous_policy",
		    old >= 0 ? json_object_new_string(
				       m->policies->set->policies[m->cgroups[old].policy].name)
			     : NULL);
		ADD(o, "why", json_object_new_string(g->why));
		ADD(o, "mems_after", status_node_array(&p->mems));
		{
			struct idset eff;

			ADD(o, "mems_effective_after",
			    idset_parse(g->effective_mems, &eff) == 0 ? status_node_array(&eff)
								      : NULL);
		}
		ADD(o, "warning",
		    g->nesting_warning ? json_object_new_string(g->nesting_warning) : NULL);
		if (cpusetmems_read(m->root, &m->cgmode, g->path, &cur, NULL) == 0) {
			struct json_object *moves = json_object_new_object();

			ADD(o, "mems_before", cur.inherit ? NULL : status_node_array(&cur.mems));
			ADD(o, "mems_effective_before", status_node_array(&cur.effective));
			struct error nerr = { 0 };

			if (numastat_read(m->root, &m->cgmode, g->path,
					  (size_t)sysconf(_SC_PAGESIZE), &st, &nerr) == 0) {
				_cleanup_free_ struct numastat_move *mv = NULL;
				size_t n_mv = 0;
				uint64_t total = 0;

				if (numastat_narrowing(&st, &cur.effective, &p->mems, &mv, &n_mv,
						       &total) == 0) {
					for (size_t k = 0; k < n_mv; k++) {
						char key[16];

						snprintf(key, sizeof(key), "%d", mv[k].node);
						ADD(moves, key,
						    json_object_new_uint64(mv[k].bytes));
					}
					ADD(o, "bytes_to_migrate_by_node", moves);
					ADD(o, "bytes_to_migrate", json_object_new_uint64(total));
				} else {
					json_object_put(moves);
				}
				numastat_done(&st);
			} else {
				json_object_put(moves);
				ADD(o, "bytes_to_migrate", NULL);
				ADD(o, "numa_stat_error", json_object_new_string(nerr.message));
			}
		}
		json_object_array_add(arr, o);
	}
	governed_free(table, n);
	return arr;
}

static int do_apply(struct manager *m, const struct ipc_request *req, struct json_object **ret,
		    struct error *err)
{
	char staging[PATH_MAX];
	const char *slash = strrchr(m->cfg.socket_path, '/');
	_cleanup_close_ int tmpfd = -1, dfd = -1;
	struct policydir *next = NULL;
	struct json_object *o, *files;
	int r;

	/* beside the socket: a directory only root writes (/run/cxlpolicy) */
	snprintf(staging, sizeof(staging), "%.*s/apply.XXXXXX",
		 slash ? (int)(slash - m->cfg.socket_path) : 1, slash ? m->cfg.socket_path : ".");
	if (!mkdtemp(staging))
		return error_set(err, -errno, "creating a staging directory: %s", strerror(errno));
	tmpfd = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tmpfd < 0) {
		r = -errno;
		goto out;
	}
	r = stage_files(m, tmpfd, req, err);
	if (r < 0)
		goto out;
	/* validated exactly as the reload will: the whole directory as it would be */
	r = policydir_load_at(tmpfd, m->cfg.policy_dir, m->topo, &next, err);
	if (r < 0)
		goto out;
	o = json_object_new_object();
	ADD(o, "dry_run", json_object_new_boolean(req->dry_run));
	files = json_object_new_array();
	for (size_t i = 0; i < req->n_files; i++)
		json_object_array_add(files, json_object_new_string(req->files[i].name));
	ADD(o, "files", files);
	ADD(o, "plan", plan_json(m, next));
	if (!req->dry_run) {
		/* a migrating policy that nesting would leave without DRAM: refuse, change nothing
		 */
		struct json_object *plan = json_object_object_get(o, "plan");

		for (size_t i = 0; i < json_object_array_length(plan); i++) {
			struct json_object *c = json_object_array_get_idx(plan, i), *w;

			if (json_object_object_get_ex(c, "warning", &w) && w) {
				r = error_set(
					err, -EINVAL, "%s: %s (see apply --dry-run)",
					json_object_get_string(json_object_object_get(c, "cgroup")),
					json_object_get_string(w));
				json_object_put(o);
				goto out;
			}
		}
		dfd = open(m->cfg.policy_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			r = error_set(err, -errno, "%s: %s", m->cfg.policy_dir, strerror(errno));
			json_object_put(o);
			goto out;
		}
		for (size_t i = 0; i < req->n_files; i++) {
			r = write_atomic(dfd, req->files[i].name, req->files[i].content,
					 req->files[i].len);
			if (r < 0) {
				error_set(err, r, "writing %s/%s: %s", m->cfg.policy_dir,
					  req->files[i].name, strerror(-r));
				json_object_put(o);
				goto out;
			}
		}
		log_notice("apply: %zu file%s written to %s", req->n_files,
			   req->n_files == 1 ? "" : "s", m->cfg.policy_dir);
		r = manager_reload(m, "apply", err);
		if (r < 0) {
			json_object_put(o);
			goto out;
		}
		ADD(o, "policies_in_force", json_object_new_uint64(m->policies->set->n_policies));
		ADD(o, "cgroups_governed", json_object_new_uint64(m->n_cgroups));
	}
	*ret = o;
	r = 0;
out:
	policydir_free(next);
	remove_staging(staging);
	return r;
}

int handlers_dispatch(void *userdata, const struct ipc_request *req, const struct ipc_peer *peer,
		      struct json_object **ret_result, struct error *err)
{
	struct manager *m = userdata;
	struct json_object *o;

	if (ipcauth_command_changes(req->command))
		log_info("%s requested by uid %d pid %d", ipc_command_to_string(req->command),
			 (int)peer->uid, (int)peer->pid);
	switch (req->command) {
	case IPC_PING:
		o = json_object_new_object();
		ADD(o, "pid", json_object_new_int(getpid()));
		ADD(o, "version", json_object_new_string(CXLPOLICY_VERSION));
		*ret_result = o;
		return 0;
	case IPC_STATUS:
		return do_status(m, req, ret_result, err);
	case IPC_RELOAD:
		return do_reload(m, ret_result, err);
	case IPC_SWEEP:
		return do_sweep(m, req, ret_result, err);
	case IPC_APPLY:
		return do_apply(m, req, ret_result, err);
	default:
		return error_set(err, -EINVAL, "unknown command");
	}
}
