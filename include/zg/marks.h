/* Marks: small explicit state for "already done", such as a warning given
 * once or a log line given once per quiet period, and a provider's answer
 * remembered for a while. Each mark is a key with the time it was set.
 * Unlike the cache (zg/cache.h) nothing is fetched here and no value is
 * held: a mark is only what its owner set.
 *
 * Thread-safe. Bounded: past max marks the oldest is forgotten, so a mark
 * may be given again after many others (a repeated log line, never a
 * wrong answer). */
#ifndef ZG_MARKS_H
#define ZG_MARKS_H

#include <stdbool.h>
#include <stddef.h>

#include "zg/err.h"

typedef struct zg_marks zg_marks;

int zg_marks_new(zg_marks **out, size_t max, zg_err *err);
void zg_marks_free(zg_marks *m);

/* Was key set within the last within_ms (< 0: ever)? */
bool zg_marks_recent(zg_marks *m, const char *key, long within_ms);
/* Set key now. */
void zg_marks_set(zg_marks *m, const char *key);
/* Both at once: true, and key set now, when it was not set within the
 * last within_ms (< 0: ever); false otherwise. Two callers racing for the
 * same key get one true. Out of memory counts as first (the caller then
 * says its line again rather than never). */
bool zg_marks_first(zg_marks *m, const char *key, long within_ms);

#endif
