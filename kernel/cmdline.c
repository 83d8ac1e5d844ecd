/* cmdline.c - splits the boot command line into key=value words once. */
#include "kernel/cmdline.h"
#include "kernel/boot_info.h"
#include "kernel/printk.h"
#include "lib/string.h"

#define MAX_WORDS 32

static char words[BOOT_CMDLINE_MAX];
static const char *keys[MAX_WORDS], *values[MAX_WORDS];
static int nwords;

void cmdline_parse(const char *line)
{
    strlcpy(words, line, sizeof(words));
    nwords = 0;
    for (char *p = words; *p;) {
        while (*p == ' ')
            *p++ = 0;
        if (!*p)
            break;
        if (nwords == MAX_WORDS) {
            pr_warn("cmdline: more than %d words, ignoring the rest\n", MAX_WORDS);
            break;
        }
        keys[nwords] = p;
        values[nwords] = "";
        bool has_value = false;
        for (; *p && *p != ' '; p++) {
            if (*p == '=' && !has_value) {
                *p = 0;
                values[nwords] = p + 1;
                has_value = true;
            }
        }
        nwords++;
    }
}

const char *cmdline_get(const char *key)
{
    const char *found = NULL;
    for (int i = 0; i < nwords; i++) /* the last one wins, like Linux */
        if (!strcmp(keys[i], key))
            found = values[i];
    return found;
}
