/* The C tokenizer against the reference data from corpus.cjs: token ids
 * and counts for every corpus string, the provider's counting rule on the
 * generated datasets, then bad input (missing/corrupt/unsupported
 * tokenizer.json, invalid UTF-8, binary datasets) and the fee arithmetic.
 *
 *   tok_check TOKENIZER REFDIR [LIMIT]
 *
 * TOKENIZER is a tokenizer.json or its directory; REFDIR holds corpus.jsonl,
 * datasets.json and the ds-*.jsonl files; LIMIT caps the corpus strings
 * checked (valgrind runs use a few hundred). Prints TAP lines and
 * "N passed, N failed". */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/check.h"
#include "zg/tokenizer.h"
#include "../unit/slurp.h"

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

/* Text as a readable, unambiguous C-like string for failure reports. */
static void print_escaped(const unsigned char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n && i < 400; i++) {
        unsigned c = s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            printf("\\n");
        else if (c == '\t')
            printf("\\t");
        else if (c == '\r')
            printf("\\r");
        else if (c < 0x20 || c == 0x7f)
            printf("\\x%02x", c);
        else if (c < 0x80)
            putchar((int)c);
        else {
            unsigned cp, k = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
            cp = c & (0x3f >> k);
            for (unsigned j = 1; j <= k && i + j < n; j++)
                cp = cp << 6 | (s[i + j] & 0x3f);
            printf("\\u{%x}", cp);
            i += k;
        }
    }
    printf(n > 400 ? "\"... (%zu bytes)" : "\"", n);
}

static void print_ids(const char *label, const uint32_t *ids, size_t n)
{
    printf("#   %s (%zu):", label, n);
    for (size_t i = 0; i < n && i < 48; i++)
        printf(" %u", ids[i]);
    printf(n > 48 ? " ...\n" : "\n");
}

static int unhex(const char *h, unsigned char *out, size_t *n)
{
    size_t len = strlen(h);
    if (len % 2)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    *n = len / 2;
    return 0;
}

static void check_corpus(zg_tokenizer *t, const char *refdir, long limit)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/corpus.jsonl", refdir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "corpus %s opens", path);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long n = 0, bad = 0;
    zg_token_ids ids = {0};
    unsigned char *text = NULL;
    uint32_t *want = NULL;
    while ((limit < 0 || n < limit) && (len = getline(&line, &cap, f)) > 0) {
        n++;
        cJSON *j = cJSON_ParseWithLength(line, (size_t)len);
        const cJSON *cat = cJSON_GetObjectItemCaseSensitive(j, "cat");
        const cJSON *hex = cJSON_GetObjectItemCaseSensitive(j, "hex");
        const cJSON *jids = cJSON_GetObjectItemCaseSensitive(j, "ids");
        if (!cJSON_IsString(cat) || !cJSON_IsString(hex) || !cJSON_IsArray(jids)) {
            CHECK(0, "corpus line %ld is well-formed", n);
            cJSON_Delete(j);
            continue;
        }
        size_t tn = 0, wn = (size_t)cJSON_GetArraySize(jids);
        text = realloc(text, strlen(hex->valuestring) / 2 + 1);
        want = realloc(want, (wn + 1) * sizeof *want);
        unhex(hex->valuestring, text, &tn);
        size_t k = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, jids) want[k++] = (uint32_t)e->valuedouble;

        zg_err err = {0};
        uint64_t count = 0, count_only = 0;
        int rc = zg_tokenizer_encode(t, (const char *)text, tn, &count, &ids, &err);
        int rc2 = zg_tokenizer_encode(t, (const char *)text, tn, &count_only, NULL, &err);
        int same = rc == 0 && rc2 == 0 && ids.len == wn && count == wn && count_only == wn &&
                   (wn == 0 || memcmp(ids.ids, want, wn * sizeof *want) == 0);
        CHECK(same, "%s #%ld: %zu tokens", cat->valuestring, n, wn);
        if (!same) {
            bad++;
            printf("#   text: ");
            print_escaped(text, tn);
            printf("\n");
            if (rc || rc2)
                printf("#   error: %s\n", err.msg);
            size_t d = 0;
            while (d < ids.len && d < wn && ids.ids[d] == want[d])
                d++;
            printf("#   first difference at token %zu; count %llu, count-only %llu\n", d,
                   (unsigned long long)count, (unsigned long long)count_only);
            print_ids("got ", ids.ids, ids.len);
            print_ids("want", want, wn);
        }
        cJSON_Delete(j);
    }
    printf("# corpus: %ld strings, %ld mismatches\n", n, bad);
    free(line);
    free(text);
    free(want);
    zg_token_ids_free(&ids);
    fclose(f);
}

