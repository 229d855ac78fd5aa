#!/usr/bin/env bash
# No decision by an error's text: nothing in src/ compares or searches the
# message of a zg_err (its msg field) with strstr, strcmp and their
# kin. Expected failures carry a kind (include/zg/err.h); a remote's words
# are read once, by the classifier next to its client, which is handed the
# remote's text itself, never an error. Comments and string literals are
# left out, so a sentence that mentions msg cannot trip the check.
. "$(dirname "$0")/../lib.sh"

scan() { # scan FILE...: one "file:line: call" a text decision
    python3 - "$@" <<'PY'
import re, sys

CALLS = r"\b(strstr|strcasestr|strcmp|strncmp|strcasecmp|strncasecmp|memcmp|memmem|fnmatch|regexec)\s*\("
FIELD = re.compile(r"(\.|->)\s*msg\b")

def blank(src):
    # Comments and literals become spaces (newlines kept, so lines count).
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j])); i = j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r"[^\n]", " ", src[i + 1:j - 1]) + c); i = j
        else:
            out.append(c); i += 1
    return "".join(out)

found = 0
for path in sys.argv[1:]:
    text = blank(open(path, encoding="utf-8", errors="replace").read())
    for m in re.finditer(CALLS, text):
        depth, j = 0, m.end() - 1
        while j < len(text):
            if text[j] == "(":
                depth += 1
            elif text[j] == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if FIELD.search(text[m.end():j]):
            line = text.count("\n", 0, m.start()) + 1
            print(f"{path}:{line}: {m.group(1)} on an error's msg")
            found += 1
sys.exit(1 if found else 0)
PY
}

# The check finds what it is for, and nothing else.
sample=$T_TMP/sample.c
cat >"$sample" <<'C'
static int f(zg_err *err, zg_err e, const struct row *m, const char *msg)
{
    if (e.code == EAGAIN && strstr(e.msg, "log file"))
        return 1;
    if (strncmp(err->msg,
                "x", 1) == 0)
        return 2;
    if (!strcmp(m->name, "model") || strcmp(msg, "file not found") == 0)
        return 3; /* strstr(e.msg, "in a comment") */
    zg_err_set(err, EIO, "strcmp(e.msg, x) in a sentence");
    return strcasestr(e . msg, "owner") != NULL || strlen(err->msg) > 3 || m->msg_len;
}
C
out=$(scan "$sample")
check_eq "the check finds the three text decisions of the sample, and only those" \
    "$(printf '%s\n' "$out" | sed 's/.*:\([0-9]*\): \([a-z]*\) .*/\1 \2/' | tr '\n' ' ')" \
    "3 strstr 5 strncmp 11 strcasestr "

mapfile -t files < <(cd "$ZG_ROOT" && find src include -name '*.[ch]' | sort)
if out=$(cd "$ZG_ROOT" && scan "${files[@]}"); then
    ok "no text decision on an error's msg in src/ and include/ (${#files[@]} files)"
else
    not_ok "text decisions on an error's msg (give the failure a kind, include/zg/err.h)"
    printf '%s\n' "$out" | sed 's/^/#   /'
fi
t_done
