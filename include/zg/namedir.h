/* The directories of names the user fills with cp (a provider's
 * datasets/, storage/) as two rows of one table: where each keeps its
 * names in the state directory (zg/dsindex.h) and under which key, which
 * files show a name (zg/namefiles.h), the text of a name's hash or root
 * file, its extended attribute, its local copy, and the files that appear
 * with a new name. A file is found by its directory, the provider (for
 * datasets/) and the file's name. No FUSE here. */
#ifndef ZG_NAMEDIR_H
#define ZG_NAMEDIR_H

#include <stddef.h>

#include "zg/buf.h"
#include "zg/dsindex.h"
#include "zg/namefiles.h"
#include "zg/tasks.h"

typedef enum zg_namedir {
    ZG_ND_DATASETS, /* providers/P/datasets/: NAME, NAME.hash, NAME.tokens */
    ZG_ND_STORED,   /* storage/: NAME, NAME.root */
} zg_namedir;

/* A file of a directory of names. All members borrowed. */
typedef struct zg_nameref {
    const char *state_dir;
    zg_namedir dir;
    const char *provider; /* datasets/: the provider, as the index key; storage/: unused */
    const char *file;     /* the file's name in the directory (NAME, NAME.hash, ...) */
} zg_nameref;

/* STATE/datasets or STATE/storage, the index of dir; ENAMETOOLONG when
 * it does not fit cap. */
int zg_namedir_index(const char *state_dir, zg_namedir dir, char *out, size_t cap, zg_err *err);

/* The index entry of the name r's file shows (whichever of the
 * directory's files it is); ENOENT when the name is unknown. */
int zg_namedir_get(const zg_nameref *r, zg_dsentry *out, zg_err *err);

/* Every name of r's directory (r->file unused) with suffix, one of the
 * directory's (zg_namefile_suffix; "" for the names), passed to add, which
 * may fail and end the walk. A name too long for the suffix is left out. */
int zg_namedir_list(const zg_nameref *r, const char *suffix,
                    int (*add)(void *arg, const char *file, zg_err *err), void *arg, zg_err *err);

/* What NAME.hash and NAME.root say: the hash (root) and a newline. */
int zg_namedir_text(const zg_nameref *r, zg_buf *out, zg_err *err);

/* The name's extended attribute: user.zg.hash in datasets/, user.zg.root
 * in storage/, the hash (root) alone; ENODATA for any other attribute or
 * an unknown name. */
int zg_namedir_xattr(const zg_nameref *r, const char *attr, zg_buf *out, zg_err *err);

/* Where the local copy of a known name is (whether or not it is there). */
int zg_namedir_local(const zg_nameref *r, char *out, size_t cap, zg_err *err);

/* The files besides NAME that a new name of dir brings (NAME.hash and
 * NAME.tokens, NAME.root): the i-th into file; false past the last. */
bool zg_namedir_shown(zg_namedir dir, const char *name, size_t i, char file[ZG_NAMEFILE_MAX]);

/* STATE/storage/by-root/ROOT: where the file of root (as
 * zg_namefile_root_parse spells it) is kept once downloaded. */
int zg_namedir_by_root(const char *state_dir, const char *root, char *out, size_t cap, zg_err *err);

/* The names tasks/new takes as "dataset" (zg_task_submit): r's provider's
 * datasets/ names and storage/'s names; r (file unused) is borrowed by
 * *out for as long as it is used. */
void zg_namedir_resolver(const zg_nameref *r, zg_dataset_names *out);

#endif
