#!/bin/sh
# Runs every test: the GoogleTest unit binary, then each end-to-end script in
# tests/e2e/ (in name order, each under a time limit). Ends with one line
# "N passed, N failed" and exits non-zero when anything failed.
#
# Environment: BIN (directory of ch-fetch, ch-parse, ch-store), UNIT_TESTS
# (the unit test binary). E2E_FILTER=pattern runs only matching scripts.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT BIN
# The tests start python3 hundreds of times. Debian's /usr/bin/python3 (a
# package `make deps` installs) starts in 0.02 s of CPU; a version manager's
# shim found first on PATH (pyenv: a bash script) took 0.4 s a start, which
# made the e2e scripts slow and their timing loose on a busy machine. Put
# Debian's first, through a directory that holds only it.
if [ -x /usr/bin/python3 ]; then
  PY_BIN=$(mktemp -d "${TMPDIR:-/tmp}/chstream-python.XXXXXX")
  ln -s /usr/bin/python3 "$PY_BIN/python3"
  PATH="$PY_BIN:$PATH"
  export PATH
  trap 'rm -rf "$PY_BIN"' EXIT
fi
passed=0
failed=0
failures=""

if [ -n "${UNIT_TESTS:-}" ] && [ -z "${E2E_FILTER:-}" ]; then
  log=$(mktemp)
  # Unit tests find their fixtures (samples/real/...) relative to the root.
  (cd "$ROOT" && "$UNIT_TESTS" --gtest_brief=1) >"$log" 2>&1
  unit_rc=$?
  grep -E '^\[  (FAILED|PASSED)  \]|^\[ +FAILED +\]' "$log" | tail -n 40
  unit_pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\{0,1\}\.*$/\1/p' "$log" | tail -n 1)
  unit_fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\{0,1\}, listed below:$/\1/p' "$log" | tail -n 1)
  unit_pass=${unit_pass:-0}
  unit_fail=${unit_fail:-0}
  if [ "$unit_rc" -ne 0 ] && [ "$unit_fail" -eq 0 ]; then
    # The binary crashed or failed outside a test: count that as a failure.
    tail -n 30 "$log"
    unit_fail=1
    failures="$failures unit-tests(crashed)"
  fi
  echo "unit tests: $unit_pass passed, $unit_fail failed"
  passed=$((passed + unit_pass))
  failed=$((failed + unit_fail))
  rm -f "$log"
fi

for t in "$ROOT"/tests/e2e/*.sh; do
  [ -e "$t" ] || continue
  name=$(basename "$t" .sh)
  # lib.sh and fetch_lib.sh hold shared helpers, not tests.
  case "$name" in *lib) continue ;; esac
  if [ -n "${E2E_FILTER:-}" ]; then
    case "$name" in *$E2E_FILTER*) ;; *) continue ;; esac
  fi
  log=$(mktemp)
  start=$(date +%s)
  timeout -k 5 300 bash "$t" >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  if [ "$rc" -eq 0 ]; then
    echo "PASS $name (${secs}s)"
    passed=$((passed + 1))
  else
    echo "FAIL $name (exit $rc, ${secs}s)"
    tail -n 25 "$log" | sed 's/^/    /'
    failed=$((failed + 1))
    failures="$failures $name"
  fi
  rm -f "$log"
done

[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
