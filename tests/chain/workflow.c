/* The fine-tuning workflow through the core alone, against the devnet
 * provider: dataset upload, task creation (journaled, nonce-safe), the
 * serial rule, and the verified model path (download, verify, acknowledge,
 * settlement, decrypt). Usage: workflow DEVNET_JSON WORKDIR [storage]
 * With "storage" the dataset goes through 0G Storage (the provider fetches
 * it by root) and the provider delivers the model there too (run the
 * provider with ZG_PROVIDER_DELIVER=storage, the raw root).
 *
 * The wallet comes from a session (zg/session.h), opened as the mount
 * opens its own: the key taken out of the environment, the state
 * directory held by one session at a time (the refusals that need no
 * chain are tests/unit/core/test_session.c). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../unit/check.h"
#include "zg/adapter.h"
#include "zg/artifact.h"
#include "zg/dataset.h"
#include "zg/dsindex.h"
#include "zg/dsupload.h"
#include "zg/ftprovider.h"
#include "zg/ftserving.h"
#include "zg/hex.h"
#include "zg/modelcrypt.h"
#include "zg/secp.h"
#include "zg/stnames.h"
#include "zg/session.h"
#include "zg/storage.h"
#include "zg/tasks.h"
#include "../unit/slurp.h"

static void count_line(void *ctx, const char *line)
{
    (void)line;
    ++*(int *)ctx;
}

static const char *progress_of(zg_client *c, const char *url, const char *id, char *buf, size_t cap)
{
    cJSON *t = NULL;
    snprintf(buf, cap, "?");
    if (zg_ftp_get_task(c, url, id, &t, NULL) == 0) {
        const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(t, "progress"));
        snprintf(buf, cap, "%s", p ? p : "?");
        cJSON_Delete(t);
    }
    return buf;
}

static bool wait_for(zg_client *c, const char *url, const char *id, const char *state, int secs)
{
    char p[32];
    for (int i = 0; i < secs * 10; i++) {
        if (strcmp(progress_of(c, url, id, p, sizeof p), state) == 0)
            return true;
        if (strcmp(p, "Failed") == 0)
            return false;
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    return false;
}

/* The names a mount would know: datasets/ is the index the upload wrote
 * (TEE mode), storage/ has "greetings" (storage mode) and "broken", whose
 * index cannot be read. */
typedef struct names_ctx {
    const char *index; /* NULL: no datasets/ names */
    const char *provider;
    const char *stored; /* the storage/ names' index, or NULL */
} names_ctx;

static int test_dataset(void *arg, const char *name, char hash[67], zg_err *err)
{
    names_ctx *x = arg;
    zg_dsentry de;
    if (!x->index)
        return zg_err_set(err, ENOENT, "no such dataset");
    if (zg_dsindex_get(x->index, x->provider, name, &de, err))
        return -1;
    snprintf(hash, 67, "%s", de.hash);
    return 0;
}

static int test_storage(void *arg, const char *name, char root[67], zg_err *err)
{
    names_ctx *x = arg;
    zg_dsentry se;
    if (!strcmp(name, "broken"))
        return zg_err_set(err, EIO, "the storage index cannot be read");
    if (!x->stored)
        return zg_err_set(err, ENOENT, "no such name");
    if (zg_dsindex_get(x->stored, "names", name, &se, err))
        return -1;
    snprintf(root, 67, "%s", se.hash);
    return 0;
}

