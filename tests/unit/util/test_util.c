#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>

#include "../check.h"
#include "zg/buf.h"
#include "zg/fdio.h"
#include "zg/feeder.h"
#include "zg/hex.h"
#include "zg/jsoncheck.h"
#include "zg/marks.h"
#include "zg/team.h"
#include "zg/u256.h"
#include "zg/workq.h"

static void amount_ok(const char *in, const char *want_neuron)
{
    zg_u256 v;
    zg_err e;
    char dec[ZG_U256_DEC_MAX];
    int rc = zg_amount_parse(&v, in, &e);
    if (rc == 0)
        zg_u256_to_dec(dec, &v);
    CHECK(rc == 0 && strcmp(dec, want_neuron) == 0, "amount \"%s\" = %s neuron", in, want_neuron);
}

static void amount_bad(const char *in)
{
    zg_u256 v;
    zg_err e = {0};
    int rc = zg_amount_parse(&v, in, &e);
    CHECK(rc == -1 && e.code == EINVAL && e.msg[0], "amount \"%s\" refused: %s", in, e.msg);
}

/* Whole-buffer I/O through a pipe (short transfers) and a file. */
/* Bytes written through a writeback reach the file whole and in order,
 * from the descriptor's offset, the disk asked once per `every` bytes;
 * a pipe gets its bytes with no asking. */
static void writeback(void)
{
    char path[] = "/tmp/zg-wb-XXXXXX";
    int fd = mkstemp(path);
    enum { N = 70000 };
    static uint8_t in[N], back[N + 3];
    for (size_t i = 0; i < N; i++)
        in[i] = (uint8_t)(i * 13 + 1);
    zg_writeback w;
    int bad = fd < 0 || write(fd, "abc", 3) != 3;
    zg_writeback_init(&w, fd, 4096);
    for (size_t at = 0; !bad && at < N; at += 999)
        bad = zg_writeback_write(&w, in + at, at + 999 < N ? 999 : N - at) != 0;
    CHECK(!bad && w.next == 3 + N && w.asked == N / 4096 &&
              pread(fd, back, sizeof back, 0) == N + 3 && memcmp(back, "abc", 3) == 0 &&
              memcmp(back + 3, in, N) == 0,
          "a file gets every byte after its offset; the disk asked every 4096 (%u times)",
          (unsigned)w.asked);
    zg_writeback_flush(&w);
    CHECK(w.asked == N / 4096 + 1, "a flush asks for the rest");
    if (fd >= 0)
        close(fd);
    unlink(path);
    int p[2];
    bad = pipe(p);
    if (!bad) {
        zg_writeback_init(&w, p[1], 16);
        bad = zg_writeback_write(&w, "0123456789abcdefXYZ", 19) != 0 || w.next != -1 ||
              w.asked != 0 || read(p[0], back, sizeof back) != 19 ||
              memcmp(back, "0123456789abcdefXYZ", 19);
        close(p[0]);
        close(p[1]);
    }
    CHECK(!bad, "a pipe gets its bytes, nothing asked of a disk");
}

/* Writers at offsets of their own, on several threads at once. */
typedef struct wb_writer {
    zg_writeback *w;
    const uint8_t *in;
    size_t from, len;
    int bad;
} wb_writer;

static void *wb_write_part(void *arg)
{
    wb_writer *a = arg;
    for (size_t at = a->from + a->len; !a->bad && at > a->from;) {
        size_t n = at - a->from < 1000 ? at - a->from : 1000;
        at -= n; /* back to front: the order of the writes is no matter */
        a->bad = zg_writeback_pwrite(a->w, a->in + at, n, at) != 0;
    }
    return NULL;
}

static void writeback_threads(void)
{
    char path[] = "/tmp/zg-wbt-XXXXXX";
    int fd = mkstemp(path);
    enum { N = 4 * 25000 };
    static uint8_t in[N], back[N];
    for (size_t i = 0; i < N; i++)
        in[i] = (uint8_t)(i * 7 + 3);
    zg_writeback w;
    zg_writeback_init(&w, fd, 10000);
    wb_writer a[4];
    pthread_t t[4];
    int started = 0;
    for (int i = 0; fd >= 0 && i < 4; i++) {
        a[i] = (wb_writer){&w, in, (size_t)i * (N / 4), N / 4, 0};
        if (pthread_create(&t[i], NULL, wb_write_part, &a[i]) == 0)
            started++;
    }
    int bad = started != 4;
    for (int i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        bad |= a[i].bad;
    }
    CHECK(!bad && w.written == N && w.asked == N / 10000 && pread(fd, back, N, 0) == N &&
              memcmp(back, in, N) == 0,
          "four threads' writes land whole; the disk asked once per 10000 bytes (%u times)",
          (unsigned)w.asked);
    if (fd >= 0)
        close(fd);
    unlink(path);
}

