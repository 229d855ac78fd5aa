/* The directories of names (zg/namedir.h) on an index made here: each
 * file of datasets/ and storage/ finds its name, lists, says its hash and
 * attribute, and names the files a new name brings; tasks/new's names
 * resolve through the same index. tests/fs/datasets.sh and storage.sh read
 * the same files through a mount. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../check.h"
#include "zg/fdio.h"
#include "zg/namedir.h"
#include "zg/stnames.h"

static char state[] = "/tmp/zg-namedir-XXXXXX";
static const char prov[] = "0xAbCdEf0123456789aBcDeF0123456789abCDef01";
static const char hash[] = "0x1111111111111111111111111111111111111111111111111111111111111111";
static const char root[] = "0x2222222222222222222222222222222222222222222222222222222222222222";

/* name recorded in dir's index under key, with a local copy. */
static void put(zg_namedir dir, const char *key, const char *name, const char *h)
{
    char index[4096], file[4200];
    zg_dsentry e = {.size = 5, .rows = 1};
    snprintf(e.name, sizeof e.name, "%s", name);
    snprintf(e.hash, sizeof e.hash, "%s", h);
    if (zg_namedir_index(state, dir, index, sizeof index, NULL) || zg_mkdirs(index, 0700, NULL))
        abort();
    snprintf(file, sizeof file, "%s/spool", index);
    if (zg_write_atomic(file, "hello", 5, NULL) || zg_dsindex_put(index, key, &e, file, NULL))
        abort();
}

static int add(void *arg, const char *file, zg_err *err)
{
    (void)err;
    zg_buf *b = arg;
    return zg_buf_printf(b, NULL, "%s;", file);
}

static void datasets(void)
{
    zg_nameref r = {state, ZG_ND_DATASETS, prov, "train.hash"};
    zg_dsentry e;
    zg_err err = {0};
    zg_buf b;
    zg_buf_init(&b, 0);
    char path[4096], want[4096];
    const char *files[] = {"train", "train.hash", "train.tokens"};
    for (size_t i = 0; i < 3; i++) {
        r.file = files[i];
        CHECK(zg_namedir_get(&r, &e, &err) == 0 && !strcmp(e.hash, hash), "%s: the name's entry",
              files[i]);
    }
    r.file = "other.hash";
    CHECK(zg_namedir_get(&r, &e, &err) == -1 && err.code == ENOENT, "an unknown name: ENOENT");
    r.provider = "0x0000000000000000000000000000000000000001";
    r.file = "train";
    CHECK(zg_namedir_get(&r, &e, &err) == -1 && err.code == ENOENT,
          "another provider's datasets/ has its own names");
    r.provider = prov;

    CHECK(zg_namedir_list(&r, ".tokens", add, &b, &err) == 0, "list");
    CHECK_STR((char *)b.data, "train.tokens;zz.tokens;", "each name with the suffix, sorted");
    b.len = 0;
    r.file = "train.hash";
    CHECK(zg_namedir_text(&r, &b, &err) == 0, "NAME.hash");
    snprintf(want, sizeof want, "%s\n", hash);
    CHECK_STR((char *)b.data, want, "NAME.hash: the hash and a newline");
    b.len = 0;
    r.file = "train";
    CHECK(zg_namedir_xattr(&r, "user.zg.hash", &b, &err) == 0, "user.zg.hash");
    CHECK(b.len == strlen(hash) && !memcmp(b.data, hash, b.len), "user.zg.hash: the hash alone");
    b.len = 0;
    CHECK(zg_namedir_xattr(&r, "user.zg.root", &b, &err) == -1 && err.code == ENODATA,
          "user.zg.root is storage/'s: ENODATA in datasets/");
    r.file = "gone";
    CHECK(zg_namedir_xattr(&r, "user.zg.hash", &b, &err) == -1 && err.code == ENODATA,
          "an unknown name has no attribute");

    r.file = "train.tokens";
    snprintf(want, sizeof want, "%s/datasets/%s/data/train", state, prov);
    CHECK(zg_namedir_local(&r, path, sizeof path, &err) == 0, "local copy");
    CHECK_STR(path, want, "the local copy of the name a .tokens file shows");
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == 5, "the local copy is there");

    char file[ZG_NAMEFILE_MAX];
    CHECK(zg_namedir_shown(ZG_ND_DATASETS, "x", 0, file) && !strcmp(file, "x.hash"),
          "a new dataset brings NAME.hash");
    CHECK(zg_namedir_shown(ZG_ND_DATASETS, "x", 1, file) && !strcmp(file, "x.tokens"),
          "and NAME.tokens");
    CHECK(!zg_namedir_shown(ZG_ND_DATASETS, "x", 2, file), "and nothing else");
    zg_buf_free(&b);
}

