/* The read model's table (zg/readmodel.h): the keys it gives each value,
 * the paths a change reports (with the values computed from the changed
 * ones, each path once, placeholders filled in and escaped), and the cache
 * entries a change drops, which must be exactly those of the changed
 * values of the named provider and task. */
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "zg/readmodel.h"
#include "zg/secp.h"

static const uint8_t P[20] = {0xab, 0xcd, 1,  2,  3,  4,  5,  6,  7,  8,
                              9,    10,   11, 12, 13, 14, 15, 16, 17, 18};
static const uint8_t Q[20] = {0x11, 0x22, 1,  2,  3,  4,  5,  6,  7,  8,
                              9,    10,   11, 12, 13, 14, 15, 16, 17, 18};

/* ------------------------------------------------------------ keys */

static void test_keys(void)
{
    char k[256], a[43], want[300];
    zg_addr_checksum(a, P);
    CHECK(zg_rm_key(k, sizeof k, ZG_RV_WALLET, P, "x", NULL) == 0 && !strcmp(k, "wallet"),
          "a value of the wallet ignores provider and task");
    snprintf(want, sizeof want, "acct:ft:%s", a);
    zg_rm_key(k, sizeof k, ZG_RV_FT_ACCOUNT, P, NULL, NULL);
    CHECK_STR(k, want, "a value per provider is keyed by its EIP-55 address");
    snprintf(want, sizeof want, "task:%s:t-1", a);
    zg_rm_key(k, sizeof k, ZG_RV_TASK, P, "t-1", NULL);
    CHECK_STR(k, want, "a value per task by provider and task");
    snprintf(want, sizeof want, "task:%s:", a);
    zg_rm_key(k, sizeof k, ZG_RV_TASK, P, NULL, NULL);
    CHECK_STR(k, want, "no task: the prefix of every task of the provider");
    zg_rm_key(k, sizeof k, ZG_RV_INF_ACCOUNT, NULL, NULL, NULL);
    CHECK_STR(k, "acct:inf:", "no provider: the prefix of every provider");
    zg_err e = {0};
    CHECK(zg_rm_key(k, 12, ZG_RV_TASK, P, "t-1", &e) == -1 && e.code == ENAMETOOLONG,
          "a key that does not fit is ENAMETOOLONG");
    zg_readmodel rm = {0};
    zg_cache_val *ref;
    e = (zg_err){0};
    CHECK(zg_rm_get(&rm, ZG_RV_TASKS, NULL, NULL, -1, &ref, &e) == -1 && e.code == EINVAL,
          "a value per provider asked without one is EINVAL, not a fetch");
}

/* ------------------------------------------------------------ paths */

typedef struct seen {
    char lines[32][320];
    size_t n;
} seen;

static void collect(void *ctx, const char *path, const char *name)
{
    seen *s = ctx;
    if (s->n < 32)
        snprintf(s->lines[s->n++], sizeof s->lines[0], "%s%s%s", path, name ? " entry " : "",
                 name ? name : "");
}

static bool has(const seen *s, const char *line)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->lines[i], line))
            return true;
    return false;
}

static void test_paths(void)
{
    char a[43], line[320];
    zg_addr_checksum(a, P);

    seen s = {0};
    zg_rm_shown(ZG_RV_FUNDS, P, NULL, collect, &s);
    CHECK(has(&s, "/wallet/balance") && has(&s, "/ledger/ledger.json") &&
              has(&s, "/ledger/balance"),
          "a transfer shows in the wallet's and the ledger's files");
    snprintf(line, sizeof line, "/providers/%s/account.json", a);
    CHECK(has(&s, line), "...and in the provider's account.json");
    snprintf(line, sizeof line, "/providers/%s/tasks/*/deliverable.json", a);
    CHECK(has(&s, line), "...and in the deliverable.json of every task of the provider");
    snprintf(line, sizeof line, "/providers/%s/adapters", a);
    CHECK(has(&s, line), "...and in adapters/, computed from the inference sub-account");
    CHECK(s.n == 6,
          "each path once, though ledger.json and account.json show two values each (%zu)", s.n);

    s = (seen){0};
    zg_rm_shown(ZG_RV_BIT(ZG_RV_TASKS) | ZG_RV_BIT(ZG_RV_TASK), P, "t-1", collect, &s);
    snprintf(line, sizeof line, "/providers/%s/tasks entry latest", a);
    CHECK(has(&s, line), "a new task moves the tasks/latest link (an entry)");
    snprintf(line, sizeof line, "/providers/%s/tasks/latest", a);
    CHECK(has(&s, line), "...and changes what it shows");
    snprintf(line, sizeof line, "/providers/%s/tasks/t-1/progress", a);
    CHECK(has(&s, line), "...and the task's progress");
    CHECK(s.n == 5, "tasks, latest (file and entry), progress, task.json (%zu)", s.n);

    s = (seen){0};
    zg_rm_shown(ZG_RV_BIT(ZG_RV_TASK), P, "a*[b]", collect, &s);
    snprintf(line, sizeof line, "/providers/%s/tasks/a\\*\\[b\\]/progress", a);
    CHECK(has(&s, line), "a task id is escaped for the glob");
    snprintf(line, sizeof line, "/providers/%s/tasks/a*[b]/progress", a);
    CHECK(fnmatch(s.lines[0], line, FNM_PATHNAME) == 0 ||
              fnmatch(s.lines[1], line, FNM_PATHNAME) == 0,
          "...and so matches itself");
    snprintf(line, sizeof line, "/providers/%s/tasks/aXb/progress", a);
    CHECK(fnmatch(s.lines[0], line, FNM_PATHNAME) && fnmatch(s.lines[1], line, FNM_PATHNAME),
          "...and no other task");

    s = (seen){0};
    zg_rm_shown(ZG_RV_BIT(ZG_RV_INF_ACCOUNT), NULL, NULL, collect, &s);
    CHECK(has(&s, "/providers/*/account.json") && has(&s, "/providers/*/adapters"),
          "no provider named: the files of every provider");
    zg_addr_checksum(a, Q);
    snprintf(line, sizeof line, "/providers/%s/account.json", a);
    CHECK(fnmatch("/providers/*/account.json", line, FNM_PATHNAME) == 0 &&
              fnmatch("/providers/*/account.json", "/providers/x/tasks/account.json",
                      FNM_PATHNAME) != 0,
          "'*' stands for one path component");
}

