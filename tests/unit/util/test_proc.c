/* The /proc readers (zg/proc.h) on real processes: this one, its threads,
 * children with signals pending, and zombies, which keep the flags and
 * exit code of the exit they made. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check.h"
#include "../child.h"
#include "zg/proc.h"

static void reap(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Wait until a child is a zombie (its exit done, not reaped). */
static void await_zombie(pid_t pid)
{
    siginfo_t si;
    waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
}

/* A pid no process has: the largest pid_max allows, plus one. */
#define NO_PID 4194305

static void test_tgid(void)
{
    CHECK(zg_proc_tgid(getpid()) == getpid(), "the main thread's group is the process");
    CHECK(zg_proc_tgid(NO_PID) == NO_PID, "an unknown thread is its own group");
}

/* A thread that says its id on ready and lives until go is written. */
typedef struct {
    pid_t tid;
    int ready[2], go[2];
} live_thread;

static void *sleeper(void *p)
{
    live_thread *l = p;
    l->tid = (pid_t)syscall(SYS_gettid);
    (void)!write(l->ready[1], "x", 1);
    char c;
    (void)!read(l->go[0], &c, 1);
    return NULL;
}

static void test_live_thread(void)
{
    live_thread l = {0};
    if (pipe(l.ready) || pipe(l.go))
        return;
    pthread_t t;
    pthread_create(&t, NULL, sleeper, &l);
    char c;
    (void)!read(l.ready[0], &c, 1);
    CHECK(l.tid != getpid() && zg_proc_tgid(l.tid) == getpid(),
          "another thread's group is the process (tid %d)", (int)l.tid);
    (void)!write(l.go[1], "x", 1);
    pthread_join(t, NULL);
    for (int i = 0; i < 2; i++) {
        close(l.ready[i]);
        close(l.go[i]);
    }
}

static void test_holds_inode(void)
{
    char path[] = "/tmp/zg-proc-XXXXXX";
    int fd = mkstemp(path);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        CHECK(0, "mkstemp");
        return;
    }
    unlink(path);
    CHECK(zg_proc_holds_inode(getpid(), st.st_ino), "an open file's inode is held");
    close(fd);
    CHECK(!zg_proc_holds_inode(getpid(), st.st_ino), "...and no longer once it is closed");
    CHECK(!zg_proc_holds_inode(NO_PID, st.st_ino), "an unknown process holds nothing");
}

static void test_stopping(void)
{
    pid_t c = test_blocking_child(SIGTERM, SIGCHLD, 0);
    CHECK(!zg_proc_stopping(c), "nothing pending: not stopping");
    kill(c, SIGCHLD);
    usleep(20000);
    CHECK(!zg_proc_stopping(c), "SIGCHLD pending: not stopping");
    kill(c, SIGTERM);
    usleep(20000);
    CHECK(zg_proc_stopping(c), "SIGTERM pending: stopping");
    reap(c);
    CHECK(zg_proc_stopping(NO_PID), "a caller that is gone is stopping");
}

static void test_killed(void)
{
    pid_t c = test_blocking_child(SIGTERM, SIGCHLD, 0);
    CHECK(!zg_proc_killed(c), "a live process is not dying");
    kill(c, SIGKILL);
    await_zombie(c);
    CHECK(zg_proc_killed(c),
          "one that a signal ended is (PF_EXITING, the signal in its exit code)");
    waitpid(c, NULL, 0);

    pid_t e = fork();
    if (e == 0)
        _exit(3);
    await_zombie(e);
    CHECK(!zg_proc_killed(e), "one that exited by itself is not");
    waitpid(e, NULL, 0);
    CHECK(!zg_proc_killed(NO_PID), "an unknown thread is not");
}

int main(void)
{
    test_tgid();
    test_live_thread();
    test_holds_inode();
    test_stopping();
    test_killed();
    return check_done();
}
