/* file.h - open files: what a file descriptor points at.  Several
 * descriptors (dup, fork) may share one struct file, and so its offset. */
#ifndef FILE_H
#define FILE_H

#include "lib/types.h"

#include "uapi/fcntl.h"

/* FILE_OBJECT: a kernel object a descriptor stands for (a virtual machine,
 * a vCPU: virt/).  fs/ knows only how to give back the descriptor's
 * reference to it; the system calls of its subsystem do the rest. */
enum file_kind { FILE_INODE = 1, FILE_CONSOLE, FILE_PIPE, FILE_OBJECT };

struct file_object_type {
    const char *name;               /* for fstat and messages: "vm", "vcpu" */
    void (*release)(void *object); /* the last descriptor went: drop its reference */
};

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
    void *object;        /* [-] FILE_OBJECT: the object, with a reference */
    const struct file_object_type *object_type; /* [-] FILE_OBJECT */
};

/* In a descriptor table: a number taken by a call still setting it up
 * (pipe() holds both until it has told the caller their numbers).  It
 * reads as closed, is never copied by fork, and dup2 onto it is EBUSY;
 * so no other thread can see or use a half-made pipe. */
#define FD_RESERVED ((struct file *)1)

struct file *file_alloc(enum file_kind kind, int flags);
void file_get(struct file *f);
void file_put(struct file *f);
/* A new descriptor of the caller's for object (which hands its reference
 * to the file); the descriptor, or -EMFILE/-ENOMEM with the reference
 * still the caller's. */
int fd_open_object(void *object, const struct file_object_type *type);
/* The object behind descriptor fd if it is of this type, with a reference
 * to its file in *fp (file_put it when done); NULL if it is not. */
void *fd_get_object(int fd, const struct file_object_type *type, struct file **fp);
/* Read or write through a file; buf is a user pointer. */
ssize_t file_read(struct file *f, void *buf, size_t n);
ssize_t file_write(struct file *f, const void *buf, size_t n);


#endif