static void fdio(void)
{
    char dir[] = "/tmp/zg-fdio-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    char path[PATH_MAX], leftover[PATH_MAX];
    snprintf(path, sizeof path, "%s/f", dir);
    zg_err e = {0};
    CHECK(zg_write_atomic(path, "first", 5, &e) == 0, "atomic write creates the file");
    CHECK(zg_write_atomic(path, "second!", 7, &e) == 0, "atomic write replaces it");
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == 7 && (st.st_mode & 0777) == 0600,
          "the replacement is whole and private (mode 0600)");
    snprintf(leftover, sizeof leftover, "%s/f.tmp.%ld", dir, (long)getpid());
    CHECK(access(leftover, F_OK) != 0, "no temporary file is left behind");

    int fd = open(path, O_RDWR | O_CLOEXEC);
    char buf[16] = {0};
    CHECK(zg_pread_full(fd, buf, sizeof buf, 2) == 5 && memcmp(buf, "cond!", 5) == 0,
          "pread_full stops at the end of the file");
    CHECK(zg_pwrite_all(fd, "XY", 2, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 12,
          "pwrite_all at an offset past the end");
    CHECK(zg_read_full(fd, buf, 3) == 3 && memcmp(buf, "sec", 3) == 0, "read_full from the start");
    close(fd);
    CHECK(zg_write_all(fd, "x", 1) == -1 && errno == EBADF, "write_all reports errno");

    /* The file is now "second!", a 3-byte hole and "XY": 12 bytes. */
    zg_buf whole;
    zg_buf_init(&whole, 12);
    CHECK(zg_file_read(path, &whole, &e) == 0 && whole.len == 12 &&
              memcmp(whole.data, "second", 6) == 0 && whole.data[12] == 0,
          "file_read takes a file exactly as large as its limit, NUL-terminated");
    zg_buf_free(&whole);
    zg_buf_init(&whole, 11);
    CHECK(zg_file_read(path, &whole, &e) == -1 && e.code == EFBIG,
          "one byte over the limit: EFBIG (%s)", e.msg);
    zg_buf_free(&whole);
    zg_buf_init(&whole, 0);
    snprintf(leftover, sizeof leftover, "%s/missing", dir);
    CHECK(zg_file_read(leftover, &whole, &e) == -1 && e.code == ENOENT && strstr(e.msg, "missing"),
          "a missing file: ENOENT naming it (%s)", e.msg);
    zg_buf_free(&whole);

    snprintf(path, sizeof path, "%s/no/such/dir/f", dir);
    CHECK(zg_write_atomic(path, "x", 1, &e) == -1 && e.code == ENOENT && e.msg[0],
          "atomic write into a missing directory: ENOENT with a sentence");

    /* A pipe takes at most its capacity per write: 1 MiB needs many. */
    int p[2];
    if (pipe(p) == 0) {
        size_t n = 1u << 20;
        char *big = malloc(n), *back = malloc(n);
        for (size_t i = 0; big && i < n; i++)
            big[i] = (char)(i * 7 + 3);
        pid_t pid = big && back ? fork() : -1;
        if (pid == 0) {
            close(p[0]);
            int rc = zg_write_all(p[1], big, n) ? 1 : 0;
            free(big);
            free(back);
            _exit(rc);
        }
        close(p[1]);
        ssize_t got = pid > 0 ? zg_read_full(p[0], back, n) : -1;
        close(p[0]);
        int status = 1;
        if (pid > 0)
            waitpid(pid, &status, 0);
        CHECK(got == (ssize_t)n && status == 0 && memcmp(big, back, n) == 0,
              "1 MiB through a pipe: every byte, in order");
        free(big);
        free(back);
    }
    char deep[PATH_MAX];
    snprintf(deep, sizeof deep, "%s/a/b/c", dir);
    CHECK(zg_mkdirs(deep, 0700, &e) == 0 && stat(deep, &st) == 0 && S_ISDIR(st.st_mode),
          "mkdirs makes every missing directory");
    CHECK(zg_mkdirs(deep, 0700, &e) == 0, "...and is content when they exist");
    snprintf(path, sizeof path, "%s/f/x", dir);
    CHECK(zg_mkdirs(path, 0700, &e) == -1 && e.code == ENOTDIR && strstr(e.msg, "/f"),
          "a file in the way: ENOTDIR naming it (%s)", e.msg);
    CHECK(zg_mkdirs("", 0700, &e) == -1 && e.code == EINVAL, "an empty path: EINVAL");
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a/b", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/f", dir);
    unlink(path);
    rmdir(dir);
}

