#include "knobs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static bool whole(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return false;
    *out = x;
    return true;
}

long knob_env(const char *name, long def, long lo, long hi, knob_log_fn log)
{
    const char *v = getenv(name);
    long x;
    if (!v || !*v)
        return def;
    if (!whole(v, lo, hi, &x)) {
        log("ignoring %s=%s (want a whole number from %ld to %ld)", name, v, lo, hi);
        return def;
    }
    return x;
}

long knob_arg(const char *prog, const char *opt, const char *v, long lo, long hi)
{
    long x;
    if (!whole(v, lo, hi, &x)) {
        fprintf(stderr, "%s: %s wants a whole number from %ld to %ld\n", prog, opt, lo, hi);
        exit(2);
    }
    return x;
}
