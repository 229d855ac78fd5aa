#include "zg/dataset.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zg/hex.h"
#include "zg/keccak.h"

#define LINE_MAX_BYTES (16u << 20)

/* Incremental UTF-8 validation (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF) so a file is checked in one pass of fixed memory. */
typedef struct utf8 {
    int need;     /* continuation bytes still expected */
    uint32_t cp;  /* code point so far */
    uint32_t min; /* smallest code point allowed for this length */
} utf8;

static bool utf8_byte(utf8 *u, uint8_t b)
{
    if (u->need == 0) {
        if (b < 0x80)
            return true;
        if ((b & 0xe0) == 0xc0) {
            u->need = 1, u->cp = b & 0x1f, u->min = 0x80;
        } else if ((b & 0xf0) == 0xe0) {
            u->need = 2, u->cp = b & 0x0f, u->min = 0x800;
        } else if ((b & 0xf8) == 0xf0) {
            u->need = 3, u->cp = b & 0x07, u->min = 0x10000;
        } else {
            return false;
        }
        return true;
    }
    if ((b & 0xc0) != 0x80)
        return false;
    u->cp = u->cp << 6 | (b & 0x3f);
    if (--u->need == 0) {
        if (u->cp < u->min || u->cp > 0x10ffff || (u->cp >= 0xd800 && u->cp <= 0xdfff))
            return false;
    }
    return true;
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static int check_record(const char *line, size_t n, uint64_t lineno, zg_err *err)
{
    cJSON *j = cJSON_ParseWithLength(line, n);
    int rc = 0;
    if (!cJSON_IsObject(j)) {
        rc = zg_err_set(err, EINVAL,
                        "line %llu is not a JSON object; a dataset is JSON lines, "
                        "one object per line",
                        (unsigned long long)lineno);
    } else {
        const cJSON *ins = cJSON_GetObjectItemCaseSensitive(j, "instruction");
        const cJSON *out = cJSON_GetObjectItemCaseSensitive(j, "output");
        const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(j, "messages");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
        bool ok = (cJSON_IsString(ins) && cJSON_IsString(out)) || cJSON_IsString(text);
        if (!ok && cJSON_IsArray(msgs)) {
            ok = cJSON_GetArraySize(msgs) > 0;
            const cJSON *m;
            cJSON_ArrayForEach(m, msgs)
            {
                ok &= cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "role")) &&
                      cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "content"));
            }
        }
        if (!ok)
            rc = zg_err_set(err, EINVAL,
                            "line %llu has none of the accepted shapes: "
                            "{\"instruction\",\"input\",\"output\"}, {\"messages\":[{\"role\","
                            "\"content\"}...]} or {\"text\"}",
                            (unsigned long long)lineno);
    }
    cJSON_Delete(j);
    return rc;
}

int zg_dataset_check(const char *path, char hash[67], uint64_t *rows, zg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
    zg_keccak k;
    zg_keccak_init(&k);
    utf8 u = {0};
    char *line = NULL;
    size_t len = 0, cap = 0;
    uint64_t total = 0, lineno = 1, records = 0;
    uint8_t buf[65536];
    int rc = -1;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        total += (uint64_t)n;
        if (total > ZG_DATASET_MAX) {
            zg_err_set(err, EFBIG, "the dataset is larger than the provider's 100 MiB limit");
            goto out;
        }
        zg_keccak_update(&k, buf, (size_t)n);
        for (ssize_t i = 0; i < n; i++) {
            uint8_t b = buf[i];
            if (b == 0 || !utf8_byte(&u, b)) {
                zg_err_set(err, EINVAL,
                           "line %llu is not valid UTF-8 text; datasets are JSON "
                           "lines",
                           (unsigned long long)lineno);
                goto out;
            }
            if (b == '\n') {
                if (!is_blank(line, len)) {
                    if (check_record(line, len, lineno, err))
                        goto out;
                    records++;
                }
                len = 0;
                lineno++;
                continue;
            }
            if (len + 1 > cap) {
                if (cap >= LINE_MAX_BYTES) {
                    zg_err_set(err, EINVAL, "line %llu is longer than 16 MiB",
                               (unsigned long long)lineno);
                    goto out;
                }
                size_t nc = cap ? cap * 2 : 4096;
                char *g = realloc(line, nc);
                if (!g) {
                    zg_err_set(err, ENOMEM, "out of memory");
                    goto out;
                }
                line = g;
                cap = nc;
            }
            line[len++] = (char)b;
        }
    }
    if (u.need) {
        zg_err_set(err, EINVAL, "the file ends inside a UTF-8 character");
        goto out;
    }
    if (len && !is_blank(line, len)) {
        if (check_record(line, len, lineno, err))
            goto out;
        records++;
    }
    if (records == 0) {
        zg_err_set(err, EINVAL,
                   "the dataset is empty; write JSON lines such as "
                   "{\"instruction\":\"...\",\"input\":\"\",\"output\":\"...\"}");
        goto out;
    }
    uint8_t h[32];
    zg_keccak_final(&k, h);
    hash[0] = '0';
    hash[1] = 'x';
    zg_hex_encode(hash + 2, h, 32);
    if (rows)
        *rows = records;
    rc = 0;
out:
    free(line);
    close(fd);
    return rc;
}
