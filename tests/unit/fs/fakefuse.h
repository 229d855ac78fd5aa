/* The kernel's side of FUSE requests, for unit tests of the request layer
 * (fakefuse.c): a request records the replies it gets, and the test sends
 * it an interrupt as the kernel would. libfuse frees a request at its
 * reply; here it stays, so a second reply, or an interrupt callback
 * registered after the reply (a use after free with libfuse), is counted
 * instead of crashing. */
#ifndef FAKEFUSE_H
#define FAKEFUSE_H

#define FUSE_USE_VERSION 314

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>

enum { REPLY_NONE, REPLY_ERR, REPLY_WRITE, REPLY_BUF };

struct fuse_req {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int replies;
    int kind; /* of the first reply */
    int err;
    size_t written;
    char data[4096];
    size_t len;
    int late_intr; /* interrupt callbacks registered after the reply */
    struct fuse_ctx ctx;
    void *userdata;
    fuse_interrupt_func_t intr;
    void *intr_data;
    bool interrupted;
};

/* A request from thread pid (uid 1000) to the mount userdata. */
void fake_req_init(struct fuse_req *r, void *userdata, pid_t pid);
void fake_req_free(struct fuse_req *r);
/* The kernel interrupts the request (FUSE_INTERRUPT). */
void fake_interrupt(struct fuse_req *r);
/* Wait up to ms for the first reply; false on time-out. */
bool fake_wait(struct fuse_req *r, long ms);

#endif
