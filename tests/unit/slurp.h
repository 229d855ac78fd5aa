/* A whole file for a test program: its bytes NUL-terminated (the count
 * without the NUL in *len when len is given), or NULL when it cannot be
 * read. The caller frees the result with free(). */
#ifndef ZG_TEST_SLURP_H
#define ZG_TEST_SLURP_H

#include <stddef.h>

#include "zg/buf.h"
#include "zg/fdio.h"

static inline char *test_slurp(const char *path, size_t *len)
{
    zg_buf b;
    zg_buf_init(&b, 0);
    if (zg_file_read(path, &b, NULL)) {
        zg_buf_free(&b);
        return NULL;
    }
    return (char *)zg_buf_steal(&b, len);
}

#endif
