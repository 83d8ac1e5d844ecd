/* sh.c - a small shell: pipelines (|), redirection (<, >, >>), background
 * jobs (&), sequences (;), quotes, $? for the last exit status, and the
 * built-ins cd and exit.  `sh FILE` runs the commands in FILE.  Prompts
 * only when asked to (-i) or when reading the console.
 *
 * Job control, when interactive: each pipeline runs in a process group of
 * its own, which gets the console (tcsetpgrp) while the shell waits for
 * it, so Ctrl-C (SIGINT to the console's foreground group) stops the job
 * and not the shell, which is in its own group (docs/processes.md,
 * "Sessions, process groups and Ctrl-C").  A job killed by a signal is
 * reported. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORDS 64
#define MAX_CMDS  8

struct cmd {
    char *argv[MAX_WORDS];
    int argc;
    char *in, *out;
    int append;
};

static int last_status;
static int job_control; /* interactive: jobs get process groups and the terminal */
static pid_t shell_pgid;

/* Split a line into words (copied into wordbuf) and operators; quotes
 * group characters into one word. */
static char wordbuf[1024];

static int tokenize(const char *p, char **tok, int max)
{
    static char *const ops[] = {"|", "<", ">", "&", ";"};
    char *w = wordbuf;
    int n = 0;
    while (n < max - 1) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (!*p || *p == '#')
            break;
        if (p[0] == '>' && p[1] == '>') {
            tok[n++] = ">>";
            p += 2;
            continue;
        }
        if (strchr("|<>&;", *p)) {
            tok[n++] = ops[strchr("|<>&;", *p) - "|<>&;"];
            p++;
            continue;
        }
        tok[n++] = w;
        while (*p && !strchr(" \t\n|<>&;", *p)) {
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                while (*p && *p != q)
                    *w++ = *p++;
                if (*p)
                    p++;
            } else {
                *w++ = *p++;
            }
        }
        *w++ = 0;
    }
    tok[n] = NULL;
    return n;
}

static char *expand(char *word)
{
    static char status[4][12];
    static int which;
    if (strcmp(word, "$?"))
        return word;
    char *s = status[which++ % 4];
    snprintf(s, 12, "%d", last_status);
    return s;
}

static void redirect(const char *path, int fd, int flags)
{
    int f = open(path, flags, 0644);
    if (f < 0) {
        fprintf(stderr, "sh: %s: %s\n", path, strerror(errno));
        _exit(1);
    }
    dup2(f, fd);
    close(f);
}

