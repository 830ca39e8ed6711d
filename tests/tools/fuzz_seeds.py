#!/usr/bin/env python3
"""Seed corpora for `make fuzz`, made from the bundled samples.

Usage: fuzz_seeds.py OUT_DIR

Writes OUT_DIR/event_parser_fuzz/ (one file per event line of
samples/capture.ndjson, samples/real/real-stream-events.ndjson and the real
events of every stream in samples/real/events/, each of those files whole,
and a few control, heartbeat and resource lines the samples lack),
OUT_DIR/event_timepoint_fuzz/ (response bodies: runs of capture lines, the
real events file), OUT_DIR/record_applier_fuzz/ (a few small programs of
record operations) and OUT_DIR/csv_reader_fuzz/ (each real bulk CSV whole,
the header with each row, and each row alone). Files are named by a hash of their content, as libFuzzer
names its own, so running this again adds nothing twice.
"""
import hashlib
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"

# Lines the samples lack: control lines, heartbeats, a BOM, CRLF.
EXTRA_EVENT_SEEDS = [
    b'{"gap":{"stream":"companies","after_timepoint":68805561,"reason":"timepoint-out-of-range"}}\n',
    b'{"gap":{"stream":"companies","after_timepoint":null,"reason":"started-live"}}\n',
    b'{"snapshot_end":{"stream":"companies","as_of":"2025-08-01","rows":3}}\n',
    b"\n \r\n",
    b'\xef\xbb\xbf{"resource_kind":"company-profile","resource_id":"SC123456","data":null,'
    b'"event":{"timepoint":"12","published_at":"2024-02-29 23:59:59+01:00","type":"deleted"}}\r\n',
    # Resource events: deleted without data, a URI without its slash, an
    # unknown kind, signals of filings and insolvency cases, odd values.
    b'{"resource_kind":"company-officers","resource_uri":"/company/07217743/appointments/A1",'
    b'"resource_id":"A1","event":{"timepoint":8,"published_at":"2025-01-30T05:03:05","type":"deleted"}}\n',
    b'{"resource_kind":"company-exemptions","resource_uri":"company/14438833/exemptions","resource_id":"14438833",'
    b'"data":{"exemptions":{"a":{},"b":[]}},"event":{"timepoint":2401,"published_at":"2023-11-03T22:13:03.742120Z",'
    b'"type":"changed"}}\n',
    b'{"resource_kind":"company-new-kind","resource_uri":"/company/sc1/new/1","data":{"x":[1]},'
    b'"event":{"timepoint":9,"published_at":"2024-01-01","type":"changed"}}\n',
    b'{"resource_kind":"filing-history","resource_uri":"/company/1/filing-history/T","data":{"type":" gaz1(a) ",'
    b'"date":"03/02/2009","subcategory":["voluntary",null],"pages":"3"},"event":{"timepoint":10,"type":"changed"}}\n',
    b'{"resource_kind":"filing-history","resource_uri":"/company/1/filing-history/U","data":{"type":"",'
    b'"description":"gazette-notice-compulsary"},"event":{"timepoint":11,"published_at":"x","type":"changed"}}\n',
    b'{"resource_kind":"company-insolvency","resource_uri":"/company/1/insolvency","data":{"cases":[{"number":1,'
    b'"type":"in-administration","dates":[{"date":"2024-01-02"},{"date":"2023-12-01"}]},{"type":"moratorium"},7]},'
    b'"event":{"timepoint":12,"published_at":"2024-01-03T00:00:00Z","type":"changed"}}\n',
    b'{"resource_kind":"company-psc-supersecure","resource_uri":"/company/09672611/persons-with-significant-control/'
    b'super-secure/Yb","data":{"ceased":true,"natures_of_control":[null,"x"]},"event":{"timepoint":13,'
    b'"published_at":"2024-01-03","type":"changed"}}\n',
]


def write(directory, content):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(content).hexdigest()).write_bytes(content)


def event_seeds(out):
    real = [SAMPLES / "real" / "real-stream-events.ndjson"] + sorted((SAMPLES / "real" / "events").glob("*.ndjson"))
    for path in [SAMPLES / "capture.ndjson"] + real:
        for line in path.read_bytes().splitlines(keepends=True):
            write(out, line)
    for path in real:
        write(out, path.read_bytes())
    for seed in EXTRA_EVENT_SEEDS:
        write(out, seed)


def response_seeds(out):
    # ch-fetch reads whole response bodies: runs of event lines with heartbeats.
    lines = (SAMPLES / "capture.ndjson").read_bytes().splitlines(keepends=True)
    for i in range(0, len(lines), 100):
        write(out, b"\n".join(lines[i:i + 5]) + b"\n")
    write(out, (SAMPLES / "real" / "real-stream-events.ndjson").read_bytes())
    for seed in EXTRA_EVENT_SEEDS:
        write(out, seed)


def csv_seeds(out):
    for path in sorted((SAMPLES / "real").glob("*.csv")):
        content = path.read_bytes()
        write(out, content)
        # The real rows hold no quoted line breaks, so lines are records.
        header, *rows = content.splitlines(keepends=True)
        for row in rows:
            write(out, header + row)
            write(out, row)


def applier_seeds(out):
    # Programs of 3-byte operations (ch-store/record_applier_fuzz.cc): a few
    # records of each kind around a commit and a rollback. Nothing more: the
    # fuzzer is to find the state cache's edges by itself.
    stream, bulk, commit, rollback = 0x00, 0x0B, 0x0D, 0x0F
    programs = [
        [(stream, 1, 1), (stream, 2, 2), (commit, 0, 0)],
        [(stream, 1, 1), (stream | 0xF0, 1, 0), (stream, 1, 0x0A), (commit, 0, 0)],
        [(bulk, 3, 0x21), (stream, 3, 0x22), (rollback, 0, 0), (stream | 0xD0, 0x43, 3)],
    ]
    for ops in programs:
        write(out, bytes(b for op in ops for b in op))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 64
    out = pathlib.Path(argv[1])
    event_seeds(out / "event_parser_fuzz")
    csv_seeds(out / "csv_reader_fuzz")
    response_seeds(out / "event_timepoint_fuzz")
    applier_seeds(out / "record_applier_fuzz")
    for target in ["event_parser_fuzz", "csv_reader_fuzz", "event_timepoint_fuzz",
                   "record_applier_fuzz"]:
        print(f"fuzz seeds: {target}: {len(list((out / target).iterdir()))} files in {out / target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
