/* The files of models/ (see zg/modelfiles.h). */
#include "zg/modelfiles.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "zg/fdio.h"

static const struct {
    const char *suffix, *refusal;
} kinds[] = {
    [ZG_MF_JSON] = {".json", "not a model file"},
    [ZG_MF_ZIP] = {".usage.zip", "not a usage bundle"},
};

const char *zg_model_file_suffix(zg_model_file kind)
{
    return kinds[kind].suffix;
}

int zg_model_file_name(zg_model_file kind, const char *file, char name[ZG_CUSTMODEL_NAME_MAX + 1],
                       zg_err *err)
{
    if (!zg_custmodel_stem(file, kinds[kind].suffix, name))
        return zg_err_set(err, ENOENT, "%s", kinds[kind].refusal);
    return 0;
}

static int canon_of(zg_model_file kind, const char *file, char canon[ZG_MODEL_FILE_MAX],
                    zg_err *err)
{
    char name[ZG_CUSTMODEL_NAME_MAX + 1];
    if (zg_model_file_name(kind, file, name, err))
        return -1;
    strcpy(canon, file);
    return 0;
}

int zg_model_json_file_parse(const char *file, char canon[ZG_MODEL_FILE_MAX], zg_err *err)
{
    return canon_of(ZG_MF_JSON, file, canon, err);
}

int zg_model_zip_file_parse(const char *file, char canon[ZG_MODEL_FILE_MAX], zg_err *err)
{
    return canon_of(ZG_MF_ZIP, file, canon, err);
}

int zg_model_json_builtin(const char *network, const char *file, const zg_predefined_model **pm,
                          zg_err *err)
{
    char name[ZG_CUSTMODEL_NAME_MAX + 1];
    *pm = NULL;
    if (zg_model_file_name(ZG_MF_JSON, file, name, err))
        return -1;
    *pm = zg_predefined_find(network, name);
    return *pm ? 0 : zg_predefined_check_network(network, name, err);
}

int zg_model_custom(const cJSON *list, const char *provider, zg_model_file kind, const char *file,
                    bool known, char name[ZG_CUSTMODEL_NAME_MAX + 1], const cJSON **m, zg_err *err)
{
    *m = NULL;
    if (zg_model_file_name(kind, file, name, err))
        return -1;
    *m = zg_custmodel_lookup(list, name);
    if (*m)
        return 0;
    return zg_err_set(err, ENOENT, known ? "%s no longer has model %s" : "%s has no model %s",
                      provider, name);
}

/* ---- "no bundle", remembered per provider, model and version */

static void missing_key(char *out, size_t cap, const char *provider, const char *name,
                        const cJSON *entry)
{
    snprintf(out, cap, "ftp:nousage:%s:%s:%s", provider, name, zg_custmodel_version(entry));
}

int zg_model_zip_present(zg_marks *marks, const cJSON *list, const char *provider, const char *file,
                         zg_err *err)
{
    char name[ZG_CUSTMODEL_NAME_MAX + 1], key[512];
    if (zg_model_file_name(ZG_MF_ZIP, file, name, err))
        return -1;
    const cJSON *m = zg_custmodel_lookup(list, name);
    if (!m)
        return zg_err_set(err, ENOENT, "%s has no customized model %s", provider, name);
    missing_key(key, sizeof key, provider, name, m);
    if (zg_marks_recent(marks, key, ZG_CUSTMODEL_NO_BUNDLE_KEEP_MS))
        return zg_err_set(err, ENOENT, "%s has no usage bundle for %s", provider, name);
    return 0;
}

void zg_model_bundle_lacking(const zg_model_bundle *b)
{
    char key[512];
    missing_key(key, sizeof key, b->provider, b->name, b->entry);
    zg_marks_set(b->marks, key);
}

/* A failed request e: "no bundle" is remembered and said as ENOENT. */
static int failed(const zg_model_bundle *b, const zg_err *e, bool *missing, zg_err *err)
{
    if (err)
        *err = *e;
    if (!zg_custmodel_no_bundle(e))
        return -1;
    *missing = true;
    zg_model_bundle_lacking(b);
    return zg_err_set(err, ENOENT, "%s has no usage bundle for %s (%s)", b->provider, b->name,
                      e->msg);
}

int zg_model_bundle_path(const zg_model_bundle *b, char *out, size_t cap, zg_err *err)
{
    return zg_custmodel_bundle_path(out, cap, b->state_dir, b->provider, b->name, b->entry, err);
}

int zg_model_bundle_size(const zg_model_bundle *b, uint64_t *size, bool *missing, zg_err *err)
{
    zg_err e = {0};
    *missing = false;
    if (zg_custmodel_usage_size(b->client, b->url, b->entry, size, &e) == 0)
        return 0;
    return failed(b, &e, missing, err);
}

static int make_dir(const char *path, zg_err *err)
{
    if (mkdir(path, 0700) && errno != EEXIST)
        return zg_err_set(err, errno, "cannot create %s: %s", path, strerror(errno));
    return 0;
}

int zg_model_bundle_fetch(const zg_model_bundle *b, zg_buf *ok, bool *missing, zg_err *err)
{
    char path[PATH_MAX], dir[PATH_MAX];
    zg_buf z;
    zg_buf_init(&z, ZG_CUSTMODEL_BUNDLE_MAX);
    int rc = -1;
    zg_err e = {0};
    *missing = false;
    if (zg_custmodel_usage(b->client, b->url, b->entry, &z, &e)) {
        failed(b, &e, missing, err);
        goto out;
    }
    if (zg_custmodel_bundle_dir(dir, sizeof dir, b->state_dir, NULL, err) || make_dir(dir, err) ||
        zg_custmodel_bundle_dir(dir, sizeof dir, b->state_dir, b->provider, err) ||
        make_dir(dir, err) || zg_model_bundle_path(b, path, sizeof path, err) ||
        zg_write_atomic(path, z.data, z.len, err))
        goto out;
    rc = zg_custmodel_usage_said(ok, z.len, b->entry, b->name, err);
out:
    zg_buf_free(&z);
    return rc;
}
