/* The files of a fine-tuning provider's models/ directory: which file
 * names stand for a model (NAME.json, NAME.usage.zip), which NAME.json is
 * built in, and a customized model's usage bundle: its size, its download
 * into the state directory, and the provider's "no bundle for this model"
 * remembered for a while (zg/marks.h) so the name stays hidden. The
 * provider's list of customized models comes from the caller (the read
 * model); the matching rules are zg/custmodel.h's. */
#ifndef ZG_MODELFILES_H
#define ZG_MODELFILES_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/client.h"
#include "zg/custmodel.h"
#include "zg/marks.h"
#include "zg/predefined.h"

typedef enum zg_model_file {
    ZG_MF_JSON, /* models/NAME.json */
    ZG_MF_ZIP,  /* models/NAME.usage.zip */
} zg_model_file;

/* The longest file name of models/, with its NUL. */
#define ZG_MODEL_FILE_MAX 80

const char *zg_model_file_suffix(zg_model_file kind);

/* The model name of a file of kind (zg_custmodel_stem); ENOENT "not a
 * model file" or "not a usage bundle" otherwise. */
int zg_model_file_name(zg_model_file kind, const char *file, char name[ZG_CUSTMODEL_NAME_MAX + 1],
                       zg_err *err);
/* The same check as the namespace takes a file name: canon receives file
 * as given (model names are case-sensitive). */
int zg_model_json_file_parse(const char *file, char canon[ZG_MODEL_FILE_MAX], zg_err *err);
int zg_model_zip_file_parse(const char *file, char canon[ZG_MODEL_FILE_MAX], zg_err *err);

/* NAME.json of a predefined model of network, known without asking the
 * provider: *pm, or NULL when the name is one to look up in the
 * provider's list. A predefined model of another network is refused as
 * zg_predefined_check_network says. */
int zg_model_json_builtin(const char *network, const char *file, const zg_predefined_model **pm,
                          zg_err *err);

/* The customized model of list (GET /v1/model of provider, its address as
 * shown) that file, a file of kind, names: *m, borrowed from list, and
 * its name in name. ENOENT when there is none: "PROVIDER has no model
 * NAME", or when the caller saw the name before (known) "PROVIDER no
 * longer has model NAME"; zg_model_file_name's ENOENT for a file that
 * names no model. */
int zg_model_custom(const cJSON *list, const char *provider, zg_model_file kind, const char *file,
                    bool known, char name[ZG_CUSTMODEL_NAME_MAX + 1], const cJSON **m, zg_err *err);

/* A customized model's usage bundle. All members borrowed. */
typedef struct zg_model_bundle {
    zg_client *client;
    zg_marks *marks; /* where "no bundle" is remembered */
    const char *state_dir;
    const char *url;      /* the provider's Service.url */
    const char *provider; /* EIP-55 */
    const char *name;     /* the model's name */
    const cJSON *entry;   /* its entry of the provider's list */
} zg_model_bundle;

/* Whether NAME.usage.zip of provider is there: list (GET /v1/model) has a
 * customized model of that name, and the provider did not say within
 * ZG_CUSTMODEL_NO_BUNDLE_KEEP_MS that it has no bundle for this version of
 * it. ENOENT with the reason otherwise. */
int zg_model_zip_present(zg_marks *marks, const cJSON *list, const char *provider, const char *file,
                         zg_err *err);

/* Remember that the provider has no bundle for b's model version: what
 * zg_model_bundle_size and zg_model_bundle_fetch do when it says so. */
void zg_model_bundle_lacking(const zg_model_bundle *b);

/* Where the bundle is kept (zg_custmodel_bundle_path). */
int zg_model_bundle_path(const zg_model_bundle *b, char *out, size_t cap, zg_err *err);

/* The bundle's size from the provider's answer to its first byte. When
 * the provider has none (zg_custmodel_no_bundle): ENOENT, *missing, and
 * the answer remembered. */
int zg_model_bundle_size(const zg_model_bundle *b, uint64_t *size, bool *missing, zg_err *err);

/* The bundle downloaded (at most ZG_CUSTMODEL_BUNDLE_MAX) and written
 * atomically where zg_model_bundle_path says, its directories made; ok
 * receives zg_custmodel_usage_said's sentence. No bundle: as
 * zg_model_bundle_size. */
int zg_model_bundle_fetch(const zg_model_bundle *b, zg_buf *ok, bool *missing, zg_err *err);

#endif
