/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "movedset.h"

static bool key_empty(struct movedset_key k)
{
	return k.a == 0 && k.b == 0;
}

static bool key_eq(struct movedset_key x, struct movedset_key y)
{
	return x.a == y.a && x.b == y.b;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	return x ^ (x >> 33);
}

static size_t slot_of(struct movedset_key k)
{
	return (size_t)(mix(k.a ^ mix(k.b)) & (MOVEDSET_SLOTS - 1));
}

int movedset_init(struct movedset *s)
{
	struct movedset n = { 0 };

	n.slots = calloc(MOVEDSET_SLOTS, sizeof(*n.slots));
	n.age = calloc(MOVEDSET_SLOTS, sizeof(*n.age));
	if (!n.slots || !n.age) {
		free(n.slots);
		free(n.age);
		return -ENOMEM;
	}
	*s = n;
	return 0;
}

void movedset_done(struct movedset *s)
{
	free(s->slots);
	free(s->age);
	memset(s, 0, sizeof(*s));
}

struct movedset_key movedset_key_of(const struct process_report *p, const struct page_ref *ref)
{
	struct movedset_key k;

	if (ref->file_page != PAGE_REF_PRIVATE && !ref->by_frame) {
		const struct file_key *f = &mapping_file_of(p, &p->maps[ref->map])->key;

		k.a = f->inode ^ ((uint64_t)f->dev_major << 52);
		k.b = ((uint64_t)f->dev_minor << 40) ^ ref->file_page;
	} else {
		k.a = ((uint64_t)1 << 63) |
		      (((uint64_t)(uint32_t)p->info.pid << 20) ^ p->info.start_time);
		k.b = ref->addr;
	}
	if (key_empty(k))
		k.b = 1;
	return k;
}

/* Open addressing with linear probing: the slot holding @key, or the empty one ending its run. */
static size_t find(const struct movedset *s, struct movedset_key key)
{
	size_t i = slot_of(key);

	while (!key_empty(s->slots[i]) && !key_eq(s->slots[i], key))
		i = (i + 1) & (MOVEDSET_SLOTS - 1);
	return i;
}

/* Forget the older half: rebuild from the entries of the newer generations. */
static void forget_oldest(struct movedset *s)
{
	struct movedset_key *old = s->slots;
	uint32_t *old_age = s->age, cut;
	struct movedset_key *nslots = calloc(MOVEDSET_SLOTS, sizeof(*nslots));
	uint32_t *nage = calloc(MOVEDSET_SLOTS, sizeof(*nage));
	size_t kept = 0;

	if (!nslots || !nage) { /* cannot rebuild: forget everything */
		free(nslots);
		free(nage);
		s->forgotten += s->n;
		memset(s->slots, 0, MOVEDSET_SLOTS * sizeof(*s->slots));
		s->n = 0;
		return;
	}
	/* generations count insertions: keep the newest half of them */
	cut = s->generation - (uint32_t)(s->n / 2);
	s->slots = nslots;
	s->age = nage;
	for (size_t i = 0; i < MOVEDSET_SLOTS; i++) {
		size_t j;

		if (key_empty(old[i]) || (int32_t)(old_age[i] - cut) < 0)
			continue;
		j = find(s, old[i]);
		s->slots[j] = old[i];
		s->age[j] = old_age[i];
		kept++;
	}
	s->forgotten += s->n - kept;
	s->n = kept;
	free(old);
	free(old_age);
}

int movedset_add(struct movedset *s, struct movedset_key key)
{
	size_t i;

	if (key_empty(key))
		return -EINVAL;
	if (s->n >= MOVEDSET_CAPACITY)
		forget_oldest(s);
	i = find(s, key);
	if (key_empty(s->slots[i])) {
		s->slots[i] = key;
		s->n++;
	}
	s->age[i] = ++s->generation;
	return 0;
}

bool movedset_contains(const struct movedset *s, struct movedset_key key)
{
	return !key_empty(key) && key_eq(s->slots[find(s, key)], key);
}

bool movedset_take(struct movedset *s, struct movedset_key key)
{
	size_t i, j;

	if (!movedset_contains(s, key))
		return false;
	i = find(s, key);
	/* backward-shift deletion keeps every probe run unbroken */
	s->slots[i] = (struct movedset_key){ 0, 0 };
	s->n--;
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & (MOVEDSET_SLOTS - 1);
		if (key_empty(s->slots[j]))
			break;
		home = slot_of(s->slots[j]);
		/* move j back to i when its home is not cyclically within (i, j] */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			s->slots[i] = s->slots[j];
			s->age[i] = s->age[j];
			s->slots[j] = (struct movedset_key){ 0, 0 };
			i = j;
		}
	}
	return true;
}
