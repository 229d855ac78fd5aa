/* Core modules that need no network: dataset checks, the journal. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "zg/dataset.h"
#include "zg/hex.h"
#include "zg/journal.h"
#include "zg/keccak.h"
#include "zg/ops.h"
#include "zg/secp.h"
#include "zg/tasks.h"

static char dir[] = "/tmp/zgcore.XXXXXX";

static const char *put(const char *name, const void *data, size_t n)
{
    static char path[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(path[i], sizeof path[i], "%s/%s", dir, name);
    FILE *f = fopen(path[i], "wb");
    fwrite(data, 1, n, f);
    fclose(f);
    return path[i];
}

static void dataset_ok(const char *text, uint64_t want_rows, const char *what)
{
    char hash[67], want[67] = "0x";
    uint64_t rows = 0;
    zg_err e = {0};
    int rc = zg_dataset_check(put("ok.jsonl", text, strlen(text)), hash, &rows, &e);
    uint8_t h[32];
    zg_keccak256(h, text, strlen(text));
    zg_hex_encode(want + 2, h, 32);
    CHECK(rc == 0 && rows == want_rows && strcmp(hash, want) == 0, "%s (%s)", what,
          rc ? e.msg : "ok");
}

static void dataset_bad(const void *data, size_t n, int code, const char *needle, const char *what)
{
    char hash[67];
    zg_err e = {0};
    int rc = zg_dataset_check(put("bad.jsonl", data, n), hash, NULL, &e);
    CHECK(rc == -1 && e.code == code && strstr(e.msg, needle), "%s: %s", what, e.msg);
}

static void datasets(void)
{
    dataset_ok("{\"instruction\":\"hi\",\"input\":\"\",\"output\":\"hello\"}\n", 1,
               "instruction/input/output accepted; hash is keccak256 of the bytes");
    dataset_ok("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\","
               "\"content\":\"b\"}]}\n\n{\"text\":\"plain\"}",
               2, "messages and text accepted, blank lines and a missing final newline too");
    dataset_ok("{\"instruction\":\"Grüße, 你好 👋\",\"output\":\"ok\"}\n", 1, "UTF-8 text accepted");
    dataset_bad("", 0, EINVAL, "empty", "an empty file is refused");
    dataset_bad("\n  \n", 4, EINVAL, "empty", "a file of blank lines is refused");
    const uint8_t bin[] = {0x7f, 'E', 'L', 'F', 0, 1, 2, 3};
    dataset_bad(bin, sizeof bin, EINVAL, "UTF-8", "a binary file is refused");
    const uint8_t latin1[] = "{\"text\":\"caf\xe9\"}\n";
    dataset_bad(latin1, sizeof latin1 - 1, EINVAL, "line 1 is not valid UTF-8",
                "Latin-1 is refused");
    const uint8_t overlong[] = "{\"text\":\"\xc0\xaf\"}\n";
    dataset_bad(overlong, sizeof overlong - 1, EINVAL, "UTF-8", "overlong UTF-8 refused");
    const uint8_t surrogate[] = "{\"text\":\"\xed\xa0\x80\"}\n";
    dataset_bad(surrogate, sizeof surrogate - 1, EINVAL, "UTF-8", "a UTF-16 surrogate refused");
    const char *two = "{\"text\":\"a\"}\n[1,2]\n";
    dataset_bad(two, strlen(two), EINVAL, "line 2 is not a JSON object", "a non-object line named");
    const char *shape = "{\"question\":\"a\",\"answer\":\"b\"}\n";
    dataset_bad(shape, strlen(shape), EINVAL, "accepted shapes", "an unknown shape refused");
    const uint8_t cut[] = "{\"text\":\"x\"}\n\xe4\xbd";
    dataset_bad(cut, sizeof cut - 1, EINVAL, "inside a UTF-8 character", "a cut character refused");
    char hash[67];
    zg_err e;
    CHECK(zg_dataset_check("/nonexistent/x.jsonl", hash, NULL, &e) == -1 && e.code == ENOENT,
          "a missing file is ENOENT");
}

/* One line each, through the public check: OK, not an object (N), or an
 * object of no accepted shape (S). */
