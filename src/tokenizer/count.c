/* The provider's token count of a dataset (0g-serving-broker
 * api/common/token/size.go CountTokens, called from the fine-tuning setup
 * step, api/fine-tuning/internal/services/setup.go Execute, which then
 * verifies the task's fee with it), the epochs of a task's training
 * parameters and the fee. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zg/tokenizer.h"

#define LINE_MAX_BYTES ((size_t)16 << 20)
#define DEFAULT_EPOCHS 3
/* Below this many bytes per thread, starting a thread costs more than it
 * saves (a shared tokenizer's word cache starts cold). */
#define MIN_RANGE_BYTES ((uint64_t)1 << 20)
#define MAX_THREADS     64

/* Tokens of one field: a string, or absent/null (0). */
static int field(zg_tokenizer *t, const cJSON *j, const char *name, uint64_t *sum, zg_err *err)
{
    if (!j || cJSON_IsNull(j))
        return 0;
    if (!cJSON_IsString(j))
        return zg_err_set(err, EINVAL, "\"%s\" is not a string", name);
    uint64_t n;
    if (zg_tokenizer_encode(t, j->valuestring, strlen(j->valuestring), &n, NULL, err))
        return zg_err_prefix(err, "\"%s\"", name);
    *sum += n;
    return 0;
}

static int count_messages(zg_tokenizer *t, const cJSON *msgs, uint64_t *sum, zg_err *err)
{
    /* Last user turn -> instruction, last assistant turn -> output. */
    const cJSON *user = NULL, *assistant = NULL, *m;
    cJSON_ArrayForEach(m, msgs)
    {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
        if (!cJSON_IsString(role) || !cJSON_IsString(content))
            return zg_err_set(err, EINVAL, "a message lacks a string \"role\" or \"content\"");
        if (strcmp(role->valuestring, "user") == 0)
            user = content;
        else if (strcmp(role->valuestring, "assistant") == 0)
            assistant = content;
    }
    return field(t, user, "messages[user].content", sum, err) ||
                   field(t, assistant, "messages[assistant].content", sum, err)
               ? -1
               : 0;
}

