/* Tokenizer sources and the estimate's caches (zg/toksrc.h). Everything
 * fetched is built in a private temporary directory under the cache and
 * renamed into place only once it loads as a tokenizer, so concurrent
 * readers see either nothing or a whole, checked file. */
#include "zg/fdio.h"
#include "zg/toksrc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zg/hex.h"
#include "zg/http.h"
#include "zg/storage.h"
#include "zg/tokenizer.h"
#include "zg/unzip.h"

#define PATH_CAP 4096

static bool readable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/* A name that is safe as one path component. */
static bool plain_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || s[0] == '.')
        return false;
    return strchr(s, '/') == NULL;
}

/* ------------------------------------------------------------ remembered failures */

static void failed_path(const zg_toksrc *s, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/failed/%s", s->cache_dir, name);
}

/* A failure of the last ZG_TOKSRC_RETRY_S seconds, re-reported. */
static bool failed_recently(const zg_toksrc *s, const char *name, zg_err *err)
{
    char p[PATH_CAP];
    failed_path(s, name, p, sizeof p);
    struct stat st;
    if (stat(p, &st) || time(NULL) - st.st_mtime >= ZG_TOKSRC_RETRY_S || time(NULL) < st.st_mtime)
        return false;
    FILE *f = fopen(p, "r");
    if (!f)
        return false;
    int code = 0;
    char msg[ZG_ERR_MSG_MAX] = "";
    bool ok = fscanf(f, "%d ", &code) == 1 && fgets(msg, sizeof msg, f) != NULL;
    fclose(f);
    if (!ok || code <= 0)
        return false;
    msg[strcspn(msg, "\n")] = '\0';
    zg_err_set(err, code, "%s", msg);
    return true;
}

static void remember_failure(const zg_toksrc *s, const char *name, const zg_err *e)
{
    char dir[PATH_CAP], p[PATH_CAP], tmp[PATH_CAP + 16];
    snprintf(dir, sizeof dir, "%s/failed", s->cache_dir);
    if (zg_mkdirs(dir, 0700, NULL))
        return;
    failed_path(s, name, p, sizeof p);
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", p);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        unlink(tmp);
        return;
    }
    fprintf(f, "%d %s\n", e->code ? e->code : EIO, e->msg);
    if (fclose(f) || rename(tmp, p))
        unlink(tmp);
}

/* ------------------------------------------------------------ fetching */

/* A private directory to build a fetched tokenizer in. */
static int make_tmp(const zg_toksrc *s, char *out, size_t cap, zg_err *err)
{
    if (zg_mkdirs(s->cache_dir, 0700, err))
        return -1;
    if (snprintf(out, cap, "%s/tmp.XXXXXX", s->cache_dir) >= (int)cap)
        return zg_err_set(err, ENAMETOOLONG, "cache path too long");
    if (!mkdtemp(out))
        return zg_err_set(err, errno, "cannot create a directory in %s: %s", s->cache_dir,
                          strerror(errno));
    return 0;
}

static void remove_tmp(const char *tmp)
{
    static const char *const files[] = {"tokenizer.zip", "tokenizer.json"};
    char p[PATH_CAP + 32];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tmp, files[i]);
        unlink(p);
    }
    rmdir(tmp);
}

/* tmp/tokenizer.json loads as a tokenizer: move tmp to final (or keep the
 * copy another thread put there first). */
static int publish(const char *tmp, const char *final, const char *what, zg_err *err)
{
    char p[PATH_CAP + 32];
    snprintf(p, sizeof p, "%s/tokenizer.json", tmp);
    zg_tokenizer *t = NULL;
    zg_err e = {0};
    if (zg_tokenizer_load(&t, p, &e)) {
        remove_tmp(tmp);
        return zg_err_set(err, EINVAL, "%s is not a usable tokenizer: %s", what, e.msg);
    }
    zg_tokenizer_free(t);
    if (rename(tmp, final) && errno != EEXIST && errno != ENOTEMPTY) {
        int code = errno;
        remove_tmp(tmp);
        return zg_err_set(err, code, "cannot move the tokenizer into %s: %s", final,
                          strerror(code));
    }
    remove_tmp(tmp); /* no-op after a successful rename */
    return 0;
}

