/* SPDX-License-Identifier: MIT */
/*
 * The daemon's log: structured journal entries (MESSAGE, PRIORITY and, where
 * they apply, POLICY=, CGROUP=, PID=, NODE=) when stderr is connected to the
 * journal (systemd sets $JOURNAL_STREAM for the service), else one line per
 * message on stderr with the fields appended as key=value.  Messages at a
 * level above the configured one (--log-level) are dropped.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <syslog.h>

struct log_fields {
	const char *policy; /* NULL: none */
	const char *cgroup;
	pid_t pid; /* 0: none */
	int node; /* -1: none */
};

#define LOG_NO_FIELDS ((struct log_fields){ NULL, NULL, 0, -1 })

void log_setup(int max_level);
bool log_to_journal(void);
/* "err", "warning", "notice", "info", "debug" (or 3-7) -> LOG_*; -EINVAL. */
int log_parse_level(const char *text, int *ret);
void log_full(int level, const struct log_fields *fields, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(...) log_full(LOG_ERR, &LOG_NO_FIELDS, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, &LOG_NO_FIELDS, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, &LOG_NO_FIELDS, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, &LOG_NO_FIELDS, __VA_ARGS__)
#define log_debug(...) log_full(LOG_DEBUG, &LOG_NO_FIELDS, __VA_ARGS__)