static void check_datasets(zg_tokenizer *t, const char *refdir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/datasets.json", refdir);
    size_t len;
    char *data = test_slurp(path, &len);
    cJSON *j = data ? cJSON_Parse(data) : NULL;
    CHECK(cJSON_IsObject(j), "datasets.json parses");
    const cJSON *e;
    cJSON_ArrayForEach(e, j)
    {
        snprintf(path, sizeof path, "%s/%s", refdir, e->string);
        uint64_t want = (uint64_t)cJSON_GetObjectItemCaseSensitive(e, "tokens")->valuedouble;
        uint64_t want_rows = (uint64_t)cJSON_GetObjectItemCaseSensitive(e, "rows")->valuedouble;
        uint64_t got = 0, rows = 0;
        zg_err err = {0};
        int rc = zg_token_count_dataset(t, path, &got, &rows, &err);
        CHECK(rc == 0 && got == want && rows == want_rows,
              "dataset %s: %llu tokens in %llu rows (reference %llu in %llu)%s%s", e->string,
              (unsigned long long)got, (unsigned long long)rows, (unsigned long long)want,
              (unsigned long long)want_rows, rc ? ": " : "", rc ? err.msg : "");
    }
    cJSON_Delete(j);
    free(data);
}

/* Appends data to the buffer *b (length *n, capacity *cap); 0 or -1. */
static int append(char **b, size_t *n, size_t *cap, const char *data, size_t len)
{
    if (*n + len > *cap) {
        size_t c = *cap ? *cap : 1 << 16;
        while (c < *n + len)
            c *= 2;
        char *g = realloc(*b, c);
        if (!g)
            return -1;
        *b = g;
        *cap = c;
    }
    memcpy(*b + *n, data, len);
    *n += len;
    return 0;
}

/* Of the chunk boundaries of an n-thread count (zg_token_chunk_bytes), how
 * many fall inside a line (not at the start of one), and how many there are
 * in all: the lines that straddle two chunks. */
static unsigned mid_line_cuts(const char *data, size_t size, unsigned n, unsigned *all)
{
    uint64_t c = zg_token_chunk_bytes(size, n);
    unsigned k = 0;
    *all = 0;
    for (uint64_t at = c; n > 1 && at < size; at += c) {
        (*all)++;
        k += data[at - 1] != '\n';
    }
    return k;
}

/* A chunk boundary of an n-thread count inside [from, to). */
static int cut_inside(size_t size, unsigned n, size_t from, size_t to)
{
    uint64_t c = zg_token_chunk_bytes(size, n);
    for (uint64_t at = c; n > 1 && at < size; at += c)
        if (at > from && at < to)
            return 1;
    return 0;
}

/* The dataset counted on 1..16 threads and with the default (every CPU):
 * the reference datasets repeated, a text row longer than several read
 * buffers and chunks in the middle, blank lines, and no final newline. Every count must equal the
 * reference's, and a bad row must be named by the same line whichever range it falls in. */
