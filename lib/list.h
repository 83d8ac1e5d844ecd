/* list.h - circular doubly linked lists with a sentinel head. */
#ifndef LIST_H
#define LIST_H

#include <stdbool.h>

struct list_head {
    struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(h)                                                                          \
    {                                                                                              \
        &(h), &(h)                                                                                 \
    }

static inline void list_init(struct list_head *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }

static inline void list_add(struct list_head *n, struct list_head *h)
{
    n->next = h->next;
    n->prev = h;
    h->next->prev = n;
    h->next = n;
}

static inline void list_add_tail(struct list_head *n, struct list_head *h) { list_add(n, h->prev); }

static inline void list_del(struct list_head *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

#endif
