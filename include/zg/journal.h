/* The journal of money-moving operations (docs/durability.md): one small
 * JSON file per operation under DIR, replaced atomically (temp file, fsync,
 * rename, fsync of the directory), never edited in place. A record moves
 * through intent -> sent -> done | failed, and each state is on disk BEFORE
 * the step it announces is taken: a crash between the two leaves a record
 * that says "may have happened", which the reconciler settles by looking at
 * the chain (receipt, nonce) or the provider (task list).
 *
 * Thread-safe. Records are cJSON objects with at least:
 *   "id", "op", "state", "created", "updated", and op-specific members;
 *   transactions add "tx": {"nonce", "hash", "raw"}; ends add "result" or
 *   "error". */
#ifndef ZG_JOURNAL_H
#define ZG_JOURNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "zg/err.h"

typedef struct zg_journal zg_journal;

/* Open (creating, mode 0700) the journal directory. */
int zg_journal_open(zg_journal **out, const char *dir, zg_err *err);
void zg_journal_close(zg_journal *j);

/* Write a new record in state "intent" with the members of `fields`
 * (consumed). id receives its name. The record is the caller's until
 * zg_journal_release: zg_journal_open_records leaves it out meanwhile, so
 * the reconciler never settles an operation under the thread running it. */
int zg_journal_begin(zg_journal *j, const char *op, cJSON *fields, char id[40], zg_err *err);
/* The caller is done with record id (final or not): from now on the
 * reconciler settles it if it is still open. */
void zg_journal_release(zg_journal *j, const char *id);
/* Move record id to `state` (NULL = keep), merging `fields` (consumed,
 * may be NULL) over its members. */
int zg_journal_update(zg_journal *j, const char *id, const char *state, cJSON *fields, zg_err *err);
/* A copy of record id (cJSON_Delete), or ENOENT. */
int zg_journal_get(zg_journal *j, const char *id, cJSON **out, zg_err *err);
/* Copies of every record whose state is not done/failed and that no
 * operation of this process holds (zg_journal_begin), oldest first, as a
 * JSON array (cJSON_Delete). */
int zg_journal_open_records(zg_journal *j, cJSON **out, zg_err *err);
/* Copies of every record of operation `op` (NULL = all), finished or not. */
int zg_journal_records(zg_journal *j, const char *op, cJSON **out, zg_err *err);

/* Test builds can die at a named point (ZGFS_CRASH_AT=name) to prove the
 * journal; release builds compile this to nothing. */
#ifdef ZG_CRASH_POINTS
void zg_crash_point(const char *name);
#else
#define zg_crash_point(name) ((void)0)
#endif

#endif
