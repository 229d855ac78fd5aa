#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../check.h"
#include "zg/buf.h"
#include "zg/fdio.h"
#include "zg/hex.h"
#include "zg/u256.h"

static void amount_ok(const char *in, const char *want_neuron)
{
    zg_u256 v;
    zg_err e;
    char dec[ZG_U256_DEC_MAX];
    int rc = zg_amount_parse(&v, in, &e);
    if (rc == 0)
        zg_u256_to_dec(dec, &v);
    CHECK(rc == 0 && strcmp(dec, want_neuron) == 0, "amount \"%s\" = %s neuron", in, want_neuron);
}

static void amount_bad(const char *in)
{
    zg_u256 v;
    zg_err e = {0};
    int rc = zg_amount_parse(&v, in, &e);
    CHECK(rc == -1 && e.code == EINVAL && e.msg[0], "amount \"%s\" refused: %s", in, e.msg);
}

/* Whole-buffer I/O through a pipe (short transfers) and a file. */
static void fdio(void)
{
    char dir[] = "/tmp/zg-fdio-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    char path[PATH_MAX], leftover[PATH_MAX];
    snprintf(path, sizeof path, "%s/f", dir);
    zg_err e = {0};
    CHECK(zg_write_atomic(path, "first", 5, &e) == 0, "atomic write creates the file");
    CHECK(zg_write_atomic(path, "second!", 7, &e) == 0, "atomic write replaces it");
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == 7 && (st.st_mode & 0777) == 0600,
          "the replacement is whole and private (mode 0600)");
    snprintf(leftover, sizeof leftover, "%s/f.tmp.%ld", dir, (long)getpid());
    CHECK(access(leftover, F_OK) != 0, "no temporary file is left behind");

    int fd = open(path, O_RDWR | O_CLOEXEC);
    char buf[16] = {0};
    CHECK(zg_pread_full(fd, buf, sizeof buf, 2) == 5 && memcmp(buf, "cond!", 5) == 0,
          "pread_full stops at the end of the file");
    CHECK(zg_pwrite_all(fd, "XY", 2, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 12,
          "pwrite_all at an offset past the end");
    CHECK(zg_read_full(fd, buf, 3) == 3 && memcmp(buf, "sec", 3) == 0, "read_full from the start");
    close(fd);
    CHECK(zg_write_all(fd, "x", 1) == -1 && errno == EBADF, "write_all reports errno");

    snprintf(path, sizeof path, "%s/no/such/dir/f", dir);
    CHECK(zg_write_atomic(path, "x", 1, &e) == -1 && e.code == ENOENT && e.msg[0],
          "atomic write into a missing directory: ENOENT with a sentence");

    /* A pipe takes at most its capacity per write: 1 MiB needs many. */
    int p[2];
    if (pipe(p) == 0) {
        size_t n = 1u << 20;
        char *big = malloc(n), *back = malloc(n);
        for (size_t i = 0; big && i < n; i++)
            big[i] = (char)(i * 7 + 3);
        pid_t pid = big && back ? fork() : -1;
        if (pid == 0) {
            close(p[0]);
            int rc = zg_write_all(p[1], big, n) ? 1 : 0;
            free(big);
            free(back);
            _exit(rc);
        }
        close(p[1]);
        ssize_t got = pid > 0 ? zg_read_full(p[0], back, n) : -1;
        close(p[0]);
        int status = 1;
        if (pid > 0)
            waitpid(pid, &status, 0);
        CHECK(got == (ssize_t)n && status == 0 && memcmp(big, back, n) == 0,
              "1 MiB through a pipe: every byte, in order");
        free(big);
        free(back);
    }
    char deep[PATH_MAX];
    snprintf(deep, sizeof deep, "%s/a/b/c", dir);
    CHECK(zg_mkdirs(deep, 0700, &e) == 0 && stat(deep, &st) == 0 && S_ISDIR(st.st_mode),
          "mkdirs makes every missing directory");
    CHECK(zg_mkdirs(deep, 0700, &e) == 0, "...and is content when they exist");
    snprintf(path, sizeof path, "%s/f/x", dir);
    CHECK(zg_mkdirs(path, 0700, &e) == -1 && e.code == ENOTDIR && strstr(e.msg, "/f"),
          "a file in the way: ENOTDIR naming it (%s)", e.msg);
    CHECK(zg_mkdirs("", 0700, &e) == -1 && e.code == EINVAL, "an empty path: EINVAL");
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a/b", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/f", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    fdio();
    amount_ok("3", "3000000000000000000");
    amount_ok("0.25", "250000000000000000");
    amount_ok("0.25OG", "250000000000000000");
    amount_ok("0.25 og\n", "250000000000000000");
    amount_ok("250000000000000000neuron", "250000000000000000");
    amount_ok(".5", "500000000000000000");
    amount_ok("1.000000000000000001", "1000000000000000001");
    amount_ok("1.50000000000000000000", "1500000000000000000");
    amount_ok("0", "0");
    amount_bad("");
    amount_bad("-1");
    amount_bad("abc");
    amount_bad("1e18");
    amount_bad("1.0000000000000000001");
    amount_bad("1.5neuron");
    amount_bad("1..2");
    amount_bad("OG");
    amount_bad("999999999999999999999999999999999999999999999999999999999999999999999999999999");

    char out[ZG_U256_DEC_MAX + 2];
    zg_u256 v;
    zg_u256_from_dec(&v, "12500000000000000000", NULL);
    zg_amount_format(out, &v);
    CHECK_STR(out, "12.5", "format 12.5 OG");
    zg_u256_from_u64(&v, 1);
    zg_amount_format(out, &v);
    CHECK_STR(out, "0.000000000000000001", "format 1 neuron");
    zg_u256_from_u64(&v, 0);
    zg_amount_format(out, &v);
    CHECK_STR(out, "0", "format zero");

    /* 2^256-1 round trip through decimal and hex */
    const char *max =
        "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    zg_u256_from_dec(&v, max, NULL);
    char dec[ZG_U256_DEC_MAX], hx[72];
    zg_u256_to_dec(dec, &v);
    CHECK_STR(dec, max, "2^256-1 decimal round trip");
    zg_u256_to_hex(hx, &v);
    CHECK(strlen(hx) == 66, "2^256-1 hex is 64 digits");
    zg_u256 one, r;
    zg_u256_from_u64(&one, 1);
    CHECK(zg_u256_add(&r, &v, &one) && zg_u256_is_zero(&r), "add overflow detected");
    CHECK(zg_u256_sub(&r, &one, &v), "sub underflow detected");
    zg_u256_from_hex(&v, "0x0de0b6b3a7640000", NULL);
    zg_u256_to_dec(dec, &v);
    CHECK_STR(dec, "1000000000000000000", "hex quantity 1e18");
    zg_u256_from_u64(&v, 0);
    zg_u256_to_hex(hx, &v);
    CHECK_STR(hx, "0x0", "zero quantity");
    zg_u256_from_u64(&v, 0x1ab);
    zg_u256_to_hex(hx, &v);
    CHECK_STR(hx, "0x1ab", "odd-digit quantity");
    zg_u256 a, b;
    zg_u256_from_dec(&a, "340282366920938463463374607431768211456", NULL); /* 2^128 */
    zg_u256_mul(&b, &a, &a);
    CHECK(zg_u256_mul(&b, &a, &a), "2^128 * 2^128 overflows");

    uint8_t bytes[4];
    size_t n;
    CHECK(zg_hex_decode(bytes, sizeof bytes, &n, "0xdeadBEEF", NULL) == 0 && n == 4 &&
              bytes[0] == 0xde && bytes[3] == 0xef,
          "hex decode mixed case");
    zg_err e;
    CHECK(zg_hex_decode(bytes, sizeof bytes, &n, "0xabc", &e) == -1, "odd hex refused");
    CHECK(zg_hex_decode(bytes, sizeof bytes, &n, "0x0102030405", &e) == -1, "long hex refused");

    /* Messages quote input; whatever it holds, a message stays one line. */
    zg_err_set(&e, EINVAL, "amount \"%s\" is not a number", "1\n2\r\t\x1b[2J\x7f");
    CHECK_STR(e.msg, "amount \"1?2???[2J?\" is not a number",
              "control characters of quoted input become '?'");
    zg_err_prefix(&e, "node says \"%s\"", "a\nb");
    CHECK_STR(e.msg, "node says \"a?b\": amount \"1?2???[2J?\" is not a number",
              "...also in a prefix");
    CHECK(zg_u256_from_dec(&v, "1\n2", &e) == -1 && !strchr(e.msg, '\n'),
          "a refused number with a newline gives a one-line message: %s", e.msg);

    zg_buf b2;
    zg_buf_init(&b2, 8);
    CHECK(zg_buf_append_str(&b2, "12345678", NULL) == 0, "buffer fills to its max");
    CHECK(zg_buf_append_str(&b2, "9", &e) == -1 && e.code == EFBIG, "buffer refuses past max");
    zg_buf_free(&b2);
    return check_done();
}
