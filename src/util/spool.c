/* A request's bytes in memory or in a spool file (see zg/spool.h). */
#include "zg/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "zg/fdio.h"

#define SPACE_STEP   ((uint64_t)16 << 20) /* check free space every 16 MiB of spool */
#define SPACE_MARGIN ((uint64_t)64 << 20) /* and keep this much free */
#define WRITEBACK    ((uint64_t)8 << 20)  /* the disk asked every 8 MiB spooled */

void zg_spool_init(zg_spool *s, const char *state_dir, uint64_t max, const char *label)
{
    *s = (zg_spool){.state_dir = state_dir, .label = label, .max = max, .fd = -1};
    zg_buf_init(&s->mem, 0);
}

void zg_spool_discard(zg_spool *s)
{
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->path[0]) {
        unlink(s->path); /* gone already when the request's owner kept it */
        s->path[0] = '\0';
    }
    zg_buf_reset(&s->mem);
    s->len = 0;
    s->space_checked = 0;
}

void zg_spool_free(zg_spool *s)
{
    zg_spool_discard(s);
    zg_buf_free(&s->mem);
}

void zg_spool_restart(zg_spool *s, uint64_t base)
{
    zg_spool_discard(s);
    s->base = base;
}

static int spool_dir(const char *state_dir, char dir[PATH_MAX], zg_err *err)
{
    if (snprintf(dir, PATH_MAX, "%s/spool", state_dir) >= PATH_MAX)
        return zg_err_set(err, ENAMETOOLONG, "state directory path too long");
    if (mkdir(dir, 0700) && errno != EEXIST)
        return zg_err_set(err, errno, "cannot create %s: %s", dir, strerror(errno));
    return 0;
}

static int spool_open(zg_spool *s, zg_err *err)
{
    char dir[PATH_MAX];
    if (spool_dir(s->state_dir, dir, err))
        return -1;
    if (snprintf(s->path, sizeof s->path, "%s/payload.XXXXXX", dir) >= (int)sizeof s->path)
        return zg_err_set(err, ENAMETOOLONG, "state directory path too long");
    s->fd = mkostemp(s->path, O_CLOEXEC);
    if (s->fd < 0) {
        int e = errno;
        s->path[0] = '\0';
        return zg_err_set(err, e, "cannot create a spool file in %s: %s", dir, strerror(e));
    }
    zg_writeback_init(&s->wb, s->fd, WRITEBACK);
    return 0;
}

static int spool_space(zg_spool *s, uint64_t upto, zg_err *err)
{
    if (upto < s->space_checked + SPACE_STEP && s->space_checked)
        return 0;
    struct statvfs sv;
    if (fstatvfs(s->fd, &sv) == 0 &&
        (uint64_t)sv.f_bavail * sv.f_frsize < SPACE_MARGIN + SPACE_STEP)
        return zg_err_set(err, ENOSPC,
                          "the disk of the state directory %s is nearly full; free space "
                          "there and copy again",
                          s->state_dir);
    s->space_checked = upto;
    return 0;
}

static int mem_write(zg_spool *s, uint64_t at, const void *buf, size_t size, zg_err *err)
{
    if (s->mem.len < at + size) {
        size_t grow = (size_t)(at + size - s->mem.len);
        if (zg_buf_reserve(&s->mem, grow, err))
            return -1;
        memset(s->mem.data + s->mem.len, 0, grow);
        s->mem.len += grow;
        s->mem.data[s->mem.len] = '\0';
    }
    memcpy(s->mem.data + at, buf, size);
    return 0;
}

int zg_spool_write(zg_spool *s, uint64_t off, const void *buf, size_t size, zg_err *err)
{
    if (off < s->base)
        return zg_err_set(err, EINVAL, "payloads are written front to back");
    uint64_t at = off - s->base;
    if (at + size > s->max) {
        char cap[32];
        zg_size_text(cap, s->max);
        return zg_err_set(err, EFBIG, "%s takes at most %s", s->label ? s->label : "this file",
                          cap);
    }
    if (!s->state_dir) {
        if (mem_write(s, at, buf, size, err))
            return -1;
    } else if ((s->fd < 0 && spool_open(s, err)) || spool_space(s, at + size, err)) {
        return -1;
    } else if (zg_writeback_pwrite(&s->wb, buf, size, at)) {
        return zg_err_set(err, errno, "cannot spool the payload: %s", strerror(errno));
    }
    if (at + size > s->len)
        s->len = at + size;
    return 0;
}

void zg_spool_view(const zg_spool *s, const char **path, const uint8_t **data, size_t *len)
{
    *path = s->fd >= 0 ? s->path : NULL;
    *data = s->fd >= 0 ? NULL : s->mem.data;
    *len = (size_t)s->len;
}

int zg_spool_sweep(const char *state_dir, int *lock_fd, size_t *files, uint64_t *bytes, zg_err *err)
{
    *files = 0;
    *bytes = 0;
    char dir[PATH_MAX], lock[PATH_MAX + 8];
    if (spool_dir(state_dir, dir, err))
        return -1;
    snprintf(lock, sizeof lock, "%s/.lock", dir);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return zg_err_set(err, errno, "cannot open %s: %s", lock, strerror(errno));
    *lock_fd = fd;
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        if (errno != EWOULDBLOCK)
            return zg_err_set(err, errno, "cannot lock %s: %s", lock, strerror(errno));
        /* Another process is using this state directory: its files stay. */
        while (flock(fd, LOCK_SH) && errno == EINTR)
            ;
        return 0;
    }
    DIR *d = opendir(dir);
    if (!d)
        return zg_err_set(err, errno, "cannot read %s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
            !S_ISREG(st.st_mode) || unlinkat(dirfd(d), e->d_name, 0))
            continue;
        (*files)++;
        *bytes += (uint64_t)st.st_size;
    }
    closedir(d);
    while (flock(fd, LOCK_SH) && errno == EINTR)
        ;
    return 0;
}

void zg_size_text(char out[32], uint64_t n)
{
    if (n >= (1u << 20) && n % (1u << 20) == 0)
        snprintf(out, 32, "%llu MiB", (unsigned long long)(n >> 20));
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(out, 32, "%llu KiB", (unsigned long long)(n >> 10));
    else
        snprintf(out, 32, "%llu bytes", (unsigned long long)n);
}
