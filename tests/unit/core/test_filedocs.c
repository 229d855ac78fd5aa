/* The documents and sentences the filesystem's files show, built by the
 * core from hand-made values: each check names the field or wording a
 * change would break. The mount's suites (tests/fs) read the same text
 * through the files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../check.h"
#include "zg/adapter.h"
#include "zg/artifact.h"
#include "zg/fdio.h"
#include "zg/jsontext.h"
#include "zg/modelcrypt.h"
#include "zg/namefiles.h"
#include "zg/secp.h"
#include "zg/taskdoc.h"

static const char ida[] = "0f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
static const char idb[] = "1f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6";

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    if (!j)
        abort();
    return j;
}

/* A walk's names, each followed by ';'. */
static int joined(void *arg, const char *name, zg_err *err)
{
    return zg_buf_printf(arg, err, "%s;", name);
}

static void listings(void)
{
    char text[512], canon[80];
    zg_err e = {0};
    zg_buf b;
    zg_buf_init(&b, 0);
    snprintf(text, sizeof text,
             "[{\"id\":\"%s\"},{\"id\":\"not-a-uuid\"},{\"progress\":\"Init\"},"
             "{\"id\":\"0F6E2C8A-1B2C-4D5E-8F90-A1B2C3D4E5F6\"}]",
             idb);
    cJSON *tasks = parse(text);
    CHECK(zg_task_ids(tasks, joined, &b, &e) == 0, "tasks/ listing");
    snprintf(text, sizeof text, "%s;%s;", idb, ida);
    CHECK_STR((char *)b.data, text, "tasks/: each task id in canonical form, nothing else");
    b.len = 0;
    cJSON *adapters = parse("[{\"adapterName\":\"ft-a\"},{\"adapterName\":\".hidden\"},"
                            "{\"adapterName\":\"a/b\"},{\"state\":\"init\"},"
                            "{\"adapterName\":\"ft_b.2\"}]");
    CHECK(zg_adapter_names(adapters, joined, &b, &e) == 0, "adapters/ listing");
    CHECK_STR((char *)b.data, "ft-a;ft_b.2;", "adapters/: the names that can be file names");
    CHECK(zg_adapter_name_parse("ft-a", canon, &e) == 0 && !strcmp(canon, "ft-a"),
          "adapters/NAME taken as spelled");
    CHECK(zg_adapter_name_parse(".x", canon, &e) == -1 && e.code == ENOENT &&
              !strcmp(e.msg, "not an adapter name"),
          "adapters/.x: ENOENT \"not an adapter name\"");
    zg_buf_free(&b);
    cJSON_Delete(tasks);
    cJSON_Delete(adapters);
}

static void task_list(void)
{
    char text[256], id[37];
    zg_err e = {0};
    snprintf(text, sizeof text, "[{\"id\":\"%s\",\"progress\":\"Training\"},{\"id\":\"%s\"}]", idb,
             ida);
    cJSON *list = parse(text), *empty = parse("[]"),
          *upper = parse("[{\"id\":\"0F6E2C8A-1B2C-4D5E-8F90-A1B2C3D4E5F6\"}]");
    CHECK(zg_task_find(list, ida) == cJSON_GetArrayItem(list, 1), "a task found by its id");
    CHECK(zg_task_find(list, "0f6e2c8a") == NULL, "no task by a part of its id");
    CHECK(zg_task_latest(list, id, &e) == 0 && !strcmp(id, idb), "latest: the list's first");
    CHECK(zg_task_latest(upper, id, &e) == 0 && !strcmp(id, ida), "latest in lower case");
    CHECK(zg_task_latest(empty, id, &e) == -1 && e.code == ENOENT && !strcmp(e.msg, "no tasks yet"),
          "latest without tasks: ENOENT");

    zg_err refused = {.code = EPERM};
    zg_task_lookup_errno(&refused);
    CHECK(refused.code == ENOENT, "another user's task: no such task");
    refused.code = EINVAL;
    zg_task_lookup_errno(&refused);
    CHECK(refused.code == ENOENT, "an invalid id: no such task");
    refused.code = EIO;
    zg_task_lookup_errno(&refused);
    CHECK(refused.code == EIO, "a failed request stays what it is");

    zg_buf b;
    zg_buf_init(&b, 0);
    CHECK(zg_task_progress_text(cJSON_GetArrayItem(list, 0), &b, &e) == 0, "progress");
    CHECK_STR((char *)b.data, "Training\n", "progress: the provider's word and a newline");
    b.len = 0;
    CHECK(zg_task_progress_text(cJSON_GetArrayItem(list, 1), &b, &e) == 0, "progress");
    CHECK_STR((char *)b.data, "unknown\n", "progress without one: unknown");
    zg_buf_free(&b);
    cJSON_Delete(list);
    cJSON_Delete(empty);
    cJSON_Delete(upper);
}