static void check_parallel(zg_tokenizer *t, const char *refdir, long limit)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/datasets.json", refdir);
    size_t len;
    char *meta = test_slurp(path, &len);
    cJSON *j = meta ? cJSON_Parse(meta) : NULL;
    free(meta);
    char *half = NULL, *all = NULL;
    size_t hn = 0, hcap = 0, an = 0, acap = 0;
    uint64_t half_tokens = 0, half_rows = 0, half_lines = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, j)
    {
        snprintf(path, sizeof path, "%s/%s", refdir, e->string);
        char *d = test_slurp(path, &len);
        if (!d || (len && d[len - 1] != '\n') || append(&half, &hn, &hcap, d, len) ||
            append(&half, &hn, &hcap, "\n \r\n", 4)) {
            free(d);
            CHECK(0, "%s reads and ends in a newline", path);
            goto out;
        }
        for (size_t i = 0; i < len; i++)
            half_lines += d[i] == '\n';
        half_lines += 2;
        free(d);
        half_tokens += (uint64_t)cJSON_GetObjectItemCaseSensitive(e, "tokens")->valuedouble;
        half_rows += (uint64_t)cJSON_GetObjectItemCaseSensitive(e, "rows")->valuedouble;
    }
    CHECK(hn > 0, "the reference datasets make %zu bytes", hn);
    if (!hn)
        goto out;
    /* Valgrind runs (a LIMIT) take one copy of each half; otherwise eight,
     * so the file is over 1 MiB per CPU (the default count is parallel) and
     * the chunk size differs with the number of threads. */
    int reps = limit < 0 ? 8 : 1;
    static const char long_head[] = "{\"text\":\"";
    size_t long_words = 40000; /* "word N " x 40000: about 300 KiB */
    char *long_text = NULL;
    size_t ln = 0, lcap = 0;
    char w[32];
    for (size_t i = 0; i < long_words; i++) {
        int k = snprintf(w, sizeof w, "word%zu ", i % 997);
        if (append(&long_text, &ln, &lcap, w, (size_t)k)) {
            CHECK(0, "memory for the long row");
            goto out;
        }
    }
    uint64_t long_tokens = 0;
    zg_err err = {0};
    int rc = zg_tokenizer_encode(t, long_text, ln, &long_tokens, NULL, &err);
    CHECK(rc == 0 && long_tokens > 0, "the long row encodes to %llu tokens",
          (unsigned long long)long_tokens);
    int bad = 0;
    for (int r = 0; r < reps; r++)
        bad |= append(&all, &an, &acap, half, hn);
    bad |= append(&all, &an, &acap, long_head, sizeof long_head - 1) ||
           append(&all, &an, &acap, long_text, ln) || append(&all, &an, &acap, "\"}\n\n", 4);
    free(long_text);
    for (int r = 0; r < reps; r++)
        bad |= append(&all, &an, &acap, half, hn);
    an--; /* no final newline */
    char dir[] = "/tmp/tok_par.XXXXXX";
    if (bad || !mkdtemp(dir)) {
        CHECK(0, "memory and a temporary directory for the parallel dataset");
        goto out;
    }
    snprintf(path, sizeof path, "%s/par.jsonl", dir);
    CHECK(write_file(path, all, an) == 0, "parallel dataset of %zu bytes written", an);
    uint64_t want = 2 * (uint64_t)reps * half_tokens + long_tokens;
    uint64_t want_rows = 2 * (uint64_t)reps * half_rows + 1;
    size_t long_at = (size_t)reps * hn;
    CHECK(cut_inside(an, 2, long_at, long_at + ln),
          "a 2-thread chunk boundary falls inside the long row");
    static const unsigned ns[] = {1, 2, 3, 4, 5, 7, 16, 0};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        uint64_t got = 0, rows = 0;
        unsigned cuts, mid = mid_line_cuts(all, an, ns[i], &cuts);
        rc = zg_token_count_dataset_threads(t, path, ns[i], &got, &rows, &err);
        CHECK(rc == 0 && got == want && rows == want_rows,
              "%u thread(s)%s, %u of %u chunk boundaries (%llu bytes apart) inside a line: %llu "
              "tokens in %llu rows (want %llu in %llu)%s%s",
              ns[i], ns[i] ? "" : " (every CPU)", mid, cuts,
              (unsigned long long)zg_token_chunk_bytes(an, ns[i]), (unsigned long long)got,
              (unsigned long long)rows, (unsigned long long)want, (unsigned long long)want_rows,
              rc ? ": " : "", rc ? err.msg : "");
    }
    unsigned cuts, mid = mid_line_cuts(all, an, 2, &cuts);
    CHECK(cuts >= 8 && mid * 2 >= cuts,
          "most of the 2-thread chunk boundaries fall inside lines "
          "(%u of %u)",
          mid, cuts);

    /* Two bad rows, in the last quarter and right after the long row: the
     * earlier one is named, by its line in the file, whatever the ranges. */
    static const char bad_row[] = "{\"a\":1}"; /* shorter than any row it replaces */
    char *late = all + an - hn / 2;
    while (*late != '\n')
        late++;
    late++; /* a line start in the last quarter */
    size_t after_long = long_at + sizeof long_head - 1 + ln + 3 + 1; /* past "}\n and the blank */
    memcpy(late, bad_row, sizeof bad_row - 1);
    memset(late + sizeof bad_row - 1, ' ', strcspn(late + sizeof bad_row - 1, "\n"));
    CHECK(all[after_long - 1] == '\n' && all[after_long] == '{' &&
              strcspn(all + after_long, "\n") >= sizeof bad_row - 1,
          "a row starts after the long one");
    uint64_t row_line = (uint64_t)reps * half_lines + 3; /* the long row, a blank, then it */
    char expect[64];
    snprintf(expect, sizeof expect, "line %llu: ", (unsigned long long)row_line);
    char first[ZG_ERR_MSG_MAX] = "";
    size_t rest = strcspn(all + after_long, "\n");
    memcpy(all + after_long, bad_row, sizeof bad_row - 1);
    memset(all + after_long + sizeof bad_row - 1, ' ', rest - (sizeof bad_row - 1));
    CHECK(write_file(path, all, an) == 0, "dataset with two bad rows written");
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        uint64_t got = 0;
        rc = zg_token_count_dataset_threads(t, path, ns[i], &got, NULL, &err);
        CHECK(rc == -1 && err.code == EINVAL && strncmp(err.msg, expect, strlen(expect)) == 0 &&
                  (!first[0] || strcmp(first, err.msg) == 0),
              "%u thread(s): the first bad row is named: %s", ns[i], rc ? err.msg : "(counted)");
        if (!first[0] && rc)
            snprintf(first, sizeof first, "%s", err.msg);
    }
    unlink(path);
    rmdir(dir);
