#!/usr/bin/env bash
# 90_static_checks: the fast static checks run with every `make test`:
# clang-format (the .clang-format style) and cppcheck over all C++ sources.
# clang-tidy is slower (minutes) and runs as `make lint`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
mapfile -t sources < <(ls common/*.cc common/*.h ch-fetch/*.cc ch-fetch/*.h ch-parse/*.cc ch-parse/*.h ch-store/*.cc ch-store/*.h)
[ "${#sources[@]}" -gt 50 ] || fail "found only ${#sources[@]} C++ sources"
if ! clang-format --dry-run -Werror "${sources[@]}" >"$TMP/format.log" 2>&1; then
  head -n 20 "$TMP/format.log"
  fail "clang-format finds unformatted code: run make format"
fi
mapfile -t units < <(ls common/*.cc ch-fetch/*.cc ch-parse/*.cc ch-store/*.cc)
if ! cppcheck --quiet --std=c++17 --enable=warning,performance,portability --error-exitcode=1 \
  --inline-suppr --suppress=missingIncludeSystem --library=googletest -I. -j 2 "${units[@]}" \
  >"$TMP/cppcheck.log" 2>&1; then
  head -n 20 "$TMP/cppcheck.log"
  fail "cppcheck findings"
fi
echo "static checks clean: ${#sources[@]} files"