static void records(void)
{
    static const struct {
        const char *line;
        char want;
    } cases[] = {
        {"{\"instruction\":\"a\",\"input\":\"\",\"output\":\"b\"}", 'O'},
        {" \t{\"text\":\"a\"}\r", 'O'},
        {"{\"instr\\u0075ction\":\"a\",\"output\":\"b\"}", 'O'}, /* an escaped key */
        {"{\"text\":1,\"text\":\"a\"}", 'S'},                    /* the first occurrence counts */
        {"{\"text\":\"a\",\"text\":1}", 'O'},
        {"{\"text\":\"\\ud83d\\ude00 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}", 'O'},
        {"{\"text\":\"a\"} x", 'N'}, /* trailing text */
        {"{\"text\":\"a\"", 'N'},
        {"{\"text\":\"a\",}", 'N'},
        {"{\"text\" \"a\"}", 'N'},
        {"{text:\"a\"}", 'N'},
        {"{\"text\":'a'}", 'N'},
        {"{\"text\":\"a\tb\"}", 'N'}, /* a raw control character */
        {"{\"text\":\"\\x\"}", 'N'},
        {"{\"text\":\"\\u12\"}", 'N'},
        {"[{\"text\":\"a\"}]", 'N'},
        {"\"text\"", 'N'},
        {"{\"n\":-0.5e+10,\"m\":[1,2.0,true,false,null,{}],\"text\":\"a\"}", 'O'},
        {"{\"n\":01,\"text\":\"a\"}", 'N'},
        {"{\"n\":1.,\"text\":\"a\"}", 'N'},
        {"{\"n\":+1,\"text\":\"a\"}", 'N'},
        {"{\"n\":.5,\"text\":\"a\"}", 'N'},
        {"{\"n\":tru,\"text\":\"a\"}", 'N'},
        {"{\"instruction\":\"a\"}", 'S'},
        {"{\"output\":\"b\"}", 'S'},
        {"{\"instruction\":\"a\",\"output\":2}", 'S'},
        {"{\"text\":null}", 'S'},
        {"{}", 'S'},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}", 'O'},
        {"{\"messages\":[]}", 'S'},
        {"{\"messages\":[{\"role\":\"user\"}]}", 'S'},
        {"{\"messages\":[{\"role\":\"user\",\"content\":1}]}", 'S'},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},\"x\"]}", 'S'},
        {"{\"messages\":{\"role\":\"user\",\"content\":\"a\"}}", 'S'},
        {"{\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"extra\":[1,{\"b\":[]}]}]}", 'O'},
        {"{\"a\":{\"text\":\"nested does not count\"}}", 'S'},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[512], hash[67];
        zg_err e = {0};
        int n = snprintf(line, sizeof line, "%s\n", cases[i].line);
        int rc = zg_dataset_check(put("rec.jsonl", line, (size_t)n), hash, NULL, &e);
        char got = rc == 0                                        ? 'O'
                   : strstr(e.msg, "is not a JSON object")        ? 'N'
                   : strstr(e.msg, "none of the accepted shapes") ? 'S'
                                                                  : '?';
        CHECK(got == cases[i].want, "record %s -> %c (%s)", cases[i].line, cases[i].want,
              rc ? e.msg : "ok");
    }
    /* Nesting: 1000 levels is fine, deeper is refused, never a crash. */
    size_t depth = 5000;
    char *deep = malloc(2 * depth + 64);
    if (!deep)
        return;
    for (size_t d = 998; d <= 1002; d += 4) {
        size_t k = (size_t)sprintf(deep, "{\"text\":\"a\",\"x\":");
        for (size_t j = 0; j < d; j++)
            deep[k++] = '[';
        for (size_t j = 0; j < d; j++)
            deep[k++] = ']';
        k += (size_t)sprintf(deep + k, "}\n");
        char hash[67];
        zg_err e = {0};
        int rc = zg_dataset_check(put("deep.jsonl", deep, k), hash, NULL, &e);
        CHECK(d < 1000 ? rc == 0 : rc == -1 && e.code == EINVAL, "%zu levels of nesting: %s", d,
              rc ? e.msg : "ok");
    }
    free(deep);
}

