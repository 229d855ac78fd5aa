/* Handlers of the namespace, one file per area (root, wallet, ledger,
 * providers). They see a zgfs_call and a zg_err, never a FUSE type, and
 * are wired to paths by the table in ../nodes.c. */
#ifndef ZGFS_FILES_H
#define ZGFS_FILES_H

#include "../zgfs.h"

/* root.c */
int zgfs_readme_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_network_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_lock_time_render(const zgfs_call *c, zg_buf *out, zg_err *err);

/* wallet.c */
int zgfs_wallet_address_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_wallet_balance_render(const zgfs_call *c, zg_buf *out, zg_err *err);

/* ledger.c */
int zgfs_ledger_json_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_ledger_balance_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_ledger_deposit_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);
int zgfs_ledger_refund_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);

/* providers.c */
int zgfs_provider_parse(const char *name, char canon[ZGFS_PARAM_MAX], zg_err *err);
int zgfs_providers_list(const zgfs_call *c, zgfs_names *out, zg_err *err);
int zgfs_provider_present(const zgfs_call *c, zg_err *err);
int zgfs_service_present(const zgfs_call *c, zg_err *err);
int zgfs_service_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_inference_present(const zgfs_call *c, zg_err *err);
int zgfs_inference_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_account_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_fund_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);
int zgfs_retrieve_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);
int zgfs_trust_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_trust_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);

#endif
