/* The zgfs daemon's internal interfaces: the mount context, the node table
 * and what handlers get.
 *
 * Layering: the handlers (the files/ directory) see a zgfs_call (captured
 * path parameters, the caller's uid/gid/pid, the mount context) and a
 * zg_err, never a FUSE type. ll.c and the node kinds (kinds.h) own FUSE
 * requests and replies: ll.c the operations, each kind what its open
 * files do; req.c the requests that wait and can be interrupted, caller.c
 * what is known about a request's caller. inode.c maps inode numbers to
 * nodes; handle.c keeps open files
 * and directory listings; notify.c posts kernel invalidations from its own
 * thread. */
#ifndef ZGFS_H
#define ZGFS_H

#define FUSE_USE_VERSION 314

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "zg/buf.h"
#include "zg/cache.h"
#include "zg/client.h"
#include "zg/err.h"
#include "zg/journal.h"
#include "zg/marks.h"
#include "zg/modelcrypt.h"
#include "zg/network.h"
#include "zg/oplog.h"
#include "zg/readmodel.h"
#include "zg/reconcile.h"
#include "zg/results.h"
#include "zg/session.h"
#include "zg/teecheck.h"
#include "zg/toksrc.h"
#include "zg/storage.h"
#include "zg/wait.h"
#include "zg/workq.h"

#define ZGFS_MAX_PARAMS 4
#define ZGFS_PARAM_MAX  80
#define ZGFS_PATH_MAX   512

typedef struct zgfs zgfs;

/* ------------------------------------------------------------ node table */

typedef enum zgfs_kind {
    ZGFS_DIR,
    ZGFS_RECORD,  /* rendered at open into the handle (snapshot), seekable */
    ZGFS_STATIC,  /* like RECORD, but content never changes while mounted */
    ZGFS_STREAM,  /* growing log: honest growing size, read by offset */
    ZGFS_LINECTL, /* one line = one command, acted on when its newline is written */
    ZGFS_PAYLOAD, /* spooled, committed at the opener's flush (payload.c) */
    ZGFS_SYMLINK, /* readlink handler (tasks/latest) */
    ZGFS_FILE,    /* a local file made by a long job at the first read (fileops.c) */
} zgfs_kind;

/* How long the kernel may cache a name or attributes (seconds). */
typedef enum zgfs_ttl {
    ZGFS_TTL_STATIC, /* fixed structure: 60 s */
    ZGFS_TTL_REMOTE, /* mirrors remote state: the mount's ttl= */
    ZGFS_TTL_LIVE,   /* changes all the time (log size): 0 */
} zgfs_ttl;

enum {
    /* Moves funds: writing it, or for a FILE its first read (lora.bin), which
     * an O_NONBLOCK read never starts. Writable by owner and group only. */
    ZGFS_F_MONEY = 1 << 0,
    ZGFS_F_CREATE = 1 << 1, /* {param} PAYLOAD: open(O_CREAT) makes a new name (cp FILE dir/) */
    ZGFS_F_SPOOL = 1 << 2,  /* PAYLOAD: spool to a file in the state dir, not memory */
    ZGFS_F_REPEAT = 1 << 3, /* PAYLOAD: a write after a commit starts a new request (chat) */
    ZGFS_F_LONG = 1 << 4,   /* LINECTL: may wait minutes; runs on the long-job pool */
    /* FILE whose first read spends or downloads a model: not listed until
     * its local file exists, so a recursive reader (grep -r, tar, find, an
     * indexer), which only opens names a listing gave it, never starts
     * that; a lookup by name always finds it. */
    ZGFS_F_BYNAME = 1 << 5,
};

/* A committed payload: the spool file (ZGFS_F_SPOOL) or the bytes. */
typedef struct zgfs_payload {
    const char *path; /* spool file; the commit may rename it away */
    const uint8_t *data;
    size_t len;
} zgfs_payload;

typedef struct zgfs_call zgfs_call;

/* A list of directory entry names (for parameter nodes). */
typedef struct zgfs_names {
    char (*v)[ZGFS_PARAM_MAX];
    size_t n, cap;
} zgfs_names;

int zgfs_names_add(zgfs_names *l, const char *name, zg_err *err);
void zgfs_names_free(zgfs_names *l);

/* One row of the table: a path pattern whose components are literals or
 * {param}, and what the file does. Handlers return 0, or -1 with err set. */
