/* A wallet session: one wallet on one network with everything the workflow
 * needs around it, set up by one rule for every front end (the mount, the
 * tools, the tests):
 *
 *   network   devnet.json (-o devnet, else $ZG_DEVNET) or the mainnet and
 *             testnet presets; rpc overrides the network's endpoint;
 *   key       a key file (hex or v3 keystore, zg/secp.h), else
 *             $ZG_PRIVATE_KEY, which is then wiped from the environment
 *             (/proc/PID/environ would show it); the key is locked in
 *             memory and only the client keeps a copy;
 *   client    connected, chain id checked, and the fine-tuning contract
 *             registered (a stale devnet file or a wrong rpc is refused
 *             now, not at the first write);
 *   state     the state directory (given, else $XDG_STATE_HOME/zgfs/CHAINID/
 *             ADDRESS, else ~/.local/state/zgfs/CHAINID/ADDRESS), created
 *             0700 and locked for this process (zg/statelock.h);
 *   TEE       the policy of zg/teecheck.h: the devnet's test root when
 *             devnet.json names one, the PCCS, the accepted statuses, and
 *             the collateral cache STATE/tdx-collateral;
 *   tokenizer the sources of zg/toksrc.h: a local directory, else on the
 *             devnet its local copy of the hub; the cache STATE/tokenizers;
 *   storage   the node pool (zg/storage.h): storage nodes and an indexer
 *             as given, else on the devnet the nodes of devnet.json; nodes
 *             are contacted at their first use, never here;
 *   journal   STATE/journal, and what a previous session left unfinished
 *             settled (zg_reconcile) before anything else runs.
 *
 * Every path is resolved when the session opens, so a later chdir (a
 * daemon's) changes nothing. A failure is one sentence in err, the same a
 * user of the mount reads, naming the option to change. */
#ifndef ZG_SESSION_H
#define ZG_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "zg/client.h"
#include "zg/err.h"
#include "zg/journal.h"
#include "zg/network.h"
#include "zg/reconcile.h"
#include "zg/storage.h"
#include "zg/teecheck.h"
#include "zg/toksrc.h"

/* Largest file stored through the session's pool: the size the official
 * client uploads as one file. */
#define ZG_SESSION_STORAGE_MAX ((uint64_t)4 << 30)

/* Plain data; every string is borrowed for the call only (NULL: not
 * given). zg_session_opts_init sets the defaults of the numbers. */
typedef struct zg_session_opts {
    const char *network;              /* "mainnet", "testnet" or "devnet" (NULL: devnet) */
    const char *devnet;               /* devnet.json (NULL: $ZG_DEVNET) */
    const char *rpc;                  /* instead of the network's JSON-RPC URL */
    const char *key_file;             /* NULL: $ZG_PRIVATE_KEY */
    const char *state_dir;            /* NULL: the default above */
    const char *tokenizers;           /* a directory of tokenizer files (zg_toksrc.dir) */
    const char *const *storage_nodes; /* node URLs in order */
    size_t nstorage_nodes;
    const char *indexer;    /* an indexer URL, or "testnet" / "mainnet" */
    const char *pccs;       /* NULL: the network's; "": none */
    const char *tee_status; /* accepted TCB statuses, '+'-separated */
    unsigned timeout;       /* seconds one request may wait (1..3600; 60) */
    unsigned tx_wait;       /* seconds a transaction may take to be mined (1..86400; 300) */
    unsigned reconcile;     /* seconds between reconciler passes (1..86400; 30) */
    /* Lines of the reconciler (the first pass and the periodic ones); say
     * may be NULL; ctx is borrowed until zg_session_close. */
    zg_say_fn say;
    void *say_ctx;
    /* What zg_session_opt took from text, owned by these options (the
     * strings above point into it); freed by zg_session_opts_clear. */
    char **owned;
    size_t nowned;
    const char **nodes; /* the storage_node= words; storage_nodes points here */
} zg_session_opts;

void zg_session_opts_init(zg_session_opts *o);
/* Take one option word as a mount gives it ("network=NAME",
 * "storage_node=URL", repeatable, "timeout=SECONDS", ...: every field
 * above that is text or a number, by its own name; request_timeout= is
 * the older name of timeout=). A later word replaces an earlier one. 1
 * when the word is a session option, 0 when it is not (o unchanged), -1
 * with EINVAL and a sentence for a number that is not one (or ENOMEM).
 * The ranges are zg_session_opts_check's. */
int zg_session_opt(zg_session_opts *o, const char *word, zg_err *err);
/* Free what zg_session_opt took and reset o to the defaults. */
void zg_session_opts_clear(zg_session_opts *o);
/* The checks of the options that need nothing outside them (the ranges of
 * the numbers), for a caller that refuses bad input before anything else;
 * zg_session_open runs them too. EINVAL with a sentence. */
int zg_session_opts_check(const zg_session_opts *o, zg_err *err);

typedef struct zg_session zg_session;

/* Open the session (order as above; nothing is left behind on failure).
 * *out is freed with zg_session_close. EINVAL for a malformed option,
 * EBUSY when another process holds the state directory, the network's
 * errno when the chain cannot be reached. No thread is started here, so
 * the caller may fork (daemonize) before zg_session_start. */
int zg_session_open(zg_session **out, const zg_session_opts *o, zg_err *err);
/* In the process that goes on using the session (after any fork): record
 * it as the state directory's holder and start the periodic reconciler. */
int zg_session_start(zg_session *s, zg_err *err);
/* Stop the reconciler (a pass under way ends after its record), free the
 * pool, the journal and the client, and release the state directory last.
 * Everything borrowed from the session must be gone by then. NULL is
 * allowed. */
void zg_session_close(zg_session *s);

/* What the session holds, borrowed for its lifetime. The client and the
 * journal are safe from several threads (zg/client.h, zg/journal.h); the
 * rest is read only. */
zg_client *zg_session_client(const zg_session *s);
zg_journal *zg_session_journal(const zg_session *s);
const zg_network *zg_session_network(const zg_session *s);
const char *zg_session_address(const zg_session *s);   /* EIP-55 text */
const uint8_t *zg_session_addr(const zg_session *s);   /* the same, its 20 bytes */
const char *zg_session_state_dir(const zg_session *s); /* absolute */
/* Its strings point into the session. root_pem is set only on a devnet
 * that names its test root. */
const zg_tee_policy *zg_session_tee(const zg_session *s);
const zg_toksrc *zg_session_toksrc(const zg_session *s);
/* The node pool, or NULL with EOPNOTSUPP and a sentence naming the
 * options that configure one when there is none. */
zg_storage_pool *zg_session_storage(const zg_session *s, zg_err *err);
/* One line for a log: "0G Storage: " and the nodes configured. */
void zg_session_storage_describe(const zg_session *s, char *out, size_t cap);

#endif
