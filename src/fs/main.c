/* zgfs: options and start-up.
 *
 * Start-up order: parse options -> check the
 * mountpoint -> open the wallet session (zg/session.h: the network, the
 * key, the chain, the state directory, what a previous mount left
 * unfinished) -> create the FUSE session and mount -> daemonize -> start
 * threads -> loop. Everything that can fail because of the user's input or
 * the network fails before daemonizing, with one sentence on stderr and a
 * non-zero exit, so `zgfs ... && ls MOUNT` means what it says. Threads are
 * started only after fuse_daemonize(), because they would not survive its
 * fork. This is the only place in zgfs that prints. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "handle.h"
#include "version.h"
#include "zg/deadline.h"
#include "zg/mountinfo.h"
#include "zg/session.h"
#include "zg/spool.h"
#include "zgfs.h"

#define DEFAULT_MAX_THREADS 64
#define JOB_THREADS         8
#define LOG_RING_BYTES      (256 * 1024)
#define CACHE_ENTRIES       4096
/* Warnings given and failures logged: a few per task and provider. */
#define MARKS 1024

enum {
    KEY_ALLOW_OTHER,
    KEY_MAX_THREADS,
    KEY_DISCARD,
};

#define OPT(t, field, v)                                                                           \
    {                                                                                              \
        t, offsetof(zgfs_opts, field), v                                                           \
    }

static const struct fuse_opt optspec[] = {
    OPT("uid=%u", uid, 0),
    OPT("uid=", have_uid, 1),
    OPT("gid=%u", gid, 0),
    OPT("gid=", have_gid, 1),
    OPT("umask=%o", umask, 0),
    OPT("umask=", have_umask, 1),
    OPT("ttl=%lf", ttl, 0),
    OPT("wait=%u", wait, 0),
    OPT("all_providers", all_providers, 1),
    OPT("noinval", noinval, 1),
    OPT("autoack", autoack_flag, 1),
    OPT("autoack=%s", autoack_text, 0),
    FUSE_OPT_KEY("allow_other", KEY_ALLOW_OTHER),
    FUSE_OPT_KEY("max_threads=", KEY_MAX_THREADS),
    /* fstab-only words: not every mount goes through mount.fuse3. */
    FUSE_OPT_KEY("auto", KEY_DISCARD),
    FUSE_OPT_KEY("noauto", KEY_DISCARD),
    FUSE_OPT_KEY("user", KEY_DISCARD),
    FUSE_OPT_KEY("nouser", KEY_DISCARD),
    FUSE_OPT_KEY("users", KEY_DISCARD),
    FUSE_OPT_KEY("_netdev", KEY_DISCARD),
    FUSE_OPT_KEY("nofail", KEY_DISCARD),
    FUSE_OPT_KEY("defaults", KEY_DISCARD),
    FUSE_OPT_KEY("comment=", KEY_DISCARD),
    /* Words mount(8) may pass for any filesystem that libfuse does not
     * know: access-time policies (zgfs keeps no access times), the owner
     * and group forms of user mounts, and the verbosity flags. */
    FUSE_OPT_KEY("relatime", KEY_DISCARD),
    FUSE_OPT_KEY("norelatime", KEY_DISCARD),
    FUSE_OPT_KEY("strictatime", KEY_DISCARD),
    FUSE_OPT_KEY("nostrictatime", KEY_DISCARD),
    FUSE_OPT_KEY("lazytime", KEY_DISCARD),
    FUSE_OPT_KEY("nolazytime", KEY_DISCARD),
    FUSE_OPT_KEY("diratime", KEY_DISCARD),
    FUSE_OPT_KEY("nodiratime", KEY_DISCARD),
    FUSE_OPT_KEY("owner", KEY_DISCARD),
    FUSE_OPT_KEY("group", KEY_DISCARD),
    FUSE_OPT_KEY("silent", KEY_DISCARD),
    FUSE_OPT_KEY("loud", KEY_DISCARD),
    FUSE_OPT_END,
};

