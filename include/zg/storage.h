/* 0G Storage as 0gfoundation/0g-storage-client implements it: the file
 * Merkle layout (core/merkle), the Flow submission that pays for a file
 * (core/flow.go, contract/), the storage node's JSON-RPC (node/client_zgs.go),
 * the shards nodes split the flow into (common/shard/types.go), the indexer
 * (indexer/client.go), and the two operations zgfs needs, upload_dataset
 * (transfer/uploader.go) and download_dataset (transfer/downloader.go).
 *
 * Memory: files are never held whole. Building a file's tree keeps one
 * segment (256 KiB) per hashing thread (at most 4) plus 64 bytes per
 * segment (the segment-level tree the per-segment proofs come from: 256
 * KiB for a 1 GiB file); computing only a root keeps the same segments
 * plus 32 bytes per segment. Uploads and downloads keep one request's
 * segments per request in flight (opts.threads per node, at most 8) and,
 * for downloads, 32 bytes per segment for the final whole-file check.
 * Nothing here prints. */
#ifndef ZG_STORAGE_H
#define ZG_STORAGE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/buf.h"
#include "zg/client.h"
#include "zg/err.h"
#include "zg/journal.h"
#include "zg/u256.h"

#define ZG_STORAGE_CHUNK      256u  /* bytes of a chunk ("sector", "entry") */
#define ZG_STORAGE_SEG_CHUNKS 1024u /* chunks of a segment */
#define ZG_STORAGE_SEGMENT    (ZG_STORAGE_CHUNK * ZG_STORAGE_SEG_CHUNKS) /* 262144 bytes */
#define ZG_STORAGE_NODES_MAX  8u  /* submission nodes (the padding rule gives at most 4) */
#define ZG_STORAGE_PROOF_MAX  64u /* proof steps: enough for 2^64 segments */

/* ---------------------------------------------------------------- layout */

/* The sizes that follow from a file length (core/flow.go ComputePaddedSize,
 * core/dataflow.go NumSegments). */
typedef struct zg_storage_layout {
    uint64_t size;          /* file bytes (> 0) */
    uint64_t chunks;        /* ceil(size / 256) */
    uint64_t padded_chunks; /* after flow padding: what the root and the fee cover */
    uint64_t segments;      /* ceil(padded_chunks / 1024): leaves of the file tree */
    uint64_t data_segments; /* ceil(size / 262144): the segments that are uploaded */
} zg_storage_layout;

/* size must be > 0 (an empty file has no layout; callers refuse it). */
void zg_storage_layout_of(zg_storage_layout *l, uint64_t size);
/* Leaves (chunks) under segment i of the file tree: 1024, or fewer for the
 * last padded segment. */
uint64_t zg_storage_segment_leaves(const zg_storage_layout *l, uint64_t i);
/* Bytes of data segment i as sent to and served by a node: 262144, or for
 * the last data segment the remaining bytes rounded up to whole chunks
 * (without the flow padding chunks). 0 when i >= data_segments. */
uint64_t zg_storage_segment_wire_len(const zg_storage_layout *l, uint64_t i);

/* ---------------------------------------------------------------- Merkle */

/* keccak256(left || right): every interior node of every tree. */
void zg_storage_hash_pair(uint8_t out[32], const uint8_t left[32], const uint8_t right[32]);
/* keccak256 of 256 zero bytes. */
void zg_storage_zero_chunk_hash(uint8_t out[32]);

/* Root of the tree over n >= 1 leaves (core/merkle/tree.go: pair left to right, an odd
 * last node is carried up unchanged), streamed with O(log n) memory: push
 * the leaves in order, then ask for the root (which does not end the
 * stream). */
typedef struct zg_storage_acc {
    uint8_t h[64][32]; /* h[k]: root of a complete 2^k-leaf subtree awaiting its pair */
    uint64_t n;        /* leaves pushed so far */
} zg_storage_acc;

void zg_storage_acc_init(zg_storage_acc *a);
void zg_storage_acc_push(zg_storage_acc *a, const uint8_t leaf[32]);
/* EINVAL when no leaf was pushed. */
int zg_storage_acc_root(const zg_storage_acc *a, uint8_t out[32], zg_err *err);

/* Root of a segment: the chunk tree over `data` (len bytes, len <= leaves *
 * 256; a partial last chunk is zero-filled) extended with zero chunks up to
 * `leaves` leaves (1 <= leaves <= 1024). */
