/* pattern.c - a guest that does what its monitor tells it, one command at
 * a time: fill RAM with a pattern, check it, rewrite one page, exit (the
 * protocol is in pattern.h).  user/tests/vmfork.c drives it to check that
 * a VM's clones each keep their own memory.  All of RAM is mapped by
 * start.asm's identity map, so a page number times 4 KiB is a pointer. */
#include "pattern.h"
#include "guest.h"

#define MAP_END (4ul << 30) /* start.asm maps only the first 4 GiB */

struct result {
    uint64_t bad, first_bad;
};

static uint64_t ram_end(uint64_t mib)
{
    uint64_t end = mib << 20, ram = guest_ram_size();
    if (end > ram)
        end = ram;
    return end > MAP_END ? MAP_END : end;
}

/* volatile: every word must really be written, and read back from RAM */
static void fill_page(uint64_t addr, uint32_t seed)
{
    volatile uint64_t *p = (volatile uint64_t *)addr;
    for (uint64_t i = 0; i < PAT_PAGE / 8; i++)
        p[i] = pattern_word(addr + 8 * i, seed);
}

static void check_page(uint64_t addr, uint32_t seed, struct result *r)
{
    volatile uint64_t *p = (volatile uint64_t *)addr;
    for (uint64_t i = 0; i < PAT_PAGE / 8; i++) {
        if (p[i] != pattern_word(addr + 8 * i, seed)) {
            if (r->bad++ == 0)
                r->first_bad = addr + 8 * i;
        }
    }
}

/* Every page in [PAT_START, end) with one seed, or (model) each its own. */
static struct result check(uint64_t end, uint32_t seed, int model)
{
    struct result r = {0, 0};
    const volatile uint32_t *seeds = (const volatile uint32_t *)PAT_MODEL_ADDR;
    if (model && end / PAT_PAGE > PAT_MODEL_MAX)
        return (struct result){~0ul, 0}; /* the model cannot cover it */
    for (uint64_t a = PAT_START; a < end; a += PAT_PAGE)
        check_page(a, model ? seeds[a / PAT_PAGE] : seed, &r);
    return r;
}

static struct result run(uint64_t cmd)
{
    uint64_t arg = pattern_arg(cmd), end = ram_end(arg);
    uint32_t seed = pattern_seed(cmd);
    switch (pattern_op(cmd)) {
    case PAT_FILL:
        for (uint64_t a = PAT_START; a < end; a += PAT_PAGE)
            fill_page(a, seed);
        return (struct result){0, 0};
    case PAT_CHECK:
        return check(end, seed, 0);
    case PAT_CHECK_MODEL:
        return check(end, 0, 1);
    case PAT_WRITE_PAGE:
        if (arg * PAT_PAGE < PAT_START || (arg + 1) * PAT_PAGE > ram_end(~0ul >> 20))
            return (struct result){~0ul, arg}; /* not a pattern page */
        fill_page(arg * PAT_PAGE, seed);
        return (struct result){0, 0};
    }
    return (struct result){~0ul, cmd}; /* not reached: guest_main knows the ops */
}

int guest_main(void)
{
    struct result r = {0, 0};
    for (;;) {
        uint64_t cmd = hypercall(PATTERN_HC_NEXT, r.bad, r.first_bad, 0);
        if (pattern_op(cmd) == PAT_EXIT)
            return (int)pattern_seed(cmd);
        if (pattern_op(cmd) == 0 || pattern_op(cmd) > PAT_EXIT)
            return 3; /* a monitor that does not speak pattern.h (vmm answers -1) */
        r = run(cmd);
    }
}
