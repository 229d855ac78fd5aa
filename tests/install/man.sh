#!/usr/bin/env bash
# `meson install` installs what a user needs: the binary, the man page made
# from docs/zgfs.1.md (which renders without a warning in groff and mandoc
# and covers every option, every file of the tree and every errno), the
# docs, the examples and the systemd unit; `zgfs --version` names the
# release and the commit the binary was built from.
. "$(dirname "$0")/../lib.sh"

missing=()
for c in meson man groff mandoc git; do
    command -v "$c" >/dev/null || missing+=("$c")
done
[[ -x $ZGFS ]] || missing+=("$ZGFS")
if ((${#missing[@]})); then
    not_ok "prerequisites present: missing ${missing[*]} (run contrib/setup)"
    t_done
    exit 1
fi

dest=$T_TMP/dest
prefix=$(meson introspect --buildoptions "$ZG_BUILD" | jq -r '.[] | select(.name == "prefix") | .value')
version=$(meson introspect --projectinfo "$ZG_BUILD" | jq -r .version)
if meson install -C "$ZG_BUILD" --destdir "$dest" --no-rebuild >"$T_TMP/install.log" 2>&1; then
    ok "meson install into a staging directory"
else
    not_ok "meson install into a staging directory"
    sed 's/^/#   /' "$T_TMP/install.log"
fi
root=$dest$prefix
for f in bin/zgfs share/man/man1/zgfs.1 lib/systemd/system/zgfs@.service \
    share/doc/zgfs/README.md share/doc/zgfs/semantics.md share/doc/zgfs/troubleshooting.md \
    share/doc/zgfs/python.md share/doc/zgfs/durability.md \
    share/doc/zgfs/examples/workflow.py share/doc/zgfs/examples/workflow.sh; do
    check "installed: $f" test -s "$root/$f"
done
inst=$(find "$dest" -type f -path '*/bin/*' -printf '%f\n' | sort | tr '\n' ' ')
check_eq "the only program installed is zgfs (the devnet servers and tests stay out)" "$inst" "zgfs "
check_eq "the unit starts the installed binary" \
    "$(grep -c "^ExecStart=$prefix/bin/zgfs -f -o \${ZGFS_OPTIONS} %f$" "$root/lib/systemd/system/zgfs@.service")" 1

# --------------------------------------------------------------- the man page
page=$root/share/man/man1/zgfs.1
check_eq "man -w finds the page under the install prefix" \
    "$(MANPATH=$root/share/man man -w zgfs 2>&1)" "$page"
MANPATH=$root/share/man MANWIDTH=80 man --warnings zgfs >"$T_TMP/man.txt" 2>"$T_TMP/man.err"
check_eq "man --warnings zgfs renders it without a warning" "$(cat "$T_TMP/man.err")" ""
check_eq "groff -ww -z: no warning" "$(groff -ww -z -man "$page" 2>&1)" ""
check_eq "mandoc -Tlint: nothing to say, style included" "$(mandoc -Tlint "$page" 2>&1)" ""
check_eq "man -l renders the page as built" "$(MANWIDTH=80 man -l "$page" 2>&1 | head -n 1)" \
    "$(head -n 1 "$T_TMP/man.txt")"
check_match "the page's footer names the release" "$(tail -n 1 "$T_TMP/man.txt")" "zgfs $version"

# Every option --help lists is in OPTIONS.
opts=$(sed -n '/^OPTIONS/,/^THE TREE/p' "$T_TMP/man.txt")
miss=
for o in $("$ZGFS" --help | sed -n '/^zgfs options:/,/^$/p' | grep -oE -- '-o [a-z_]+' | cut -c4- | sort -u); do
    grep -qE -- "-o $o([=, ]|$)" <<<"$opts" || miss+=" $o"
done
for o in -f -d -s; do
    grep -qE -- "^ +$o([ ,]|$)" <<<"$opts" || miss+=" $o"
done
check_eq "every option of zgfs --help is in OPTIONS" "${miss:-none missing}" "none missing"

# Every file of the tree (the node table) is in THE TREE.
tree=$(sed -n '/^THE TREE/,/^ERRORS/p' "$T_TMP/man.txt")
miss=
for leaf in $(grep -o '\.pattern = "[^"]*"' "$ZG_ROOT/src/fs/nodes.c" | sed 's/.*"\(.*\)"/\1/' |
    awk -F/ '{print $NF}' | sort -u); do
    [[ -z $leaf || $leaf =~ ^\{[A-Za-z-]+\}$ ]] && continue # a bare placeholder
    leaf=${leaf//\{/}
    leaf=${leaf//\}/}
    grep -qF -- "$leaf" <<<"$tree" || miss+=" $leaf"
done
check_eq "every file of the node table is in THE TREE" "${miss:-none missing}" "none missing"

# Every errno of the semantics' error table is in ERRORS.
errs=$(sed -n '/^ERRORS/,/^ENVIRONMENT/p' "$T_TMP/man.txt")
miss=
for e in $(sed -n '/^## Errors/,/^## /p' "$ZG_ROOT/docs/semantics.md" | grep -oE '\bE[A-Z]{2,}\b' | sort -u); do
    grep -qw -- "$e" <<<"$errs" || miss+=" $e"
done
check_eq "every errno of docs/semantics.md is in ERRORS" "${miss:-none missing}" "none missing"
for s in EXAMPLES fstab zgfs@.service SEE\ ALSO; do
    check "the page has $s" grep -q "$s" "$T_TMP/man.txt"
done

# ------------------------------------------------------ the other user docs
# docs/python.md has a row for every call of the Python SDK zgfs replaces.
miss=
for c in list_service list_model get_account get_account_with_detail get_locked_time \
    acknowledge_provider_signer revoke upload_dataset_to_tee upload_dataset download_dataset \
    calculate_token create_task list_task get_task cancel_task get_log acknowledge_model \
    download_lora_from_tee decrypt_model model_usage verify_service deploy_adapter \
    deploy_adapter_by_name list_adapters get_adapter_status chat; do
    grep -qF "| \`$c(" "$ZG_ROOT/docs/python.md" || miss+=" $c"
done
check_eq "docs/python.md maps every call of the Python SDK" "${miss:-none missing}" "none missing"
# docs/troubleshooting.md says what to do about every errno the mount gives.
miss=
for e in $(sed -n '/^## Errors/,/^## /p' "$ZG_ROOT/docs/semantics.md" | grep -oE '\bE[A-Z]{2,}\b' | sort -u) ENOTCONN; do
    grep -qw -- "$e" "$ZG_ROOT/docs/troubleshooting.md" || miss+=" $e"
done
check_eq "docs/troubleshooting.md covers every errno" "${miss:-none missing}" "none missing"
check "README installs with the command tests/install/package.sh runs" \
    grep -q '^dpkg-buildpackage -us -uc -b ' "$ZG_ROOT/README.md"
check "README keeps the demo command" grep -q '| `./contrib/zgfs-demo` |' "$ZG_ROOT/README.md"
check "README keeps the test command" grep -q '| `./contrib/run-tests` |' "$ZG_ROOT/README.md"
miss=
while IFS= read -r -d '' f; do
    [[ -s $f && $(tail -c 1 "$f" | od -An -c | tr -d ' ') != '\n' ]] && miss+=" ${f#"$root"/}"
done < <(find "$root/share/doc" "$root/lib/systemd" -type f -print0)
check_eq "every installed text file ends with a newline" "${miss:-all}" all

# ---------------------------------------------------------------- --version
out=$("$root/bin/zgfs" --version 2>/dev/null | head -n 1)
if git -C "$ZG_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    head=$(git -C "$ZG_ROOT" rev-parse HEAD)
    check_match "--version names the release and the commit" "$out" \
        "^zgfs $version \\(git commit ${head:0:12}(-modified)?\\)$"
else
    check_eq "--version says the build was made outside git" "$out" \
        "zgfs $version (built outside a git checkout: no commit recorded)"
fi
t_done
