/* A fine-tuning provider's customized models, found the one way that works
 * for every name. The provider resolves GET /v1/model/{x} and
 * /v1/model/desc/{x} with go-ethereum's lenient HexToHash
 * (0g-serving-broker api/fine-tuning/internal/ctrl/model.go getModel): any
 * x whose leading characters decode as hex ("deadbeef-lora", "abc-1",
 * "deepseek-...") is taken for a hash and never matched by name. So names
 * are matched here, in the GET /v1/model list, and the provider is asked by
 * the hash that list gives. */
#ifndef ZG_CUSTMODEL_H
#define ZG_CUSTMODEL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/client.h"
#include "zg/predefined.h"

/* The first entry of list (GET /v1/model, a JSON array) named exactly
 * name, or NULL. Borrowed from list. */
const cJSON *zg_custmodel_find(const cJSON *list, const char *name);

/* Longest model name a client shows as a file: NAME.usage.zip must fit a
 * 79-byte file name. */
#define ZG_CUSTMODEL_NAME_MAX 69

/* Whether name can be a file name and a URL path segment at the provider:
 * letters, digits, '-', '_' and '.', not only dots, at most
 * ZG_CUSTMODEL_NAME_MAX bytes. */
bool zg_custmodel_name_ok(const char *name);

/* The model name of a file name ending in suffix (".json", ".usage.zip")
 * into stem (ZG_CUSTMODEL_NAME_MAX + 1 bytes); false when it has no such
 * suffix or the rest is no usable name. */
bool zg_custmodel_stem(const char *file, const char *suffix, char *stem);

/* The customized model called name in list: its first entry of that name,
 * unless the name is unusable (zg_custmodel_name_ok) or a predefined model
 * of any network has it: names resolve to predefined models first (as the
 * official client does, and zg_task_model_hash refuses another network's),
 * so such an entry could never be used by name. Borrowed from list. */
const cJSON *zg_custmodel_lookup(const cJSON *list, const char *name);

/* The entry's "hash" as "0x" + 64 lower-case hex digits. EPROTO when the
 * provider gave none (or not a non-zero 32-byte hash). */
int zg_custmodel_hash(const cJSON *entry, char hash[67], zg_err *err);

/* The entry's usage bundle: GET /v1/model/desc/{its hash}, appended to
 * out. A model without a usable hash is asked for by its name. */
int zg_custmodel_usage(zg_client *c, const char *url, const cJSON *entry, zg_buf *out, zg_err *err);

/* The size of that bundle, asked the same way (zg_ftp_model_usage_size:
 * its first byte only). */
int zg_custmodel_usage_size(zg_client *c, const char *url, const cJSON *entry, uint64_t *size,
                            zg_err *err);

/* ---- the models as a client lists them (the official list_model) */

/* The name entry m of list is shown under, or NULL when it is not shown:
 * unnamed, or not what zg_custmodel_lookup finds by its name (a
 * duplicate, shadowed or unusable). Borrowed from m. */
const char *zg_custmodel_listed(const cJSON *list, const cJSON *m);

/* The files of the models directory that end in suffix, each passed to
 * add (which may fail, ending the walk): with predefined, the mounted
 * network's predefined models first, then the customized models of list
 * that zg_custmodel_listed shows. */
int zg_model_files(const char *network, bool predefined, const cJSON *list, const char *suffix,
                   int (*add)(void *arg, const char *file, zg_err *err), void *arg, zg_err *err);

/* NAME.json of a predefined model: name, kind "predefined", hash,
 * dataType, tokenizer, description. NULL when out of memory. */
cJSON *zg_predefined_json(const zg_predefined_model *m);

/* NAME.json of a customized model: the provider's record as served, with
 * "kind": "customized" after the name and "provider" (checksummed) at
 * the end, as list_model pairs them. NULL when out of memory. */
cJSON *zg_custmodel_json(const cJSON *entry, const uint8_t provider[20]);

/* ---- usage bundles kept in a state directory, one per model version */

/* How long the provider's "no bundle for this model" hides the name. */
#define ZG_CUSTMODEL_NO_BUNDLE_KEEP_MS (10L * 60 * 1000)
/* Usage docs, not weights: a bound on what one download may hold. */
#define ZG_CUSTMODEL_BUNDLE_MAX (64u << 20)

/* The entry's hash as the provider wrote it when it can be part of a file
 * name (hex digits and x, at most 66), else "nohash". Borrowed. */
const char *zg_custmodel_version(const cJSON *entry);

/* DIR/usage[/PROVIDER]: where bundles are kept (provider NULL: the top). */
int zg_custmodel_bundle_dir(char *out, size_t cap, const char *state_dir, const char *provider,
                            zg_err *err);
/* DIR/usage/PROVIDER/NAME-VERSION.zip: a changed model (new hash) gets
 * its bundle anew, the same model keeps it across mounts. ENAMETOOLONG
 * when it does not fit cap. */
int zg_custmodel_bundle_path(char *out, size_t cap, const char *state_dir, const char *provider,
                             const char *name, const cJSON *entry, zg_err *err);

/* Whether a failure of zg_custmodel_usage(_size) says there is no bundle
 * (400 from the broker, 404 elsewhere) rather than that asking failed. */
bool zg_custmodel_no_bundle(const zg_err *e);

/* The sentence of a bundle fetched: "N bytes from GET /v1/model/desc/X". */
int zg_custmodel_usage_said(zg_buf *out, size_t len, const cJSON *entry, const char *name,
                            zg_err *err);

#endif
