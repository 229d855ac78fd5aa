/* Helpers shared by the fine-tuning workflow's handlers (datasets.c,
 * storage.c, tasks.c, artifacts.c): a task's record and deliverable from
 * the wallet's cached task list and sub-account (one cached request answers
 * `ls -l tasks/`). */
#ifndef ZGFS_FILES_WF_H
#define ZGFS_FILES_WF_H

#include "common.h"

/* A copy of the task record of the path (parameter 0 provider, 1 task id):
 * from the cached list, else fetched alone (tasks the list has not seen
 * yet). ENOENT when the provider has no such task of this wallet. */
int zgfs_task_record(const zgfs_call *c, cJSON **out, zg_err *err);
/* What creating or cancelling a task changes (zgfs_changed). */
#define ZGFS_TASK_VALUES (ZG_RV_BIT(ZG_RV_TASKS) | ZG_RV_BIT(ZG_RV_TASK))
/* The on-chain deliverable of a task, from the cached sub-account
 * (max_age_ms as in remote.h); ENOENT when it was not delivered. */
int zgfs_find_deliverable(zgfs *fs, const uint8_t provider[20], const char *task_id,
                          long max_age_ms, zg_deliverable *out, zg_err *err);

#endif
