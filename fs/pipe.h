/* pipe.h - a bounded byte queue between a writer end and a reader end. */
#ifndef PIPE_H
#define PIPE_H

#include "lib/types.h"

struct pipe;

/* A new pipe with one reader and one writer; NULL on ENOMEM. */
struct pipe *pipe_alloc(void);
/* Close one end; the pipe is freed when both are closed. */
void pipe_close(struct pipe *p, bool writer);
/* Blocks while empty and a writer exists (nonblock: -EAGAIN instead);
 * 0 at end of file. */
ssize_t pipe_read(struct pipe *p, void *ubuf, size_t n, bool nonblock);
/* Blocks while full (nonblock: returns what fit, or -EAGAIN if nothing
 * did); -EPIPE once every reader is gone. */
ssize_t pipe_write(struct pipe *p, const void *ubuf, size_t n, bool nonblock);

#endif
