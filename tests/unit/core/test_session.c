/* zg_session_open's refusals that come before the network is asked: the
 * numbers' ranges, the network, the key's sources. Each is one sentence
 * (the one the mount prints), leaves no session behind, creates no state
 * directory, and a key given in ZG_PRIVATE_KEY leaves the environment
 * whether it was usable or not. The opening itself, against a chain, is
 * tests/chain/workflow.c. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "zg/session.h"

static char tmp[PATH_MAX];

static bool refused(zg_session_opts *o, zg_err *e)
{
    static char sentinel;
    zg_session *s = (zg_session *)(void *)&sentinel; /* must come back NULL */
    int rc = zg_session_open(&s, o, e);
    return rc == -1 && s == NULL;
}

static void test_numbers(void)
{
    zg_session_opts o;
    zg_err e = {0};
    zg_session_opts_init(&o);
    CHECK(o.timeout == 60 && o.tx_wait == 300 && o.reconcile == 30,
          "defaults: timeout 60 s, tx_wait 300 s, reconcile 30 s");
    CHECK(zg_session_opts_check(&o, &e) == 0, "the defaults pass");
    o.timeout = 0;
    CHECK(zg_session_opts_check(&o, &e) == -1 && e.code == EINVAL, "timeout=0 is refused");
    CHECK_STR(e.msg, "timeout=0 is out of range; give seconds from 1 to 3600",
              "...as the mount says");
    o.timeout = 3601;
    CHECK(refused(&o, &e) && e.code == EINVAL, "timeout=3601 is refused by the open too: %s",
          e.msg);
    zg_session_opts_init(&o);
    o.tx_wait = 86401;
    CHECK(zg_session_opts_check(&o, &e) == -1, "tx_wait=86401 is refused");
    CHECK_STR(e.msg, "tx_wait=86401 is out of range; give seconds from 1 to 86400",
              "...as the mount says");
    zg_session_opts_init(&o);
    o.reconcile = 0;
    CHECK(zg_session_opts_check(&o, &e) == -1, "reconcile=0 is refused");
    CHECK_STR(e.msg, "reconcile=0 is out of range; give seconds from 1 to 86400",
              "...as the mount says");
}

/* The mount's option words (zg_session_opt): what is the session's, the
 * copies it keeps, the older name, the repeatable node, bad numbers. */
static void test_words(void)
{
    zg_session_opts o;
    zg_err e = {0};
    zg_session_opts_init(&o);
    char word[64];
    snprintf(word, sizeof word, "network=testnet");
    CHECK(zg_session_opt(&o, word, &e) == 1, "network= is the session's");
    word[8] = 'X';
    CHECK_STR(o.network, "testnet", "...kept as a copy of the word's value");
    CHECK(zg_session_opt(&o, "network=mainnet", &e) == 1 && !strcmp(o.network, "mainnet"),
          "a later word replaces an earlier one");
    CHECK(zg_session_opt(&o, "key_file=/k", &e) == 1 && zg_session_opt(&o, "rpc=", &e) == 1 &&
              !strcmp(o.key_file, "/k") && !strcmp(o.rpc, ""),
          "key_file= and an empty rpc= are taken as given");
    CHECK(zg_session_opt(&o, "pccs=", &e) == 1 && o.pccs && !o.pccs[0],
          "pccs= empty means none, not the default");
    CHECK(zg_session_opt(&o, "timeout=90", &e) == 1 && o.timeout == 90, "timeout=90");
    CHECK(zg_session_opt(&o, "request_timeout=45", &e) == 1 && o.timeout == 45,
          "request_timeout= is the older name of timeout=");
    CHECK(zg_session_opt(&o, "tx_wait=12", &e) == 1 && zg_session_opt(&o, "reconcile=7", &e) == 1 &&
              o.tx_wait == 12 && o.reconcile == 7,
          "tx_wait= and reconcile=");
    CHECK(zg_session_opt(&o, "timeout=abc", &e) == -1 && e.code == EINVAL && o.timeout == 45,
          "a word that is not a number is refused and changes nothing");
    CHECK_STR(e.msg, "timeout=abc is not a number of seconds", "...in one sentence");
    CHECK(zg_session_opt(&o, "storage_node=http://a", &e) == 1 &&
              zg_session_opt(&o, "storage_node=http://b", &e) == 1 && o.nstorage_nodes == 2 &&
              !strcmp(o.storage_nodes[0], "http://a") && !strcmp(o.storage_nodes[1], "http://b"),
          "storage_node= repeats, in order");
    CHECK(zg_session_opt(&o, "ttl=5", &e) == 0 && zg_session_opt(&o, "allow_other", &e) == 0 &&
              zg_session_opt(&o, "networks=x", &e) == 0 && zg_session_opt(&o, "=x", &e) == 0,
          "other words are not the session's (ttl=, allow_other, a longer name, no name)");
    CHECK(zg_session_opt(&o, "timeout=0", &e) == 1 && zg_session_opts_check(&o, &e) == -1,
          "the ranges stay the check's");
    zg_session_opts_clear(&o);
    CHECK(!o.network && !o.nstorage_nodes && !o.owned && o.timeout == 60,
          "clear frees the copies and restores the defaults");
}

