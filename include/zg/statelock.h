/* One daemon per state directory: two would settle the same journal and
 * spend from the same wallet without knowing of each other. */
#ifndef ZG_STATELOCK_H
#define ZG_STATELOCK_H

#include "zg/err.h"

/* Hold DIR for this process: an exclusive flock(2) on DIR/lock, a file
 * that names the holder's pid. The lock belongs to the open file, so it
 * survives fork (daemonizing) and ends with the last process holding it,
 * however that process ends. *fd receives the descriptor: keep it open for
 * as long as the directory is used. When another process holds DIR: -1
 * with EBUSY and a sentence naming its pid. */
int zg_state_lock(const char *dir, int *fd, zg_err *err);

/* Record the calling process as the holder (after daemonizing, the child
 * holds the lock and its pid is the one to name). */
void zg_state_lock_owner(int fd);

#endif
