/* JSON text for people: every JSON document zgfs shows or leaves on disk is
 * laid out the way `jq .` prints it (two spaces per level, `"key": value`,
 * `[]` and `{}` for empty containers, no tabs), members in the order they
 * were added, and one final newline, so `cat`, `diff` and `jq .` agree. */
#ifndef ZG_JSONTEXT_H
#define ZG_JSONTEXT_H

#include <cjson/cJSON.h>

#include "zg/buf.h"
#include "zg/err.h"

/* Append j and a newline to out. Numbers are printed as jq 1.6 does (the
 * shortest digits that read back to the same double; exponents past its
 * limits), strings escaped as jq does (UTF-8 kept, controls and DEL as
 * \uXXXX). EINVAL for an invalid item, ENOMEM or out's limit. */
int zg_json_render(zg_buf *out, const cJSON *j, zg_err *err);

/* The same text in a new NUL-terminated string the caller frees; NULL when
 * memory runs out or j is invalid. */
char *zg_json_text(const cJSON *j);

#endif
