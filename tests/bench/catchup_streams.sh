#!/usr/bin/env bash
# Issue 14's ten-day catch-up: every stream's capture of a ten-day outage at
# real proportions (tests/gen_streams.py --days 10; about 1.5 million
# events) served by the fake server, one capture per stream, and caught up
# through the full pipeline (pipeline.sh with CH_STREAMS=all) into a new
# database. Prints the elapsed time (pipeline start to the last stream's
# checkpoint at its capture's last timepoint), events/s and the peak RSS of
# each stage (the largest of any stream's, from the stages' /proc status,
# sampled while they run). Required: < 60 s.
#
# Usage: catchup_streams.sh WORK_DIR   (BIN: the programs; BENCH_CATCHUP_DAYS,
#        BENCH_CATCHUP_SCALE scale the captures: 10 and 0.9)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/bin}
work=$1
days=${BENCH_CATCHUP_DAYS:-10}
scale=${BENCH_CATCHUP_SCALE:-0.9}
# BENCH_STREAMS_DIR: captures made before by the same gen_streams.py call
# (kept; saves their making while measuring).
dir=${BENCH_STREAMS_DIR:-$work/streams}
mkdir -p "$dir"
server_pid=""
pipe_pid=""
cleanup() {
  [ -n "$pipe_pid" ] && kill -TERM "$pipe_pid" 2>/dev/null && wait "$pipe_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  true
}
trap cleanup EXIT

# --clean: the streams' bad lines are rejects, whose timepoints cannot be
# known ahead, and the run ends when every checkpoint is at its stream's
# last timepoint; the volumes are the real proportions all the same.
[ -s "$dir/companies.ndjson" ] || python3 "$ROOT/tests/gen_streams.py" --clean --seed 21 --days "$days" --scale "$scale" \
  --out-dir "$dir" 2>/dev/null
# The last timepoint of each stream (the largest: the companies capture has
# out-of-order events on purpose) and the events in all.
python3 - "$dir" >"$work/streams.want" <<'EOF'
import os, re, sys
d = sys.argv[1]
tp = re.compile(rb'"timepoint":(\d+)')
for name in sorted(os.listdir(d)):
    if not name.endswith(".ndjson"):
        continue
    n, top = 0, 0
    with open(os.path.join(d, name), "rb") as f:
        for line in f:
            m = tp.findall(line)
            if m:
                n += 1
                top = max(top, int(m[-1]))
    print(name[:-len(".ndjson")], n, top)
EOF
events=$(awk '{ n += $2 } END { print n }' "$work/streams.want")
echo "-- ten-day catch-up of every stream through pipeline.sh (CH_STREAMS=all): $events events, $(du -sm "$dir" | cut -f1) MiB from the fake server"

captures=()
while read -r name _ _; do captures+=(--capture "$name=$dir/$name.ndjson"); done <"$work/streams.want"
rm -f "$work/port"
python3 "$ROOT/tests/fake_stream_server.py" --port-file "$work/port" --key benchkey \
  --max-lifetime 600 "${captures[@]}" 2>"$work/streams-server.log" &
server_pid=$!
for _ in $(seq 1200); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "fake server did not start"; cat "$work/streams-server.log"; exit 1; }

# Each stream starts at its capture's first timepoint.
export CH_STREAMS=all CH_DB="$work/streams.db" CH_STREAM_KEY=benchkey CH_BIN="$BIN"
export CH_STREAM_URL="http://127.0.0.1:$(cat "$work/port")" CH_LOG_LEVEL=warn
while read -r name _ _; do
  first=$(head -c 4096 "$dir/$name.ndjson" | grep -o '"timepoint":[0-9]*' | head -n 1 | cut -d: -f2)
  var="CH_TIMEPOINT_$(echo "$name" | tr 'a-z-' 'A-Z_')"
  export "$var=$first"
  [ "$name" = companies ] && export CH_TIMEPOINT="$first"
done <"$work/streams.want"

