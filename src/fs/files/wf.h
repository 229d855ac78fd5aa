/* Helpers shared by the fine-tuning workflow's handlers (datasets.c,
 * tasks.c, artifacts.c, adapters.c): where a provider is, the wallet's task
 * list (one cached request answers `ls -l tasks/`), and where the workflow
 * keeps its files in the state directory. */
#ifndef ZGFS_FILES_WF_H
#define ZGFS_FILES_WF_H

#include "common.h"

/* The fine-tuning service URL of provider (malloc'd); ENOENT when it
 * offers no fine-tuning. announces_models (may be NULL): whether its
 * on-chain record lists models. */
int zgfs_ft_service(zgfs *fs, const uint8_t provider[20], char **url, bool *announces_models,
                    zg_err *err);
int zgfs_ft_url(zgfs *fs, const uint8_t provider[20], char **url, zg_err *err);
/* The inference service of provider: URL and base model (both malloc'd,
 * model may be NULL); ENOENT when it serves no inference. */
int zgfs_inf_service(zgfs *fs, const uint8_t provider[20], char **url, char **model, zg_err *err);

/* STATE_DIR/fmt... ; ENAMETOOLONG when it does not fit. */
int zgfs_state_path(zgfs *fs, char *out, size_t cap, zg_err *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* STATE_DIR/datasets: the dataset index (zg/dsindex.h). */
int zgfs_datasets_dir(zgfs *fs, char *out, size_t cap, zg_err *err);

/* The wallet's tasks with provider, newest first (a cJSON array in the
 * cache; max_age_ms as in remote.h). */
int zgfs_get_tasks(zgfs *fs, const uint8_t provider[20], long max_age_ms, zg_cache_val **ref,
                   zg_err *err);
/* A copy of the task record of the path (parameter 0 provider, 1 task id):
 * from the cached list, else fetched alone (tasks the list has not seen
 * yet). ENOENT when the provider has no such task of this wallet. */
int zgfs_task_record(const zgfs_call *c, cJSON **out, zg_err *err);
/* After creating or cancelling a task: drop cached lists and records and
 * the kernel's view of tasks/ and tasks/latest. */
void zgfs_tasks_changed(zgfs *fs, const uint8_t provider[20], const char *task_id);
/* The on-chain deliverable of a task, from the cached sub-account
 * (max_age_ms as in remote.h); ENOENT when it was not delivered. */
int zgfs_find_deliverable(zgfs *fs, const uint8_t provider[20], const char *task_id,
                          long max_age_ms, zg_deliverable *out, zg_err *err);

#endif