static void json_ok(const char *text)
{
    zg_err e = {0};
    int rc = zg_json_check(text, strlen(text), NULL, NULL, &e);
    CHECK(rc == 0, "strict JSON accepts %s%s%s", text, rc ? ": " : "", rc ? e.msg : "");
}

/* want: a part of the sentence */
static void json_bad(const char *text, const char *want)
{
    zg_err e = {0};
    int rc = zg_json_check(text, strlen(text), NULL, NULL, &e);
    CHECK(rc == -1 && e.code == EINVAL && strstr(e.msg, want), "strict JSON refuses %s: %s", text,
          e.msg);
}

typedef struct members {
    char seen[512];
} members;

static int add_member(void *ctx, const zg_json_member *m, zg_err *err)
{
    (void)err;
    members *ms = ctx;
    size_t k = strlen(ms->seen);
    snprintf(ms->seen + k, sizeof ms->seen - k, "%s=%zu+%zu/%zu+%zu;", m->name, m->key_off,
             m->key_len, m->value_off, m->value_len);
    return 0;
}

static int stop_member(void *ctx, const zg_json_member *m, zg_err *err)
{
    (void)ctx;
    return zg_err_set(err, EDOM, "stop at %s", m->name);
}

static void jsoncheck(void)
{
    json_ok("{}");
    json_ok(" {\"a\": [1, -0.5, 2e-4, 1E+3, true, false, null, \"x\"]}\n");
    json_ok("{\"a\":{\"b\":1},\"c\":{\"b\":2}}"); /* the same key in two objects */
    json_ok("{\"\\u00e9\":1,\"\\u00c9\":2,\"\\ud83d\\ude00\":3}");
    json_ok("\"caf\xc3\xa9\"");
    json_bad("{\"num_train_epochs\":1,\"x\":2,\"num_train_epochs\":1000}",
             "key \"num_train_epochs\" appears twice");
    json_bad("{\"a\":1,\n\"b\":{\"c\":1,\n\"c\":2}}",
             "key \"c\" appears twice in one object (line 3)");
    json_bad("[{\"k\":1,\"k\":1}]", "appears twice");
    json_bad("{\"a\":1,\"\\u0061\":2}", "key \"a\" appears twice");
    json_bad("{\"a\":01}", "leading zero");
    json_bad("{\"a\":1.}", "after its decimal point");
    json_bad("{\"a\":.5}", "unexpected character");
    json_bad("{\"a\":+1}", "unexpected character");
    json_bad("{\"a\":1e}", "exponent");
    json_bad("{\"a\":NaN}", "unexpected character");
    json_bad("{\"a\":1,}", "quoted key");
    json_bad("[1,]", "unexpected character");
    json_bad("{\"a\":1} x", "more text after the value");
    json_bad("{\"a\":1", "ends inside an object");
    json_bad("{\"a\":", "ends where a value belongs");
    json_bad("{\"model\": \"m\",", "ends inside an object");
    json_bad("[1", "ends inside an array");
    json_bad("{\"\\u00e9\":1,\"\xc3\xa9\":2}", "appears twice");
    json_bad("{a:1}", "quoted key");
    json_bad("{\"a\":\"\\q\"}", "unknown escape");
    json_bad("{\"a\":\"\\ud800\"}", "lone surrogate");
    json_bad("{\"a\":\"\\u0000\"}", "NUL");
    json_bad("{\"a\":\"x\ty\"}", "control character");
    json_bad("\"\xff\"", "not UTF-8");
    json_bad("\"\xc0\xaf\"", "not UTF-8");     /* overlong */
    json_bad("\"\xed\xa0\x80\"", "not UTF-8"); /* an encoded surrogate */
    json_bad("", "empty");
    json_bad("  \n", "empty");
    json_bad("tru", "unknown word");
    char deep[200];
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = '\0';
    json_bad(deep, "deeper than 64");
    deep[64] = ']';
    deep[65] = '\0';
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = '\0';
    json_ok(deep);

    members ms = {{0}};
    const char *doc = "{\"a\" : 1, \"b\":{\"x\":[1]} }";
    zg_err e = {0};
    CHECK(zg_json_check(doc, strlen(doc), add_member, &ms, &e) == 0, "members of the top object");
    CHECK_STR(ms.seen, "a=1+3/7+1;b=10+3/14+9;", "...in order, with the spans as written");
    members none = {{0}};
    CHECK(zg_json_check("[{\"a\":1}]", 9, add_member, &none, &e) == 0 && !none.seen[0],
          "no members for a top-level array");
    members dup = {{0}};
    CHECK(zg_json_check("{\"a\":1,\"a\":2}", 13, add_member, &dup, &e) == -1 && !dup.seen[0],
          "no members are reported for a refused document");
    CHECK(zg_json_check(doc, strlen(doc), stop_member, NULL, &e) == -1 && e.code == EDOM,
          "a callback's error stops the walk and is returned");
}

