/* Handlers of the namespace, one file per area (root, wallet, ledger,
 * providers). They see a zgfs_call and a zg_err, never a FUSE type, and
 * are wired to paths by the table in ../nodes.c. */
#ifndef ZGFS_FILES_H
#define ZGFS_FILES_H

#include "../zgfs.h"
/* The {param} rows name the core's parsers of their names directly. */
#include "zg/adapter.h"
#include "zg/modelfiles.h"
#include "zg/namefiles.h"
#include "zg/tasks.h"

/* root.c */
int zgfs_readme_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_network_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_lock_time_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_status_render(const zgfs_call *c, zg_buf *out, zg_err *err);

/* wallet.c */
int zgfs_wallet_address_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_wallet_balance_render(const zgfs_call *c, zg_buf *out, zg_err *err);

/* ledger.c */
int zgfs_ledger_json_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_ledger_balance_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_ledger_deposit_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);
int zgfs_ledger_refund_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);

/* names.c: the files of storage/ and datasets/ (zg/namedir.h); their
 * names' parsers are the core's (zg/namefiles.h) */
int zgfs_named_list(const zgfs_call *c, zgfs_names *out, zg_err *err);
int zgfs_named_present(const zgfs_call *c, zg_err *err);
int zgfs_named_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_named_xattr(const zgfs_call *c, const char *name, zg_buf *out, zg_err *err);
int zgfs_named_local(const zgfs_call *c, char *path, size_t cap, zg_err *err);
int zgfs_named_size(const zgfs_call *c, uint64_t *out, zg_err *err);
/* After an upload to the call's NAME: the kernel drops what it held of
 * NAME and of the files that come with it. */
void zgfs_named_added(const zgfs_call *c, const char *name);

/* storage.c: storage/NAME's upload and download, by-root/0xROOT */
int zgfs_storage_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err);
int zgfs_storage_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                        zg_err *err);
int zgfs_by_root_present(const zgfs_call *c, zg_err *err);
int zgfs_by_root_local(const zgfs_call *c, char *path, size_t cap, zg_err *err);
int zgfs_by_root_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err);
int zgfs_by_root_size(const zgfs_call *c, uint64_t *out, zg_err *err);

/* providers.c */
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

/* models.c: providers/P/models/ (NAME.json, NAME.usage.zip; their names
 * are zg/modelfiles.h's) */
int zgfs_models_json_list(const zgfs_call *c, zgfs_names *out, zg_err *err);
int zgfs_models_zip_list(const zgfs_call *c, zgfs_names *out, zg_err *err);
int zgfs_model_json_present(const zgfs_call *c, zg_err *err);
int zgfs_model_zip_present(const zgfs_call *c, zg_err *err);
int zgfs_model_json_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_model_zip_local(const zgfs_call *c, char *path, size_t cap, zg_err *err);
int zgfs_model_zip_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err);
int zgfs_model_zip_size(const zgfs_call *c, uint64_t *out, zg_err *err);

/* attestation.c: providers/P/attestation/ */
int zgfs_quote_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_report_render(const zgfs_call *c, zg_buf *out, zg_err *err);

/* datasets.c: providers/P/datasets/NAME's upload, NAME.tokens */
int zgfs_dataset_tokens_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_dataset_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                        zg_err *err);

/* tasks.c: providers/P/tasks/ */
int zgfs_tasks_list(const zgfs_call *c, zgfs_names *out, zg_err *err);
int zgfs_task_present(const zgfs_call *c, zg_err *err);
int zgfs_tasks_latest_present(const zgfs_call *c, zg_err *err);
int zgfs_tasks_latest_readlink(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_tasks_new_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                          zg_err *err);
int zgfs_task_json_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_task_progress_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_task_log_stream(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_task_cancel_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);
int zgfs_deliverable_present(const zgfs_call *c, zg_err *err);
int zgfs_deliverable_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_task_ack_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);

/* artifacts.c: tasks/TASK-ID/lora.enc, lora.bin */
int zgfs_lora_enc_local(const zgfs_call *c, char *path, size_t cap, zg_err *err);
int zgfs_lora_enc_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err);
bool zgfs_lora_bin_have(const zgfs_call *c, uint64_t *size);
int zgfs_lora_bin_open(const zgfs_call *c, zg_model_reader **out, zg_err *err);
int zgfs_lora_bin_prepare(const zgfs_call *c, zg_buf *ok, zg_err *err);
int zgfs_lora_enc_size(const zgfs_call *c, uint64_t *out, zg_err *err);
int zgfs_lora_bin_size(const zgfs_call *c, uint64_t *out, zg_err *err);
/* lora.bin's safe path for the automatic acknowledgement (no reader): log
 * lines say `who`; ok receives the result sentence. */
int zgfs_lora_autoack(zgfs *fs, const uint8_t prov[20], const char *id, const char *who, zg_buf *ok,
                      zg_err *err);

/* adapters.c: providers/P/adapters/ and tasks/TASK-ID/deploy */
int zgfs_adapters_list(const zgfs_call *c, zgfs_names *out, zg_err *err);
int zgfs_adapter_present(const zgfs_call *c, zg_err *err);
int zgfs_adapter_state_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_adapter_json_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_adapter_chat_commit(const zgfs_call *c, const zgfs_payload *p, zg_buf *reply, zg_buf *ok,
                             zg_err *err);
int zgfs_adapters_deploy_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);
int zgfs_task_deploy_render(const zgfs_call *c, zg_buf *out, zg_err *err);
int zgfs_task_deploy_act(const zgfs_call *c, const char *line, zg_buf *ok, zg_err *err);

#endif
