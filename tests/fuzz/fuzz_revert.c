/* Revert data (zg/revert.h) as a node hands it back: any bytes.
 *
 * Invariants: every input gives an error with an errno and one printable
 * line that leads with the operation; the selector reads the first four
 * bytes; an Error(string) that the ABI decoder reads is quoted in the
 * sentence (printable bytes as they are, others as '?'), so the two
 * readers of the same encoding never disagree about it. */
#include "fuzz.h"
#include "zg/abi.h"
#include "zg/revert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zg_err e = {0};
    FUZZ_CHECK(zg_revert_describe(&e, "deposit", data, size) == -1, "describe returned 0");
    fuzz_check_err(&e);
    FUZZ_CHECK(strncmp(e.msg, "deposit: ", 9) == 0,
               "the sentence does not lead with the "
               "operation: %s",
               e.msg);
    uint32_t sel = zg_revert_selector(data, size);
    if (size < 4) {
        FUZZ_CHECK(sel == 0, "selector of %zu bytes", size);
        return 0;
    }
    FUZZ_CHECK(sel == ((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 |
                       data[3]),
               "selector");
    if (sel != zg_error_selector("Error(string)"))
        return 0;
    zg_abi_value *v = NULL;
    const uint8_t *s;
    size_t n;
    if (zg_abi_decode(&v, "(string)", data + 4, size - 4, NULL) == 0 &&
        zg_abi_get_bytes(v, 0, &s, &n, NULL) == 0) {
        char want[160];
        size_t m = n < sizeof want - 1 ? n : sizeof want - 1;
        for (size_t i = 0; i < m; i++)
            want[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
        want[m] = 0;
        /* The sentence may cut the text short, never change it. */
        size_t room = sizeof e.msg - 1 - 9;
        if (m > room)
            want[room] = 0;
        FUZZ_CHECK(strcmp(e.msg + 9, want) == 0, "Error(string) \"%s\" reads as \"%s\"", want,
                   e.msg + 9);
        FUZZ_CHECK(e.code == (strstr(want, "owner") ? EPERM : EINVAL), "errno %d for \"%s\"",
                   e.code, want);
    }
    zg_abi_value_free(v);
    return 0;
}
