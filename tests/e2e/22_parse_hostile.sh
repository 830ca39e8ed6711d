#!/bin/bash
# ch-parse under hostile input sizes: a 60 MB line (stream) and a 60 MB CSV
# record (bulk) each become one "too long" reject while memory stays small
# (the line is never held whole), the good lines around them survive, and
# a runaway quoted CSV field resynchronises after the cap.
set -euo pipefail
: "${BIN:?BIN must name the directory holding ch-parse}" "${ROOT:?ROOT must name the repository}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# A sanitizer build carries tens of MB of shadow memory: allow for it (a
# line held whole would still show as 60 MB more). `make check-sanitize`
# says so with CH_SANITIZED=1; ldd sees gcc's shared libasan otherwise
# (clang links its sanitizers statically, so only the variable tells).
slack_mb=0
if [ "${CH_SANITIZED:-0}" = 1 ] || ldd "$BIN/ch-parse" 2>/dev/null | grep -q -e libasan -e libtsan; then
  slack_mb=64
fi

python3 - "$BIN/ch-parse" "$TMP" "$slack_mb" <<'PY'
import base64, json, os, resource, subprocess, sys
parse, tmp, slack = sys.argv[1], sys.argv[2], int(sys.argv[3]) * 1024
EVENT = ('{"resource_kind":"company-profile","resource_id":"%08d","data":{"company_number":"%08d"},'
         '"event":{"timepoint":%d,"published_at":"2023-11-04T14:33:29","type":"changed"}}\n')

def run(args, chunks):
    """Streams chunks into ch-parse; returns (exit code, output lines, max RSS in KB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = open(tmp + "/out", "wb")
    p = subprocess.Popen([parse] + args, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.DEVNULL)
    for c in chunks:
        p.stdin.write(c)
    p.stdin.close()
    rc = p.wait()
    out.close()
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines = [json.loads(l) for l in open(tmp + "/out", "rb")]
    return rc, lines, rss, before

def big_line(prefix, size):
    yield prefix
    block = b"x" * (1 << 20)
    for _ in range(size // len(block)):
        yield block

failures = []
def check(cond, what):
    if not cond:
        failures.append(what)

# Stream: good, 60 MB line, good.
size = 60 << 20
rc, lines, rss, _ = run([], [EVENT.encode() % (1, 1, 1)] + list(big_line(b'{"resource_kind":"', size)) +
                        [b'"}\n', EVENT.encode() % (2, 2, 2)])
check(rc == 0, "stream exit %d" % rc)
kinds = [l.get("kind") for l in lines]
check(kinds == ["company", "reject", "company"], "stream kinds %s" % kinds)
if len(lines) == 3:
    r = lines[1]
    check(r["reason"] == "line too long (%d bytes)" % (len(b'{"resource_kind":"') + size + 2), r["reason"])
    check(r["raw_length"] == len(b'{"resource_kind":"') + size + 2, "raw_length %s" % r["raw_length"])
    check(len(base64.b64decode(r["raw_base64"])) == 65536, "raw prefix is not 64 KiB")
# The reader holds up to --max-line-bytes (8 MiB) of a line before it knows
# the line is too long; growing that buffer briefly holds old and new copies.
check(rss < 32 * 1024 + slack, "stream RSS %d KB with a 60 MB line (limit 32 MB)" % rss)
print("stream: 60 MB line -> %s, max RSS %d KB" % (kinds, rss))

# Bulk: header, row, a 60 MB record, row.
header = open(os.environ["ROOT"] + "/samples/real/basic-company-data-sample.csv", "rb").readline()
rows = open(os.environ["ROOT"] + "/samples/real/basic-company-data-sample.csv", "rb").readlines()[1:3]
rc, lines, rss2, _ = run(["--format", "bulk-csv", "--as-of", "2021-01-01"],
                         [header, rows[0]] + list(big_line(b'"HUGE', size)) + [b'"\n', rows[1]])
check(rc == 0, "bulk exit %d" % rc)
kinds = [l.get("kind") or next(iter(l)) for l in lines]
check(kinds == ["company", "reject", "company", "snapshot_end"], "bulk kinds %s" % kinds)
if len(lines) == 4:
    check(lines[1]["reason"].startswith("CSV record too long ("), lines[1]["reason"])
    check(lines[3]["snapshot_end"]["rows"] == 3, "rows %s" % lines[3])
check(rss2 < 50 * 1024 + slack, "bulk RSS %d KB with a 60 MB record (limit 50 MB)" % rss2)
print("bulk: 60 MB record -> %s, max RSS %d KB" % (kinds, rss2))

# Bulk: an opening quote that never closes across many lines: one reject
# once the record passes the cap (1 MB here), then rows after it parse.
runaway = [b'"RUNAWAY,"1"\n'] + [b"line of a field that never ends\n"] * 40000
rc, lines, _, _ = run(["--format", "bulk-csv", "--as-of", "2021-01-01", "--max-line-bytes", "1000000"],
                      [header, rows[0]] + runaway + [rows[1]])
kinds = [l.get("kind") or next(iter(l)) for l in lines]
check(rc == 0, "runaway exit %d" % rc)
check(kinds[0] == "company" and kinds[1] == "reject" and kinds[-2:] == ["company", "snapshot_end"],
      "runaway kinds start %s end %s" % (kinds[:3], kinds[-3:]))
if failures:
    print("FAIL: " + "; ".join(failures))
    sys.exit(1)
PY
echo "PASS 22_parse_hostile"