typedef struct zgfs_node {
    const char *pattern;
    zgfs_kind kind;
    mode_t perm; /* before umask; files with an act handler are writable */
    unsigned flags;
    zgfs_ttl entry_ttl, attr_ttl;
    const char *help;  /* one line for README */
    const char *usage; /* what a control file reads before the caller's first write */
    /* {param} nodes: turn a name into its canonical spelling (or fail). */
    int (*parse_param)(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err);
    /* {param} nodes: the names a listing shows. */
    int (*list)(const zgfs_call *c, zgfs_names *out, zg_err *err);
    /* Conditional nodes: 0 = exists; -1 with ENOENT (or a network error). */
    int (*present)(const zgfs_call *c, zg_err *err);
    /* RECORD/STATIC content; for LINECTL an optional state line shown
     * above the caller's last result. */
    int (*render)(const zgfs_call *c, zg_buf *out, zg_err *err);
    /* LINECTL: act on one command line (no newline). On success put the
     * sentence that follows "ok: " into ok. */
    int (*act)(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);
    /* STREAM other than the mount's log: the whole text so far (it only
     * grows, so offsets stay valid). */
    int (*stream)(const zgfs_call *c, zg_buf *out, zg_err *err);
    /* SYMLINK: the link's target. */
    int (*readlink)(const zgfs_call *c, zg_buf *out, zg_err *err);
    /* PAYLOAD: the largest payload accepted (EFBIG past it). */
    uint64_t payload_max;
    /* PAYLOAD: act on the whole payload. reply = what a read on the same
     * descriptor returns and the caller's kept result (may stay empty);
     * ok = the sentence after "ok: " in log (never private content). */
    int (*commit)(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                  zg_err *err);
    /* PAYLOAD/FILE: the local file reads are served from (ENOENT when
     * there is none yet). */
    int (*local)(const zgfs_call *c, char *path, size_t cap, zg_err *err);
    /* FILE whose content is made as it is read (lora.bin, decrypted from
     * lora.enc), in place of local: whether it can be read now and its
     * size, and a reader of it (ENOENT when it cannot yet; the caller
     * frees). */
    bool (*have)(const zgfs_call *c, uint64_t *size);
    int (*open_model)(const zgfs_call *c, zg_model_reader **out, zg_err *err);
    /* FILE: make the local file; runs on the long-job pool at the first
     * read; ok as for commit. PAYLOAD with local: the same, when the local
     * copy is missing (storage/NAME fetches it again). */
    int (*prepare)(const zgfs_call *c, zg_buf *ok, zg_err *err);
    /* FILE, PAYLOAD with local: the size the content has while the local
     * file is not there, from what is known without spending or fetching
     * it (the chain, a storage node's file info, the provider's headers);
     * -1 when it cannot be known now (stat then shows 0). */
    int (*size)(const zgfs_call *c, uint64_t *out, zg_err *err);
    /* Extended attributes: the names (NULL-terminated) and their values. */
    const char *const *xattrs;
    int (*xattr)(const zgfs_call *c, const char *name, zg_buf *out, zg_err *err);
} zgfs_node;

/* The table (nodes.c). Index 0 is the root "/". */
extern const zgfs_node zgfs_nodes[];
extern const size_t zgfs_nnodes;
/* Index of the parent row of row i (-1 for the root). */
int zgfs_node_parent(size_t i);
/* Last component of row i's pattern ("{provider}", "fund"). */
const char *zgfs_node_name(size_t i);
bool zgfs_node_is_param(size_t i);
bool zgfs_node_writable(size_t i);

/* What a handler gets: a self-contained copy (safe to keep in a job). */
struct zgfs_call {
    zgfs *fs;
    size_t node;              /* row in zgfs_nodes */
    char path[ZGFS_PATH_MAX]; /* canonical path, e.g. /providers/0xAbC.../fund */
    char params[ZGFS_MAX_PARAMS][ZGFS_PARAM_MAX]; /* canonical, in pattern order */
    int nparams;
    uid_t uid;
    gid_t gid;
    pid_t pid;
};

/* Build the call for a child of parent named name (any accepted spelling):
 * match the literal or {param} rows below parent, then check presence.
 * ENOENT when nothing matches. */
int zgfs_resolve_child(const zgfs_call *parent, const char *name, zgfs_call *child,
                       char spelled[ZGFS_PARAM_MAX], zg_err *err);
/* The call for the root. */
void zgfs_root_call(zgfs *fs, zgfs_call *c);

/* ------------------------------------------------------------ inodes */

/* Stable inode numbers: a hash of the path as spelled, so the same name
 * gets the same number on every mount. Entries live while the kernel holds
 * lookups on them (and the root always). */
typedef struct zgfs_inodes zgfs_inodes;

int zgfs_inodes_new(zgfs_inodes **out, zgfs *fs, zg_err *err);
void zgfs_inodes_free(zgfs_inodes *t);
/* Find or create the inode for a resolved call spelled as `spelled_path`
 * and add nlookup lookups. */
fuse_ino_t zgfs_inode_ref(zgfs_inodes *t, const zgfs_call *c, const char *spelled_path,
                          uint64_t nlookup);
