/* Whole-buffer file I/O: the loops over short transfers and EINTR that
 * every reader and writer of local files needs, and the atomic replacement
 * of a small file. */
#ifndef ZG_FDIO_H
#define ZG_FDIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zg/buf.h"
#include "zg/err.h"

/* Write all n bytes (at off for the p- variant). 0, or -1 with errno set:
 * callers word the sentence, since only they know what the file is. */
int zg_write_all(int fd, const void *p, size_t n);
int zg_pwrite_all(int fd, const void *p, size_t n, uint64_t off);

/* Read until n bytes or the end of the file (from off for the p- variant).
 * The count read (< n only at the end of the file), or -1 with errno set. */
ssize_t zg_read_full(int fd, void *p, size_t n);
ssize_t zg_pread_full(int fd, void *p, size_t n, uint64_t off);

/* Append the whole of the file at path to out, whose maximum bounds how
 * much is read (a larger file fails with out's limit error and out holds
 * a prefix the caller frees as usual). open's or read's errno with a
 * sentence naming the file. */
int zg_file_read(const char *path, zg_buf *out, zg_err *err);

/* Bytes written to fd in order, with the disk asked to take each stretch
 * of `every` bytes as soon as it is complete (Linux sync_file_range), so
 * the fsync at the end finds little left and the disk works while the
 * writer computes. Best effort: a descriptor that is no file (a pipe)
 * just gets its bytes. */
typedef struct zg_writeback {
    int fd;
    off_t next;  /* where the next byte goes (-1: not a file: no asking) */
    off_t start; /* first byte not yet handed to the disk */
    off_t every;
} zg_writeback;

void zg_writeback_init(zg_writeback *w, int fd, off_t every);
/* As zg_write_all. */
int zg_writeback_write(zg_writeback *w, const void *p, size_t n);

/* mkdir -p: every missing directory of path, with mode. ENAMETOOLONG, or
 * mkdir's errno with a sentence naming the directory. */
int zg_mkdirs(const char *path, mode_t mode, zg_err *err);

/* fsync the directory that holds path: what makes a rename into it
 * durable. Best effort (a failure is not reported). */
void zg_fsync_dir_of(const char *path);

/* Replace path with data: a temporary file beside it (mode 0600) written,
 * fsync'd and renamed over path, then the directory fsync'd, so a crash
 * leaves either the old content or the new, never a mix. */
int zg_write_atomic(const char *path, const void *data, size_t len, zg_err *err);

#endif
