#include "zg/deadline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zg/chaintime.h"
#include "zg/ftprovider.h"
#include "zg/ftserving.h"
#include "zg/hex.h"
#include "zg/subaccounts.h"
#include "zg/u256.h"

uint64_t zg_ack_window(uint64_t lock_time)
{
    return lock_time / 2 < ZG_ACK_WINDOW_MAX ? lock_time / 2 : ZG_ACK_WINDOW_MAX;
}

void zg_open_tasks_free(zg_open_tasks *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].id);
        free(t->v[i].progress);
        free(t->v[i].fee);
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

static zg_open_task *add(zg_open_tasks *t, const uint8_t provider[20], const char *id, zg_err *err)
{
    zg_open_task *v = realloc(t->v, (t->n + 1) * sizeof *v);
    if (!v) {
        zg_err_set(err, ENOMEM, "out of memory");
        return NULL;
    }
    t->v = v;
    zg_open_task *e = &v[t->n];
    memset(e, 0, sizeof *e);
    if (!(e->id = strdup(id))) {
        zg_err_set(err, ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(e->provider, provider, 20);
    t->n++;
    return e;
}

static bool ended(const char *progress)
{
    return progress && (!strcmp(progress, "Finished") || !strcmp(progress, "Failed"));
}

static int set_str(char **dst, const char *s, zg_err *err)
{
    if (!s)
        return 0;
    if (!(*dst = strdup(s)))
        return zg_err_set(err, ENOMEM, "out of memory");
    return 0;
}

/* The provider's task list (newest first), or NULL when it cannot be
 * reached: its tasks then show what the chain says. */
static cJSON *provider_tasks(zg_client *c, const uint8_t provider[20])
{
    zg_ft_service s;
    if (zg_ft_get_service(c, provider, &s, NULL))
        return NULL;
    cJSON *list = NULL;
    if (zg_ftp_list_tasks(c, s.url, false, &list, NULL))
        list = NULL;
    zg_ft_service_free(&s);
    return list;
}

static const zg_deliverable *find(const zg_ft_account *a, const char *id)
{
    for (size_t i = 0; i < a->ndeliverables; i++)
        if (a->deliverables[i].id && !strcmp(a->deliverables[i].id, id))
            return &a->deliverables[i];
    return NULL;
}

static void take_deliverable(zg_open_task *e, const zg_deliverable *d, uint64_t window)
{
    e->delivered = true;
    e->acknowledged = d->acknowledged;
    e->settled = d->settled;
    e->deliver_time = d->timestamp;
    e->deadline = d->timestamp + window;
}

/* One provider's open work: its listed tasks that have not ended, then
 * the deliverables on chain it did not list (it was not asked or not
 * reached) that are not settled. */
static int scan_provider(zg_client *c, const uint8_t provider[20], bool ask, zg_open_tasks *t,
                         zg_err *err)
{
    zg_ft_account a;
    bool exists = false;
    if (zg_ft_get_account(c, zg_chain_address(c->chain), provider, &a, &exists, err)) {
        zg_ft_account_free(&a);
        return -1;
    }
    cJSON *list = ask ? provider_tasks(c, provider) : NULL;
    size_t first = t->n;
    int rc = 0;
    const cJSON *j;
    cJSON_ArrayForEach(j, list)
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "id"));
        const char *pr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "progress"));
        const char *fee = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "fee"));
        if (!id || ended(pr))
            continue;
        const zg_deliverable *d = exists ? find(&a, id) : NULL;
        if (d && d->settled)
            continue;
        zg_open_task *e = add(t, provider, id, err);
        if (!e || set_str(&e->progress, pr, err) || set_str(&e->fee, fee, err)) {
            rc = -1;
            break;
        }
        if (d)
            take_deliverable(e, d, t->window);
    }
    /* Newest first, as the providers list them. */
    for (size_t i = exists ? a.ndeliverables : 0; rc == 0 && i-- > 0;) {
        const zg_deliverable *d = &a.deliverables[i];
        if (d->settled || !d->id)
            continue;
        bool listed = false;
        for (size_t k = first; k < t->n && !listed; k++)
            listed = !strcmp(t->v[k].id, d->id);
        if (listed)
            continue;
        zg_open_task *e = add(t, provider, d->id, err);
        if (!e)
            rc = -1;
        else
            take_deliverable(e, d, t->window);
    }
    cJSON_Delete(list);
    zg_ft_account_free(&a);
    return rc;
}