out:
    free(half);
    free(all);
    cJSON_Delete(j);
}

/* Load must fail with `code` and a message containing `needle`. */
static void expect_load_error(const char *path, int code, const char *needle, const char *what)
{
    zg_tokenizer *t = (zg_tokenizer *)1;
    zg_err err = {0};
    int rc = zg_tokenizer_load(&t, path, &err);
    int ok = rc == -1 && t == NULL && err.code == code && strstr(err.msg, needle);
    CHECK(ok, "%s: refused with %s", what, err.msg);
    if (!ok)
        printf("#   rc %d code %d (want %d, \"%s\")\n", rc, err.code, code, needle);
    zg_tokenizer_free(rc == 0 ? t : NULL);
}

/* A minimal tokenizer.json: byte-level vocabulary of the 256 bytes plus
 * "ab" and the merge a+b, with `extra` spliced into the top-level object. */
static char *tiny_tokenizer(const char *model_extra, const char *extra)
{
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    n +=
        (size_t)snprintf(s + n, cap - n, "{\"model\":{\"type\":\"BPE\"%s,\"vocab\":{", model_extra);
    for (unsigned b = 0; b < 256; b++) {
        /* GPT-2's byte alphabet, written as \u escapes. */
        unsigned c = b, k = 0;
        int printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
        if (!printable) {
            for (unsigned i = 0; i < b; i++)
                k += !((i >= 0x21 && i <= 0x7e) || (i >= 0xa1 && i <= 0xac) || i >= 0xae);
            c = 0x100 + k;
        }
        n += (size_t)snprintf(s + n, cap - n, "\"\\u%04x\":%u,", c, b);
    }
    n += (size_t)snprintf(s + n, cap - n, "\"ab\":256},\"merges\":[\"a b\"]}%s}", extra);
    return s;
}