static int opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
    (void)outargs;
    zgfs_opts *o = data;
    switch (key) {
    case KEY_ALLOW_OTHER:
        o->allow_other = 1;
        return 1; /* the kernel needs it too */
    case KEY_MAX_THREADS:
        o->max_threads_given = 1;
        return 1; /* fuse_parse_cmdline reads it */
    case KEY_DISCARD:
        return 0;
    case FUSE_OPT_KEY_OPT: {
        if (!strncmp(arg, "x-systemd.", 10))
            return 0;
        zg_err err = {0};
        int mine = zg_session_opt(&o->session, arg, &err);
        if (mine < 0)
            fprintf(stderr, "zgfs: %s\n", err.msg);
        return mine < 0 ? -1 : !mine; /* the session's words stay here, the rest go on */
    }
    case FUSE_OPT_KEY_NONOPT:
        /* mount.fuse3 runs `zgfs SOURCE MOUNTPOINT`: keep the first word
         * aside; main takes it as the mountpoint when it is the only one. */
        if (!o->source) {
            o->source = strdup(arg);
            return o->source ? 0 : -1;
        }
        return 1;
    default:
        return 1;
    }
}

static void usage(const char *prog)
{
    printf("usage: %s [-f] [-d] [-o opt,...] [zgfs:NETWORK] MOUNTPOINT\n"
           "\n"
           "The 0G Compute Network's fine-tuning service as files: one mount = one\n"
           "wallet on one network. See README in the mount and zgfs(1).\n"
           "\n"
           "zgfs options:\n"
           "    -o network=NAME        mainnet, testnet or devnet (default devnet)\n"
           "    -o devnet=FILE         the devnet.json of contrib/devnet/up (required for\n"
           "                           network=devnet unless ZG_DEVNET names it)\n"
           "    -o rpc=URL             use this JSON-RPC endpoint instead of the network's\n"
           "    -o key_file=PATH       the wallet key: hex or a v3 keystore (passphrase in\n"
           "                           ZG_KEYSTORE_PASSWORD); group and other must have no\n"
           "                           access to it. Else the hex key in ZG_PRIVATE_KEY.\n"
           "    -o state_dir=DIR       state kept across mounts (default\n"
           "                           $XDG_STATE_HOME/zgfs/CHAINID/ADDRESS)\n"
           "    -o tokenizers=DIR      tokenizer files for datasets/NAME.tokens, offline:\n"
           "                           DIR/MODEL/tokenizer.json or DIR/tokenizer.json\n"
           "    -o allow_other         let other users in; implies default_permissions\n"
           "    -o uid=N,gid=N         owner and group of every file (default: yours)\n"
           "    -o umask=NNN           mask applied to every file's mode (octal, default 0)\n"
           "    -o ttl=SECONDS         how long records and listings are cached (default 3)\n"
           "    -o wait=SECONDS        how long lora.bin waits for the provider's settlement\n"
           "                           and deploy for the adapter (default 600)\n"
           "    -o all_providers       list every registered provider in providers/, not\n"
           "                           only those whose TEE signer the owner acknowledged\n"
           "    -o storage_node=URL    a 0G Storage node for storage/ (repeatable; the nodes\n"
           "                           must together hold every shard)\n"
           "    -o indexer=URL         ask this indexer for storage nodes (its trusted ones\n"
           "                           for uploads); testnet and mainnet name the published\n"
           "                           ones\n"
           "    -o tx_wait=SECONDS     how long a write waits for its transaction to be mined\n"
           "                           before it answers ETIMEDOUT (default 300); the journal\n"
           "                           keeps it and the mount settles it later\n"
           "    -o reconcile=SECONDS   how often unfinished operations are looked up while\n"
           "                           mounted (default 30)\n"
           "    -o timeout=SECONDS     how long zgfs waits for the chain, a provider or a\n"
           "                           storage node: one request, and in all a read, ls or\n"
           "                           stat that asks the network, before ETIMEDOUT\n"
           "                           (default 60; request_timeout= is the older name)\n"
           "    -o pccs=URL            where TDX collateral comes from (default: the\n"
           "                           network's; Intel's PCS on mainnet and testnet;\n"
           "                           empty: none, those checks are skipped)\n"
           "    -o tee_status=LIST     TCB statuses trust accepts (default: all but\n"
           "                           Revoked; separated by +)\n"
           "    -o autoack[=DURATION]  while mounted, download, verify and acknowledge each\n"
           "                           delivered model: at delivery, or DURATION (90s, 30m,\n"
           "                           2h) before its acknowledgement deadline\n"
           "    -o max_threads=N       FUSE worker threads (default %d)\n"
           "    -o noinval             debug: never invalidate kernel caches\n"
           "\n",
           prog, DEFAULT_MAX_THREADS);
}