static int fetch_root(const zg_toksrc *s, const uint8_t root[32], const char *hex,
                      const char *final, zg_err *err)
{
    char tmp[PATH_CAP], zip[PATH_CAP + 32], json[PATH_CAP + 32];
    if (make_tmp(s, tmp, sizeof tmp, err))
        return -1;
    snprintf(zip, sizeof zip, "%s/tokenizer.zip", tmp);
    snprintf(json, sizeof json, "%s/tokenizer.json", tmp);
    /* The size first: a root may name any file, and this one is read whole. */
    zg_storage_info info;
    int rc = zg_storage_pool_find(s->storage, root, &info, err);
    if (rc == 0 && info.size > ZG_TOKSRC_MAX)
        rc = zg_err_set(err, EFBIG, "the file is %llu bytes, more than a tokenizer archive",
                        (unsigned long long)info.size);
    if (rc == 0)
        rc = zg_storage_pool_download(s->storage, root, zip, NULL, NULL, err);
    if (rc) {
        remove_tmp(tmp);
        /* That sentence names the root already. */
        if (err && err->kind == ZG_EK_NO_FILE)
            return zg_err_prefix(err, "tokenizer from 0G Storage");
        return zg_err_prefix(err, "tokenizer %s from 0G Storage", hex);
    }
    if (zg_unzip_member(zip, "tokenizer.json", json, ZG_TOKSRC_MAX, err)) {
        remove_tmp(tmp);
        return zg_err_prefix(err, "tokenizer archive %s", hex);
    }
    unlink(zip);
    char what[100];
    snprintf(what, sizeof what, "the tokenizer.json of archive %s", hex);
    return publish(tmp, final, what, err);
}

static int from_root(const zg_toksrc *s, const char *ref, char *path, size_t cap, zg_err *err)
{
    uint8_t root[32];
    if (zg_hex_decode_exact(root, 32, ref, NULL))
        return zg_err_set(err, EINVAL, "tokenizer reference %s is not a 32-byte root", ref);
    char hex[67] = "0x";
    zg_hex_encode(hex + 2, root, 32);
    bool zero = true;
    for (int i = 0; i < 32; i++)
        zero &= root[i] == 0;
    if (zero)
        return zg_err_set(err, ENOENT,
                          "no tokenizer published for this model (its tokenizer root is zero)");
    if (!s->cache_dir || !s->storage)
        return zg_err_set(err, ENOENT,
                          "no tokenizer available offline: it is 0G Storage root %s and no "
                          "storage node is configured; mount with -o tokenizers=DIR",
                          hex);
    char final[PATH_CAP], name[80];
    snprintf(name, sizeof name, "root-%s", hex);
    if (snprintf(final, sizeof final, "%s/%s", s->cache_dir, name) >= (int)sizeof final ||
        snprintf(path, cap, "%s/tokenizer.json", final) >= (int)cap)
        return zg_err_set(err, ENAMETOOLONG, "cache path too long");
    if (readable(path))
        return 0;
    if (failed_recently(s, name, err))
        return -1;
    zg_err e = {0};
    if (fetch_root(s, root, hex, final, &e)) {
        remember_failure(s, name, &e);
        return zg_err_set(err, e.code, "%s", e.msg);
    }
    return 0;
}

/* Owner/Name of the hub: letters, digits, '-', '_', '.'; no ".." or "--"
 * (as the hub itself refuses them). */
