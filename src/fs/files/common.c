/* Small helpers shared by the handlers: path parameters, names, sizes. */
#include "common.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int zgfs_names_add_cb(void *arg, const char *name, zg_err *err)
{
    return zgfs_names_add(arg, name, err);
}

int zgfs_call_addr(const zgfs_call *c, int i, uint8_t out[20], zg_err *err)
{
    if (i >= c->nparams)
        return zg_err_set(err, EINVAL, "internal error: missing path parameter");
    return zg_addr_parse(out, c->params[i], err);
}

typedef struct size_fetch {
    int (*fetch)(void *ctx, uint64_t *size, zg_err *err);
    void *ctx;
} size_fetch;

static int fetch_size(void *ctx, void **val, zg_err *err)
{
    size_fetch *f = ctx;
    uint64_t *v = malloc(sizeof *v);
    if (!v)
        return zg_err_set(err, ENOMEM, "out of memory");
    if (f->fetch(f->ctx, v, err)) {
        free(v);
        return -1;
    }
    *val = v;
    return 0;
}

int zgfs_known_size(zgfs *fs, const char *key, int (*fetch)(void *ctx, uint64_t *size, zg_err *err),
                    void *ctx, uint64_t *out, zg_err *err)
{
    size_fetch f = {fetch, ctx};
    zg_cache_val *ref;
    if (zg_cache_get(fs->cache, key, LONG_MAX, fetch_size, free, &f, &ref, err))
        return -1;
    *out = *(const uint64_t *)zg_cache_value(ref);
    zg_cache_put(ref);
    return 0;
}
