/* HTTP client over libcurl: connection reuse through a small pool of easy
 * handles (an easy handle is never shared between threads), timeouts on
 * connect and on idle transfers, and bounded retries with backoff on
 * transport errors and 5xx answers for requests that are safe to repeat.
 *
 * Every request observes the calling thread's wait descriptor (zg/wait.h,
 * zg_wait_current): a stopped wait ends the transfer within a slice with
 * EINTR, and no request or retry runs past the wait's deadline. */
#ifndef ZG_HTTP_H
#define ZG_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "zg/buf.h"
#include "zg/err.h"

typedef struct zg_http zg_http;

typedef struct zg_http_opts {
    long connect_timeout_ms; /* default 5000 */
    long timeout_ms;         /* whole request; 0 = none; not for streamed bodies (sink, parts) */
    long idle_timeout_s;     /* abort when under 1 byte/s for this long; default 30 */
    int max_retries;         /* default 3 */
    long backoff_ms;         /* first backoff, doubled each retry; default 200 */
    size_t max_body;         /* cap on a buffered response; default 64 MiB */
} zg_http_opts;

/* Create a client; opts may be NULL for the defaults. Free with zg_http_free. */
int zg_http_new(zg_http **out, const zg_http_opts *opts, zg_err *err);
void zg_http_free(zg_http *h);
/* The whole-request time-out a request gets unless it sets its own (0 = none). */
long zg_http_timeout_ms(const zg_http *h);

/* Called with each chunk of a streamed response body; return 0 to go on,
 * -1 to abort the transfer (the request then fails with the sink's err). */
typedef int (*zg_http_sink)(void *ctx, const void *data, size_t len);

typedef struct zg_http_req {
    const char *method; /* "GET", "POST"; default GET, or POST when body set */
    const char *url;
    const char *const *headers; /* NULL-terminated "Name: value" list, may be NULL */
    const void *body;
    size_t body_len;
    bool idempotent;        /* may be retried on transport errors and 5xx */
    long timeout_ms;        /* overrides the client's when non-zero */
    const char *range_from; /* "N-" or "A-B" -> header Range: bytes=... (any method) */
    zg_http_sink sink;      /* stream the body here instead of buffering it */
    void *sink_ctx;
    /* multipart/form-data: parts appended in order; file parts stream from disk */
    const struct zg_http_part *parts;
    size_t nparts;
    /* The value of this response header ("Name", any case) is kept in
     * resp->header (the last one when repeated); NULL keeps none. */
    const char *capture_header;
} zg_http_req;

typedef struct zg_http_part {
    const char *name;
    const char *value;     /* text part, or NULL when file_path is set */
    const char *file_path; /* file part streamed from disk */
    const char *filename;  /* file name sent for a file part */
    const char *content_type;
    /* File parts: when set, the bytes [0, end) of the file are sent only
     * once gate(gate_ctx, end) returned 0 (it may block until then); -1
     * stops the request before the part's end (ECANCELED), so the server
     * never receives the whole body. */
    int (*gate)(void *gate_ctx, uint64_t end);
    void *gate_ctx;
} zg_http_part;

typedef struct zg_http_resp {
    long status;
    zg_buf body; /* buffered body unless a sink was given; owned, zg_http_resp_free */
    char content_type[128];
    long long content_length; /* -1 when unknown */
    /* The complete length N of a Content-Range "bytes A-B/N" (a 416
     * answer has an asterisk for A-B), or -1 when absent or unknown. */
    long long range_total;
    char *header; /* req->capture_header's value, NUL-terminated; owned */
} zg_http_resp;

void zg_http_resp_init(zg_http_resp *r);
void zg_http_resp_free(zg_http_resp *r);

/* Perform the request. A transport failure returns -1 with the network's
 * errno (zg_http_errno): ECONNREFUSED, EHOSTUNREACH, ETIMEDOUT (no answer
 * within the time-out), ECONNRESET (the connection broke, also in the
 * middle of a body), EPROTO (an answer HTTP cannot read), EINTR (the
 * thread's wait was stopped); any HTTP status returns 0 (the caller
 * judges the status). Refusals, resets and unreachable hosts are retried
 * for idempotent requests; a time-out is not. */
int zg_http_do(zg_http *h, const zg_http_req *req, zg_http_resp *resp, zg_err *err);

/* The errno of a failed libcurl transfer: curl_code is its CURLcode,
 * os_errno what the socket reported (CURLINFO_OS_ERRNO, 0 if nothing).
 * Never EIO for the network: EIO means a failed verification. */
int zg_http_errno(int curl_code, long os_errno);

#endif