static void check_bad_input(zg_tokenizer *t, const char *tokpath)
{
    char dir[] = "/tmp/tok_check.XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "temporary directory");
        return;
    }
    char p[4200];

    /* Missing files and directories. */
    snprintf(p, sizeof p, "%s/none.json", dir);
    expect_load_error(p, ENOENT, "none.json", "missing tokenizer.json");
    expect_load_error(dir, ENOENT, "tokenizer.json", "directory without tokenizer.json");

    /* A binary file. */
    unsigned char bin[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof bin; i++) {
        x = x * 1103515245u + 12345u;
        bin[i] = (unsigned char)(x >> 16);
    }
    snprintf(p, sizeof p, "%s/binary.json", dir);
    write_file(p, bin, sizeof bin);
    expect_load_error(p, EINVAL, "not valid JSON", "binary tokenizer.json");

    /* The real file cut in half. */
    size_t len = 0;
    char real[4200];
    snprintf(real, sizeof real, "%s", tokpath);
    if (access(real, F_OK) == 0 && !strstr(real, ".json"))
        snprintf(real, sizeof real, "%s/tokenizer.json", tokpath);
    char *whole = test_slurp(real, &len);
    CHECK(whole != NULL, "read %s", real);
    if (whole) {
        snprintf(p, sizeof p, "%s/truncated.json", dir);
        write_file(p, whole, len / 2);
        expect_load_error(p, EINVAL, "not valid JSON", "truncated tokenizer.json");
        free(whole);
    }

    struct {
        const char *model_extra, *extra;
        int code;
        const char *needle, *what;
    } cases[] = {
        {"", ",\"pre_tokenizer\":{\"type\":\"ByteLevel\",\"add_prefix_space\":false}", 0, NULL,
         "minimal byte-level tokenizer loads"},
        {"", "", ENOTSUP, "ByteLevel", "no pre-tokenizer"},
        {"", ",\"pre_tokenizer\":{\"type\":\"ByteLevel\"},\"normalizer\":{\"type\":\"Lowercase\"}",
         ENOTSUP, "Lowercase", "unsupported normalizer"},
        {"", ",\"pre_tokenizer\":{\"type\":\"Whitespace\"}", ENOTSUP, "ByteLevel",
         "unsupported pre-tokenizer"},
        {",\"byte_fallback\":true", ",\"pre_tokenizer\":{\"type\":\"ByteLevel\"}", ENOTSUP,
         "byte_fallback", "byte fallback"},
        {"",
         ",\"pre_tokenizer\":{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\","
         "\"pattern\":{\"Regex\":\"(unclosed\"},\"behavior\":\"Isolated\",\"invert\":false},"
         "{\"type\":\"ByteLevel\",\"use_regex\":false}]}",
         ENOTSUP, "does not compile", "a regex PCRE2 cannot compile"},
        {"",
         ",\"pre_tokenizer\":{\"type\":\"ByteLevel\"},\"post_processor\":{\"type\":"
         "\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<s>\"}},"
         "{\"Sequence\":{\"id\":\"A\"}}]}",
         ENOTSUP, "BOS", "a post-processor that adds BOS"},
        {"",
         ",\"pre_tokenizer\":{\"type\":\"ByteLevel\"},\"added_tokens\":[{\"id\":300,"
         "\"content\":\"<x>\",\"single_word\":true}]",
         ENOTSUP, "single_word", "single_word added token"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *json = tiny_tokenizer(cases[i].model_extra, cases[i].extra);
        snprintf(p, sizeof p, "%s/case%zu.json", dir, i);
        write_file(p, json, strlen(json));
        free(json);
        if (cases[i].code) {
            expect_load_error(p, cases[i].code, cases[i].needle, cases[i].what);
            continue;
        }
        zg_tokenizer *tiny = NULL;
        zg_err err = {0};
        uint64_t n = 0;
        zg_token_ids ids = {0};
        int rc = zg_tokenizer_load(&tiny, p, &err);
        CHECK(rc == 0, "%s%s%s", cases[i].what, rc ? ": " : "", rc ? err.msg : "");
        if (rc == 0) {
            rc = zg_tokenizer_encode(tiny, "abc ab", 6, &n, &ids, &err);
            CHECK(rc == 0 && n == 4 && ids.ids[0] == 256 && ids.ids[1] == 'c' &&
                      ids.ids[2] == ' ' && ids.ids[3] == 256,
                  "minimal tokenizer: \"abc ab\" -> ab c Ġ ab (GPT-2 regex, ab merged)");
        }
        zg_token_ids_free(&ids);
        zg_tokenizer_free(tiny);
    }
    {
        char *json = tiny_tokenizer("", ",\"pre_tokenizer\":{\"type\":\"ByteLevel\"}");
        /* a + q -> "aq", which is not in the vocabulary. */
        memcpy(strstr(json, "\"a b\""), "\"a q\"", 5);
        snprintf(p, sizeof p, "%s/badmerge.json", dir);
        write_file(p, json, strlen(json));
        free(json);
        expect_load_error(p, EINVAL, "not in the vocabulary", "merge whose result is unknown");
    }

    /* Invalid UTF-8 is refused with the byte offset, not crashed on. */
    static const struct {
        const char *s;
        size_t n;
        const char *what;
    } bad[] = {
        {"abc\xff", 4, "0xff byte"},
        {"\xc0\xaf", 2, "overlong '/'"},
        {"x\xed\xa0\x80", 4, "UTF-16 surrogate"},
        {"\xf4\x90\x80\x80", 4, "above U+10FFFF"},
        {"ok \xe4\xb8", 5, "truncated at the end"},
        {"\x80", 1, "lone continuation byte"},
        {"\xe4\x41\x41", 3, "broken sequence"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zg_err err = {0};
        uint64_t n = 99;
        zg_token_ids ids = {0};
        int rc = zg_tokenizer_encode(t, bad[i].s, bad[i].n, &n, &ids, &err);
        CHECK(rc == -1 && err.code == EILSEQ && strstr(err.msg, "UTF-8"),
              "invalid UTF-8 (%s) refused: %s", bad[i].what, err.msg);
        zg_token_ids_free(&ids);
    }
    {
        zg_err err = {0};
        uint64_t n = 99;
        CHECK(zg_tokenizer_encode(t, "", 0, &n, NULL, &err) == 0 && n == 0, "empty text: 0 tokens");
    }

    /* Datasets that are not datasets. */
    struct {
        const char *name, *data;
        size_t len;
        int code;
        const char *needle;
    } ds[] = {
        {"binary.jsonl", (const char *)bin, sizeof bin, 0, "line"},
        {"empty.jsonl", "", 0, EINVAL, "empty"},
        {"blank.jsonl", "\n  \n\r\n", 6, EINVAL, "empty"},
        {"array.jsonl", "[1,2]\n", 6, EINVAL, "line 1"},
        {"shape.jsonl", "{\"text\":\"a\"}\n{\"prompt\":\"b\"}\n", 28, EINVAL, "line 2"},
        {"latin1.jsonl", "{\"text\":\"caf\xe9\"}\n", 16, EILSEQ, "line 1"},
        {"nonstring.jsonl", "{\"instruction\":\"a\",\"input\":5,\"output\":\"b\"}\n", 44, EINVAL,
         "input"},
        {"badmsg.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":[1]}]}\n", 46, EINVAL,
         "content"},
    };
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, ds[i].name);
        write_file(p, ds[i].data, ds[i].len);
        zg_err err = {0};
        uint64_t tokens = 0, rows = 0;
        int rc = zg_token_count_dataset(t, p, &tokens, &rows, &err);
        int ok = rc == -1 && (ds[i].code == 0 || err.code == ds[i].code) &&
                 strstr(err.msg, ds[i].needle);
        CHECK(ok, "dataset %s refused: %s", ds[i].name, err.msg);
        unlink(p);
    }
    {
        snprintf(p, sizeof p, "%s/none.jsonl", dir);
        zg_err err = {0};
        uint64_t tokens;
        CHECK(zg_token_count_dataset(t, p, &tokens, NULL, &err) == -1 && err.code == ENOENT,
              "missing dataset refused: %s", err.msg);
    }
    {
        /* The rule on hand-checkable rows: empty strings and missing input
         * count 0, only the last user/assistant turns count. */
        static const char rows[] =
            "{\"instruction\":\"\",\"output\":\"\"}\n"
            "{\"instruction\":\"hi\",\"output\":\"\",\"input\":null}\n"
            "{\"messages\":[{\"role\":\"user\",\"content\":\"a b c\"},{\"role\":\"assistant\","
            "\"content\":\"x\"},{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"system\","
            "\"content\":\"ignored words here\"}]}\n"
            "{\"text\":\"<|im_start|>\"}";
        snprintf(p, sizeof p, "%s/rule.jsonl", dir);
        write_file(p, rows, sizeof rows - 1);
        zg_err err = {0};
        uint64_t tokens = 0, rows_n = 0;
        int rc = zg_token_count_dataset(t, p, &tokens, &rows_n, &err);
        /* 0 + 1 ("hi") + (1 "hi" + 1 "x") + 1 special token; no final newline. */
        CHECK(rc == 0 && tokens == 4 && rows_n == 4,
              "counting rule on hand-made rows: %llu "
              "tokens, %llu rows%s%s",
              (unsigned long long)tokens, (unsigned long long)rows_n, rc ? ": " : "",
              rc ? err.msg : "");
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/binary.json", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/truncated.json", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/badmerge.json", dir);
    unlink(p);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(p, sizeof p, "%s/case%zu.json", dir, i);
        unlink(p);
    }
    rmdir(dir);
}

