/* One line of a dataset (record.c): is it a JSON object of an accepted
 * shape? Internal to the dataset check. */
#ifndef ZG_CORE_RECORD_H
#define ZG_CORE_RECORD_H

#include <stddef.h>

typedef enum zg_record_verdict {
    ZG_RECORD_OK,         /* {"instruction","output"} strings, {"text"}, or {"messages":[...]} */
    ZG_RECORD_NOT_OBJECT, /* not JSON, or JSON but not an object */
    ZG_RECORD_NO_SHAPE,   /* an object of none of the accepted shapes */
} zg_record_verdict;

/* text need not be NUL-terminated; white space around the object is fine. */
zg_record_verdict zg_record_check(const char *text, size_t n);

#endif
