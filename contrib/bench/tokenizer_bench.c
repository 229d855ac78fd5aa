/* The C tokenizer's speed on a dataset: load time, then the provider's
 * count (zg_token_count_dataset_threads) over the whole file on THREADS
 * threads (default 0: every CPU, as zg_token_count_dataset). Prints one
 * line of numbers in the same shape as tests/tokenizer/ref-count.cjs.
 *
 *   tokenizer_bench TOKENIZER DATASET.jsonl [THREADS] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "zg/tokenizer.h"

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: tokenizer_bench TOKENIZER DATASET.jsonl [THREADS]\n");
        return 2;
    }
    unsigned threads = argc == 4 ? (unsigned)strtoul(argv[3], NULL, 10) : 0;
    zg_err err = {0};
    zg_tokenizer *t = NULL;
    double t0 = now();
    if (zg_tokenizer_load(&t, argv[1], &err)) {
        fprintf(stderr, "tokenizer_bench: %s\n", err.msg);
        return 1;
    }
    double t1 = now(), c1 = cpu_now();
    uint64_t tokens = 0, rows = 0;
    if (zg_token_count_dataset_threads(t, argv[2], threads, &tokens, &rows, &err)) {
        fprintf(stderr, "tokenizer_bench: %s\n", err.msg);
        zg_tokenizer_free(t);
        return 1;
    }
    double t2 = now();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("tokens=%llu rows=%llu load_seconds=%.3f seconds=%.3f tokens_per_s=%.0f "
           "peak_rss_kib=%ld cpu_seconds=%.3f\n",
           (unsigned long long)tokens, (unsigned long long)rows, t1 - t0, t2 - t1,
           (double)tokens / (t2 - t1), ru.ru_maxrss, cpu_now() - c1);
    zg_tokenizer_free(t);
    return 0;
}
