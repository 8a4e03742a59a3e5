#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every text in the catalogue (corelib/pages/invqr_messages.def) is used by
# the code: a message nobody shows is a translation nobody reads, and it hides
# the one that replaced it. (Completeness per language is test_i18n's.)
top=${top_srcdir:-.}
cat=$top/corelib/pages/invqr_messages.def
ids=$(sed -n 's/^INVQR_MSG(\([A-Z0-9_]*\),.*/\1/p' "$cat")
[ -n "$ids" ] || { echo "no messages found in $cat"; exit 1; }
code=$(find "$top/corelib" "$top/mod_invqr" "$top/fcgi" "$top/admin" -name '*.[ch]' -exec cat {} +)
rc=0
for id in $ids; do
    printf '%s\n' "$code" | grep -qE "MSG\\($id\\)|INVQR_MSG_$id([^A-Z0-9_]|\$)" \
        || { echo "$id is in the catalogue but no code shows it"; rc=1; }
done
[ $rc -eq 0 ] && echo "messages: $(echo "$ids" | wc -l) in the catalogue, all used"
exit $rc