int zg_deadline_scan(zg_client *c, bool ask_providers, zg_open_tasks *out, zg_err *err)
{
    memset(out, 0, sizeof *out);
    uint64_t lock;
    if (zg_chain_time(c->rpc, &out->now, err) || zg_ft_lock_time(c, &lock, err))
        return -1;
    out->window = zg_ack_window(lock);
    zg_subaccount *subs = NULL;
    size_t n = 0;
    if (zg_subaccounts_by_user(c, ZG_SVC_FINETUNING, zg_chain_address(c->chain), &subs, &n, err))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = scan_provider(c, subs[i].provider, ask_providers, out, err);
    free(subs);
    if (rc)
        zg_open_tasks_free(out);
    return rc;
}

bool zg_deadline_watched(const zg_open_task *t)
{
    return t->delivered && !t->acknowledged && !t->settled;
}

zg_due zg_deadline_due(const zg_open_task *t, uint64_t now, long autoack)
{
    if (!zg_deadline_watched(t))
        return ZG_DUE_NOTHING;
    if (autoack != ZG_AUTOACK_OFF) {
        if (autoack == ZG_AUTOACK_AT_DELIVERY || now + (uint64_t)autoack >= t->deadline)
            return ZG_DUE_ACK;
        return ZG_DUE_NOTHING;
    }
    if (now >= t->deadline)
        return ZG_DUE_PASSED;
    if (now + ZG_ACK_WARN_BEFORE >= t->deadline)
        return ZG_DUE_WARN;
    return ZG_DUE_NOTHING;
}

void zg_deadline_warning(char *out, size_t cap, const zg_open_task *t, uint64_t now, zg_due due)
{
    char p[43];
    zg_addr_checksum(p, t->provider);
    if (cap)
        out[0] = 0;
    if (due == ZG_DUE_PASSED)
        snprintf(out, cap,
                 "warning: the acknowledgement window of task %s with %s closed %llu s ago; "
                 "the provider settles it with a penalty and its key is lost",
                 t->id, p, (unsigned long long)(now > t->deadline ? now - t->deadline : 0));
    else if (due == ZG_DUE_WARN)
        snprintf(out, cap,
                 "warning: the deliverable of task %s with %s must be acknowledged within "
                 "%llu min: read providers/%s/tasks/%s/lora.bin (or write yes to its ack); "
                 "after that the provider settles it with a penalty and the key is lost",
                 t->id, p, (unsigned long long)((t->deadline - now + 59) / 60), p, t->id);
}

/* LEFT: "-" before delivery, "acknowledged" once done, "passed" after the
 * deadline, else the time left as 5h59m (minutes rounded up). */
static void left_text(char out[32], const zg_open_task *t, uint64_t now)
{
    if (!t->delivered)
        snprintf(out, 32, "-");
    else if (t->acknowledged)
        snprintf(out, 32, "acknowledged");
    else if (now >= t->deadline)
        snprintf(out, 32, "passed");
    else {
        unsigned long long m = (t->deadline - now + 59) / 60;
        snprintf(out, 32, "%lluh%02llum", m / 60, m % 60);
    }
}

int zg_deadline_format(const zg_open_tasks *t, zg_buf *out, zg_err *err)
{
    for (size_t i = 0; i < t->n; i++) {
        const zg_open_task *e = &t->v[i];
        char p[43], fee[ZG_U256_DEC_MAX + 4] = "-", left[32];
        zg_addr_checksum(p, e->provider);
        zg_u256 v;
        if (e->fee && zg_u256_from_dec(&v, e->fee, NULL) == 0) {
            zg_amount_format(fee, &v);
            strcat(fee, "OG");
        }
        left_text(left, e, t->now);
        if (zg_buf_printf(out, err, "%s %s %s %s %s\n", p, e->id,
                          e->progress ? e->progress : "unknown", fee, left))
            return -1;
    }
    return 0;
}

int zg_deadline_status(zg_client *c, zg_buf *out, zg_err *err)
{
    zg_open_tasks t;
    if (zg_deadline_scan(c, true, &t, err))
        return -1;
    int rc = zg_deadline_format(&t, out, err);
    zg_open_tasks_free(&t);
    return rc;
}