static bool repo_id(const char *ref)
{
    const char *slash = strchr(ref, '/');
    if (!slash || slash == ref || !slash[1] || strchr(slash + 1, '/') || strlen(ref) > 96 ||
        strstr(ref, "..") || strstr(ref, "--") || ref[0] == '.' || slash[1] == '.')
        return false;
    for (const char *p = ref; *p; p++)
        if (!(p == slash || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
            return false;
    return true;
}

struct sink {
    int fd;
    uint64_t n;
    bool too_big, io;
};

static int sink_write(void *ctx, const void *data, size_t len)
{
    struct sink *k = ctx;
    if (k->n + len > ZG_TOKSRC_MAX) {
        k->too_big = true;
        return -1;
    }
    const uint8_t *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(k->fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            k->io = true;
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    k->n += len;
    return 0;
}

static int fetch_hub(const zg_toksrc *s, const char *repo, const char *final, zg_err *err)
{
    char tmp[PATH_CAP], json[PATH_CAP + 32], url[512];
    snprintf(url, sizeof url, "%s/%s/resolve/main/tokenizer.json", s->hub_url, repo);
    if (make_tmp(s, tmp, sizeof tmp, err))
        return -1;
    snprintf(json, sizeof json, "%s/tokenizer.json", tmp);
    struct sink k = {.fd = open(json, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (k.fd < 0) {
        int code = errno;
        remove_tmp(tmp);
        return zg_err_set(err, code, "%s: %s", json, strerror(code));
    }
    zg_http_opts ho = {.connect_timeout_ms = 5000, .idle_timeout_s = 30, .max_retries = 0};
    zg_http *h = NULL;
    zg_http_resp r;
    zg_http_resp_init(&r);
    zg_http_req q = {.url = url, .idempotent = true, .sink = sink_write, .sink_ctx = &k};
    int rc = zg_http_new(&h, &ho, err);
    /* zg_http_do's sentences name the URL (but for running out of memory). */
    bool named = false;
    if (rc == 0)
        named = (rc = zg_http_do(h, &q, &r, err)) != 0 && err && err->code != ENOMEM;
    zg_http_free(h);
    if (close(k.fd) && rc == 0)
        rc = zg_err_set(err, errno, "%s: %s", json, strerror(errno));
    if (k.too_big) {
        rc = zg_err_set(err, EFBIG, "more than %llu bytes", (unsigned long long)ZG_TOKSRC_MAX);
        named = false;
    } else if (rc == 0 && r.status != 200)
        rc = zg_err_set(err, r.status == 404 ? ENOENT : EIO, "HTTP %ld", r.status);
    zg_http_resp_free(&r);
    if (rc) {
        remove_tmp(tmp);
        return named ? -1 : zg_err_prefix(err, "downloading %s", url);
    }
    char what[160];
    snprintf(what, sizeof what, "the tokenizer.json of %s", repo);
    return publish(tmp, final, what, err);
}

static int from_hub(const zg_toksrc *s, const char *repo, char *path, size_t cap, zg_err *err)
{
    /* Owner/Name (checked by repo_id: one slash, at most 96 bytes) is
     * kept as Owner--Name, one path component. */
    char final[PATH_CAP], flat[128];
    const char *slash = strchr(repo, '/');
    snprintf(flat, sizeof flat, "%.*s--%s", (int)(slash - repo), repo, slash + 1);
    if (s->cache_dir) {
        if (snprintf(final, sizeof final, "%s/hf/%s", s->cache_dir, flat) >= (int)sizeof final ||
            snprintf(path, cap, "%s/tokenizer.json", final) >= (int)cap)
            return zg_err_set(err, ENAMETOOLONG, "cache path too long");
        if (readable(path))
            return 0;
    }
    if (s->hub_copy) {
        struct stat st;
        bool dir = stat(s->hub_copy, &st) == 0 && S_ISDIR(st.st_mode);
        if (snprintf(path, cap, dir ? "%s/tokenizer.json" : "%s", s->hub_copy) < (int)cap &&
            readable(path))
            return 0;
    }
    if (!s->cache_dir || !s->hub_url)
        return zg_err_set(err, ENOENT,
                          "no tokenizer available offline for %s; mount with -o tokenizers=DIR",
                          repo);
    char hdir[PATH_CAP + 8], fname[150];
    snprintf(hdir, sizeof hdir, "%s/hf", s->cache_dir);
    snprintf(fname, sizeof fname, "hf-%s", flat);
    if (failed_recently(s, fname, err))
        return -1;
    zg_err e = {0};
    if (zg_mkdirs(hdir, 0700, &e) || fetch_hub(s, repo, final, &e)) {
        char why[ZG_ERR_MSG_MAX];
        snprintf(why, sizeof why, "%s", e.msg);
        zg_err_set(&e, e.code, "%s (mount with -o tokenizers=DIR when offline)", why);
        remember_failure(s, fname, &e);
        return zg_err_set(err, e.code, "%s", e.msg);
    }
    snprintf(path, cap, "%s/tokenizer.json", final);
    return 0;
}

int zg_toksrc_find(const zg_toksrc *s, const char *model, const char *ref, char *path, size_t cap,
                   zg_err *err)
{
    if (s->dir) {
        if (plain_name(model, 200) &&
            snprintf(path, cap, "%s/%s/tokenizer.json", s->dir, model) < (int)cap && readable(path))
            return 0;
        if (snprintf(path, cap, "%s/tokenizer.json", s->dir) < (int)cap && readable(path))
            return 0;
    }
    if (!ref || !*ref)
        return zg_err_set(err, ENOENT, "the provider names no tokenizer for this model%s",
                          s->dir ? " and the tokenizers directory has none" : "");
    if (ref[0] == '0' && (ref[1] == 'x' || ref[1] == 'X'))
        return from_root(s, ref, path, cap, err);
    if (repo_id(ref))
        return from_hub(s, ref, path, cap, err);
    return zg_err_set(err, EINVAL,
                      "tokenizer reference \"%.80s\" is neither a 0G Storage root nor a "
                      "Hugging Face repo id",
                      ref);
}

/* ------------------------------------------------------------ the count cache */

int zg_toksrc_digest(const char *tokenizer_path, char digest[65], zg_err *err)
{
    int fd = open(tokenizer_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "%s: %s", tokenizer_path, strerror(errno));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t *buf = malloc(1 << 20);
    int rc = md && buf && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : -1;
    if (rc)
        zg_err_set(err, ENOMEM, "out of memory");
    while (rc == 0) {
        ssize_t n = read(fd, buf, 1 << 20);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = zg_err_set(err, errno, "%s: %s", tokenizer_path, strerror(errno));
        if (n <= 0)
            break;
        EVP_DigestUpdate(md, buf, (size_t)n);
    }
    uint8_t d[32];
    unsigned dl = 0;
    if (rc == 0 && (EVP_DigestFinal_ex(md, d, &dl) != 1 || dl != 32))
        rc = zg_err_set(err, EIO, "SHA-256 failed");
    if (rc == 0)
        zg_hex_encode(digest, d, 32);
    EVP_MD_CTX_free(md);
    free(buf);
    close(fd);
    return rc;
}

/* Dataset keys become file names: letters and digits only. */
static bool count_path(const zg_toksrc *s, const char *key, const char *digest, char *out,
                       size_t cap)
{
    if (!s->cache_dir || !key || !*key || strlen(key) > 80)
        return false;
    for (const char *p = key; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            return false;
    return snprintf(out, cap, "%s/counts/%s-%s", s->cache_dir, key, digest) < (int)cap;
}

int zg_toksrc_count_get(const zg_toksrc *s, const char *key, const char *digest, uint64_t *tokens)
{
    char p[PATH_CAP];
    if (!count_path(s, key, digest, p, sizeof p))
        return -1;
    FILE *f = fopen(p, "r");
    if (!f)
        return -1;
    unsigned long long v;
    char nl = 0;
    int ok = fscanf(f, "%llu%c", &v, &nl) == 2 && nl == '\n';
    fclose(f);
    if (!ok)
        return -1;
    *tokens = v;
    return 0;
}

void zg_toksrc_count_put(const zg_toksrc *s, const char *key, const char *digest, uint64_t tokens)
{
    char p[PATH_CAP], dir[PATH_CAP], tmp[PATH_CAP + 16];
    if (!count_path(s, key, digest, p, sizeof p))
        return;
    snprintf(dir, sizeof dir, "%s/counts", s->cache_dir);
    if (zg_mkdirs(dir, 0700, NULL))
        return;
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", p);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return;
    char line[32];
    int n = snprintf(line, sizeof line, "%llu\n", (unsigned long long)tokens);
    bool ok = write(fd, line, (size_t)n) == n;
    if (close(fd) || !ok || rename(tmp, p))
        unlink(tmp);
}

/* ------------------------------------------------------------ devnet */

int zg_toksrc_devnet(const char *devnet_json, char *dir, size_t cap, zg_err *err)
{
    dir[0] = '\0';
    FILE *f = fopen(devnet_json, "r");
    if (!f)
        return zg_err_set(err, errno, "%s: %s", devnet_json, strerror(errno));
    char *text = malloc(1 << 20);
    size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!text)
        return zg_err_set(err, ENOMEM, "out of memory");
    text[n] = '\0';
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (!j)
        return zg_err_set(err, EINVAL, "%s is not JSON", devnet_json);
    const char *d = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "tokenizers"), "dir"));
    int rc = 0;
    if (d && snprintf(dir, cap, "%s", d) >= (int)cap)
        rc = zg_err_set(err, ENAMETOOLONG, "tokenizers.dir in %s is too long", devnet_json);
    cJSON_Delete(j);
    return rc;
}
