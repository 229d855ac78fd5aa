/* The libmicrohttpd glue: two daemons bound to 127.0.0.1 only (the
 * fine-tuning API and the inference API), one thread per connection (so a
 * stalled download or added latency never blocks other clients), bodies
 * buffered up to a per-route cap, the latency and 5xx fault knobs applied
 * before routing, and the reply helpers every route uses. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "prov.h"

#define BODY_MAX_DEFAULT ((size_t)4 << 20)
#define BODY_MAX_DATASET (((size_t)100 << 20) + ((size_t)1 << 20))

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    prov_srv *srv = cls;
    prov_req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->ctx = srv->ctx;
        r->conn = conn;
        r->port = (enum prov_port)srv->port;
        snprintf(r->method, sizeof r->method, "%s", method);
        r->url = strdup(url);
        bool upload = strcmp(method, "POST") == 0 && ends_with(url, "/dataset");
        zg_buf_init(&r->body, upload ? BODY_MAX_DATASET : BODY_MAX_DEFAULT);
        *con_cls = r;
        if (!r->url)
            return MHD_NO;
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* Keep reading past the cap (so the client sees an answer, not a
         * reset) but stop storing. */
        if (!r->too_big && zg_buf_append(&r->body, upload_data, *upload_data_size, NULL)) {
            r->too_big = true;
            zg_buf_free(&r->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    prov_ctx *ctx = r->ctx;
    if (strncmp(r->url, "/admin/", 7) != 0) {
        if (ctx->cfg.latency_ms)
            sleep_ms(ctx, ctx->cfg.latency_ms);
        if (fault_fail_now(ctx)) {
            plog("fault: 503 for %s %s", r->method, r->url);
            return reply_error(r, 503, "Service Unavailable") ? MHD_YES : MHD_NO;
        }
    }
    int rc = r->port == PORT_FT ? ft_route(r) : inf_route(r);
    return rc ? MHD_YES : MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    prov_req *r = *con_cls;
    if (!r)
        return;
    /* What a client that stops an upload before its end leaves here (the
     * tests look for it): the request never reached a handler. */
    if (toe == MHD_REQUEST_TERMINATED_READ_ERROR || toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT)
        plog("%s %s: the client went away before the request's end (%zu body bytes received)",
             r->method, r->url, r->body.len);
    zg_buf_free(&r->body);
    free(r->url);
    free(r);
    *con_cls = NULL;
}

static unsigned url_port(const char *url)
{
    const char *p = strstr(url, "//");
    p = p ? p + 2 : url;
    const char *c = strrchr(p, ':');
    if (!c)
        return 0;
    long v = strtol(c + 1, NULL, 10);
    return v > 0 && v < 65536 ? (unsigned)v : 0;
}

static struct MHD_Daemon *start_one(prov_ctx *ctx, prov_srv *srv, unsigned port, zg_err *err)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
            MHD_USE_ITC,
        (uint16_t)port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300, MHD_OPTION_LISTENING_ADDRESS_REUSE,
        (unsigned)1, MHD_OPTION_END);
    if (!d)
        zg_err_set(err, EADDRINUSE, "cannot listen on 127.0.0.1:%u", port);
    return d;
}

int http_start(prov_ctx *ctx, zg_err *err)
{
    ctx->srv[0].ctx = ctx;
    ctx->srv[0].port = PORT_FT;
    ctx->srv[1].ctx = ctx;
    ctx->srv[1].port = PORT_INF;
    ctx->ft_d = start_one(ctx, &ctx->srv[0], ctx->ft_port, err);
    if (!ctx->ft_d)
        return -1;
    ctx->inf_d = start_one(ctx, &ctx->srv[1], ctx->inf_port, err);
    if (!ctx->inf_d) {
        MHD_stop_daemon(ctx->ft_d);
        ctx->ft_d = NULL;
        return -1;
    }
    return 0;
}

void http_stop(prov_ctx *ctx)
{
    if (ctx->ft_d)
        MHD_stop_daemon(ctx->ft_d);
    if (ctx->inf_d)
        MHD_stop_daemon(ctx->inf_d);
    ctx->ft_d = ctx->inf_d = NULL;
}

unsigned http_url_port(const char *url)
{
    return url_port(url);
}

static int queue(prov_req *r, unsigned status, struct MHD_Response *resp)
{
    if (!resp)
        return 0;
    enum MHD_Result ok = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ok == MHD_YES;
}

int reply_bytes(prov_req *r, unsigned status, const char *ctype, const void *data, size_t len,
                const char *disposition)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return 0;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (disposition)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    return queue(r, status, resp);
}

int reply_text(prov_req *r, unsigned status, const char *ctype, const char *text)
{
    return reply_bytes(r, status, ctype, text, strlen(text), NULL);
}

int reply_json(prov_req *r, unsigned status, cJSON *body)
{
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (!text)
        return 0;
    int rc = reply_text(r, status, "application/json; charset=utf-8", text);
    free(text);
    return rc;
}

static const char *reason(unsigned status)
{
    switch (status) {
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Server Error";
    }
}

