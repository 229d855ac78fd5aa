/* Waits that someone else can end (zg/wait.h), and the waits that use
 * them: HTTP transfers against real sockets on 127.0.0.1 (a port nobody
 * listens on, a server that accepts and never answers, one that cuts the
 * connection in the middle of a body) and the cache's shared fetches.
 * Each network failure must come back as its network errno, never EIO,
 * and a stopped wait must end the transfer within a fraction of a second. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../check.h"
#include "zg/cache.h"
#include "zg/http.h"
#include "zg/wait.h"

/* Generous: valgrind runs this too. */
#define PROMPT_MS 1500

/* ------------------------------------------------------------ the descriptor */

static void *stop_later(void *arg)
{
    zg_sleep_ms(300);
    zg_wait_stop(arg);
    return NULL;
}

static void test_descriptor(void)
{
    zg_err e = {0};
    CHECK(zg_wait_check(NULL, &e) == 0 && !zg_wait_stopped(NULL) && zg_wait_left_ms(NULL) == -1,
          "no descriptor: nothing ends");
    int64_t t0 = zg_now_ms();
    CHECK(zg_wait_sleep(NULL, 120, &e) == 0 && zg_now_ms() - t0 >= 120,
          "no descriptor: the whole sleep");

    zg_wait w;
    zg_wait_init(&w, NULL, 0, 0);
    CHECK(w.poll_ms == ZG_WAIT_POLL_MS && zg_wait_left_ms(&w) == -1, "no deadline, default poll");

    zg_wait_init(&w, NULL, 300, 50);
    long left = zg_wait_left_ms(&w);
    CHECK(left > 200 && left <= 300, "deadline 300 ms ahead (%ld)", left);
    t0 = zg_now_ms();
    int rc = zg_wait_sleep(&w, 5000, &e);
    int64_t took = zg_now_ms() - t0;
    CHECK(rc == -1 && e.code == ETIMEDOUT, "a sleep past the deadline ends with ETIMEDOUT (%s)",
          e.msg);
    CHECK(took >= 250 && took < PROMPT_MS, "...at the deadline, not after the sleep (%lld ms)",
          (long long)took);
    CHECK(zg_wait_left_ms(&w) == 0 && zg_wait_check(&w, &e) == -1 && e.code == ETIMEDOUT,
          "past the deadline: left 0, check ETIMEDOUT");

    zg_wait parent, child;
    zg_wait_init(&parent, NULL, 10000, 0);
    zg_wait_init(&child, &parent, 60000, 0);
    CHECK(child.deadline_ms == parent.deadline_ms, "a child ends no later than its parent");
    zg_wait_init(&child, &parent, 100, 0);
    CHECK(child.deadline_ms < parent.deadline_ms, "...and may end earlier");
    pthread_t th;
    pthread_create(&th, NULL, stop_later, &parent);
    t0 = zg_now_ms();
    zg_wait_init(&child, &parent, 0, 0);
    rc = zg_wait_sleep(&child, 10000, &e);
    took = zg_now_ms() - t0;
    pthread_join(th, NULL);
    CHECK(rc == -1 && e.code == EINTR, "stopping the parent ends the child's sleep with EINTR");
    CHECK(took >= 250 && took < 300 + 2 * ZG_WAIT_SLICE_MS + PROMPT_MS / 3,
          "...within a slice of the stop (%lld ms)", (long long)took);
    CHECK(zg_wait_stopped(&child) && zg_wait_stopped(&parent), "both read as stopped");

    CHECK(zg_wait_current() == NULL, "no descriptor bound at first");
    zg_wait *before = zg_wait_bind(&w);
    CHECK(before == NULL && zg_wait_current() == &w, "bind sets the thread's descriptor");
    CHECK(zg_wait_bind(before) == &w && zg_wait_current() == NULL, "...and gives it back");
}

/* ------------------------------------------------------------ servers */

typedef struct server {
    int fd;
    int port;
    const char *mode; /* "silent", "reset", "nothing" */
    pthread_t th;
    bool running;
} server;

static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 8) ||
        getsockname(fd, (struct sockaddr *)&a, &len))
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

