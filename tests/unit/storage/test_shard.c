/* Shards: validity, which segments a shard holds, and the node choice of
 * shard.Select with the "min" order, checked against the outcomes the Go
 * client's own tests expect (common/shard/types_test.go of
 * 0g-storage-client) and the devnet's two halves. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "zg/storage.h"

#define SH(i, n) ((zg_storage_shard){.id = (i), .num = (n)})

static void basics(void)
{
    CHECK(zg_storage_shard_valid(&SH(0, 1)) && zg_storage_shard_valid(&SH(1, 2)) &&
              zg_storage_shard_valid(&SH(15, 16)),
          "valid shards");
    CHECK(!zg_storage_shard_valid(&SH(0, 0)) && !zg_storage_shard_valid(&SH(2, 2)) &&
              !zg_storage_shard_valid(&SH(0, 3)) && !zg_storage_shard_valid(&SH(5, 6)),
          "a zero count, an id past the count, a count not a power of two: invalid");
    CHECK(zg_storage_shard_holds(&SH(0, 1), 7) && zg_storage_shard_holds(&SH(1, 2), 7) &&
              !zg_storage_shard_holds(&SH(0, 2), 7) && zg_storage_shard_holds(&SH(3, 4), 7) &&
              !zg_storage_shard_holds(&SH(1, 4), 7),
          "segment index modulo the count is the id");
    char t[64];
    zg_storage_shard v[] = {SH(0, 2), SH(1, 2)};
    zg_storage_shards_text(t, sizeof t, v, 2);
    CHECK_STR(t, "0/2, 1/2", "shards as text");
}

/* Select over v; the picked shards as text ("" when not covered). */
static bool sel(const zg_storage_shard *v, size_t n, unsigned replica, char *out, size_t cap,
                size_t *np)
{
    size_t picked[64];
    bool covered = false;
    zg_err e = {0};
    int rc = zg_storage_shard_select(v, n, replica, picked, np, &covered, &e);
    zg_storage_shard got[64];
    for (size_t i = 0; i < *np; i++)
        got[i] = v[picked[i]];
    zg_storage_shards_text(out, cap, got, *np);
    return rc == 0 && covered;
}

static void select_tests(void)
{
    char t[512];
    size_t n;
    zg_storage_shard halves[] = {SH(1, 2), SH(0, 2)};
    CHECK(sel(halves, 2, 1, t, sizeof t, &n) && n == 2, "the devnet's two halves cover");
    CHECK_STR(t, "0/2, 1/2", "  ... both taken, shard 0 first");
    CHECK(!sel(halves, 1, 1, t, sizeof t, &n) && n == 0, "one half alone does not");
    CHECK(!sel(halves, 2, 2, t, sizeof t, &n), "two halves are not two replicas");
    zg_storage_shard whole[] = {SH(1, 2), SH(0, 1), SH(0, 2)};
    CHECK(sel(whole, 3, 1, t, sizeof t, &n) && n == 1, "a node of one shard wins (\"min\")");
    CHECK_STR(t, "0/1", "  ... alone");
    zg_storage_shard quarters[] = {SH(0, 4), SH(2, 4), SH(1, 2)};
    CHECK(sel(quarters, 3, 1, t, sizeof t, &n) && n == 3, "quarters and a half");
    zg_storage_shard missing[] = {SH(0, 4), SH(2, 4), SH(3, 4)};
    CHECK(!sel(missing, 3, 1, t, sizeof t, &n), "shard 1/4 missing: not covered");
    zg_storage_shard bad[] = {SH(0, 3), SH(1, 3), SH(2, 3)};
    CHECK(!sel(bad, 3, 1, t, sizeof t, &n), "invalid shards are never taken");
    CHECK(!sel(NULL, 0, 1, t, sizeof t, &n), "no node: not covered");
    CHECK(sel(NULL, 0, 0, t, sizeof t, &n) && n == 0, "no replica asked: covered by nothing");

    /* The node set of the Go client's TestSelect. */
    zg_storage_shard go[23] = {SH(0, 4), SH(2, 4), SH(3, 4), SH(0, 1),
                               SH(0, 2), SH(1, 8), SH(5, 8)};
    for (unsigned i = 0; i < 16; i++)
        go[7 + i] = SH(i, 16);
    CHECK(sel(go, 23, 2, t, sizeof t, &n) && n == 5, "Go's set, 2 replicas: 5 nodes (%zu)", n);
    CHECK_STR(t, "0/1, 0/2, 3/4, 1/8, 5/8", "  ... these");
    CHECK(sel(go, 23, 3, t, sizeof t, &n) && n == 15, "Go's set, 3 replicas: 15 nodes (%zu)", n);
    CHECK_STR(t,
              "0/1, 0/2, 0/4, 2/4, 3/4, 1/8, 5/8, 1/16, 3/16, 5/16, 7/16, 9/16, 11/16, 13/16, "
              "15/16",
              "  ... these");
    CHECK(!sel(go, 23, 4, t, sizeof t, &n), "Go's set, 4 replicas: not covered");
}

int main(void)
{
    basics();
    select_tests();
    return check_done();
}