int reply_error(prov_req *r, unsigned status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *j = cJSON_CreateObject();
    /* The newest provider hides the text of server errors behind the reason
     * phrase (docs/protocol.md §P2.13); the detail goes to our log. */
    if (status >= 500 && r->port == PORT_FT) {
        if (strcmp(msg, reason(status)) != 0)
            plog("%s %s -> %u: %s", r->method, r->url, status, msg);
        cJSON_AddStringToObject(j, "error", reason(status));
    } else {
        cJSON_AddStringToObject(j, "error", msg);
    }
    return reply_json(r, status, j);
}

const char *req_header(prov_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_query(prov_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* ------------------------------------------------------------ file serving */

struct file_stream {
    prov_ctx *ctx;
    int fd;
    uint64_t start; /* first file offset served */
    bool stalled;   /* the stall fault fired already for this response */
};

static ssize_t file_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct file_stream *fs = cls;
    uint64_t off = fs->start + pos;
    const prov_cfg *cfg = &fs->ctx->cfg;
    /* A response that starts at or past the stall point (a resumed
     * download) is never stalled: that is what lets clients resume. */
    if (cfg->stall_ms && cfg->stall_after != (uint64_t)-1 && !fs->stalled &&
        fs->start < cfg->stall_after) {
        if (off >= cfg->stall_after) {
            plog("fault: LoRA download stalls at byte %llu for %ld ms", (unsigned long long)off,
                 cfg->stall_ms);
            fs->stalled = true;
            if (!sleep_ms(fs->ctx, cfg->stall_ms))
                return MHD_CONTENT_READER_END_WITH_ERROR;
        } else if (off + max > cfg->stall_after) {
            max = (size_t)(cfg->stall_after - off); /* send up to the stall point first */
        }
    }
    ssize_t n;
    do
        n = pread(fs->fd, buf, max, (off_t)off);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return n;
}

static void file_free(void *cls)
{
    struct file_stream *fs = cls;
    close(fs->fd);
    free(fs);
}

/* Parse "bytes=a-b", "bytes=a-", "bytes=-n" against size; false if unsatisfiable. */
static bool parse_range(const char *h, uint64_t size, uint64_t *a, uint64_t *b)
{
    if (strncasecmp(h, "bytes=", 6) != 0 || strchr(h, ','))
        return false;
    const char *p = h + 6;
    char *end;
    if (*p == '-') {
        unsigned long long n = strtoull(p + 1, &end, 10);
        if (*end || n == 0 || size == 0)
            return false;
        *a = n >= size ? 0 : size - n;
        *b = size - 1;
        return true;
    }
    unsigned long long x = strtoull(p, &end, 10);
    if (end == p || *end != '-')
        return false;
    p = end + 1;
    unsigned long long y = size ? size - 1 : 0;
    if (*p) {
        y = strtoull(p, &end, 10);
        if (*end)
            return false;
        if (y >= size)
            y = size - 1;
    }
    if (x >= size || y < x)
        return false;
    *a = x;
    *b = y;
    return true;
}

int reply_attachment(prov_req *r, const char *ctype, const void *data, size_t len,
                     const char *disposition)
{
    const char *range = req_header(r, MHD_HTTP_HEADER_RANGE);
    uint64_t a = 0, b = 0;
    char cr[96];
    if (!range)
        return reply_bytes(r, 200, ctype, data, len, disposition);
    if (!parse_range(range, len, &a, &b)) {
        snprintf(cr, sizeof cr, "bytes */%zu", len);
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return 0;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
        return queue(r, 416, resp);
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        (size_t)(b - a + 1), (void *)((const uint8_t *)data + a), MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return 0;
    snprintf(cr, sizeof cr, "bytes %llu-%llu/%zu", (unsigned long long)a, (unsigned long long)b,
             len);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
    if (disposition)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    return queue(r, 206, resp);
}

int reply_file(prov_req *r, const char *path, const char *disposition)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        if (fd >= 0)
            close(fd);
        return reply_error(r, 503, "artifact %s is missing: %s", path, strerror(errno));
    }
    uint64_t size = (uint64_t)st.st_size, a = 0, b = size ? size - 1 : 0;
    unsigned status = 200;
    const char *range = req_header(r, MHD_HTTP_HEADER_RANGE);
    if (range) {
        if (!parse_range(range, size, &a, &b)) {
            close(fd);
            char cr[64];
            snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)size);
            struct MHD_Response *resp =
                MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
            return queue(r, 416, resp);
        }
        status = 206;
    }
    struct file_stream *fs = calloc(1, sizeof *fs);
    if (!fs) {
        close(fd);
        return 0;
    }
    fs->ctx = r->ctx;
    fs->fd = fd;
    fs->start = a;
    uint64_t len = size ? b - a + 1 : 0;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(len, 64 * 1024, file_reader, fs, file_free);
    if (!resp) {
        file_free(fs);
        return 0;
    }
    char lm[64], cr[96];
    struct tm tm;
    gmtime_r(&st.st_mtime, &tm);
    strftime(lm, sizeof lm, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    MHD_add_response_header(resp, "Content-Description", "File Transfer");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lm);
    if (disposition)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    if (status == 206) {
        snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)a,
                 (unsigned long long)b, (unsigned long long)size);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
    }
    return queue(r, status, resp);
}
