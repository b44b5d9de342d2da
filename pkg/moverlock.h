/* SPDX-License-Identifier: MIT */
/*
 * One page mover at a time on a node: cxlpolicyd holds this lock (flock on
 * CXLPOLICY_MOVER_LOCK_DEFAULT) while a sweep moves pages, and
 * `cxlpolicyctl migrate` holds it for its run, so the two never query and
 * move the same pages at once.  The lock is released when the descriptor
 * closes, also when its holder dies.
 */
#pragma once

#include <stdbool.h>

/*
 * Open (creating it and its directory, mode 0755) the lock file @path and
 * take the lock: without @wait, -EWOULDBLOCK when someone holds it.
 * *@ret_fd: the descriptor to close to release it.  *@ret_waited: whether
 * the call had to wait.
 */
int moverlock_take(const char *path, bool wait, bool *ret_waited, int *ret_fd);
