/* A second thread that takes a stream of bytes in order (hashing a
 * download as it is written, writing what was decrypted), so that the
 * producer and the consumer overlap on two cores. The bytes pass through a
 * fixed set of blocks: the producer copies into a free one and goes on
 * while the consumer works on full ones; it waits only when every block is
 * full. Memory: nblocks x block, whatever the stream's length; the blocks
 * are wiped when freed, since they may hold plaintext. */
#ifndef ZG_FEEDER_H
#define ZG_FEEDER_H

#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"

/* The consumer: the bytes in order, in pieces of at most a block. -1 stops
 * it: the rest of the stream is dropped (its ctx keeps the reason). */
typedef int (*zg_feeder_fn)(void *ctx, const uint8_t *data, size_t len);

typedef struct zg_feeder zg_feeder;

/* Start the consumer thread. fn and ctx are borrowed until
 * zg_feeder_finish. ENOMEM, or the errno of pthread_create. */
int zg_feeder_start(zg_feeder **out, size_t block, unsigned nblocks, zg_feeder_fn fn, void *ctx,
                    zg_err *err);
/* Hand over len bytes (copied). -1 once the consumer has stopped. */
int zg_feeder_put(zg_feeder *f, const void *data, size_t len);
/* Write in place instead of copying: the free room of the block being
 * filled (at least a byte; *room says how much), then commit the n <=
 * *room bytes written there. commit: -1 once the consumer has stopped. */
uint8_t *zg_feeder_room(zg_feeder *f, size_t *room);
int zg_feeder_commit(zg_feeder *f, size_t n);
/* Hand over the bytes of the block being filled now without waiting for
 * it to fill (for a stream that may pause: a download that stalls still
 * reaches the consumer). Waits only when every block is full. -1 once
 * the consumer has stopped. */
int zg_feeder_flush(zg_feeder *f);
/* Hand over what is held, wait until the consumer has taken every byte,
 * join it and free f. -1 when the consumer stopped. */
int zg_feeder_finish(zg_feeder *f);

#endif
