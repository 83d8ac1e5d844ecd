/* spin.c - use the CPU forever: the program to stop with Ctrl-C, which
 * the console turns into SIGINT for the foreground process group
 * (docs/processes.md, "Sessions, process groups and Ctrl-C"). */
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const char msg[] = "spin: spinning until stopped (Ctrl-C)\n";
    write(1, msg, strlen(msg));
    for (;;)
        __asm__ volatile("" ::: "memory"); /* a loop the compiler must keep */
}