void zgfs_inode_forget(zgfs_inodes *t, fuse_ino_t ino, uint64_t n);
/* The number spelled_path has or would get, without referencing it. */
fuse_ino_t zgfs_inode_number(zgfs_inodes *t, const char *spelled_path);
/* Copy the inode's call and spelled path out; ENOENT for an unknown ino
 * (spelled may be NULL). */
int zgfs_inode_get(zgfs_inodes *t, fuse_ino_t ino, zgfs_call *c, char *spelled, size_t len);
/* Inode numbers the kernel knows for a canonical path (any spelling), or
 * for every canonical path matching it when glob (fnmatch, FNM_PATHNAME);
 * returns the count written (at most max). */
size_t zgfs_inode_find(zgfs_inodes *t, const char *canon, bool glob, fuse_ino_t *out, size_t max);

/* ------------------------------------------------------------ notify */

/* Kernel invalidations, posted from a dedicated thread: never from inside a
 * FUSE handler of a related inode (that can deadlock the kernel). */
typedef struct zgfs_notify zgfs_notify;

int zgfs_notify_new(zgfs_notify **out, zgfs *fs, zg_err *err);
int zgfs_notify_start(zgfs_notify *n, zg_err *err); /* after daemonizing */
void zgfs_notify_free(zgfs_notify *n);
/* Queue attribute+data invalidation of every inode of a canonical path. */
void zgfs_notify_inode(zgfs_notify *n, const char *canon);
/* Queue invalidation of the name `name` in the directory at canonical path. */
void zgfs_notify_entry(zgfs_notify *n, const char *parent_canon, const char *name);
/* Either, for every canonical path matching the glob (zg_rm_shown_fn). */
void zgfs_notify_glob(void *notify, const char *path_glob, const char *name);
/* Wait (at most timeout_ms) until everything queued so far was posted. */
void zgfs_notify_sync(zgfs_notify *n, long timeout_ms);

/* ------------------------------------------------------------ the mount */

typedef struct zgfs_opts {
    /* The wallet session's options (zg_session_opt: network=, key_file=,
     * timeout=, ...), owning their text; say is set at the opening. */
    zg_session_opts session;
    char *source; /* the SOURCE of `zgfs SOURCE MOUNTPOINT` (mount.fuse3) */
    unsigned uid, gid, umask;
    int have_uid, have_gid, have_umask;
    double ttl;    /* seconds */
    unsigned wait; /* seconds lora.bin waits for settlement, deploy for its adapter */
    int all_providers;
    int allow_other;
    int noinval; /* debug: skip kernel invalidation (to prove tests can see it) */
    int max_threads_given;
    int autoack_flag;   /* autoack: acknowledge delivered models at delivery */
    char *autoack_text; /* autoack=DURATION: that long before the deadline */
} zgfs_opts;

/* The one context of a mount: every piece of mutable state of the daemon
 * lives here or in objects it owns. */
struct zgfs {
    zgfs_opts opts;
    struct fuse_args args; /* owned: the command line, then FUSE's mount options */
    char *mountpoint;      /* owned: as given */
    /* The wallet session (zg/session.h, owned): the network, the client,
     * the journal, the state directory and its lock, the TEE policy, the
     * tokenizer sources, the storage nodes and the reconciler. Handlers
     * read them through its accessors (zg_session_journal, ...). */
    zg_session *session;
    zg_client *client; /* borrowed: the session's, which nearly every handler takes */
    uid_t uid;         /* owner of every file */
    gid_t gid;
    mode_t umask;
    double ttl; /* seconds, for records and the core cache */
    time_t mounted_at;
    zg_cache *cache;        /* owned: remote answers */
    zg_readmodel rm;        /* the wallet's remote values, through cache */
    zg_marks *marks;        /* owned: warnings given, failures logged, answers remembered */
    zg_oplog *log;          /* owned: the `log` file */
    zg_workq *jobs;         /* owned: control-file commands */
    zgfs_inodes *inodes;    /* owned */
    zg_results *results;    /* owned: each uid's last results (zg/results.h) */
    zgfs_notify *notify;    /* owned */
    struct zgfs_work *work; /* owned: long jobs and their waiting requests (work.c) */
    struct fuse_session *se;
    pthread_mutex_t open_lock;      /* guards the two lists below (handle.c) */
    struct zgfs_handle *open_files; /* open files, for freeing at the end */
    struct zgfs_dir *open_dirs;     /* open directories, likewise */
    pthread_mutex_t pending_lock;   /* guards the two below (req.c) */
    struct zgfs_pending *pending;   /* requests that can be interrupted (req.c) */
    uint64_t next_pending_id;

    /* The deadline watch (deadline.c) and -o autoack: ZG_AUTOACK_OFF,
     * ZG_AUTOACK_AT_DELIVERY or seconds before the deadline
     * (zg/deadline.h). The watch is owned. */
    long autoack;
    struct zg_watch *watch;