void zg_storage_segment_root(uint8_t out[32], const uint8_t *data, size_t len, uint64_t leaves);

/* A per-segment proof (core/merkle/proof.go): lemma = [leaf, sibling_1 .. sibling_depth,
 * root], path[i] true when the node on the way up is the LEFT child. A
 * single-segment file has depth 0 and lemma = [root]. */
typedef struct zg_storage_proof {
    size_t depth;
    uint8_t lemma[ZG_STORAGE_PROOF_MAX + 2][32];
    bool path[ZG_STORAGE_PROOF_MAX];
} zg_storage_proof;

/* Check that `leaf` (a segment root) sits at segment `index` of the file
 * tree of layout l whose root is `root`: lemma shape, lemma[0] = leaf, last
 * lemma = root, the position the path spells = index, siblings that lie
 * wholly in the flow padding equal the all-zero subtree hash (as the real
 * node insists), and the recomputed root. EPROTO with a sentence otherwise. */
int zg_storage_proof_verify(const zg_storage_proof *p, const uint8_t leaf[32],
                            const uint8_t root[32], uint64_t index, const zg_storage_layout *l,
                            zg_err *err);

/* The segment-level tree of a file with all its levels (64 bytes per
 * leaf), for proofs. Built from n >= 1 leaves (segment roots, copied). */
typedef struct zg_storage_tree zg_storage_tree;

int zg_storage_tree_new(zg_storage_tree **out, const uint8_t (*leaves)[32], uint64_t n,
                        zg_err *err);
void zg_storage_tree_free(zg_storage_tree *t);
const uint8_t *zg_storage_tree_root(const zg_storage_tree *t); /* 32 bytes */
/* Node j of level k (0 = the leaves; an odd node carried up appears on
 * every level it passes), or NULL when out of range. */
const uint8_t *zg_storage_tree_node(const zg_storage_tree *t, unsigned k, uint64_t j);
/* The proof of leaf i. */
int zg_storage_tree_proof(const zg_storage_tree *t, uint64_t i, zg_storage_proof *p, zg_err *err);

/* The JSON form {"lemma": ["0x..."], "path": [bool]} of a proof. EPROTO for
 * a malformed one (wrong types; lemma count not 1 for an empty path, not
 * depth + 2 otherwise). */
int zg_storage_proof_from_json(const cJSON *j, zg_storage_proof *p, zg_err *err);
int zg_storage_proof_append_json(zg_buf *b, const zg_storage_proof *p, zg_err *err);

/* ---------------------------------------------------------------- files */

/* A file opened for upload: its descriptor, layout, and segment-level tree. */
typedef struct zg_storage_file zg_storage_file;

/* Read the file once (its segments hashed by several threads) and build
 * its tree. EINVAL for an empty file (0G Storage cannot store one), EFBIG
 * when size exceeds max_size (0 = no cap), errno of open/read otherwise.
 * Free with zg_storage_file_close. */
int zg_storage_file_open(zg_storage_file **out, const char *path, uint64_t max_size, zg_err *err);
void zg_storage_file_close(zg_storage_file *f);
const zg_storage_layout *zg_storage_file_layout(const zg_storage_file *f);
const uint8_t *zg_storage_file_root(const zg_storage_file *f); /* 32 bytes */
/* The proof of segment i (i < layout.segments). */
int zg_storage_file_proof(const zg_storage_file *f, uint64_t i, zg_storage_proof *p, zg_err *err);
/* Replace out's content with the wire bytes of data segment i
 * (zg_storage_segment_wire_len), read again from the file. EIO when the file
 * changed since it was opened (size or modification time): its root would
 * no longer be the one paid for. */
int zg_storage_file_segment(zg_storage_file *f, uint64_t i, zg_buf *out, zg_err *err);

/* Only the root of a file, its segments hashed by several threads (one
 * segment of memory each, and 32 bytes per segment): what a delivered
 * model is checked against (modelRootHash). Same errors as
 * zg_storage_file_open. */
int zg_storage_root_of_file(const char *path, uint64_t max_size, uint8_t root[32], zg_err *err);

/* ---------------------------------------------------------------- fragments */

/* The official client's fragment rule (0g-storage-client transfer/
 * uploader.go SplitableUpload, core/file.go Split): the requested size is
 * raised to one chunk and rounded up to a power of two; a file no larger
 * than that is one fragment, a larger one is cut into consecutive pieces of
 * that size, each stored as a file of its own. */
