#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every libFuzzer target links from the core sources script/fuzz lists for it.
# make check replays the corpora through libinvqrcore, which has everything;
# script/fuzz builds each target from its own short list, so a target whose
# parser grew a dependency would only fail in the long libFuzzer stage.
top=${top_srcdir:-.}
exec "$top/script/fuzz" --link-only
