#!/bin/bash
# 91_store_real_full_disk: a file system that is really full (a 6 MB tmpfs,
# mounted in a mount namespace of this test's own, so it vanishes with the
# test), where 35 and 82 stop SQLite at a page limit instead:
# - ch-store exits 74 with one error line naming the full disk;
# - the database is intact (integrity_check) and holds a prefix of the
#   input up to its checkpoint;
# - with room again (the tmpfs grown), the same capture applied again gives
#   exactly the database of tests/oracle.py over the capture: nothing lost,
#   nothing twice.
set -euo pipefail
# The mount needs a namespace: root's own, or a user namespace mapped to root
# (util-linux's unshare). A machine that allows neither (a container without
# CAP_SYS_ADMIN and with user namespaces off) cannot make a full disk: the
# test says so and stops there, rather than fail on something ch-store does
# not control; 35, 82 and 89 still fill the database through SQLite's page
# limit there.
if [ -z "${CH_FULL_DISK_NS:-}" ]; then
  if ! unshare -rm true 2>/dev/null && ! unshare -m true 2>/dev/null; then
    echo "91_store_real_full_disk: SKIPPED: no mount namespace here (unshare), so no tmpfs to fill"
    exit 0
  fi
  flags=-rm
  unshare -rm true 2>/dev/null || flags=-m
  exec env CH_FULL_DISK_NS=1 unshare "$flags" bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

gen_resumable_capture "$TMP/capture.ndjson" 20000 91
oracle_streams "$TMP/oracle" companies "$TMP/capture.ndjson"

FS="$TMP/fs"
mkdir "$FS"
mount -t tmpfs -o size=6m tmpfs "$FS" || fail "cannot mount a tmpfs in the namespace"
# Unmounted before lib.sh removes $TMP (the namespace would drop it anyway).
trap 'umount "$FS" 2>/dev/null || true; lib_cleanup' EXIT
DB="$FS/full.db"
# Batches of 2,000 records: a release batch ends at 200 ms or 20,000 records,
# and one batch of this whole capture writes about 11 MB of WAL, more than
# the 6 MB disk holds. On a machine fast enough to read all 20,000 events
# within 200 ms (CI's), the first batch was the whole capture and nothing
# could commit before the disk was full. The batch size is not what this
# test is about; a fixed small one makes it hold on any machine.
limits="stream_batch_records=2000"

# 1. The disk fills up mid-replay.
rc=0
"$BIN/ch-parse" --stream companies <"$TMP/capture.ndjson" 2>/dev/null |
  CH_TEST_LIMITS=$limits "$BIN/ch-store" --db "$DB" 2>"$TMP/store.err" || rc=$?
assert_eq 74 "$rc" "ch-store's exit on a full disk"
errors=$(grep -c '"level":"error"' "$TMP/store.err" || true)
assert_eq 1 "$errors" "error lines on a full disk"
assert_contains "$(grep '"level":"error"' "$TMP/store.err")" "database or disk is full" "the error names the full disk"
case "$(grep '"level":"error"' "$TMP/store.err")" in
  *"full: database or disk is full"*) fail "the error says the same thing twice: $(cat "$TMP/store.err")" ;;
esac
assert_eq ok "$(sql "$DB" "PRAGMA integrity_check")" "integrity on a full disk"
checkpoint=$(store --db "$DB" checkpoint)
[ -n "$checkpoint" ] || fail "nothing committed before the disk was full"
companies=$(sql "$DB" "SELECT count(*) FROM companies")
echo "full disk after checkpoint $checkpoint ($companies companies)"

# 2. A restart on the still-full disk changes nothing and exits 74 again.
rc=0
"$BIN/ch-parse" --stream companies <"$TMP/capture.ndjson" 2>/dev/null |
  CH_TEST_LIMITS=$limits "$BIN/ch-store" --db "$DB" 2>/dev/null || rc=$?
assert_eq 74 "$rc" "ch-store's exit on the still-full disk"
assert_eq ok "$(sql "$DB" "PRAGMA integrity_check")" "integrity after a second try"

# 3. Room again: the same capture once more ends as one uninterrupted run.
mount -o remount,size=400m "$FS" || fail "cannot grow the tmpfs"
"$BIN/ch-parse" --stream companies <"$TMP/capture.ndjson" 2>/dev/null |
  CH_TEST_LIMITS=$limits store --db "$DB" || fail "ch-store exited $? with room again"
compare_with_oracle "$DB" "$TMP/oracle" "the database filled, then freed"
echo "real full disk: exit 74 twice, intact, and equal to the oracle once there was room"
