#include "zg/statelock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int zg_state_lock(const char *dir, int *fd, zg_err *err)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/lock", dir) >= (int)sizeof path)
        return zg_err_set(err, ENAMETOOLONG, "state directory path too long");
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0)
        return zg_err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
    if (flock(f, LOCK_EX | LOCK_NB) == 0) {
        zg_state_lock_owner(f);
        *fd = f;
        return 0;
    }
    int e = errno;
    char pid[32] = "";
    ssize_t n = pread(f, pid, sizeof pid - 1, 0);
    close(f);
    if (e != EWOULDBLOCK)
        return zg_err_set(err, e, "cannot lock %s: %s", path, strerror(e));
    pid[n > 0 ? n : 0] = 0;
    pid[strcspn(pid, "\n")] = 0;
    return zg_err_set(err, EBUSY,
                      "the state directory %s is in use by another zgfs (pid %s); one daemon "
                      "per state directory: unmount that one first, or give another state_dir",
                      dir, pid[0] ? pid : "unknown");
}

void zg_state_lock_owner(int fd)
{
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) == n)
        fsync(fd);
}
