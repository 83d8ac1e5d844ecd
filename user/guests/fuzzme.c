/* fuzzme.c - a target for vmm's fork server (vmm -f N, docs/virt.md section
 * 16): it sets up, asks for a snapshot with its input buffer
 * (COWL_HC_SNAPSHOT), then parses the input the monitor wrote into it, and
 * exits 0 whether it accepted the input or rejected it.
 *
 * The input is a list of records, each a tag byte, a length byte and that
 * many payload bytes.  The top 3 bits of the tag are the record's type:
 *   0 END   stop here
 *   1 PAD   ignored
 *   2 SUM   its bytes are added to a running sum
 *   5 TEXT  text, then one checksum byte (the low byte of the text's sum);
 *           with the right checksum the text is appended to a log
 *   other   the input is rejected
 * A record longer than what is left of the input is rejected too.
 *
 * The planted bug: an empty TEXT record (a tag 0xa0-0xbf followed by a
 * length byte 0) has no checksum byte, but text_record reads it anyway,
 * from p[len - 1] with a 32-bit index: 4 GiB - 1 past the record, above
 * what start.asm maps.  The page fault finds no IDT: a triple fault.  A
 * random input's first record is such a pair with probability
 * 1/8 * 1/256, about 1/2000.  fuzzfixed.c is this file with the check
 * that an empty TEXT record lacks: the same inputs never crash it. */
#include "guest.h"

#define INPUT_MAX 32 /* the input buffer: the fork server writes 1..32 bytes */

enum { T_END = 0, T_PAD = 1, T_SUM = 2, T_TEXT = 5 };

static uint8_t input[INPUT_MAX];
static char text_log[64];
static size_t text_len;
static uint32_t sum;

/* TEXT: append the text to the log if its checksum byte is right.
 * 0, or -1 to reject the input. */
static int text_record(const uint8_t *p, uint8_t len)
{
#ifdef FUZZ_FIXED
    if (len == 0)
        return -1; /* no room for the checksum byte: the fix */
#endif
    uint32_t n = len - 1;              /* the text, without its checksum byte */
    uint8_t want = p[n];               /* len 0: p + 0xffffffff, a wild read */
    __asm__ volatile("" ::: "memory"); /* read it before the loop reads the text */
    uint8_t got = 0;
    for (uint32_t i = 0; i < n; i++)
        got += p[i];
    if (got != want)
        return -1;
    for (uint32_t i = 0; i < n && text_len < sizeof(text_log); i++)
        text_log[text_len++] = (char)p[i];
    return 0;
}

/* One record of type `type`: 0 to go on, 1 to stop, -1 to reject. */
static int record(unsigned type, const uint8_t *p, uint8_t len)
{
    switch (type) {
    case T_END:
        return 1;
    case T_PAD:
        return 0;
    case T_SUM:
        for (uint8_t i = 0; i < len; i++)
            sum += p[i];
        return 0;
    case T_TEXT:
        return text_record(p, len);
    default:
        return -1;
    }
}

/* The records of in[0..size): 0 if the input was accepted, -1 if not. */
static int parse(const uint8_t *in, size_t size)
{
    size_t pos = 0;
    while (pos + 2 <= size) {
        uint8_t tag = in[pos], len = in[pos + 1];
        if (len > size - pos - 2)
            return -1; /* runs past the end of the input */
        int r = record(tag >> 5, in + pos + 2, len);
        if (r != 0)
            return r < 0 ? -1 : 0;
        pos += 2 + (size_t)len;
    }
    return 0;
}

int guest_main(void)
{
    /* Everything before the snapshot is done once, in the snapshot VM;
     * every clone starts from here with its own input in input[]. */
    uint64_t size = hypercall(COWL_HC_SNAPSHOT, (uint64_t)(uintptr_t)input, sizeof(input), 0);
    if (size == (uint64_t)-1) { /* vmm without -f answers -1 */
        hc_print("fuzzme: no fork server here: run me with vmm -f N\n");
        return 0;
    }
    if (size > sizeof(input))
        size = sizeof(input);
    parse(input, size); /* accepted or rejected, both are fine: exit 0 */
    return 0;
}