/* Free whatever start-up (or the mount) has built so far. */
static void teardown(zgfs *fs)
{
    /* Commands that already sent a transaction finish (and record their
     * outcome) before the session goes away. */
    zg_workq_free(fs->jobs);
    zgfs_work_free(fs->work); /* long jobs: waits in them end early */
    zgfs_watch_free(fs);
    zgfs_notify_free(fs->notify);
    if (fs->se) {
        fuse_session_unmount(fs->se);
        fuse_remove_signal_handlers(fs->se);
        fuse_session_destroy(fs->se);
        fs->se = NULL;
    }
    zgfs_open_free_all(fs);
    zg_results_free(fs->results);
    zgfs_inodes_free(fs->inodes);
    zg_cache_free(fs->cache);
    zg_marks_free(fs->marks);
    if (fs->spool_lock >= 0)
        close(fs->spool_lock);
    /* Its reconciler speaks to the log until it stops; the state directory
     * is free for another daemon once it is closed. */
    zg_session_close(fs->session);
    zg_oplog_free(fs->log);
    zg_session_opts_clear(&fs->opts.session);
    free(fs->opts.source);
    free(fs->opts.autoack_text);
    fuse_opt_free_args(&fs->args);
    free(fs->mountpoint);
    pthread_mutex_destroy(&fs->pending_lock);
    pthread_mutex_destroy(&fs->open_lock);
    memset(fs, 0, sizeof *fs);
}