/* Where the JavaScript reference is not what the provider runs: JS's \s
 * takes U+FEFF and not U+0085, Unicode's White_Space (Oniguruma, Rust)
 * the other way round, and PCRE2's \s would add U+180E. The ids are Hugging
 * Face tokenizers' (the Rust library behind transformers, npm tokenizers
 * 0.23.2) for the Qwen3 tokenizer.json; the corpus leaves these characters
 * out for that reason. */
static void check_hf_vectors(zg_tokenizer *t)
{
    static const struct {
        const char *text;
        uint32_t ids[8];
        size_t n;
    } v[] = {
        {"a \xc2\x85"
         "b",
         {64, 220, 126, 227, 65},
         5},
        {"a \xef\xbb\xbf"
         "b",
         {64, 75780, 65},
         3},
        {"a \xe1\xa0\x8e"
         "b",
         {64, 86089, 254, 236, 65},
         5},
        {"a\xe1\xa0\x8e\xe1\xa0\x8e b", {64, 123970, 236, 123970, 236, 293}, 6},
        {"end \xc2\x85", {408, 2139, 227}, 3},
    };
    if (zg_tokenizer_vocab_size(t) != 151669) {
        printf("# skipping the Hugging Face vectors: not the Qwen3 tokenizer\n");
        return;
    }
    zg_token_ids ids = {0};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        zg_err err = {0};
        uint64_t n = 0;
        int rc = zg_tokenizer_encode(t, v[i].text, strlen(v[i].text), &n, &ids, &err);
        int same = rc == 0 && n == v[i].n && ids.len == v[i].n &&
                   memcmp(ids.ids, v[i].ids, v[i].n * sizeof(uint32_t)) == 0;
        CHECK(same, "Hugging Face vector %zu (white space the JS reference reads differently)",
              i + 1);
        if (!same) {
            printf("#   text: ");
            print_escaped((const unsigned char *)v[i].text, strlen(v[i].text));
            printf("\n");
            print_ids("got ", ids.ids, ids.len);
            print_ids("want", v[i].ids, v[i].n);
        }
    }
    zg_token_ids_free(&ids);
}

