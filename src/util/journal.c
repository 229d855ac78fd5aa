#include "zg/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zg/fdio.h"
#include "zg/jsontext.h"
#include "zg/hex.h"

struct zg_journal {
    char *dir;
    int dirfd;
    pthread_mutex_t lock; /* one writer at a time per record file */
    unsigned seq;         /* guarded by lock: makes ids unique within a second */
    /* guarded by lock: records an operation of this process is still
     * working on, which the reconciler must leave to it */
    char (*live)[40];
    size_t nlive, caplive;
};

#ifdef ZG_CRASH_POINTS
void zg_crash_point(const char *name)
{
    const char *at = getenv("ZGFS_CRASH_AT");
    if (at && strcmp(at, name) == 0)
        _exit(99);
}
#endif

int zg_journal_open(zg_journal **out, const char *dir, zg_err *err)
{
    if (zg_mkdirs(dir, 0700, err))
        return -1;
    zg_journal *j = calloc(1, sizeof *j);
    if (!j || !(j->dir = strdup(dir))) {
        free(j);
        return zg_err_set(err, ENOMEM, "out of memory");
    }
    j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (j->dirfd < 0) {
        zg_err_set(err, errno, "cannot open the journal %s: %s", dir, strerror(errno));
        free(j->dir);
        free(j);
        return -1;
    }
    pthread_mutex_init(&j->lock, NULL);
    *out = j;
    return 0;
}

void zg_journal_close(zg_journal *j)
{
    if (!j)
        return;
    close(j->dirfd);
    pthread_mutex_destroy(&j->lock);
    free(j->live);
    free(j->dir);
    free(j);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

/* Atomic replace: a reader (or a crash) sees the old record or the new one,
 * never a mix. Called with the lock held. */
static int write_record(zg_journal *j, const char *id, const cJSON *rec, zg_err *err)
{
    char *text = zg_json_text(rec);
    if (!text)
        return zg_err_set(err, ENOMEM, "out of memory");
    char tmp[64], fin[64];
    snprintf(tmp, sizeof tmp, ".%s.tmp", id);
    snprintf(fin, sizeof fin, "%s.json", id);
    int rc = -1;
    int fd = openat(j->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        zg_err_set(err, errno, "journal: cannot write %s/%s: %s", j->dir, tmp, strerror(errno));
        goto out;
    }
    if (zg_write_all(fd, text, strlen(text))) {
        zg_err_set(err, errno, "journal: cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlinkat(j->dirfd, tmp, 0);
        goto out;
    }
    if (fsync(fd)) {
        zg_err_set(err, errno, "journal: fsync failed: %s", strerror(errno));
        close(fd);
        unlinkat(j->dirfd, tmp, 0);
        goto out;
    }
    close(fd);
    if (renameat(j->dirfd, tmp, j->dirfd, fin)) {
        zg_err_set(err, errno, "journal: rename failed: %s", strerror(errno));
        unlinkat(j->dirfd, tmp, 0);
        goto out;
    }
    fsync(j->dirfd);
    rc = 0;
out:
    free(text);
    return rc;
}

static cJSON *read_record(zg_journal *j, const char *file)
{
    int fd = openat(j->dirfd, file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = 0;
    return cJSON_Parse(buf);
}

static int valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= 40)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || *p == '-'))
            return 0;
    return 1;
}

static void merge(cJSON *rec, cJSON *fields)
{
    if (!fields)
        return;
    cJSON *it = fields->child;
    while (it) {
        cJSON *next = it->next;
        cJSON_DetachItemViaPointer(fields, it);
        cJSON_DeleteItemFromObjectCaseSensitive(rec, it->string);
        cJSON_AddItemToObject(rec, it->string, it);
        it = next;
    }
    cJSON_Delete(fields);
}

/* Called with the lock held. */
static int mark_live(zg_journal *j, const char *id)
{
    if (j->nlive == j->caplive) {
        size_t cap = j->caplive ? j->caplive * 2 : 8;
        char(*g)[40] = realloc(j->live, cap * sizeof *g);
        if (!g)
            return -1;
        j->live = g;
        j->caplive = cap;
    }
    snprintf(j->live[j->nlive++], 40, "%s", id);
    return 0;
}

static bool is_live(zg_journal *j, const char *id)
{
    for (size_t i = 0; i < j->nlive; i++)
        if (strcmp(j->live[i], id) == 0)
            return true;
    return false;
}

static void unlinkat_record(zg_journal *j, const char *id)
{
    char fin[64];
    snprintf(fin, sizeof fin, "%s.json", id);
    unlinkat(j->dirfd, fin, 0);
}

