/*
 * How many homes hold each project ID on each filesystem, so that checking
 * an ID or finding a free one costs the same with ten homes or a hundred
 * thousand.  An open-addressing hash table keyed by (device, ID).
 */
#ifndef HOMENFS_IDMAP_H
#define HOMENFS_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct idmap_slot {
	dev_t dev;
	uint32_t id;
	uint32_t count;		/* 0 in a slot once used: a tombstone */
	bool used;
};

struct idmap {
	struct idmap_slot *slots;
	size_t cap;		/* a power of two, or 0 */
	size_t used;		/* slots ever used, tombstones included */
};

/* One more home holds id on dev.  0 or -ENOMEM. */
int idmap_add(struct idmap *m, dev_t dev, uint32_t id);

/* One home fewer holds id on dev; nothing happens if none did. */
void idmap_remove(struct idmap *m, dev_t dev, uint32_t id);

/* How many homes hold id on dev. */
uint32_t idmap_count(const struct idmap *m, dev_t dev, uint32_t id);

void idmap_free(struct idmap *m);

#endif
