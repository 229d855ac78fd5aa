/* zg/cmdline.h: a control file's command framed across writes, and what is
 * refused with which sentence and log text. */
#include <errno.h>

#include "../check.h"
#include "zg/cmdline.h"

static int add(zg_cmdline *cl, const char *s, char shown[ZG_RESULTS_CMD_SHOWN + 1], zg_err *err)
{
    return zg_cmdline_add(cl, s, strlen(s), shown, err);
}

static void framing(void)
{
    zg_cmdline cl = {0};
    char shown[ZG_RESULTS_CMD_SHOWN + 1] = "", line[ZG_CMDLINE_MAX + 1];
    zg_err err = {0};
    CHECK(add(&cl, "fund", shown, &err) == 0 && add(&cl, " 3", shown, &err) == 0,
          "pieces without a newline are kept");
    CHECK(add(&cl, "\n", shown, &err) == 1 && !strcmp(cl.text, "fund 3") && cl.done,
          "the newline completes the command, without it");
    CHECK(zg_cmdline_take(&cl, line) == 0, "a command that ran is not taken again");
    CHECK(add(&cl, "fund 4\n", shown, &err) == -1 && err.code == EINVAL,
          "a second command on the same open: EINVAL");
    CHECK_STR(err.msg,
              "one command per open: write a single line, and open the file again for the next "
              "command",
              "...said so");
    CHECK_STR(shown, "fund 4?", "...the log shows the refused bytes, not the command that ran");

    cl = (zg_cmdline){0};
    CHECK(add(&cl, "fund 1\nfund 2\n", shown, &err) == -1 && err.code == EINVAL,
          "two lines in one write: EINVAL");
    CHECK(zg_cmdline_take(&cl, line) == 0, "...and nothing is left to run at the close");

    cl = (zg_cmdline){0};
    CHECK(add(&cl, "fund 1\n", shown, &err) == 1, "one line with its newline: whole at once");

    cl = (zg_cmdline){0};
    CHECK(add(&cl, "fu", shown, &err) == 0 && zg_cmdline_add(&cl, "nd\0 3", 5, shown, &err) == -1 &&
              err.code == EINVAL,
          "a NUL byte: EINVAL");
    CHECK_STR(err.msg, "a command is text; NUL bytes are refused", "...said so");
    CHECK_STR(shown, "fund? 3", "...the log shows it as '?'");

    cl = (zg_cmdline){0};
    CHECK(add(&cl, "trust\x1b[2J", shown, &err) == 0 && add(&cl, "\n", shown, &err) == 1 &&
              !strcmp(cl.text, "trust\x1b[2J"),
          "control bytes other than NUL are the handler's to judge");

    cl = (zg_cmdline){0};
    char big[ZG_CMDLINE_MAX + 2];
    memset(big, 'x', sizeof big);
    big[ZG_CMDLINE_MAX] = '\0';
    CHECK(add(&cl, big, shown, &err) == 0, "a line of exactly %d bytes is taken", ZG_CMDLINE_MAX);
    CHECK(add(&cl, "\n", shown, &err) == 1 && cl.len == ZG_CMDLINE_MAX, "...and runs");
    cl = (zg_cmdline){0};
    CHECK(add(&cl, big, shown, &err) == 0 && add(&cl, "y", shown, &err) == -1 && err.code == EINVAL,
          "one byte more, in a later write: EINVAL");
    CHECK_STR(err.msg, "a command is one line of at most 4096 bytes", "...said so");
    CHECK(strlen(shown) == ZG_RESULTS_CMD_SHOWN && shown[0] == 'x',
          "...the log shows the first %d bytes", ZG_RESULTS_CMD_SHOWN);
    CHECK(cl.done && cl.len == 0 && zg_cmdline_take(&cl, line) == 0,
          "a refused open carries no command");

    cl = (zg_cmdline){0};
    CHECK(add(&cl, "deposit 2", shown, &err) == 0 && zg_cmdline_take(&cl, line) == 9 &&
              !strcmp(line, "deposit 2"),
          "a line without its newline is taken at the close");
    CHECK(zg_cmdline_take(&cl, line) == 0 && add(&cl, "x", shown, &err) == -1,
          "...once, and the open carries nothing more");
    cl = (zg_cmdline){0};
    CHECK(zg_cmdline_take(&cl, line) == 0, "an open without bytes has nothing to take");
}

int main(void)
{
    framing();
    return check_done();
}