/* Marks: given once (ever, or per quiet period), bounded by forgetting the
 * oldest. */
static void marks(void)
{
    zg_marks *m;
    if (zg_marks_new(&m, 2, NULL)) {
        CHECK(0, "marks");
        return;
    }
    CHECK(zg_marks_first(m, "warned:t1:near", -1), "a warning not given yet: first");
    CHECK(!zg_marks_first(m, "warned:t1:near", -1), "...and not again, ever");
    CHECK(zg_marks_first(m, "warned:t1:passed", -1), "another key is its own");
    CHECK(zg_marks_recent(m, "warned:t1:near", 10000) && !zg_marks_recent(m, "nothing", -1),
          "recent: set keys only");
    usleep(60 * 1000);
    CHECK(!zg_marks_recent(m, "warned:t1:near", 50), "not recent after its period");
    CHECK(zg_marks_first(m, "warned:t1:near", 50), "first again after a quiet period");
    CHECK(!zg_marks_first(m, "warned:t1:near", 50), "...and not within it");
    usleep(5 * 1000);
    zg_marks_set(m, "third");
    CHECK(!zg_marks_recent(m, "warned:t1:passed", -1) && zg_marks_recent(m, "warned:t1:near", -1) &&
              zg_marks_recent(m, "third", -1),
          "past its bound the oldest mark is forgotten");
    zg_marks_free(m);
    CHECK(zg_marks_new(&m, 0, NULL) == -1, "no room: refused");
}

/* zg_workq_sync: every job submitted before it, not merely as many. */
static int gate[2];
static int ran;

static void quick(void *arg)
{
    (void)arg;
    usleep(2000);
    __atomic_add_fetch(&ran, 1, __ATOMIC_SEQ_CST);
}

static void blocked(void *arg)
{
    (void)arg;
    char c;
    (void)!read(gate[0], &c, 1);
    __atomic_add_fetch(&ran, 1, __ATOMIC_SEQ_CST);
}

static void workq(void)
{
    zg_workq *q;
    zg_err e = {0};
    if (pipe(gate) || zg_workq_new(&q, 1, &e)) {
        CHECK(0, "workq: %s", e.msg);
        return;
    }
    CHECK(zg_workq_sync(q, 10), "sync on an idle queue returns at once");
    for (int i = 0; i < 20; i++)
        zg_workq_submit(q, quick, NULL, NULL);
    CHECK(zg_workq_sync(q, 5000) && ran == 20, "sync returns once all 20 jobs ran (%d)", ran);
    zg_workq_free(q);

    ran = 0;
    if (zg_workq_new(&q, 3, &e))
        return;
    zg_workq_submit(q, blocked, NULL, NULL);
    for (int i = 0; i < 5; i++)
        zg_workq_submit(q, quick, NULL, NULL);
    CHECK(!zg_workq_sync(q, 200) && ran == 5,
          "the later jobs finishing is not enough while the first one runs");
    (void)!write(gate[1], "x", 1);
    CHECK(zg_workq_sync(q, 5000) && ran == 6, "sync returns once the first one ends too");
    zg_workq_free(q);
    close(gate[0]);
    close(gate[1]);
}

/* A consumer that keeps what it gets; stops once it has more than `limit`
 * bytes (0: never). */
typedef struct sink {
    uint8_t *got;
    size_t len, limit;
    size_t calls, biggest;
} sink;