static void test_network(void)
{
    zg_session_opts o;
    zg_err e = {0};
    zg_session_opts_init(&o);
    o.network = "moon";
    CHECK(refused(&o, &e) && e.code == EINVAL, "an unknown network is refused");
    CHECK_STR(e.msg, "unknown network 'moon'; use network=mainnet, testnet or devnet",
              "...naming the networks");

    zg_session_opts_init(&o);
    unsetenv("ZG_DEVNET");
    CHECK(refused(&o, &e) && e.code == EINVAL, "the devnet without a devnet file is refused");
    CHECK_STR(e.msg,
              "network=devnet needs -o devnet=FILE (the devnet.json that contrib/devnet/up "
              "writes) or ZG_DEVNET=FILE",
              "...naming both ways to give one");

    setenv("ZG_DEVNET", "/nonexistent/devnet.json", 1);
    CHECK(refused(&o, &e) && e.code == ENOENT, "ZG_DEVNET is the devnet file when none is given");
    CHECK_STR(e.msg, "devnet file /nonexistent/devnet.json: No such file or directory",
              "...and a missing one is named");
    unsetenv("ZG_DEVNET");

    zg_session_opts_init(&o);
    o.network = "testnet";
    char rpc[600];
    memset(rpc, 'x', sizeof rpc - 1);
    rpc[sizeof rpc - 1] = 0;
    o.rpc = rpc;
    CHECK(refused(&o, &e) && e.code == EINVAL, "an rpc= longer than a URL is refused");
    CHECK_STR(e.msg, "rpc URL too long", "...in those words");
}

static void test_key(void)
{
    zg_session_opts o;
    zg_err e = {0};
    char state[PATH_MAX + 16];
    snprintf(state, sizeof state, "%s/state", tmp);
    zg_session_opts_init(&o);
    o.network = "testnet"; /* no file, and nothing is asked before the key */
    o.state_dir = state;

    unsetenv("ZG_PRIVATE_KEY");
    CHECK(refused(&o, &e) && e.code == EINVAL, "no key file and no ZG_PRIVATE_KEY is refused");
    CHECK_STR(e.msg, "no wallet key: give -o key_file=PATH (chmod 600) or set ZG_PRIVATE_KEY",
              "...naming both sources");

    setenv("ZG_PRIVATE_KEY", "0xnot-a-key", 1);
    CHECK(refused(&o, &e) && !strncmp(e.msg, "ZG_PRIVATE_KEY: ", 16),
          "a malformed ZG_PRIVATE_KEY is refused: %s", e.msg);
    CHECK(getenv("ZG_PRIVATE_KEY") == NULL, "...and removed from the environment all the same");

    char key[PATH_MAX + 16];
    snprintf(key, sizeof key, "%s/absent.key", tmp);
    o.key_file = key;
    CHECK(refused(&o, &e) && e.code == ENOENT, "a missing key file is refused");
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "key file %s: No such file or directory", key);
    CHECK_STR(e.msg, want, "...naming it");

    snprintf(key, sizeof key, "%s/open.key", tmp);
    FILE *f = fopen(key, "w");
    fputs("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318\n", f);
    fclose(f);
    chmod(key, 0644);
    CHECK(refused(&o, &e), "a key file others may read is refused: %s", e.msg);

    struct stat st;
    CHECK(stat(state, &st) == -1 && errno == ENOENT, "no refusal created the state directory");
}

int main(void)
{
    snprintf(tmp, sizeof tmp, "%s/zg-session-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmp))
        return 2;
    test_numbers();
    test_words();
    test_network();
    test_key();
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) {
    }
    return check_done();
}
