/* One dataset record checked without building a tree: a 50 MiB dataset
 * has half a million of them, and a parser that allocates every node spent
 * more time than the upload they go with. Strict RFC 8259 JSON; a key is
 * compared after its escapes are decoded, and the first occurrence of a
 * key is the one that counts (as a tree parser's lookup finds it). */
#include "record.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "zg/hex.h"

#define MAX_DEPTH 1000 /* nesting, as cJSON allows */
#define KEY_MAX   16   /* longer keys are none of the ones looked at */

typedef enum kind { K_NONE, K_STRING, K_OTHER, K_MESSAGES_OK, K_MESSAGES_BAD } kind;

typedef struct cursor {
    const unsigned char *p, *end;
    int depth;
} cursor;

/* Which keys an object's members are looked up for. */
typedef enum role { R_NONE, R_RECORD, R_MESSAGE } role;

typedef struct fields {
    kind instruction, output, text, messages; /* R_RECORD */
    kind role, content;                       /* R_MESSAGE */
} fields;

static void ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* Append code point cp as UTF-8 to key (when it fits). */
static void key_put(char *key, size_t *klen, uint32_t cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xc0 | cp >> 6), b[1] = (unsigned char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xe0 | cp >> 12), b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        b[0] = (unsigned char)(0xf0 | cp >> 18), b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
        b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f)), b[3] = (unsigned char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    if (*klen + n <= KEY_MAX) {
        memcpy(key + *klen, b, n);
        *klen += n;
    } else {
        *klen = KEY_MAX + 1; /* too long to be a key we look for */
    }
}

/* A string at c->p (the opening quote). When key is given, its decoded
 * bytes (up to KEY_MAX; *klen > KEY_MAX when longer). */
static bool string(cursor *c, char *key, size_t *klen)
{
    if (key)
        *klen = 0;
    c->p++; /* the quote */
    while (c->p < c->end) {
        if (!key) /* the common case: run to the next byte that matters */
            while (c->p < c->end && *c->p >= 0x20 && *c->p != '"' && *c->p != '\\')
                c->p++;
        if (c->p >= c->end)
            break;
        unsigned char ch = *c->p++;
        if (ch == '"')
            return true;
        if (ch < 0x20)
            return false;
        if (ch != '\\') {
            if (key && *klen <= KEY_MAX) {
                if (*klen < KEY_MAX)
                    key[(*klen)++] = (char)ch;
                else
                    *klen = KEY_MAX + 1;
            }
            continue;
        }
        if (c->p >= c->end)
            return false;
        ch = *c->p++;
        uint32_t cp;
        switch (ch) {
        case '"':
        case '\\':
        case '/':
            cp = ch;
            break;
        case 'b':
            cp = '\b';
            break;
        case 'f':
            cp = '\f';
            break;
        case 'n':
            cp = '\n';
            break;
        case 'r':
            cp = '\r';
            break;
        case 't':
            cp = '\t';
            break;
        case 'u': {
            if (c->end - c->p < 4)
                return false;
            cp = 0;
            for (int i = 0; i < 4; i++) {
                int h = zg_hex_digit(c->p[i]);
                if (h < 0)
                    return false;
                cp = cp << 4 | (uint32_t)h;
            }
            c->p += 4;
            /* A high surrogate followed by a low one is one code point. */
            if (cp >= 0xd800 && cp < 0xdc00 && c->end - c->p >= 6 && c->p[0] == '\\' &&
                c->p[1] == 'u') {
                uint32_t lo = 0;
                bool ok = true;
                for (int i = 0; i < 4; i++) {
                    int h = zg_hex_digit(c->p[2 + i]);
                    ok &= h >= 0;
                    lo = lo << 4 | (uint32_t)(h < 0 ? 0 : h);
                }
                if (ok && lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    c->p += 6;
                }
            }
            break;
        }
        default:
            return false;
        }
        if (key && *klen <= KEY_MAX)
            key_put(key, klen, cp);
    }
    return false;
}

static bool digits(cursor *c)
{
    const unsigned char *s = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > s;
}

static bool number(cursor *c)
{
    if (*c->p == '-')
        c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++;
    else if (!digits(c))
        return false;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!digits(c))
            return false;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (!digits(c))
            return false;
    }
    return true;
}

static bool literal(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n))
        return false;
    c->p += n;
    return true;
}

static bool value(cursor *c, kind *k, role r);

/* After a member or an element: 1 for a comma (another follows), 0 for
 * the closing bracket, -1 for anything else. */
static int after_item(cursor *c, unsigned char close)
{
    ws(c);
    if (c->p >= c->end)
        return -1;
    unsigned char ch = *c->p++;
    return ch == ',' ? 1 : ch == close ? 0 : -1;
}

