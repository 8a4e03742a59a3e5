#!/bin/sh
# mod_invqr.so carries only what the module runs (README, "Source layout"):
# it exports the module record and nothing else, and httpd's children load
# none of the libraries only the workers need (libcurl, libhpdf, libqrencode,
# libxmlsec1, libjansson).
so=mod_invqr/.libs/mod_invqr.so
[ -f "$so" ] || { echo "$so not built"; exit 1; }
rc=0
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ {print $3}' | grep -v '^_' | sort)
if [ "$exported" != "invqr_module" ]; then
    echo "mod_invqr.so exports more than invqr_module:"; echo "$exported" | head -20; rc=1
fi
# a core function the module calls must be in the part it links: httpd
# would refuse to load a module with an unresolved invqr_ symbol
missing=$(nm -u "$so" | awk '{print $2}' | grep '^invqr_' | sort -u)
if [ -n "$missing" ]; then
    echo "mod_invqr.so calls core functions it does not link (corelib/Makefile.inc):"
    echo "$missing"; rc=1
fi
for lib in libcurl libhpdf libqrencode libfcgi libxmlsec1 libjansson; do
    if ldd "$so" | grep -q "$lib"; then
        echo "mod_invqr.so links $lib, which only the workers need"; rc=1
    fi
done
[ $rc -eq 0 ] && echo "mod_invqr.so: exports invqr_module only, $(ldd "$so" | wc -l) libraries, none of the workers'"
exit $rc