typedef struct marks {
    uint64_t last, calls;
    bool backwards;
} marks;

static void mark(void *ctx, uint64_t n)
{
    marks *m = ctx;
    m->backwards |= n < m->last;
    m->last = n;
    m->calls++;
}

/* Files larger than one read block: lines and UTF-8 characters that span
 * blocks, and the progress a gated upload relies on. */
static void datasets_large(void)
{
    size_t n = 700 * 1024;
    char *buf = malloc(n + 1);
    if (!buf)
        return;
    /* Rows of 100 bytes: the first block boundary (256 KiB) falls at byte
     * 44 of row 2621, where a 3-byte character goes (the euro sign). */
    size_t off = 0;
    while (off + 100 <= n) {
        int w = snprintf(buf + off, n - off + 1, "{\"text\":\"%0*d\"}\n", 88, (int)off);
        off += (size_t)w;
    }
    size_t size = off;
    size_t at = 256 * 1024 - 1;
    memcpy(buf + at, "\xe2\x82\xac", 3);
    char hash[67];
    uint64_t rows = 0;
    zg_err e = {0};
    marks m = {0};
    const char *path = put("large.jsonl", buf, size);
    int rc = zg_dataset_check_progress(path, hash, &rows, mark, &m, &e);
    CHECK(rc == 0 && rows == size / 100,
          "700 KiB across read blocks, a character split by one (%s)", rc ? e.msg : "ok");
    CHECK(m.calls >= 3 && !m.backwards && m.last == size,
          "progress goes forward and ends at the file's size (%llu calls, last %llu)",
          (unsigned long long)m.calls, (unsigned long long)m.last);

    buf[at + 1] = 'y'; /* the character's second byte is no continuation */
    m = (marks){0};
    rc = zg_dataset_check_progress(put("large.jsonl", buf, size), hash, NULL, mark, &m, &e);
    CHECK(rc == -1 && e.code == EINVAL && strstr(e.msg, "UTF-8"),
          "a broken character at a block boundary is refused: %s", e.msg);
    CHECK(m.last < at, "...and progress never passed its line (%llu < %zu)",
          (unsigned long long)m.last, at);

    /* A bad last line: progress stops short of the end. */
    buf[at + 1] = '\x82';
    memcpy(buf + size - 100, "{\"text\": broken", 16);
    m = (marks){0};
    rc = zg_dataset_check_progress(put("large.jsonl", buf, size), hash, NULL, mark, &m, &e);
    CHECK(rc == -1 && e.code == EINVAL && m.last <= size - 100,
          "a bad last line: refused, and progress stops before it (%s)", e.msg);
    free(buf);

    /* Blank lines only: every line passes, the file does not (no record),
     * so a gated upload must not be let through to its end. */
    static const char blanks[] = "\n  \n\t\r\n";
    m = (marks){0};
    rc = zg_dataset_check_progress(put("blank.jsonl", blanks, sizeof blanks - 1), hash, NULL, mark,
                                   &m, &e);
    CHECK(rc == -1 && e.code == EINVAL && m.last < sizeof blanks - 1,
          "blank lines only: refused, and progress stops short of the end (%llu of %zu): %s",
          (unsigned long long)m.last, sizeof blanks - 1, e.msg);
}

