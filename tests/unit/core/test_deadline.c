/* The deadline watch's rule (zg/deadline.h): the acknowledgement window,
 * what is due at each moment with and without the automatic
 * acknowledgement, the warnings' sentences and the status lines. */
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
    CHECK(zg_deadline_due(&u, 5, ZG_AUTOACK_AT_DELIVERY) == ZG_DUE_NOTHING,
          "not delivered: nothing due");
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

int main(void)
{
    test_window();
    test_due();
    test_sentences();
    test_status();
    return check_done();
}
