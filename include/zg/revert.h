/* Turning revert data into a sentence a user can act on, with an errno that
 * fits: the contracts' custom errors by selector, Error(string), Panic(uint256). */
#ifndef ZG_REVERT_H
#define ZG_REVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"

/* Fill err from revert data (len may be 0) and return -1. `what` names the
 * operation ("deposit", "transferFund") and leads the sentence. */
int zg_revert_describe(zg_err *err, const char *what, const uint8_t *data, size_t len);
/* The errno of an Error(string) revert from its reason: EPERM for a caller
 * that is not the owner, else EINVAL. The one place that reads a
 * contract's revert string. */
int zg_revert_string_errno(const char *reason);

/* One row of the table of custom errors, for checks against the contracts'
 * ABIs. signature is the error as declared ("TooManySettlements(uint256,
 * uint256)"), whose argument types decode the revert data; code is the
 * errno; say is the sentence, where %a, %o, %u and %s take the arguments in
 * order as an address, an OG amount, a decimal number and a string (%% is a
 * percent sign). Borrowed, static. */
typedef struct zg_revert_row_info {
    const char *signature;
    int code;
    const char *say;
} zg_revert_row_info;

/* Row i of the table; false past the last. */
bool zg_revert_row_at(size_t i, zg_revert_row_info *out);

/* The 4-byte selector of revert data as a number (0 when shorter than 4). */
uint32_t zg_revert_selector(const uint8_t *data, size_t len);
/* Selector of an error signature such as "LedgerNotExists(address)". */
uint32_t zg_error_selector(const char *signature);

#endif
