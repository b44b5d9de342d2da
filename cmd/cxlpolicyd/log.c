/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "error.h"
#include "escape.h"
#include "log.h"
#include "macro.h"

static int log_max_level = LOG_INFO;
static bool log_journal;

/* Whether stderr is the journal stream systemd gave us ($JOURNAL_STREAM = "DEV:INO"). */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_setup(int max_level)
{
	log_max_level = max_level;
	log_journal = stderr_is_journal();
}

bool log_to_journal(void)
{
	return log_journal;
}

int log_parse_level(const char *text, int *ret)
{
	static const char *const names[] = { [LOG_ERR] = "err",
					     [LOG_WARNING] = "warning",
					     [LOG_NOTICE] = "notice",
					     [LOG_INFO] = "info",
					     [LOG_DEBUG] = "debug" };

	for (int l = LOG_ERR; l <= LOG_DEBUG; l++)
		if (strcmp(text, names[l]) == 0 || (text[0] == '0' + l && text[1] == '\0')) {
			*ret = l;
			return 0;
		}
	if (strcmp(text, "error") == 0) {
		*ret = LOG_ERR;
		return 0;
	}
	return -EINVAL;
}

static void log_journal_send(int level, const struct log_fields *f, const char *msg)
{
	char fields[6][ERROR_MESSAGE_MAX + 32];
	struct iovec iov[6];
	size_t n = 0;

	snprintf(fields[n], sizeof(fields[n]), "MESSAGE=%s", msg);
	n++;
	snprintf(fields[n], sizeof(fields[n]), "PRIORITY=%d", level);
	n++;
	if (f->policy)
		snprintf(fields[n++], sizeof(fields[0]), "POLICY=%s", f->policy);
	if (f->cgroup)
		snprintf(fields[n++], sizeof(fields[0]), "CGROUP=%s", f->cgroup);
	if (f->pid > 0)
		snprintf(fields[n++], sizeof(fields[0]), "PID=%d", (int)f->pid);
	if (f->node >= 0)
		snprintf(fields[n++], sizeof(fields[0]), "NODE=%d", f->node);
	for (size_t i = 0; i < n; i++)
		iov[i] = (struct iovec){ fields[i], strlen(fields[i]) };
	if (sd_journal_sendv(iov, (int)n) < 0)
		fprintf(stderr, "%s\n", msg);
}

void log_full(int level, const struct log_fields *f, const char *fmt, ...)
{
	char msg[ERROR_MESSAGE_MAX];
	va_list ap;

	if (level > log_max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_journal) {
		log_journal_send(level, f, msg);
		return;
	}
	fprintf(stderr, "cxlpolicyd: %s", msg);
	if (f->policy)
		fprintf(stderr, " policy=%s", f->policy);
	if (f->cgroup)
		fprintf(stderr, " cgroup=%s", ESCAPE_TERMINAL(f->cgroup));
	if (f->pid > 0)
		fprintf(stderr, " pid=%d", (int)f->pid);
	if (f->node >= 0)
		fprintf(stderr, " node=%d", f->node);
	fputc('\n', stderr);
}
