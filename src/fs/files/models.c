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
#include <stdio.h>

#include "ftremote.h"
#include "zg/modelfiles.h"

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

/* The customized model the path's usage bundle names: the provider (*p),
 * the list (*ref) and the bundle (b, its entry borrowed from the list), or
 * ENOENT ("no longer has" when gone says so). Release with put_model. */
typedef struct model_at {
    zgfs_ftp p;
    zg_cache_val *ref;
    char name[ZGFS_PARAM_MAX];
    zg_model_bundle b;
    bool missing; /* the provider said it has no bundle */
} model_at;

static int get_model(const zgfs_call *c, model_at *x, zg_err *err)
{
    const cJSON *m;
    x->missing = false;
    if (get_models(c, &x->p, &x->ref, err))
        return -1;
    if (zg_model_custom(zg_cache_value(x->ref), c->params[0], ZG_MF_ZIP, c->params[1], true,
                        x->name, &m, err)) {
        zg_cache_put(x->ref);
        zgfs_ftp_free(&x->p);
        return -1;
    }
    x->b = (zg_model_bundle){.client = c->fs->client,
                             .marks = c->fs->marks,
                             .state_dir = zg_session_state_dir(c->fs->session),
                             .url = x->p.url,
                             .provider = x->p.name,
                             .name = x->name,
                             .entry = m};
    return 0;
}

/* Done with x; a bundle the provider said it lacks takes its name out of
 * the kernel's cache. */
static void put_model(const zgfs_call *c, model_at *x)
{
    char dir[ZGFS_PATH_MAX];
    snprintf(dir, sizeof dir, "/providers/%s/models", x->p.name);
    if (x->missing)
        zgfs_notify_entry(c->fs->notify, dir, c->params[1]);
    zg_cache_put(x->ref);
    zgfs_ftp_free(&x->p);
}

/* ---- the table's handlers */

static int list_files(const zgfs_call *c, zg_model_file kind, zgfs_names *out, zg_err *err)
{
    zgfs_ftp p;
    zg_cache_val *ref;
    if (get_models(c, &p, &ref, err))
        return -1;
    int rc = zg_model_files(zg_session_network(c->fs->session)->name, kind == ZG_MF_JSON,
                            zg_cache_value(ref), zg_model_file_suffix(kind), zgfs_names_add_cb, out,
                            err);
    zg_cache_put(ref);
    zgfs_ftp_free(&p);
    return rc;
}

int zgfs_models_json_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    return list_files(c, ZG_MF_JSON, out, err);
}

/* Presence (known absence of the bundle) is checked when the listing
 * resolves the name. */
int zgfs_models_zip_list(const zgfs_call *c, zgfs_names *out, zg_err *err)
{
    return list_files(c, ZG_MF_ZIP, out, err);
}

int zgfs_model_json_present(const zgfs_call *c, zg_err *err)
{
    const zg_predefined_model *pm;
    char name[ZGFS_PARAM_MAX];
    /* Built in: no need to ask the provider (which may be down). */
    if (zg_model_json_builtin(zg_session_network(c->fs->session)->name, c->params[1], &pm, err))
        return -1;
    if (pm)
        return 0;
    zgfs_ftp p;
    zg_cache_val *ref;
    const cJSON *m;
    if (get_models(c, &p, &ref, err))
        return -1;
    int rc = zg_model_custom(zg_cache_value(ref), c->params[0], ZG_MF_JSON, c->params[1], false,
                             name, &m, err);
    zg_cache_put(ref);
    zgfs_ftp_free(&p);
    return rc;
}

int zgfs_model_zip_present(const zgfs_call *c, zg_err *err)
{
    zgfs_ftp p;
    zg_cache_val *ref;
    if (get_models(c, &p, &ref, err))
        return -1;
    int rc =
        zg_model_zip_present(c->fs->marks, zg_cache_value(ref), c->params[0], c->params[1], err);
    zg_cache_put(ref);
    zgfs_ftp_free(&p);
    return rc;
}

int zgfs_model_json_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    const zg_predefined_model *pm;
    char name[ZGFS_PARAM_MAX];
    const char *net = zg_session_network(c->fs->session)->name;
    if (zg_model_json_builtin(net, c->params[1], &pm, NULL) == 0 && pm)
        return zg_show_json(out, zg_predefined_json(pm), err);
    zgfs_ftp p;
    zg_cache_val *ref;
    const cJSON *m;
    if (get_models(c, &p, &ref, err))
        return -1;
    int rc = zg_model_custom(zg_cache_value(ref), c->params[0], ZG_MF_JSON, c->params[1], true,
                             name, &m, err)
                 ? -1
                 : zg_show_json(out, zg_custmodel_json(m, p.addr), err);
    zg_cache_put(ref);
    zgfs_ftp_free(&p);
    return rc;
}

int zgfs_model_zip_local(const zgfs_call *c, char *path, size_t cap, zg_err *err)
{
    model_at x;
    if (get_model(c, &x, err))
        return -1;
    int rc = zg_model_bundle_path(&x.b, path, cap, err);
    put_model(c, &x);
    return rc;
}

static int ask_zip_size(void *ctx, uint64_t *size, zg_err *err)
{
    model_at *x = ctx;
    return zg_model_bundle_size(&x->b, size, &x->missing, err);
}

int zgfs_model_zip_size(const zgfs_call *c, uint64_t *out, zg_err *err)
{
    char key[ZGFS_PATH_MAX];
    model_at x;
    if (get_model(c, &x, err))
        return -1;
    snprintf(key, sizeof key, "size:usage:%s:%s:%s", x.p.name, x.name,
             zg_custmodel_version(x.b.entry));
    int rc = zgfs_known_size(c->fs, key, ask_zip_size, &x, out, err);
    put_model(c, &x);
    return rc;
}

int zgfs_model_zip_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err)
{
    model_at x;
    if (get_model(c, &x, err))
        return -1;
    int rc = zg_model_bundle_fetch(&x.b, ok, &x.missing, err);
    put_model(c, &x);
    return rc;
}
