/* getopt.c - POSIX option parsing: "ab:c" means -a, -b ARG, -c. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char *optarg;
int optind = 1, opterr = 1, optopt;
static int pos = 1; /* position inside a group like -abc */

int getopt(int argc, char *const argv[], const char *opts)
{
    if (optind >= argc || argv[optind][0] != '-' || !argv[optind][1])
        return -1;
    if (!strcmp(argv[optind], "--")) {
        optind++;
        return -1;
    }
    int c = argv[optind][pos++];
    const char *spec = strchr(opts, c);
    if (!spec || c == ':') {
        optopt = c;
        if (opterr)
            fprintf(stderr, "%s: unknown option -%c\n", argv[0], c);
        c = '?';
    } else if (spec[1] == ':') {
        if (argv[optind][pos]) {
            optarg = &argv[optind][pos];
        } else if (optind + 1 < argc) {
            optarg = argv[++optind];
        } else {
            optopt = c;
            if (opterr)
                fprintf(stderr, "%s: option -%c needs an argument\n", argv[0], c);
            c = opts[0] == ':' ? ':' : '?';
        }
        optind++, pos = 1;
        return c;
    }
    if (!argv[optind][pos])
        optind++, pos = 1;
    return c;
}