static void journal(void)
{
    char jd[300];
    snprintf(jd, sizeof jd, "%s/journal/deep", dir);
    zg_journal *j;
    zg_err e = {0};
    CHECK(zg_journal_open(&j, jd, &e) == 0, "journal directory created");
    char id[40], id2[40];
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "amount", "1");
    CHECK(zg_journal_begin(j, "deposit", f, id, &e) == 0, "record begun");
    CHECK(zg_journal_begin(j, "task", NULL, id2, &e) == 0 && strcmp(id, id2) < 0,
          "ids sort in time order");
    cJSON *open = NULL;
    zg_journal_open_records(j, &open, &e);
    CHECK(cJSON_GetArraySize(open) == 0, "records held by their operation are left to it");
    cJSON_Delete(open);
    zg_journal_release(j, id);
    zg_journal_release(j, id2);
    zg_journal_release(j, "0000000000-0000-0"); /* not held: nothing happens */
    zg_journal_open_records(j, &open, &e);
    CHECK(cJSON_GetArraySize(open) == 2, "two open records once released");
    cJSON_Delete(open);
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "result", "ok");
    CHECK(zg_journal_update(j, id, "done", g, &e) == 0, "record finished");
    cJSON *rec = NULL;
    zg_journal_get(j, id, &rec, &e);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "state")), "done", "state on disk");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "amount")), "1", "intent kept");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "result")), "ok", "result merged");
    cJSON_Delete(rec);
    zg_journal_open_records(j, &open, &e);
    CHECK(cJSON_GetArraySize(open) == 1, "finished records are not open");
    cJSON_Delete(open);
    cJSON *all = NULL;
    zg_journal_records(j, "deposit", &all, &e);
    CHECK(cJSON_GetArraySize(all) == 1, "records by operation include finished ones");
    cJSON_Delete(all);
    CHECK(zg_journal_update(j, "../../etc/passwd", "done", NULL, &e) == -1 && e.code == EINVAL,
          "a path is not a record id");
    CHECK(zg_journal_get(j, "0000000000-0000-1", &rec, &e) == -1 && e.code == ENOENT,
          "missing record is ENOENT");

    /* An acknowledgement the reconciler found on chain is told apart from
     * one this mount finished itself. */
    const char *prov = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    const char *hash = "0x1111111111111111111111111111111111111111111111111111111111111111";
    uint8_t pa[20];
    zg_addr_parse(pa, prov, NULL);
    char aid[40], bid[40], tx[67] = "";
    for (int k = 0; k < 2; k++) {
        cJSON *af = cJSON_CreateObject();
        cJSON_AddStringToObject(af, "provider", prov);
        cJSON_AddStringToObject(af, "task", k ? "task-b" : "task-a");
        zg_journal_begin(j, "ack", af, k ? bid : aid, &e);
        cJSON *sent = cJSON_CreateObject(), *txo = cJSON_AddObjectToObject(sent, "tx");
        cJSON_AddStringToObject(txo, "hash", hash);
        zg_journal_update(j, k ? bid : aid, "sent", sent, &e);
    }
    cJSON *rf = cJSON_CreateObject();
    cJSON_AddBoolToObject(rf, "recovered", true);
    zg_journal_update(j, aid, "done", rf, &e);
    zg_journal_update(j, bid, "done", NULL, &e);
    CHECK(zg_op_ack_recovered(j, pa, "task-a", tx) && !strcmp(tx, hash),
          "an acknowledgement settled by the reconciler is recovered, with its tx");
    CHECK(!zg_op_ack_recovered(j, pa, "task-b", tx), "one the mount finished itself is not");
    CHECK(!zg_op_ack_recovered(j, pa, "task-c", tx), "nor is a task never acknowledged");
    zg_addr_parse(pa, "0x2222222222222222222222222222222222222222", NULL);
    CHECK(!zg_op_ack_recovered(j, pa, "task-a", tx), "nor the same task id with another provider");
    zg_journal_close(j);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls -a %s | grep -c tmp", jd);
    FILE *p = popen(cmd, "r");
    int tmps = -1;
    if (p) {
        if (fscanf(p, "%d", &tmps) != 1)
            tmps = -1;
        pclose(p);
    }
    CHECK(tmps == 0, "no temporary files are left behind");
}

