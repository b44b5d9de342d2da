/* SPDX-License-Identifier: MIT */
/*
 * Whether the cgroup tree may have changed since the governed table was
 * built: an inotify watch on every cgroup directory (mkdir and rmdir of a
 * child raise IN_CREATE and IN_DELETE through the VFS, whoever makes them:
 * systemd, the kubelet, a runtime), so an idle tick does not walk the whole
 * tree.  A lost event queue (IN_Q_OVERFLOW), a failed watch, or no inotify at
 * all means "changed": the table is rebuilt, never kept stale.
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "sysroot.h"

struct treewatch;

int treewatch_new(sd_event *event, struct treewatch **ret);
struct treewatch *treewatch_free(struct treewatch *w);
/* Watch <root>/<dir>/<path> for each of the @n cgroup @paths (already watched ones are kept). */
void treewatch_add(struct treewatch *w, const struct sysroot *root, const char *dir,
		   char *const *paths, size_t n);
/* Whether a directory came or went since the last treewatch_clear(); true when unsure. */
bool treewatch_changed(struct treewatch *w);
void treewatch_clear(struct treewatch *w);
