/* Outcomes of the files that act (a control file's command, a payload's
 * commit, the first read that fetches a model): each uid's last result of
 * each file, and a line in the op log for every outcome.
 *
 * Reading a control file returns the caller's own last "ok: ..." /
 * "error: ..." line, because shell redirections drop close errors and a
 * user needs somewhere to read the sentence. Results are keyed by (uid,
 * path) and never shown to another uid; the ZG_RESULTS_MAX most recently
 * set are kept, whatever local users do.
 *
 * Thread-safe. */
#ifndef ZG_RESULTS_H
#define ZG_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "zg/buf.h"
#include "zg/err.h"
#include "zg/oplog.h"

#define ZG_RESULTS_MAX       4096
#define ZG_RESULTS_CMD_SHOWN 64 /* bytes of a command a log line shows */
#define ZG_RESULTS_LINE_MAX  (ZG_ERR_MSG_MAX + 1024)

typedef struct zg_results zg_results;

int zg_results_new(zg_results **out, zg_err *err);
void zg_results_free(zg_results *r);
/* Keep line (copied, without its newline) as uid's result of path. Best
 * effort: out of memory, nothing is kept (the errno and the log still
 * carry the outcome). */
void zg_results_set(zg_results *r, uid_t uid, const char *path, const char *line);
/* Append uid's result of path, with its newline, to out; false when there
 * is none. */
bool zg_results_get(zg_results *r, uid_t uid, const char *path, zg_buf *out);

/* The line of an outcome: with err "error: SENTENCE" (the errno's own
 * words when the error has no sentence), else "ok: SENTENCE" ("ok: done"
 * when ok is NULL or empty). Cut to fit cap. */
void zg_results_line(char *out, size_t cap, const char *ok, const zg_err *err);
/* Record an outcome: its line becomes uid's result of path (canonical,
 * from '/'), and log (may be NULL) gets `uid UID PATH <- "CMD": LINE`
 * with the path's leading '/' left out and the command cut after
 * ZG_RESULTS_CMD_SHOWN bytes ("..."). cmd names what was asked ("fund 3",
 * "120 bytes", "read"); never private content. */
void zg_results_record(zg_results *r, zg_oplog *log, uid_t uid, const char *path, const char *cmd,
                       const char *ok, const zg_err *err);

#endif
