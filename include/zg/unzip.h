/* One member out of a zip archive (PKWARE APPNOTE 4.3): what a tokenizer
 * archive fetched from 0G Storage needs, no more. Stored (method 0) and
 * deflate (method 8) entries; encrypted, ZIP64 and multi-disk archives are
 * refused. The archive is untrusted: the central directory is bounded, the
 * output is cut off at the size the directory declares (and at max), and
 * the CRC-32 is checked, so a zip bomb or a lying header fails instead of
 * filling the disk. Nothing here prints. */
#ifndef ZG_UNZIP_H
#define ZG_UNZIP_H

#include <stdint.h>

#include "zg/err.h"

/* Extract the member whose name, or whose last path component, is `name`
 * (the shallowest such file; two at the same depth are ambiguous) into
 * dest, created or truncated with mode 0644. max bounds the member's
 * uncompressed size. On a failure after dest was opened, it is removed. Errors: ENOENT (no such
 * member), EINVAL (not a zip, malformed, ambiguous), ENOTSUP (method,
 * encryption, ZIP64, multi-disk), EFBIG (over max), EIO (the data does not
 * match its header: size, CRC, truncated), or the errno of the file I/O. */
int zg_unzip_member(const char *zip_path, const char *name, const char *dest, uint64_t max,
                    zg_err *err);

#endif
