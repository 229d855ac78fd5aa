/* The mountpoint checks and the mount table. */
#include "zg/mountinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool zg_mount_fd_form(const char *m)
{
    if (strncmp(m, "/dev/fd/", 8) || !m[8])
        return false;
    for (const char *p = m + 8; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

/* Undo mountinfo's octal escapes (\040 for a space, ...) in place. */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
            p[3] >= '0' && p[3] <= '7') {
            *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
}

bool zg_mountinfo_find(const char *table, const char *point, const char *fstype, char *source,
                       size_t cap)
{
    FILE *f = fopen(table, "re");
    if (!f)
        return false;
    char *line = NULL;
    size_t lcap = 0;
    bool found = false;
    while (!found && getline(&line, &lcap, f) > 0) {
        /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE ... */
        char *save = NULL, *tok = strtok_r(line, " \n", &save);
        char *at = NULL, *type = NULL, *src = NULL;
        for (int i = 0; tok; i++, tok = strtok_r(NULL, " \n", &save)) {
            if (i == 4)
                at = tok;
            if (i > 5 && strcmp(tok, "-") == 0) {
                type = strtok_r(NULL, " \n", &save);
                src = type ? strtok_r(NULL, " \n", &save) : NULL;
                break;
            }
        }
        if (!at || !type)
            continue;
        unescape(at);
        if (strcmp(at, point) == 0 && strcmp(type, fstype) == 0) {
            found = true;
            snprintf(source, cap, "%s", src ? src : "");
        }
    }
    free(line);
    fclose(f);
    return found;
}

int zg_mountpoint_prepare(char out[PATH_MAX], const char *given, const char *subtype, zg_err *err)
{
    if (zg_mount_fd_form(given)) {
        snprintf(out, PATH_MAX, "%s", given);
        return 0;
    }
    if (!realpath(given, out))
        return zg_err_set(err, errno, "mountpoint %s: %s", given, strerror(errno));
    struct stat st;
    if (stat(out, &st)) {
        if (errno == ENOTCONN)
            return zg_err_set(err, ENOTCONN,
                              "%s is a dead FUSE mount (its daemon died); run fusermount3 -u %s",
                              out, out);
        return zg_err_set(err, errno, "mountpoint %s: %s", out, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return zg_err_set(err, ENOTDIR, "mountpoint %s is not a directory", out);
    char fstype[64], source[256];
    snprintf(fstype, sizeof fstype, "fuse.%s", subtype);
    if (zg_mountinfo_find("/proc/self/mountinfo", out, fstype, source, sizeof source))
        return zg_err_set(err, EBUSY,
                          "%s already holds a %s mount (%s); unmount it first (fusermount3 -u %s)",
                          out, subtype, source[0] ? source : subtype, out);
    return 0;
}
