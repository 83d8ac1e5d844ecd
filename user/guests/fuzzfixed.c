/* fuzzfixed.c - fuzzme.c with its planted bug fixed (an empty TEXT record
 * is rejected): the fork server's target that must never crash, whatever
 * the input.  The same source, so the two differ in nothing else. */
#define FUZZ_FIXED 1
#include "fuzzme.c"
