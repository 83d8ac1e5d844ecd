/* memtest.c - writes every 8-byte word of RAM from 1 MiB to the end with a
 * value made from its address, reads it all back, reports the number of
 * words that came back wrong (COWL_HC_REPORT) and exits 0 if there were
 * none.  Every 4 KiB page it touches starts as a nested page fault that the
 * host fills with a zeroed page: this is demand paging of guest RAM at
 * scale.  A page mapped twice, or at the wrong place, shows as a bad word. */
#include "guest.h"

#define START   (1ul << 20)          /* below: page tables, image, stack */
#define PATTERN 0x9e3779b97f4a7c15ul /* any constant with bits everywhere */
#define MAP_END (4ul << 30)          /* start.asm maps only the first 4 GiB */

static uint64_t expected(volatile uint64_t *p) { return (uint64_t)(uintptr_t)p ^ PATTERN; }

static void announce(uint64_t end)
{
    char msg[64] = "memtest: ", num[21];
    utoa((end - START) >> 20, num);
    char *d = msg + guest_strlen(msg);
    for (const char *s = num; *s;)
        *d++ = *s++;
    for (const char *s = " MiB from 1 MiB\n"; *s;)
        *d++ = *s++;
    *d = 0;
    hc_print(msg);
}

int guest_main(void)
{
    uint64_t end = guest_ram_size();
    if (end > MAP_END)
        end = MAP_END;
    if (end <= START)
        return 2; /* nothing to test: the monitor gave too little RAM */
    announce(end);
    /* volatile: every word must really be written and read again */
    volatile uint64_t *first = (volatile uint64_t *)START, *last = (volatile uint64_t *)end;
    for (volatile uint64_t *p = first; p < last; p++)
        *p = expected(p);
    uint64_t bad = 0;
    for (volatile uint64_t *p = first; p < last; p++)
        bad += *p != expected(p);
    hypercall(COWL_HC_REPORT, bad, 0, 0);
    return bad != 0;
}