static int keep(void *ctx, const uint8_t *data, size_t len)
{
    sink *s = ctx;
    memcpy(s->got + s->len, data, len);
    s->len += len;
    s->calls++;
    if (len > s->biggest)
        s->biggest = len;
    return s->limit && s->len > s->limit ? -1 : 0;
}

/* A consumer that only counts, readable from another thread. */
static int count_only(void *ctx, const uint8_t *data, size_t len)
{
    (void)data;
    atomic_fetch_add((atomic_size_t *)ctx, len);
    return 0;
}

/* Up to 2 s for the count to reach want. */
static bool counted(atomic_size_t *n, size_t want)
{
    for (int i = 0; i < 200 && atomic_load(n) != want; i++)
        usleep(10000);
    return atomic_load(n) == want;
}

/* A flush hands over a block before it is full (a stream that pauses),
 * and a flush with nothing held hands over nothing. */
static void feeder_flush(void)
{
    atomic_size_t n;
    atomic_init(&n, 0);
    zg_feeder *f;
    uint8_t b[10] = {0};
    int rc = zg_feeder_start(&f, 1000, 2, count_only, &n, NULL);
    CHECK(rc == 0 && zg_feeder_put(f, b, 10) == 0 && zg_feeder_flush(f) == 0 && counted(&n, 10),
          "10 bytes flushed reach the consumer before the block is full (%zu)", atomic_load(&n));
    CHECK(rc == 0 && zg_feeder_flush(f) == 0 && zg_feeder_put(f, b, 5) == 0 &&
              zg_feeder_flush(f) == 0 && counted(&n, 15),
          "an empty flush adds nothing; 5 more flushed arrive after them (%zu)", atomic_load(&n));
    CHECK(rc == 0 && zg_feeder_finish(f) == 0 && atomic_load(&n) == 15,
          "finish after a flush: 15 bytes in all");
}

/* The bytes reach the consumer whole and in order, whatever the pieces
 * they are put in, in blocks of at most the block size; a consumer that
 * stops makes put and finish fail. */
static void feeder(void)
{
    enum { N = 100000 };
    static uint8_t in[N], out[N];
    for (size_t i = 0; i < N; i++)
        in[i] = (uint8_t)(i * 31 + 7);
    static const size_t pieces[] = {1, 999, 1000, 1001, 4096, N};
    int bad = 0;
    for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
        sink s = {out, 0, 0, 0, 0};
        zg_feeder *f;
        if (zg_feeder_start(&f, 1000, 3, keep, &s, NULL)) {
            bad++;
            continue;
        }
        for (size_t at = 0; at < N; at += pieces[k])
            bad += zg_feeder_put(f, in + at, at + pieces[k] < N ? pieces[k] : N - at) != 0;
        bad += zg_feeder_finish(f) != 0;
        bad += s.len != N || memcmp(in, out, N) != 0 || s.biggest > 1000 || s.calls != 100;
    }
    CHECK(bad == 0,
          "every byte in order, in 100 blocks of 1000, for pieces of 1 to %d bytes (%d off)", N,
          bad);

    /* In place: the room of the block being filled, then a commit. */
    sink w = {out, 0, 0, 0, 0};
    zg_feeder *g;
    bad = zg_feeder_start(&g, 1000, 2, keep, &w, NULL);
    for (size_t at = 0; bad == 0 && at < N;) {
        size_t room, n = 777;
        uint8_t *p = zg_feeder_room(g, &room);
        if (n > room)
            n = room;
        if (n > N - at)
            n = N - at;
        memcpy(p, in + at, n);
        bad += room == 0 || room > 1000 || zg_feeder_commit(g, n) != 0;
        at += n;
    }
    bad += bad == 0 && zg_feeder_finish(g) != 0;
    CHECK(bad == 0 && w.len == N && memcmp(in, out, N) == 0 && w.calls == 100,
          "written in place in pieces of at most 777 bytes: every byte in order, 100 blocks");

    sink s = {out, 0, 5000, 0, 0};
    zg_feeder *f;
    zg_err e = {0};
    int rc = zg_feeder_start(&f, 1000, 2, keep, &s, &e);
    int put = 0;
    for (size_t at = 0; rc == 0 && at < N; at += 500)
        put |= zg_feeder_put(f, in + at, 500);
    CHECK(rc == 0 && put == -1 && zg_feeder_finish(f) == -1 && s.len == 6000,
          "a consumer that stops: put and finish fail, the rest is dropped (%zu bytes taken)",
          s.len);
    CHECK(zg_feeder_start(&f, 1000, 1, keep, &s, &e) == -1 && e.code == EINVAL && !f,
          "one block cannot overlap: EINVAL: %s", e.msg);
}

