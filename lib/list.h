/* list.h - circular doubly linked lists with a sentinel head. */
#ifndef LIST_H
#define LIST_H

#include <stdbool.h>
#include <stddef.h>

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

/* The struct that contains list node n as its field `member`. */
#define list_entry(n, type, member) ((type *)((char *)(n)-offsetof(type, member)))

/* for (each struct `pos` on list `head`, linked through `member`).  The
 * loop body must not remove pos; use the _safe form for that. */
#define list_for_each_entry(pos, head, member)                                                     \
    for (pos = list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head);         \
         pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, tmp, head, member)                                           \
    for (pos = list_entry((head)->next, __typeof__(*pos), member),                                 \
        tmp = list_entry(pos->member.next, __typeof__(*pos), member);                              \
         &pos->member != (head);                                                                   \
         pos = tmp, tmp = list_entry(tmp->member.next, __typeof__(*pos), member))

#endif
