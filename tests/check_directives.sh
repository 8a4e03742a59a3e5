#!/bin/sh
# Every field of invqr_srv_t that a directive sets must have an UNSET value
# in invqr_create_srv() and a merge line in invqr_merge_srv(): a directive
# given in the main server and not in a virtual host must reach the virtual
# host through the merge, never by accident (the house rule "merge
# configuration explicitly", as mod_md and mod_session do).
src=${top_srcdir:-.}/mod_invqr/mod_invqr_config.c
fields=$(sed -n '/^void \*invqr_create_srv/,/^}/p' "$src" | sed -n 's/^ *srv->\([a-z_]*\) = .*/\1/p')
[ -n "$fields" ] || { echo "no fields found in invqr_create_srv"; exit 1; }
rc=0
for f in $fields; do
    sed -n '/^void \*invqr_merge_srv/,/^}/p' "$src" | grep -q "srv->$f = MERGE_[A-Z]*($f)" \
        || { echo "invqr_srv_t.$f has no merge rule"; rc=1; }
done
# and every MERGE line names a field with a create default
for f in $(sed -n '/^void \*invqr_merge_srv/,/^}/p' "$src" | sed -n 's/.*MERGE_[A-Z]*(\([a-z_]*\)).*/\1/p'); do
    echo "$fields" | grep -qx "$f" || { echo "invqr_srv_t.$f has no create default"; rc=1; }
done
[ $rc -eq 0 ] && echo "directives: $(echo "$fields" | wc -l) fields with defaults and merges"
exit $rc
