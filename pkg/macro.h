/* SPDX-License-Identifier: MIT */
/* Cleanup helpers and small macros shared by every file of the project. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Take ownership out of a cleanup-managed variable. */
#define TAKE_PTR(p)                         \
	({                                  \
		__typeof__(p) _taken = (p); \
		(p) = NULL;                 \
		_taken;                     \
	})

#define TAKE_FD(fd)                   \
	({                            \
		int _taken_fd = (fd); \
		(fd) = -1;            \
		_taken_fd;            \
	})

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Declare a NULL-accepting `name##p` cleanup wrapper for `name(type *)`. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
	static inline void func##p(type *p)     \
	{                                       \
		if (*p)                         \
			func(*p);               \
	}

/*
 * Make room for @need elements in *@array (capacity *@cap, in elements),
 * doubling.  -ENOMEM leaves the array and capacity untouched.
 */
static inline int grow_array(void **array, size_t *cap, size_t need, size_t elem_size)
{
	size_t ncap;
	void *grown;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	grown = realloc(*array, ncap * elem_size);
	if (!grown)
		return -ENOMEM;
	*array = grown;
	*cap = ncap;
	return 0;
}

#define GROW_ARRAY(array, cap, need) grow_array((void **)&(array), &(cap), (need), sizeof(*(array)))

/* The value of hex digit @c, -1 when it is none. */
static inline int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* errno as a negative value, never 0 (for paths where errno may be unset). */
static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}