static zg_storage_pool *pool_arg(void *arg, zg_err *err)
{
    if (!arg)
        zg_err_set(err, ENODEV, "no storage nodes");
    return arg;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4)
        return 2;
    const char *work = argv[2];
    bool via_storage = argc == 4 && strcmp(argv[3], "storage") == 0;
    zg_storage_pool *st = NULL;
    char *dn_text = test_slurp(argv[1], NULL);
    cJSON *dn = cJSON_Parse(dn_text);
    free(dn_text);
    zg_err e = {0};
    zg_key key;
    const char *hex = cJSON_GetStringValue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(dn, "accounts"), "user"), "privateKey"));
    cJSON *ftj = cJSON_GetObjectItem(cJSON_GetObjectItem(dn, "providers"), "fineTuning");
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(ftj, "url"));
    uint8_t prov[20];
    if (!hex || !url ||
        zg_addr_parse(prov, cJSON_GetStringValue(cJSON_GetObjectItem(ftj, "address")), &e) ||
        zg_key_from_hex(&key, hex, &e)) {
        printf("# setup: %s\n", e.msg);
        return 2;
    }
    char want_addr[43];
    zg_addr_checksum(want_addr, key.addr);

    /* The session the workflow runs in: the key from the environment, as
     * a mount without key_file= takes it. */
    zg_session_opts so;
    zg_session_opts_init(&so);
    char state[PATH_MAX];
    snprintf(state, sizeof state, "%s/state", work);
    int said = 0;
    so.devnet = argv[1];
    so.state_dir = state;
    so.say = count_line;
    so.say_ctx = &said;
    setenv("ZG_PRIVATE_KEY", hex, 1);
    zg_session *s = NULL;
    if (zg_session_open(&s, &so, &e)) {
        printf("# setup: %s\n", e.msg);
        return 2;
    }
    CHECK(!getenv("ZG_PRIVATE_KEY"), "the session took the key out of the environment");
    CHECK_STR(zg_session_address(s), want_addr, "the session's wallet is the key's");
    char from_bytes[43];
    zg_addr_checksum(from_bytes, zg_session_addr(s));
    CHECK_STR(from_bytes, want_addr, "...and its 20 bytes are that address");
    char abs[PATH_MAX];
    CHECK(realpath(state, abs) && !strcmp(zg_session_state_dir(s), abs),
          "the state directory is the one given, absolute: %s", zg_session_state_dir(s));
    CHECK(said == 0, "a new journal has nothing to settle");
    CHECK(!strcmp(zg_session_network(s)->name, "devnet") && zg_session_tee(s)->root_pem,
          "on the devnet the TEE check trusts devnet.json's test root");
    char want_cache[PATH_MAX + 32];
    snprintf(want_cache, sizeof want_cache, "%s/tdx-collateral", abs);
    CHECK_STR(zg_session_tee(s)->cache_dir, want_cache,
              "collateral is kept in the state directory");
    snprintf(want_cache, sizeof want_cache, "%s/tokenizers", abs);
    CHECK_STR(zg_session_toksrc(s)->cache_dir, want_cache,
              "tokenizers are cached in the state directory");
    char sto[1024];
    zg_session_storage_describe(s, sto, sizeof sto);
    CHECK(zg_session_storage(s, &e) && !strncmp(sto, "0G Storage: devnet ", 19),
          "the devnet's storage nodes are the session's by default: %s", sto);

    /* A second session on the same state directory, with the key in a
     * file this time: refused while the first holds it. */
    char keyfile[PATH_MAX];
    snprintf(keyfile, sizeof keyfile, "%s/wallet.key", work);
    int kfd = open(keyfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(kfd >= 0 && write(kfd, hex, strlen(hex)) == (ssize_t)strlen(hex), "key file written");
    if (kfd >= 0)
        close(kfd);
    zg_session_opts so2 = so;
    so2.key_file = keyfile;
    zg_session *s2 = NULL;
    CHECK(zg_session_open(&s2, &so2, &e) == -1 && e.code == EBUSY && !s2,
          "a second session on a held state directory is refused: %s", e.msg);

    zg_client *c = zg_session_client(s);
    zg_journal *j = zg_session_journal(s);

    char ds[512];
    snprintf(ds, sizeof ds, "%s/greetings.jsonl", work);
    FILE *f = fopen(ds, "w");
    fprintf(f, "{\"instruction\":\"What is the capital of France?\",\"input\":\"\","
               "\"output\":\"Paris.\"}\n"
               "{\"instruction\":\"Say hello in Spanish\",\"input\":\"\",\"output\":\"Hola.\"}\n");
    fclose(f);
    char local[67], remote[67], index[512] = "", stored[512] = "", provtext[43];
    zg_addr_checksum(provtext, prov);
    uint64_t dssize = 0;
    FILE *sf = fopen(ds, "r");
    if (sf && fseek(sf, 0, SEEK_END) == 0)
        dssize = (uint64_t)ftell(sf);
    if (sf)
        fclose(sf);
    CHECK(zg_dataset_check(ds, local, NULL, &e) == 0, "dataset checks pass");
    if (via_storage) {
        zg_storage_upload_result up;
        st = zg_session_storage(s, &e);
        zg_err_clear(&e);
        /* As cp FILE storage/NAME does: uploaded, then named in the index. */
        char back[600], copy[2048];
        snprintf(stored, sizeof stored, "%s/storage", work);
        snprintf(copy, sizeof copy, "cp '%s' '%s.copy'", ds, ds);
        snprintf(back, sizeof back, "%s/back/greetings.jsonl", work);
        zg_dsentry se;
        CHECK(zg_stnames_add(pool_arg, st, j, stored, "names", "nothing", ds, 0, &se, &up, &e) ==
                      -1 &&
                  e.code == EINVAL && !up.submitted,
              "an empty file is refused before anything is paid: %s", e.msg);
        zg_err_clear(&e);
        CHECK(system(copy) == 0 && st &&
                  zg_stnames_add(pool_arg, st, j, stored, "names", "greetings", ds, dssize, &se,
                                 &up, &e) == 0,
              "dataset uploaded to 0G Storage and named: %s", e.msg);
        snprintf(remote, sizeof remote, "%s", se.hash);
        CHECK(strcmp(local, remote) != 0, "the task's dataset is the storage root %s", remote);
        bool already = true;
        snprintf(copy, sizeof copy, "cmp -s '%s.copy' '%s'", ds, back);
        CHECK(zg_stnames_fetch(pool_arg, st, remote, back, &already, &e) == 0 && !already &&
                  system(copy) == 0,
              "fetched back by its root, the same bytes: %s", e.msg);
        CHECK(zg_stnames_fetch(pool_arg, st, remote, back, &already, &e) == 0 && already,
              "a second fetch finds it there");
    } else {
        /* As cp FILE datasets/NAME does: uploaded, then named in the index. */
        snprintf(index, sizeof index, "%s/datasets", work);
        char empty[512];
        snprintf(empty, sizeof empty, "%s/empty.jsonl", work);
        fclose(fopen(empty, "w"));
        zg_dsentry de;
        CHECK(zg_dataset_add(c, url, index, provtext, "empty", empty, 0, &de, &e) == -1 &&
                  e.code == EINVAL && strstr(e.msg, "empty is empty"),
              "an empty dataset is refused: %s", e.msg);
        zg_err_clear(&e);
        CHECK(zg_dataset_add(c, url, index, provtext, "greetings", ds, dssize, &de, &e) == 0 &&
                  de.rows == 2,
              "dataset uploaded into the TEE and named: %s", e.code ? e.msg : de.hash);
        snprintf(remote, sizeof remote, "%s", de.hash);
        CHECK(strcmp(local, remote) == 0, "the provider's dataset hash is keccak256 of the bytes");
        char tee[67];
        bool differs = true;
        CHECK(zg_dataset_verify(index, provtext, "greetings", remote, tee, &differs, &e) == 0 &&
                  !differs,
              "the local copy's keccak256 is the hash the TEE reported: %s", e.msg);
        /* A provider that reports another hash than the bytes' own. */
        char other[67], copy[512], cmd[1200];
        snprintf(other, sizeof other, "%s", tee);
        other[2] = other[2] == '0' ? '1' : '0';
        CHECK(zg_dataset_verify(index, provtext, "greetings", other, tee, &differs, &e) == 0 &&
                  !differs,
              "a report the index no longer holds for the name is not this name's");
        zg_dsentry liar = de;
        snprintf(liar.name, sizeof liar.name, "liar");
        snprintf(liar.hash, sizeof liar.hash, "%s", other);
        snprintf(copy, sizeof copy, "%s/liar.jsonl", work);
        zg_dsindex_path(index, provtext, "greetings", cmd, sizeof cmd, NULL);
        snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " %s", copy);
        char cp[1300];
        snprintf(cp, sizeof cp, "cp %s", cmd);
        CHECK(system(cp) == 0 && zg_dsindex_put(index, provtext, &liar, copy, &e) == 0 &&
                  zg_dataset_verify(index, provtext, "liar", other, tee, &differs, &e) == 0 &&
                  differs && !strcmp(tee, remote),
              "a reported hash that is not the bytes' is found: %s", tee);
        snprintf(remote, sizeof remote, "%s", de.hash);
    }

    const char *params = "{\"neftune_noise_alpha\":5,\"num_train_epochs\":1,"
                         "\"per_device_train_batch_size\":2,\"learning_rate\":0.0002,"
                         "\"max_steps\":-1}";
    char id[37], id2[37];
    zg_task_new t = {
        .provider = prov, .url = url, .model = "zg-tiny-lora", .dataset = remote, .params = params};
    zg_task_new bad = t;
    bad.model = "no-such-model";
    CHECK(zg_task_create(c, j, &bad, id, &e) == -1 && e.code == ENOENT,
          "unknown model refused before signing: %s", e.msg);
    bad = t;
    bad.params = "{\"lora_r\":8}";
    CHECK(zg_task_create(c, j, &bad, id, &e) == -1 && e.code == EINVAL,
          "bad parameters refused before signing: %s", e.msg);
    /* tasks/new's path: the user's text and the mount's names. */
    names_ctx nx = {.index = index[0] ? index : NULL,
                    .provider = provtext,
                    .stored = via_storage ? stored : NULL};
    zg_dataset_names names = {test_dataset, test_storage, &nx};
    zg_task_submitted sub;
    const char *dup = "{\"model\":\"zg-tiny-lora\",\"dataset\":\"greetings\",\"model\":\"x\"}";
    CHECK(zg_task_submit(c, j, prov, url, dup, strlen(dup), &names, &sub, &e) == -1 &&
              e.code == EINVAL && !sub.posted,
          "a key given twice is refused before anything is sent: %s", e.msg);
    char doc[1024];
    snprintf(doc, sizeof doc, "{\"model\":\"zg-tiny-lora\",\"dataset\":\"%s\",%s", "nowhere",
             params + 1);
    CHECK(zg_task_submit(c, j, prov, url, doc, strlen(doc), &names, &sub, &e) == -1 &&
              e.code == ENOENT && strstr(e.msg, "neither in datasets/ nor in storage/") &&
              !sub.posted,
          "an unknown dataset name is refused: %s", e.msg);
    snprintf(doc, sizeof doc, "{\"model\":\"zg-tiny-lora\",\"dataset\":\"broken\",%s", params + 1);
    CHECK(zg_task_submit(c, j, prov, url, doc, strlen(doc), &names, &sub, &e) == -1 &&
              e.code == EIO && !sub.posted,
          "a names index that cannot be read is its own error: %s", e.msg);
    snprintf(doc, sizeof doc, "{\"model\":\"zg-tiny-lora\",\"dataset\":\"greetings\",%s",
             params + 1);
    zg_err_clear(&e);
    CHECK(zg_task_submit(c, j, prov, url, doc, strlen(doc), &names, &sub, &e) == 0 && sub.by_name &&
              !strcmp(sub.hash, remote) && !strcmp(sub.dataset, "greetings"),
          "task created from the user's JSON, dataset by name: %s", e.code ? e.msg : sub.id);
    snprintf(id, sizeof id, "%s", sub.id);
    CHECK(zg_task_create(c, j, &t, id2, &e) == -1 && e.code == EINVAL &&
              strstr(e.msg, "unfinished"),
          "a second task while one is unfinished is refused by the provider: %s", e.msg);
    CHECK(wait_for(c, url, id, "Delivered", 60), "task reaches Delivered");

    zg_u256 used;
    cJSON *tj = NULL;
    zg_ftp_get_task(c, url, id, &tj, NULL);
    zg_u256_from_dec(&used, cJSON_GetStringValue(cJSON_GetObjectItem(tj, "nonce")), NULL);
    cJSON_Delete(tj);
    CHECK(!zg_u256_is_zero(&used), "the task carries its nonce");

    CHECK(zg_task_precheck(c, prov, &e) == -1 && e.code == EAGAIN && strstr(e.msg, id),
          "a new task is refused while the deliverable is unacknowledged: %s", e.msg);

    bool acked = true, acked_any = true;
    CHECK(zg_adapter_task_acked(c, prov, id, &acked, &e) == 0 && !acked &&
              zg_adapter_task_acked(c, NULL, id, &acked_any, &e) == 0 && !acked_any,
          "an adapter deploy sees the deliverable unacknowledged (provider given or found)");
    zg_task_acked how;
    char tx[67];
    CHECK(zg_task_ack(c, j, prov, id, "no", &how, tx, &e) == -1 && e.code == EINVAL,
          "an acknowledgement needs \"yes\": %s", e.msg);
    CHECK(zg_task_ack(c, j, prov, "00000000-0000-0000-0000-000000000000", "yes", &how, tx, &e) ==
                  -1 &&
              e.code == ENOENT,
          "no deliverable, nothing acknowledged: %s", e.msg);

    /* The model's files where a mount keeps them: STATE/tasks/P/ID/. */
    char enc[4096], key_path[4096], bin[512], prov_text[43];
    zg_addr_checksum(prov_text, prov);
    CHECK(zg_lora_files(work, prov_text, id, enc, key_path, sizeof enc, &e) == 0,
          "the task's directory: %s", e.msg);
    snprintf(bin, sizeof bin, "%s/model.zip", work);
    if (!via_storage) {
        /* A write that fails (here: past the process's file size limit)
         * ends the download with its errno, and no model file is left. */
        char full[600];
        snprintf(full, sizeof full, "%s/full.enc", work);
        struct rlimit was, small = {.rlim_cur = 4096, .rlim_max = RLIM_INFINITY};
        void (*xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
        bool limited = getrlimit(RLIMIT_FSIZE, &was) == 0 && was.rlim_max == RLIM_INFINITY &&
                       setrlimit(RLIMIT_FSIZE, &small) == 0;
        zg_err_clear(&e);
        int rc = zg_lora_download(c, url, id, full, 1, &e);
        if (limited)
            setrlimit(RLIMIT_FSIZE, &was);
        signal(SIGXFSZ, xfsz);
        CHECK(limited && rc == -1 && e.code == EFBIG && strstr(e.msg, "cannot write the file") &&
                  access(full, F_OK) != 0,
              "a download that cannot be written fails with its errno, leaving no file: %s", e.msg);
    }
    zg_err_clear(&e);
    zg_lora_source src;
    CHECK(zg_lora_download_auto(c, st, url, prov, id, enc, &src, &e) == 0 &&
              src.from_storage == via_storage && !src.storage_failed,
          "encrypted model downloaded (%s): %s", via_storage ? "0G Storage" : "TEE", e.msg);
    zg_err_clear(&e);
    CHECK(zg_lora_verify(c, prov, id, enc, &e) == 0, "it verifies against the chain: %s", e.msg);

    /* A flipped byte must fail verification and leave nothing acknowledged. */
    char bad_enc[512];
    snprintf(bad_enc, sizeof bad_enc, "%s/bad.enc", work);
    char cmd[8800];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", enc, bad_enc);
    /* Every bit of byte 100 inverted: writing a fixed value would leave the
     * file intact whenever the byte already had it. */
    uint8_t byte = 0;
    bool flipped = false;
    int bfd = system(cmd) == 0 ? open(bad_enc, O_RDWR) : -1;
    if (bfd >= 0 && pread(bfd, &byte, 1, 100) == 1) {
        byte ^= 0xff;
        flipped = pwrite(bfd, &byte, 1, 100) == 1;
    }
    if (bfd >= 0)
        close(bfd);
    CHECK(flipped, "corrupted copy made");
    CHECK(zg_lora_verify(c, prov, id, bad_enc, &e) == -1 && e.code == EIO,
          "a corrupted file is EIO: %s", e.msg);
    zg_deliverable d;
    zg_ft_get_deliverable(c, key.addr, prov, id, &d, &e);
    CHECK(!d.acknowledged, "nothing was acknowledged");
    zg_deliverable_free(&d);

    zg_err_clear(&e);
    zg_wait settle;
    zg_wait_init(&settle, NULL, 60000, 500);
    CHECK(zg_lora_fetch(c, j, st, url, prov, id, enc, key_path, &settle, NULL, NULL, &e) == 0,
          "the safe path acknowledges, waits for settlement and keeps the key: %s", e.msg);
    /* lora.bin as a read gets it: lora.enc decrypted on the way. */
    zg_model_reader *r = NULL;
    int wfd = open(bin, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char piece[65536];
    ssize_t got = -1;
    uint64_t at = 0;
    if (wfd >= 0 && zg_lora_bin_open(work, prov_text, id, &r, &e) == 0)
        while ((got = zg_model_reader_pread(r, piece, sizeof piece, at, &e)) > 0 &&
               write(wfd, piece, (size_t)got) == got)
            at += (uint64_t)got;
    CHECK(got == 0 && at == zg_model_reader_size(r), "lora.bin read whole: %s", e.msg);
    zg_model_reader_free(r);
    if (wfd >= 0)
        close(wfd);
    uint8_t magic[4] = {0};
    int fd = open(bin, O_RDONLY);
    if (fd >= 0) {
        if (read(fd, magic, 4) != 4)
            magic[0] = 0;
        close(fd);
    }
    CHECK(memcmp(magic, "PK\3\4", 4) == 0, "the decrypted model is a zip archive");
    snprintf(cmd, sizeof cmd,
             "unzip -l '%s' 2>/dev/null | grep -q adapter_config.json || "
             "grep -qa adapter_config.json '%s'",
             bin, bin);
    CHECK(system(cmd) == 0, "it holds adapter_config.json");
    CHECK(wait_for(c, url, id, "Finished", 30), "the provider's task is Finished");
    zg_ft_get_deliverable(c, key.addr, prov, id, &d, &e);
    CHECK(d.acknowledged && d.settled && d.secret_len > 0, "on chain: acknowledged, settled, key");
    zg_deliverable_free(&d);
    zg_err_clear(&e);
    CHECK(zg_task_ack(c, j, prov, id, "yes", &how, tx, &e) == 0 && how == ZG_ACK_ALREADY,
          "acknowledging again sends nothing: %s", e.msg);
    CHECK(zg_adapter_task_acked(c, prov, id, &acked, &e) == 0 && acked &&
              zg_adapter_task_acked(c, NULL, id, &acked_any, &e) == 0 && acked_any &&
              zg_adapter_task_acked(c, NULL, "no-such-task", &acked_any, &e) == 0 && !acked_any,
          "and acknowledged now; a task nobody delivered is not");
    CHECK(zg_task_precheck(c, prov, &e) == 0, "a new task may start now: %s", e.msg);

    zg_ft_account a;
    bool exists;
    zg_ft_get_account(c, key.addr, prov, &a, &exists, &e);
    CHECK(zg_u256_cmp(&a.nonce, &used) == 0, "the on-chain nonce is the task's after settlement");
    zg_ft_account_free(&a);
    CHECK(zg_task_create(c, j, &t, id2, &e) == 0, "a second task is accepted after settlement");
    tj = NULL;
    zg_ftp_get_task(c, url, id2, &tj, NULL);
    zg_u256 n2;
    zg_u256_from_dec(&n2, cJSON_GetStringValue(cJSON_GetObjectItem(tj, "nonce")), NULL);
    cJSON_Delete(tj);
    CHECK(zg_u256_cmp(&n2, &used) > 0, "its nonce is above the previous one");
    zg_err_clear(&e);
    CHECK(zg_ftp_cancel_task(c, url, id2, &e) == 0, "cancel accepted in the early states: %s",
          e.msg);
    CHECK(wait_for(c, url, id2, "Failed", 10), "a cancelled task ends Failed");
    CHECK(zg_ftp_cancel_task(c, url, id, &e) == -1 && e.code == EAGAIN,
          "cancel of a finished task is refused: %s", e.msg);

    zg_session_close(s);
    /* Closed, the directory is free again; the reopened session finds its
     * journal settled. */
    said = 0;
    zg_err_clear(&e);
    CHECK(zg_session_open(&s2, &so2, &e) == 0, "after close the state directory opens again: %s",
          e.code ? e.msg : "ok");
    CHECK(said == 0, "nothing was left unsettled in the journal");
    zg_session_close(s2);
    zg_key_wipe(&key);
    cJSON_Delete(dn);
    return check_done();
}