#define PARAMS                                                                                     \
    "\"neftune_noise_alpha\":5,\"num_train_epochs\":1,\"per_device_train_batch_size\":2,"          \
    "\"learning_rate\":0.0002,\"max_steps\":-1"

static void task_doc_bad(const char *text, const char *needle, const char *what)
{
    zg_task_doc d;
    zg_err e = {0};
    int rc = zg_task_doc_parse(&d, text, strlen(text), &e);
    CHECK(rc == -1 && e.code == EINVAL && strstr(e.msg, needle), "%s: %s", what, e.msg);
}

static void task_docs(void)
{
    zg_task_doc d;
    zg_err e = {0};
    const char *good =
        "{ \"model\": \"m\",\n \"neftune_noise_alpha\" : 5, \"dataset\": \"qa.jsonl\", "
        "\"num_train_epochs\":1,\"per_device_train_batch_size\":2,"
        "\"learning_rate\":0.00001,\"max_steps\":-1}\n";
    int rc = zg_task_doc_parse(&d, good, strlen(good), &e);
    CHECK(rc == 0, "a task document parses: %s", rc ? e.msg : "ok");
    if (rc == 0) {
        CHECK_STR(d.model, "m", "...its model");
        CHECK_STR(d.dataset, "qa.jsonl", "...its dataset");
        CHECK_STR(
            (const char *)d.params.data,
            "{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,\"per_device_train_batch_size\":"
            "2,\"learning_rate\":0.00001,\"max_steps\":-1}",
            "...the parameters byte for byte (0.00001 stays 0.00001)");
        zg_task_doc_free(&d);
    }
    task_doc_bad("{\"model\":\"m\",\"dataset\":\"qa.jsonl\"," PARAMS ",\"num_train_epochs\":1000}",
                 "key \"num_train_epochs\" appears twice", "a parameter given twice");
    task_doc_bad("{\"model\":\"m\",\"dataset\":\"qa.jsonl\"," PARAMS ",\"model\":\"other\"}",
                 "key \"model\" appears twice", "the model given twice");
    task_doc_bad("{\"model\":\"m\",\"dataset\":\"qa.jsonl\",\n" PARAMS ",\n\"learning_rate\":2e-4}",
                 "key \"learning_rate\" appears twice in one object (line 3)",
                 "an exponent behind a duplicate, with the line");
    task_doc_bad("{\"model\":\"m\",\"dataset\":\"qa.jsonl\"," PARAMS ",\"x\":{\"a\":1,\"a\":2}}",
                 "key \"a\" appears twice", "a duplicate in a nested object");
    task_doc_bad("{\"model\":\"m\",\"dataset\":\"qa.jsonl\",\"neftune_noise_alpha\":5,"
                 "\"num_train_epochs\":1,\"per_device_train_batch_size\":2,\"learning_rate\":2e-4,"
                 "\"max_steps\":-1}",
                 "plain decimal", "an exponent");
    task_doc_bad("", "empty", "an empty document");
    task_doc_bad("\n", "empty", "a blank document");
    task_doc_bad("[1]", "not a JSON object", "an array");
    task_doc_bad("{\"model\": \"m\",", "not valid JSON: the text ends inside an object",
                 "a document cut short");
    task_doc_bad("{\"dataset\":\"qa.jsonl\"," PARAMS "}", "\"model\" is missing", "no model");
    task_doc_bad("{\"model\":\"m\"," PARAMS "}", "\"dataset\" is missing", "no dataset");
    task_doc_bad("{\"model\":\"m\",\"dataset\":\"qa.jsonl\",\"lora_r\":8," PARAMS "}",
                 "\"lora_r\" is not accepted", "an unknown parameter");
}

int main(void)
{
    if (!mkdtemp(dir))
        return 2;
    task_docs();
    datasets();
    datasets_large();
    records();
    journal();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 2;
    return check_done();
}
