#!/bin/sh
# run_e2e_one.sh RESULTS DIR NAME: runs the end-to-end script DIR/NAME.sh under its time
# limit for tests/run_tests.sh, which may run several at once. Prints one
# line, "PASS name (Ns)" or "FAIL name (exit N, Ns)" (one write, so that
# lines of scripts finishing together do not mix), and leaves the exit code
# in RESULTS/name.rc and the output in RESULTS/name.log.
set -u
results=$1
name=$3
script="$2/$name.sh"
start=$(date +%s)
timeout -k 5 300 bash "$script" >"$results/$name.log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
echo "$rc" >"$results/$name.rc"
if [ "$rc" -eq 0 ]; then
  echo "PASS $name (${secs}s)"
else
  echo "FAIL $name (exit $rc, ${secs}s)"
fi
