/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the libFuzzer targets: the input as a C string (parsers take
 * text, as the readers hand it over), and an invariant check that aborts so
 * libFuzzer records the input as a crash.
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* @data as a NUL-terminated copy (an embedded NUL ends it early, as for a read file). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#define FUZZ_ASSERT(cond, ...)                                                     \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                              \
			fputc('\n', stderr);                                       \
			abort();                                                   \
		}                                                                  \
	} while (0)
