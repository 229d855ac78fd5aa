/* zg/results.h: each uid's last outcome of each file, bounded, and the
 * outcome's line and log line. */
#include <errno.h>
#include <stdlib.h>

#include "../check.h"
#include "zg/results.h"

static char *got(zg_results *r, uid_t uid, const char *path)
{
    static char text[256];
    zg_buf b;
    zg_buf_init(&b, 0);
    bool found = zg_results_get(r, uid, path, &b);
    snprintf(text, sizeof text, "%s", found ? (const char *)b.data : "(none)");
    zg_buf_free(&b);
    return text;
}

static void store(void)
{
    zg_results *r;
    zg_err err = {0};
    CHECK(zg_results_new(&r, &err) == 0, "a results store");
    CHECK_STR(got(r, 1000, "/fund"), "(none)", "nothing before the first outcome");
    zg_results_set(r, 1000, "/fund", "ok: funded");
    zg_results_set(r, 1001, "/fund", "error: no");
    CHECK_STR(got(r, 1000, "/fund"), "ok: funded\n", "a uid reads its own result, with a newline");
    CHECK_STR(got(r, 1001, "/fund"), "error: no\n", "...another uid its own");
    CHECK_STR(got(r, 1000, "/deposit"), "(none)", "...per path");
    zg_results_set(r, 1000, "/fund", "ok: again");
    CHECK_STR(got(r, 1000, "/fund"), "ok: again\n", "a later result replaces the earlier");
    char path[32];
    for (int i = 0; i < ZG_RESULTS_MAX - 1; i++) {
        snprintf(path, sizeof path, "/f%d", i);
        zg_results_set(r, 1, path, "ok: done");
    }
    CHECK_STR(got(r, 1000, "/fund"), "ok: again\n", "%d results are kept", ZG_RESULTS_MAX);
    CHECK_STR(got(r, 1001, "/fund"), "(none)", "...past that, the oldest goes first");
    CHECK_STR(got(r, 1, "/f0"), "ok: done\n", "...and only it");
    zg_results_free(r);
}

static void lines(void)
{
    char line[ZG_RESULTS_LINE_MAX];
    zg_err err = {0};
    zg_results_line(line, sizeof line, "funded 3 OG", NULL);
    CHECK_STR(line, "ok: funded 3 OG", "success with a sentence");
    zg_results_line(line, sizeof line, "", NULL);
    CHECK_STR(line, "ok: done", "success without one");
    zg_results_line(line, sizeof line, NULL, NULL);
    CHECK_STR(line, "ok: done", "...or with none at all");
    zg_err_set(&err, EPERM, "not the task's owner");
    zg_results_line(line, sizeof line, "ignored", &err);
    CHECK_STR(line, "error: not the task's owner", "a failure with its sentence");
    err = (zg_err){.code = ENOSPC};
    zg_results_line(line, sizeof line, NULL, &err);
    CHECK_STR(line, "error: No space left on device", "a failure without one: its errno's words");
    err = (zg_err){.code = 0};
    zg_results_line(line, sizeof line, NULL, &err);
    CHECK_STR(line, "error: Input/output error", "a failure without an errno is EIO");
    CHECK(zg_err_errno(&(zg_err){.code = 5000}) == EIO &&
              zg_err_errno(&(zg_err){.code = -2}) == EIO &&
              zg_err_errno(&(zg_err){.code = ENOENT}) == ENOENT,
          "only errnos are errnos");
}

static void record(void)
{
    zg_results *r;
    zg_oplog *log;
    zg_err err = {0};
    if (zg_results_new(&r, &err) || zg_oplog_new(&log, 1 << 16, &err)) {
        CHECK(0, "set up: %s", err.msg);
        return;
    }
    zg_results_record(r, log, 1000, "/providers/0xAb/fund", "fund 3", "funded 3 OG", NULL);
    zg_err_set(&err, EINVAL, "bad amount");
    char cmd[100];
    memset(cmd, 'a', sizeof cmd - 1);
    cmd[sizeof cmd - 1] = '\0';
    zg_results_record(r, log, 1001, "/deposit", cmd, NULL, &err);
    zg_results_record(r, NULL, 1002, "/deposit", "x", NULL, NULL);
    CHECK_STR(got(r, 1000, "/providers/0xAb/fund"), "ok: funded 3 OG\n", "the ok line is kept");
    CHECK_STR(got(r, 1001, "/deposit"), "error: bad amount\n", "the error line too");
    CHECK_STR(got(r, 1002, "/deposit"), "ok: done\n", "...also without a log");
    char text[4096] = {0};
    zg_oplog_read(log, 0, text, sizeof text - 1);
    CHECK(strstr(text, " uid 1000 providers/0xAb/fund <- \"fund 3\": ok: funded 3 OG\n") != NULL,
          "the log line names the uid, the path and the command");
    char want[200];
    snprintf(want, sizeof want, " uid 1001 deposit <- \"%.*s...\": error: bad amount\n",
             ZG_RESULTS_CMD_SHOWN, cmd);
    CHECK(strstr(text, want) != NULL, "a long command is cut after %d bytes", ZG_RESULTS_CMD_SHOWN);
    CHECK(strstr(text, "uid 1002") == NULL, "no log, no line");
    zg_oplog_free(log);
    zg_results_free(r);
}

int main(void)
{
    store();
    lines();
    record();
    return check_done();
}
