/* The fine-tuning provider's own HTTP API as the models/ and attestation/
 * handlers reach it: where it is (from the mount's cached services list),
 * and failures that land in the mount's log. Shared by models.c and
 * attestation.c only. */
#ifndef ZGFS_FILES_FTREMOTE_H
#define ZGFS_FILES_FTREMOTE_H

#include "common.h"

/* A fine-tuning provider as its on-chain record describes it. */
typedef struct zgfs_ftp {
    uint8_t addr[20];
    char name[43];         /* EIP-55 */
    char *url;             /* owned: Service.url */
    bool announces_models; /* its on-chain models list is non-empty */
} zgfs_ftp;

/* The path's provider (parameter 0) from the cached services list; ENOENT
 * when it offers no fine-tuning. Release with zgfs_ftp_free. */
int zgfs_ftp_get(const zgfs_call *c, zgfs_ftp *out, zg_err *err);
void zgfs_ftp_free(zgfs_ftp *p);

/* A failed request to the provider: a line in the mount's log (at most one
 * per path and errno every few seconds, because stat, lookup and open all
 * retry a dead provider), and -1 so fetchers can `return` it. */
int zgfs_ftp_failed(zgfs *fs, const char *path, const zg_err *err);

#endif
