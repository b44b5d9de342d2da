/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroupmode.h"
#include "treewatch.h"

#define TREEWATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)

struct treewatch {
	int fd;
	sd_event_source *source;
	bool changed; /* starts true: nothing is known yet */
};

/* Read every queued event (the fd is non-blocking). */
static void drain(struct treewatch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			/* a directory came or went, or events were lost; files inside do not matter
			 */
			if ((ev->mask & (IN_ISDIR | IN_Q_OVERFLOW)) || (ev->mask & IN_IGNORED) == 0)
				w->changed = true;
			p += sizeof(*ev) + ev->len;
		}
}

static int on_events(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	(void)s;
	(void)fd;
	(void)revents;
	drain(userdata);
	return 0;
}

int treewatch_new(sd_event *event, struct treewatch **ret)
{
	struct treewatch *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->changed = true;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		r = -errno;
		free(w);
		return r;
	}
	r = sd_event_add_io(event, &w->source, w->fd, EPOLLIN, on_events, w);
	if (r < 0) {
		close(w->fd);
		free(w);
		return r;
	}
	*ret = w;
	return 0;
}

struct treewatch *treewatch_free(struct treewatch *w)
{
	if (!w)
		return NULL;
	sd_event_source_disable_unref(w->source);
	close(w->fd);
	free(w);
	return NULL;
}

void treewatch_add(struct treewatch *w, const struct sysroot *root, const char *dir,
		   char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char rel[PATH_MAX], abs[PATH_MAX];

		if (cgroup_path_join(dir, paths[i], rel, sizeof(rel)) < 0) {
			w->changed = true;
			continue;
		}
		sysroot_display(root, rel, abs, sizeof(abs));
		/* a directory gone meanwhile changed the tree; out of watches: unsure */
		if (inotify_add_watch(w->fd, abs, TREEWATCH_MASK) < 0)
			w->changed = true;
	}
}

bool treewatch_changed(struct treewatch *w)
{
	if (!w)
		return true;
	drain(w); /* events the loop has not dispatched yet (a request came first) count */
	return w->changed;
}

void treewatch_clear(struct treewatch *w)
{
	if (w)
		w->changed = false;
}
