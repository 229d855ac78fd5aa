/* Top-level files: README (generated from the node table), network,
 * lock_time, status (the core's deadline watch, zg/deadline.h). (`log` is
 * a STREAM served by ll.c straight from the ring.) */
#include <string.h>

#include "common.h"
#include "zg/deadline.h"
#include "zg/show.h"

static const char readme_head[] =
    "zgfs: the 0G Compute Network's fine-tuning service as files.\n"
    "\n"
    "One mount = one wallet on one network. Addresses are shown EIP-55 checksummed;\n"
    "lookups accept any case. Amounts read as decimal OG (12.5); JSON files carry\n"
    "exact integers in neuron (1 OG = 10^18 neuron) as strings. Amount writes accept\n"
    "3, 0.25, 0.25OG and 250000000000000000neuron.\n"
    "\n"
    "Control files (marked w:) act inside write(): one write is one command, e.g.\n"
    "`echo 1.5 > ledger/deposit`. A failure is the write's errno (EINVAL bad input,\n"
    "EDQUOT not enough funds, ENOENT no such thing, EACCES/EPERM not allowed,\n"
    "ETIMEDOUT/EHOSTUNREACH network) and a sentence: reading the control file\n"
    "returns your own last result, `ok: ...` or `error: ...`, and every result is\n"
    "also a line in `log`. Before your first write it returns a usage line.\n"
    "\n";

/* Pattern without the leading slash, {provider} spelled 0xPROVIDER. */
static int show_pattern(zg_buf *out, const char *pattern, bool dir, zg_err *err)
{
    size_t start = out->len;
    for (const char *p = pattern + 1; *p; p++) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (!end)
                break;
            if (!strncmp(p, "{provider}", 10)) {
                if (zg_buf_append_str(out, "0xPROVIDER", err))
                    return -1;
            } else if (zg_buf_append(out, p + 1, (size_t)(end - p - 1), err)) {
                return -1;
            }
            p = end;
        } else if (zg_buf_append_byte(out, (uint8_t)*p, err)) {
            return -1;
        }
    }
    if (dir && zg_buf_append_byte(out, '/', err))
        return -1;
    size_t w = out->len - start;
    while (w++ < 36)
        if (zg_buf_append_byte(out, ' ', err))
            return -1;
    return zg_buf_append_byte(out, ' ', err);
}

int zgfs_readme_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    zgfs *fs = c->fs;
    if (zg_buf_printf(out, err, "%sThis mount: %s chain %llu, wallet %s.\n\n", readme_head,
                      fs->net.name, (unsigned long long)fs->net.chain_id, fs->addr_text))
        return -1;
    for (size_t i = 1; i < zgfs_nnodes; i++) {
        const zgfs_node *n = &zgfs_nodes[i];
        if (show_pattern(out, n->pattern, n->kind == ZGFS_DIR, err))
            return -1;
        const char *access = n->kind == ZGFS_DIR ? "   " : zgfs_node_writable(i) ? "rw " : "r  ";
        if (zg_buf_printf(out, err, "%s %s\n", access, n->help ? n->help : ""))
            return -1;
    }
    return zg_buf_append_str(
        out,
        "\nCaching: listings and records are cached for ttl= seconds (default 3); a write\n"
        "through this mount refreshes what it changed at once. Changes made elsewhere\n"
        "(another client, the official CLI) show within one ttl. See docs/semantics.md.\n",
        err);
}

int zgfs_network_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    return zg_show_network(out, &c->fs->net, err);
}

int zgfs_status_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    return zg_deadline_status(c->fs->client, out, err);
}

int zgfs_lock_time_render(const zgfs_call *c, zg_buf *out, zg_err *err)
{
    uint64_t s;
    if (zgfs_get_lock_time(c->fs, &s, err))
        return -1;
    return zg_buf_printf(out, err, "%llu\n", (unsigned long long)s);
}
