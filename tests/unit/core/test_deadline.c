/* The deadline watch's rule (zg/deadline.h): the acknowledgement window,
 * what is due at each moment with and without the automatic
 * acknowledgement, the warnings' sentences and the status lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "zg/deadline.h"
#include "zg/hex.h"

static zg_open_task delivered(uint64_t at, uint64_t window)
{
    zg_open_task t = {.id = "3f0c2a51-0000-4000-8000-000000000001",
                      .delivered = true,
                      .deliver_time = at,
                      .deadline = at + window};
    memset(t.provider, 0x11, 20);
    return t;
}

static void test_window(void)
{
    CHECK(zg_ack_window(86400) == 21600, "a day's lock time: the 6 h cap");
    CHECK(zg_ack_window(7200) == 3600, "a two-hour lock time: half of it");
    CHECK(zg_ack_window(0) == 0, "no lock time: no window");
}

static void test_due(void)
{
    zg_open_task t = delivered(1000, 21600);
    uint64_t dl = t.deadline;
    CHECK(zg_deadline_due(&t, 1000, ZG_AUTOACK_OFF) == ZG_DUE_NOTHING, "off, at delivery: nothing");
    CHECK(zg_deadline_due(&t, dl - 3601, ZG_AUTOACK_OFF) == ZG_DUE_NOTHING,
          "off, an hour and a second left: nothing");
    CHECK(zg_deadline_due(&t, dl - 3600, ZG_AUTOACK_OFF) == ZG_DUE_WARN, "off, an hour left: warn");
    CHECK(zg_deadline_due(&t, dl, ZG_AUTOACK_OFF) == ZG_DUE_PASSED, "off, at the deadline: passed");
    CHECK(zg_deadline_due(&t, 1000, ZG_AUTOACK_AT_DELIVERY) == ZG_DUE_ACK, "at delivery: ack");
    CHECK(zg_deadline_due(&t, dl - 1801, 1800) == ZG_DUE_NOTHING,
          "autoack=30m with 30 min and a second left: nothing (no warning either)");
    CHECK(zg_deadline_due(&t, dl - 1800, 1800) == ZG_DUE_ACK, "autoack=30m with 30 min left: ack");
    CHECK(zg_deadline_due(&t, dl + 60, 1800) == ZG_DUE_ACK,
          "after the deadline, before the settlement: ack still saves the key");
    t.acknowledged = true;
    CHECK(zg_deadline_due(&t, dl - 10, ZG_AUTOACK_AT_DELIVERY) == ZG_DUE_NOTHING &&
              zg_deadline_due(&t, dl + 10, ZG_AUTOACK_OFF) == ZG_DUE_NOTHING,
          "acknowledged: nothing due");
    t.acknowledged = false;
    t.settled = true;
    CHECK(zg_deadline_due(&t, dl + 10, ZG_AUTOACK_AT_DELIVERY) == ZG_DUE_NOTHING,
          "settled (with a penalty): nothing due");
    zg_open_task u = {.id = "x"};
    CHECK(zg_deadline_due(&u, 5, ZG_AUTOACK_AT_DELIVERY) == ZG_DUE_NOTHING &&
              !zg_deadline_watched(&u),
          "not delivered: nothing due, and nothing to watch");
}

static void test_sentences(void)
{
    zg_open_task t = delivered(1000, 21600);
    char p[43], line[512], want[512];
    zg_addr_checksum(p, t.provider);
    zg_deadline_warning(line, sizeof line, &t, t.deadline - 1790, ZG_DUE_WARN);
    snprintf(want, sizeof want,
             "warning: the deliverable of task %s with %s must be acknowledged within 30 min: "
             "read providers/%s/tasks/%s/lora.bin (or write yes to its ack); after that the "
             "provider settles it with a penalty and the key is lost",
             t.id, p, p, t.id);
    CHECK_STR(line, want, "the warning: minutes rounded up, the file to read");
    zg_deadline_warning(line, sizeof line, &t, t.deadline + 42, ZG_DUE_PASSED);
    CHECK(strstr(line, "closed 42 s ago") != NULL, "after the deadline: %s", line);
    zg_deadline_warning(line, sizeof line, &t, t.deadline - 9000, ZG_DUE_NOTHING);
    CHECK_STR(line, "", "nothing due: no sentence");
}

static void test_status(void)
{
    zg_open_task v[3];
    v[0] = delivered(1000, 21600);
    v[0].progress = "Delivered";
    v[0].fee = "1010000000000000";
    v[1] = delivered(1000, 21600);
    v[1].id = "acked";
    v[1].acknowledged = true;
    v[2] = (zg_open_task){.id = "training", .progress = "Training", .fee = "5"};
    memset(v[2].provider, 0x11, 20);
    zg_open_tasks l = {.v = v, .n = 3, .now = 1000 + 21600 - 3599, .window = 21600};
    zg_buf out;
    zg_buf_init(&out, 0);
    zg_err e = {0};
    CHECK(zg_deadline_format(&l, &out, &e) == 0, "format: %s", e.msg);
    zg_buf_append(&out, "", 1, NULL);
    char p[43], want[1024];
    zg_addr_checksum(p, v[0].provider);
    snprintf(want, sizeof want,
             "%s %s Delivered 0.00101OG 1h00m\n%s acked unknown - acknowledged\n"
             "%s training Training 0.000000000000000005OG -\n",
             p, v[0].id, p, p);
    CHECK_STR((const char *)out.data, want, "one line per task: provider, id, progress, fee, left");
    zg_buf_free(&out);
    l.n = 1;
    l.now = v[0].deadline;
    zg_buf_init(&out, 0);
    zg_deadline_format(&l, &out, NULL);
    zg_buf_append(&out, "", 1, NULL);
    CHECK(strstr((const char *)out.data, " passed\n") != NULL, "at the deadline: passed");
    zg_buf_free(&out);
}

static void test_parse(void)
{
    long s = 0;
    zg_err e = {0};
    CHECK(zg_autoack_parse("90", &s, &e) == 0 && s == 90, "seconds");
    CHECK(zg_autoack_parse("90s", &s, &e) == 0 && s == 90, "90s");
    CHECK(zg_autoack_parse("30m", &s, &e) == 0 && s == 1800, "30m");
    CHECK(zg_autoack_parse("24h", &s, &e) == 0 && s == 86400, "24h, the most");
    const char *bad[] = {"0", "25h", "-5", "+5", "5x", "m", "", "1441m", "86401"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        s = 7;
        CHECK(zg_autoack_parse(bad[i], &s, &e) == -1 && e.code == EINVAL && s == 7,
              "autoack=%s refused", bad[i]);
    }
}

/* What one look asked for. */
typedef struct seen_ops {
    char said[8][512];
    int nsaid;
    char acked[8][64];
    int nacked;
} seen_ops;

