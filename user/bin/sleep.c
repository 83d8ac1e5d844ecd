/* sleep.c - sleep SECONDS (whole or with a fraction: 0.5). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: sleep SECONDS\n");
        return 2;
    }
    char *frac;
    long sec = strtol(argv[1], &frac, 10), nsec = 0;
    if (*frac == '.')
        for (long scale = 100000000, i = 1; frac[i] >= '0' && frac[i] <= '9' && scale;
             i++, scale /= 10)
            nsec += (frac[i] - '0') * scale;
    struct timespec ts = {sec, nsec};
    return nanosleep(&ts, NULL) ? 1 : 0;
}
