/* The mountpoint checks (zg/mountinfo.h): the mount table read from a
 * hand-made file in the kernel's format, and the refusals on real paths.
 * A dead FUSE mount and a mount already there need a FUSE mount:
 * tests/fs/mount.sh and tests/fs/journal.sh. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "zg/mountinfo.h"

static void test_fd_form(void)
{
    CHECK(zg_mount_fd_form("/dev/fd/3"), "/dev/fd/3 is the descriptor form");
    CHECK(zg_mount_fd_form("/dev/fd/12"), "/dev/fd/12 too");
    CHECK(!zg_mount_fd_form("/dev/fd/"), "/dev/fd/ without a number is not");
    CHECK(!zg_mount_fd_form("/dev/fd/3x"), "/dev/fd/3x is not");
    CHECK(!zg_mount_fd_form("/mnt/zg"), "a path is not");
}

static void test_table(const char *dir)
{
    char table[PATH_MAX], src[256];
    snprintf(table, sizeof table, "%s/mountinfo", dir);
    FILE *f = fopen(table, "w");
    if (!f) {
        CHECK(0, "cannot write %s", table);
        return;
    }
    fputs("22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
          "40 22 0:35 / /mnt/my\\040files rw,nosuid master:1 shared:3 - fuse.zgfs zgfs:devnet "
          "rw,user_id=1000\n"
          "41 22 0:36 / /mnt/other rw - fuse.sshfs host:/ rw\n"
          "42 22 0:37 / /mnt/bare rw - fuse.zgfs\n"
          "garbage\n",
          f);
    fclose(f);
    CHECK(zg_mountinfo_find(table, "/mnt/my files", "fuse.zgfs", src, sizeof src),
          "a mount is found at its unescaped path, past optional fields");
    CHECK_STR(src, "zgfs:devnet", "...with its source");
    CHECK(!zg_mountinfo_find(table, "/mnt/my\\040files", "fuse.zgfs", src, sizeof src),
          "the escaped spelling is not a path");
    CHECK(!zg_mountinfo_find(table, "/mnt/other", "fuse.zgfs", src, sizeof src),
          "a mount of another type does not count");
    CHECK(zg_mountinfo_find(table, "/mnt/other", "fuse.sshfs", src, sizeof src) &&
              !strcmp(src, "host:/"),
          "...but is found by its own type");
    CHECK(zg_mountinfo_find(table, "/mnt/bare", "fuse.zgfs", src, sizeof src) && src[0] == 0,
          "a line without a source gives an empty one");
    CHECK(!zg_mountinfo_find(table, "/mnt", "fuse.zgfs", src, sizeof src),
          "nothing mounted there: not found");
    char none[PATH_MAX];
    snprintf(none, sizeof none, "%s/none", dir);
    CHECK(!zg_mountinfo_find(none, "/mnt/bare", "fuse.zgfs", src, sizeof src),
          "an unreadable table finds nothing");
    unlink(table);
}

static void test_prepare(const char *dir)
{
    char out[PATH_MAX], want[PATH_MAX], path[PATH_MAX];
    zg_err e = {0};
    CHECK(zg_mountpoint_prepare(out, "/dev/fd/5", "zgfs", &e) == 0 && !strcmp(out, "/dev/fd/5"),
          "the descriptor form is taken as given");

    snprintf(path, sizeof path, "%s/sub/../", dir);
    CHECK(zg_mountpoint_prepare(out, path, "zgfs", &e) == 0 && realpath(dir, want) &&
              !strcmp(out, want),
          "a directory is made absolute: %s", out);

    snprintf(path, sizeof path, "%s/missing", dir);
    CHECK(zg_mountpoint_prepare(out, path, "zgfs", &e) == -1 && e.code == ENOENT,
          "a missing mountpoint is refused");
    char msg[PATH_MAX + 64];
    snprintf(msg, sizeof msg, "mountpoint %s: No such file or directory", path);
    CHECK_STR(e.msg, msg, "...naming it");

    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
    CHECK(zg_mountpoint_prepare(out, path, "zgfs", &e) == -1 && e.code == ENOTDIR,
          "a file is refused");
    snprintf(msg, sizeof msg, "mountpoint %s/file is not a directory", want);
    CHECK_STR(e.msg, msg, "...as not a directory");
    unlink(path);
}

int main(void)
{
    char dir[] = "/tmp/zg-mountinfo-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char sub[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0700);
    test_fd_form();
    test_table(dir);
    test_prepare(dir);
    rmdir(sub);
    rmdir(dir);
    return check_done();
}
