#!/bin/sh
# Runs every test: the GoogleTest unit binary, then each end-to-end script in
# tests/e2e/ (several at a time, each under a time limit). Ends with one line
# "N passed, N failed" and exits non-zero when anything failed.
#
# Environment: BIN (directory of ch-fetch, ch-parse, ch-store), UNIT_TESTS
# (the unit test binary). E2E_FILTER=pattern runs only matching scripts;
# E2E_JOBS=N runs N at a time (1: one after the other).
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

# The end-to-end scripts run E2E_JOBS at a time (default: two per core; most
# of a script's time is spent waiting on its processes, a fake server or a
# deadline). On 2 cores they took 380 s one after the other, 252 s three at
# a time and 209-224 s four at a time. A script that times something to
# within a second or less says so with a line "# e2e: alone (why)" and runs
# after the others, with nothing beside it, so that a busy neighbour cannot
# make it fail.
E2E_JOBS=${E2E_JOBS:-$((2 * $(nproc 2>/dev/null || echo 1)))}
results=$(mktemp -d "${TMPDIR:-/tmp}/chstream-e2e.XXXXXX")
together=""
alone=""
for t in "$ROOT"/tests/e2e/*.sh; do
  [ -e "$t" ] || continue
  name=$(basename "$t" .sh)
  # lib.sh and fetch_lib.sh hold shared helpers, not tests.
  case "$name" in *lib) continue ;; esac
  if [ -n "${E2E_FILTER:-}" ]; then
    case "$name" in *$E2E_FILTER*) ;; *) continue ;; esac
  fi
  if grep -q '^# e2e: alone' "$t"; then
    alone="$alone $name"
  else
    together="$together $name"
  fi
done
one="$ROOT/tests/tools/run_e2e_one.sh"
if [ -n "$together" ]; then
  printf '%s\n' $together | xargs -P "$E2E_JOBS" -n 1 sh "$one" "$results" "$ROOT/tests/e2e"
fi
for name in $alone; do
  sh "$one" "$results" "$ROOT/tests/e2e" "$name"
done
# The verdicts; a failed script's last lines.
for name in $together $alone; do
  rc=$(cat "$results/$name.rc" 2>/dev/null || echo 1)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
  else
    echo "FAIL $name (exit $rc):"
    tail -n 25 "$results/$name.log" | sed 's/^/    /'
    failed=$((failed + 1))
    failures="$failures $name"
  fi
done
rm -rf "$results"

[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
