/* SPDX-License-Identifier: MIT */
#include "pagestate.h"

#include <search.h>
#include <string.h>

struct file_segments {
	struct file_key key; /* first: a key compares as a file_segments */
	struct page_segment *segs; /* sorted, disjoint; equal neighbours merged */
	size_t n;
	size_t cap;
};

struct pagestate {
	void *tree; /* tsearch() tree of struct file_segments * */
	size_t segments;
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

static bool same_info(const struct page_info *a, const struct page_info *b)
{
	return a->state == b->state && a->reason == b->reason && a->node == b->node &&
	       a->error == b->error;
}

int pagestate_new(struct pagestate **ret)
{
	struct pagestate *set = calloc(1, sizeof(*set));

	if (!set)
		return -ENOMEM;
	*ret = set;
	return 0;
}

static void free_file_segments(void *p)
{
	struct file_segments *f = p;

	free(f->segs);
	free(f);
}

void pagestate_free(struct pagestate *set)
{
	if (!set)
		return;
	tdestroy(set->tree, free_file_segments);
	free(set);
}

static struct file_segments *lookup(const struct pagestate *set, const struct file_key *key)
{
	void *found = tfind(key, &set->tree, compare_keys);

	return found ? *(struct file_segments **)found : NULL;
}

/* Index of the first segment whose end is past @at (or equal, with @touching). */
static size_t first_ending_after(const struct file_segments *f, uint64_t at, bool touching)
{
	size_t a = 0, b = f->n;

	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (f->segs[mid].hi < at || (!touching && f->segs[mid].hi == at))
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

/* Index of the first segment that starts past @at (or at it, without @touching). */
static size_t first_starting_after(const struct file_segments *f, size_t from, uint64_t at,
				   bool touching)
{
	size_t a = from, b = f->n;

	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (f->segs[mid].lo < at || (touching && f->segs[mid].lo == at))
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

int pagestate_segments(const struct pagestate *set, const struct file_key *key, uint64_t lo,
		       uint64_t hi, struct page_segment **ret, size_t *ret_n)
{
	const struct file_segments *f = lookup(set, key);
	const struct page_info unknown = { .state = PAGE_UNKNOWN, .node = -1 };
	struct page_segment *out;
	size_t n = 0, i = 0, last = 0;
	uint64_t at = lo;

	/* Only the stored segments that overlap [lo, hi) matter: binary search both ends. */
	if (f && lo < hi) {
		i = first_ending_after(f, lo, false);
		last = first_starting_after(f, i, hi, false);
	}
	/* Each overlapping segment can add itself and the gap before it, plus a final gap. */
	out = malloc(sizeof(*out) * (2 * (last > i ? last - i : 0) + 1));
	if (!out)
		return -ENOMEM;
	for (; f && i < f->n && at < hi; i++) {
		const struct page_segment *s = &f->segs[i];

		if (s->lo >= hi)
			break;
		if (s->lo > at)
			out[n++] = (struct page_segment){ at, s->lo, unknown };
		out[n++] = (struct page_segment){ MAX(at, s->lo), MIN(hi, s->hi), s->info };
		at = MIN(hi, s->hi);
	}
	if (at < hi)
		out[n++] = (struct page_segment){ at, hi, unknown };
	*ret = out;
	*ret_n = n;
	return 0;
}

static struct file_segments *lookup_or_add(struct pagestate *set, const struct file_key *key)
{
	struct file_segments *f = lookup(set, key);

	if (f)
		return f;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->key = *key;
	if (!tsearch(f, &set->tree, compare_keys)) {
		free(f);
		return NULL;
	}
	return f;
}

int pagestate_set(struct pagestate *set, const struct file_key *key, uint64_t lo, uint64_t hi,
		  const struct page_info *info)
{
	struct file_segments *f;
	struct page_segment left = { 0 }, right = { 0 };
	bool keep_left = false, keep_right = false, add = info->state != PAGE_UNKNOWN;
	size_t first, last, n_new;

	if (lo >= hi)
		return 0;
	f = add ? lookup_or_add(set, key) : lookup(set, key);
	if (!f)
		return add ? -ENOMEM : 0;
	/* Room for the worst case: one segment split in three. */
	if (GROW_ARRAY(f->segs, f->cap, f->n + 2) < 0)
		return -ENOMEM;

	/* Segments [first, last) overlap or touch [lo, hi). */
	first = first_ending_after(f, lo, true);
	last = first_starting_after(f, first, hi, true);
	if (first < last) {
		struct page_segment *a = &f->segs[first], *b = &f->segs[last - 1];

		if (a->lo < lo || (a->hi == lo && !(add && same_info(&a->info, info)))) {
			left = (struct page_segment){ a->lo, MIN(a->hi, lo), a->info };
			keep_left = true;
		}
		if (b->hi > hi || (b->lo == hi && !(add && same_info(&b->info, info)))) {
			right = (struct page_segment){ MAX(b->lo, hi), b->hi, b->info };
			keep_right = true;
		}
		/* Touching neighbours with the same info merge into the new segment. */
		if (add && a->lo < lo && same_info(&a->info, info)) {
			lo = a->lo;
			keep_left = false;
		}
		if (add && b->hi > hi && same_info(&b->info, info)) {
			hi = b->hi;
			keep_right = false;
		}
	}
	n_new = (size_t)keep_left + (size_t)add + (size_t)keep_right;
	memmove(&f->segs[first + n_new], &f->segs[last], (f->n - last) * sizeof(f->segs[0]));
	set->segments = set->segments - (last - first) + n_new;
	f->n = f->n - (last - first) + n_new;
	if (keep_left)
		f->segs[first++] = left;
	if (add)
		f->segs[first++] = (struct page_segment){ lo, hi, *info };
	if (keep_right)
		f->segs[first++] = right;
	return 0;
}

struct walk {
	void (*fn)(const struct file_key *key, const struct page_segment *seg, void *userdata);
	void *userdata;
};

static void visit(const void *node, VISIT which, void *closure)
{
	const struct file_segments *f = *(struct file_segments *const *)node;
	const struct walk *w = closure;

	if (which != postorder && which != leaf)
		return; /* in order: an inner node once, between its subtrees */
	for (size_t i = 0; i < f->n; i++)
		w->fn(&f->key, &f->segs[i], w->userdata);
}

void pagestate_foreach(const struct pagestate *set,
		       void (*fn)(const struct file_key *key, const struct page_segment *seg,
				  void *userdata),
		       void *userdata)
{
	struct walk w = { fn, userdata };

	twalk_r(set->tree, visit, &w);
}

size_t pagestate_segment_count(const struct pagestate *set)
{
	return set->segments;
}
