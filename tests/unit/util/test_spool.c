/* zg/spool.h: a request's bytes gathered front to back, in memory or in a
 * spool file of the state directory, within a cap; and the sweep of what
 * earlier processes left in STATE_DIR/spool. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "zg/fdio.h"
#include "zg/spool.h"

static int put(zg_spool *s, uint64_t off, const char *text, zg_err *err)
{
    return zg_spool_write(s, off, text, strlen(text), err);
}

static void in_memory(void)
{
    zg_spool s;
    zg_err err = {0};
    const char *path;
    const uint8_t *data;
    size_t len;
    zg_spool_init(&s, NULL, 16, "chat");
    zg_spool_restart(&s, 10); /* the request starts at file offset 10 */
    CHECK(put(&s, 10, "hel", &err) == 0 && put(&s, 13, "lo", &err) == 0,
          "pieces of a request are taken");
    zg_spool_view(&s, &path, &data, &len);
    CHECK(!path && len == 5 && !memcmp(data, "hello", 5), "...and read back whole, in memory");
    CHECK(put(&s, 9, "x", &err) == -1 && err.code == EINVAL, "a write before the start: EINVAL");
    CHECK_STR(err.msg, "payloads are written front to back", "...said so");
    CHECK(put(&s, 22, "0123456789", &err) == -1 && err.code == EFBIG, "past the cap: EFBIG");
    CHECK_STR(err.msg, "chat takes at most 16 bytes", "...naming the file and the cap");
    zg_spool_view(&s, &path, &data, &len);
    CHECK(len == 5, "a refused write keeps nothing");
    CHECK(put(&s, 24, "16", &err) == 0 && put(&s, 16, "!", &err) == 0, "the cap is inclusive");
    zg_spool_view(&s, &path, &data, &len);
    CHECK(len == 16 && !memcmp(data,
                               "hello\0!\0\0\0\0\0\0\0"
                               "16",
                               16),
          "a hole reads as zero bytes, a later write lands in place");
    zg_spool_restart(&s, 0);
    zg_spool_view(&s, &path, &data, &len);
    CHECK(len == 0 && s.base == 0, "restart drops the bytes and moves the start");
    zg_spool_free(&s);

    zg_spool_init(&s, NULL, 1 << 20, NULL);
    char big[1025] = {0};
    CHECK(zg_spool_write(&s, (1 << 20) - 1024, big, sizeof big, &err) == -1 && err.code == EFBIG,
          "one byte past a 1 MiB cap: EFBIG");
    CHECK_STR(err.msg, "this file takes at most 1 MiB", "...a file without a name is this file");
    zg_spool_free(&s);
}

static size_t files_in(const char *dir)
{
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "ls -A %s | grep -v '^.lock$' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    if (!p || fscanf(p, "%zu", &n) != 1)
        n = (size_t)-1;
    if (p)
        pclose(p);
    return n;
}

