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
#define MIN_THREAD_BYTES ((uint64_t)1 << 20)
#define MAX_THREADS      64
/* Chunks: enough per thread that the last one taken ends near the others
 * (the spread is about one chunk), big enough that finding each one's
 * first line (a read of at most one line from one byte early) is noise. */
#define CHUNKS_PER_THREAD 16
#define MIN_CHUNK_BYTES   ((uint64_t)64 << 10)

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

/* ---------------------------------------------------------------- chunks
 *
 * A dataset is counted in byte chunks: chunk i is [i*c, (i+1)*c) for a
 * chunk size c, and it counts the lines that START inside it, so a line
 * straddling two chunks belongs to the one where it begins and every line
 * is counted exactly once, whatever c is. The threads take chunks in file
 * order from a shared counter until none is left, so a thread that meets
 * cheaper text takes more of them and all finish together. The totals are
 * sums, so they do not depend on which thread counted what. Each thread
 * has its own tokenizer sharing the loaded model (zg_tokenizer_share) and
 * reads with pread, so memory is a read buffer, a line buffer and a word
 * cache per thread plus a few words per chunk, however large the file.
 * cJSON parses rows on several threads at once under its README's
 * conditions for that: nothing here reads cJSON_GetErrorPtr (the one
 * global its parser writes). */

/* What kind of sentence a chunk's first error makes. */
enum line_err { LINE_OK, LINE_ROW, LINE_NUL, LINE_LONG, LINE_IO };

typedef struct chunk {
    uint64_t lo, hi; /* count the lines that start in [lo, hi) */
    uint64_t tokens, rows;
    uint64_t lines;    /* lines finished (blank ones too) */
    enum line_err why; /* LINE_OK, or the first error: */
    uint64_t err_line; /* its line, counted within the chunk from 1 */
    zg_err err;        /* its sentence, without the line */
} chunk;

/* What the threads share: the file, the chunks and the counters. */
typedef struct job {
    int fd;
    bool seekable; /* regular file: pread from lo; else read() on from here */
    const char *path;
    chunk *chunks;
    unsigned n;
    _Atomic unsigned next;   /* the next chunk to take */
    _Atomic unsigned failed; /* lowest index of a chunk that failed (n: none) */
} job;

static void chunk_fail(job *j, unsigned i, enum line_err why)
{
    chunk *c = &j->chunks[i];
    c->why = why;
    c->err_line = c->lines + 1;
    unsigned cur = atomic_load(&j->failed);
    while (i < cur && !atomic_compare_exchange_weak(&j->failed, &cur, i))
        ;
}

static int count_line(job *j, unsigned i, zg_tokenizer *t, const char *line, size_t len)
{
    chunk *c = &j->chunks[i];
    if (blank(line, len)) {
        c->lines++;
        return 0;
    }
    uint64_t n;
    if (memchr(line, 0, len)) {
        chunk_fail(j, i, LINE_NUL);
        return -1;
    }
    if (zg_token_count_row(t, line, len, &n, &c->err)) {
        chunk_fail(j, i, LINE_ROW);
        return -1;
    }
    c->tokens += n;
    c->rows += 1;
    c->lines++;
    return 0;
}

static ssize_t read_at(const job *j, char *buf, size_t n, uint64_t off)
{
    for (;;) {
        ssize_t got = j->seekable ? pread(j->fd, buf, n, (off_t)off) : read(j->fd, buf, n);
        if (got >= 0 || errno != EINTR)
            return got;
    }
}

static void count_chunk(job *j, unsigned i, zg_tokenizer *t)
{
    chunk *c = &j->chunks[i];
    char buf[65536];
    char *line = NULL;
    size_t len = 0, cap = 0;
    /* A chunk after the first starts one byte early: its first line is the
     * one after the first newline from there, which is the byte lo itself
     * when lo - 1 ends a line. */
    uint64_t pos = c->lo ? c->lo - 1 : 0;
    bool skip = c->lo > 0;
    for (;;) {
        if (atomic_load_explicit(&j->failed, memory_order_relaxed) < i)
            goto out; /* an earlier chunk failed: its error is the one reported */
        ssize_t got = read_at(j, buf, sizeof buf, pos);
        if (got < 0) {
            zg_err_set(&c->err, errno, "cannot read %s: %s", j->path, strerror(errno));
            chunk_fail(j, i, LINE_IO);
            goto out;
        }
        if (got == 0)
            break;
        size_t k = 0, n = (size_t)got;
        if (skip) {
            char *nl = memchr(buf, '\n', n);
            if (!nl) {
                pos += n;
                if (pos >= c->hi)
                    goto out; /* no line starts in this chunk */
                continue;
            }
            k = (size_t)(nl - buf) + 1;
            skip = false;
        }
        while (k < n) {
            if (len == 0 && pos + k >= c->hi)
                goto out; /* this line starts in the next chunk */
            char *nl = memchr(buf + k, '\n', n - k);
            size_t take = (nl ? (size_t)(nl - buf) : n) - k;
            /* Whole lines inside the read buffer are counted in place; only
             * lines that straddle two reads are copied. */
            if (nl && len == 0) {
                if (count_line(j, i, t, buf + k, take))
                    goto out;
                k += take + 1;
                continue;
            }
            if (len + take > LINE_MAX_BYTES) {
                chunk_fail(j, i, LINE_LONG);
                goto out;
            }
            if (len + take > cap) {
                size_t nc = cap ? cap : 65536;
                while (nc < len + take)
                    nc *= 2;
                char *g = realloc(line, nc);
                if (!g) {
                    zg_err_set(&c->err, ENOMEM, "out of memory reading %s", j->path);
                    chunk_fail(j, i, LINE_IO);
                    goto out;
                }
                line = g;
                cap = nc;
            }
            memcpy(line + len, buf + k, take);
            len += take;
            k += take;
            if (nl) {
                if (count_line(j, i, t, line, len))
                    goto out;
                len = 0;
                k++;
            }
        }
        pos += n;
    }
    if (len)
        (void)count_line(j, i, t, line, len); /* the last line, with no newline */
out:
    free(line);
}

