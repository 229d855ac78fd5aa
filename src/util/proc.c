/* Readers of /proc/PID/status, /proc/PID/stat and /proc/PID/fdinfo. */
#include "zg/proc.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

pid_t zg_proc_tgid(pid_t tid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
    FILE *f = fopen(path, "re");
    pid_t tgid = tid;
    if (!f)
        return tid;
    while (fgets(line, sizeof line, f)) {
        int v;
        if (sscanf(line, "Tgid: %d", &v) == 1) {
            tgid = v;
            break;
        }
    }
    fclose(f);
    return tgid;
}

bool zg_proc_killed(pid_t tid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')'); /* the command name may hold anything */
    if (!p)
        return false;
    /* Fields after the name start at 3 (state); flags is 9, exit_code 52. */
    unsigned long long flags = 0, exit_code = 0;
    int field = 2;
    char *save = NULL;
    for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        field++;
        if (field == 9)
            flags = strtoull(tok, NULL, 10);
        else if (field == 52)
            exit_code = strtoull(tok, NULL, 10);
    }
    return (flags & 0x4) && (exit_code & 0x7f); /* PF_EXITING, WTERMSIG */
}

bool zg_proc_holds_inode(pid_t tgid, uint64_t ino)
{
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/fdinfo", (int)tgid);
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[320], line[128];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        while (fgets(line, sizeof line, f)) {
            unsigned long long v;
            if (sscanf(line, "ino: %llu", &v) == 1) {
                found = v == (unsigned long long)ino;
                break;
            }
        }
        fclose(f);
    }
    closedir(d);
    return found;
}

/* The kernel also interrupts a waiting system call for harmless signals
 * such as SIGCHLD (a shell whose background job ended); a caller that
 * treated those as a stop would report a failure for a command that goes
 * on to succeed. A signal stays pending while its thread waits in the
 * kernel, so /proc shows it. */
bool zg_proc_stopping(pid_t tid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return true;
    unsigned long long pend = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long m;
        if (sscanf(line, "SigPnd: %llx", &m) == 1 || sscanf(line, "ShdPnd: %llx", &m) == 1)
            pend |= m;
    }
    fclose(f);
    const int stop[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGKILL};
    for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
        if (pend & (1ull << (stop[i] - 1)))
            return true;
    return false;
}