sync
t0=$(date +%s.%N)
"$ROOT/pipeline.sh" 2>"$work/streams-pipeline.log" &
pipe_pid=$!
# Peak RSS of each stage: VmHWM of every ch-* process, read as they run
# (the stages are pipeline.sh's children; their last figure is kept).
# CPU seconds of each stage (utime + stime, the last reading of each
# process) say where the time goes on a machine shared with other work.
# One awk reads every stage's /proc files and one sqlite3 every stream's
# checkpoint per look, four times a second: a process per stage and stream
# per look (as this loop first had) took most of a core of the two
# being measured.
sample() {
  # shellcheck disable=SC2046
  awk -v pids="$(pgrep -P "$pipe_pid" 2>/dev/null | tr '\n' ' ')" '
    BEGIN {
      n = split(pids, p, " ")
      for (i = 1; i <= n; i++) {
        name = ""; kb = 0
        if ((getline line < ("/proc/" p[i] "/comm")) <= 0) continue
        name = line; close("/proc/" p[i] "/comm")
        if (name != "ch-fetch" && name != "ch-parse" && name != "ch-store") continue
        while ((getline line < ("/proc/" p[i] "/status")) > 0)
          if (line ~ /^VmHWM/) { split(line, f, " "); kb = f[2] }
        close("/proc/" p[i] "/status")
        ticks = 0
        if ((getline line < ("/proc/" p[i] "/stat")) > 0) {
          sub(/^.*\) /, "", line); split(line, f, " "); ticks = f[12] + f[13]
        }
        close("/proc/" p[i] "/stat")
        stream = "?"
        RS_old = RS; RS = "\0"
        prev = ""
        while ((getline arg < ("/proc/" p[i] "/cmdline")) > 0) {
          if (prev == "--stream") stream = arg
          prev = arg
        }
        RS = RS_old; close("/proc/" p[i] "/cmdline")
        print p[i], name, stream, kb, ticks
      }
    }' 2>/dev/null
}
declare -A hwm=() ticks=() stage=()
done_all=0
while kill -0 "$pipe_pid" 2>/dev/null; do
  while read -r p name stream kb t; do
    [ -n "$kb" ] && [ "$kb" -gt "${hwm[$name]:-0}" ] && hwm[$name]=$kb
    ticks[$p]=$t
    stage[$p]="$name $stream"
  done < <(sample)
  if sqlite3 -readonly "$CH_DB" "SELECT stream, timepoint FROM stream_state" 2>/dev/null |
    awk 'NR == FNR { want[$1] = $3; next } { split($0, f, "|"); got[f[1]] = f[2] }
      END { for (s in want) if (got[s] != want[s]) exit 1 }' "$work/streams.want" -; then
    done_all=1
    break
  fi
  sleep 0.25
done
t1=$(date +%s.%N)
kill -TERM "$pipe_pid" 2>/dev/null || true
wait "$pipe_pid" 2>/dev/null || true
pipe_pid=""
server_ticks=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat" 2>/dev/null || echo 0)
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
if [ "$done_all" != 1 ]; then
  echo "catch-up   : pipeline.sh ended before every stream caught up ($secs s):"
  tail -n 5 "$work/streams-pipeline.log"
fi
mb() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo "catch-up   : $secs s, $(awk -v n="$events" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') events/s (required < 60 s); peak RSS ch-fetch $(mb "${hwm[ch-fetch]:-0}") MB, ch-parse $(mb "${hwm[ch-parse]:-0}") MB, ch-store $(mb "${hwm[ch-store]:-0}") MB (largest of any stream's)"
hz=$(getconf CLK_TCK)
for p in "${!ticks[@]}"; do echo "${stage[$p]} ${ticks[$p]}"; done |
  awk -v hz="$hz" -v server="$server_ticks" '
    { cpu[$1] += $3; by[$1 " " $2] += $3 }
    END {
      line = sprintf("fake server %.1f", server / hz)
      for (s in cpu) line = line sprintf(", %s %.1f", s, cpu[s] / hz)
      print "CPU s      : " line
      n = 0; for (k in by) { split(k, a, " "); if (a[1] == "ch-store") list[++n] = sprintf("%s %.1f", a[2], by[k] / hz) }
      out = ""; for (i = 1; i <= n; i++) out = out (i > 1 ? ", " : "") list[i]
      print "ch-store   : CPU s per stream: " out
    }'
echo "per stream : $(sqlite3 "$work/streams.db" "SELECT group_concat(stream || ' ' || (SELECT count(*) FROM resources r WHERE r.stream = s.stream), ', ') FROM stream_state s WHERE stream <> 'companies'") resources; $(sqlite3 "$work/streams.db" 'SELECT count(*) FROM companies') companies, $(sqlite3 "$work/streams.db" 'SELECT count(*) FROM signals') signals"
[ -n "${BENCH_STREAMS_DIR:-}" ] || rm -rf "$dir"
rm -f "$work/streams.db" "$work/streams.db-wal" "$work/streams.db-shm"
