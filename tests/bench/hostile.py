#!/usr/bin/env python3
"""Writes a hostile capture to stdout: the good lines of CAPTURE (first 2000)
with hostile lines between them (a 60 MB line, 200,000-deep nesting, invalid
UTF-8, NUL bytes, a BOM, CRLF, trailing garbage, overflowing and mistyped
numbers, wrong types). Used by make bench for peak RSS; the e2e tests build
their own smaller hostile inputs."""
import sys


def main():
    with open(sys.argv[1], "rb") as f:
        good = [next(f) for _ in range(2000)]
    base = good[0].rstrip(b"\n")
    hostile = [
        b'{"resource_kind":"company-profile","data":{"company_name":"' + b"A" * (60 << 20) + b'"}}',
        b"[" * 200000 + b"]" * 200000,
        b'{"a":"\xff\xfe bad utf-8"}',
        b"\xc3\x28 outside a string",
        b'{"resource_kind":"company-profile",\x00"x":1}',
        b"\xef\xbb\xbf" + base,
        base + b"\r",
        base + b" trailing garbage",
        base.replace(b'"timepoint":', b'"timepoint":1e30,"x":'),
        base.replace(b'"timepoint":', b'"timepoint":-5,"x":'),
        base.replace(b'"timepoint":', b'"timepoint":"abc","x":'),
        b'{"resource_kind":"company-profile","data":[1,2,3],"event":{"timepoint":1,"type":"changed","published_at":"2023-01-01T00:00:00"}}',
        base.replace(b'"company_number":"', b'"company_number":12345,"x":"'),
        base.replace(b'"type":"changed"', b'"type":"exploded"'),
    ]
    out = sys.stdout.buffer
    step = len(good) // len(hostile)
    for i, line in enumerate(good):
        out.write(line)
        if i % step == 0 and i // step < len(hostile):
            out.write(hostile[i // step] + b"\n")


if __name__ == "__main__":
    main()
