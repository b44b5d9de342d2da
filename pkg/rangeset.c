/* SPDX-License-Identifier: MIT */
#include "rangeset.h"

#include <search.h>
#include <string.h>

struct file_ranges {
	struct file_key key;
	struct page_range *ranges; /* sorted, disjoint, not adjacent */
	size_t n;
	size_t cap;
};

struct rangeset {
	void *tree; /* tsearch() tree of struct file_ranges * */
};

static int compare_keys(const void *a, const void *b)
{
	const struct file_key *x = a, *y = b;

	if (x->dev_major != y->dev_major)
		return x->dev_major < y->dev_major ? -1 : 1;
	if (x->dev_minor != y->dev_minor)
		return x->dev_minor < y->dev_minor ? -1 : 1;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return 0;
}

int rangeset_new(struct rangeset **ret)
{
	struct rangeset *set = calloc(1, sizeof(*set));

	if (!set)
		return -ENOMEM;
	*ret = set;
	return 0;
}

static void free_file_ranges(void *p)
{
	struct file_ranges *f = p;

	free(f->ranges);
	free(f);
}

void rangeset_free(struct rangeset *set)
{
	if (!set)
		return;
	tdestroy(set->tree, free_file_ranges);
	free(set);
}

static struct file_ranges *lookup(const struct rangeset *set, const struct file_key *key)
{
	/* struct file_ranges starts with its key, so a key compares as one. */
	void *found = tfind(key, &set->tree, compare_keys);

	return found ? *(struct file_ranges **)found : NULL;
}

int rangeset_gaps(const struct rangeset *set, const struct file_key *key, uint64_t lo, uint64_t hi,
		  struct page_range **ret_gaps, size_t *ret_n)
{
	const struct file_ranges *f = lookup(set, key);
	struct page_range *gaps;
	size_t n = 0;
	uint64_t at = lo;

	gaps = malloc(sizeof(*gaps) * ((f ? f->n : 0) + 1));
	if (!gaps)
		return -ENOMEM;
	for (size_t i = 0; f && i < f->n && at < hi; i++) {
		const struct page_range *r = &f->ranges[i];

		if (r->hi <= at)
			continue;
		if (r->lo >= hi)
			break;
		if (r->lo > at)
			gaps[n++] = (struct page_range){ at, r->lo };
		at = r->hi;
	}
	if (at < hi)
		gaps[n++] = (struct page_range){ at, hi };
	if (n == 0) {
		free(gaps);
		gaps = NULL;
	}
	*ret_gaps = gaps;
	*ret_n = n;
	return 0;
}

int rangeset_claim(struct rangeset *set, const struct file_key *key, uint64_t lo, uint64_t hi)
{
	struct file_ranges *f = lookup(set, key);
	size_t first, last;

	if (lo >= hi)
		return 0;
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (!f)
			return -ENOMEM;
		f->key = *key;
		if (!tsearch(f, &set->tree, compare_keys)) {
			free(f);
			return -ENOMEM;
		}
	}
	if (GROW_ARRAY(f->ranges, f->cap, f->n + 1) < 0)
		return -ENOMEM;
	/* Ranges [first, last) touch or overlap [lo, hi): merge them into one. */
	for (first = 0; first < f->n && f->ranges[first].hi < lo; first++)
		;
	for (last = first; last < f->n && f->ranges[last].lo <= hi; last++) {
		lo = MIN(lo, f->ranges[last].lo);
		hi = MAX(hi, f->ranges[last].hi);
	}
	if (last == first) {
		memmove(&f->ranges[first + 1], &f->ranges[first],
			(f->n - first) * sizeof(f->ranges[0]));
		f->n++;
	} else if (last > first + 1) {
		memmove(&f->ranges[first + 1], &f->ranges[last],
			(f->n - last) * sizeof(f->ranges[0]));
		f->n -= last - first - 1;
	}
	f->ranges[first] = (struct page_range){ lo, hi };
	return 0;
}
