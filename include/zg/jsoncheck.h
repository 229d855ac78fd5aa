/* Strict JSON for documents a user writes (tasks/new), checked before a
 * lenient parser sees them: cJSON keeps the first of two equal keys while
 * the provider's parser keeps the last, and cJSON reads number forms
 * (`01`, `1.`, `+1`) that JSON does not have, so a document that passes a
 * check made with one parser can mean something else to the other. */
#ifndef ZG_JSONCHECK_H
#define ZG_JSONCHECK_H

#include <stddef.h>

#include "zg/err.h"

/* One member of the top-level object, as zg_json_check reports it. */
typedef struct zg_json_member {
    const char *name;            /* unescaped, NUL-terminated; valid during the callback */
    size_t key_off, key_len;     /* the key as written, quotes included */
    size_t value_off, value_len; /* the value as written */
} zg_json_member;

typedef int (*zg_json_member_fn)(void *ctx, const zg_json_member *m, zg_err *err);

/* Is text[0..n) exactly one JSON value (white space around it allowed) by
 * RFC 8259, valid UTF-8, with no object anywhere in it holding two members
 * of the same name (compared after unescaping, so "a" and "\u0061" are the
 * same key)? Refused as well: lone surrogate escapes, nesting deeper than
 * 64 levels. EINVAL with a sentence naming the problem and its line. When
 * the value is an object and fn is not NULL, fn is called for each of its
 * members in order once the whole text passed; a -1 from fn stops the walk
 * and is returned (fn fills err). */
int zg_json_check(const char *text, size_t n, zg_json_member_fn fn, void *ctx, zg_err *err);

#endif
