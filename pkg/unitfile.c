/* SPDX-License-Identifier: MIT */
#include "unitfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "macro.h"

#define WHITESPACE " \t\n\r"

static bool is_blank(char c)
{
	return c && strchr(WHITESPACE, c);
}

/* Strip blanks from both ends of [*start, *end). */
static void strip(const char **start, const char **end)
{
	while (*start < *end && is_blank(**start))
		(*start)++;
	while (*end > *start && is_blank((*end)[-1]))
		(*end)--;
}

struct parse_state {
	const char *file;
	char section[64]; /* "" before the first header; over-long names are cut */
	bool have_section;
	bool assigned;
	unsigned assigned_line;
	char value[POLICY_NAME_MAX + 1];
	struct error *err;
};

static int bad_value(struct parse_state *st, const char *val, size_t val_len, unsigned lineno)
{
	_cleanup_free_ char *raw = strndup(val, MIN(val_len, (size_t)200));

	return error_set(st->err, -EINVAL,
			 "%s:%u: " UNITFILE_POLICY_KEY "=\"%s\" is not a policy name (expected 1 "
			 "to %d characters of a-z 0-9 _ . -, or empty to reset)",
			 st->file, lineno, raw ? ESCAPE_TERMINAL(raw) : "?", POLICY_NAME_MAX);
}

/* One logical line [s, e) (continuations joined), starting at physical line @lineno. */
static int parse_line(struct parse_state *st, const char *s, const char *e, unsigned lineno,
		      bool continued)
{
	const char *eq, *key_end, *val;
	size_t key_len, val_len;

	strip(&s, &e);
	if (s == e || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		size_t n = (size_t)(e - s);

		if (n < 3 || e[-1] != ']' || memchr(s + 1, '[', n - 2) || memchr(s + 1, ']', n - 2))
			return error_set(st->err, -EINVAL,
					 "%s:%u: invalid section header (expected [Name])",
					 st->file, lineno);
		n -= 2;
		if (n >= sizeof(st->section))
			n = sizeof(st->section) - 1;
		memcpy(st->section, s + 1, n);
		st->section[n] = '\0';
		st->have_section = true;
		return 0;
	}
	eq = memchr(s, '=', (size_t)(e - s));
	if (!eq)
		return error_set(st->err, -EINVAL, "%s:%u: missing '=' (expected Key=value)",
				 st->file, lineno);
	key_end = eq;
	val = eq + 1;
	strip(&s, &key_end);
	strip(&val, &e);
	key_len = (size_t)(key_end - s);
	if (key_len == 0)
		return error_set(st->err, -EINVAL, "%s:%u: empty key before '='", st->file, lineno);
	if (key_len != strlen(UNITFILE_POLICY_KEY) ||
	    strncasecmp(s, UNITFILE_POLICY_KEY, key_len) != 0) {
		if (!st->have_section)
			return error_set(st->err, -EINVAL,
					 "%s:%u: assignment before any [Section] header", st->file,
					 lineno);
		return 0;
	}
	if (strncmp(s, UNITFILE_POLICY_KEY, key_len) != 0)
		return error_set(st->err, -EINVAL,
				 "%s:%u: key \"%.*s\" (expected " UNITFILE_POLICY_KEY
				 "=, keys are case-sensitive)",
				 st->file, lineno, (int)key_len, s); /* letters and '-' only */
	if (!st->have_section || strcmp(st->section, "Unit") != 0)
		return error_set(st->err, -EINVAL,
				 "%s:%u: " UNITFILE_POLICY_KEY "= in %s%s%s (expected in [Unit])",
				 st->file, lineno, st->have_section ? "[" : "no section",
				 st->have_section ? ESCAPE_TERMINAL(st->section) : "",
				 st->have_section ? "]" : "");
	if (continued)
		return error_set(st->err, -EINVAL,
				 "%s:%u: " UNITFILE_POLICY_KEY "= continued over several lines "
				 "(expected one line)",
				 st->file, lineno);
	if (st->assigned)
		return error_set(st->err, -EINVAL,
				 "%s:%u: " UNITFILE_POLICY_KEY "= set twice in one file (first on "
				 "line %u)",
				 st->file, lineno, st->assigned_line);
	val_len = (size_t)(e - val);
	if (val_len > POLICY_NAME_MAX)
		return bad_value(st, val, val_len, lineno);
	memcpy(st->value, val, val_len);
	st->value[val_len] = '\0';
	if (val_len > 0 && policy_check_name(st->value) < 0)
		return bad_value(st, val, val_len, lineno);
	st->assigned = true;
	st->assigned_line = lineno;
	return 0;
}

int unitfile_policy_parse(const char *buf, size_t len, const char *display_name,
			  char ret_name[POLICY_NAME_MAX + 1], struct error *err)
{
	_cleanup_free_ char *joined = NULL;
	struct parse_state st = { .err = err };
	size_t joined_len = 0;
	unsigned lineno = 0, first_line = 0;
	const char *p = buf, *end = buf + len;
	char file[ESCAPE_SHORT_MAX];
	int r;

	escape_terminal(display_name, file, sizeof(file));
	st.file = file;
	if (memchr(buf, '\0', len))
		return error_set(err, -EINVAL, "%s: NUL byte in a unit file", file);
	if (len > UNITFILE_SIZE_MAX)
		return error_set(err, -EFBIG, "%s: %zu bytes (at most %d)", file, len,
				 UNITFILE_SIZE_MAX);
	/* Joined continuation lines, at most the file's size plus its terminator. */
	joined = malloc(len + 1);
	if (!joined)
		return -ENOMEM;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *t = le;
		bool cont;

		lineno++;
		/* A comment line inside a continuation is skipped, as systemd does. */
		{
			const char *s = p;

			while (s < le && is_blank(*s))
				s++;
			if (joined_len > 0 && s < le && (*s == '#' || *s == ';')) {
				p = nl ? nl + 1 : end;
				continue;
			}
		}
		while (t > p && is_blank(t[-1]))
			t--;
		cont = t > p && t[-1] == '\\';
		if (joined_len == 0)
			first_line = lineno;
		memcpy(joined + joined_len, p, (size_t)(t - p) - (cont ? 1 : 0));
		joined_len += (size_t)(t - p) - (cont ? 1 : 0);
		if (cont && nl) {
			joined[joined_len++] = ' ';
			p = nl + 1;
			continue;
		}
		r = parse_line(&st, joined, joined + joined_len, first_line, lineno != first_line);
		if (r < 0)
			return r;
		joined_len = 0;
		p = nl ? nl + 1 : end;
	}
	if (joined_len > 0) {
		r = parse_line(&st, joined, joined + joined_len, first_line, lineno != first_line);
		if (r < 0)
			return r;
	}
	if (!st.assigned)
		return 0;
	memcpy(ret_name, st.value, strlen(st.value) + 1);
	return 1;
}
