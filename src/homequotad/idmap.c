#include "idmap.h"

#include <errno.h>
#include <stdlib.h>

static size_t idmap_hash(dev_t dev, uint32_t id)
{
	uint64_t h = ((uint64_t)dev << 32 | id) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h ^ (h >> 29));
}

/* The slot holding (dev, id), or NULL. */
static struct idmap_slot *idmap_find(const struct idmap *m, dev_t dev,
				     uint32_t id)
{
	if (!m->cap)
		return NULL;
	for (size_t i = idmap_hash(dev, id) & (m->cap - 1);;
	     i = (i + 1) & (m->cap - 1)) {
		struct idmap_slot *s = &m->slots[i];

		if (!s->used)
			return NULL;
		if (s->dev == dev && s->id == id)
			return s;
	}
}

/*
 * Rebuilds the table at twice the live entries' need, dropping the
 * tombstones.  The load stays at or under one half, so probes stay short
 * and always end at an unused slot.
 */
static int idmap_grow(struct idmap *m)
{
	struct idmap old = *m;
	size_t live = 0, cap = 64;

	for (size_t i = 0; i < old.cap; i++)
		live += old.slots[i].count > 0;
	while (cap < (live + 1) * 4)
		cap *= 2;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->used = 0;
	for (size_t i = 0; i < old.cap; i++) {
		struct idmap_slot *s = &old.slots[i];
		size_t j;

		if (!s->count)
			continue;
		j = idmap_hash(s->dev, s->id) & (cap - 1);
		while (m->slots[j].used)
			j = (j + 1) & (cap - 1);
		m->slots[j] = *s;
		m->used++;
	}
	free(old.slots);
	return 0;
}

int idmap_add(struct idmap *m, dev_t dev, uint32_t id)
{
	struct idmap_slot *s = idmap_find(m, dev, id);
	size_t i;

	if (s) {
		s->count++;
		return 0;
	}
	if ((m->used + 1) * 2 > m->cap && idmap_grow(m) < 0)
		return -ENOMEM;
	i = idmap_hash(dev, id) & (m->cap - 1);
	while (m->slots[i].used)
		i = (i + 1) & (m->cap - 1);
	m->slots[i] = (struct idmap_slot){ dev, id, 1, true };
	m->used++;
	return 0;
}

void idmap_remove(struct idmap *m, dev_t dev, uint32_t id)
{
	struct idmap_slot *s = idmap_find(m, dev, id);

	if (s && s->count)
		s->count--;
}

uint32_t idmap_count(const struct idmap *m, dev_t dev, uint32_t id)
{
	const struct idmap_slot *s = idmap_find(m, dev, id);

	return s ? s->count : 0;
}

void idmap_free(struct idmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->used = 0;
}
