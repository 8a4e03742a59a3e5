#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# invqr - replay every fuzz target's seed corpus (run by make check).
#
# For each target, if its replay driver was built
# ($top_builddir/tests/fuzz/replay_<target>), runs it over
# $top_srcdir/tests/fuzz/corpus/<target>. Fails if any run fails, or if the
# corpus of a built target is missing or empty. A target whose driver was
# not built is skipped; if none was built the result is "skipped" (77).
# top_srcdir and top_builddir come from TESTS_ENVIRONMENT; run by hand they
# default to the checkout this script lives in.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}

targets="fiscal code form cookie csv record soap modi voucher mail"
failed=0
ran=0

for t in $targets; do
    bin="$top_builddir/tests/fuzz/replay_$t"
    corpus="$top_srcdir/tests/fuzz/corpus/$t"
    if [ ! -x "$bin" ]; then
        echo "SKIP: $t (replay_$t not built)"
        continue
    fi
    if [ ! -d "$corpus" ]; then
        echo "FAIL: $t: corpus directory $corpus is missing"
        failed=1
        continue
    fi
    if [ -z "$(find "$corpus" -maxdepth 1 -type f -print -quit)" ]; then
        echo "FAIL: $t: corpus directory $corpus holds no files"
        failed=1
        continue
    fi
    if "$bin" "$corpus"; then
        echo "PASS: $t"
        ran=$((ran + 1))
    else
        echo "FAIL: $t: replay_$t exited with status $?"
        failed=1
    fi
done

if [ "$failed" -ne 0 ]; then
    exit 1
fi
if [ "$ran" -eq 0 ]; then
    echo "no replay driver was built"
    exit 77
fi
exit 0
