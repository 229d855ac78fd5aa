/* The command of one open of a control file (fund, deposit, deploy, ...),
 * gathered across writes: a command is one line, whatever write(2) calls
 * carry it (`dd bs=1`, a shell's printf in pieces), so it runs once, whole,
 * when its newline arrives, or at the opener's last close when none comes.
 * One open carries one command: a second line, NUL bytes or a line longer
 * than ZG_CMDLINE_MAX bytes are refused with EINVAL and a sentence, and the
 * open carries no command after that.
 *
 * What the line means is the business of the file it was written to; this
 * is only its framing. Not thread-safe: the owner serialises the calls. */
#ifndef ZG_CMDLINE_H
#define ZG_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "zg/err.h"
#include "zg/results.h"

#define ZG_CMDLINE_MAX 4096 /* longest command, without its newline */

typedef struct zg_cmdline {
    bool done;  /* this open's command was taken, or refused */
    size_t len; /* bytes gathered so far */
    char text[ZG_CMDLINE_MAX + 1];
} zg_cmdline;

/* Add the bytes of one write. 1: the newline came and the command is
 * taken: it is cl->text (NUL-terminated, without the newline). 0: the bytes
 * were kept, the line goes on. -1: refused (err set); shown then holds the
 * refused text as a log line names it: what was gathered of a command
 * not yet run and the new bytes, at most ZG_RESULTS_CMD_SHOWN of them, each unprintable byte as
 * '?'. */
int zg_cmdline_add(zg_cmdline *cl, const char *buf, size_t size,
                   char shown[ZG_RESULTS_CMD_SHOWN + 1], zg_err *err);
/* Take a command that has no newline and did not run (at the opener's last
 * close): its length, with the text in line, or 0 when there is none.
 * Whoever takes it runs it. */
size_t zg_cmdline_take(zg_cmdline *cl, char line[ZG_CMDLINE_MAX + 1]);

#endif