static void on_disk(void)
{
    char state[] = "/tmp/zg-spool-XXXXXX", spool[PATH_MAX];
    if (!mkdtemp(state)) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    snprintf(spool, sizeof spool, "%s/spool", state);
    zg_spool s;
    zg_err err = {0};
    const char *path;
    const uint8_t *data;
    size_t len;
    zg_spool_init(&s, state, 1024, "datasets");
    zg_spool_restart(&s, 0);
    CHECK(put(&s, 0, "{\"a\":1}\n", &err) == 0 && put(&s, 8, "{\"a\":2}\n", &err) == 0,
          "a spooled request takes its pieces");
    zg_spool_view(&s, &path, &data, &len);
    char want[PATH_MAX + 16];
    snprintf(want, sizeof want, "%s/payload.", spool);
    CHECK(path && !data && len == 16 && !strncmp(path, want, strlen(want)),
          "...into a file of STATE_DIR/spool: %s", path ? path : "(none)");
    char got[32] = {0};
    int fd = path ? open(path, O_RDONLY) : -1;
    CHECK(fd >= 0 && zg_read_full(fd, got, sizeof got) == 16 &&
              !strcmp(got, "{\"a\":1}\n{\"a\":2}\n"),
          "...which holds the request");
    if (fd >= 0)
        close(fd);
    struct stat st;
    CHECK(stat(spool, &st) == 0 && (st.st_mode & 0777) == 0700, "the spool directory is 0700");
    /* 9 MiB more, front to back: the disk was asked to take them once
     * the first 8 MiB were spooled. */
    static char mib[1 << 20];
    int wrote = 0;
    s.max = 64u << 20;
    for (uint64_t k = 0; k < 9 && wrote == 0; k++)
        wrote = zg_spool_write(&s, 16 + (k << 20), mib, sizeof mib, &err);
    CHECK(wrote == 0 && s.len == 16 + (9u << 20) && s.wb.asked == 1,
          "the disk is asked for the spool file as it grows (%u times for 9 MiB)",
          (unsigned)s.wb.asked);
    zg_spool_discard(&s);
    CHECK(files_in(spool) == 0, "discard removes the spool file");

    /* What a killed process left: two spool files. */
    CHECK(put(&s, 0, "left", &err) == 0, "a spool file is made again");
    char left[PATH_MAX + 16];
    snprintf(left, sizeof left, "%s/payload.old", spool);
    CHECK(zg_write_atomic(left, "0123456789", 10, &err) == 0, "a second one, 10 bytes");
    s.fd = -1; /* forgotten, as by a process that died */
    s.path[0] = '\0';

    /* Another process is using the state directory: its files stay. */
    int lock_fd = -1, other = -1;
    char lock[PATH_MAX + 8];
    snprintf(lock, sizeof lock, "%s/.lock", spool);
    other = open(lock, O_RDWR | O_CREAT, 0600);
    CHECK(other >= 0 && flock(other, LOCK_SH) == 0, "another process holds the shared lock");
    size_t files = 99;
    uint64_t bytes = 99;
    CHECK(zg_spool_sweep(state, &lock_fd, &files, &bytes, &err) == 0 && files == 0 && bytes == 0 &&
              files_in(spool) == 2,
          "the sweep leaves a state directory in use alone");
    CHECK(lock_fd >= 0 && flock(lock_fd, LOCK_EX | LOCK_NB) == -1,
          "...and holds its own shared lock");
    close(lock_fd);
    close(other);

    lock_fd = -1;
    CHECK(zg_spool_sweep(state, &lock_fd, &files, &bytes, &err) == 0 && files == 2 && bytes == 14 &&
              files_in(spool) == 0,
          "alone, the sweep removes and counts what was left: %zu files, %llu bytes", files,
          (unsigned long long)bytes);
    int probe = open(lock, O_RDWR);
    CHECK(probe >= 0 && flock(probe, LOCK_EX | LOCK_NB) == -1 && flock(probe, LOCK_SH) == 0,
          "...then keeps a shared lock that others may share");
    close(probe);
    close(lock_fd);
    zg_spool_free(&s);

    char bad[PATH_MAX];
    snprintf(bad, sizeof bad, "%s/file", state);
    CHECK(zg_write_atomic(bad, "x", 1, &err) == 0, "a file where a state directory should be");
    zg_spool_init(&s, bad, 1024, "datasets");
    CHECK(put(&s, 0, "x", &err) == -1 && err.code == ENOTDIR, "no spool directory: its errno");
    zg_spool_free(&s);
    lock_fd = -1;
    CHECK(zg_spool_sweep(bad, &lock_fd, &files, &bytes, &err) == -1 && err.code == ENOTDIR &&
              lock_fd == -1,
          "the sweep too");

    snprintf(want, sizeof want, "rm -rf %s", state);
    CHECK(system(want) == 0, "clean up");
}

static void sizes(void)
{
    char out[32];
    zg_size_text(out, (uint64_t)16 << 20);
    CHECK_STR(out, "16 MiB", "whole MiB");
    zg_size_text(out, (uint64_t)4096 << 20);
    CHECK_STR(out, "4096 MiB", "MiB is the largest unit");
    zg_size_text(out, 4096);
    CHECK_STR(out, "4 KiB", "whole KiB");
    zg_size_text(out, ((uint64_t)1 << 20) + 1024);
    CHECK_STR(out, "1025 KiB", "not whole MiB: KiB");
    zg_size_text(out, 1536);
    CHECK_STR(out, "1536 bytes", "not whole KiB: bytes");
    zg_size_text(out, 0);
    CHECK_STR(out, "0 bytes", "nothing");
}

int main(void)
{
    in_memory();
    on_disk();
    sizes();
    return check_done();
}
