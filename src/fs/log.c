/* Where the `log` file's lines also go: stderr while zgfs runs in the
 * foreground (tests and systemd capture it), syslog once it is a daemon
 * (stderr is /dev/null then). */
#include <stdio.h>
#include <syslog.h>

#include "zgfs.h"

static void to_stderr(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "zgfs: %s\n", line);
}

static void to_syslog(void *ctx, const char *line)
{
    (void)ctx;
    /* The line starts with our own timestamp; syslog adds its own. */
    syslog(LOG_INFO, "%s", line + (line[0] && line[19] == ' ' ? 20 : 0));
}

void zgfs_log_to_stderr(zgfs *fs)
{
    zg_oplog_set_sink(fs->log, to_stderr, NULL);
}

void zgfs_log_to_syslog(zgfs *fs)
{
    openlog("zgfs", LOG_PID, LOG_DAEMON);
    zg_oplog_set_sink(fs->log, to_syslog, NULL);
}