static void deliverable(void)
{
    uint8_t root[32], secret[3] = {1, 2, 3}, prov[20] = {0xab};
    for (int i = 0; i < 32; i++)
        root[i] = (uint8_t)i;
    char id[] = "0f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
    zg_deliverable d = {.id = id,
                        .root = root,
                        .root_len = 32,
                        .secret = secret,
                        .secret_len = 0,
                        .acknowledged = false,
                        .timestamp = 1700000000,
                        .settled = false};
    zg_err e = {0};
    zg_buf b;
    zg_buf_init(&b, 0);
    CHECK(zg_task_ack_window(1, 0) == zg_ack_window(0), "window from the lock time");
    CHECK(zg_task_ack_window(0, 12345) == ZG_ACK_WINDOW_MAX, "unknown lock time: the cap");
    CHECK(zg_deliverable_doc(&d, 3600, &b, &e) == 0, "deliverable.json");
    CHECK_STR((char *)b.data,
              "{\n"
              "  \"id\": \"0f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6\",\n"
              "  \"modelRootHash\": "
              "\"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\",\n"
              "  \"modelRootForm\": \"raw\",\n"
              "  \"modelRoots\": [\n"
              "    \"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\"\n"
              "  ],\n"
              "  \"acknowledged\": false,\n"
              "  \"settled\": false,\n"
              "  \"secretPresent\": false,\n"
              "  \"deliverTime\": 1700000000,\n"
              "  \"acknowledgeDeadline\": 1700003600\n"
              "}\n",
              "deliverable.json, byte for byte: the deadline is delivery + window");
    b.len = 0;
    uint8_t junk[5] = {9, 9, 9, 9, 9};
    d.root = junk;
    d.root_len = sizeof junk;
    d.secret_len = 3;
    d.acknowledged = d.settled = true;
    CHECK(zg_deliverable_doc(&d, 0, &b, &e) == 0, "deliverable.json of an unknown form");
    cJSON *j = cJSON_Parse((char *)b.data);
    CHECK(
        j && !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "modelRootForm")), "unknown") &&
            cJSON_GetArraySize(cJSON_GetObjectItem(j, "modelRoots")) == 0 &&
            cJSON_IsTrue(cJSON_GetObjectItem(j, "secretPresent")) &&
            cJSON_IsTrue(cJSON_GetObjectItem(j, "acknowledged")) &&
            cJSON_IsTrue(cJSON_GetObjectItem(j, "settled")) &&
            !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "modelRootHash")), "0x0909090909"),
        "unknown form: no roots, the posted bytes as hex, the flags");
    cJSON_Delete(j);
    zg_buf_free(&b);

    zg_ft_account acct = {.deliverables = &d, .ndeliverables = 1};
    zg_deliverable copy;
    CHECK(zg_deliverable_copy(&acct, "other", &copy, &e) == -1 && e.code == ENOENT &&
              strstr(e.msg, "task other has no deliverable on chain yet"),
          "an undelivered task: ENOENT");
    CHECK(zg_deliverable_copy(NULL, id, &copy, &e) == -1 && e.code == ENOENT,
          "no sub-account: ENOENT");
    CHECK(zg_deliverable_copy(&acct, id, &copy, &e) == 0 && copy.id != d.id &&
              !strcmp(copy.id, id) && copy.root_len == 5 && copy.root != d.root &&
              !memcmp(copy.root, junk, 5) && copy.secret_len == 3 &&
              !memcmp(copy.secret, secret, 3) && copy.settled,
          "a deliverable copied whole");
    zg_deliverable_free(&copy);

    zg_open_task t;
    d.acknowledged = d.settled = false;
    zg_deliverable_open_task(&d, prov, 600, &t);
    CHECK(t.delivered && t.id == d.id && t.deliver_time == 1700000000 && t.deadline == 1700000600 &&
              t.provider[0] == 0xab && !t.progress,
          "the deadline watch's view of a deliverable");
    CHECK(zg_deadline_due(&t, 1700000600 + 1, ZG_AUTOACK_OFF) == ZG_DUE_PASSED,
          "past its deadline: passed");
    CHECK(zg_deadline_watched(&t), "an open deliverable needs the chain's time to be judged");
    d.acknowledged = true;
    zg_deliverable_open_task(&d, prov, 600, &t);
    CHECK(!zg_deadline_watched(&t) &&
              zg_deadline_due(&t, 1700000600 + 1, ZG_AUTOACK_OFF) == ZG_DUE_NOTHING,
          "an acknowledged one does not: nothing is due at any time");
    d.acknowledged = false;
    d.settled = true;
    zg_deliverable_open_task(&d, prov, 600, &t);
    CHECK(!zg_deadline_watched(&t), "nor does a settled one");
}

