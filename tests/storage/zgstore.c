/* zgstore: the storage core from the command line, for the tests and the
 * benchmark (not installed).
 *
 *   zgstore root FILE
 *   zgstore segment FILE INDEX   (segment INDEX with its proof, as a JSON upload object)
 *   zgstore upload   --devnet DEVNET.json [options] FILE
 *   zgstore download --devnet DEVNET.json [options] ROOT DEST
 *   zgstore info     --devnet DEVNET.json [options] ROOT   (one line per node)
 *   zgstore shards   --devnet DEVNET.json [options]        (one line per node)
 *   zgstore indexer-nodes INDEXER_URL      ("trusted URL" and "discovered URL" lines)
 *   zgstore indexer-locations INDEXER_URL ROOT
 *   zgstore indexer-preset testnet|mainnet
 *
 * Uploads and downloads go through a node pool (zg_storage_pool), as a
 * mount does: the --node URLs (repeatable; default: the devnet's trusted
 * nodes, unless --indexer is given) and the --indexer's. options: --key-file F
 * (default: DIR-of-json/user.key), --journal DIR, --node URL, --indexer
 * URL, --max-size N, --batch N, --threads N, --retry-ms N, --sync-ms N,
 * --no-wait, --ask-flow (learn the Flow from each node's zgs_getStatus).
 * A failure prints "zgstore: ERRNAME: sentence" and exits 1. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/client.h"
#include "zg/hex.h"
#include "zg/journal.h"
#include "zg/network.h"
#include "zg/secp.h"
#include "zg/storage.h"

static const char *errname(int code)
{
    switch (code) {
    case ENOENT:
        return "ENOENT";
    case EINVAL:
        return "EINVAL";
    case EFBIG:
        return "EFBIG";
    case EDQUOT:
        return "EDQUOT";
    case EIO:
        return "EIO";
    case EEXIST:
        return "EEXIST";
    case EAGAIN:
        return "EAGAIN";
    case EPROTO:
        return "EPROTO";
    case ETIMEDOUT:
        return "ETIMEDOUT";
    case ECONNREFUSED:
        return "ECONNREFUSED";
    case EROFS:
        return "EROFS";
    case EISDIR:
        return "EISDIR";
    case ECANCELED:
        return "ECANCELED";
    case EHOSTUNREACH:
        return "EHOSTUNREACH";
    case EOPNOTSUPP:
        return "EOPNOTSUPP";
    default:
        return "ERROR";
    }
}

static int die(const zg_err *e)
{
    fprintf(stderr, "zgstore: %s: %s\n", errname(e->code), e->msg);
    return 1;
}

static void hex32(char out[67], const uint8_t h[32])
{
    out[0] = '0';
    out[1] = 'x';
    zg_hex_encode(out + 2, h, 32);
}

static void progress(void *ctx, uint64_t done, uint64_t total)
{
    if (getenv("ZGSTORE_PROGRESS"))
        fprintf(stderr, "zgstore: %llu/%llu segments\n", (unsigned long long)done,
                (unsigned long long)total);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: zgstore root|upload|download|info|shards|indexer-nodes|"
                        "indexer-locations|indexer-preset ...\n");
        return 2;
    }
    const char *cmd = argv[1];
    zg_err e = {0};
    if (strcmp(cmd, "root") == 0) {
        uint8_t r[32];
        char h[67];
        if (argc != 3)
            return 2;
        if (zg_storage_root_of_file(argv[2], 0, r, &e))
            return die(&e);
        hex32(h, r);
        printf("%s\n", h);
        return 0;
    }
    if (strcmp(cmd, "segment") == 0 && argc == 4) {
        zg_storage_file *f;
        zg_storage_proof p;
        zg_buf seg, out;
        uint64_t i = strtoull(argv[3], NULL, 10);
        char h[67];
        if (zg_storage_file_open(&f, argv[2], 0, &e))
            return die(&e);
        zg_buf_init(&seg, 0);
        zg_buf_init(&out, 0);
        hex32(h, zg_storage_file_root(f));
        int rc = zg_storage_file_segment(f, i, &seg, &e) || zg_storage_file_proof(f, i, &p, &e) ||
                 zg_buf_printf(&out, &e, "{\"root\":\"%s\",\"data\":\"", h) ||
                 zg_base64_append(&out, seg.data, seg.len, &e) ||
                 zg_buf_printf(&out, &e, "\",\"index\":%llu,\"proof\":", (unsigned long long)i) ||
                 zg_storage_proof_append_json(&out, &p, &e) ||
                 zg_buf_printf(&out, &e, ",\"fileSize\":%llu}",
                               (unsigned long long)zg_storage_file_layout(f)->size);
        if (!rc)
            printf("%.*s\n", (int)out.len, (const char *)out.data);
        zg_buf_free(&seg);
        zg_buf_free(&out);
        zg_storage_file_close(f);
        return rc ? die(&e) : 0;
    }
    if (strcmp(cmd, "indexer-nodes") == 0 && argc == 3) {
        zg_storage_urls t, d;
        if (zg_storage_indexer_nodes(argv[2], &t, &d, &e))
            return die(&e);
        for (size_t i = 0; i < t.n; i++)
            printf("trusted %s\n", t.v[i]);
        for (size_t i = 0; i < d.n; i++)
            printf("discovered %s\n", d.v[i]);
        zg_storage_urls_free(&t);
        zg_storage_urls_free(&d);
        return 0;
    }
    if (strcmp(cmd, "indexer-locations") == 0 && argc == 4) {
        uint8_t r[32];
        zg_storage_urls u;
        if (zg_hex_decode_exact(r, 32, argv[3], &e) ||
            zg_storage_indexer_locations(argv[2], r, &u, &e))
            return die(&e);
        for (size_t i = 0; i < u.n; i++)
            printf("%s\n", u.v[i]);
        zg_storage_urls_free(&u);
        return 0;
    }
    if (strcmp(cmd, "indexer-preset") == 0 && argc == 3) {
        const char *url = zg_storage_indexer_preset(argv[2]);
        if (!url)
            return 1;
        printf("%s\n", url);
        return 0;
    }
    const char *devnet = NULL, *key_file = NULL, *journal = NULL, *indexer = NULL;
    const char *nodes[64];
    size_t nnodes = 0;
    zg_storage_opts so = {0};
    bool ask_flow = false;
    static const struct option opts[] = {
        {"devnet", required_argument, NULL, 'd'},
        {"key-file", required_argument, NULL, 'k'},
        {"journal", required_argument, NULL, 'j'},
        {"node", required_argument, NULL, 'n'},
        {"max-size", required_argument, NULL, 'm'},
        {"batch", required_argument, NULL, 'b'},
        {"retry-ms", required_argument, NULL, 'r'},
        {"sync-ms", required_argument, NULL, 's'},
        {"no-wait", no_argument, NULL, 'w'},
        {"threads", required_argument, NULL, 't'},
        {"ask-flow", no_argument, NULL, 'a'},
        {"indexer", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            devnet = optarg;
            break;
        case 'k':
            key_file = optarg;
            break;
        case 'j':
            journal = optarg;
            break;
        case 'n':
            if (nnodes == sizeof nodes / sizeof *nodes)
                return 2;
            nodes[nnodes++] = optarg;
            break;
        case 'i':
            indexer = optarg;
            break;
        case 'm':
            so.max_size = strtoull(optarg, NULL, 10);
            break;
        case 'b':
            so.batch = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'r':
            so.node_retry_ms = strtol(optarg, NULL, 10);
            break;
        case 's':
            so.sync_timeout_ms = strtol(optarg, NULL, 10);
            break;
        case 'w':
            so.no_finality_wait = true;
            break;
        case 't':
            so.threads = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'a':
            ask_flow = true;
            break;
        default:
            return 2;
        }
    }
    if (!devnet) {
        fprintf(stderr, "zgstore: --devnet is required\n");
        return 2;
    }
    char keypath[4096];
    zg_storage_devnet_info dn;
    if (zg_storage_devnet(devnet, &dn, &e))
        return die(&e);
    if (!nnodes && !indexer)
        for (size_t i = 0; i < dn.nnodes; i++)
            nodes[nnodes++] = dn.nodes[i];
    if (!key_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", devnet);
        snprintf(keypath, sizeof keypath, "%s/user.key", dirname(tmp));
        key_file = keypath;
    }
    zg_network net;
    zg_key key;
    zg_client *cl = NULL;
    zg_storage_pool *pool = NULL;
    zg_journal *j = NULL;
    int rc = 1;
    if (zg_network_from_devnet(&net, devnet, &e) || zg_key_load_file(&key, key_file, NULL, &e) ||
        zg_client_open(&cl, &net, &key, NULL, &e)) {
        rc = die(&e);
        goto out;
    }
    zg_key_wipe(&key);
    if (journal && zg_journal_open(&j, journal, &e)) {
        rc = die(&e);
        goto out;
    }
    zg_storage_pool_opts po = {.nodes = nodes,
                               .nnodes = nnodes,
                               .indexer = indexer,
                               .flow = ask_flow ? NULL : dn.flow,
                               .node = so};
    if (zg_storage_pool_new(&pool, cl, &po, &e)) {
        rc = die(&e);
        goto out;
    }
    char h[67];
    if (strcmp(cmd, "upload") == 0 && optind + 1 == argc) {
        zg_storage_upload_result res;
        if (zg_storage_pool_upload(pool, j, argv[optind], progress, NULL, &res, &e)) {
            rc = die(&e);
            goto out;
        }
        char fee[ZG_U256_DEC_MAX];
        zg_u256_to_dec(fee, &res.fee);
        hex32(h, res.root);
        printf("root=%s txSeq=%llu submitted=%s fee=%s segments=%llu\n", h,
               (unsigned long long)res.tx_seq, res.submitted ? "yes" : "no", fee,
               (unsigned long long)res.segments_sent);
        rc = 0;
    } else if (strcmp(cmd, "download") == 0 && optind + 2 == argc) {
        uint8_t root[32];
        if (zg_hex_decode_exact(root, 32, argv[optind], &e) ||
            zg_storage_pool_download(pool, root, argv[optind + 1], progress, NULL, &e)) {
            rc = die(&e);
            goto out;
        }
        printf("downloaded %s\n", argv[optind + 1]);
        rc = 0;
    } else if ((strcmp(cmd, "info") == 0 && optind + 1 == argc) ||
               (strcmp(cmd, "shards") == 0 && optind == argc)) {
        /* Each node on its own, with the short retry window of a probe. */
        uint8_t root[32];
        bool info = strcmp(cmd, "info") == 0;
        if (info && zg_hex_decode_exact(root, 32, argv[optind], &e)) {
            rc = die(&e);
            goto out;
        }
        rc = 0;
        for (size_t i = 0; i < nnodes; i++) {
            zg_storage *s = NULL;
            zg_storage_opts o = {.node_url = nodes[i], .flow = dn.flow, .node_retry_ms = 2000};
            zg_storage_info fi;
            zg_storage_shard sh;
            bool found = false;
            zg_err ne = {0};
            if (zg_storage_open(&s, cl, &o, &ne) ||
                (info ? zg_storage_info_by_root(s, root, true, &fi, &found, &ne)
                      : zg_storage_node_shard(s, &sh, &ne))) {
                printf("%s error=%s\n", nodes[i], errname(ne.code));
                rc = 1;
            } else if (!info) {
                printf("%s shard=%llu/%llu\n", nodes[i], (unsigned long long)sh.id,
                       (unsigned long long)sh.num);
            } else if (!found) {
                printf("%s null\n", nodes[i]);
            } else {
                hex32(h, fi.root);
                printf("%s root=%s txSeq=%llu size=%llu start=%llu finalized=%s "
                       "uploadedSegNum=%llu\n",
                       nodes[i], h, (unsigned long long)fi.tx_seq, (unsigned long long)fi.size,
                       (unsigned long long)fi.start_entry, fi.finalized ? "true" : "false",
                       (unsigned long long)fi.uploaded_seg_num);
            }
            zg_storage_close(s);
        }
    } else {
        fprintf(stderr, "zgstore: bad arguments for %s\n", cmd);
        rc = 2;
    }
out:
    zg_storage_pool_free(pool);
    zg_journal_close(j);
    zg_client_close(cl);
    return rc;
}
