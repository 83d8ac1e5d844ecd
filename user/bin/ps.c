/* ps.c - list processes: pid, parent, state, name. */
#include <cowl.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char buf[4096];
    long n = cowl_procs(buf, sizeof(buf) - 1);
    if (n < 0) {
        perror("ps");
        return 1;
    }
    buf[n] = 0;
    printf("  PID  PPID S NAME\n");
    for (char *p = buf; *p;) { /* lines of "pid ppid state name" */
        char *end;
        long pid = strtol(p, &end, 10);
        long ppid = strtol(end, &end, 10);
        char state = end[1], *name = end + 3, *nl = name;
        while (*nl && *nl != '\n')
            nl++;
        printf("%5ld %5ld %c %.*s\n", pid, ppid, state, (int)(nl - name), name);
        p = *nl ? nl + 1 : nl;
    }
    return 0;
}
