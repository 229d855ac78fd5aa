/* Numeric settings of the devnet servers (the provider simulator and the
 * storage node), from their environment or their command line. */
#ifndef ZG_DEVNET_KNOBS_H
#define ZG_DEVNET_KNOBS_H

/* The server's log line writer (printf-style). */
typedef void (*knob_log_fn)(const char *fmt, ...);

/* The whole number in environment variable `name`, or def when it is unset
 * or empty. A value that is not a whole number in [lo, hi] is ignored, with
 * a line to log: a fault knob set wrongly must not stop a test devnet. */
long knob_env(const char *name, long def, long lo, long hi, knob_log_fn log);

/* The whole number argument v of option opt, in [lo, hi]; anything else
 * ends the program (prog names it) with a message and exit status 2. */
long knob_arg(const char *prog, const char *opt, const char *v, long lo, long hi);

#endif
