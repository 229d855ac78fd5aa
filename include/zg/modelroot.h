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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zg/err.h"
#include "zg/keccak.h"
#include "zg/storage.h"

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

/* The same check on the file's bytes as they arrive (a download), so that
 * no second pass over the file is needed when they match. It checks what
 * the form most likely means: one raw root as keccak256 (main posts it
 * when the model stays in the TEE), one text root as the 0G Storage root,
 * n roots as the fragments' storage roots. A false answer is no verdict:
 * the bytes may carry the roots the other way (a raw storage root), the
 * size may be unknown or no cut may fit it, so the caller then checks the
 * file (zg_model_roots_check), which also says what does not match. */
typedef struct zg_model_roots_stream {
    const zg_model_roots *r; /* borrowed for the stream's life */
    uint64_t size;           /* the file's, 0 = unknown (keccak256 needs none) */
    uint64_t fed;
    bool keccak;    /* checking keccak256, else the storage roots */
    bool undecided; /* cannot tell any more: the answer will be false */
    zg_keccak k;
    zg_storage_hasher sh; /* the current fragment's; sh.buf NULL when none */
    size_t frag;          /* the current fragment */
    uint64_t frag_size;   /* bytes per fragment (the last may be shorter) */
} zg_model_roots_stream;

void zg_model_roots_stream_init(zg_model_roots_stream *s, const zg_model_roots *r, uint64_t size);
void zg_model_roots_stream_update(zg_model_roots_stream *s, const void *data, size_t len);
/* true when exactly the bytes fed carry the roots; releases the stream. */
bool zg_model_roots_stream_final(zg_model_roots_stream *s);
/* Releases a stream given up before its final (harmless after it). */
void zg_model_roots_stream_free(zg_model_roots_stream *s);

#endif
