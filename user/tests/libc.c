/* libc.c - the parts of cowl's libc that programs from elsewhere lean on. */
#include "check.h"
#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(void)
{
    char buf[64];
    const char *want = "-7|   ab|ff |18446744073709551615";
    CHECK_EQ(snprintf(buf, sizeof(buf), "%d|%5s|%-3x|%lu", -7, "ab", 255, ULONG_MAX), strlen(want));
    CHECK(!strcmp(buf, want));
    char line[] = "  alpha, beta,,gamma ";
    char *save, *a = strtok_r(line, " ,", &save), *b = strtok_r(NULL, " ,", &save);
    char *c = strtok_r(NULL, " ,", &save);
    CHECK(a && b && c && !strcmp(a, "alpha") && !strcmp(b, "beta") && !strcmp(c, "gamma"));
    CHECK(strtok_r(NULL, " ,", &save) == NULL);
    CHECK_EQ(strtol("-0x1f", NULL, 0), -31);
    CHECK_EQ(atoi("  42x"), 42);
    CHECK(isdigit('7') && !isdigit('a') && isspace('\n') && toupper('q') == 'Q');
    int v[100];
    for (int i = 0; i < 100; i++)
        v[i] = (i * 37) % 101;
    qsort(v, 100, sizeof(int), cmp_int);
    for (int i = 1; i < 100; i++)
        CHECK(v[i - 1] <= v[i]);

    FILE *f = fopen("libc.txt", "w"); /* relative: in "/" on cowl, a scratch directory on Linux */
    CHECK(f != NULL);
    CHECK_EQ(fprintf(f, "line %d\n", 1), 7);
    CHECK_EQ(fwrite("xyz\n", 1, 4, f), 4);
    CHECK_EQ(fclose(f), 0);
    f = fopen("libc.txt", "r");
    CHECK(f && fgets(buf, sizeof(buf), f) && !strcmp(buf, "line 1\n"));
    CHECK_EQ(fgetc(f), 'x');
    CHECK_EQ(fread(buf, 1, 10, f), 3);
    CHECK(feof(f));
    fclose(f);
    CHECK(fopen("/no/such", "r") == NULL && errno == ENOENT);

    /* Buffering: a file is fully buffered; setvbuf(_IONBF) writes at once;
     * fflush(NULL) flushes every stream. */
    struct stat st;
    f = fopen("libc.txt", "w");
    CHECK(f != NULL);
    CHECK(fputs("buffered\n", f) >= 0);
    CHECK(fstat(fileno(f), &st) == 0 && st.st_size == 0);
    CHECK_EQ(fflush(NULL), 0);
    CHECK(fstat(fileno(f), &st) == 0 && st.st_size == 9);
    CHECK_EQ(setvbuf(f, NULL, _IONBF, 0), 0);
    CHECK(fputs("now", f) >= 0);
    CHECK(fstat(fileno(f), &st) == 0 && st.st_size == 12);
    static char mine[64];
    CHECK_EQ(setvbuf(f, mine, _IOLBF, sizeof(mine)), 0);
    CHECK(fputs("ab", f) >= 0);
    CHECK(fstat(fileno(f), &st) == 0 && st.st_size == 12);
    CHECK(fputs("c\n", f) >= 0); /* the newline sends the line */
    CHECK(fstat(fileno(f), &st) == 0 && st.st_size == 16);
    CHECK_EQ(fclose(f), 0);
    unlink("libc.txt");

    char *argv[] = {"prog", "-a", "-bvalue", "-c", "x", "rest", NULL};
    int opt, seen_a = 0;
    char *bval = NULL, *cval = NULL;
    while ((opt = getopt(6, argv, "ab:c:")) != -1) {
        if (opt == 'a')
            seen_a = 1;
        else if (opt == 'b')
            bval = optarg;
        else if (opt == 'c')
            cval = optarg;
    }
    CHECK(seen_a && bval && !strcmp(bval, "value") && cval && !strcmp(cval, "x"));
    CHECK_EQ(optind, 5);

    void *blocks[50];
    for (int i = 0; i < 50; i++) { /* malloc/free/realloc churn */
        blocks[i] = malloc(16 + i * 97);
        CHECK(blocks[i] != NULL);
        memset(blocks[i], i, 16 + i * 97);
    }
    for (int i = 0; i < 50; i += 2)
        free(blocks[i]);
    for (int i = 1; i < 50; i += 2) {
        blocks[i] = realloc(blocks[i], 4000);
        CHECK(blocks[i] && ((unsigned char *)blocks[i])[0] == i);
        free(blocks[i]);
    }
    assert(1 + 1 == 2);
    printf("libc: ok\n");
    return 0;
}