static void task_sentences(void)
{
    zg_err e = {0};
    zg_buf ok, reply;
    zg_buf_init(&ok, 0);
    zg_buf_init(&reply, 0);
    CHECK(zg_task_cancel_text(ida, &ok, &e) == 0, "cancel");
    CHECK_STR((char *)ok.data,
              "cancelled task 0f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6; its progress ends Failed",
              "cancel's sentence");
    ok.len = 0;
    CHECK(zg_task_ack_text(ida, ZG_ACK_RECOVERED, "0xfeed", &ok, &e) == 0 &&
              strstr((char *)ok.data, "(tx 0xfeed); nothing sent"),
          "a recovered acknowledgement names its transaction");
    ok.len = 0;
    CHECK(zg_task_ack_text(ida, ZG_ACK_ALREADY, "", &ok, &e) == 0, "ack");
    CHECK_STR((char *)ok.data, "already acknowledged; nothing sent", "acknowledged before");
    ok.len = 0;
    CHECK(zg_task_ack_text(ida, ZG_ACK_SENT, "", &ok, &e) == 0 &&
              strstr((char *)ok.data, "of task 0f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6 without"),
          "a sent acknowledgement names the task");
    ok.len = 0;
    zg_task_submitted s = {.by_name = true};
    snprintf(s.id, sizeof s.id, "%s", ida);
    snprintf(s.model, sizeof s.model, "Qwen2.5-0.5B-Instruct");
    snprintf(s.dataset, sizeof s.dataset, "mine");
    snprintf(s.hash, sizeof s.hash, "0x%064d", 1);
    CHECK(zg_task_submitted_text(&s, &reply, &ok, &e) == 0, "tasks/new");
    CHECK_STR((char *)reply.data, "0f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6\n", "the id is read back");
    CHECK_STR((char *)ok.data,
              "created task 0f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6: model Qwen2.5-0.5B-Instruct, "
              "dataset mine (0x0000000000000000000000000000000000000000000000000000000000000001)",
              "a dataset by name shows its hash");
    ok.len = reply.len = 0;
    s.by_name = false;
    CHECK(zg_task_submitted_text(&s, &reply, &ok, &e) == 0 && !strstr((char *)ok.data, "("),
          "a dataset by hash is said once");
    zg_buf_free(&ok);
    zg_buf_free(&reply);
}