/* Reads one request head, then misbehaves as its mode says. */
static void *serve(void *arg)
{
    server *s = arg;
    int c = accept(s->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char buf[4096];
    size_t got = 0;
    while (got < sizeof buf - 1) {
        ssize_t n = read(c, buf + got, sizeof buf - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = 0;
        if (strstr(buf, "\r\n\r\n"))
            break;
    }
    if (!strcmp(s->mode, "reset")) {
        static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                   "Content-Length: 1000\r\n\r\n{\"partial\":";
        if (write(c, head, sizeof head - 1) < 0)
            perror("write");
        zg_sleep_ms(100);
        struct linger l = {1, 0}; /* close with RST */
        setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    } else if (!strcmp(s->mode, "silent")) {
        zg_sleep_ms(1500);
    }
    close(c);
    return NULL;
}

static void server_start(server *s, const char *mode)
{
    memset(s, 0, sizeof *s);
    s->mode = mode;
    s->fd = listen_any(&s->port);
    if (strcmp(mode, "backlog"))
        s->running = pthread_create(&s->th, NULL, serve, s) == 0;
}

static void server_stop(server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    if (s->running)
        pthread_join(s->th, NULL);
    close(s->fd);
}

static int get(zg_http *h, int port, bool idempotent, zg_err *e)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/x", port);
    zg_http_req req = {.url = url, .idempotent = idempotent};
    zg_http_resp r;
    zg_http_resp_init(&r);
    int rc = zg_http_do(h, &req, &r, e);
    zg_http_resp_free(&r);
    return rc;
}

/* ------------------------------------------------------------ HTTP */

static void test_errno_table(void)
{
    CHECK(zg_http_errno(CURLE_COULDNT_CONNECT, ECONNREFUSED) == ECONNREFUSED,
          "could not connect, refused: ECONNREFUSED");
    CHECK(zg_http_errno(CURLE_COULDNT_CONNECT, EHOSTUNREACH) == EHOSTUNREACH &&
              zg_http_errno(CURLE_COULDNT_CONNECT, ENETUNREACH) == EHOSTUNREACH,
          "could not connect, no route: EHOSTUNREACH");
    CHECK(zg_http_errno(CURLE_COULDNT_CONNECT, 0) == ECONNREFUSED,
          "could not connect, no detail: ECONNREFUSED");
    CHECK(zg_http_errno(CURLE_COULDNT_RESOLVE_HOST, 0) == EHOSTUNREACH,
          "unknown host: EHOSTUNREACH");
    CHECK(zg_http_errno(CURLE_OPERATION_TIMEDOUT, 0) == ETIMEDOUT, "time-out: ETIMEDOUT");
    static const int cut[] = {CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING,
                              CURLE_PARTIAL_FILE};
    bool all = true;
    for (size_t i = 0; i < sizeof cut / sizeof *cut; i++)
        all = all && zg_http_errno(cut[i], ECONNRESET) == ECONNRESET &&
              zg_http_errno(cut[i], 0) == ECONNRESET;
    CHECK(all, "receive/send errors, an empty reply, a short body: ECONNRESET");
    CHECK(zg_http_errno(CURLE_ABORTED_BY_CALLBACK, 0) == EINTR, "aborted: EINTR");
    CHECK(zg_http_errno(CURLE_WEIRD_SERVER_REPLY, 0) == EPROTO, "not HTTP: EPROTO");
    bool no_eio = true;
    for (int cc = 1; cc < CURL_LAST; cc++)
        if (cc != CURLE_FAILED_INIT && cc != CURLE_BAD_FUNCTION_ARGUMENT)
            no_eio = no_eio && zg_http_errno(cc, 0) != EIO && zg_http_errno(cc, ECONNRESET) != EIO;
    CHECK(no_eio, "no libcurl failure of the network is EIO");
}

static void test_http(void)
{
    zg_http *h = NULL;
    zg_http_opts o = {.connect_timeout_ms = 2000, .max_retries = 2, .backoff_ms = 20};
    zg_err e = {0};
    CHECK(zg_http_new(&h, &o, &e) == 0, "client");

    /* A port nobody listens on. */
    int port;
    int fd = listen_any(&port);
    close(fd);
    zg_err_clear(&e);
    CHECK(get(h, port, true, &e) == -1 && e.code == ECONNREFUSED,
          "nobody listens: ECONNREFUSED (%s)", e.msg);

    /* Accepts, reads the request, never answers: the bound wait's deadline. */
    server s;
    server_start(&s, "silent");
    zg_wait w;
    zg_wait_init(&w, NULL, 700, 0);
    zg_wait_bind(&w);
    int64_t t0 = zg_now_ms();
    zg_err_clear(&e);
    int rc = get(h, s.port, true, &e);
    int64_t took = zg_now_ms() - t0;
    zg_wait_bind(NULL);
    CHECK(rc == -1 && e.code == ETIMEDOUT, "a silent server: ETIMEDOUT at the wait's deadline (%s)",
          e.msg);
    CHECK(took >= 600 && took < 700 + PROMPT_MS, "...after 700 ms, not retried (%lld ms)",
          (long long)took);
    server_stop(&s);

    /* The same, stopped from another thread after 300 ms. */
    server_start(&s, "silent");
    zg_wait_init(&w, NULL, 0, 0);
    zg_wait_bind(&w);
    pthread_t th;
    pthread_create(&th, NULL, stop_later, &w);
    t0 = zg_now_ms();
    zg_err_clear(&e);
    rc = get(h, s.port, true, &e);
    took = zg_now_ms() - t0;
    pthread_join(th, NULL);
    zg_wait_bind(NULL);
    CHECK(rc == -1 && e.code == EINTR, "a stopped wait ends the transfer: EINTR (%s)", e.msg);
    CHECK(took >= 250 && took < 300 + PROMPT_MS, "...within a slice of the stop (%lld ms)",
          (long long)took);
    server_stop(&s);

    /* A listening socket that never accepts: the handshake completes in the
     * kernel, the request goes nowhere. Stopped before the transfer starts. */
    server_start(&s, "backlog");
    zg_wait_init(&w, NULL, 0, 0);
    zg_wait_stop(&w);
    zg_wait_bind(&w);
    zg_err_clear(&e);
    t0 = zg_now_ms();
    rc = get(h, s.port, false, &e);
    took = zg_now_ms() - t0;
    zg_wait_bind(NULL);
    CHECK(rc == -1 && e.code == EINTR && took < PROMPT_MS,
          "an already stopped wait sends nothing: EINTR at once (%lld ms)", (long long)took);
    server_stop(&s);

    /* Headers, a few bytes of a 1000-byte body, then a reset. */
    server_start(&s, "reset");
    zg_err_clear(&e);
    CHECK(get(h, s.port, false, &e) == -1 && e.code == ECONNRESET,
          "a connection reset in the middle of a body: ECONNRESET (%s)", e.msg);
    server_stop(&s);

    /* Closed after the request without a byte. */
    server_start(&s, "nothing");
    zg_err_clear(&e);
    CHECK(get(h, s.port, false, &e) == -1 && e.code == ECONNRESET,
          "a connection closed without an answer: ECONNRESET (%s)", e.msg);
    server_stop(&s);

    /* Retries never run past the deadline: refused three times with a
     * backoff that would pass it. */
    zg_http_free(h);
    zg_http_opts slow = {.connect_timeout_ms = 2000, .max_retries = 3, .backoff_ms = 2000};
    zg_http_new(&h, &slow, NULL);
    zg_wait_init(&w, NULL, 500, 0);
    zg_wait_bind(&w);
    t0 = zg_now_ms();
    zg_err_clear(&e);
    rc = get(h, port, true, &e);
    took = zg_now_ms() - t0;
    zg_wait_bind(NULL);
    CHECK(rc == -1 && e.code == ECONNREFUSED && took < PROMPT_MS,
          "no backoff past the deadline: the refusal comes back at once (%lld ms)",
          (long long)took);
    zg_http_free(h);
}

/* ------------------------------------------------------------ the cache */

typedef struct slow_fetch {
    zg_wait *w; /* the fetcher's own wait */
    int calls;
} slow_fetch;

/* Waits on the calling thread's wait for up to 1.5 s, then answers. */
static int fetch_slow(void *ctx, void **val, zg_err *err)
{
    slow_fetch *f = ctx;
    __atomic_add_fetch(&f->calls, 1, __ATOMIC_SEQ_CST);
    if (zg_wait_sleep(zg_wait_current(), 1500, err))
        return -1;
    *val = strdup("answer");
    return 0;
}

typedef struct reader {
    zg_cache *c;
    slow_fetch *f;
    zg_wait w;
    bool stop_early; /* this reader's wait is stopped after 200 ms */
    int rc, code;
    int64_t took;
    char got[16];
} reader;

static void *read_key(void *arg)
{
    reader *r = arg;
    zg_wait_bind(&r->w);
    int64_t t0 = zg_now_ms();
    zg_cache_val *v = NULL;
    zg_err e = {0};
    r->rc = zg_cache_get(r->c, "k", 0, fetch_slow, free, r->f, &v, &e);
    r->took = zg_now_ms() - t0;
    r->code = e.code;
    if (v) {
        snprintf(r->got, sizeof r->got, "%s", (char *)zg_cache_value(v));
        zg_cache_put(v);
    }
    zg_wait_bind(NULL);
    return NULL;
}

static void test_cache(void)
{
    zg_cache *c = NULL;
    zg_cache_new(&c, 0, 16, NULL);
    slow_fetch f = {0};
    reader a = {.c = c, .f = &f}, b = {.c = c, .f = &f};
    zg_wait_init(&a.w, NULL, 0, 0);
    zg_wait_init(&b.w, NULL, 0, 0);
    pthread_t ta, tb;
    pthread_create(&ta, NULL, read_key, &a);
    zg_sleep_ms(100); /* a fetches; b joins its fetch */
    pthread_create(&tb, NULL, read_key, &b);
    zg_sleep_ms(200);
    zg_wait_stop(&b.w);
    pthread_join(tb, NULL);
    CHECK(b.rc == -1 && b.code == EINTR && b.took < PROMPT_MS,
          "a reader joined to another's fetch is released when its wait stops (%lld ms)",
          (long long)b.took);
    pthread_join(ta, NULL);
    CHECK(a.rc == 0 && !strcmp(a.got, "answer"), "...the fetcher goes on and gets its answer");

    /* The fetcher is stopped: the reader that joined it fetches anew. */
    f.calls = 0;
    zg_cache_invalidate(c, NULL);
    zg_wait_init(&a.w, NULL, 0, 0);
    zg_wait_init(&b.w, NULL, 0, 0);
    pthread_create(&ta, NULL, read_key, &a);
    zg_sleep_ms(100);
    pthread_create(&tb, NULL, read_key, &b);
    zg_sleep_ms(200);
    zg_wait_stop(&a.w);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.rc == -1 && a.code == EINTR, "the stopped fetcher gets EINTR");
    CHECK(b.rc == 0 && !strcmp(b.got, "answer") && f.calls == 2,
          "...the reader that joined it is not interrupted: it fetched again (%d fetches)",
          f.calls);
    zg_cache_free(c);
}

