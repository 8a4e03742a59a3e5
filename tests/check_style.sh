#!/bin/sh
# The house style that a machine can keep (docs/style.md): every source file
# starts with its licence line; no tabs, no trailing blanks; `else` on a line
# of its own, never `} else`; C lines of at most 120 columns; a function's
# opening brace on a line of its own; and each log tag names one failure
# (one message text per INVQRnnnn).
top=${top_srcdir:-.}
cd "$top" || exit 1
files=$(find corelib mod_invqr fcgi admin tests/unit tests/fuzz tests/bench \
        \( -name '*.c' -o -name '*.h' -o -name '*.def' \) -type f | sort)
[ -n "$files" ] || { echo "no sources found under $top"; exit 1; }
rc=0
say() { echo "$*"; rc=1; }
for f in $files; do
    head -n 1 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' \
        || say "$f:1: no licence line (/* SPDX-License-Identifier: Apache-2.0 */)"
done
# shellcheck disable=SC2086
grep -n "$(printf '\t')" $files /dev/null | sed 's/$/   <- a tab/' | grep . && rc=1
# shellcheck disable=SC2086
grep -nE ' +$' $files /dev/null | sed 's/$/   <- trailing blanks/' | grep . && rc=1
# shellcheck disable=SC2086
grep -nE '^[[:space:]]*\}[[:space:]]*else' $files /dev/null \
    | sed 's/$/   <- else goes on a line of its own/' | grep . && rc=1
for f in $files; do
    case "$f" in *.def) continue ;; esac     # catalogues hold whole sentences
    awk -v f="$f" 'length > 120 { printf "%s:%d: %d columns (at most 120)\n", f, FNR, length; bad = 1 }
                   END { exit bad }' "$f" || rc=1
    # a function definition at column 0 keeps its brace for the next line
    grep -nE '^[A-Za-z_][A-Za-z0-9_ \*]*\(.*\)[[:space:]]*\{[[:space:]]*$' "$f" \
        | grep -vE '^[0-9]+:[[:space:]]*(if|for|while|switch|do|else)\b' \
        | sed "s|^|$f:|; s/$/   <- the brace goes on the next line/" | grep . && rc=1
done
# one message per log tag: a tag that names two failures says neither
tags=$(grep -rhoE --include='*.c' '"INVQR[0-9]{4}: [^"]*' corelib mod_invqr fcgi admin \
       | sed 's/^"//' | sort -u | cut -d: -f1 | uniq -d)
for t in $tags; do
    say "$t is used for more than one message:"
    grep -rnE --include='*.c' "\"$t: " corelib mod_invqr fcgi admin | sed 's/^/    /'
done
[ $rc -eq 0 ] && echo "style: $(echo "$files" | wc -l) files in the house style"
exit $rc
