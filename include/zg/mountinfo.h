/* Where a file system may be mounted: the checks a FUSE daemon makes on
 * its mountpoint before it mounts, and the kernel's mount table
 * (/proc/self/mountinfo) read for them. */
#ifndef ZG_MOUNTINFO_H
#define ZG_MOUNTINFO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "zg/err.h"

/* libfuse's "/dev/fd/N": the file system is already mounted on the
 * /dev/fuse descriptor N by a privileged parent. */
bool zg_mount_fd_form(const char *mountpoint);

/* Is there a mount of type fstype ("fuse.zgfs") at the absolute path
 * point in the mount table file table (the format of
 * /proc/self/mountinfo, whose octal escapes such as \040 it undoes)?
 * When there is, its source goes into source (cap bytes; "" when the
 * table names none). False too when the table cannot be read. */
bool zg_mountinfo_find(const char *table, const char *point, const char *fstype, char *source,
                       size_t cap);

/* The mountpoint a FUSE file system of this subtype ("zgfs") may mount
 * on, in out: the "/dev/fd/N" form as given; else the given path made
 * absolute, which must be a directory that is neither a dead FUSE mount
 * (ENOTCONN: its daemon died) nor already a mount of the same subtype
 * (EBUSY: the new mount would hide the old one's tree while its daemon
 * goes on). Each refusal is one sentence naming the way out. */
int zg_mountpoint_prepare(char out[PATH_MAX], const char *given, const char *subtype, zg_err *err);

#endif