static void run_child(struct cmd *c)
{
    if (c->in)
        redirect(c->in, 0, O_RDONLY);
    if (c->out)
        redirect(c->out, 1, O_WRONLY | O_CREAT | (c->append ? O_APPEND : O_TRUNC));
    execvp(c->argv[0], c->argv);
    fprintf(stderr, "sh: %s: %s\n", c->argv[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
}

static int builtin(struct cmd *c)
{
    if (!strcmp(c->argv[0], "cd")) {
        const char *dir = c->argc > 1 ? c->argv[1] : "/";
        if (chdir(dir) < 0) {
            fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
            last_status = 1;
        } else {
            last_status = 0;
        }
        return 1;
    }
    if (!strcmp(c->argv[0], "exit"))
        exit(c->argc > 1 ? atoi(c->argv[1]) : last_status);
    return 0;
}

/* The shell's own group, with SIGINT and SIGQUIT ignored, so Ctrl-C never
 * ends the shell: at the prompt the terminal is the shell's, and a Ctrl-C
 * typed there is ignored. */
static void job_control_init(void)
{
    setpgid(0, 0); /* EPERM for a session leader, already its group's leader */
    shell_pgid = getpgrp();
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    tcsetpgrp(0, shell_pgid);
}

/* In a job's process, before exec: into the job's group (pgid 0: it is
 * the first, the group is its own), with the signals the shell ignores
 * back at their defaults. */
static void join_job(pid_t pgid)
{
    if (!job_control)
        return;
    setpgid(0, pgid);
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
}

/* What sh says about a job that a signal ended (nothing for SIGPIPE, the
 * usual end of a pipeline's writer).  Ctrl-C and Ctrl-\ echoed ^C or ^\
 * without a newline. */
static void report_signal(int sig)
{
    static const char *const names[] = {
        [SIGINT] = "Interrupt",
        [SIGQUIT] = "Quit",
        [SIGILL] = "Illegal instruction",
        [SIGFPE] = "Floating point exception",
        [SIGKILL] = "Killed",
        [SIGSEGV] = "Segmentation fault",
        [SIGTERM] = "Terminated",
    };
#ifdef SIGPIPE
    if (sig == SIGPIPE)
        return;
#endif
    const char *nl = sig == SIGINT || sig == SIGQUIT ? "\n" : "";
    if (sig > 0 && sig < (int)(sizeof(names) / sizeof(names[0])) && names[sig])
        fprintf(stderr, "%s%s\n", nl, names[sig]);
    else
        fprintf(stderr, "%sKilled by signal %d\n", nl, sig);
}

/* Wait for the job's processes; $? is the last one's status.  A signal
 * that ended any of them is reported once. */
static void wait_job(pid_t *pids, int n)
{
    int reported = 0;
    for (int i = 0; i < n; i++) {
        int status;
        if (pids[i] <= 0 || waitpid(pids[i], &status, 0) != pids[i])
            continue;
        if (WIFSIGNALED(status) && !reported++)
            report_signal(WTERMSIG(status));
        if (i == n - 1)
            last_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
}

/* Run cmds[0] | cmds[1] | ... ; wait unless background. */
static void run_pipeline(struct cmd *cmds, int n, int background)
{
    if (n == 1 && builtin(&cmds[0]))
        return;
    pid_t pids[MAX_CMDS], pgid = 0;
    int prev_read = -1;
    for (int i = 0; i < n; i++) {
        int fds[2] = {-1, -1};
        if (i < n - 1 && pipe(fds) < 0) {
            perror("sh: pipe");
            break;
        }
        pids[i] = fork();
        if (pids[i] == 0) {
            join_job(pgid);
            if (prev_read >= 0) {
                dup2(prev_read, 0);
                close(prev_read);
            }
            if (fds[1] >= 0) {
                dup2(fds[1], 1);
                close(fds[1]);
                close(fds[0]);
            }
            run_child(&cmds[i]);
        }
        if (pids[i] < 0)
            perror("sh: fork");
        if (pids[i] > 0 && job_control) { /* here too: the child may not have run yet */
            pgid = pgid ? pgid : pids[i];
            setpgid(pids[i], pgid);
        }
        if (prev_read >= 0)
            close(prev_read);
        if (fds[1] >= 0)
            close(fds[1]);
        prev_read = fds[0];
    }
    if (background) {
        printf("[%d]\n", pids[n - 1]);
        return;
    }
    if (job_control && pgid > 0)
        tcsetpgrp(0, pgid); /* Ctrl-C now goes to the job */
    wait_job(pids, n);
    if (job_control)
        tcsetpgrp(0, shell_pgid); /* safe: the shell ignores SIGINT */
}

/* Parse tokens into pipelines separated by ; and &, and run each. */
static void run_line(char **tok)
{
    struct cmd cmds[MAX_CMDS];
    int n = 0;
    memset(cmds, 0, sizeof(cmds));
    for (int i = 0;; i++) {
        char *t = tok[i];
        int end = !t || !strcmp(t, ";") || !strcmp(t, "&");
        if (end) {
            if (cmds[n].argc > 0)
                n++;
            if (n > 0)
                run_pipeline(cmds, n, t && !strcmp(t, "&"));
            if (!t)
                return;
            n = 0;
            memset(cmds, 0, sizeof(cmds));
        } else if (!strcmp(t, "|")) {
            if (cmds[n].argc == 0 || n == MAX_CMDS - 1) {
                fprintf(stderr, "sh: syntax error near |\n");
                return;
            }
            n++;
        } else if (!strcmp(t, "<") || !strcmp(t, ">") || !strcmp(t, ">>")) {
            char *file = tok[++i];
            if (!file || strchr("|<>&;", file[0])) {
                fprintf(stderr, "sh: syntax error near %s\n", t);
                return;
            }
            if (t[0] == '<')
                cmds[n].in = file;
            else
                cmds[n].out = file, cmds[n].append = t[1] == '>';
        } else if (cmds[n].argc < MAX_WORDS - 1) {
            cmds[n].argv[cmds[n].argc++] = expand(t);
        }
    }
}

int main(int argc, char **argv)
{
    FILE *in = stdin; /* sh FILE runs the commands in FILE */
    if (argc > 1 && strcmp(argv[1], "-i") && !(in = fopen(argv[1], "r"))) {
        fprintf(stderr, "sh: %s: %s\n", argv[1], strerror(errno));
        return 127;
    }
    struct stat st; /* prompt on the console (or with -i), not for a script */
    int interactive = (argc > 1 && !strcmp(argv[1], "-i")) ||
                      (argc == 1 && fstat(0, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR);
    job_control = interactive && in == stdin;
    if (job_control)
        job_control_init();
    char line[512];
    char *tok[MAX_WORDS * 2];
    for (;;) {
        int status;
        while (waitpid(-1, &status, WNOHANG) > 0) /* collect finished jobs */
            ;
        if (interactive)
            fputs("$ ", stdout);
        if (!fgets(line, sizeof(line), in))
            break;
        if (tokenize(line, tok, MAX_WORDS * 2) > 0)
            run_line(tok);
    }
    return last_status;
}
