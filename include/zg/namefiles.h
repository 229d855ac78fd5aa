/* The files of the directories of names the user gives (a provider's
 * datasets/, storage/): which file names stand for a name, its hash or
 * root file, or its estimate, and the sentences their uploads end with.
 * A name never ends with its directory's suffixes, so every file name of a
 * directory is of one kind only. Also the directory names of providers/,
 * which are addresses. No I/O. */
#ifndef ZG_NAMEFILES_H
#define ZG_NAMEFILES_H

#include <stdbool.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/dsindex.h"
#include "zg/storage.h"

/* The longest file name of these directories, with its NUL. */
#define ZG_NAMEFILE_MAX 80

typedef enum zg_namefile {
    ZG_NF_DATASET,        /* datasets/NAME */
    ZG_NF_DATASET_HASH,   /* datasets/NAME.hash */
    ZG_NF_DATASET_TOKENS, /* datasets/NAME.tokens */
    ZG_NF_STORED,         /* storage/NAME */
    ZG_NF_STORED_ROOT,    /* storage/NAME.root */
} zg_namefile;

/* The suffix of kind's files ("" for the names themselves). */
const char *zg_namefile_suffix(zg_namefile kind);

/* Whether file is a file of kind: a name of its directory (not empty, no
 * leading '.', no '/' or control characters, room for the longest suffix
 * of the directory; in storage/ never "by-root") with kind's suffix. name
 * receives the name it stands for; ENOENT with kind's sentence otherwise. */
int zg_namefile_parse(zg_namefile kind, const char *file, char name[ZG_NAMEFILE_MAX], zg_err *err);

/* Each kind's files as the namespace takes them: canon receives the file
 * name as given when zg_namefile_parse accepts it (names are
 * case-sensitive); its refusal otherwise. */
int zg_dataset_file_parse(const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err);
int zg_dataset_hash_file_parse(const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err);
int zg_dataset_tokens_file_parse(const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err);
int zg_stored_file_parse(const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err);
int zg_stored_root_file_parse(const char *file, char canon[ZG_NAMEFILE_MAX], zg_err *err);

/* The index key of storage/'s names (zg/stnames.h), and the directory of
 * files by root beside them. */
#define ZG_STORED_KEY     "names"
#define ZG_STORED_BY_ROOT "by-root"

/* storage/by-root/ROOT: a 0x root hash of any case, in lower case; ENOENT
 * "not a root hash" otherwise. */
int zg_namefile_root_parse(const char *file, char canon[67], zg_err *err);

/* providers/ADDRESS: an address as zg_addr_parse takes it, in its EIP-55
 * spelling, so one provider has one directory whatever the case typed.
 * ENOENT "not a provider address" for a name without "0x" (no other
 * name lives there); a "0x" name that is no address is zg_addr_parse's
 * EINVAL, so a typo in an address is told as one. */
int zg_provider_name_parse(const char *name, char canon[43], zg_err *err);

/* The sentences of `cp FILE datasets/NAME` (name uploaded into
 * provider's TEE as e) and `cp FILE storage/NAME` (r: the upload; fee paid when
 * r->submitted). */
int zg_dataset_added_text(const char *name, const zg_dsentry *e, uint64_t size,
                          const char *provider, zg_buf *ok, zg_err *err);
int zg_stored_added_text(const char *name, const zg_dsentry *e, uint64_t size,
                         const zg_storage_upload_result *r, zg_buf *ok, zg_err *err);
/* A download of root into a file now size bytes long (already: nothing
 * was fetched). */
int zg_stored_fetched_text(const char *root, bool already, uint64_t size, zg_buf *ok, zg_err *err);
/* The warning for a provider whose TEE reported tee for the bytes whose
 * keccak256 is local, said about where (the file's path). */
int zg_dataset_hash_warning(const char *where, const char *tee, const char *local, zg_buf *out,
                            zg_err *err);

#endif
