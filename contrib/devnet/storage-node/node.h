/* zg-storage-node: the smallest faithful 0G Storage node for the devnet
 * (0gfoundation/0g-storage-node is the real one). It follows the Flow's
 * Submit events over the chain's JSON-RPC, takes segments (checking what
 * the real node checks: length, root, file size, proof), stores those of
 * its shard, finalizes files, and serves them with proofs. One devnet runs
 * one node per shard and an untrusted node that lies. README.md lists the
 * methods, the roles and the fault knobs. */
#ifndef SN_NODE_H
#define SN_NODE_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "zg/err.h"
#include "zg/http.h"
#include "zg/rpc.h"
#include "zg/storage.h"
#include "zg/wait.h"

#define SN_PEERS_MAX 8

typedef struct sn_cfg {
    char devnet_path[PATH_MAX];
    char data_dir[PATH_MAX];
    long node_index;    /* which of storage.nodes this is; -1: --untrusted */
    bool untrusted;     /* the devnet's lying node (storage.untrusted) */
    unsigned port;      /* 0: from this node's URL in devnet.json */
    long poll_ms;       /* chain polling period */
    uint64_t max_cache; /* largest file accepted before its tx is seen */
    /* fault knobs (README.md) */
    long latency_ms;
    unsigned fail_every;
    long corrupt_segment; /* -1: none */
    long stall_after;     /* request number that stalls once; -1: none */
    long stall_ms;
} sn_cfg;

/* A file whose Submit event the node has seen. */
typedef struct sn_tx {
    uint64_t seq;
    uint8_t root[32];
    uint64_t start_pos;
    zg_storage_submission sub; /* sub.length = file size */
    zg_storage_layout l;
    uint8_t *have; /* one byte per data segment; mirrored in tx-SEQ.map */
    uint64_t nhave;
    uint64_t need; /* data segments in the node's shard */
    bool finalized;
    int fd; /* tx-SEQ.dat: the data, rounded up to whole chunks */
    int map_fd;
    int proofs_fd;    /* tx-SEQ.proofs: the proof each stored segment came with */
    size_t proof_rec; /* bytes of one record there */
} sn_tx;

/* Segments that arrived before their tx (fast mode): kept in memory. */
typedef struct sn_cache {
    uint8_t root[32];
    uint64_t size;
    zg_storage_layout l;
    uint8_t **seg;             /* per data segment, NULL until received */
    zg_storage_proof **proofs; /* with its proof */
    uint64_t nhave;
    uint64_t bytes;
} sn_cache;

typedef struct sn_ctx {
    sn_cfg cfg;
    zg_storage_shard shard;
    char url[256];                 /* this node's */
    char peers[SN_PEERS_MAX][256]; /* the devnet's other storage nodes */
    size_t npeers;
    uint64_t chain_id;
    uint8_t flow[20];
    uint64_t deploy_block;
    zg_http *http;
    zg_rpc *rpc;
    pthread_mutex_t lock; /* guards everything below */
    sn_tx **txs;          /* by seq; NULL for a seq not seen */
    uint64_t ntxs;        /* next expected seq */
    sn_cache **caches;
    size_t ncaches;
    uint64_t synced_block;
    uint8_t synced_hash[32];
    atomic_bool stopping;
    atomic_ulong requests;
    /* requests being served now (from the whole body to the answer,
     * fault knobs included) and the most at once since start or since
     * devnet_getRequestsInFlight reset it */
    atomic_uint in_flight, in_flight_max;
    pthread_t follower;
    bool follower_up;
    struct MHD_Daemon *d;
} sn_ctx;

void slog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* store.c (call with ctx->lock held unless said otherwise) */
int store_add_tx(sn_ctx *ctx, const zg_storage_submit_event *ev, zg_err *err);
sn_tx *store_tx_by_seq(sn_ctx *ctx, uint64_t seq);
/* first finalized tx with root, else the newest one */
sn_tx *store_tx_by_root(sn_ctx *ctx, const uint8_t root[32]);
/* One uploaded segment, already decoded, for the tx by_seq (or, when NULL,
 * the tx with this root; segments of a tx not seen yet are cached). A
 * refusal is EINVAL with the message "PARAM\tTEXT" (answered as JSON-RPC
 * invalid params) or another code with a plain text (internal error).
 * *kept is false for a segment outside the node's shard, checked and
 * dropped. Takes the lock itself: the proof is checked outside it. */
int store_put_segment(sn_ctx *ctx, uint64_t *by_seq, const uint8_t root[32], uint64_t index,
                      const uint8_t *data, size_t len, const zg_storage_proof *proof,
                      uint64_t file_size, bool skip_dup, bool *kept, zg_err *err);
/* Does the node's shard hold data segment index of tx? */
bool store_holds(sn_ctx *ctx, const sn_tx *tx, uint64_t index);
/* Copy chunks [start, end) of a finalized tx into out (zero padded); false
 * if unavailable (or outside the node's shard). */
bool store_read_chunks(sn_ctx *ctx, sn_tx *tx, uint64_t start, uint64_t end, zg_buf *out);
/* The proof stored segment index came with. */
int store_proof(sn_ctx *ctx, sn_tx *tx, uint64_t index, zg_storage_proof *p, zg_err *err);
void store_free(sn_ctx *ctx);

/* follow.c */
int follow_sync(sn_ctx *ctx, zg_err *err); /* one poll of the chain */
int follow_start(sn_ctx *ctx, zg_err *err);

/* rpc.c */
int rpc_start(sn_ctx *ctx, zg_err *err);
void rpc_stop(sn_ctx *ctx);

/* admin.c: the admin methods an indexer discovers nodes with. */
cJSON *admin_peers(sn_ctx *ctx);
cJSON *admin_file_location(sn_ctx *ctx, uint64_t seq);
/* devnet_getRequestsInFlight (the devnet's own, not the real node's):
 * {now, max}; with reset, max starts again from now. */
cJSON *admin_in_flight(sn_ctx *ctx, bool reset);

/* untrusted.c: what the lying node answers for a segment download (it
 * holds nothing): chunks [start, end) of tx, and segment index with a
 * proof. */
cJSON *untrusted_chunks(sn_ctx *ctx, sn_tx *t, uint64_t start, uint64_t end);
cJSON *untrusted_segment(sn_ctx *ctx, sn_tx *t, uint64_t index);

#endif
