/* The files of the directories of names (see zg/namefiles.h). */
#include "zg/namefiles.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "zg/hex.h"
#include "zg/secp.h"
#include "zg/u256.h"

static const struct {
    const char *suffix, *refusal;
    bool storage;
} kinds[] = {
    [ZG_NF_DATASET] = {"", "not a dataset name", false},
    [ZG_NF_DATASET_HASH] = {".hash", "not a dataset hash file", false},
    [ZG_NF_DATASET_TOKENS] = {".tokens", "not a dataset estimate file", false},
    [ZG_NF_STORED] = {"", "not a storage name", true},
    [ZG_NF_STORED_ROOT] = {".root", "not a storage root file", true},
};

const char *zg_namefile_suffix(zg_namefile kind)
{
    return kinds[kind].suffix;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return k && n >= k && !strcmp(s + n - k, suffix);
}

/* A name of the directory, len bytes of name, with room for its longest
 * suffix. */
static bool good_name(bool storage, const char *name, size_t len)
{
    size_t room = storage ? strlen(".root") : strlen(".tokens");
    if (len == 0 || len > ZG_NAMEFILE_MAX - 1 - room || name[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch == '/' || ch < 0x20 || ch == 0x7f)
            return false;
    }
    return !(storage && len == strlen(ZG_STORED_BY_ROOT) && !strncmp(name, ZG_STORED_BY_ROOT, len));
}

/* The kind of file in the directory of kind `dir`. */
static zg_namefile kind_of(zg_namefile dir, const char *file, size_t n)
{
    if (kinds[dir].storage)
        return ends_with(file, n, ".root") ? ZG_NF_STORED_ROOT : ZG_NF_STORED;
    if (ends_with(file, n, ".hash"))
        return ZG_NF_DATASET_HASH;
    return ends_with(file, n, ".tokens") ? ZG_NF_DATASET_TOKENS : ZG_NF_DATASET;
}

int zg_namefile_parse(zg_namefile kind, const char *file, char name[ZG_NAMEFILE_MAX], zg_err *err)
{
    size_t n = strlen(file), len = n - strlen(kinds[kind].suffix);
    if (kind_of(kind, file, n) != kind || !good_name(kinds[kind].storage, file, len))
        return zg_err_set(err, ENOENT, "%s", kinds[kind].refusal);
    memcpy(name, file, len);
    name[len] = '\0';
    return 0;
}

static int canon_of(zg_namefile kind, const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err)
{
    char name[ZG_NAMEFILE_MAX];
    if (zg_namefile_parse(kind, file, name, err))
        return -1;
    strcpy(canon, file);
    return 0;
}

int zg_dataset_file_parse(const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err)
{
    return canon_of(ZG_NF_DATASET, file, canon, err);
}

int zg_dataset_hash_file_parse(const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err)
{
    return canon_of(ZG_NF_DATASET_HASH, file, canon, err);
}

int zg_dataset_tokens_file_parse(const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err)
{
    return canon_of(ZG_NF_DATASET_TOKENS, file, canon, err);
}

int zg_stored_file_parse(const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err)
{
    return canon_of(ZG_NF_STORED, file, canon, err);
}

int zg_stored_root_file_parse(const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err)
{
    return canon_of(ZG_NF_STORED_ROOT, file, canon, err);
}

int zg_namefile_root_parse(const char *file, char canon[67], zg_err *err)
{
    if (!zg_hex_is_hash(file))
        return zg_err_set(err, ENOENT, "not a root hash");
    canon[0] = '0';
    canon[1] = 'x';
    for (int i = 2; i < 66; i++)
        canon[i] = (char)tolower((unsigned char)file[i]);
    canon[66] = '\0';
    return 0;
}

int zg_provider_name_parse(const char *name, char canon[43], zg_err *err)
{
    uint8_t a[20];
    if (strncmp(name, "0x", 2) && strncmp(name, "0X", 2))
        return zg_err_set(err, ENOENT, "not a provider address");
    if (zg_addr_parse(a, name, err))
        return -1;
    zg_addr_checksum(canon, a);
    return 0;
}

int zg_dataset_added_text(const char *name, const zg_dsentry *e, uint64_t size,
                          const char *provider, zg_buf *ok, zg_err *err)
{
    return zg_buf_printf(ok, err,
                         "uploaded %s (%llu bytes, %llu row%s) into the TEE of %s; dataset hash %s",
                         name, (unsigned long long)size, (unsigned long long)e->rows,
                         e->rows == 1 ? "" : "s", provider, e->hash);
}

int zg_stored_added_text(const char *name, const zg_dsentry *e, uint64_t size,
                         const zg_storage_upload_result *r, zg_buf *ok, zg_err *err)
{
    if (!r->submitted)
        return zg_buf_printf(ok, err,
                             "uploaded %s (%llu bytes) to 0G Storage; root %s (already paid for "
                             "on the Flow: no fee)",
                             name, (unsigned long long)size, e->hash);
    char fee[ZG_U256_DEC_MAX + 2], tx[67] = "0x";
    zg_amount_format(fee, &r->fee);
    zg_hex_encode(tx + 2, r->tx_hash, 32);
    return zg_buf_printf(ok, err,
                         "uploaded %s (%llu bytes) to 0G Storage; root %s, fee %s OG (tx %s)", name,
                         (unsigned long long)size, e->hash, fee, tx);
}

int zg_stored_fetched_text(const char *root, bool already, uint64_t size, zg_buf *ok, zg_err *err)
{
    if (already)
        return zg_buf_printf(ok, err, "already downloaded");
    return zg_buf_printf(ok, err, "downloaded %s from 0G Storage and verified it (%lld bytes)",
                         root, (long long)size);
}

int zg_dataset_hash_warning(const char *where, const char *tee, const char *local, zg_buf *out,
                            zg_err *err)
{
    return zg_buf_printf(out, err,
                         "%s: warning: the TEE reported dataset hash %s, but keccak256 of the "
                         "bytes uploaded is %s; tasks/new uses the TEE's",
                         where, tee, local);
}