static void check_fee(void)
{
    zg_err err = {0};
    unsigned e = 0;
    CHECK(zg_token_epochs(NULL, &e, &err) == 0 && e == 3, "no training params: 3 epochs");
    CHECK(zg_token_epochs("{\"learning_rate\":0.0002}", &e, &err) == 0 && e == 3,
          "num_train_epochs absent: 3 epochs");
    CHECK(zg_token_epochs("{\"num_train_epochs\":2,\"max_steps\":-1}", &e, &err) == 0 && e == 2,
          "num_train_epochs 2");
    CHECK(zg_token_epochs("{\"num_train_epochs\":1.5}", &e, &err) == -1 && err.code == EINVAL,
          "num_train_epochs 1.5 refused: %s", err.msg);
    CHECK(zg_token_epochs("{\"num_train_epochs\":\"3\"}", &e, &err) == -1,
          "num_train_epochs as a string refused");
    CHECK(zg_token_epochs("not json", &e, &err) == -1 && err.code == EINVAL,
          "training params that are not JSON refused");

    zg_u256 price, storage, fee, want;
    zg_u256_from_u64(&price, 1000000000ull); /* 1 gwei per token */
    zg_u256_from_u64(&storage, 5);
    CHECK(zg_token_fee(&fee, 12345, &price, 3, 8, &storage, &err) == 0, "fee computes");
    zg_u256_from_u64(&want, 12345ull * 1000000000ull * 3 * 8 + 5);
    CHECK(zg_u256_cmp(&fee, &want) == 0, "fee = tokens x price x epochs x coefficient + storage");
    CHECK(zg_token_fee(&fee, 7, &price, 1, 1, NULL, &err) == 0 &&
              zg_u256_to_u64(&fee, &(uint64_t){0}) && fee.w[0] == 7000000000ull,
          "fee without a storage fee");
    zg_u256 huge;
    memset(&huge, 0xff, sizeof huge);
    CHECK(zg_token_fee(&fee, 2, &huge, 1, 1, NULL, &err) == -1 && err.code == EOVERFLOW,
          "fee overflow refused: %s", err.msg);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tok_check TOKENIZER REFDIR [LIMIT]\n");
        return 2;
    }
    long limit = argc > 3 ? atol(argv[3]) : -1;
    zg_tokenizer *t = NULL;
    zg_err err = {0};
    int rc = zg_tokenizer_load(&t, argv[1], &err);
    CHECK(rc == 0, "load %s%s%s", argv[1], rc ? ": " : "", rc ? err.msg : "");
    if (rc)
        return check_done();
    CHECK(zg_tokenizer_vocab_size(t) > 256, "vocabulary of %u ids", zg_tokenizer_vocab_size(t));
    check_corpus(t, argv[2], limit);
    check_datasets(t, argv[2]);
    check_parallel(t, argv[2], limit);
    check_hf_vectors(t);
    check_bad_input(t, argv[1]);
    check_fee();
    zg_tokenizer_free(t);
    return check_done();
}