#define ZG_STORAGE_FRAGMENT_DEFAULT ((uint64_t)4 << 30) /* the client's --fragment-size */

/* The size the client actually cuts with when asked for `requested`. */
uint64_t zg_storage_fragment_size(uint64_t requested);
/* How many fragments a size-byte file (> 0) is cut into. */
uint64_t zg_storage_fragment_count(uint64_t size, uint64_t fragment_size);
/* The fragment size that cuts size bytes into exactly n >= 2 fragments:
 * there is at most one, since it must be a power of two with
 * (n-1)*F < size <= n*F. false when there is none. */
bool zg_storage_fragment_size_for(uint64_t size, uint64_t n, uint64_t *fragment_size);
/* The root of bytes [off, off+len) of fd, as 0G Storage roots a file of
 * exactly those bytes. One segment of memory. EINVAL for len 0, EIO when the
 * file ends before off+len. */
int zg_storage_root_of_range(int fd, uint64_t off, uint64_t len, uint8_t root[32], zg_err *err);
/* The root of len bytes that arrive in pieces of any size, in order (a
 * download being written): the root zg_storage_root_of_range gives for the
 * same bytes, with one segment of memory. Each byte is hashed once, as its
 * segment fills. */
typedef struct zg_storage_hasher {
    zg_storage_layout l;
    uint64_t fed; /* bytes taken so far (at most l.size) */
    size_t fill;  /* bytes of the current segment held in buf */
    uint64_t seg; /* the segment being filled */
    bool over;    /* more than len bytes were fed */
    uint8_t *buf; /* ZG_STORAGE_SEGMENT bytes; owned */
    zg_storage_acc acc;
} zg_storage_hasher;

/* EINVAL for len 0 (nothing has a root), ENOMEM. Released with
 * zg_storage_hasher_free, also after a failed final. */
int zg_storage_hasher_init(zg_storage_hasher *h, uint64_t len, zg_err *err);
void zg_storage_hasher_update(zg_storage_hasher *h, const void *data, size_t n);
/* EIO when fewer or more than len bytes were fed. */
int zg_storage_hasher_final(zg_storage_hasher *h, uint8_t root[32], zg_err *err);
void zg_storage_hasher_free(zg_storage_hasher *h);
/* The roots of path's fragments, in order: *roots (malloc'd, n of them) is
 * the caller's to free. */
int zg_storage_fragment_roots(const char *path, uint64_t fragment_size, uint8_t (**roots)[32],
                              size_t *n, zg_err *err);

/* ---------------------------------------------------------------- submission */

typedef struct zg_storage_subnode {
    uint8_t root[32];
    unsigned height; /* the node covers 2^height chunks */
} zg_storage_subnode;

/* Flow.submit's SubmissionData without tags (contract/ of the Go client, core/flow.go
 * CreateSubmission). */
typedef struct zg_storage_submission {
    uint64_t length; /* file bytes */
    size_t n;
    zg_storage_subnode nodes[ZG_STORAGE_NODES_MAX];
} zg_storage_submission;

/* The node heights of a padded chunk count, largest first; returns n. */
size_t zg_storage_node_heights(uint64_t padded_chunks, unsigned heights[ZG_STORAGE_NODES_MAX]);
/* The submission of an opened file. */
void zg_storage_file_submission(const zg_storage_file *f, zg_storage_submission *s);
/* Sectors paid for: the sum of 2^height (= padded_chunks). */
uint64_t zg_storage_sectors(const zg_storage_submission *s);
/* The file root from the node roots, as a node derives it from a Submit
 * event: acc = last root, then acc = keccak(root_i || acc) going backwards. */
void zg_storage_submission_root(const zg_storage_submission *s, uint8_t root[32]);
/* Submit's `identity` topic: keccak256 of the concatenated node roots. */
void zg_storage_submission_digest(const zg_storage_submission *s, uint8_t digest[32]);

/* topic 0 of Submit: keccak256 of
 * "Submit(address,bytes32,uint256,uint256,uint256,(uint256,bytes,(bytes32,uint256)[]))" */
extern const uint8_t zg_storage_submit_topic[32];