static void adapter_docs(void)
{
    zg_err e = {0};
    zg_buf b;
    zg_buf_init(&b, 0);
    cJSON *list = parse("[{\"adapterName\":\"ft-a\",\"taskId\":\"t1\",\"state\":\"active\"},"
                        "{\"adapterName\":\"ft-b\",\"taskId\":\"t2\"}]");
    const cJSON *a;
    CHECK(zg_adapter_record(list, "ft-b", "0xP", &a, &e) == 0 && a == cJSON_GetArrayItem(list, 1),
          "an adapter by name");
    CHECK(zg_adapter_record(list, "ft-c", "0xP", &a, &e) == -1 && e.code == ENOENT &&
              !strcmp(e.msg, "no adapter ft-c of this wallet on 0xP"),
          "no such adapter: ENOENT naming it and the provider");
    CHECK(zg_adapter_state_text(cJSON_GetArrayItem(list, 0), &b, &e) == 0, "state");
    CHECK_STR((char *)b.data, "active\n", "state: the provider's word");
    b.len = 0;
    CHECK(zg_adapter_state_text(cJSON_GetArrayItem(list, 1), &b, &e) == 0, "state");
    CHECK_STR((char *)b.data, "unknown\n", "state without one: unknown");

    b.len = 0;
    CHECK(zg_adapter_deploy_hint("0xI", true, list, "t2", &b, &e) == 0, "deploy");
    CHECK_STR((char *)b.data, "ft-b\n", "deploy: the task's adapter name");
    b.len = 0;
    CHECK(zg_adapter_deploy_hint("0xI", true, list, "t3", &b, &e) == 0, "deploy");
    CHECK_STR((char *)b.data,
              "(0xI has no adapter for this task yet: it registers one once the deliverable is "
              "acknowledged)\n",
              "deploy before the provider registered the adapter");
    b.len = 0;
    CHECK(zg_adapter_deploy_hint("0xI", false, NULL, "t2", &b, &e) == 0, "deploy");
    CHECK_STR((char *)b.data,
              "(the adapter name comes from 0xI: write an amount to providers/0xI/fund first)\n",
              "deploy without an inference sub-account");
    b.len = 0;
    CHECK(zg_adapter_deploy_hint(NULL, false, NULL, "t2", &b, &e) == 0 &&
              strstr((char *)b.data, "write its address to deploy there"),
          "deploy with several inference providers");

    b.len = 0;
    zg_adapter_deployed d = {.name = "ft-b", .already = true};
    CHECK(zg_adapter_deployed_text(&d, "0xI", &b, &e) == 0, "deployed");
    CHECK_STR((char *)b.data,
              "already deployed ft-b on 0xI: it is active; chat through "
              "providers/0xI/adapters/ft-b/chat",
              "deployed before");
    CHECK(zg_adapter_chat_ready(true, "0xI", &e) == 0, "chat with a session");
    CHECK(zg_adapter_chat_ready(false, "0xI", &e) == -1 && e.code == EDQUOT &&
              strstr(e.msg, "no inference sub-account with 0xI"),
          "chat without a session: EDQUOT");
    zg_buf r;
    zg_buf_init(&r, 0);
    b.len = 0;
    CHECK(zg_adapter_chat_text("hello", &r, &b, &e) == 0, "chat");
    CHECK_STR((char *)r.data, "hello\n", "chat's reply");
    CHECK_STR((char *)b.data, "answered (5 bytes)", "chat's sentence");
    zg_buf_free(&r);
    zg_buf_free(&b);
    cJSON_Delete(list);
}

