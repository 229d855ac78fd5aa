/* Helpers shared by the handlers in this directory. */
#ifndef ZGFS_FILES_COMMON_H
#define ZGFS_FILES_COMMON_H

#include <cjson/cJSON.h>

#include "../remote.h"
#include "files.h"
#include "zg/chain.h"
#include "zg/ops.h"
#include "zg/secp.h"
#include "zg/show.h"
#include "zg/u256.h"

/* zgfs_names_add for the core's walks (arg: the zgfs_names). */
int zgfs_names_add_cb(void *arg, const char *name, zg_err *err);

/* Path parameter i as an address. */
int zgfs_call_addr(const zgfs_call *c, int i, uint8_t out[20], zg_err *err);

/* A size known without spending (a delivered model, a file by its root, a
 * model version's usage zip: content that never changes), asked with
 * fetch(ctx, ...) once and then kept in the mount's cache under key for as
 * long as the mount lives; a failure is never kept. */
int zgfs_known_size(zgfs *fs, const char *key, int (*fetch)(void *ctx, uint64_t *size, zg_err *err),
                    void *ctx, uint64_t *out, zg_err *err);

#endif
