/* A deliverable's modelRootHash: the bytes a provider posts with
 * addDeliverable, in every form providers have posted, and the check of a
 * downloaded encrypted model against them.
 *
 * The forms (0g-serving-broker api/fine-tuning, services/finalizer.go and
 * the older verifier/verifier.go PostVerify):
 *   raw        32 bytes: keccak256 of the encrypted file (main when the
 *              storage upload is skipped or fails) or its 0G Storage root
 *              (the first storage-backed versions);
 *   raw-list   32 x n bytes, n >= 2: the 0G Storage roots of the n
 *              fragments the storage client cut the file into;
 *   raw-comma  32-byte roots joined by ',' bytes (February 2025);
 *   text       "0x" + 64 hex digits: one storage root as text
 *              (main: []byte(hash.Hex()));
 *   text-list  such roots joined by ',' (main, a file cut into fragments).
 * Anything else cannot be checked, and is refused. */
#ifndef ZG_MODELROOT_H
#define ZG_MODELROOT_H

#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"

typedef enum zg_root_form {
    ZG_ROOT_RAW = 1,
    ZG_ROOT_RAW_LIST,
    ZG_ROOT_RAW_COMMA,
    ZG_ROOT_TEXT,
    ZG_ROOT_TEXT_LIST,
} zg_root_form;

typedef struct zg_model_roots {
    zg_root_form form;
    size_t n;            /* >= 1 */
    uint8_t (*root)[32]; /* n roots, in file order; owned, zg_model_roots_free */
} zg_model_roots;

/* Parse posted (len bytes, borrowed). EIO with a sentence that names what
 * was posted for anything that is none of the forms: empty, a length that
 * is no multiple of 32, text with a bad hex digit, a root that is not 64
 * digits, an empty list entry (a trailing or doubled comma). */
int zg_model_roots_parse(zg_model_roots *out, const void *posted, size_t len, zg_err *err);
void zg_model_roots_free(zg_model_roots *r);

/* "raw", "raw-list", "raw-comma", "text", "text-list". */
const char *zg_root_form_name(zg_root_form f);

/* A short rendering of posted bytes for a sentence: printable text in
 * quotes, anything else as hex; either cut to fit cap (>= 32) with "...". */
void zg_model_roots_describe(char *out, size_t cap, const void *posted, size_t len);

/* Does the file at path carry these roots? One root: keccak256 of the file
 * or its 0G Storage root (a 32-byte hash cannot say which). n roots: the
 * file cut as the storage client cuts it into n fragments (the one
 * fragment size that gives n, zg_storage_fragment_size_for), each
 * fragment's storage root equal to its root. EIO with a sentence on a
 * mismatch; the errno of the file otherwise. */
int zg_model_roots_check(const zg_model_roots *r, const char *path, zg_err *err);

#endif