static void name_files(void)
{
    char n[ZG_NAMEFILE_MAX], root[67];
    zg_err e = {0};
    CHECK(zg_namefile_parse(ZG_NF_DATASET, "train.jsonl", n, &e) == 0 && !strcmp(n, "train.jsonl"),
          "a dataset name");
    CHECK(zg_namefile_parse(ZG_NF_DATASET, "train.hash", n, &e) == -1 && e.code == ENOENT &&
              !strcmp(e.msg, "not a dataset name"),
          "a name never ends with .hash");
    CHECK(zg_namefile_parse(ZG_NF_DATASET_HASH, "train.hash", n, &e) == 0 && !strcmp(n, "train"),
          "NAME.hash stands for NAME");
    CHECK(zg_namefile_parse(ZG_NF_DATASET_TOKENS, "train.tokens", n, &e) == 0 &&
              !strcmp(n, "train"),
          "NAME.tokens stands for NAME");
    CHECK(zg_namefile_parse(ZG_NF_DATASET_HASH, "train.tokens", n, &e) == -1 &&
              !strcmp(e.msg, "not a dataset hash file"),
          "an estimate file is no hash file");
    CHECK(zg_namefile_parse(ZG_NF_DATASET_HASH, ".hash", n, &e) == -1, "no empty name");
    CHECK(zg_namefile_parse(ZG_NF_DATASET, ".hidden", n, &e) == -1, "no hidden name");
    CHECK(zg_namefile_parse(ZG_NF_DATASET, "a\tb", n, &e) == -1, "no control character");
    char longest[80];
    memset(longest, 'a', sizeof longest);
    longest[72] = '\0'; /* 72 + ".tokens" fills 79 */
    CHECK(zg_namefile_parse(ZG_NF_DATASET, longest, n, &e) == 0, "72 bytes leave room for .tokens");
    longest[72] = 'a';
    longest[73] = '\0';
    CHECK(zg_namefile_parse(ZG_NF_DATASET, longest, n, &e) == -1, "73 bytes do not");
    CHECK(zg_namefile_parse(ZG_NF_STORED, longest, n, &e) == 0, "storage/ needs room for .root");
    CHECK(zg_namefile_parse(ZG_NF_STORED, "by-root", n, &e) == -1 &&
              !strcmp(e.msg, "not a storage name"),
          "by-root is no storage name");
    CHECK(zg_namefile_parse(ZG_NF_STORED_ROOT, "by-root.root", n, &e) == -1 &&
              !strcmp(e.msg, "not a storage root file"),
          "nor has it a .root file");
    CHECK(zg_namefile_parse(ZG_NF_STORED_ROOT, "x.hash.root", n, &e) == 0 && !strcmp(n, "x.hash"),
          "NAME.root stands for NAME, whatever NAME ends with");
    CHECK(zg_namefile_parse(ZG_NF_STORED, "x.root", n, &e) == -1,
          "a storage name never ends .root");
    CHECK_STR(zg_namefile_suffix(ZG_NF_DATASET_TOKENS), ".tokens", "the estimate's suffix");
    CHECK(
        zg_namefile_root_parse("0xABCDEF0000000000000000000000000000000000000000000000000000000001",
                               root, &e) == 0 &&
            !strcmp(root, "0xabcdef0000000000000000000000000000000000000000000000000000000001"),
        "a root in lower case");
    CHECK(zg_namefile_root_parse("0xabc", root, &e) == -1 && e.code == ENOENT, "no short root");

    char prov[43];
    CHECK(zg_provider_name_parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", prov, &e) == 0 &&
              !strcmp(prov, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
          "a provider address in lower case is spelled EIP-55");
    CHECK(zg_provider_name_parse("0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", prov, &e) == 0 &&
              !strcmp(prov, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
          "...and in upper case with 0X");
    CHECK(zg_provider_name_parse("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", prov, &e) == -1 &&
              e.code == ENOENT && !strcmp(e.msg, "not a provider address"),
          "a name without 0x is no provider: ENOENT");
    CHECK(zg_provider_name_parse("0x5aaeb60", prov, &e) == -1 && e.code == EINVAL,
          "a short 0x name is a mistyped address: EINVAL");
    CHECK(zg_provider_name_parse("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", prov, &e) == -1 &&
              e.code == EINVAL,
          "a mixed-case spelling with a wrong checksum: EINVAL");

    zg_buf b;
    zg_buf_init(&b, 0);
    zg_dsentry d = {.rows = 1};
    snprintf(d.hash, sizeof d.hash, "0x%064d", 5);
    CHECK(zg_dataset_added_text("t.jsonl", &d, 42, "0xP", &b, &e) == 0, "dataset added");
    CHECK_STR((char *)b.data,
              "uploaded t.jsonl (42 bytes, 1 row) into the TEE of 0xP; dataset hash "
              "0x0000000000000000000000000000000000000000000000000000000000000005",
              "one row, no plural");
    b.len = 0;
    d.rows = 2;
    CHECK(zg_dataset_added_text("t.jsonl", &d, 42, "0xP", &b, &e) == 0 &&
              strstr((char *)b.data, "(42 bytes, 2 rows)"),
          "rows in the plural");
    b.len = 0;
    zg_storage_upload_result r = {.submitted = false};
    CHECK(zg_stored_added_text("f", &d, 7, &r, &b, &e) == 0 &&
              strstr((char *)b.data, "uploaded f (7 bytes) to 0G Storage; root 0x0000") &&
              strstr((char *)b.data, "(already paid for on the Flow: no fee)"),
          "a file the Flow has: no fee");
    b.len = 0;
    r.submitted = true;
    zg_u256_from_u64(&r.fee, 1000000000000000000ULL);
    memset(r.tx_hash, 0x11, 32);
    CHECK(zg_stored_added_text("f", &d, 7, &r, &b, &e) == 0 &&
              strstr((char *)b.data,
                     ", fee 1 OG (tx "
                     "0x1111111111111111111111111111111111111111111111111111111111111111)"),
          "the fee in OG and its transaction: %s", (char *)b.data);
    b.len = 0;
    CHECK(zg_stored_fetched_text("0xR", false, 9, &b, &e) == 0, "fetched");
    CHECK_STR((char *)b.data, "downloaded 0xR from 0G Storage and verified it (9 bytes)",
              "a download's sentence");
    b.len = 0;
    CHECK(zg_stored_fetched_text("0xR", true, 9, &b, &e) == 0, "fetched");
    CHECK_STR((char *)b.data, "already downloaded", "nothing fetched");
    b.len = 0;
    CHECK(zg_dataset_hash_warning("p/d", "0xT", "0xL", &b, &e) == 0, "warning");
    CHECK_STR((char *)b.data,
              "p/d: warning: the TEE reported dataset hash 0xT, but keccak256 of the bytes "
              "uploaded is 0xL; tasks/new uses the TEE's",
              "the hash warning");
    zg_buf_free(&b);
}

/* The model's files in a state directory made here: what reads are
 * served from, and when. */
static void lora_local(void)
{
    char state[] = "/tmp/zg-lora-XXXXXX", enc[4096], key[4096], path[4096], cmd[64];
    zg_err e = {0};
    uint64_t size = 0;
    zg_model_reader *r = NULL;
    if (!mkdtemp(state))
        abort();
    CHECK(zg_lora_enc_local(state, "0xP", ida, path, sizeof path, &e) == -1 && e.code == ENOENT &&
              !strcmp(e.msg, "not downloaded yet"),
          "lora.enc before its download: ENOENT");
    CHECK(!zg_lora_bin_have(state, "0xP", ida, &size) &&
              zg_lora_bin_open(state, "0xP", ida, &r, &e) == -1 && e.code == ENOENT &&
              !strcmp(e.msg, "not decrypted yet"),
          "lora.bin before the safe path: ENOENT");
    CHECK(zg_lora_files(state, "0xP", ida, enc, key, sizeof enc, &e) == 0, "the task's files");
    snprintf(path, sizeof path, "%s/tasks/0xP/%s/lora.key", state, ida);
    CHECK_STR(key, path, "lora.key's path");

    /* A real encrypted model of 5,000 bytes (one chunk) and its key. */
    uint8_t K[32], iv[12] = {1}, rec[52], plain[5000], got[5000];
    zg_key tee;
    for (int i = 0; i < 32; i++)
        K[i] = (uint8_t)i;
    for (int i = 0; i < 5000; i++)
        plain[i] = (uint8_t)(i * 7);
    snprintf(path, sizeof path, "%s/plain", state);
    int in = open(path, O_RDWR | O_CREAT, 0600), out = open(enc, O_RDWR | O_CREAT, 0600);
    CHECK(zg_key_generate(&tee, &e) == 0 && in >= 0 && out >= 0 &&
              write(in, plain, sizeof plain) == (ssize_t)sizeof plain &&
              lseek(in, 0, SEEK_SET) == 0 && zg_model_encrypt_fd(in, out, K, iv, &tee, 0, &e) == 0,
          "a model encrypted: %s", e.msg);
    close(in);
    close(out);
    CHECK(zg_lora_enc_local(state, "0xP", ida, path, sizeof path, &e) == -1,
          "lora.enc not verified yet: still ENOENT");
    char mark[4200];
    snprintf(mark, sizeof mark, "%s.verified", enc);
    CHECK(zg_write_atomic(mark, "", 0, &e) == 0 &&
              zg_lora_enc_local(state, "0xP", ida, path, sizeof path, &e) == 0 &&
              !strcmp(path, enc),
          "lora.enc once verified");
    CHECK(!zg_lora_bin_have(state, "0xP", ida, &size), "lora.bin without its key: not there");
    CHECK(zg_write_atomic(key, "short", 5, &e) == 0 && zg_lora_bin_have(state, "0xP", ida, &size) &&
              size == sizeof plain && zg_lora_bin_open(state, "0xP", ida, &r, &e) == -1 &&
              e.code == EIO && strstr(e.msg, "damaged"),
          "a damaged lora.key: EIO (%s)", e.msg);
    memcpy(rec, K, 32);
    zg_pub_to_addr(rec + 32, tee.pub);
    CHECK(zg_write_atomic(key, rec, sizeof rec, &e) == 0 &&
              zg_lora_bin_open(state, "0xP", ida, &r, &e) == 0 &&
              zg_model_reader_size(r) == sizeof plain &&
              zg_model_reader_pread(r, got, sizeof got, 0, &e) == (ssize_t)sizeof got &&
              memcmp(got, plain, sizeof plain) == 0,
          "lora.bin with its key: lora.enc decrypted as it is read: %s", e.msg);
    zg_model_reader_free(r);
    r = NULL;

    /* What an earlier version left: a decrypted lora.bin is served as it
     * is, unless lora.bin.syncing says it never reached the disk. */
    char bin[4200], syncing[4300];
    snprintf(bin, sizeof bin, "%s/tasks/0xP/%s/lora.bin", state, ida);
    snprintf(syncing, sizeof syncing, "%s.syncing", bin);
    CHECK(unlink(key) == 0 && zg_write_atomic(bin, "abcd", 4, &e) == 0 &&
              zg_lora_bin_have(state, "0xP", ida, &size) && size == 4 &&
              zg_lora_bin_open(state, "0xP", ida, &r, &e) == 0 &&
              zg_model_reader_pread(r, got, 10, 0, &e) == 4 && !memcmp(got, "abcd", 4),
          "an earlier version's lora.bin: served as it is");
    zg_model_reader_free(r);
    r = NULL;
    CHECK(zg_write_atomic(syncing, "", 0, &e) == 0 && !zg_lora_bin_have(state, "0xP", ida, &size) &&
              zg_lora_bin_open(state, "0xP", ida, &r, &e) == -1 && e.code == ENOENT,
          "...but not beside its lora.bin.syncing (a crash's)");
    zg_key_wipe(&tee);
    CHECK(zg_lora_file_size("/nonexistent/zg") == 0, "no file: size 0");
    snprintf(cmd, sizeof cmd, "rm -rf %s", state);
    if (system(cmd) != 0)
        abort();
}

static void lora_files(void)
{
    char path[64];
    zg_err e = {0};
    CHECK(zg_lora_path("/s", "0xP", ida, "lora.enc", path, sizeof path, &e) == 0, "lora.enc");
    CHECK_STR(path, "/s/tasks/0xP/0f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6/lora.enc",
              "the model's file under the state directory");
    CHECK(zg_lora_path("/s", "0xP", ida, NULL, path, sizeof path, &e) == 0, "the directory");
    CHECK_STR(path, "/s/tasks/0xP/0f6e2c8a-1b2c-4d5e-8f90-a1b2c3d4e5f6", "the task's directory");
    CHECK(zg_lora_path("/a-longer-state-directory", "0xP", ida, "lora.bin", path, sizeof path,
                       &e) == -1 &&
              e.code == ENAMETOOLONG,
          "a path that does not fit: ENAMETOOLONG");

    zg_buf b;
    zg_buf_init(&b, 0);
    zg_lora_outcome o = {.downloaded = true, .src = {.from_storage = true}};
    CHECK(zg_lora_enc_text("T", &o, 12, &b, &e) == 0, "lora.enc");
    CHECK_STR((char *)b.data,
              "downloaded from 0G Storage and verified the model of task T (12 bytes)",
              "lora.enc from storage");
    b.len = 0;
    o.downloaded = false;
    CHECK(zg_lora_enc_text("T", &o, 12, &b, &e) == 0, "lora.enc");
    CHECK_STR((char *)b.data, "downloaded and verified the model of task T (12 bytes)",
              "lora.enc already here: no source");
    b.len = 0;
    o.downloaded = true;
    o.src.from_storage = false;
    CHECK(zg_lora_bin_text("T", &o, 34, &b, &e) == 0, "lora.bin");
    CHECK_STR((char *)b.data,
              "verified, acknowledged and decrypted the model of task T (34 bytes, fetched from "
              "the provider's TEE)",
              "lora.bin through the TEE");
    b.len = 0;
    o.was_decrypted = true;
    CHECK(zg_lora_bin_text("T", &o, 34, &b, &e) == 0, "lora.bin");
    CHECK_STR((char *)b.data, "already decrypted", "lora.bin there before");
    b.len = 0;
    zg_err why = {.code = EIO};
    snprintf(why.msg, sizeof why.msg, "no node has it");
    CHECK(zg_lora_step_text("w", ZG_LORA_STORAGE_FAILED, &why, &b, &e) == 0, "a step");
    CHECK_STR((char *)b.data,
              "w: 0G Storage did not serve the model (no node has it); falling back to the "
              "provider's TEE",
              "the fall-back names its reason");
    b.len = 0;
    CHECK(zg_lora_step_text("w", ZG_LORA_ACK_SENT, &why, &b, &e) == 0 && b.len == 0,
          "a failed acknowledgement says nothing here (its error does)");
    CHECK(zg_lora_step_text("w", ZG_LORA_SETTLED, NULL, &b, &e) == 0 && b.len == 0,
          "settlement says nothing");
    CHECK(zg_lora_step_text("w", ZG_LORA_ACK_SENT, NULL, &b, &e) == 0 &&
              strstr((char *)b.data, "w: verified and acknowledged on chain;"),
          "a sent acknowledgement is said");
    CHECK(zg_lora_step_changed(ZG_LORA_STORAGE_FAILED) == 0,
          "a storage failure changes no value of the read model");
    CHECK(zg_lora_step_changed(ZG_LORA_ACK_SENT) == ZG_RV_FUNDS &&
              zg_lora_step_changed(ZG_LORA_SETTLED) == ZG_RV_FUNDS,
          "an acknowledgement tried and a settlement change the funds");
    zg_buf_free(&b);
}

int main(void)
{
    listings();
    lora_local();
    lora_files();
    name_files();
    task_list();
    deliverable();
    task_sentences();
    adapter_docs();
    return check_done();
}
