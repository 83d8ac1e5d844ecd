/* file.h - open files: what a file descriptor points at.  Several
 * descriptors (dup, fork) may share one struct file, and so its offset. */
#ifndef FILE_H
#define FILE_H

#include "kernel/types.h"

#define O_RDONLY    0
#define O_WRONLY    1
#define O_RDWR      2
#define O_ACCMODE   3
#define O_CREAT     0100
#define O_EXCL      0200
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000 /* pipes: EAGAIN instead of waiting */
#define O_DIRECTORY 0200000

enum file_kind { FILE_INODE = 1, FILE_CONSOLE, FILE_PIPE };

struct inode;
struct pipe;

struct file {
    enum file_kind kind; /* [-] */
    int refs;            /* [a] descriptors pointing here */
    int flags;           /* [-] O_* */
    struct inode *inode; /* [-] FILE_INODE */
    uint64_t offset;     /* [fs_lock] FILE_INODE */
    struct pipe *pipe;   /* [-] FILE_PIPE */
    bool pipe_writer;    /* [-] FILE_PIPE: which end */
};

/* In a descriptor table: a number taken by a call still setting it up
 * (pipe() holds both until it has told the caller their numbers).  It
 * reads as closed, is never copied by fork, and dup2 onto it is EBUSY;
 * so no other thread can see or use a half-made pipe. */
#define FD_RESERVED ((struct file *)1)

struct file *file_alloc(enum file_kind kind, int flags);
void file_get(struct file *f);
void file_put(struct file *f);
/* Read or write through a file; buf is a user pointer. */
ssize_t file_read(struct file *f, void *buf, size_t n);
ssize_t file_write(struct file *f, const void *buf, size_t n);

/* The console (kernel/console.c) */
ssize_t console_read(void *ubuf, size_t n);
ssize_t console_write(const void *ubuf, size_t n);
void console_poll_input(void); /* serial IRQ and timer tick: drain the UART */
/* Take console input by interrupt where an I/O APIC can route it. */
void console_irq_init(void);

#endif