/* Report a start-up failure: one sentence, clean up, exit non-zero. */
static void die(zgfs *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(zgfs *fs, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("zgfs: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    teardown(fs);
    exit(1);
}

static void add_arg(zgfs *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_arg(zgfs *fs, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (fuse_opt_add_arg(&fs->args, buf))
        die(fs, "out of memory");
}

static void say_to_log(void *ctx, const char *line)
{
    zgfs *fs = ctx;
    zg_oplog_add(fs->log, "%s", line);
}

/* Open the wallet session; the handlers read what it holds through its
 * accessors (zg/session.h), the client through fs->client. */
static void open_session(zgfs *fs, const zg_session_opts *so)
{
    zg_err err = {0};
    if (zg_session_open(&fs->session, so, &err))
        die(fs, "%s", err.msg);
    fs->client = zg_session_client(fs->session);
}

int main(int argc, char **argv)
{
    struct fuse_cmdline_opts cl;
    memset(&cl, 0, sizeof cl);
    zgfs fs; /* the one context of the mount; main outlives every thread */
    memset(&fs, 0, sizeof fs);
    fs.args = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
    fs.opts.ttl = 3.0;
    fs.opts.wait = 600;
    zg_session_opts_init(&fs.opts.session);
    fs.spool_lock = -1;
    pthread_mutex_init(&fs.pending_lock, NULL);
    pthread_mutex_init(&fs.open_lock, NULL);

    /* Core dumps of a daemon holding a key must not exist. */
    prctl(PR_SET_DUMPABLE, 0);

    int parsed = fuse_opt_parse(&fs.args, &fs.opts, optspec, opt_proc) == 0 &&
                 fuse_parse_cmdline(&fs.args, &cl) == 0;
    fs.mountpoint = cl.mountpoint;
    if (parsed && !fs.mountpoint) {
        fs.mountpoint = fs.opts.source;
        fs.opts.source = NULL;
    } else if (parsed && fs.opts.source && !strncmp(fs.opts.source, "zgfs:", 5) &&
               !fs.opts.session.network) {
        /* An fstab source "zgfs:NETWORK" names the network. */
        fs.opts.session.network = fs.opts.source + 5;
    }
    if (!parsed) {
        teardown(&fs);
        return 2;
    }
    if (cl.show_help || cl.show_version) {
        if (cl.show_help) {
            usage(argv[0]);
            printf("FUSE options:\n");
            fuse_cmdline_help();
            fuse_lowlevel_help();
        } else {
            if (strcmp(ZGFS_COMMIT, "-"))
                printf("zgfs %s (git commit %s)\n", ZGFS_VERSION, ZGFS_COMMIT);
            else
                printf("zgfs %s (built outside a git checkout: no commit recorded)\n",
                       ZGFS_VERSION);
            fflush(stdout); /* before libfuse's lines, which a child prints */
            fuse_lowlevel_version();
        }
        teardown(&fs);
        return 0;
    }
    if (!fs.mountpoint) {
        fprintf(stderr,
                "zgfs: no mountpoint; usage: %s [-f] [-o opt,...] MOUNTPOINT (--help "
                "lists the options)\n",
                argv[0]);
        teardown(&fs);
        return 2;
    }
    if (fs.opts.ttl < 0 || fs.opts.ttl > 86400)
        die(&fs, "ttl=%g is out of range; give seconds from 0 to 86400", fs.opts.ttl);
    if (fs.opts.wait < 1 || fs.opts.wait > 86400)
        die(&fs, "wait=%u is out of range; give seconds from 1 to 86400", fs.opts.wait);
    zg_err oe = {0};
    if (zg_session_opts_check(&fs.opts.session, &oe))
        die(&fs, "%s", oe.msg);
    fs.autoack = fs.opts.autoack_flag ? ZG_AUTOACK_AT_DELIVERY : ZG_AUTOACK_OFF;
    if (fs.opts.autoack_text) {
        zg_err e = {0};
        if (zg_autoack_parse(fs.opts.autoack_text, &fs.autoack, &e))
            die(&fs, "%s", e.msg);
    }
    char mnt[PATH_MAX];
    zg_err err = {0};
    if (zg_mountpoint_prepare(mnt, fs.mountpoint, "zgfs", &err))
        die(&fs, "%s", err.msg);
    /* The log first: the session's reconciler reports what it settles. */
    if (zg_oplog_new(&fs.log, LOG_RING_BYTES, &err))
        die(&fs, "%s", err.msg);
    if (cl.foreground)
        zgfs_log_to_stderr(&fs);
    else
        zgfs_log_to_syslog(&fs);
    fs.opts.session.say = say_to_log;
    fs.opts.session.say_ctx = &fs;
    open_session(&fs, &fs.opts.session);

    fs.uid = fs.opts.have_uid ? fs.opts.uid : getuid();
    fs.gid = fs.opts.have_gid ? fs.opts.gid : getgid();
    fs.umask = fs.opts.have_umask ? (mode_t)(fs.opts.umask & 0777) : 0;
    fs.ttl = fs.opts.ttl;
    fs.mounted_at = time(NULL);

    if (zg_cache_new(&fs.cache, (long)(fs.ttl * 1000), CACHE_ENTRIES, &err) ||
        zg_marks_new(&fs.marks, MARKS, &err) || zgfs_inodes_new(&fs.inodes, &fs, &err) ||
        zg_results_new(&fs.results, &err) || zgfs_notify_new(&fs.notify, &fs, &err) ||
        zgfs_work_new(&fs.work, &fs, &err))
        die(&fs, "%s", err.msg);
    fs.rm = (zg_readmodel){.client = fs.client, .cache = fs.cache};
    memcpy(fs.rm.user, zg_session_addr(fs.session), 20);
    size_t swept;
    uint64_t swept_bytes;
    if (zg_spool_sweep(zg_session_state_dir(fs.session), &fs.spool_lock, &swept, &swept_bytes,
                       &err))
        die(&fs, "%s", err.msg);
    if (swept)
        zg_oplog_add(fs.log,
                     "removed %zu spool file%s (%llu bytes) left by uploads that a crash or "
                     "kill cut short",
                     swept, swept == 1 ? "" : "s", (unsigned long long)swept_bytes);

    add_arg(&fs, "-ofsname=zgfs:%s", zg_session_network(fs.session)->name);
    add_arg(&fs, "-osubtype=zgfs");
    /* Without default_permissions, the kernel would reuse the first
     * caller's permission decision for everyone (libfuse#15). */
    if (fs.opts.allow_other)
        add_arg(&fs, "-odefault_permissions");

    fs.se = fuse_session_new(&fs.args, &zgfs_ll_ops, sizeof zgfs_ll_ops, &fs);
    if (!fs.se)
        die(&fs, "cannot create the FUSE session (see the message above)");
    if (fuse_set_signal_handlers(fs.se))
        die(&fs, "cannot install signal handlers");
    if (fuse_session_mount(fs.se, mnt))
        die(&fs, "cannot mount on %s (see the message above)", mnt);
    const zg_network *net = zg_session_network(fs.session);
    zg_oplog_add(fs.log, "mounted %s: %s chain=%llu rpc=%s wallet %s", mnt, net->name,
                 (unsigned long long)net->chain_id, net->rpc, zg_session_address(fs.session));
    char sto[1024];
    zg_session_storage_describe(fs.session, sto, sizeof sto);
    zg_oplog_add(fs.log, "%s", sto);

    if (fuse_daemonize(cl.foreground))
        die(&fs, "cannot daemonize");

    /* Threads only now: they would not survive fuse_daemonize's fork. The
     * session's start also names the child as the state directory's holder. */
    int ret = -1;
    if (zg_session_start(fs.session, &err) || zg_workq_new(&fs.jobs, JOB_THREADS, &err) ||
        zgfs_notify_start(fs.notify, &err) || zgfs_work_start(fs.work, &err) ||
        zgfs_watch_start(&fs, &err)) {
        zg_oplog_add(fs.log, "cannot start: %s", err.msg);
    } else if (cl.singlethread) {
        ret = fuse_session_loop(fs.se);
    } else {
        struct fuse_loop_config *lc = fuse_loop_cfg_create();
        if (lc) {
            fuse_loop_cfg_set_clone_fd(lc, (unsigned)cl.clone_fd);
            if (cl.max_idle_threads != UINT_MAX) /* UINT_MAX = not given */
                fuse_loop_cfg_set_idle_threads(lc, cl.max_idle_threads);
            fuse_loop_cfg_set_max_threads(lc, fs.opts.max_threads_given ? cl.max_threads
                                                                        : DEFAULT_MAX_THREADS);
            ret = fuse_session_loop_mt(fs.se, lc);
            fuse_loop_cfg_destroy(lc);
        }
    }
    /* A signal ends the loop with its number: that is a clean stop. */
    bool clean = ret == 0 || ret == SIGTERM || ret == SIGINT || ret == SIGHUP;
    zg_oplog_add(fs.log, "unmounting%s", clean ? "" : " after an error");

    teardown(&fs);
    return clean ? 0 : 1;
}