int zg_token_count_row(zg_tokenizer *t, const char *json, size_t len, uint64_t *tokens, zg_err *err)
{
    cJSON *j = cJSON_ParseWithLength(json, len);
    uint64_t sum = 0;
    int rc = -1;
    if (!cJSON_IsObject(j)) {
        zg_err_set(err, EINVAL, "not a JSON object; a dataset is JSON lines, one object per line");
        goto out;
    }
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(j, "instruction");
    const cJSON *out = cJSON_GetObjectItemCaseSensitive(j, "output");
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(j, "messages");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
    if (cJSON_IsString(ins) && cJSON_IsString(out)) {
        if (field(t, ins, "instruction", &sum, err) ||
            field(t, cJSON_GetObjectItemCaseSensitive(j, "input"), "input", &sum, err) ||
            field(t, out, "output", &sum, err))
            goto out;
    } else if (cJSON_IsArray(msgs) && cJSON_GetArraySize(msgs) > 0) {
        if (count_messages(t, msgs, &sum, err))
            goto out;
    } else if (cJSON_IsString(text)) {
        if (field(t, text, "text", &sum, err))
            goto out;
    } else {
        zg_err_set(err, EINVAL,
                   "none of the accepted shapes: {\"instruction\",\"input\",\"output\"}, "
                   "{\"messages\":[{\"role\",\"content\"}...]} or {\"text\"}");
        goto out;
    }
    *tokens = sum;
    rc = 0;
out:
    cJSON_Delete(j);
    return rc;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- ranges
 *
 * A dataset is counted in byte ranges, one per thread: range i is
 * [size*i/n, size*(i+1)/n), and it counts the lines that START inside it,
 * so a line straddling two ranges belongs to the one where it begins and
 * every line is counted exactly once, whatever n is. The totals are sums,
 * so they do not depend on which thread finishes first. Each thread has
 * its own tokenizer sharing the loaded model (zg_tokenizer_share) and reads
 * with pread, so memory is a read buffer, a line buffer and a word cache
 * per thread, however large the file. cJSON parses rows on several threads
 * at once under its README's conditions for that: nothing here reads
 * cJSON_GetErrorPtr (the one global its parser writes). */

/* What kind of sentence a range's first error makes. */
enum line_err { LINE_OK, LINE_ROW, LINE_NUL, LINE_LONG, LINE_IO };

typedef struct range {
    zg_tokenizer *t;
    int fd;
    bool seekable; /* regular file: pread from lo; else read() from here on */
    const char *path;
    uint64_t lo, hi; /* count the lines that start in [lo, hi) */
    unsigned index;
    _Atomic unsigned *failed; /* lowest index of a range that failed */
    uint64_t tokens, rows;
    uint64_t lines;    /* lines finished (blank ones too) */
    enum line_err why; /* LINE_OK, or the first error: */
    uint64_t err_line; /* its line, counted within the range from 1 */
    zg_err err;        /* its sentence, without the line */
} range;

static void range_fail(range *r, enum line_err why)
{
    r->why = why;
    r->err_line = r->lines + 1;
    unsigned cur = atomic_load(r->failed);
    while (r->index < cur && !atomic_compare_exchange_weak(r->failed, &cur, r->index))
        ;
}

static int count_line(range *r, const char *line, size_t len)
{
    if (blank(line, len)) {
        r->lines++;
        return 0;
    }
    uint64_t n;
    if (memchr(line, 0, len)) {
        range_fail(r, LINE_NUL);
        return -1;
    }
    if (zg_token_count_row(r->t, line, len, &n, &r->err)) {
        range_fail(r, LINE_ROW);
        return -1;
    }
    r->tokens += n;
    r->rows += 1;
    r->lines++;
    return 0;
}

static ssize_t read_at(const range *r, char *buf, size_t n, uint64_t off)
{
    for (;;) {
        ssize_t got = r->seekable ? pread(r->fd, buf, n, (off_t)off) : read(r->fd, buf, n);
        if (got >= 0 || errno != EINTR)
            return got;
    }
}

static void count_range(range *r)
{
    char buf[65536];
    char *line = NULL;
    size_t len = 0, cap = 0;
    /* A range after the first starts one byte early: its first line is the
     * one after the first newline from there, which is the byte lo itself
     * when lo - 1 ends a line. */
    uint64_t pos = r->lo ? r->lo - 1 : 0;
    bool skip = r->lo > 0;
    for (;;) {
        if (atomic_load_explicit(r->failed, memory_order_relaxed) < r->index)
            goto out; /* an earlier range failed: its error is the one reported */
        ssize_t got = read_at(r, buf, sizeof buf, pos);
        if (got < 0) {
            zg_err_set(&r->err, errno, "cannot read %s: %s", r->path, strerror(errno));
            range_fail(r, LINE_IO);
            goto out;
        }
        if (got == 0)
            break;
        size_t i = 0, n = (size_t)got;
        if (skip) {
            char *nl = memchr(buf, '\n', n);
            if (!nl) {
                pos += n;
                continue;
            }
            i = (size_t)(nl - buf) + 1;
            skip = false;
        }
        while (i < n) {
            if (len == 0 && pos + i >= r->hi)
                goto out; /* this line starts in the next range */
            char *nl = memchr(buf + i, '\n', n - i);
            size_t take = (nl ? (size_t)(nl - buf) : n) - i;
            /* Whole lines inside the read buffer are counted in place; only
             * lines that straddle two reads are copied. */
            if (nl && len == 0) {
                if (count_line(r, buf + i, take))
                    goto out;
                i += take + 1;
                continue;
            }
            if (len + take > LINE_MAX_BYTES) {
                range_fail(r, LINE_LONG);
                goto out;
            }
            if (len + take > cap) {
                size_t nc = cap ? cap : 65536;
                while (nc < len + take)
                    nc *= 2;
                char *g = realloc(line, nc);
                if (!g) {
                    zg_err_set(&r->err, ENOMEM, "out of memory reading %s", r->path);
                    range_fail(r, LINE_IO);
                    goto out;
                }
                line = g;
                cap = nc;
            }
            memcpy(line + len, buf + i, take);
            len += take;
            i += take;
            if (nl) {
                if (count_line(r, line, len))
                    goto out;
                len = 0;
                i++;
            }
        }
        pos += n;
    }
    if (len)
        (void)count_line(r, line, len); /* the last line, with no newline */
out:
    free(line);
}

static void *range_thread(void *arg)
{
    count_range(arg);
    return NULL;
}

/* The CPUs this process may run on. */
static unsigned cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* The error of the earliest failing range, with its line in the file. */
static int report(const range *rs, unsigned n, zg_err *err)
{
    uint64_t before = 0;
    for (unsigned i = 0; i < n; i++) {
        const range *r = &rs[i];
        unsigned long long line = (unsigned long long)(before + r->err_line);
        switch (r->why) {
        case LINE_OK:
            before += r->lines;
            continue;
        case LINE_ROW:
            *err = r->err;
            return zg_err_prefix(err, "line %llu", line);
        case LINE_NUL:
            return zg_err_set(err, EINVAL, "line %llu contains a NUL byte; is this a text file?",
                              line);
        case LINE_LONG:
            return zg_err_set(err, EINVAL, "line %llu is longer than 16 MiB", line);
        case LINE_IO:
            *err = r->err;
            return -1;
        }
    }
    return 0;
}

int zg_token_count_dataset_threads(zg_tokenizer *t, const char *path, unsigned threads,
                                   uint64_t *tokens, uint64_t *rows, zg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return zg_err_set(err, e, "cannot read %s: %s", path, strerror(e));
    }
    bool seekable = S_ISREG(st.st_mode);
    uint64_t size = seekable ? (uint64_t)st.st_size : 0;
    unsigned n = threads ? threads : cpus();
    if (!threads && size / MIN_RANGE_BYTES + 1 < n)
        n = (unsigned)(size / MIN_RANGE_BYTES + 1);
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    if (!seekable || size < n)
        n = 1;
    range *rs = calloc(n, sizeof *rs);
    pthread_t *tid = calloc(n, sizeof *tid);
    bool *started = calloc(n, sizeof *started);
    zg_tokenizer **own = calloc(n, sizeof *own);
    _Atomic unsigned failed = n;
    int rc = -1;
    if (!rs || !tid || !started || !own) {
        zg_err_set(err, ENOMEM, "out of memory counting %s", path);
        goto out;
    }
    for (unsigned i = 0; i < n; i++)
        rs[i] = (range){.t = t,
                        .fd = fd,
                        .seekable = seekable,
                        .path = path,
                        .lo = size * i / n,
                        .hi = i + 1 < n ? size * (i + 1) / n : UINT64_MAX,
                        .index = i,
                        .failed = &failed};
    /* A range whose thread cannot start (no memory, thread limit) is
     * counted on this thread after the first: slower, same answer. */
    for (unsigned i = 1; i < n; i++) {
        zg_err ignore;
        if (zg_tokenizer_share(&own[i], t, &ignore))
            continue;
        rs[i].t = own[i];
        started[i] = pthread_create(&tid[i], NULL, range_thread, &rs[i]) == 0;
        if (!started[i]) {
            zg_tokenizer_free(own[i]);
            own[i] = NULL;
            rs[i].t = t;
        }
    }
    count_range(&rs[0]);
    for (unsigned i = 1; i < n; i++)
        if (!started[i])
            count_range(&rs[i]);
    for (unsigned i = 1; i < n; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
    if (report(rs, n, err))
        goto out;
    uint64_t sum = 0, nrows = 0;
    for (unsigned i = 0; i < n; i++) {
        sum += rs[i].tokens;
        nrows += rs[i].rows;
    }
    if (nrows == 0) {
        zg_err_set(err, EINVAL,
                   "%s is empty; a dataset is JSON lines such as "
                   "{\"instruction\":\"...\",\"input\":\"\",\"output\":\"...\"}",
                   path);
        goto out;
    }
    *tokens = sum;
    if (rows)
        *rows = nrows;
    rc = 0;
out:
    for (unsigned i = 0; own && i < n; i++)
        zg_tokenizer_free(own[i]);
    free(own);
    free(started);
    free(tid);
    free(rs);
    close(fd);
    return rc;
}

int zg_token_count_dataset(zg_tokenizer *t, const char *path, uint64_t *tokens, uint64_t *rows,
                           zg_err *err)
{
    return zg_token_count_dataset_threads(t, path, 0, tokens, rows, err);
}

int zg_token_epochs(const char *training_params, unsigned *epochs, zg_err *err)
{
    *epochs = DEFAULT_EPOCHS;
    if (!training_params || !training_params[0])
        return 0;
    cJSON *j = cJSON_Parse(training_params);
    int rc = 0;
    if (!cJSON_IsObject(j)) {
        rc = zg_err_set(err, EINVAL, "the training parameters are not a JSON object");
    } else {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "num_train_epochs");
        if (e) {
            double v = cJSON_IsNumber(e) ? e->valuedouble : -1;
            if (v < 1 || v > 1e6 || floor(v) != v)
                rc = zg_err_set(err, EINVAL, "num_train_epochs must be a positive integer");
            else
                *epochs = (unsigned)v;
        }
    }
    cJSON_Delete(j);
    return rc;
}

int zg_token_fee(zg_u256 *fee, uint64_t tokens, const zg_u256 *price_per_token, uint64_t epochs,
                 uint64_t coefficient, const zg_u256 *storage_fee, zg_err *err)
{
    zg_u256 a, b;
    bool of = zg_u256_mul_u64(&a, price_per_token, tokens);
    of |= zg_u256_mul_u64(&b, &a, epochs);
    of |= zg_u256_mul_u64(&a, &b, coefficient);
    if (storage_fee)
        of |= zg_u256_add(&a, &a, storage_fee);
    if (of)
        return zg_err_set(err, EOVERFLOW, "the fee does not fit in 256 bits");
    *fee = a;
    return 0;
}

int zg_token_estimate_fee(zg_tokenizer *t, const char *dataset_path, const char *training_params,
                          const zg_u256 *price_per_token, uint64_t coefficient,
                          const zg_u256 *storage_fee, zg_token_estimate *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    if (zg_token_epochs(training_params, &out->epochs, err) ||
        zg_token_count_dataset(t, dataset_path, &out->tokens, &out->rows, err))
        return -1;
    return zg_token_fee(&out->fee, out->tokens, price_per_token, out->epochs, coefficient,
                        storage_fee, err);
}
