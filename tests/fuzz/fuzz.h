/* What every fuzz target shares: a failed invariant aborts (so libFuzzer
 * keeps the input as a crash), the error contract of zg/err.h is checked on
 * every failure, and inputs that must be text or files are made so.
 *
 * Each target is one LLVMFuzzerTestOneInput in its own program
 * (tests/fuzz/meson.build); this header is included once per program, so
 * its functions are static. */
#ifndef ZG_FUZZ_H
#define ZG_FUZZ_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zg/err.h"

/* The on-chain TEE signer the attestation target checks against, and its
 * seeds were made for (anvil's second dev account). */
#define FUZZ_TEE_SIGNER "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant: when it does not hold, say which and abort. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed at %s:%d: %s: ", __FILE__, __LINE__, #cond);         \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* zg/err.h: a failure carries an errno value and one line a user can read,
 * whatever bytes the input held (no control characters: a message ends up
 * in files, logs and terminals). */
static inline void fuzz_check_err(const zg_err *e)
{
    FUZZ_CHECK(e->code > 0 && e->code < 4096, "errno %d", e->code);
    size_t n = strnlen(e->msg, sizeof e->msg);
    FUZZ_CHECK(n > 0 && n < sizeof e->msg, "message length %zu", n);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK((unsigned char)e->msg[i] >= 0x20 && e->msg[i] != 0x7f,
                   "control byte 0x%02x at %zu in \"%s\"", (unsigned char)e->msg[i], i, e->msg);
}

/* A NUL-terminated copy of the input (free()). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

/* A private directory (flat: files only) for the targets whose code under
 * test reads files; made on first use, emptied and removed at exit. */
static char fuzz_dir_path[320];

static inline void fuzz_dir_cleanup(void)
{
    DIR *d = opendir(fuzz_dir_path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(fuzz_dir_path);
}

static inline const char *fuzz_dir(void)
{
    if (!fuzz_dir_path[0]) {
        const char *t = getenv("TMPDIR");
        int n =
            snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/zgfuzz.XXXXXX", t && *t ? t : "/tmp");
        if (n < 0 || (size_t)n >= sizeof fuzz_dir_path - 32 || !mkdtemp(fuzz_dir_path)) {
            fprintf(stderr, "fuzz: cannot make a directory %s\n", fuzz_dir_path);
            abort();
        }
        atexit(fuzz_dir_cleanup);
    }
    return fuzz_dir_path;
}

/* Write bytes to path (created or truncated with mode). */
static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size, int mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        perror(path);
        abort();
    }
    if (fchmod(fd, (mode_t)mode) != 0) {
        perror(path);
        abort();
    }
    while (size) {
        ssize_t w = write(fd, data, size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            perror(path);
            abort();
        }
        data += w;
        size -= (size_t)w;
    }
    close(fd);
}

#endif