/* ------------------------------------------------------------ the cache */

static int fetch_count(void *ctx, void **val, zg_err *err)
{
    (void)err;
    ++*(int *)ctx;
    *val = malloc(1);
    return 0;
}

/* Has the entry for v of provider/task survived? (Fetches it if not.) */
static bool kept(zg_cache *c, zg_rv v, const uint8_t *provider, const char *task)
{
    char key[256];
    zg_rm_key(key, sizeof key, v, provider, task, NULL);
    int fetched = 0;
    zg_cache_val *ref;
    if (zg_cache_get(c, key, -1, fetch_count, free, &fetched, &ref, NULL))
        return false;
    zg_cache_put(ref);
    return fetched == 0;
}

static void test_invalidation(void)
{
    zg_cache *c;
    if (zg_cache_new(&c, 60000, 64, NULL)) {
        CHECK(0, "cache");
        return;
    }
    zg_readmodel rm = {.cache = c};
    /* Fill: every value of both providers, two tasks of P. */
    for (unsigned v = 0; v < ZG_RV_COUNT; v++) {
        kept(c, (zg_rv)v, P, "t-1");
        kept(c, (zg_rv)v, P, "t-2");
        kept(c, (zg_rv)v, Q, "t-1");
    }
    CHECK(kept(c, ZG_RV_WALLET, NULL, NULL) && kept(c, ZG_RV_FT_ACCOUNT, P, NULL),
          "filled entries are answered from the cache");

    zg_rm_changed(&rm, ZG_RV_FUNDS, P, NULL, NULL, NULL);
    CHECK(!kept(c, ZG_RV_WALLET, NULL, NULL), "a transfer drops the wallet's balance");
    CHECK(!kept(c, ZG_RV_LEDGER, NULL, NULL) && !kept(c, ZG_RV_SUBS, NULL, NULL),
          "...the ledger and the sub-accounts list");
    CHECK(!kept(c, ZG_RV_FT_ACCOUNT, P, NULL) && !kept(c, ZG_RV_INF_ACCOUNT, P, NULL),
          "...the provider's sub-accounts");
    CHECK(!kept(c, ZG_RV_ADAPTERS, P, NULL), "...and what is computed from them (adapters)");
    CHECK(kept(c, ZG_RV_FT_ACCOUNT, Q, NULL) && kept(c, ZG_RV_ADAPTERS, Q, NULL),
          "another provider's stay");
    CHECK(kept(c, ZG_RV_SERVICES, NULL, NULL) && kept(c, ZG_RV_TASKS, P, NULL) &&
              kept(c, ZG_RV_LOCK_TIME, NULL, NULL),
          "values the transfer did not change stay");

    zg_rm_changed(&rm, ZG_RV_BIT(ZG_RV_TASK), P, "t-1", NULL, NULL);
    CHECK(!kept(c, ZG_RV_TASK, P, "t-1") && kept(c, ZG_RV_TASK, P, "t-2") &&
              kept(c, ZG_RV_TASK, Q, "t-1"),
          "a task's change drops that task only");
    zg_rm_changed(&rm, ZG_RV_BIT(ZG_RV_TASK), P, NULL, NULL, NULL);
    CHECK(!kept(c, ZG_RV_TASK, P, "t-1") && !kept(c, ZG_RV_TASK, P, "t-2") &&
              kept(c, ZG_RV_TASK, Q, "t-1") && kept(c, ZG_RV_TASKS, P, NULL),
          "no task named: every task of the provider (not the list, whose key shares a prefix)");
    zg_rm_changed(&rm, ZG_RV_BIT(ZG_RV_FT_ACCOUNT), NULL, NULL, NULL, NULL);
    CHECK(!kept(c, ZG_RV_FT_ACCOUNT, P, NULL) && !kept(c, ZG_RV_FT_ACCOUNT, Q, NULL),
          "no provider named: every provider");

    seen s = {0};
    zg_rm_changed(&rm, ZG_RV_BIT(ZG_RV_WALLET), NULL, NULL, collect, &s);
    CHECK(s.n == 1 && has(&s, "/wallet/balance"), "a change reports its paths");
    zg_cache_free(c);
}

int main(void)
{
    test_keys();
    test_paths();
    test_invalidation();
    return check_done();
}