int zg_journal_begin(zg_journal *j, const char *op, cJSON *fields, char id[40], zg_err *err)
{
    pthread_mutex_lock(&j->lock);
    /* Sortable by time: seconds, then a per-journal counter. */
    snprintf(id, 40, "%010lld-%04u-%d", (long long)time(NULL), j->seq++ % 10000,
             (int)(getpid() % 100000));
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "id", id);
    cJSON_AddStringToObject(rec, "op", op);
    cJSON_AddStringToObject(rec, "state", "intent");
    cJSON_AddNumberToObject(rec, "created", now_s());
    cJSON_AddNumberToObject(rec, "updated", now_s());
    merge(rec, fields);
    int rc = write_record(j, id, rec, err);
    cJSON_Delete(rec);
    if (rc == 0 && mark_live(j, id)) {
        /* Unmarked, the reconciler could settle it under the operation. */
        unlinkat_record(j, id);
        rc = zg_err_set(err, ENOMEM, "out of memory");
    }
    pthread_mutex_unlock(&j->lock);
    return rc;
}

void zg_journal_release(zg_journal *j, const char *id)
{
    pthread_mutex_lock(&j->lock);
    for (size_t i = 0; i < j->nlive; i++)
        if (strcmp(j->live[i], id) == 0) {
            memmove(j->live + i, j->live + i + 1, (j->nlive - i - 1) * sizeof *j->live);
            j->nlive--;
            break;
        }
    pthread_mutex_unlock(&j->lock);
}

int zg_journal_update(zg_journal *j, const char *id, const char *state, cJSON *fields, zg_err *err)
{
    if (!valid_id(id)) {
        cJSON_Delete(fields);
        return zg_err_set(err, EINVAL, "journal: bad record id");
    }
    char file[64];
    snprintf(file, sizeof file, "%s.json", id);
    pthread_mutex_lock(&j->lock);
    int rc = -1;
    cJSON *rec = read_record(j, file);
    if (!rec) {
        cJSON_Delete(fields);
        zg_err_set(err, ENOENT, "journal: record %s is missing", id);
        goto out;
    }
    merge(rec, fields);
    if (state) {
        cJSON_DeleteItemFromObjectCaseSensitive(rec, "state");
        cJSON_AddStringToObject(rec, "state", state);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(rec, "updated");
    cJSON_AddNumberToObject(rec, "updated", now_s());
    rc = write_record(j, id, rec, err);
out:
    cJSON_Delete(rec);
    pthread_mutex_unlock(&j->lock);
    return rc;
}

int zg_journal_get(zg_journal *j, const char *id, cJSON **out, zg_err *err)
{
    if (!valid_id(id))
        return zg_err_set(err, ENOENT, "journal: no record %s", id);
    char file[64];
    snprintf(file, sizeof file, "%s.json", id);
    pthread_mutex_lock(&j->lock);
    *out = read_record(j, file);
    pthread_mutex_unlock(&j->lock);
    return *out ? 0 : zg_err_set(err, ENOENT, "journal: no record %s", id);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Records in id (= time) order, filtered by op and by whether they are open. */
static int list_records(zg_journal *j, const char *op, bool open_only, cJSON **out, zg_err *err)
{
    pthread_mutex_lock(&j->lock);
    int fd = dup(j->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        pthread_mutex_unlock(&j->lock);
        return zg_err_set(err, errno, "journal: cannot list %s", j->dir);
    }
    rewinddir(d);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **g = realloc(names, cap * sizeof *names);
            if (!g)
                break;
            names = g;
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *rec = names[i] ? read_record(j, names[i]) : NULL;
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "state"));
        const char *o = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "op"));
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "id"));
        bool open_rec = st && strcmp(st, "done") != 0 && strcmp(st, "failed") != 0;
        if (open_only && id && is_live(j, id))
            open_rec = false;
        if (rec && st && o && (!op || strcmp(o, op) == 0) && (open_rec || !open_only))
            cJSON_AddItemToArray(arr, rec);
        else
            cJSON_Delete(rec);
        free(names[i]);
    }
    free(names);
    pthread_mutex_unlock(&j->lock);
    *out = arr;
    return 0;
}

int zg_journal_open_records(zg_journal *j, cJSON **out, zg_err *err)
{
    return list_records(j, NULL, true, out, err);
}

int zg_journal_records(zg_journal *j, const char *op, cJSON **out, zg_err *err)
{
    return list_records(j, op, false, out, err);
}
