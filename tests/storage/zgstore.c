/* zgstore: the storage core from the command line, for the tests and the
 * benchmark (not installed).
 *
 *   zgstore root FILE
 *   zgstore upload   --devnet DEVNET.json [options] FILE
 *   zgstore download --devnet DEVNET.json [options] ROOT DEST
 *   zgstore info     --devnet DEVNET.json [options] ROOT
 *   zgstore indexer-nodes INDEXER_URL
 *   zgstore indexer-locations INDEXER_URL ROOT
 *   zgstore indexer-preset testnet|mainnet
 *
 * options: --key-file F (default: DIR-of-json/user.key), --journal DIR,
 * --node URL, --max-size N, --batch N, --threads N, --retry-ms N, --sync-ms N,
 * --no-wait, --ask-flow (learn the Flow from the node's zgs_getStatus).
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
        fprintf(stderr, "usage: zgstore root|upload|download|info|indexer-nodes|"
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
    if (strcmp(cmd, "indexer-nodes") == 0 || strcmp(cmd, "indexer-locations") == 0) {
        bool nodes = strcmp(cmd, "indexer-nodes") == 0;
        uint8_t r[32];
        char **urls = NULL;
        size_t n = 0;
        if (argc != (nodes ? 3 : 4))
            return 2;
        if (!nodes && zg_hex_decode_exact(r, 32, argv[3], &e))
            return die(&e);
        if (nodes ? zg_storage_indexer_nodes(argv[2], &urls, &n, &e)
                  : zg_storage_indexer_locations(argv[2], r, &urls, &n, &e))
            return die(&e);
        for (size_t i = 0; i < n; i++)
            printf("%s\n", urls[i]);
        zg_storage_urls_free(urls, n);
        return 0;
    }
    if (strcmp(cmd, "indexer-preset") == 0 && argc == 3) {
        const char *url = zg_storage_indexer_preset(argv[2]);
        if (!url)
            return 1;
        printf("%s\n", url);
        return 0;
    }
    const char *devnet = NULL, *key_file = NULL, *journal = NULL, *node = NULL;
    zg_storage_opts so = {0};
    bool ask_flow = false;
    static const struct option opts[] = {
        {"devnet", required_argument, NULL, 'd'},   {"key-file", required_argument, NULL, 'k'},
        {"journal", required_argument, NULL, 'j'},  {"node", required_argument, NULL, 'n'},
        {"max-size", required_argument, NULL, 'm'}, {"batch", required_argument, NULL, 'b'},
        {"retry-ms", required_argument, NULL, 'r'}, {"sync-ms", required_argument, NULL, 's'},
        {"no-wait", no_argument, NULL, 'w'},        {"threads", required_argument, NULL, 't'},
        {"ask-flow", no_argument, NULL, 'a'},       {NULL, 0, NULL, 0},
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
            node = optarg;
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
    char url[512], keypath[4096];
    uint8_t flow[20];
    if (zg_storage_devnet(devnet, url, sizeof url, flow, &e))
        return die(&e);
    so.node_url = node ? node : url;
    so.flow = ask_flow ? NULL : flow;
    if (!key_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", devnet);
        snprintf(keypath, sizeof keypath, "%s/user.key", dirname(tmp));
        key_file = keypath;
    }
    zg_network net;
    zg_key key;
    zg_client *cl = NULL;
    zg_storage *s = NULL;
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
    if (zg_storage_open(&s, cl, &so, &e)) {
        rc = die(&e);
        goto out;
    }
    char h[67];
    if (strcmp(cmd, "upload") == 0 && optind + 1 == argc) {
        zg_storage_upload_result res;
        if (zg_storage_upload(s, j, argv[optind], progress, NULL, &res, &e)) {
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
            zg_storage_download(s, root, argv[optind + 1], progress, NULL, &e)) {
            rc = die(&e);
            goto out;
        }
        printf("downloaded %s\n", argv[optind + 1]);
        rc = 0;
    } else if (strcmp(cmd, "info") == 0 && optind + 1 == argc) {
        uint8_t root[32];
        zg_storage_info info;
        bool found;
        if (zg_hex_decode_exact(root, 32, argv[optind], &e) ||
            zg_storage_info_by_root(s, root, true, &info, &found, &e)) {
            rc = die(&e);
            goto out;
        }
        if (!found) {
            printf("null\n");
        } else {
            hex32(h, info.root);
            printf("root=%s txSeq=%llu size=%llu finalized=%s uploadedSegNum=%llu\n", h,
                   (unsigned long long)info.tx_seq, (unsigned long long)info.size,
                   info.finalized ? "true" : "false", (unsigned long long)info.uploaded_seg_num);
        }
        rc = 0;
    } else {
        fprintf(stderr, "zgstore: bad arguments for %s\n", cmd);
        rc = 2;
    }
out:
    zg_storage_close(s);
    zg_journal_close(j);
    zg_client_close(cl);
    return rc;
}
