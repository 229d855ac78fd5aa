/* providers/P/models/: the base models a fine-tuning provider fine-tunes,
 * as the official list_model shows them: the predefined models of the
 * mounted network (zg/predefined.h: built into the SDK per network,
 * recognised by every provider by hash) and the provider's
 * customized ones (GET /v1/model), each as NAME.json with a "kind". A
 * customized model's usage bundle (GET /v1/model/desc/HASH, asked by hash:
 * zg/custmodel.h) is NAME.usage.zip.
 *
 * Cost: one GET /v1/model per provider per ttl answers every listing,
 * lookup and NAME.json. A bundle is downloaded only when read (a FILE
 * node: the first read fetches it into the state directory, later reads
 * and mounts use that copy). NAME.usage.zip is listed for every customized
 * model; until it is read, its size comes from the provider's answer to
 * the bundle's first byte (a ranged GET, once per model version and
 * mount), so `ls -l models/` adds one small request per customized model
 * the first time. A provider that has no bundle for the model makes that
 * request (or the read) ENOENT and the name disappear. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ftremote.h"
#include "zg/custmodel.h"
#include "zg/fdio.h"

#define JSON_SUFFIX ".json"
#define ZIP_SUFFIX  ".usage.zip"

/* ---- the customized models list, cached per provider */

/* The provider (fills p; release with zgfs_ftp_free) and a reference to its
 * customized models (a cJSON array). */
static int get_models(const zgfs_call *c, zgfs_ftp *p, zg_cache_val **ref, zg_err *err)
{
    if (zgfs_ftp_get(c, p, err))
        return -1;
    zg_err e = {0};
    if (zgfs_get(c->fs, ZG_RV_MODELS, p->addr, NULL, -1, ref, &e)) {
        char path[ZGFS_PATH_MAX];
        snprintf(path, sizeof path, "/providers/%s/models", p->name);
        zgfs_ftp_failed(c->fs, path, &e);
        zgfs_ftp_free(p);
        if (err)
            *err = e;
        return -1;
    }
    return 0;
}

/* The customized model the path's file names (with suffix): the provider
 * (*p), the list (*ref) and the entry (*m, borrowed from it), or ENOENT
 * ("no longer has" when gone says so). Release with put_model. */
typedef struct model_at {
    zgfs_ftp p;
    zg_cache_val *ref;
    const cJSON *m;
    char name[ZGFS_PARAM_MAX];
} model_at;

static int get_model(const zgfs_call *c, const char *suffix, model_at *x, zg_err *err)
{
    if (!zg_custmodel_stem(c->params[1], suffix, x->name))
        return zg_err_set(err, ENOENT,
                          strcmp(suffix, JSON_SUFFIX) ? "not a usage bundle" : "not a model file");
    if (get_models(c, &x->p, &x->ref, err))
        return -1;
    x->m = zg_custmodel_lookup(zg_cache_value(x->ref), x->name);
    if (x->m)
        return 0;
    zg_cache_put(x->ref);
    zgfs_ftp_free(&x->p);
    return zg_err_set(err, ENOENT, "%s no longer has model %s", c->params[0], x->name);
}

static void put_model(model_at *x)
{
    zg_cache_put(x->ref);
    zgfs_ftp_free(&x->p);
}

/* ---- usage bundles: files in the state directory, one per model hash */

static void missing_key(char *out, size_t cap, const zgfs_ftp *p, const char *name, const cJSON *m)
{
    snprintf(out, cap, "ftp:nousage:%s:%s:%s", p->name, name, zg_custmodel_version(m));
}

/* Did the provider say, not long ago, that it has no bundle for m? */
static bool known_missing(zgfs *fs, const zgfs_ftp *p, const char *name, const cJSON *m)
{
    char key[ZGFS_PATH_MAX];
    missing_key(key, sizeof key, p, name, m);
    return zg_marks_recent(fs->marks, key, ZG_CUSTMODEL_NO_BUNDLE_KEEP_MS);
}