static void stored(void)
{
    zg_nameref r = {state, ZG_ND_STORED, NULL, "notes.root"};
    zg_dsentry e;
    zg_err err = {0};
    zg_buf b;
    zg_buf_init(&b, 0);
    char path[4096], want[4096], file[ZG_NAMEFILE_MAX];
    CHECK(zg_namedir_get(&r, &e, &err) == 0 && !strcmp(e.hash, root) && e.size == 5,
          "NAME.root: the name's entry");
    r.file = "train";
    CHECK(zg_namedir_get(&r, &e, &err) == -1 && err.code == ENOENT,
          "a dataset's name is no storage/ name");
    CHECK(zg_namedir_list(&r, "", add, &b, &err) == 0, "list");
    CHECK_STR((char *)b.data, "notes;", "the names");
    b.len = 0;
    r.file = "notes";
    CHECK(zg_namedir_xattr(&r, "user.zg.root", &b, &err) == 0 && b.len == strlen(root) &&
              !memcmp(b.data, root, b.len),
          "user.zg.root: the root alone");
    CHECK(zg_namedir_xattr(&r, "user.zg.hash", &b, &err) == -1 && err.code == ENODATA,
          "user.zg.hash is datasets/': ENODATA in storage/");
    snprintf(want, sizeof want, "%s/storage/names/data/notes", state);
    CHECK(zg_namedir_local(&r, path, sizeof path, &err) == 0, "local copy");
    CHECK_STR(path, want, "storage/'s names under the key \"names\"");
    CHECK(zg_namedir_shown(ZG_ND_STORED, "x", 0, file) && !strcmp(file, "x.root") &&
              !zg_namedir_shown(ZG_ND_STORED, "x", 1, file),
          "a new storage/ name brings NAME.root alone");
    snprintf(want, sizeof want, "%s/storage/by-root/%s", state, root);
    CHECK(zg_namedir_by_root(state, root, path, sizeof path, &err) == 0, "by-root");
    CHECK_STR(path, want, "a file by its root: STATE/storage/by-root/ROOT");
    CHECK(zg_namedir_by_root(state, root, path, 20, &err) == -1 && err.code == ENAMETOOLONG,
          "a path that does not fit: ENAMETOOLONG");
    zg_buf_free(&b);
}

static void resolver(void)
{
    zg_nameref at = {.state_dir = state, .provider = prov};
    zg_dataset_names names;
    zg_namedir_resolver(&at, &names);
    char h[67];
    zg_err err = {0};
    CHECK(zg_task_dataset_resolve(&names, "train", h, &err) == 0 && !strcmp(h, hash),
          "tasks/new: a datasets/ name");
    CHECK(zg_task_dataset_resolve(&names, "notes", h, &err) == 0 && !strcmp(h, root),
          "tasks/new: a storage/ name");
    CHECK(zg_task_dataset_resolve(&names, "nothing", h, &err) == -1 && err.code == ENOENT,
          "tasks/new: an unknown name is ENOENT");
}

static int pools_asked;

static zg_storage_pool *no_pool(void *arg, zg_err *err)
{
    (void)arg;
    pools_asked++;
    zg_err_set(err, EHOSTUNREACH, "no storage nodes");
    return NULL;
}

/* A read of storage/NAME or by-root/ROOT whose file is here asks no node. */
static void fetch_said(void)
{
    char path[4096];
    zg_err err = {0};
    zg_buf ok;
    zg_buf_init(&ok, 0);
    zg_nameref r = {state, ZG_ND_STORED, NULL, "notes"};
    if (zg_namedir_local(&r, path, sizeof path, NULL))
        abort();
    CHECK(zg_stnames_fetch_said(no_pool, NULL, root, path, &ok, &err) == 0 && pools_asked == 0,
          "the local copy is here: no node asked");
    CHECK_STR((char *)ok.data, "already downloaded", "and the sentence says so");
    if (zg_namedir_by_root(state, root, path, sizeof path, NULL))
        abort();
    CHECK(zg_stnames_fetch_said(no_pool, NULL, root, path, &ok, &err) == -1 && pools_asked == 1 &&
              err.code == EHOSTUNREACH,
          "a file not here is fetched: the pool's failure");
    zg_buf_free(&ok);
}

static void parsers(void)
{
    char canon[ZG_NAMEFILE_MAX];
    zg_err err = {0};
    CHECK(zg_dataset_hash_file_parse("Train.hash", canon, &err) == 0 &&
              !strcmp(canon, "Train.hash"),
          "NAME.hash taken as spelled");
    CHECK(zg_dataset_file_parse("train.hash", canon, &err) == -1 && err.code == ENOENT,
          "a .hash file is no dataset name");
    CHECK(zg_dataset_tokens_file_parse("t.tokens", canon, &err) == 0, "NAME.tokens");
    CHECK(zg_stored_file_parse("by-root", canon, &err) == -1 && err.code == ENOENT,
          "by-root is no storage/ name");
    CHECK(zg_stored_root_file_parse("a.root", canon, &err) == 0 && !strcmp(canon, "a.root"),
          "NAME.root");
    CHECK(zg_stored_file_parse("a.root", canon, &err) == -1, "a .root file is no storage/ name");
}

int main(void)
{
    if (!mkdtemp(state))
        return 2;
    put(ZG_ND_DATASETS, prov, "zz", hash);
    put(ZG_ND_DATASETS, prov, "train", hash);
    put(ZG_ND_STORED, ZG_STORED_KEY, "notes", root);
    datasets();
    stored();
    resolver();
    fetch_said();
    parsers();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", state);
    if (system(cmd) != 0)
        return 2;
    return check_done();
}
