/* A child process for tests of what /proc says about a process: it
 * blocks the signals given (a 0-terminated list), so one sent to it stays
 * pending, and then waits for its end. Returned once it is blocking them;
 * -1 when it cannot be made. The caller kills and reaps it. */
#ifndef ZG_TEST_CHILD_H
#define ZG_TEST_CHILD_H

#include <signal.h>
#include <stdarg.h>
#include <sys/types.h>
#include <unistd.h>

static inline pid_t test_blocking_child(int sig, ...)
{
    sigset_t s;
    sigemptyset(&s);
    va_list ap;
    va_start(ap, sig);
    for (int k = sig; k; k = va_arg(ap, int))
        sigaddset(&s, k);
    va_end(ap);
    int p[2];
    if (pipe(p))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_BLOCK, &s, NULL);
        (void)!write(p[1], "x", 1);
        for (;;)
            pause();
    }
    char c;
    if (pid > 0)
        (void)!read(p[0], &c, 1);
    close(p[0]);
    close(p[1]);
    return pid;
}

#endif
