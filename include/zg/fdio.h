/* Whole-buffer file I/O: the loops over short transfers and EINTR that
 * every reader and writer of local files needs, and the atomic replacement
 * of a small file. */
#ifndef ZG_FDIO_H
#define ZG_FDIO_H

#include <stdbool.h>
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

/* A file written in pieces, with the disk asked to take the dirty pages
 * each time another `every` bytes were written (Linux sync_file_range,
 * which starts the writing and returns), so the fsync at the end finds
 * little left and the disk works while the writers compute. Best effort:
 * an error of the asking shows again at that fsync, which the caller
 * checks; a descriptor that is no regular file (a pipe) just gets its
 * bytes. zg_writeback_pwrite may be called from several threads at once
 * (each with bytes of its own); zg_writeback_write by one writer only. */
typedef struct zg_writeback {
    int fd;
    bool file;  /* a regular file: the disk is asked */
    off_t next; /* where zg_writeback_write puts its next byte */
    uint64_t every;
    _Atomic uint64_t written; /* bytes written through this writeback */
    _Atomic unsigned asked;   /* times the disk was asked */
} zg_writeback;

void zg_writeback_init(zg_writeback *w, int fd, uint64_t every);
/* At the descriptor's offset, as zg_write_all. */
int zg_writeback_write(zg_writeback *w, const void *p, size_t n);
/* At off, as zg_pwrite_all. */
int zg_writeback_pwrite(zg_writeback *w, const void *p, size_t n, uint64_t off);
/* Ask the disk for whatever is still dirty (a writer's last bytes). */
void zg_writeback_flush(zg_writeback *w);

/* mkdir -p: every missing directory of path, with mode. ENAMETOOLONG, or
 * mkdir's errno with a sentence naming the directory. */
int zg_mkdirs(const char *path, mode_t mode, zg_err *err);

/* fsync the file at path. 0, or -1 with errno set. */
int zg_fsync_path(const char *path);

/* fsync the directory that holds path: what makes a rename into it
 * durable. Best effort (a failure is not reported). */
void zg_fsync_dir_of(const char *path);

/* Replace path with data: a temporary file beside it (mode 0600) written,
 * fsync'd and renamed over path, then the directory fsync'd, so a crash
 * leaves either the old content or the new, never a mix. */
int zg_write_atomic(const char *path, const void *data, size_t len, zg_err *err);

#endif