static void remember_missing(zgfs *fs, const zgfs_ftp *p, const char *name, const cJSON *m)
{
    char key[ZGFS_PATH_MAX];
    missing_key(key, sizeof key, p, name, m);
    zg_marks_set(fs->marks, key);
}

static int make_dir(const char *path, zg_err *err)
{
    if (mkdir(path, 0700) && errno != EEXIST)
        return zg_err_set(err, errno, "cannot create %s: %s", path, strerror(errno));
    return 0;
}

/* ---- the table's handlers */

int zgfs_model_json_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    char stem[ZGFS_PARAM_MAX];
    if (!zg_custmodel_stem(name, JSON_SUFFIX, stem))
        return zg_err_set(err, ENOENT, "not a model file");
    strcpy(canon, name); /* model names are case-sensitive */
    return 0;
}

int zgfs_model_zip_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err)
{
    char stem[ZGFS_PARAM_MAX];
    if (!zg_custmodel_stem(name, ZIP_SUFFIX, stem))
        return zg_err_set(err, ENOENT, "not a usage bundle");
    strcpy(canon, name);
    return 0;
}

static int add_name(void *arg, const char *file, zg_err *err)
{
    return zgfs_names_add(arg, file, err);
}

static int list_files(const zgfs_call *c, bool predefined, const char *suffix, zgfs_names *out,
                      zg_err *err)
{
    zgfs_ftp p;
    zg_cache_val *ref;
    if (get_models(c, &p, &ref, err))
        return -1;
    int rc = zg_model_files(c->fs->net.name, predefined, zg_cache_value(ref), suffix, add_name, out,
                            err);
    zg_cache_put(ref);
    zgfs_ftp_free(&p);
    return rc;
}

int zgfs_models_json_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    return list_files(c, true, JSON_SUFFIX, out, err);
}

/* Presence (known absence of the bundle) is checked when the listing
 * resolves the name. */
int zgfs_models_zip_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    return list_files(c, false, ZIP_SUFFIX, out, err);
}

int zgfs_model_json_present(const zgfs_call *c, zg_err *err)
{
    char name[ZGFS_PARAM_MAX];
    if (!zg_custmodel_stem(c->params[1], JSON_SUFFIX, name))
        return zg_err_set(err, ENOENT, "not a model file");
    /* Built in: no need to ask the provider (which may be down). */
    if (zg_predefined_find(c->fs->net.name, name))
        return 0;
    if (zg_predefined_check_network(c->fs->net.name, name, err))
        return -1;
    zgfs_ftp p;
    zg_cache_val *ref;
    if (get_models(c, &p, &ref, err))
        return -1;
    bool found = zg_custmodel_lookup(zg_cache_value(ref), name) != NULL;
    zg_cache_put(ref);
    zgfs_ftp_free(&p);
    return found ? 0 : zg_err_set(err, ENOENT, "%s has no model %s", c->params[0], name);
}

int zgfs_model_zip_present(const zgfs_call *c, zg_err *err)
{
    char name[ZGFS_PARAM_MAX];
    if (!zg_custmodel_stem(c->params[1], ZIP_SUFFIX, name))
        return zg_err_set(err, ENOENT, "not a usage bundle");
    zgfs_ftp p;
    zg_cache_val *ref;
    if (get_models(c, &p, &ref, err))
        return -1;
    const cJSON *m = zg_custmodel_lookup(zg_cache_value(ref), name);
    int rc = 0;
    if (!m) {
        rc = zg_err_set(err, ENOENT, "%s has no customized model %s", c->params[0], name);
    } else if (known_missing(c->fs, &p, name, m)) {
        rc = zg_err_set(err, ENOENT, "%s has no usage bundle for %s", c->params[0], name);
    }
    zg_cache_put(ref);
    zgfs_ftp_free(&p);
    return rc;
}

int zgfs_model_json_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    char name[ZGFS_PARAM_MAX];
    if (!zg_custmodel_stem(c->params[1], JSON_SUFFIX, name))
        return zg_err_set(err, ENOENT, "not a model file");
    const zg_predefined_model *pm = zg_predefined_find(c->fs->net.name, name);
    if (pm)
        return zg_show_json(out, zg_predefined_json(pm), err);
    model_at x;
    if (get_model(c, JSON_SUFFIX, &x, err))
        return -1;
    int rc = zg_show_json(out, zg_custmodel_json(x.m, x.p.addr), err);
    put_model(&x);
    return rc;
}

