/* The mount's operation log: a ring of timestamped lines, newest last, that
 * reads like one growing text file (dmesg-like). The file's size is the
 * number of bytes ever logged, so `tail -f` sees it grow; when old lines
 * fall out of the ring, their byte range reads as one filler line of the
 * same length, so offsets never shift under a reader.
 *
 * Every line is also handed to an optional sink (stderr in the foreground,
 * syslog when daemonized). Never log keys, signed transactions or another
 * user's private content: the log is readable by whoever can read the file.
 *
 * Thread-safe. */
#ifndef ZG_OPLOG_H
#define ZG_OPLOG_H

#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"

typedef struct zg_oplog zg_oplog;

/* line: one log line, without its newline. Called with the log's lock held:
 * keep it short and never call back into the log. */
typedef void (*zg_oplog_sink)(void *ctx, const char *line);

#define ZG_OPLOG_LINE_MAX 1024 /* longer lines are cut */

/* max_bytes: how much text the ring keeps (at least 4 * ZG_OPLOG_LINE_MAX). */
int zg_oplog_new(zg_oplog **out, size_t max_bytes, zg_err *err);
void zg_oplog_free(zg_oplog *l);
void zg_oplog_set_sink(zg_oplog *l, zg_oplog_sink sink, void *ctx);

/* Append "YYYY-MM-DD HH:MM:SS <text>\n"; newlines inside text become spaces. */
void zg_oplog_add(zg_oplog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Bytes ever logged = the file's size. */
uint64_t zg_oplog_size(zg_oplog *l);
/* Copy up to n bytes from offset off into out; returns the count (0 at or
 * past the end). */
size_t zg_oplog_read(zg_oplog *l, uint64_t off, char *out, size_t n);

#endif
