/* The bytes of one request written to a file in pieces (a dataset, a task
 * document, a chat turn), gathered before anyone acts on them.
 *
 * - Front to back: offsets count from the request's first byte; a write
 *   before it is EINVAL, a hole reads as zero bytes.
 * - At most max bytes: past it a write is EFBIG, with a sentence naming the
 *   file and the cap in its largest whole unit ("chat takes at most 1 MiB").
 * - In memory, or, given a state directory, in a spool file of
 *   STATE_DIR/spool, so a large payload costs flat memory. The disk's free
 *   space is looked at every 16 MiB spooled, and a write is ENOSPC while
 *   64 MiB are still free, so the journal beside it can still be written.
 *   The disk is asked to take the spool file as it grows (zg/fdio.h
 *   zg_writeback), so whoever keeps it (fsync, then rename) waits for
 *   little at the end.
 *
 * A spool is not thread-safe: its owner serialises the calls. */
#ifndef ZG_SPOOL_H
#define ZG_SPOOL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/err.h"
#include "zg/fdio.h"

typedef struct zg_spool {
    const char *state_dir; /* borrowed; NULL: the bytes stay in memory */
    const char *label;     /* borrowed: the file as the EFBIG sentence names
                            * it; NULL: "this file" */
    uint64_t max;
    uint64_t base; /* file offset of the request's first byte */
    uint64_t len;  /* bytes of the request (its high-water mark) */
    uint64_t space_checked;
    zg_buf mem;
    int fd;              /* the spool file; -1 until the first byte */
    zg_writeback wb;     /* over fd */
    char path[PATH_MAX]; /* its name; "" when there is none */
} zg_spool;

void zg_spool_init(zg_spool *s, const char *state_dir, uint64_t max, const char *label);
/* Drop the bytes (the spool file is removed, unless something renamed it
 * away) and the request's start; zg_spool_write can begin a new one. */
void zg_spool_discard(zg_spool *s);
/* zg_spool_discard, then the memory too. */
void zg_spool_free(zg_spool *s);
/* Drop the bytes and begin a new request at file offset base. */
void zg_spool_restart(zg_spool *s, uint64_t base);
/* Put size bytes at file offset off of the request. On failure nothing of
 * this write is kept and the request cannot be whole: discard it. */
int zg_spool_write(zg_spool *s, uint64_t off, const void *buf, size_t size, zg_err *err);
/* The request's bytes: the spool file's name (*path) or the bytes in
 * memory (*data), both borrowed until the next call. */
void zg_spool_view(const zg_spool *s, const char **path, const uint8_t **data, size_t *len);

/* Remove what earlier processes' spools left in STATE_DIR/spool (a crash
 * or kill cut their request short) and count it, unless another process
 * uses the state directory: every user holds a shared lock on
 * STATE_DIR/spool/.lock while it runs, and the sweep takes it exclusively
 * first. *lock_fd (owned by the caller, who closes it at the end) keeps the
 * shared lock afterwards; it is set as soon as the lock file is open, also
 * when a later step fails. */
int zg_spool_sweep(const char *state_dir, int *lock_fd, size_t *files, uint64_t *bytes,
                   zg_err *err);

/* A size in its largest whole unit: "16 MiB", "4 KiB", "1000 bytes". */
void zg_size_text(char out[32], uint64_t n);

#endif
