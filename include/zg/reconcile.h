/* The reconciler (docs/durability.md): settles journal records that an
 * operation left open, by proofs only. A transaction's record becomes final
 * on a receipt for its hash or on its nonce taken by another transaction; a
 * task's on the provider's task list, read after the request's time-out
 * has passed and read once more before "never reached" is written. Anything
 * short of a proof leaves the record open for a later pass. */
#ifndef ZG_RECONCILE_H
#define ZG_RECONCILE_H

#include "zg/client.h"
#include "zg/journal.h"

typedef void (*zg_say_fn)(void *ctx, const char *line);

/* One pass over the open records (zg_journal_open_records). `say` gets one
 * line per record settled or still waiting, for the mount's log (may be
 * NULL). A transaction found mined is marked done with "recovered": true.
 * Returns the number of records settled, or -1 when the journal cannot be
 * read. */
int zg_reconcile(zg_client *c, zg_journal *j, zg_say_fn say, void *ctx, zg_err *err);

/* A thread that runs zg_reconcile every interval_ms while a mount lives, so
 * that a record an outage left open settles without a remount. c, j and
 * ctx are borrowed and must outlive zg_reconciler_stop. */
typedef struct zg_reconciler zg_reconciler;
int zg_reconciler_start(zg_reconciler **out, zg_client *c, zg_journal *j, long interval_ms,
                        zg_say_fn say, void *ctx, zg_err *err);
/* Stop the thread (a pass under way ends after its current record) and
 * free it. NULL is allowed. */
void zg_reconciler_stop(zg_reconciler *r);

#endif