int zgfs_model_zip_local(const zgfs_call *c, char *path, size_t cap, zg_err *err)
{
    model_at x;
    if (get_model(c, ZIP_SUFFIX, &x, err))
        return -1;
    int rc = zg_custmodel_bundle_path(path, cap, c->fs->state_dir, x.p.name, x.name, x.m, err);
    put_model(&x);
    return rc;
}

typedef struct zip_ask {
    zgfs *fs;
    const zgfs_ftp *p;
    const char *name;
    const cJSON *m;
    const char *file; /* NAME.usage.zip */
} zip_ask;

/* "No bundle" (zg_custmodel_no_bundle) is remembered and the
 * name the kernel holds dropped; err then says ENOENT. */
static void no_bundle(zgfs *fs, const zgfs_ftp *p, const char *name, const cJSON *m,
                      const char *file, const zg_err *e, zg_err *err)
{
    char dir[ZGFS_PATH_MAX];
    remember_missing(fs, p, name, m);
    snprintf(dir, sizeof dir, "/providers/%s/models", p->name);
    zgfs_notify_entry(fs->notify, dir, file);
    zg_err_set(err, ENOENT, "%s has no usage bundle for %s (%s)", p->name, name, e->msg);
}

static int ask_zip_size(void *ctx, uint64_t *size, zg_err *err)
{
    zip_ask *a = ctx;
    zg_err e = {0};
    if (zg_custmodel_usage_size(a->fs->client, a->p->url, a->m, size, &e) == 0)
        return 0;
    if (err)
        *err = e;
    if (zg_custmodel_no_bundle(&e))
        no_bundle(a->fs, a->p, a->name, a->m, a->file, &e, err);
    return -1;
}

int zgfs_model_zip_size(const zgfs_call *c, uint64_t *out, zg_err *err)
{
    char key[ZGFS_PATH_MAX];
    model_at x;
    if (get_model(c, ZIP_SUFFIX, &x, err))
        return -1;
    snprintf(key, sizeof key, "size:usage:%s:%s:%s", x.p.name, x.name, zg_custmodel_version(x.m));
    zip_ask a = {c->fs, &x.p, x.name, x.m, c->params[1]};
    int rc = zgfs_known_size(c->fs, key, ask_zip_size, &a, out, err);
    put_model(&x);
    return rc;
}

int zgfs_model_zip_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err)
{
    model_at x;
    if (get_model(c, ZIP_SUFFIX, &x, err))
        return -1;
    char path[PATH_MAX], dir[PATH_MAX];
    zg_buf z;
    zg_buf_init(&z, ZG_CUSTMODEL_BUNDLE_MAX);
    int rc = -1;
    zg_err e = {0};
    if (zg_custmodel_usage(c->fs->client, x.p.url, x.m, &z, &e)) {
        if (err)
            *err = e;
        /* There is none: worth remembering, and the name the kernel holds
         * goes now. */
        if (zg_custmodel_no_bundle(&e))
            no_bundle(c->fs, &x.p, x.name, x.m, c->params[1], &e, err);
        goto out;
    }
    if (zg_custmodel_bundle_dir(dir, sizeof dir, c->fs->state_dir, NULL, err) ||
        make_dir(dir, err) ||
        zg_custmodel_bundle_dir(dir, sizeof dir, c->fs->state_dir, x.p.name, err) ||
        make_dir(dir, err) ||
        zg_custmodel_bundle_path(path, sizeof path, c->fs->state_dir, x.p.name, x.name, x.m, err) ||
        zg_write_atomic(path, z.data, z.len, err))
        goto out;
    rc = zg_custmodel_usage_said(ok, z.len, x.m, x.name, err);
out:
    zg_buf_free(&z);
    put_model(&x);
    return rc;
}