static int fail_with(void *ctx, void **val, zg_err *err)
{
    int *code = ctx;
    (void)val;
    return zg_err_set(err, *code, "no answer (%d)", *code);
}

static void test_cache_timeouts(void)
{
    zg_cache *c = NULL;
    zg_cache_new(&c, 400, 16, NULL);
    zg_cache_val *v = NULL;
    zg_err e = {0};
    int code = ETIMEDOUT;
    zg_cache_get(c, "t", -1, fail_with, free, &code, &v, &e);
    unsigned long n = zg_cache_fetches(c);
    code = ECONNREFUSED; /* what a new fetch would say */
    zg_err_clear(&e);
    int rc = zg_cache_get(c, "t", -1, fail_with, free, &code, &v, &e);
    CHECK(rc == -1 && e.code == ETIMEDOUT && zg_cache_fetches(c) == n,
          "a time-out is the answer within the ttl: no second wait (%s)", e.msg);
    zg_err_clear(&e);
    rc = zg_cache_get(c, "t", 0, fail_with, free, &code, &v, &e);
    CHECK(rc == -1 && e.code == ECONNREFUSED, "...not for a caller that asks for a fresh answer");
    code = ETIMEDOUT;
    zg_cache_get(c, "t", -1, fail_with, free, &code, &v, &e);
    zg_sleep_ms(450);
    code = ECONNREFUSED;
    zg_err_clear(&e);
    rc = zg_cache_get(c, "t", LONG_MAX, fail_with, free, &code, &v, &e);
    CHECK(rc == -1 && e.code == ECONNREFUSED, "...and never past the ttl, whatever the max age");
    zg_err_clear(&e);
    zg_cache_get(c, "t", -1, fail_with, free, &code, &v, &e);
    n = zg_cache_fetches(c);
    zg_cache_get(c, "t", -1, fail_with, free, &code, &v, &e);
    CHECK(zg_cache_fetches(c) == n + 1, "other errors are not remembered");
    code = ETIMEDOUT;
    zg_cache_get(c, "t", -1, fail_with, free, &code, &v, &e);
    zg_cache_invalidate(c, "t");
    code = ECONNREFUSED;
    zg_err_clear(&e);
    rc = zg_cache_get(c, "t", -1, fail_with, free, &code, &v, &e);
    CHECK(rc == -1 && e.code == ECONNREFUSED, "an invalidation forgets a time-out");
    zg_cache_free(c);
}

int main(void)
{
    test_descriptor();
    test_errno_table();
    test_http();
    test_cache();
    test_cache_timeouts();
    curl_global_cleanup();
    return check_done();
}
