/* cmdline.h - the kernel command line: space-separated key=value words.
 * Known keys: loglevel=0..3, test=PATTERNS, fork=share|copy|eager. */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <stdbool.h>

void cmdline_parse(const char *line);
/* The value of key=value, "" for a bare word, NULL when absent. */
const char *cmdline_get(const char *key);

#endif