static bool object(cursor *c, role r, fields *f)
{
    c->p++; /* { */
    ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return true;
    }
    for (;;) {
        ws(c);
        if (c->p >= c->end || *c->p != '"')
            return false;
        char key[KEY_MAX];
        size_t klen;
        if (!string(c, key, &klen))
            return false;
        ws(c);
        if (c->p >= c->end || *c->p++ != ':')
            return false;
        ws(c);
        /* The first occurrence of a key we look for gets its kind. */
        kind *slot = NULL;
#define IS(name) (klen == sizeof name - 1 && !memcmp(key, name, klen))
        if (r == R_RECORD) {
            if (IS("instruction"))
                slot = &f->instruction;
            else if (IS("output"))
                slot = &f->output;
            else if (IS("text"))
                slot = &f->text;
            else if (IS("messages"))
                slot = &f->messages;
        } else if (r == R_MESSAGE) {
            if (IS("role"))
                slot = &f->role;
            else if (IS("content"))
                slot = &f->content;
        }
#undef IS
        kind got = K_NONE;
        bool messages = r == R_RECORD && slot == &f->messages && f->messages == K_NONE;
        if (!value(c, &got, messages ? R_MESSAGE : R_NONE))
            return false;
        if (slot && *slot == K_NONE)
            *slot = got;
        int more = after_item(c, '}');
        if (more <= 0)
            return more == 0;
    }
}

/* An array; with r == R_MESSAGE, *k says whether it is a non-empty list of
 * {"role": string, "content": string} objects. */
static bool array(cursor *c, kind *k, role r)
{
    c->p++; /* [ */
    bool all = true;
    size_t n = 0;
    ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
    } else {
        for (;;) {
            ws(c);
            kind ek = K_NONE;
            fields mf = {0};
            if (r == R_MESSAGE && c->p < c->end && *c->p == '{') {
                if (++c->depth > MAX_DEPTH || !object(c, R_MESSAGE, &mf))
                    return false;
                c->depth--;
                all &= mf.role == K_STRING && mf.content == K_STRING;
            } else {
                if (!value(c, &ek, R_NONE))
                    return false;
                all = false;
            }
            n++;
            int more = after_item(c, ']');
            if (more < 0)
                return false;
            if (more == 0)
                break;
        }
    }
    *k = r == R_MESSAGE ? (all && n ? K_MESSAGES_OK : K_MESSAGES_BAD) : K_OTHER;
    return true;
}

/* Any value at c->p (after white space). With r == R_MESSAGE the value is
 * a record's "messages" and an array of it is judged. */
static bool value(cursor *c, kind *k, role r)
{
    if (c->p >= c->end)
        return false;
    switch (*c->p) {
    case '"':
        *k = K_STRING;
        return string(c, NULL, NULL);
    case '{': {
        fields f = {0};
        if (++c->depth > MAX_DEPTH || !object(c, R_NONE, &f))
            return false;
        c->depth--;
        *k = r == R_MESSAGE ? K_MESSAGES_BAD : K_OTHER;
        return true;
    }
    case '[':
        if (++c->depth > MAX_DEPTH || !array(c, k, r))
            return false;
        c->depth--;
        return true;
    case 't':
        *k = r == R_MESSAGE ? K_MESSAGES_BAD : K_OTHER;
        return literal(c, "true");
    case 'f':
        *k = r == R_MESSAGE ? K_MESSAGES_BAD : K_OTHER;
        return literal(c, "false");
    case 'n':
        *k = r == R_MESSAGE ? K_MESSAGES_BAD : K_OTHER;
        return literal(c, "null");
    default:
        *k = r == R_MESSAGE ? K_MESSAGES_BAD : K_OTHER;
        return (*c->p == '-' || (*c->p >= '0' && *c->p <= '9')) && number(c);
    }
}

zg_record_verdict zg_record_check(const char *text, size_t n)
{
    cursor c = {(const unsigned char *)text, (const unsigned char *)text + n, 0};
    ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return ZG_RECORD_NOT_OBJECT;
    fields f = {0};
    c.depth = 1;
    if (!object(&c, R_RECORD, &f))
        return ZG_RECORD_NOT_OBJECT;
    ws(&c);
    if (c.p != c.end)
        return ZG_RECORD_NOT_OBJECT;
    bool ok = (f.instruction == K_STRING && f.output == K_STRING) || f.text == K_STRING ||
              f.messages == K_MESSAGES_OK;
    return ok ? ZG_RECORD_OK : ZG_RECORD_NO_SHAPE;
}
