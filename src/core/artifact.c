#include "zg/artifact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zg/ecies.h"
#include "zg/ftprovider.h"
#include "zg/ftserving.h"
#include "zg/hex.h"
#include "zg/keccak.h"
#include "zg/modelcrypt.h"
#include "zg/ops.h"
#include "zg/storage.h"
#include "zg/wait.h"

int zg_lora_download(zg_client *c, const char *url, const char *task_id, const char *enc_path,
                     int tries, zg_err *err)
{
    struct stat st;
    if (stat(enc_path, &st) == 0)
        return 0;
    char part[4096];
    if (snprintf(part, sizeof part, "%s.part", enc_path) >= (int)sizeof part)
        return zg_err_set(err, ENAMETOOLONG, "path too long");
    if (tries <= 0)
        tries = 5;
    zg_err e = {0};
    long backoff = 500;
    for (int i = 0; i < tries; i++) {
        int fd = open(part, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            return zg_err_set(err, errno, "cannot write %s: %s", part, strerror(errno));
        off_t from = lseek(fd, 0, SEEK_END);
        long long total = -1;
        int rc = zg_ftp_download_lora(c, url, task_id, fd, from, &total, &e);
        off_t got = lseek(fd, 0, SEEK_END);
        if (rc == 0 && fsync(fd))
            rc = zg_err_set(&e, errno, "cannot save the download: %s", strerror(errno));
        close(fd);
        if (rc == 0 && total >= 0 && got != total)
            rc = zg_err_set(&e, ECONNRESET, "model download stopped at %lld of %lld bytes",
                            (long long)got, total);
        if (rc == 0) {
            if (rename(part, enc_path))
                return zg_err_set(err, errno, "cannot save %s: %s", enc_path, strerror(errno));
            return 0;
        }
        /* 4xx answers will not change by asking again. */
        if (e.code == EINVAL || e.code == EACCES || e.code == EPERM || e.code == ENOENT ||
            e.code == ENOSPC || e.code == EDQUOT || (e.code == EAGAIN && strstr(e.msg, "ready")))
            break;
        if (zg_wait_sleep(zg_wait_current(), backoff, &e))
            break;
        backoff *= 2;
    }
    if (err)
        *err = e;
    return -1;
}

int zg_lora_storage_root(const char *path, uint8_t root[32], zg_err *err)
{
    return zg_storage_root_of_file(path, 0, root, err);
}

int zg_lora_download_auto(zg_client *c, zg_storage_pool *storage, const char *url,
                          const uint8_t provider[20], const char *task_id, const char *enc_path,
                          bool *from_storage, zg_err *err)
{
    if (from_storage)
        *from_storage = false;
    struct stat st;
    if (stat(enc_path, &st) == 0)
        return 0;
    if (storage) {
        zg_deliverable d;
        if (zg_ft_get_deliverable(c, zg_chain_address(c->chain), provider, task_id, &d, err))
            return -1;
        uint8_t root[32];
        bool stored = d.root_len == 32;
        if (stored)
            memcpy(root, d.root, 32);
        zg_deliverable_free(&d);
        if (stored && zg_storage_pool_find(storage, root, NULL, NULL) == 0) {
            if (from_storage)
                *from_storage = true;
            return zg_storage_pool_download(storage, root, enc_path, NULL, NULL, err);
        }
    }
    return zg_lora_download(c, url, task_id, enc_path, 0, err);
}

int zg_lora_remote_size(zg_client *c, zg_storage_pool *storage, const char *url,
                        const uint8_t provider[20], const char *task_id, uint64_t *size,
                        zg_err *err)
{
    if (storage) {
        zg_deliverable d;
        if (zg_ft_get_deliverable(c, zg_chain_address(c->chain), provider, task_id, &d, err))
            return -1;
        uint8_t root[32];
        bool stored = d.root_len == 32;
        if (stored)
            memcpy(root, d.root, 32);
        zg_deliverable_free(&d);
        zg_storage_info info;
        if (stored && zg_storage_pool_find(storage, root, &info, NULL) == 0) {
            *size = info.size;
            return 0;
        }
    }
    return zg_ftp_lora_size(c, url, task_id, size, err);
}

int zg_lora_verify(zg_client *c, const uint8_t provider[20], const char *task_id,
                   const char *enc_path, zg_root_fn root_fn, zg_err *err)
{
    zg_deliverable d;
    if (zg_ft_get_deliverable(c, zg_chain_address(c->chain), provider, task_id, &d, err))
        return -1;
    int rc = -1;
    uint8_t h[32];
    char want[67] = "0x", got[67] = "0x";
    if (d.root_len != 32) {
        zg_err_set(err, EIO,
                   "the on-chain model root hash has %zu bytes, not 32; refusing to "
                   "trust this delivery",
                   d.root_len);
        goto out;
    }
    zg_hex_encode(want + 2, d.root, 32);
    if (zg_keccak256_file(enc_path, h, err))
        goto out;
    bool match = memcmp(h, d.root, 32) == 0;
    zg_hex_encode(got + 2, h, 32);
    if (!match && root_fn) {
        uint8_t sr[32];
        if (root_fn(enc_path, sr, NULL) == 0 && memcmp(sr, d.root, 32) == 0)
            match = true;
    }
    if (!match) {
        zg_err_set(err, EIO,
                   "the downloaded model does not match the chain: keccak256 %.18s... "
                   "but modelRootHash %.18s...; nothing was acknowledged",
                   got, want);
        goto out;
    }
    zg_ft_service s;
    if (zg_ft_get_service(c, provider, &s, err))
        goto out;
    int fd = open(enc_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        zg_err_set(err, errno, "cannot read %s: %s", enc_path, strerror(errno));
    } else {
        rc = zg_model_verify_tags_fd(fd, s.tee_signer, 0, err);
        close(fd);
    }
    zg_ft_service_free(&s);
out:
    zg_deliverable_free(&d);
    return rc;
}

int zg_lora_decrypt(zg_client *c, const uint8_t provider[20], const char *task_id,
                    const char *enc_path, const char *bin_path, long timeout_s, long poll_ms,
                    zg_err *err)
{
    if (!c->key)
        return zg_err_set(err, EROFS, "this mount has no wallet key");
    if (poll_ms <= 0)
        poll_ms = 1000;
    time_t deadline = time(NULL) + timeout_s;
    zg_deliverable d;
    for (;;) {
        if (zg_ft_get_deliverable(c, zg_chain_address(c->chain), provider, task_id, &d, err))
            return -1;
        if (d.settled)
            break;
        zg_deliverable_free(&d);
        if (time(NULL) >= deadline)
            return zg_err_set(err, ETIMEDOUT,
                              "the provider has not settled task %s yet, so the key is not "
                              "revealed; the acknowledgement is on chain, read again later",
                              task_id);
        if (zg_wait_sleep(zg_wait_current(), poll_ms, err))
            return -1;
    }
    int rc = -1;
    zg_buf key;
    zg_buf_init(&key, 0);
    zg_ft_service s = {0};
    if (d.secret_len == 0) {
        zg_err_set(err, EIO,
                   d.acknowledged ? "task %s was settled without a key; the model cannot be "
                                    "decrypted"
                                  : "task %s was settled with a penalty before it was "
                                    "acknowledged; the key was never revealed",
                   task_id);
        goto out;
    }
    if (zg_ecies_decrypt(&key, c->key->priv, d.secret, d.secret_len, err))
        goto out;
    if (key.len != 32) {
        zg_err_set(err, EIO, "the revealed key has %zu bytes, not 32", key.len);
        goto out;
    }
    if (zg_ft_get_service(c, provider, &s, err))
        goto out;
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", bin_path) >= (int)sizeof tmp) {
        zg_err_set(err, ENAMETOOLONG, "path too long");
        goto out;
    }
    int in = open(enc_path, O_RDONLY | O_CLOEXEC);
    int outfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (in < 0 || outfd < 0) {
        zg_err_set(err, errno, "cannot open the model files: %s", strerror(errno));
    } else if (zg_model_decrypt_fd(in, outfd, key.data, s.tee_signer, 0, err) == 0) {
        if (fsync(outfd) == 0 && rename(tmp, bin_path) == 0)
            rc = 0;
        else
            zg_err_set(err, errno, "cannot save %s: %s", bin_path, strerror(errno));
    }
    if (in >= 0)
        close(in);
    if (outfd >= 0)
        close(outfd);
    if (rc)
        unlink(tmp);
out:
    if (key.data)
        explicit_bzero(key.data, key.len);
    zg_buf_free(&key);
    zg_ft_service_free(&s);
    zg_deliverable_free(&d);
    return rc;
}

int zg_lora_fetch(zg_client *c, zg_journal *j, const char *url, const uint8_t provider[20],
                  const char *task_id, const char *enc_path, const char *bin_path,
                  zg_root_fn root_fn, long timeout_s, zg_err *err)
{
    if (zg_lora_download(c, url, task_id, enc_path, 0, err) ||
        zg_lora_verify(c, provider, task_id, enc_path, root_fn, err))
        return -1;
    zg_deliverable d;
    if (zg_ft_get_deliverable(c, zg_chain_address(c->chain), provider, task_id, &d, err))
        return -1;
    bool acked = d.acknowledged;
    zg_deliverable_free(&d);
    if (!acked && zg_op_ack_deliverable(c, j, provider, task_id, err))
        return -1;
    return zg_lora_decrypt(c, provider, task_id, enc_path, bin_path, timeout_s, 0, err);
}
