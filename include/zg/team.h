/* A team of threads on one piece of work: the transfers and hashes that
 * split a file among workers taking their next share from a common
 * state. */
#ifndef ZG_TEAM_H
#define ZG_TEAM_H

/* Run fn(arg) on n threads at once, the calling thread being one of them,
 * and return when every one has returned. Fewer run when the system
 * cannot start more (at least the caller's own; n = 0 counts as 1), so fn
 * must take its shares from arg (under its own lock) rather than count on
 * n of them. How many ran. */
unsigned zg_team_run(unsigned n, void *(*fn)(void *arg), void *arg);

#endif
