/* SPDX-License-Identifier: MIT */
/*
 * Time spans in systemd's syntax (systemd.time(7)): "500ms", "2s", "1min",
 * "1h 30min", "1.5s".  One or more components, each a decimal number with an
 * optional fraction and a unit; white space may separate components and
 * surround the text.  Units: ns nsec, us usec µs, ms msec, s sec second
 * seconds, m min minute minutes, h hr hour hours, d day days, w week weeks.
 * Unlike systemd, a bare number without a unit is refused (-EINVAL): a policy
 * should say what it means.  Signs, empty text, a unit without a number,
 * "1.s", ".5s" and trailing garbage are -EINVAL; a span beyond UINT64_MAX
 * nanoseconds (~584 years) is -ERANGE.  Fraction digits finer than a
 * nanosecond are dropped (truncated), as systemd does.  Pure, no allocation.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define NSEC_PER_USEC UINT64_C(1000)
#define NSEC_PER_MSEC UINT64_C(1000000)
#define NSEC_PER_SEC UINT64_C(1000000000)

/* Parse @text into nanoseconds; *@ret_ns untouched on failure. */
int duration_parse(const char *text, uint64_t *ret_ns);

/*
 * Format @ns as the shortest exact span in the largest fitting units,
 * "1h 30min", "1500ms", "0" for zero, into @buf; returns @buf.  Whatever it
 * prints, duration_parse() reads back to the same value (zero aside).
 */
const char *duration_format(uint64_t ns, char *buf, size_t size);
