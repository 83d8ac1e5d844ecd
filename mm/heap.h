/* heap.h - kmalloc/kfree: kernel objects of any size.
 * Sizes up to HEAP_MAX_SMALL come from per-size-class slabs (one page each);
 * larger ones take whole page blocks.  kmalloc returns NULL when memory runs
 * out; every caller handles that. */
#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_MIN_SMALL 16
#define HEAP_MAX_SMALL 2048

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
/* Objects kmalloc has handed out and kfree not taken back (leak checks). */
uint64_t heap_live_objects(void);

#endif
