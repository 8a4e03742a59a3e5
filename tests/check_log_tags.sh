#!/bin/sh
# Every log tag in the code (a string literal "INVQRnnnn: ...") has its row in
# docs/log-tags.md, and every row there names a tag the code still has.
top=${top_srcdir:-.}
doc=$top/docs/log-tags.md
code=$(cd "$top" && grep -rhoE --include='*.c' '"INVQR[0-9]{4}:' corelib mod_invqr fcgi admin | tr -d '":' | sort -u)
listed=$(sed -n 's/^| \(INVQR[0-9]\{4\}\) |.*/\1/p' "$doc" | sort)
[ -n "$code" ] || { echo "no log tags found under $top"; exit 1; }
rc=0
for t in $code; do
    echo "$listed" | grep -qx "$t" || { echo "$t is in the code but not in docs/log-tags.md"; rc=1; }
done
for t in $listed; do
    echo "$code" | grep -qx "$t" || { echo "$t is in docs/log-tags.md but not in the code"; rc=1; }
done
# the file a row names is the one that logs the tag (files move: issue 16)
rows=$(sed -n 's/^| \(INVQR[0-9]\{4\}\) | [a-z]* | `\([^`]*\)`.*/\1 \2/p' "$doc")
echo "$rows" | while read -r t f; do
    [ -n "$t" ] || continue
    grep -q "\"$t:" "$top/$f" 2>/dev/null || echo "$t: docs/log-tags.md says $f, which does not log it"
done | { if grep .; then exit 1; fi; } || rc=1
dups=$(echo "$listed" | uniq -d)
[ -z "$dups" ] || { echo "listed twice in docs/log-tags.md: $dups"; rc=1; }
[ $rc -eq 0 ] && echo "log tags: $(echo "$code" | wc -l) in the code, all in docs/log-tags.md"
exit $rc
