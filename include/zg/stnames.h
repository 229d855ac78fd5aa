/* Files on 0G Storage under names of the user's (`cp FILE storage/NAME`):
 * the name -> root map is a dataset index (zg/dsindex.h) under one key,
 * with the local copy beside it, so the names survive a remount. */
#ifndef ZG_STNAMES_H
#define ZG_STNAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/dsindex.h"
#include "zg/journal.h"
#include "zg/storage.h"

/* The storage nodes, asked for only when they are needed (a file that is
 * refused, or already here, needs none); NULL with err when there are
 * none. */
typedef zg_storage_pool *(*zg_stnames_pool_fn)(void *arg, zg_err *err);

/* Upload path (size bytes) to 0G Storage (zg_storage_pool_upload: the fee
 * through the journal) and record it as name under key in the index at
 * dir, path becoming the local copy. EINVAL for an empty file (0G Storage
 * cannot store one); a failed record names the root it was uploaded with.
 * out receives the entry, r the upload (r->submitted: the fee was paid,
 * also when a later step failed). */
int zg_stnames_add(zg_stnames_pool_fn pool, void *arg, zg_journal *j, const char *dir,
                   const char *key, const char *name, const char *path, uint64_t size,
                   zg_dsentry *out, zg_storage_upload_result *r, zg_err *err);

/* The file of root (0x + 64 hex) into dest unless dest exists
 * (*already), every segment checked by its proof; missing directories of
 * dest are made. */
int zg_stnames_fetch(zg_stnames_pool_fn pool, void *arg, const char *root, const char *dest,
                     bool *already, zg_err *err);
/* The same, and ok receiving what it did (zg_stored_fetched_text): the
 * sentence of a read of storage/NAME or by-root/ROOT. */
int zg_stnames_fetch_said(zg_stnames_pool_fn pool, void *arg, const char *root, const char *dest,
                          zg_buf *ok, zg_err *err);

#endif
