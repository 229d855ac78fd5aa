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

#endif
