#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# t-vectors.sh: the expected values of the captured ClientHellos (which
# test_clienthello checks the C parser against) still agree with the
# independent Python computation of JA3/JA4 written from the specs.
. "${TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed for the reference computation (apt-get install python3)"
vectors="$TESTS_SRCDIR/vectors"
check "ja_reference.py reproduces JA4.md's worked examples" \
    python3 -B "$vectors/ja_reference.py" --selftest
check "every .expected file equals ja_reference.py's computation" \
    sh -c "python3 -B '$vectors/ja_reference.py' --check '$vectors'/*.hex >'$WORK/check.out' 2>&1 || { cat '$WORK/check.out'; exit 1; }"
check "there are at least 8 vectors" test "$(ls "$vectors"/*.hex | wc -l)" -ge 8
finish