static void rec_say(void *arg, const char *line)
{
    seen_ops *o = arg;
    if (o->nsaid < 8)
        snprintf(o->said[o->nsaid++], 512, "%s", line);
}

static void rec_ack(void *arg, const zg_open_task *t)
{
    seen_ops *o = arg;
    if (o->nacked < 8)
        snprintf(o->acked[o->nacked++], 64, "%s", t->id);
}

static seen_ops look(zg_watch *w, int64_t now_ms, const zg_open_tasks *t)
{
    seen_ops o = {0};
    zg_watch_ops ops = {.arg = &o, .say = rec_say, .ack = rec_ack};
    zg_watch_look(w, now_ms, t, &ops);
    return o;
}

static void test_warn_once(void)
{
    zg_marks *m;
    zg_marks_new(&m, 64, NULL);
    zg_open_task t = delivered(1000, 21600);
    char line[512];
    CHECK(!zg_deadline_warn_once(m, &t, t.deadline - 9000, ZG_DUE_NOTHING, line, sizeof line),
          "nothing due: no line");
    CHECK(zg_deadline_warn_once(m, &t, t.deadline - 600, ZG_DUE_WARN, line, sizeof line) &&
              strstr(line, "within 10 min"),
          "the first warning is said");
    CHECK(!zg_deadline_warn_once(m, &t, t.deadline - 300, ZG_DUE_WARN, line, sizeof line),
          "the same warning again: not said");
    CHECK(zg_deadline_warn_once(m, &t, t.deadline + 5, ZG_DUE_PASSED, line, sizeof line) &&
              strstr(line, "closed 5 s ago"),
          "the deadline passing is another warning");
    CHECK(!zg_deadline_warn_once(m, &t, t.deadline + 50, ZG_DUE_PASSED, line, sizeof line),
          "and said once too");
    zg_marks_free(m);
}

static void test_watch_looks(void)
{
    zg_marks *m;
    zg_marks_new(&m, 64, NULL);
    zg_watch *w;
    CHECK(zg_watch_new(&w, ZG_AUTOACK_OFF, m, NULL) == 0, "new");
    char line[256];
    zg_watch_banner(line, sizeof line, ZG_AUTOACK_OFF);
    CHECK_STR(line, "", "off: no banner");
    zg_watch_banner(line, sizeof line, 1800);
    CHECK_STR(line, "autoack: delivered models are acknowledged 1800 s before their deadline",
              "the banner with a duration");
    CHECK(zg_watch_period_ms(w) == ZG_WATCH_PLAIN_MS, "off: the plain period");
    int64_t t0 = 1000000;
    CHECK(zg_watch_look_due(w, t0), "the first check looks (nothing known yet)");
    zg_open_tasks none = {.now = 5000, .window = 21600};
    seen_ops o = look(w, t0, &none);
    CHECK(o.nsaid == 0 && o.nacked == 0, "nothing open: nothing done");
    CHECK(!zg_watch_look_due(w, t0 + ZG_WATCH_PLAIN_MS), "idle: the next period does not look");
    CHECK(zg_watch_look_due(w, t0 + ZG_WATCH_IDLE_MS), "idle: every few minutes it does");
    zg_watch_poke(w, t0 + 1000);
    CHECK(zg_watch_look_due(w, t0 + ZG_WATCH_PLAIN_MS), "a task created here: looks every period");
    o = look(w, t0 + 2000, NULL);
    CHECK(o.nsaid == 0 && zg_watch_look_due(w, t0 + 2000 + ZG_WATCH_IDLE_MS + ZG_WATCH_BUSY_MS),
          "a failed scan: the next period looks again, whatever else");
    int64_t late = t0 + 1000 + ZG_WATCH_BUSY_MS;
    look(w, late - 1000, &none);
    CHECK(zg_watch_look_due(w, late - 500), "busy until two hours after the task");
    CHECK(!zg_watch_look_due(w, late + ZG_WATCH_PLAIN_MS), "then idle again");

    zg_open_task v[2] = {delivered(1000, 21600), delivered(1000, 21600)};
    v[1].id = "second";
    zg_open_tasks l = {.v = v, .n = 2, .now = v[0].deadline - 100, .window = 21600};
    o = look(w, t0 + 3000, &l);
    CHECK(o.nacked == 0 && o.nsaid == 2 && strstr(o.said[0], v[0].id) &&
              strstr(o.said[1], "task second"),
          "off, near the deadline: one warning per task, no acknowledgement");
    o = look(w, t0 + 4000, &l);
    CHECK(o.nsaid == 0, "the next look: the warnings are not said again");
    CHECK(zg_watch_look_due(w, t0 + 4000 + ZG_WATCH_PLAIN_MS), "open work: every period");
    zg_watch_free(w);
    zg_marks_free(m);
}