/* Take chunks in order until none is left, or one before the next failed. */
static void work(job *j, zg_tokenizer *t)
{
    for (;;) {
        unsigned i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n || i > atomic_load(&j->failed))
            return;
        count_chunk(j, i, t);
    }
}

typedef struct worker {
    job *j;
    zg_tokenizer *t;
    pthread_t tid;
    bool started;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    work(w->j, w->t);
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

/* The error of the earliest failing chunk, with its line in the file. */
static int report(const chunk *cs, unsigned n, zg_err *err)
{
    uint64_t before = 0;
    for (unsigned i = 0; i < n; i++) {
        const chunk *c = &cs[i];
        unsigned long long line = (unsigned long long)(before + c->err_line);
        switch (c->why) {
        case LINE_OK:
            before += c->lines;
            continue;
        case LINE_ROW:
            *err = c->err;
            return zg_err_prefix(err, "line %llu", line);
        case LINE_NUL:
            return zg_err_set(err, EINVAL, "line %llu contains a NUL byte; is this a text file?",
                              line);
        case LINE_LONG:
            return zg_err_set(err, EINVAL, "line %llu is longer than 16 MiB", line);
        case LINE_IO:
            *err = c->err;
            return -1;
        }
    }
    return 0;
}

uint64_t zg_token_chunk_bytes(uint64_t size, unsigned threads)
{
    if (threads <= 1)
        return size ? size : 1;
    uint64_t c = size / ((uint64_t)threads * CHUNKS_PER_THREAD);
    return c < MIN_CHUNK_BYTES ? MIN_CHUNK_BYTES : c;
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
    job j = {.fd = fd, .seekable = S_ISREG(st.st_mode), .path = path};
    uint64_t size = j.seekable ? (uint64_t)st.st_size : 0;
    unsigned n = threads ? threads : cpus();
    if (!threads && size / MIN_THREAD_BYTES + 1 < n)
        n = (unsigned)(size / MIN_THREAD_BYTES + 1);
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    if (!j.seekable || size < 2)
        n = 1;
    uint64_t csize = zg_token_chunk_bytes(size, n);
    j.n = (unsigned)((size + csize - 1) / csize);
    if (j.n == 0)
        j.n = 1;
    if (n > j.n)
        n = j.n;
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, j.n);
    j.chunks = calloc(j.n, sizeof *j.chunks);
    worker *ws = calloc(n, sizeof *ws);
    int rc = -1;
    if (!j.chunks || !ws) {
        zg_err_set(err, ENOMEM, "out of memory counting %s", path);
        goto out;
    }
    for (unsigned i = 0; i < j.n; i++) {
        j.chunks[i].lo = csize * i;
        j.chunks[i].hi = i + 1 < j.n ? csize * (i + 1) : UINT64_MAX;
    }
    /* A thread that cannot start (no memory, thread limit) leaves its share
     * to the others: slower, same answer. */
    for (unsigned i = 1; i < n; i++) {
        zg_err ignore;
        ws[i].j = &j;
        if (zg_tokenizer_share(&ws[i].t, t, &ignore))
            continue;
        ws[i].started = pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) == 0;
        if (!ws[i].started) {
            zg_tokenizer_free(ws[i].t);
            ws[i].t = NULL;
        }
    }
    work(&j, t);
    for (unsigned i = 1; i < n; i++)
        if (ws[i].started)
            pthread_join(ws[i].tid, NULL);
    if (report(j.chunks, j.n, err))
        goto out;
    uint64_t sum = 0, nrows = 0;
    for (unsigned i = 0; i < j.n; i++) {
        sum += j.chunks[i].tokens;
        nrows += j.chunks[i].rows;
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
    for (unsigned i = 1; ws && i < n; i++)
        zg_tokenizer_free(ws[i].t);
    free(ws);
    free(j.chunks);
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
