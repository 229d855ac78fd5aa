/* What /proc tells about another thread or process (Linux). A file
 * system request, a signal or a close names a thread; these readers say
 * which process it belongs to, whether it is dying of a signal or being
 * stopped, and whether it still holds a file open. Each reads /proc once
 * and answers from that; a thread that is gone (or /proc that is not
 * mounted) gets the answer documented at each function. */
#ifndef ZG_PROC_H
#define ZG_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The thread-group id of thread tid (tid itself when /proc says nothing). */
pid_t zg_proc_tgid(pid_t tid);
/* Is thread tid dying of a signal? A killed process's last closes come
 * from its exit (PF_EXITING), and its exit code carries the signal.
 * Unreadable: false. */
bool zg_proc_killed(pid_t tid);
/* Does process tgid hold a descriptor of inode ino (on any file system)?
 * At the flush of close(fd), fd is already gone from its table.
 * Unreadable: false. */
bool zg_proc_holds_inode(pid_t tgid, uint64_t ino);
/* Does thread tid have a signal pending that asks it to stop (SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT, SIGKILL)? Harmless signals (SIGCHLD) do not
 * count. Unreadable (the thread is gone): true. */
bool zg_proc_stopping(pid_t tid);

#endif
