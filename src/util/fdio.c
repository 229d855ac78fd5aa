#include "zg/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int zg_write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

int zg_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
    const uint8_t *b = p;
    while (n) {
        ssize_t w = pwrite(fd, b, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        b += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

ssize_t zg_read_full(int fd, void *p, size_t n)
{
    uint8_t *b = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int zg_file_read(const char *path, zg_buf *out, zg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
    char chunk[16384];
    ssize_t r;
    int rc = 0;
    while (rc == 0 && (r = zg_read_full(fd, chunk, sizeof chunk)) > 0)
        rc = zg_buf_append(out, chunk, (size_t)r, err);
    if (rc == 0 && r < 0)
        rc = zg_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
    close(fd);
    return rc;
}

ssize_t zg_pread_full(int fd, void *p, size_t n, uint64_t off)
{
    uint8_t *b = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, b + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int zg_mkdirs(const char *path, mode_t mode, zg_err *err)
{
    char buf[PATH_MAX];
    if (!path[0])
        return zg_err_set(err, EINVAL, "an empty directory path");
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return zg_err_set(err, ENAMETOOLONG, "the path %s is too long", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, mode) && errno != EEXIST)
            return zg_err_set(err, errno, "cannot create %s: %s", buf, strerror(errno));
        if (c == '\0')
            return 0;
        *p = c;
    }
}

int zg_fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

void zg_fsync_dir_of(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int zg_write_atomic(const char *path, const void *data, size_t len, zg_err *err)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return zg_err_set(err, ENAMETOOLONG, "the path %s is too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot write %s: %s", tmp, strerror(errno));
    if (zg_write_all(fd, data, len) || fsync(fd)) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return zg_err_set(err, e, "cannot write %s: %s", tmp, strerror(e));
    }
    if (close(fd) || rename(tmp, path)) {
        int e = errno;
        unlink(tmp);
        return zg_err_set(err, e, "cannot save %s: %s", path, strerror(e));
    }
    zg_fsync_dir_of(path);
    return 0;
}

void zg_writeback_init(zg_writeback *w, int fd, uint64_t every)
{
    struct stat st;
    w->fd = fd;
    w->file = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    w->next = w->file ? lseek(fd, 0, SEEK_CUR) : -1;
    w->every = every ? every : 1;
    atomic_init(&w->written, 0);
    atomic_init(&w->asked, 0);
}

/* n more bytes were written: the disk is asked each time the count
 * passes another multiple of every. */
static void wrote(zg_writeback *w, size_t n)
{
    if (!w->file)
        return;
    uint64_t before = atomic_fetch_add(&w->written, n);
    if (before / w->every != (before + n) / w->every)
        zg_writeback_flush(w);
}

int zg_writeback_write(zg_writeback *w, const void *p, size_t n)
{
    if (zg_write_all(w->fd, p, n))
        return -1;
    if (w->next >= 0)
        w->next += (off_t)n;
    wrote(w, n);
    return 0;
}

int zg_writeback_pwrite(zg_writeback *w, const void *p, size_t n, uint64_t off)
{
    if (zg_pwrite_all(w->fd, p, n, off))
        return -1;
    wrote(w, n);
    return 0;
}

void zg_writeback_flush(zg_writeback *w)
{
    /* The whole file: pages already on their way are skipped, and writers
     * at several offsets need no bookkeeping of who wrote where. */
    if (!w->file)
        return;
    (void)sync_file_range(w->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    atomic_fetch_add(&w->asked, 1);
}