/* zg_team_run: n threads at once, the caller one of them. */
static int team_count, team_peak, team_now, team_want;
static pthread_t team_caller;
static int team_caller_ran;

static void *team_member(void *arg)
{
    (void)arg;
    int now = __atomic_add_fetch(&team_now, 1, __ATOMIC_SEQ_CST);
    int peak = __atomic_load_n(&team_peak, __ATOMIC_SEQ_CST);
    while (now > peak && !__atomic_compare_exchange_n(&team_peak, &peak, now, false,
                                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    if (pthread_equal(pthread_self(), team_caller))
        team_caller_ran = 1;
    /* Stay until the whole team is in (at most 2 s), so it is seen at once. */
    for (int i = 0; i < 2000 && __atomic_load_n(&team_now, __ATOMIC_SEQ_CST) < team_want; i++)
        usleep(1000);
    __atomic_add_fetch(&team_count, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void team(void)
{
    team_caller = pthread_self();
    team_want = 4;
    CHECK(zg_team_run(4, team_member, NULL) == 4 && team_count == 4,
          "a team of 4: four runs, all returned before the call did (%d)", team_count);
    CHECK(team_peak == 4 && team_caller_ran, "...at once (%d), the caller one of them", team_peak);
    team_count = team_now = team_peak = team_caller_ran = 0;
    team_want = 1;
    CHECK(zg_team_run(0, team_member, NULL) == 1 && team_count == 1 && team_caller_ran,
          "a team of 0 is the caller alone");
}

int main(void)
{
    team();
    workq();
    feeder();
    feeder_flush();
    writeback();
    writeback_threads();
    marks();
    fdio();
    jsoncheck();
    amount_ok("3", "3000000000000000000");
    amount_ok("0.25", "250000000000000000");
    amount_ok("0.25OG", "250000000000000000");
    amount_ok("0.25 og\n", "250000000000000000");
    amount_ok("250000000000000000neuron", "250000000000000000");
    amount_ok(".5", "500000000000000000");
    amount_ok("1.000000000000000001", "1000000000000000001");
    amount_ok("1.50000000000000000000", "1500000000000000000");
    amount_ok("0", "0");
    amount_bad("");
    amount_bad("-1");
    {
        zg_u256 v;
        zg_err e = {0};
        CHECK(zg_amount_parse(&v, "-1.5", &e) == -1 && strstr(e.msg, "is negative"),
              "a signed number is negative: %s", e.msg);
        e = (zg_err){0};
        CHECK(zg_amount_parse(&v, "-.5", &e) == -1 && strstr(e.msg, "is negative"),
              "-.5 is negative too: %s", e.msg);
        e = (zg_err){0};
        CHECK(zg_amount_parse(&v, "--delete-ledger", &e) == -1 && !strstr(e.msg, "negative") &&
                  strstr(e.msg, "is not a number"),
              "a word with dashes is not a number, not negative: %s", e.msg);
    }
    amount_bad("abc");
    amount_bad("1e18");
    amount_bad("1.0000000000000000001");
    amount_bad("1.5neuron");
    amount_bad("1..2");
    amount_bad("OG");
    amount_bad("999999999999999999999999999999999999999999999999999999999999999999999999999999");

    char out[ZG_U256_DEC_MAX + 2];
    zg_u256 v;
    zg_u256_from_dec(&v, "12500000000000000000", NULL);
    zg_amount_format(out, &v);
    CHECK_STR(out, "12.5", "format 12.5 OG");
    zg_u256_from_u64(&v, 1);
    zg_amount_format(out, &v);
    CHECK_STR(out, "0.000000000000000001", "format 1 neuron");
    zg_u256_from_u64(&v, 0);
    zg_amount_format(out, &v);
    CHECK_STR(out, "0", "format zero");

    /* 2^256-1 round trip through decimal and hex */
    const char *max =
        "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    zg_u256_from_dec(&v, max, NULL);
    char dec[ZG_U256_DEC_MAX], hx[72];
    zg_u256_to_dec(dec, &v);
    CHECK_STR(dec, max, "2^256-1 decimal round trip");
    zg_u256_to_hex(hx, &v);
    CHECK(strlen(hx) == 66, "2^256-1 hex is 64 digits");
    zg_u256 one, r;
    zg_u256_from_u64(&one, 1);
    CHECK(zg_u256_add(&r, &v, &one) && zg_u256_is_zero(&r), "add overflow detected");
    CHECK(zg_u256_sub(&r, &one, &v), "sub underflow detected");
    zg_u256_from_hex(&v, "0x0de0b6b3a7640000", NULL);
    zg_u256_to_dec(dec, &v);
    CHECK_STR(dec, "1000000000000000000", "hex quantity 1e18");
    zg_u256_from_u64(&v, 0);
    zg_u256_to_hex(hx, &v);
    CHECK_STR(hx, "0x0", "zero quantity");
    zg_u256_from_u64(&v, 0x1ab);
    zg_u256_to_hex(hx, &v);
    CHECK_STR(hx, "0x1ab", "odd-digit quantity");
    zg_u256 a, b;
    zg_u256_from_dec(&a, "340282366920938463463374607431768211456", NULL); /* 2^128 */
    zg_u256_mul(&b, &a, &a);
    CHECK(zg_u256_mul(&b, &a, &a), "2^128 * 2^128 overflows");

    uint8_t bytes[4];
    size_t n;
    CHECK(zg_hex_decode(bytes, sizeof bytes, &n, "0xdeadBEEF", NULL) == 0 && n == 4 &&
              bytes[0] == 0xde && bytes[3] == 0xef,
          "hex decode mixed case");
    zg_err e;
    CHECK(zg_hex_decode(bytes, sizeof bytes, &n, "0xabc", &e) == -1, "odd hex refused");
    CHECK(zg_hex_decode(bytes, sizeof bytes, &n, "0x0102030405", &e) == -1, "long hex refused");
    CHECK(zg_hex_digit('0') == 0 && zg_hex_digit('9') == 9 && zg_hex_digit('a') == 10 &&
              zg_hex_digit('F') == 15 && zg_hex_digit('g') == -1 && zg_hex_digit('x') == -1 &&
              zg_hex_digit(0) == -1 && zg_hex_digit(0xc3) == -1 && zg_hex_digit(-61) == -1,
          "hex digits of either case, nothing else");
    static const char h64[] = "0x382842561e59d71f90c1861041989428dd2c1f664e65a56ea21f3ade216b2046";
    CHECK(zg_hex_is_hash(h64) &&
              zg_hex_is_hash("0X382842561E59D71F90C1861041989428DD2C1F664E65A56EA21F3ADE216B2046"),
          "a 32-byte hash as text, either case");
    char h[80];
    snprintf(h, sizeof h, "%s0", h64);
    CHECK(!zg_hex_is_hash(h), "...not with a 65th digit");
    snprintf(h, sizeof h, "%.65s", h64);
    CHECK(!zg_hex_is_hash(h), "...nor with 63");
    snprintf(h, sizeof h, "%s", h64);
    h[40] = 'g';
    CHECK(!zg_hex_is_hash(h), "...nor with a letter past f");
    CHECK(!zg_hex_is_hash(h64 + 2) && !zg_hex_is_hash("") && !zg_hex_is_hash(NULL),
          "...nor without 0x, empty or NULL");

    /* Messages quote input; whatever it holds, a message stays one line. */
    zg_err_set(&e, EINVAL, "amount \"%s\" is not a number", "1\n2\r\t\x1b[2J\x7f");
    CHECK_STR(e.msg, "amount \"1?2???[2J?\" is not a number",
              "control characters of quoted input become '?'");
    zg_err_prefix(&e, "node says \"%s\"", "a\nb");
    CHECK_STR(e.msg, "node says \"a?b\": amount \"1?2???[2J?\" is not a number",
              "...also in a prefix");
    CHECK(zg_u256_from_dec(&v, "1\n2", &e) == -1 && !strchr(e.msg, '\n'),
          "a refused number with a newline gives a one-line message: %s", e.msg);

    zg_buf b2;
    zg_buf_init(&b2, 8);
    CHECK(zg_buf_append_str(&b2, "12345678", NULL) == 0, "buffer fills to its max");
    CHECK(zg_buf_append_str(&b2, "9", &e) == -1 && e.code == EFBIG, "buffer refuses past max");
    zg_buf_free(&b2);
    return check_done();
}