/* One Submit event, decoded from a log's topics and data. */
typedef struct zg_storage_submit_event {
    uint8_t sender[20];
    uint8_t identity[32];
    uint64_t tx_seq; /* submissionIndex */
    uint64_t start_pos;
    uint64_t sectors; /* the event's length */
    zg_storage_submission sub;
} zg_storage_submit_event;

/* Decode a log object of eth_getLogs / a receipt ({topics, data}). EPROTO
 * when it is not a well-formed Submit. */
int zg_storage_decode_submit(const cJSON *log, zg_storage_submit_event *ev, zg_err *err);

/* ---------------------------------------------------------------- node client */

typedef struct zg_storage zg_storage;

typedef struct zg_storage_opts {
    const char *node_url;  /* the storage node's JSON-RPC URL (required) */
    const uint8_t *flow;   /* Flow address, or NULL: ask the node (zgs_getStatus) */
    uint64_t max_size;     /* files larger are refused with EFBIG; 0 = 4 GiB */
    unsigned batch;        /* segments per upload request; 0 = 4 */
    unsigned threads;      /* requests in flight per node (upload and download), at most 8
                            * in all; 0 = 2 */
    long sync_timeout_ms;  /* wait for the node to see a submission; 0 = 120 s */
    long node_retry_ms;    /* keep retrying an unreachable node this long; 0 = 30 s */
    long poll_ms;          /* polling period; 0 = 250 ms */
    long idle_timeout_ms;  /* a request with no byte this long is ETIMEDOUT; 0 = 30 s */
    bool no_finality_wait; /* return once segments are sent, before finalization */
} zg_storage_opts;

/* c (borrowed, must outlive the handle) supplies the chain and the wallet.
 * When opts->flow is NULL the node's networkIdentity is used, after
 * checking that its chain id is the client's. */
int zg_storage_open(zg_storage **out, zg_client *c, const zg_storage_opts *opts, zg_err *err);
void zg_storage_close(zg_storage *s);
const uint8_t *zg_storage_flow(const zg_storage *s); /* 20 bytes */

typedef struct zg_storage_status {
    uint64_t log_sync_height;
    uint64_t next_tx_seq;
    uint64_t chain_id;
    uint8_t flow[20];
} zg_storage_status;

/* A file as the node knows it (FileInfo + its Transaction). */
typedef struct zg_storage_info {
    uint8_t root[32];
    uint64_t size;
    uint64_t start_entry;
    uint64_t tx_seq;
    bool finalized;
    bool pruned;
    bool is_cached;
    uint64_t uploaded_seg_num;
} zg_storage_info;

int zg_storage_node_status(zg_storage *s, zg_storage_status *st, zg_err *err);
/* *found = false when the node answers null. */
int zg_storage_info_by_root(zg_storage *s, const uint8_t root[32], bool need_available,
                            zg_storage_info *info, bool *found, zg_err *err);
int zg_storage_info_by_seq(zg_storage *s, uint64_t tx_seq, zg_storage_info *info, bool *found,
                           zg_err *err);
/* Segment i of tx_seq with its proof (zgs_downloadSegmentWithProofByTxSeq).
 * data receives the segment bytes. *found = false when the node has none
 * (a node answers null for a segment outside its shard). */
int zg_storage_node_segment(zg_storage *s, uint64_t tx_seq, uint64_t i, zg_buf *data,
                            zg_storage_proof *proof, bool *found, zg_err *err);
/* The node's URL (borrowed, as long as the handle). */
const char *zg_storage_url(const zg_storage *s);

/* ---------------------------------------------------------------- shards */

/* A node's shard (zgs_getShardConfig; ShardConfig in common/shard/types.go):
 * the node stores the flow segments whose index modulo num is id. A flow
 * segment index is the file's segment index plus the file's first flow
 * segment (startEntryIndex / 1024): a file never straddles a segment
 * boundary it does not start on (FlowTreeLib.pad of 0g-storage-contracts). */
typedef struct zg_storage_shard {
    uint64_t id;
    uint64_t num;
} zg_storage_shard;

/* The replica count upload_dataset asks for: the Go client's default
 * (--expected-replica 1 of cmd/upload.go; indexer/client.go takes at
 * least 1). */
#define ZG_STORAGE_REPLICA 1u

