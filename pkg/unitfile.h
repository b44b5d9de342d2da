/* SPDX-License-Identifier: MIT */
/*
 * X-CXLPolicy= in systemd unit files: the policy a slice (or any unit) carries.
 *
 * systemd keeps "X-" keys of unit files to itself: it accepts and ignores them and does not
 * show them over D-Bus.  So the daemon asks systemd, over sd-bus, which files make up a unit
 * (its FragmentPath and DropInPaths, in the order systemd applied them) and reads the key
 * from those files with this parser:
 *
 *     [Unit]
 *     X-CXLPolicy=web
 *
 * The key belongs in the [Unit] section.  The last assignment over the fragment and its
 * drop-ins wins; an empty value ("X-CXLPolicy=") resets it, as for systemd's own list keys.
 *
 * Parsing follows systemd's unit file syntax where it matters here (lines are stripped of
 * blanks, "#" and ";" start comments, a trailing backslash joins the next line, sections are
 * "[Name]") and is strict where systemd would only warn or where a mistake would silently
 * drop the policy.  Errors, each naming the file and line: NUL bytes, an invalid section
 * header, a line with no '=', a key before any section, X-CXLPolicy= outside [Unit], set
 * twice in one file, continued over lines, or with a value that is not a policy name (1 to 64
 * characters of a-z 0-9 _ . -; no quotes, no specifiers), and a key that differs from
 * X-CXLPolicy only in case (a typo systemd would ignore without a word).
 */
#pragma once

#include <stddef.h>

#include "error.h"
#include "policy.h"

/* Unit files and drop-ins larger than this are refused (systemd's own limit is 4 MiB). */
#define UNITFILE_SIZE_MAX (64 * 1024)

#define UNITFILE_POLICY_KEY "X-CXLPolicy"

/*
 * Parse @buf (@len bytes, not necessarily NUL-terminated), a unit file or drop-in shown as
 * @display_name in messages.  Returns 1 when the file assigns X-CXLPolicy= and then copies the
 * value to @ret_name ("" for a reset), 0 when it does not (@ret_name untouched), -EINVAL with
 * @err filled when the file is malformed (@ret_name untouched).
 */
int unitfile_policy_parse(const char *buf, size_t len, const char *display_name,
			  char ret_name[POLICY_NAME_MAX + 1], struct error *err);