static void test_watch_outcomes(void)
{
    zg_marks *m;
    zg_marks_new(&m, 64, NULL);
    zg_watch *w;
    zg_watch_new(&w, 1800, m, NULL);
    CHECK(zg_watch_period_ms(w) == ZG_WATCH_AUTOACK_MS, "autoack: the short period");
    zg_open_task v[2] = {delivered(1000, 21600), delivered(1000, 21600)};
    v[1].id = "second";
    memset(v[1].provider, 0x22, 20);
    zg_open_tasks l = {.v = v, .n = 2, .now = v[0].deadline - 1000, .window = 21600};
    seen_ops o = look(w, 1, &l);
    CHECK(o.nacked == 2 && o.nsaid == 0, "autoack=30m, 1000 s left: both acknowledged, no warning");
    CHECK(zg_watch_look_due(w, 2), "autoack: every period looks");

    char p[43], line[1024], want[1024];
    zg_addr_checksum(p, v[0].provider);
    zg_watch_name(line, sizeof line, &v[0]);
    snprintf(want, sizeof want, "autoack: providers/%s/tasks/%s/lora.bin", p, v[0].id);
    CHECK_STR(line, want, "the name of the acknowledgement");

    zg_err net = {.code = ECONNREFUSED};
    snprintf(net.msg, sizeof net.msg, "connection refused");
    CHECK(zg_watch_outcome(w, &v[1], NULL, &net, false, line, sizeof line) &&
              strstr(line, ": error: connection refused; tried again at the next look"),
          "a network failure is said: %s", line);
    CHECK(!zg_watch_outcome(w, &v[1], NULL, &net, false, line, sizeof line),
          "the same failure again: quiet");
    zg_err slow = {.code = ETIMEDOUT};
    snprintf(slow.msg, sizeof slow.msg, "no answer");
    CHECK(zg_watch_outcome(w, &v[1], NULL, &slow, false, line, sizeof line) &&
              strstr(line, ": error: no answer") && !strstr(line, "tried again"),
          "another errno is said (a timeout without the retry note): %s", line);
    CHECK(zg_watch_outcome(w, &v[1], "acknowledged", NULL, false, line, sizeof line) &&
              strstr(line, "lora.bin: ok: acknowledged"),
          "success is said: %s", line);
    CHECK(zg_watch_outcome(w, &v[1], NULL, &slow, false, line, sizeof line),
          "after a success the same failure is news again");
    zg_err other = {.code = EHOSTUNREACH};
    snprintf(other.msg, sizeof other.msg, "x");
    CHECK(!zg_watch_outcome(w, &v[1], NULL, &other, true, line, sizeof line),
          "a retried failure while stopping: quiet");

    zg_err bad = {.code = EIO};
    snprintf(bad.msg, sizeof bad.msg, "the model does not match its hash");
    CHECK(zg_watch_outcome(w, &v[0], NULL, &bad, true, line, sizeof line) &&
              strstr(line, "not tried again while mounted"),
          "a model failing its checks is refused, said even while stopping: %s", line);
    o = look(w, 3, &l);
    CHECK(o.nacked == 1 && !strcmp(o.acked[0], "second"),
          "a refused model is never tried again; the other task still is");
    CHECK(o.nsaid == 1 && strstr(o.said[0], v[0].id) && strstr(o.said[0], "within 17 min"),
          "the refused model's deadline is warned as without autoack");
    l.now += 10;
    o = look(w, 4, &l);
    CHECK(o.nsaid == 0 && o.nacked == 1, "once");
    zg_watch_free(w);
    zg_marks_free(m);
}

int main(void)
{
    test_window();
    test_due();
    test_sentences();
    test_status();
    test_parse();
    test_warn_once();
    test_watch_looks();
    test_watch_outcomes();
    return check_done();
}
