#include "zg/team.h"

#include <pthread.h>
#include <stdlib.h>

unsigned zg_team_run(unsigned n, void *(*fn)(void *), void *arg)
{
    pthread_t *th = n > 1 ? calloc(n - 1, sizeof *th) : NULL;
    unsigned started = 0;
    for (unsigned t = 1; th && t < n; t++) {
        if (pthread_create(&th[started], NULL, fn, arg) != 0)
            break;
        started++;
    }
    fn(arg);
    for (unsigned t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    free(th);
    return started + 1;
}
