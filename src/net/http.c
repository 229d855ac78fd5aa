#include "zg/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define POOL_MAX 16

struct zg_http {
    zg_http_opts opts;
    pthread_mutex_t lock; /* guards pool[] and npool */
    CURL *pool[POOL_MAX];
    int npool;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

/* curl_global_init is not thread-safe; run it exactly once per process. */
static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int zg_http_new(zg_http **out, const zg_http_opts *opts, zg_err *err)
{
    pthread_once(&global_once, global_init);
    zg_http *h = calloc(1, sizeof *h);
    if (!h)
        return zg_err_set(err, ENOMEM, "out of memory");
    h->opts.connect_timeout_ms = 5000;
    h->opts.idle_timeout_s = 30;
    h->opts.max_retries = 3;
    h->opts.backoff_ms = 200;
    h->opts.max_body = 64u << 20;
    if (opts) {
        if (opts->connect_timeout_ms)
            h->opts.connect_timeout_ms = opts->connect_timeout_ms;
        h->opts.timeout_ms = opts->timeout_ms;
        if (opts->idle_timeout_s)
            h->opts.idle_timeout_s = opts->idle_timeout_s;
        if (opts->max_retries >= 0)
            h->opts.max_retries = opts->max_retries;
        if (opts->backoff_ms)
            h->opts.backoff_ms = opts->backoff_ms;
        if (opts->max_body)
            h->opts.max_body = opts->max_body;
    }
    pthread_mutex_init(&h->lock, NULL);
    *out = h;
    return 0;
}

void zg_http_free(zg_http *h)
{
    if (!h)
        return;
    for (int i = 0; i < h->npool; i++)
        curl_easy_cleanup(h->pool[i]);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

void zg_http_resp_init(zg_http_resp *r)
{
    memset(r, 0, sizeof *r);
    zg_buf_init(&r->body, 0);
    r->content_length = -1;
    r->range_total = -1;
}

void zg_http_resp_free(zg_http_resp *r)
{
    zg_buf_free(&r->body);
    free(r->header);
    r->header = NULL;
}

static CURL *take_handle(zg_http *h)
{
    CURL *c = NULL;
    pthread_mutex_lock(&h->lock);
    if (h->npool > 0)
        c = h->pool[--h->npool];
    pthread_mutex_unlock(&h->lock);
    if (c)
        curl_easy_reset(c);
    else
        c = curl_easy_init();
    return c;
}

static void give_handle(zg_http *h, CURL *c)
{
    pthread_mutex_lock(&h->lock);
    if (h->npool < POOL_MAX) {
        h->pool[h->npool++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&h->lock);
    if (c)
        curl_easy_cleanup(c);
}

struct xfer {
    const zg_http_req *req;
    zg_http_resp *resp;
    size_t max_body;
    bool too_big;
    bool sink_failed;
    bool range_ignored;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct xfer *x = ud;
    size_t len = size * n;
    /* Only 2xx bodies go to a sink; an error body is kept for its message. */
    /* A server that ignores the Range sends the file from its start: those
     * bytes must never reach a sink that appends at the range's offset. */
    if (x->req->sink && x->req->range_from && x->resp->status == 200) {
        x->range_ignored = true;
        return 0;
    }
    if (x->req->sink && x->resp->status / 100 == 2) {
        if (x->req->sink(x->req->sink_ctx, p, len)) {
            x->sink_failed = true;
            return 0;
        }
        return len;
    }
    if (x->resp->body.len + len > x->max_body) {
        x->too_big = true;
        return 0;
    }
    if (zg_buf_append(&x->resp->body, p, len, NULL))
        return 0;
    return len;
}

/* The complete length N of a Content-Range value "bytes A-B/N" (a 416
 * answer has an asterisk for A-B); -1 when it has none (RFC 9110 section
 * 14.4 lets N be an asterisk too). */
static long long range_total(const char *p, size_t len)
{
    const char *slash = memchr(p, '/', len);
    if (!slash || slash + 1 >= p + len || slash[1] < '0' || slash[1] > '9')
        return -1;
    char num[24];
    size_t n = 0;
    for (const char *q = slash + 1; q < p + len && *q >= '0' && *q <= '9'; q++)
        if (n < sizeof num - 1)
            num[n++] = *q;
        else
            return -1;
    num[n] = 0;
    return strtoll(num, NULL, 10);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct xfer *x = ud;
    size_t len = size * n;
    if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* A new status line (redirect or 100-continue) starts a fresh response. */
        const char *sp = memchr(p, ' ', len);
        x->resp->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        x->resp->content_type[0] = 0;
        x->resp->content_length = -1;
        x->resp->range_total = -1;
    } else if (len > 13 && strncasecmp(p, "content-type:", 13) == 0) {
        size_t i = 13;
        while (i < len && p[i] == ' ')
            i++;
        size_t m = len - i;
        while (m && (p[i + m - 1] == '\r' || p[i + m - 1] == '\n'))
            m--;
        if (m >= sizeof x->resp->content_type)
            m = sizeof x->resp->content_type - 1;
        memcpy(x->resp->content_type, p + i, m);
        x->resp->content_type[m] = 0;
    } else if (len > 15 && strncasecmp(p, "content-length:", 15) == 0) {
        x->resp->content_length = strtoll(p + 15, NULL, 10);
    } else if (len > 14 && strncasecmp(p, "content-range:", 14) == 0) {
        x->resp->range_total = range_total(p + 14, len - 14);
    } else if (x->req->capture_header) {
        size_t k = strlen(x->req->capture_header);
        if (len > k && p[k] == ':' && strncasecmp(p, x->req->capture_header, k) == 0) {
            size_t i = k + 1, m;
            while (i < len && p[i] == ' ')
                i++;
            for (m = len - i; m && (p[i + m - 1] == '\r' || p[i + m - 1] == '\n'); m--)
                ;
            char *v = strndup(p + i, m);
            if (v) {
                free(x->resp->header);
                x->resp->header = v;
            }
        }
    }
    return len;
}

static int curl_errno(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        return ECONNREFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return EHOSTUNREACH;
    case CURLE_OPERATION_TIMEDOUT:
        return ETIMEDOUT;
    case CURLE_OUT_OF_MEMORY:
        return ENOMEM;
    default:
        return EIO;
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* A file part whose bytes wait for a gate (zg_http_part.gate). Freed by
 * curl with its mime part; `stopped` is read before that. */
typedef struct gated {
    int fd;
    uint64_t size, off;
    int (*gate)(void *ctx, uint64_t end);
    void *ctx;
    bool *stopped;
} gated;

static size_t gated_read(char *out, size_t size, size_t nitems, void *arg)
{
    gated *g = arg;
    size_t want = size * nitems;
    if (g->off >= g->size)
        return 0;
    if (want > g->size - g->off)
        want = (size_t)(g->size - g->off);
    if (g->gate(g->ctx, g->off + want)) {
        *g->stopped = true;
        return CURL_READFUNC_ABORT;
    }
    ssize_t n;
    do
        n = pread(g->fd, out, want, (off_t)g->off);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return CURL_READFUNC_ABORT; /* the file shrank or failed: no partial body */
    g->off += (uint64_t)n;
    return (size_t)n;
}

static int gated_seek(void *arg, curl_off_t offset, int origin)
{
    gated *g = arg;
    if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > g->size)
        return CURL_SEEKFUNC_CANTSEEK;
    g->off = (uint64_t)offset;
    return CURL_SEEKFUNC_OK;
}

static void gated_free(void *arg)
{
    gated *g = arg;
    close(g->fd);
    free(g);
}

/* Attach pt's file to mp through its gate. */
static int gated_part(curl_mimepart *mp, const zg_http_part *pt, bool *stopped, zg_err *err)
{
    gated *g = calloc(1, sizeof *g);
    if (!g)
        return zg_err_set(err, ENOMEM, "out of memory");
    struct stat st;
    g->fd = open(pt->file_path, O_RDONLY | O_CLOEXEC);
    if (g->fd < 0 || fstat(g->fd, &st)) {
        int e = errno;
        if (g->fd >= 0)
            close(g->fd);
        free(g);
        return zg_err_set(err, e, "cannot read %s for upload: %s", pt->file_path, strerror(e));
    }
    g->size = (uint64_t)st.st_size;
    g->gate = pt->gate;
    g->ctx = pt->gate_ctx;
    g->stopped = stopped;
    if (curl_mime_data_cb(mp, (curl_off_t)g->size, gated_read, gated_seek, gated_free, g) !=
        CURLE_OK) {
        gated_free(g);
        return zg_err_set(err, ENOMEM, "cannot stream %s", pt->file_path);
    }
    return 0;
}

static int do_once(zg_http *h, CURL *c, const zg_http_req *req, zg_http_resp *resp, zg_err *err)
{
    bool stopped = false; /* a gate stopped the upload */
    struct curl_slist *hdrs = NULL;
    curl_mime *mime = NULL;
    struct xfer x = {req, resp, h->opts.max_body, false, false, false};
    char range[64];
    int rc = -1;

    zg_buf_reset(&resp->body);
    resp->status = 0;
    resp->content_type[0] = 0;
    resp->content_length = -1;
    resp->range_total = -1;

    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->opts.connect_timeout_ms);
    long total = req->timeout_ms ? req->timeout_ms : h->opts.timeout_ms;
    if (total)
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->opts.idle_timeout_s);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    for (const char *const *hp = req->headers; hp && *hp; hp++)
        hdrs = curl_slist_append(hdrs, *hp);
    /* An explicit header: CURLOPT_RANGE turns into Content-Range on a POST
     * (the LoRA download is one), which no server reads as a range. */
    if (req->range_from) {
        snprintf(range, sizeof range, "Range: bytes=%s", req->range_from); /* "N-", "A-B" */
        hdrs = curl_slist_append(hdrs, range);
    }
    /* curl sends "Expect: 100-continue" for large bodies, costing a round trip. */
    hdrs = curl_slist_append(hdrs, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

    if (req->nparts) {
        mime = curl_mime_init(c);
        for (size_t i = 0; i < req->nparts; i++) {
            const zg_http_part *pt = &req->parts[i];
            curl_mimepart *mp = curl_mime_addpart(mime);
            curl_mime_name(mp, pt->name);
            if (pt->file_path && pt->gate) {
                if (gated_part(mp, pt, &stopped, err))
                    goto out;
                if (pt->filename)
                    curl_mime_filename(mp, pt->filename);
            } else if (pt->file_path) {
                if (curl_mime_filedata(mp, pt->file_path) != CURLE_OK) {
                    zg_err_set(err, EIO, "cannot read %s for upload", pt->file_path);
                    goto out;
                }
                if (pt->filename)
                    curl_mime_filename(mp, pt->filename);
            } else {
                curl_mime_data(mp, pt->value ? pt->value : "", CURL_ZERO_TERMINATED);
            }
            if (pt->content_type)
                curl_mime_type(mp, pt->content_type);
        }
        curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    } else if (req->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    if (req->method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);

    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        if (stopped)
            zg_err_set(err, ECANCELED, "the upload to %s was stopped before its end", req->url);
        else if (x.too_big)
            zg_err_set(err, EFBIG, "answer from %s is larger than %zu bytes", req->url,
                       h->opts.max_body);
        else if (x.range_ignored)
            zg_err_set(err, EPROTO, "%s ignored the byte range of a resumed download", req->url);
        else if (x.sink_failed)
            zg_err_set(err, EIO, "writing the download from %s failed", req->url);
        else if (cc == CURLE_OPERATION_TIMEDOUT)
            zg_err_set(err, ETIMEDOUT, "%s did not answer in time", req->url);
        else
            zg_err_set(err, curl_errno(cc), "cannot reach %s: %s", req->url,
                       curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    rc = 0;
out:
    curl_slist_free_all(hdrs);
    if (mime)
        curl_mime_free(mime);
    return rc;
}

long zg_http_timeout_ms(const zg_http *h)
{
    return h->opts.timeout_ms;
}

int zg_http_do(zg_http *h, const zg_http_req *req, zg_http_resp *resp, zg_err *err)
{
    CURL *c = take_handle(h);
    if (!c)
        return zg_err_set(err, ENOMEM, "cannot create an HTTP handle");
    long backoff = h->opts.backoff_ms;
    int tries = req->idempotent ? h->opts.max_retries + 1 : 1;
    int rc = -1;
    for (int i = 0; i < tries; i++) {
        zg_err e = {0};
        rc = do_once(h, c, req, resp, &e);
        bool transient = rc != 0 ? (e.code == ECONNREFUSED || e.code == ETIMEDOUT ||
                                    e.code == EHOSTUNREACH || e.code == EIO)
                                 : resp->status >= 500;
        /* A streamed body cannot be replayed into the sink from the start. */
        if (req->sink && rc != 0)
            transient = false;
        if (!transient || i == tries - 1) {
            if (rc != 0 && err)
                *err = e;
            break;
        }
        sleep_ms(backoff + (long)(rand() % 50));
        backoff *= 2;
    }
    give_handle(h, c);
    return rc;
}
