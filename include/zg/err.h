/* One error type for the whole core: an errno-class code chosen where the
 * failure is understood, plus one sentence a user can act on. Functions that
 * can fail return 0 on success and -1 on failure after filling *err (which
 * may be NULL when the caller does not care). Nothing in the core prints. */
#ifndef ZG_ERR_H
#define ZG_ERR_H

#include <stdarg.h>

#define ZG_ERR_MSG_MAX 256

/* Which expected failure an error is, for the callers that act on one: the
 * errno says what the user sees, the kind what the core decides. Set where
 * the failure is made, or where a remote's answer is read (one classifier
 * per remote, next to its client: zg_rpc_kind_of, zg_ftp_kind_of,
 * zg_storage_node_kind_of, zg_storage_indexer_kind_of); kept by
 * zg_err_prefix and by copies of the struct, reset by zg_err_set. The
 * message is for people: no caller searches it (tests/lint/errmsg.sh). */
typedef enum zg_err_kind {
    ZG_EK_NONE = 0,
    /* Ethereum JSON-RPC node (zg_rpc_kind_of) */
    ZG_EK_FUNDS,     /* the wallet cannot pay gas * price + value */
    ZG_EK_TX_KNOWN,  /* the node has this transaction already */
    ZG_EK_NONCE_LOW, /* the nonce is used by a mined transaction */
    /* 0G Storage node (zg_storage_node_kind_of) */
    ZG_EK_FINALIZED,  /* the file is uploaded and finalized: nothing to send */
    ZG_EK_SEGMENT_IN, /* the segment is uploaded or being uploaded */
    ZG_EK_NODE_BUSY,  /* too many writes in flight: ask again shortly */
    /* 0G Storage: no node has the file (an indexer's answer, read by
     * zg_storage_indexer_kind_of; zg_storage_pool_find and _download, whose
     * sentence names the root) */
    ZG_EK_NO_FILE,
    /* fine-tuning provider (zg_ftp_kind_of) */
    ZG_EK_NO_LOG,    /* the task has no log file yet */
    ZG_EK_NOT_READY, /* the task's model cannot be downloaded yet */
} zg_err_kind;

typedef struct zg_err {
    int code;                 /* errno value: EINVAL, ENOENT, EIO, EDQUOT, ... */
    zg_err_kind kind;         /* ZG_EK_NONE unless the failure is one of those */
    char msg[ZG_ERR_MSG_MAX]; /* one line: control characters of quoted input
                               * become '?' */
} zg_err;

/* Fill err (if non-NULL) and return -1, so callers can `return zg_err_set(...)`. */
int zg_err_set(zg_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int zg_err_vset(zg_err *err, int code, const char *fmt, va_list ap);
/* zg_err_set with a kind. */
int zg_err_setk(zg_err *err, int code, zg_err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Give an error already set its kind; returns -1. */
int zg_err_mark(zg_err *err, zg_err_kind kind);

/* Prefix an existing message with context ("getLedger: ..."), keeping the code. */
int zg_err_prefix(zg_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void zg_err_clear(zg_err *err);

/* The errno a failure is reported with: its code, or EIO when that is no
 * errno (EIO is kept for verification failures, but a failure nobody
 * classified still needs a usable errno). */
int zg_err_errno(const zg_err *err);

#endif
