/* echo.c - print the arguments; -n leaves out the newline. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    int newline = 1, i = 1;
    if (argc > 1 && !strcmp(argv[1], "-n"))
        newline = 0, i = 2;
    for (; i < argc; i++)
        printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    if (newline)
        printf("\n");
    return 0;
}
