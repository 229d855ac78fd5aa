/* What the files of a fine-tuning task say (providers/P/tasks/): the
 * documents and sentences built from the provider's task list and the
 * on-chain deliverable, so that the filesystem only forwards. No I/O. */
#ifndef ZG_TASKDOC_H
#define ZG_TASKDOC_H

#include <stdint.h>

#include "zg/buf.h"
#include "zg/deadline.h"
#include "zg/ftserving.h"
#include "zg/tasks.h"

/* The record of task id in the provider's task list (a JSON array, newest
 * first), borrowed from list; NULL when it has none. */
const cJSON *zg_task_find(const cJSON *list, const char *id);

/* A look-up of one task that the provider refused with EINVAL (its
 * "invalid id") or EPERM (another user's task): the wallet has no such
 * task, ENOENT. Other errors stay as they are. */
void zg_task_lookup_errno(zg_err *e);

/* The newest task's id in canonical form; ENOENT "no tasks yet" for an
 * empty list. */
int zg_task_latest(const cJSON *list, char id[37], zg_err *err);

/* tasks/: the id of each task of list that zg_task_id_parse takes, in
 * canonical form, passed to add (which may fail, ending the walk). */
int zg_task_ids(const cJSON *list, int (*add)(void *arg, const char *id, zg_err *err), void *arg,
                zg_err *err);

/* progress: the provider's state word of task and a newline ("unknown"
 * when the record has none). */
int zg_task_progress_text(const cJSON *task, zg_buf *out, zg_err *err);

/* The acknowledgement window when the lock time is known (zg_ack_window),
 * else its cap: a deadline shown too late is worse than one too early. */
uint64_t zg_task_ack_window(int lock_known, uint64_t lock_time);

/* A copy of task id's deliverable in the sub-account a (NULL: there is
 * none), zg_deliverable_free'd by the caller; ENOENT when the task was not
 * delivered. */
int zg_deliverable_copy(const zg_ft_account *a, const char *id, zg_deliverable *out, zg_err *err);

/* deliverable.json: d as the chain holds it, the form and roots of its
 * modelRootHash (zg/modelroot.h; "unknown" and none when in no known
 * form), and the acknowledgement deadline window seconds after delivery. */
int zg_deliverable_doc(const zg_deliverable *d, uint64_t window, zg_buf *out, zg_err *err);

/* d of provider as the deadline watch sees it (zg_deadline_due), its id
 * borrowed from d (not to be freed). */
void zg_deliverable_open_task(const zg_deliverable *d, const uint8_t provider[20], uint64_t window,
                              zg_open_task *out);

/* The sentences of the task files' writes. */
int zg_task_cancel_text(const char *id, zg_buf *ok, zg_err *err);
int zg_task_ack_text(const char *id, zg_task_acked how, const char *tx, zg_buf *ok, zg_err *err);
/* tasks/new: reply gets the id and a newline, ok the sentence. */
int zg_task_submitted_text(const zg_task_submitted *t, zg_buf *reply, zg_buf *ok, zg_err *err);

#endif
