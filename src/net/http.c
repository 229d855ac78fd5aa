#include "zg/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zg/wait.h"

#define POOL_MAX 16
/* A streamed body's receive buffer (libcurl allows up to CURL_MAX_READ_SIZE). */
#define SINK_BUFFER (512L * 1024)

/* An easy handle runs on a multi handle of its own, so a transfer can be
 * looked at between slices of its wait (perform); the multi handle keeps
 * the connections for the next request. Never shared between threads. */
typedef struct handle {
    CURL *c;
    CURLM *m;
} handle;

struct zg_http {
    zg_http_opts opts;
    pthread_mutex_t lock; /* guards pool[] and npool */
    handle pool[POOL_MAX];
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
    for (int i = 0; i < h->npool; i++) {
        curl_multi_cleanup(h->pool[i].m);
        curl_easy_cleanup(h->pool[i].c);
    }
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

static void handle_free(handle *hd)
{
    if (hd->m)
        curl_multi_cleanup(hd->m);
    if (hd->c)
        curl_easy_cleanup(hd->c);
    hd->m = NULL;
    hd->c = NULL;
}

static int take_handle(zg_http *h, handle *hd)
{
    bool pooled = false;
    pthread_mutex_lock(&h->lock);
    if (h->npool > 0) {
        *hd = h->pool[--h->npool];
        pooled = true;
    }
    pthread_mutex_unlock(&h->lock);
    if (pooled) {
        curl_easy_reset(hd->c);
        return 0;
    }
    hd->c = curl_easy_init();
    hd->m = curl_multi_init();
    if (!hd->c || !hd->m) {
        handle_free(hd);
        return -1;
    }
    return 0;
}

static void give_handle(zg_http *h, handle *hd)
{
    pthread_mutex_lock(&h->lock);
    if (h->npool < POOL_MAX) {
        h->pool[h->npool++] = *hd;
        hd->c = NULL;
        hd->m = NULL;
    }
    pthread_mutex_unlock(&h->lock);
    handle_free(hd);
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

/* The one place a failed transfer becomes an errno. The network errnos
 * say what the peer did (refused, went silent, cut the connection, cannot
 * be found), so callers keep them; EIO is not among them: zgfs keeps it
 * for verification failures. os_errno is what the socket reported
 * (CURLINFO_OS_ERRNO), which tells a refusal from an unreachable host. */
int zg_http_errno(int curl_code, long os_errno)
{
    switch ((CURLcode)curl_code) {
    case CURLE_OK:
        return 0;
    case CURLE_COULDNT_CONNECT:
        switch (os_errno) {
        case EHOSTUNREACH:
        case ENETUNREACH:
        case ENETDOWN:
        case EHOSTDOWN:
        case EADDRNOTAVAIL:
            return EHOSTUNREACH;
        case ETIMEDOUT:
            return ETIMEDOUT;
        default:
            return ECONNREFUSED;
        }
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return EHOSTUNREACH;
    case CURLE_OPERATION_TIMEDOUT:
        return ETIMEDOUT;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2_STREAM:
        return os_errno == ETIMEDOUT ? ETIMEDOUT : ECONNRESET;
    case CURLE_SSL_CONNECT_ERROR:
        return os_errno == ECONNRESET ? ECONNRESET : EPROTO;
    case CURLE_ABORTED_BY_CALLBACK:
        return EINTR;
    case CURLE_OUT_OF_MEMORY:
        return ENOMEM;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return EINVAL;
    case CURLE_FAILED_INIT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
        return EIO; /* a bug here, not the network */
    default:
        /* The peer's side of the exchange went wrong in some other way
         * (TLS, a malformed answer, too many redirects). */
        return EPROTO;
    }
}

/* Errnos worth asking again for a request that is safe to repeat: the
 * peer was not there or cut us off. A peer that stayed silent for the
 * whole time-out is not asked again: the time is spent. */
static bool transient(int code)
{
    return code == ECONNREFUSED || code == EHOSTUNREACH || code == ECONNRESET;
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

/* Run the transfer on the handle's multi stack, looking at the wait
 * between slices of at most two ZG_WAIT_SLICE_MS: a stopped wait ends it
 * promptly in any phase (resolving, connecting, waiting for an answer). */
static CURLcode perform(handle *hd, const zg_wait *w, bool *interrupted)
{
    if (curl_multi_add_handle(hd->m, hd->c) != CURLM_OK)
        return CURLE_FAILED_INIT;
    CURLcode rc = CURLE_OK;
    for (;;) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(hd->m, &running);
        if (mc != CURLM_OK) {
            rc = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
            break;
        }
        if (!running) {
            int queued;
            CURLMsg *msg;
            while ((msg = curl_multi_info_read(hd->m, &queued)))
                if (msg->msg == CURLMSG_DONE && msg->easy_handle == hd->c)
                    rc = msg->data.result;
            break;
        }
        if (zg_wait_stopped(w)) {
            *interrupted = true;
            rc = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        mc = curl_multi_poll(hd->m, NULL, 0, 2 * ZG_WAIT_SLICE_MS, NULL);
        if (mc != CURLM_OK) {
            rc = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
            break;
        }
    }
    curl_multi_remove_handle(hd->m, hd->c);
    return rc;
}

static int do_once(zg_http *h, handle *hd, const zg_http_req *req, zg_http_resp *resp,
                   const zg_wait *w, zg_err *err)
{
    CURL *c = hd->c;
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
    /* The request's own time-out, cut to what is left of the wait's. A
     * streamed body (a download into a sink, an upload from files) is
     * bounded by silence (the idle time-out), not by its length. */
    long total = req->timeout_ms            ? req->timeout_ms
                 : req->sink || req->nparts ? 0
                                            : h->opts.timeout_ms;
    long left = zg_wait_left_ms(w);
    if (left >= 0 && (total == 0 || left < total))
        total = left > 0 ? left : 1;
    if (total)
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, h->opts.idle_timeout_s);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    /* A streamed body (a model, a dataset) is taken 512 KiB per recv
     * instead of libcurl's 16 KiB: the receiving thread of a gigabyte took
     * 0.4 CPU s instead of 0.9, on the core it shares with the writing
     * and the hashing (measured by the workflow bench). libcurl
     * passes on what each recv returns, so nothing waits for a fill. */
    if (req->sink)
        curl_easy_setopt(c, CURLOPT_BUFFERSIZE, SINK_BUFFER);
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

    bool interrupted = false;
    CURLcode cc = perform(hd, w, &interrupted);
    if (cc != CURLE_OK) {
        long os_errno = 0;
        curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
        if (interrupted)
            zg_err_set(err, EINTR, "interrupted while waiting for %s", req->url);
        else if (stopped)
            zg_err_set(err, ECANCELED, "the upload to %s was stopped before its end", req->url);
        else if (x.too_big)
            zg_err_set(err, EFBIG, "answer from %s is larger than %zu bytes", req->url,
                       h->opts.max_body);
        else if (x.range_ignored)
            zg_err_set(err, EPROTO, "%s ignored the byte range of a resumed download", req->url);
        else if (x.sink_failed)
            zg_err_set(err, EIO, "writing the download from %s failed", req->url);
        else if (cc == CURLE_OPERATION_TIMEDOUT && total)
            zg_err_set(err, ETIMEDOUT, "%s did not answer within %ld s", req->url,
                       (total + 999) / 1000);
        else if (cc == CURLE_OPERATION_TIMEDOUT)
            zg_err_set(err, ETIMEDOUT, "%s sent nothing for %ld s", req->url,
                       h->opts.idle_timeout_s);
        else {
            int code = zg_http_errno(cc, os_errno);
            char why[160];
            snprintf(why, sizeof why, "%s%s%s", curl_easy_strerror(cc), os_errno ? ": " : "",
                     os_errno ? strerror((int)os_errno) : "");
            if (code == ECONNREFUSED || code == EHOSTUNREACH)
                zg_err_set(err, code, "cannot reach %s: %s", req->url, why);
            else if (code == ECONNRESET)
                zg_err_set(err, code, "%s cut the connection before its answer was whole: %s",
                           req->url, why);
            else
                zg_err_set(err, code, "%s: %s", req->url, why);
        }
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
    const zg_wait *w = zg_wait_current();
    if (zg_wait_check(w, err))
        return -1;
    handle hd;
    if (take_handle(h, &hd))
        return zg_err_set(err, ENOMEM, "cannot create an HTTP handle");
    long backoff = h->opts.backoff_ms;
    int tries = req->idempotent ? h->opts.max_retries + 1 : 1;
    int rc = -1;
    for (int i = 0; i < tries; i++) {
        zg_err e = {0};
        rc = do_once(h, &hd, req, resp, w, &e);
        bool again = rc != 0 ? transient(e.code) : resp->status >= 500;
        /* A streamed body cannot be replayed into the sink from the start. */
        if (req->sink && rc != 0)
            again = false;
        /* Never sleep past the wait's deadline: the last answer stands. */
        long pause = backoff + (long)(rand() % 50);
        long left = zg_wait_left_ms(w);
        if (left >= 0 && left <= pause)
            again = false;
        if (!again || i == tries - 1) {
            if (rc != 0 && err)
                *err = e;
            break;
        }
        if (zg_wait_sleep(w, pause, &e)) {
            /* Stopped while backing off: that is the outcome now. */
            if (err)
                *err = e;
            rc = -1;
            break;
        }
        backoff *= 2;
    }
    give_handle(h, &hd);
    return rc;
}
