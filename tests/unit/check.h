/* A minimal test harness: each check prints a TAP line, and check_done()
 * prints the closing "N passed, N failed" line and returns the exit status.
 * Test programs are small and single-threaded, so the counters are plain
 * statics of this header's includer. */
#ifndef ZG_TEST_CHECK_H
#define ZG_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_passed++;                                                                        \
            printf("ok %d - ", check_passed + check_failed);                                       \
        } else {                                                                                   \
            check_failed++;                                                                        \
            printf("not ok %d - %s:%d: ", check_passed + check_failed, __FILE__, __LINE__);        \
        }                                                                                          \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
    } while (0)

#define CHECK_STR(got, want, ...)                                                                  \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        int same_ = g_ && w_ && strcmp(g_, w_) == 0;                                               \
        CHECK(same_, __VA_ARGS__);                                                                 \
        if (!same_)                                                                                \
            printf("#   got:  %s\n#   want: %s\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)");        \
    } while (0)

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