/* num a power of two and id < num (ShardConfig.IsValid). */
bool zg_storage_shard_valid(const zg_storage_shard *sh);
/* Does the shard hold flow segment seg (ShardConfig.HasSegment)? */
bool zg_storage_shard_holds(const zg_storage_shard *sh, uint64_t seg);
/* zgs_getShardConfig. EPROTO for a malformed or invalid answer. */
int zg_storage_node_shard(zg_storage *s, zg_storage_shard *sh, zg_err *err);
/* shard.Select with the method the Go client's upload command uses by
 * default ("min"): the valid shards of v (n of them) ordered by numShard,
 * then shardId (ties keep their order), each taken while it adds to the
 * replica count, until every flow segment is held `replica` times.
 * *covered tells whether that happened; picked (room for n) receives the
 * chosen indices into v, *npicked their count (0 when not covered).
 * ENOMEM is the only error. */
int zg_storage_shard_select(const zg_storage_shard *v, size_t n, unsigned replica, size_t *picked,
                            size_t *npicked, bool *covered, zg_err *err);
/* "2/4,0/4" style text of the shards of v, for sentences. */
void zg_storage_shards_text(char *out, size_t cap, const zg_storage_shard *v, size_t n);

/* ---------------------------------------------------------------- operations */

/* Progress callback: segments done of total (may be NULL). */
typedef void (*zg_storage_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct zg_storage_upload_result {
    uint8_t root[32];
    uint64_t size;
    uint64_t tx_seq;
    bool submitted;         /* this call sent (and paid for) the Flow submission */
    uint8_t tx_hash[32];    /* when submitted */
    zg_u256 fee;            /* paid, when submitted */
    uint64_t segments_sent; /* over all nodes */
} zg_storage_upload_result;

/* upload_dataset over the nodes the caller trusts (nodes[0..n), borrowed;
 * the options of nodes[0] govern the operation): each node's shard is read
 * (zgs_getShardConfig, while the file's root is computed) and a set of
 * them is selected that holds every segment ZG_STORAGE_REPLICA times
 * (zg_storage_shard_select); EHOSTUNREACH with a sentence naming the shards
 * when they cannot, before anything is paid (a fault of the file itself,
 * EINVAL or EFBIG, is said first). Then: pay for the root on the Flow
 * unless a selected node (or journal j) shows it is already on chain; push
 * to each selected node the segments of its shard that it still lacks (a
 * node that has the file finalized gets nothing); wait until every
 * selected node finalized it (unless no_finality_wait). As transfer/uploader.go uploadFile does.
 *
 * Money safety: the fee is checked against the wallet's balance before
 * anything is signed (EDQUOT), and the submission is journaled in j (may be
 * NULL only where a crash may cost a second fee) as op "storage-upload":
 * intent, then the signed transaction before broadcast, then txSeq. After a
 * crash, calling this again with the same file finds the record, waits for
 * (or re-broadcasts) that very transaction and never signs a second one.
 *
 * Errors: EINVAL (empty file, no node), EFBIG (over the cap), EDQUOT (fee
 * above the balance; nothing sent), EHOSTUNREACH (the nodes do not cover
 * every shard; nothing sent), ETIMEDOUT (a node never saw the
 * submission), ECONNREFUSED and friends (a node unreachable past
 * node_retry_ms; calling again resumes), EPROTO (a node misbehaved). */
int zg_storage_upload_set(zg_storage *const *nodes, size_t n, zg_journal *j, const char *path,
                          zg_storage_progress_fn progress, void *pctx,
                          zg_storage_upload_result *res, zg_err *err);
/* The same with one node (which must then hold every shard). */
int zg_storage_upload(zg_storage *s, zg_journal *j, const char *path,
                      zg_storage_progress_fn progress, void *pctx, zg_storage_upload_result *res,
                      zg_err *err);

/* download_dataset over candidate nodes (nodes[0..n), borrowed, in the
 * order they are preferred; the options of nodes[0] govern): the nodes that
 * report the file with root `root` finalized are its holders, each with
 * its shard (zgs_getShardConfig). Every segment is fetched from a holder
 * whose shard holds it, opts.threads requests in flight per holder (at
 * most 8 in all; holders of the same segment take turns), with its proof
 * checked against root as it arrives; a holder that serves data failing
 * the check (or none) is passed over for the next holder of that segment,
 * and tried last for the following segments; one that does not answer is
 * not asked again. The whole file's root is checked at the end
 * (transfer/download_parallel.go, segment_fetch.go). The bytes go to a temporary file beside dest
 * that is renamed into place only when everything checked; on any failure nothing is left behind.
 *
 * Errors: ENOENT (no node has such a file), EAGAIN (known but not
 * finalized yet), EEXIST (dest exists), EHOSTUNREACH (no holder's shard
 * holds some segment), EIO (a segment failed its proof at every holder
 * that served it: the nodes served wrong data), EFBIG (over the cap), a
 * node's network errno when a node that may hold a segment did not
 * answer. */
int zg_storage_download_set(zg_storage *const *nodes, size_t n, const uint8_t root[32],
                            const char *dest, zg_storage_progress_fn progress, void *pctx,
                            zg_err *err);
/* The same with one node. */
int zg_storage_download(zg_storage *s, const uint8_t root[32], const char *dest,
                        zg_storage_progress_fn progress, void *pctx, zg_err *err);

/* ---------------------------------------------------------------- indexer */

/* An indexer (indexer/api.go of 0g-storage-client) lists the storage nodes
 * of a network, the ones it trusts apart from the ones it discovered in
 * the P2P network, and which nodes hold a file. Its answers are untrusted:
 * at most ZG_STORAGE_INDEXER_URLS_MAX URLs are kept per list, each an
 * http:// or https:// URL of at most ZG_STORAGE_INDEXER_URL_MAX bytes;
 * other entries are skipped, duplicates dropped (a URL in both lists stays
 * trusted), order kept. A malformed answer is EPROTO with a sentence; a
 * transport failure keeps the transport's errno (ECONNREFUSED, ETIMEDOUT,
 * ...). */
#define ZG_STORAGE_INDEXER_URLS_MAX 256u
#define ZG_STORAGE_INDEXER_URL_MAX  512u

/* A list of URLs: v[0..n) malloc'd, free with zg_storage_urls_free. */
typedef struct zg_storage_urls {
    char **v;
    size_t n;
} zg_storage_urls;
void zg_storage_urls_free(zg_storage_urls *u);

/* indexer_getShardedNodes: the trusted and the discovered node URLs. */
int zg_storage_indexer_nodes(const char *indexer_url, zg_storage_urls *trusted,
                             zg_storage_urls *discovered, zg_err *err);
/* "testnet"/"mainnet" -> the published indexer URL; NULL otherwise. */
const char *zg_storage_indexer_preset(const char *name);
/* The nodes that hold the file with this root (indexer_getFileLocations).
 * ENOENT when the indexer knows no location (null, an empty list, or the
 * Go indexer's "file not found" error). */
int zg_storage_indexer_locations(const char *indexer_url, const uint8_t root[32],
                                 zg_storage_urls *out, zg_err *err);
/* The kind (zg/err.h) of a storage node's JSON-RPC error from its message
 * and data texts (either may be NULL): ZG_EK_FINALIZED, ZG_EK_SEGMENT_IN,
 * ZG_EK_NODE_BUSY or ZG_EK_NONE. The one place that reads a storage
 * node's error text; every error of a node's JSON-RPC answer carries it. */
zg_err_kind zg_storage_node_kind_of(const char *message, const char *data);

/* The kind (zg/err.h) of an indexer's JSON-RPC error (zg_rpc_kind_fn):
 * ZG_EK_NO_FILE for the Go indexer's "file not found" answers, else
 * ZG_EK_NONE. */
zg_err_kind zg_storage_indexer_kind_of(long code, const char *message);

/* The parsing behind the two calls above, on a JSON-RPC "result" (borrowed):
 * {trusted: [{url, ...}], discovered: [...]} and [{url, ...}] or null. The
 * same bounds, ownership and errors (ENOENT for no location). */
int zg_storage_indexer_parse_nodes(const cJSON *result, zg_storage_urls *trusted,
                                   zg_storage_urls *discovered, zg_err *err);
int zg_storage_indexer_parse_locations(const cJSON *result, zg_storage_urls *out, zg_err *err);

/* ---------------------------------------------------------------- pool */

/* The storage nodes of one client, as a mount or a tool keeps them: the
 * nodes it was given (trusted, in order) and those an indexer lists. Nodes
 * are contacted at the first operation that needs them, never when the
 * pool is made. Before each use a node must answer zgs_getStatus with the
 * client's chain id within probe_retry_ms (a dead node in a list costs
 * seconds, not the working handle's long retry window, which lets an
 * upload survive a node restart). Handles are opened once per URL and kept
 * until the pool is freed. Safe from several threads at once. */
typedef struct zg_storage_pool zg_storage_pool;

typedef struct zg_storage_pool_opts {
    const char *const *nodes; /* node URLs (copied), http:// or https:// */
    size_t nnodes;
    const char *indexer;  /* indexer URL (copied), or NULL */
    const uint8_t *flow;  /* the Flow when the caller knows it; NULL: each node's status */
    long probe_retry_ms;  /* 0 = 2000 */
    zg_storage_opts node; /* for the working handles (node_url and flow ignored) */
} zg_storage_pool_opts;

/* c is borrowed and must outlive the pool. EINVAL with a sentence for a
 * URL that is not http(s). */
int zg_storage_pool_new(zg_storage_pool **out, zg_client *c, const zg_storage_pool_opts *o,
                        zg_err *err);
void zg_storage_pool_free(zg_storage_pool *p);
/* Neither nodes nor an indexer: every operation would fail. */
bool zg_storage_pool_empty(const zg_storage_pool *p);
/* One line naming the nodes and the indexer. */
void zg_storage_pool_describe(zg_storage_pool *p, char *out, size_t cap);

/* upload_dataset (zg_storage_upload_set) over the given nodes and the
 * indexer's TRUSTED nodes (indexer_getShardedNodes, asked at every upload;
 * discovered nodes are never uploaded to, as the Go client's default
 * --full-trusted). Nodes that do not answer are left out; if the others
 * then cannot cover every shard, the error is the missing node's. */
int zg_storage_pool_upload(zg_storage_pool *p, zg_journal *j, const char *path,
                           zg_storage_progress_fn progress, void *pctx,
                           zg_storage_upload_result *res, zg_err *err);
/* download_dataset (zg_storage_download_set) over the given nodes, then
 * the nodes the indexer says hold the root (indexer_getFileLocations),
 * in that order. */
int zg_storage_pool_download(zg_storage_pool *p, const uint8_t root[32], const char *dest,
                             zg_storage_progress_fn progress, void *pctx, zg_err *err);
/* A file stored as fragments (the storage client's download --roots,
 * transfer/downloader.go DownloadFragments): each of the n >= 1 roots
 * fetched as zg_storage_pool_download does, the pieces joined in order
 * into dest (which must not exist: EEXIST). One root is the whole file.
 * Pieces wait beside dest as dest.fragmentI and the joined file as
 * dest.storage, renamed into place only when every piece arrived; on any
 * failure (the error of the first piece that failed, prefixed "fragment I
 * of N") nothing is left behind. */
int zg_storage_pool_download_fragments(zg_storage_pool *p, const uint8_t (*roots)[32], size_t n,
                                       const char *dest, zg_err *err);
/* Is the file known to one of those nodes (zgs_getFileInfo)? 0 with the
 * first answer (info may be NULL); ENOENT when every node answered and none
 * has it; the network errno when one that might have it did not answer. */
int zg_storage_pool_find(zg_storage_pool *p, const uint8_t root[32], zg_storage_info *info,
                         zg_err *err);

/* ---------------------------------------------------------------- devnet */

#define ZG_STORAGE_DEVNET_NODES_MAX 8u

/* The "storage" section of a devnet.json (contrib/devnet/README.md). */
typedef struct zg_storage_devnet_info {
    char nodes[ZG_STORAGE_DEVNET_NODES_MAX][256]; /* the trusted nodes, one per shard */
    size_t nnodes;
    char untrusted[256]; /* a node only the indexer's discovery knows ("" if none) */
    uint8_t flow[20];
} zg_storage_devnet_info;

/* ENOENT when devnet.json has no storage section. */
int zg_storage_devnet(const char *devnet_json, zg_storage_devnet_info *out, zg_err *err);
/* A pool of the devnet's trusted nodes with its Flow; node (may be NULL)
 * for the working handles. */
int zg_storage_pool_devnet(zg_storage_pool **out, zg_client *c, const char *devnet_json,
                           const zg_storage_opts *node, zg_err *err);

/* ---------------------------------------------------------------- base64 */

/* Standard alphabet with padding, as the node's JSON carries segment data. */
int zg_base64_append(zg_buf *out, const uint8_t *in, size_t n, zg_err *err);
/* Strict decode (padding required, no white space); appends to out. */
int zg_base64_decode(zg_buf *out, const char *in, size_t n, zg_err *err);

#endif