    /* owned: STATE_DIR/spool/.lock, held shared from the sweep of what
     * earlier mounts left (zg_spool_sweep) until teardown, so later
     * mounts leave this one's spool files alone (-1: none) */
    int spool_lock;
};

/* Mode bits of row i for this mount (type bits included). */
mode_t zgfs_node_mode(const zgfs *fs, size_t i);
/* Entry/attribute timeout in seconds. */
double zgfs_ttl_seconds(const zgfs *fs, zgfs_ttl t);

/* One-line control files (control.c). */
/* The errno a failure is reported with (EIO when the code is unusable). */
int zgfs_errno(const zg_err *e);
/* What a control file reads as for c->uid: its state line (if the node
 * renders one), then the caller's last result or the usage line. */
int zgfs_control_text(const zgfs_call *c, zg_buf *out, zg_err *err);

/* Record a result: the caller's kept line and a line in log. */
void zgfs_record(zgfs *fs, const zgfs_call *c, const char *cmd, const char *ok, const zg_err *err);

/* Long jobs (work.c): work that may take minutes (uploads, downloads,
 * waiting for settlement) runs on a pool of its own, and the FUSE requests
 * waiting for it are answered when it ends. */
typedef struct zgfs_work zgfs_work;
int zgfs_work_new(zgfs_work **out, zgfs *fs, zg_err *err);
int zgfs_work_start(zgfs_work *w, zg_err *err); /* after daemonizing */
/* Let running jobs finish (waits that can be cut short are), then free. */
void zgfs_work_free(zgfs_work *w);
/* True once the mount is going away: waits in jobs should end. */
bool zgfs_work_stopping(zgfs_work *w);
/* The wait that is stopped when the mount goes away (no deadline): the
 * parent of the waits of long jobs (zg/wait.h). */
const zg_wait *zgfs_work_wait(zgfs_work *w);
/* Answer one waiting request with the job's outcome (err NULL = success). */
typedef void (*zgfs_answer_fn)(fuse_req_t req, void *ctx, const zg_err *err);
/* Join the job named key (starting it when none runs: run(arg) on the
 * long pool; else arg is freed unused). With req, the request waits and is
 * answered by answer(req, actx, outcome) -- or with EINTR when its caller
 * is stopped first; actx is then freed with actx_free. Returns -1 (req not
 * answered, args freed) only when the job cannot be queued. */
int zgfs_work_join(zgfs_work *w, const char *key, int (*run)(void *arg, zg_err *err), void *arg,
                   void (*arg_free)(void *arg), fuse_req_t req, zgfs_answer_fn answer, void *actx,
                   void (*actx_free)(void *actx), zg_err *err);
/* Submit to the long pool without waiters (fire and forget). */
int zgfs_work_submit(zgfs_work *w, void (*fn)(void *arg), void *arg, zg_err *err);

/* The deadline watch (deadline.c): one long job that looks at the
 * wallet's deliverables, warns in log before a deadline and, with
 * -o autoack, has each due model fetched by the safe path
 * (-o autoack=DURATION is read by zg_autoack_parse, zg/deadline.h). */
int zgfs_watch_start(zgfs *fs, zg_err *err); /* after zgfs_work_start */
void zgfs_watch_free(zgfs *fs);              /* after zgfs_work_free */
/* A task was created here: look often until its delivery may be seen. */
void zgfs_watch_poke(zgfs *fs);
/* Say a WARN or PASSED of zg_deadline_due in log, once per task and kind. */
struct zg_open_task;
void zgfs_deadline_warn(zgfs *fs, const struct zg_open_task *t, uint64_t now, int due);

/* ------------------------------------------------------------ 0G Storage */

/* Largest file storage/ takes (EFBIG past it). */
#define ZGFS_STORAGE_MAX ZG_SESSION_STORAGE_MAX

/* The session's 0G Storage nodes (storage.c; zg_session_storage): the
 * pool, borrowed for the whole mount, or NULL with EOPNOTSUPP and a
 * sentence naming the options to give when no node is configured. */
zg_storage_pool *zgfs_storage_pool(zgfs *fs, zg_err *err);
/* The size of the file with this root (its transaction's size), from the
 * first node of the pool that has it; errors as zg_storage_pool_find. */
int zgfs_storage_root_size(zgfs *fs, const uint8_t root[32], uint64_t *size, zg_err *err);

/* Is a payload being written under this canonical path right now (a name
 * made by open(O_CREAT), not committed yet)? (payload.c) */
bool zgfs_payload_pending(zgfs *fs, const char *canon);

/* The low-level operations (ll.c). */
extern const struct fuse_lowlevel_ops zgfs_ll_ops;

/* Log sinks (log.c): stderr in the foreground, syslog when daemonized. */
void zgfs_log_to_stderr(zgfs *fs);
void zgfs_log_to_syslog(zgfs *fs);

#endif
