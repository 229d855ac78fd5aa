/* The datasets a wallet uploaded into providers' TEEs, by the name the user
 * gave them: the hash the TEE returned and a local copy of the bytes, kept
 * in the state directory so the names survive a crash or a remount.
 *
 *   DIR/0xPROVIDER/index.json   {"NAME": {"hash", "size", "rows", "uploaded"}}
 *   DIR/0xPROVIDER/data/NAME    the uploaded bytes
 *
 * Every change replaces index.json atomically (temporary file, fsync,
 * rename, fsync of the directory) under an flock, so concurrent uploads
 * (threads or processes) never lose each other's names and a crash never
 * leaves a half-written index. No FUSE here. */
#ifndef ZG_DSINDEX_H
#define ZG_DSINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"

typedef struct zg_dsentry {
    char name[256];
    char hash[67]; /* "0x" + 64 hex */
    uint64_t size, rows;
    int64_t uploaded; /* unix seconds */
} zg_dsentry;

/* The entry for name; ENOENT when there is none. */
int zg_dsindex_get(const char *dir, const char *provider, const char *name, zg_dsentry *out,
                   zg_err *err);
/* Every entry, sorted by name; *out is malloc'd (free()), possibly NULL. */
int zg_dsindex_list(const char *dir, const char *provider, zg_dsentry **out, size_t *n,
                    zg_err *err);
/* Where the local copy of name lives (whether or not it exists). */
int zg_dsindex_path(const char *dir, const char *provider, const char *name, char *out, size_t cap,
                    zg_err *err);
/* Record e, moving file (the uploaded bytes, on the same file system) into
 * place as its local copy; replaces an entry of the same name. */
int zg_dsindex_put(const char *dir, const char *provider, const zg_dsentry *e, const char *file,
                   zg_err *err);

#endif
