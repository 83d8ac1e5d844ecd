/* pgrp.h - process groups, sessions and the console's foreground group:
 * what a shell needs for job control (docs/processes.md, "Sessions,
 * process groups and Ctrl-C").
 *
 *   session 1 (init)        the console belongs to it
 *     group 1: init
 *     group 5: sh           the shell, in its own group
 *     group 9: spin | cat   a job: the console's foreground group
 *
 * The groups and sessions are fields of struct process (pgid, sid); the
 * console's session and foreground group live here.  All of it is under
 * proc_table_lock. */
#ifndef PGRP_H
#define PGRP_H

struct process;

/* Send sig to every member of group pgid (sig 0: only look); 0 if there
 * was one, else -ESRCH.  Takes proc_table_lock: callable from an interrupt
 * handler, never with that lock held. */
int pgrp_signal(int pgid, int sig);

/* The console becomes the controlling terminal of p's session (the kernel
 * gives a process it starts the console as descriptors 0-2), with no
 * foreground group until the session sets one (tcsetpgrp). */
void pgrp_console_claim(struct process *p);
/* tcsetpgrp/tcgetpgrp on the console for the calling process: -ENOTTY if
 * the console is not its session's terminal; set: -EINVAL for a negative
 * pgid, -ESRCH if no such group, -EPERM if it is in another session. */
int pgrp_console_set_fg(int pgid);
int pgrp_console_get_fg(void);
/* A Ctrl-C or Ctrl-\ typed on the console: sig to its foreground group.
 * Runs in the serial interrupt (docs/processes.md says why that is safe). */
void pgrp_console_signal(int sig);

#endif
