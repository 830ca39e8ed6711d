#!/usr/bin/env python3
"""Fake Companies House streaming API server for chstream tests.

A loopback-only HTTP/1.1 server that replays an NDJSON capture of stream
events the way stream.companieshouse.gov.uk does (chunked body, one JSON
object per line, blank-line heartbeats, a body that never ends on its own),
plus scripted per-connection faults so end-to-end tests can exercise every
branch of a client's reconnect logic. Python 3 standard library only.

Usage
-----
  fake_stream_server.py --capture FILE --port-file PATH [options]
  fake_stream_server.py --capture NAME=FILE [--capture NAME=FILE ...]
                        --port-file PATH [--per-stream SPEC] [options]

  --host 127.0.0.1        only 127.0.0.1 is accepted (loopback only)
  --port N                port to bind (default 0 = pick a free one)
  --port-file PATH        write the bound port there (temp file + rename);
                          it appears only once the server accepts connections
  --max-lifetime SECONDS  exit 0 after this long, even with clients (120)
  --stream NAME           path served is /NAME (default companies; only
                          with the single --capture FILE form)
  --key KEY               accepted stream key (Basic auth user, empty
                          password; default testkey)
  --key-file PATH         re-read accepted keys at every request, one per
                          line (overrides --key; unreadable file = reject all)
  --capture FILE          NDJSON events served in file order (required)
  --capture NAME=FILE     repeatable: serve FILE at /NAME (several streams
                          from one server; see "Several streams" below)
  --per-stream SPEC       per-stream settings overriding the global flags
                          (grammar under "Several streams")
  --follow                poll the capture every 50 ms for appended lines
  --live-from-start       a request without timepoint gets the whole capture
                          (default: only lines appended after it connected)
  --retain-min N          timepoint < N gets 416 (every stream)
  --heartbeat SECONDS     idle time before a "\\n" heartbeat (default 30)
  --rate EVENTS_PER_SEC   0 = as fast as possible in big chunks (default 0)
  --end-after-capture     end the body cleanly (0-length chunk) once the
                          capture is exhausted instead of heartbeating forever
                          (with --follow: as soon as the client caught up;
                          a live request without --follow ends at once)
  --chunk-split           cut the body into random small chunks that split
                          lines; --seed N makes the cuts reproducible;
                          --split-delay S sleeps between those chunks
  --faults SPEC           scripted per-connection faults (grammar below)
  --log FILE              per-connection JSON lines (formats below)
  --sent-log FILE         "timepoint<TAB>unix_time" per event written
  --content-type TYPE     Content-Type of the 200 body (application/json)
  --tls-cert PEM          serve HTTPS: this certificate (chain) ...
  --tls-key PEM           ... and its private key (Python's ssl module); a
                          failed handshake is logged as phase "tls-failed"

Semantics
---------
* Capture lines: every non-empty line is served verbatim, in file order.
  A line is an *event* when it is a JSON object whose event.timepoint is a
  JSON integer; any other line is *garbage*, served where it stands. Empty
  lines in the capture are skipped (heartbeats are the server's business).
  Without --follow, a last line lacking "\\n" is served with one added;
  with --follow, a line is served only once its "\\n" has been written.
  Append to the capture (>>); do not replace it while --follow runs.
* "events" in counters and faults means capture lines sent (events and
  garbage lines alike); heartbeats and injected garbage are not counted.
* ?timepoint=N is inclusive: serving starts at the first *event* (file
  order) whose timepoint >= N, and from there every later line is served
  (garbage included, and events with smaller timepoints too, as in the
  file). If no such event exists yet, nothing is served and the connection
  heartbeats; with --follow, serving starts once such an event is appended.
  So a timepoint beyond the end of the capture is accepted (200) and idles.
* No timepoint (or an empty "timepoint="): live, i.e. only lines appended
  after the connection arrived (needs --follow to ever see anything), or the
  whole capture with --live-from-start.
* A timepoint that is not an integer gets 416; timepoint < --retain-min
  gets 416. Both have a JSON body.
* Check order: scripted status fault, path (404), method (405), auth (401),
  timepoint (416), then the 200 stream.
* Heartbeats: a "\\n" chunk whenever nothing has been written for
  --heartbeat seconds (also between slow events when --rate is low).
* Rate 0 sends up to 2000 lines / 256 KiB per chunk. Rate R > 0 sends one
  line per chunk, paced on an absolute schedule.
* Error responses (401/404/405/416/429/5xx, ...) carry Content-Length and
  "Connection: close"; 5xx bodies are gateway-like HTML, others JSON; 401 is
  exactly {"error":"Invalid Authorization"}.
* Connections are numbered 1, 2, ... in order of TCP accept. Each is
  closed after its answer (no keep-alive reuse). Any number may be open.
* At --max-lifetime or SIGTERM/SIGINT every connection is closed at once
  without a terminating chunk (logged end "lifetime") and the process exits
  0. The port file is left in place.

Several streams
---------------
  --capture NAME=FILE (repeatable) serves each FILE at /NAME from the one
  server and port, as the real service serves its nine streams; NAME is
  lower-case letters, digits and "-" (companies, filings, officers,
  insolvency-cases, persons-with-significant-control, ...). A value whose
  part before the first "=" is not such a name is a file name, so the
  single form --capture FILE keeps its meaning: FILE at /--stream (default
  /companies), every other path 404. The two forms do not mix, and --stream
  goes only with the single form.
* Any other path gets 404 (DESIGN.md: a 404 for a stream's path stops that
  stream's chain with 78, the other streams go on).
* Each stream has its own capture, timepoints, retention and follow mode.
  The global flags --follow, --live-from-start, --end-after-capture,
  --retain-min, --rate and --heartbeat apply to every stream; --per-stream
  overrides them for some:
    SPEC  := ENTRY (";" ENTRY)*
    ENTRY := NAME ":" ITEM ("," ITEM)*
    ITEM  := follow[=0|1] | live_from_start[=0|1] | end_after_capture[=0|1]
           | retain_min=N | rate=EVENTS_PER_SEC | heartbeat=SECONDS
  e.g. --per-stream 'officers:retain_min=500;filings:follow,end_after_capture=0'
  (a bare boolean item means =1). NAME must be one of the served streams.
* Requests for a path are also numbered per path (stream connection 1, 2,
  ... in the order their requests were read), so faults can target one
  stream (see the grammar below); logs carry both numbers.
* --sent-log gets a third column, the stream name, in this form.

Fault grammar (--faults)
------------------------
  SPEC     := ENTRY (";" ENTRY)*
  ENTRY    := [STREAM ":"] SELECTOR ":" ITEM ("," ITEM)*
  SELECTOR := N | N-M | "*"      connection numbers, 1-based, in order of
                                 TCP accept; "*" = every connection
  STREAM   := a stream name: the entry applies only to requests for /STREAM,
              and SELECTOR counts that path's requests (in the order they
              were read): "officers:1:status=429" = the first request for
              /officers, whatever other streams did before. Works with
              either --capture form (also for a path that is not served:
              the status fault comes first).
  ITEM     := status=CODE        answer CODE instead of the stream
            | retry_after=VALUE  add "Retry-After: VALUE" to that answer
            | close_after=N      after N events close the TCP connection
                                 without the terminating chunk ("abrupt")
            | midline            with close_after: first send the first half
                                 of the next line (as a complete chunk), then
                                 close; waits for that line with --follow,
                                 otherwise closes without it when none is left
            | reset              with close_after: close with a TCP RST
                                 (SO_LINGER 0) instead of a FIN
            | stall_after=N      after N events send nothing at all (not even
                                 heartbeats) until the client goes or the
                                 server stops
            | stall_before_headers   read the request, never answer
            | delay_headers=S    wait S seconds (float) before the status line
            | garbage_after=N    after N events inject "this is not json{{\\n"
                                 once, then carry on
            | end_after=N        after N events send the terminating chunk
                                 (clean end)
            | echo=N             an error answer's body is N bytes of "."
                                 then the request head as received and the
                                 key in clear ("key: K"), as a careless
                                 proxy's error page might be
  Entries apply in the order given; for a connection matched by several
  entries, a later entry's items override earlier ones with the same key.
  Counts are capture lines sent on that connection (see "events" above).
  When several trigger at the same count, the first of end_after,
  close_after, stall_after, garbage_after wins. retry_after is also sent
  on a 200 answer when given. A status fault answers that code whatever
  the path, key or timepoint (status=200 streams even with a bad key).
  Examples: "1:status=401"  "2:status=429,retry_after=2"  "4:status=503"
  "5:close_after=10"  "6:close_after=10,midline"  "*:status=401"
  "3-5:end_after=20;9:garbage_after=3,end_after=6"
  "officers:1:status=429,retry_after=1;officers:2:close_after=10;*:end_after=50"

Log formats
-----------
--log FILE, one JSON object per line, flushed per line:
  start (after the request has been read; none if it never was):
    {"phase":"start","conn":N,"t":ACCEPT_TIME,"path":"/companies",
     "timepoint":N|null,"auth_ok":bool,"status":PLANNED_CODE|null,
     "faults":{...},"stream_conn":N}
  end (when the server is done with the connection; after an error answer
  it waits up to 0.5 s for the client to close first):
    {"phase":"end","conn":N,"t":END_TIME,"t_start":ACCEPT_TIME,
     "path":...,"timepoint":N|null,"auth_ok":bool|null,"status":CODE|null,
     "events_sent":N,"bytes_sent":N,"heartbeats":N,"last_timepoint":N|null,
     "end":"clean"|"abrupt"|"client-closed"|"lifetime","stream_conn":N|null}
  tls-failed (with --tls-cert, instead of start and end, when the TLS
  handshake failed: no request was read):
    {"phase":"tls-failed","conn":N,"t":ACCEPT_TIME,"error":"..."}
  times are unix seconds (float); status is null when no status line was
  sent; bytes_sent counts every byte written (headers, chunk framing);
  "timepoint_raw" is added when the query value was not an integer;
  stream_conn is the request's number among requests for its path (null
  when no request was read).
  end: clean = error answer or terminating chunk sent; abrupt = closed by a
  close_after fault; client-closed = client went away (EOF or write error);
  lifetime = server shutting down (max lifetime or signal).
--sent-log FILE: "TIMEPOINT\\tUNIX_TIME\\n" for each event (not garbage)
  right after the write carrying it returned; flushed per write. With
  --capture NAME=FILE: "TIMEPOINT\\tUNIX_TIME\\tNAME\\n".
"""

import argparse
import array
import base64
import json
import os
import random
import re
import select
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

GARBAGE_LINE = b"this is not json{{\n"
BATCH_LINES = 2000
BATCH_BYTES = 256 * 1024
POLL = 0.05
NO_TP = -(2 ** 63)

# Quick pre-scan for event.timepoint; a hit is confirmed with json.loads
# only when the line matters (start position, sent-log), so loading a large
# capture stays fast. Lines without a hit are checked with json.loads at once.
TP_RE = re.compile(rb'"event"\s*:\s*\{[^{}]*?"timepoint"\s*:\s*(-?\d+)(?![\d.eE])')

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 416: "Requested Range Not Satisfiable",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


def log(msg):
    sys.stderr.write("fake_stream_server: %s\n" % msg)
    sys.stderr.flush()


# ---------------------------------------------------------------- faults

FAULT_INT_KEYS = ("status", "close_after", "stall_after", "garbage_after", "end_after", "echo")
FAULT_FLAGS = ("midline", "reset", "stall_before_headers")


def parse_faults(spec):
    """Returns a list of (lo, hi, items, stream); hi None means unbounded
    ("*"); stream None means every path, counted by TCP accept."""
    rules = []
    if not spec:
        return rules
    for entry in spec.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        if ":" not in entry:
            raise ValueError("fault entry without ':': %r" % entry)
        sel, body = entry.split(":", 1)
        sel = sel.strip()
        stream = None
        if STREAM_NAME_RE.match(sel) and not SELECTOR_RE.match(sel):
            stream = sel
            if ":" not in body:
                raise ValueError("fault entry without a selector after %r" % stream)
            sel, body = body.split(":", 1)
            sel = sel.strip()
        if sel == "*":
            lo, hi = 1, None
        elif "-" in sel:
            a, b = sel.split("-", 1)
            lo, hi = int(a), int(b)
        else:
            lo = hi = int(sel)
        if lo < 1 or (hi is not None and hi < lo):
            raise ValueError("bad connection selector %r" % sel)
        items = {}
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                k, v = item.split("=", 1)
                k, v = k.strip(), v.strip()
                if k in FAULT_INT_KEYS:
                    items[k] = int(v)
                    if items[k] < 0:
                        raise ValueError("negative value in %r" % item)
                elif k == "retry_after":
                    items[k] = v
                elif k == "delay_headers":
                    items[k] = float(v)
                else:
                    raise ValueError("unknown fault %r" % k)
            elif item in FAULT_FLAGS:
                items[item] = True
            else:
                raise ValueError("unknown fault %r" % item)
        rules.append((lo, hi, items, stream))
    return rules


def faults_for(rules, conn, stream=None, stream_conn=None):
    """The faults of connection conn; with stream (the requested path's
    name) and stream_conn, also those of the entries for that stream."""
    out = {}
    for lo, hi, items, only in rules:
        n = conn if only is None else stream_conn
        if only is not None and (only != stream or n is None):
            continue
        if n >= lo and (hi is None or n <= hi):
            out.update(items)
    return out


# ---------------------------------------------------------------- streams

STREAM_NAME_RE = re.compile(r"[a-z][a-z0-9-]*\Z")
SELECTOR_RE = re.compile(r"(\*|\d+|\d+-\d+)\Z")
STREAM_BOOL_KEYS = ("follow", "live_from_start", "end_after_capture")
STREAM_NUM_KEYS = {"retain_min": int, "rate": float, "heartbeat": float}


def parse_captures(values, stream):
    """--capture values -> ({name: file}, multi). The single form FILE
    serves FILE at /stream; NAME=FILE values serve several streams."""
    named, plain = {}, []
    for v in values:
        name, sep, path = v.partition("=")
        if sep and STREAM_NAME_RE.match(name):
            if name in named:
                raise ValueError("stream %r given twice" % name)
            if not path:
                raise ValueError("no file for stream %r" % name)
            named[name] = path
        else:
            plain.append(v)
    if plain and named:
        raise ValueError("--capture FILE and --capture NAME=FILE do not mix")
    if len(plain) > 1:
        raise ValueError("--capture FILE given %d times (use NAME=FILE)" % len(plain))
    if named:
        if stream is not None:
            raise ValueError("--stream goes with the single --capture FILE form")
        return named, True
    return {stream or "companies": plain[0]}, False


def parse_per_stream(spec, served):
    """--per-stream SPEC -> {name: {key: value}}."""
    out = {}
    for entry in (spec or "").split(";"):
        entry = entry.strip()
        if not entry:
            continue
        name, sep, body = entry.partition(":")
        name = name.strip()
        if not sep or not STREAM_NAME_RE.match(name):
            raise ValueError("entry %r: want NAME:ITEM,..." % entry)
        if name not in served:
            raise ValueError("stream %r is not served (no --capture for it)" % name)
        items = out.setdefault(name, {})
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            k, sep, v = item.partition("=")
            k, v = k.strip(), v.strip()
            if k in STREAM_BOOL_KEYS:
                if sep and v not in ("0", "1"):
                    raise ValueError("%s wants 0 or 1, got %r" % (k, v))
                items[k] = not sep or v == "1"
            elif k in STREAM_NUM_KEYS and sep:
                items[k] = STREAM_NUM_KEYS[k](v)
                if items[k] < 0:
                    raise ValueError("negative value in %r" % item)
            else:
                raise ValueError("unknown item %r" % item)
    return out


class StreamOptions:
    """What one path serves and how: the global flags, overridden by its
    --per-stream items."""

    def __init__(self, args, name, items):
        self.name = name
        self.follow = args.follow
        self.live_from_start = args.live_from_start
        self.end_after_capture = args.end_after_capture
        self.retain_min = args.retain_min
        self.rate = args.rate
        self.heartbeat = args.heartbeat
        for k, v in items.items():
            setattr(self, k, v)


# ---------------------------------------------------------------- capture

class Capture:
    """Index of capture lines: offset, length and quick timepoint per line.

    Bodies are read back with os.pread, so contiguous lines go out as one
    read and memory stays small for large captures.
    """

    def __init__(self, path, follow):
        self.path = path
        self.follow = follow
        self.fd = os.open(path, os.O_RDONLY)
        self.off = array.array("q")
        self.ln = array.array("q")
        self.tp = array.array("q")
        self.state = bytearray()  # 0 unverified, 1 event, 2 garbage
        self.count = 0            # published number of lines
        self.scan_pos = 0         # file offset up to which lines are indexed
        self.nl_fix = -1          # index of a final line lacking "\n"
        self.lock = threading.Lock()
        self.load(final=not follow)

    def load(self, final=False):
        """Indexes complete lines past scan_pos; with final, also a last
        line that lacks its "\\n"."""
        size = os.fstat(self.fd).st_size
        if size < self.scan_pos:
            log("capture shrank; ignoring (append only)")
            return
        pos = self.scan_pos
        blk = 8 << 20
        while pos < size:
            block = os.pread(self.fd, min(blk, size - pos), pos)
            if not block:
                break
            last_nl = block.rfind(b"\n")
            if last_nl < 0:
                if pos + len(block) < size:
                    blk *= 2  # a line longer than the block: read more
                    continue
                if final:
                    self._add(pos, block, nl=False)
                    pos += len(block)
                break
            off = pos
            for body in block[:last_nl].split(b"\n"):
                self._add(off, body, nl=True)
                off += len(body) + 1
            pos += last_nl + 1
            blk = 8 << 20
        self.scan_pos = pos
        with self.lock:
            self.count = len(self.off)

    def _add(self, off, body, nl):
        if not body.strip(b"\r"):
            return  # empty line: skipped
        m = TP_RE.search(body)
        if m:
            tp, st = int(m.group(1)), 0
        else:
            tp = self._parse(body)
            st = 2 if tp is None else 1
            if tp is None:
                tp = NO_TP
        self.off.append(off)
        self.ln.append(len(body) + (1 if nl else 0))
        self.tp.append(tp)
        self.state.append(st)
        if not nl:
            self.nl_fix = len(self.off) - 1

    @staticmethod
    def _parse(body):
        try:
            obj = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        if not isinstance(obj, dict):
            return None
        ev = obj.get("event")
        if not isinstance(ev, dict):
            return None
        tp = ev.get("timepoint")
        if type(tp) is not int:
            return None
        return tp

    def line(self, i):
        data = os.pread(self.fd, self.ln[i], self.off[i])
        if i == self.nl_fix:
            data += b"\n"
        return data

    def event_tp(self, i):
        """Timepoint of line i when it is an event, else None."""
        st = self.state[i]
        if st == 0:
            body = self.line(i).rstrip(b"\n")
            tp = self._parse(body)
            if tp is None:
                self.state[i] = 2
                self.tp[i] = NO_TP
            else:
                self.state[i] = 1
                self.tp[i] = tp
            st = self.state[i]
        return self.tp[i] if st == 1 else None

    def read_range(self, a, b):
        """Bytes of lines [a, b), merging file-contiguous runs into one read."""
        parts = []
        i = a
        while i < b:
            j = i
            end = self.off[i] + self.ln[i]
            while j + 1 < b and self.off[j + 1] == end and j != self.nl_fix:
                j += 1
                end = self.off[j] + self.ln[j]
            parts.append(os.pread(self.fd, end - self.off[i], self.off[i]))
            if j == self.nl_fix:
                parts.append(b"\n")
            i = j + 1
        return b"".join(parts)

    def poll_forever(self, stop):
        while not stop.wait(POLL):
            try:
                self.load()
            except OSError as e:
                log("capture poll failed: %s" % e)


# ---------------------------------------------------------------- server

class Stopping(Exception):
    pass


class ClientGone(Exception):
    pass


class Server:
    def __init__(self, args):
        self.args = args
        self.rules = parse_faults(args.faults)
        files, self.multi = parse_captures(args.capture, args.stream)
        per = parse_per_stream(args.per_stream, files)
        self.opts = {n: StreamOptions(args, n, per.get(n, {})) for n in files}
        self.captures = {n: Capture(f, self.opts[n].follow) for n, f in files.items()}
        # The single form's one capture, under its old name.
        self.capture = next(iter(self.captures.values()))
        self.path_seq = {}
        self.stop = threading.Event()
        self.conn_lock = threading.Lock()
        self.conn_seq = 0
        self.open_socks = {}
        self.threads = []
        self.log_lock = threading.Lock()
        self.log_f = open(args.log, "a") if args.log else None
        self.sent_f = open(args.sent_log, "a") if args.sent_log else None
        self.tls = None
        if args.tls_cert:
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(args.tls_cert, args.tls_key)

    def write_log(self, rec):
        if not self.log_f:
            return
        line = json.dumps(rec, separators=(",", ":")) + "\n"
        with self.log_lock:
            self.log_f.write(line)
            self.log_f.flush()

    def write_sent(self, tps, t, stream=None):
        if not self.sent_f or not tps:
            return
        tail = "\t%s\n" % stream if self.multi else "\n"
        with self.log_lock:
            self.sent_f.write("".join("%d\t%.6f%s" % (tp, t, tail) for tp in tps))
            self.sent_f.flush()

    def next_stream_conn(self, name):
        """Numbers the requests for one path: 1, 2, ..."""
        with self.conn_lock:
            self.path_seq[name] = self.path_seq.get(name, 0) + 1
            return self.path_seq[name]

    def accepted_keys(self):
        if not self.args.key_file:
            return {self.args.key}
        try:
            with open(self.args.key_file) as f:
                return {l.strip() for l in f if l.strip()}
        except OSError as e:
            log("cannot read key file: %s" % e)
            return set()

    def serve(self):
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", self.args.port))
        lsock.listen(64)
        lsock.settimeout(POLL * 2)
        port = lsock.getsockname()[1]
        if self.args.port_file:
            tmp = "%s.tmp.%d" % (self.args.port_file, os.getpid())
            with open(tmp, "w") as f:
                f.write("%d\n" % port)
            os.rename(tmp, self.args.port_file)
        log("listening on 127.0.0.1:%d (%s, lifetime %gs)"
            % (port, ", ".join("/%s: capture %d lines" % (n, c.count)
                               for n, c in self.captures.items()), self.args.max_lifetime))
        for name, cap in self.captures.items():
            if self.opts[name].follow:
                t = threading.Thread(target=cap.poll_forever, args=(self.stop,), daemon=True)
                t.start()
        acceptor = threading.Thread(target=self.accept_loop, args=(lsock,), daemon=True)
        acceptor.start()
        deadline = time.monotonic() + self.args.max_lifetime
        while not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                log("max lifetime reached")
                break
            self.stop.wait(min(left, 0.2))
        self.stop.set()
        acceptor.join(1)
        try:
            lsock.close()
        except OSError:
            pass
        with self.conn_lock:
            socks = list(self.open_socks.values())
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        end_by = time.monotonic() + 3
        for t in list(self.threads):
            t.join(max(0.0, end_by - time.monotonic()))
        log("exiting")
        return 0

    def accept_loop(self, lsock):
        while not self.stop.is_set():
            try:
                sock, _ = lsock.accept()
            except socket.timeout:
                continue
            except OSError as e:
                if self.stop.is_set():
                    return
                log("accept failed: %s" % e)
                time.sleep(POLL)
                continue
            sock.settimeout(None)
            with self.conn_lock:
                self.conn_seq += 1
                n = self.conn_seq
                self.open_socks[n] = sock
            t = threading.Thread(target=self.handle, args=(sock, n), daemon=True)
            self.threads = [x for x in self.threads if x.is_alive()]
            self.threads.append(t)
            t.start()

    def handshake(self, sock, n):
        """The TLS handshake of connection n (in its own thread, so that a
        client that stalls in it blocks nobody); None when it failed."""
        t = time.time()
        try:
            sock.settimeout(5)
            tls_sock = self.tls.wrap_socket(sock, server_side=True)
            tls_sock.settimeout(None)
        except (OSError, ValueError) as e:
            self.write_log({"phase": "tls-failed", "conn": n, "t": t, "error": str(e)})
            log("conn %d: TLS handshake failed: %s" % (n, e))
            try:
                sock.close()
            except OSError:
                pass
            with self.conn_lock:
                self.open_socks.pop(n, None)
            return None
        with self.conn_lock:
            self.open_socks[n] = tls_sock
        return tls_sock

    def handle(self, sock, n):
        if self.tls:
            sock = self.handshake(sock, n)
            if sock is None:
                return
        c = Connection(self, sock, n)
        try:
            c.run()
        except Exception as e:  # a bug here must not kill the server
            log("conn %d: internal error: %r" % (n, e))
            c.end = c.end or "abrupt"
        finally:
            with self.conn_lock:
                self.open_socks.pop(n, None)
            c.finish()


class Connection:
    def __init__(self, server, sock, n):
        self.srv = server
        self.args = server.args
        self.cap = server.capture
        self.opts = next(iter(server.opts.values()))
        self.stream_conn = None
        self.sock = sock
        self.n = n
        self.t_start = time.time()
        self.faults = faults_for(server.rules, n)
        self.path = None
        self.raw_head = b""
        self.user = ""
        self.timepoint = None
        self.timepoint_raw = None
        self.auth_ok = None
        self.status = None
        self.events_sent = 0
        self.bytes_sent = 0
        self.heartbeats = 0
        self.last_tp = None
        self.end = None
        self.closed = False
        self.last_write = time.monotonic()
        self.rng = random.Random("%s/%d" % (self.args.seed, n))
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    # -- I/O helpers

    def check_stop(self):
        if self.srv.stop.is_set():
            raise Stopping()

    def send(self, data):
        self.check_stop()
        try:
            self.sock.sendall(data)
        except OSError:
            if self.srv.stop.is_set():
                raise Stopping()
            raise ClientGone()
        self.bytes_sent += len(data)
        self.last_write = time.monotonic()

    def send_chunk(self, data):
        if not data:
            return
        if self.args.chunk_split and len(data) > 1:
            pieces = self.split(data)
            for k, p in enumerate(pieces):
                self.send(b"%x\r\n%s\r\n" % (len(p), p))
                if self.args.split_delay > 0 and k + 1 < len(pieces):
                    self.sleep(self.args.split_delay)
        else:
            self.send(b"%x\r\n%s\r\n" % (len(data), data))

    def split(self, data):
        nlines = max(1, data.count(b"\n"))
        avg = max(2, len(data) // nlines)
        pieces, pos = [], 0
        while pos < len(data):
            k = self.rng.randint(1, max(1, int(avg * 1.5)))
            pieces.append(data[pos:pos + k])
            pos += k
        return pieces

    def sleep(self, seconds):
        """Waits up to seconds; raises on server stop or client EOF."""
        end = time.monotonic() + seconds
        while True:
            self.check_stop()
            left = end - time.monotonic()
            if left <= 0:
                return
            self.wait_readable(min(left, POLL))

    def wait_readable(self, timeout):
        try:
            r, _, _ = select.select([self.sock], [], [], timeout)
        except (OSError, ValueError):
            raise ClientGone()
        if r:
            try:
                data = self.sock.recv(65536)
            except OSError:
                if self.srv.stop.is_set():
                    raise Stopping()
                raise ClientGone()
            if not data:
                if self.srv.stop.is_set():
                    raise Stopping()
                raise ClientGone()

    # -- request

    def read_request(self):
        buf = b""
        while b"\r\n\r\n" not in buf and b"\n\n" not in buf:
            self.check_stop()
            # (TLS: bytes already decrypted wait in the socket, unseen by select)
            pending = self.sock.pending() if hasattr(self.sock, "pending") else 0
            r, _, _ = select.select([self.sock], [], [], 0 if pending else POLL)
            if not r and not pending:
                continue
            try:
                data = self.sock.recv(65536)
            except OSError:
                raise ClientGone()
            if not data:
                raise ClientGone()
            buf += data
            if len(buf) > 65536:
                return None
        head = buf.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        self.raw_head = head
        lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
        parts = lines[0].split()
        if len(parts) != 3:
            return None
        headers = {}
        for l in lines[1:]:
            if ":" in l:
                k, v = l.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        return parts[0], parts[1], headers

    def check_auth(self, headers):
        h = headers.get("authorization", "")
        scheme, _, cred = h.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, sep, pw = base64.b64decode(cred.strip(), validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        self.user = user
        return bool(sep) and pw == "" and user in self.srv.accepted_keys()

    def respond_error(self, code, extra_headers=()):
        reason = REASONS.get(code, "Error")
        if code == 401:
            body, ctype = b'{"error":"Invalid Authorization"}', "application/json"
        elif 500 <= code <= 599:
            body = ("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n"
                    "<center><h1>%d %s</h1></center>\r\n<hr><center>awselb/2.0</center>\r\n"
                    "</body>\r\n</html>\r\n" % (code, reason, code, reason)).encode()
            ctype = "text/html"
        else:
            msg = {416: "Requested timepoint is not available",
                   404: "Not Found", 405: "Method Not Allowed",
                   429: "Too Many Requests", 400: "Bad Request"}.get(code, reason)
            body, ctype = json.dumps({"error": msg}).encode(), "application/json"
        if "echo" in self.faults:
            body = (b"." * self.faults["echo"] + self.raw_head + b"\r\nkey: "
                    + self.user.encode("utf-8") + b"\r\n")
            ctype = "text/plain"
        hdr = ["HTTP/1.1 %d %s" % (code, reason), "Content-Type: %s" % ctype,
               "Content-Length: %d" % len(body), "Connection: close",
               "Server: fake-ch-stream", "X-Fake-Conn: %d" % self.n]
        hdr.extend(extra_headers)
        self.status = code
        self.send(("\r\n".join(hdr) + "\r\n\r\n").encode("latin-1") + body)
        self.end = "clean"
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        # Give the client a moment to read the answer and close first, so
        # our close is never an RST from bytes it sent meanwhile.
        try:
            self.sleep(0.5)
        except (ClientGone, Stopping):
            pass

    # -- main

    def run(self):
        try:
            self.serve()
        except Stopping:
            self.end = "lifetime"
        except ClientGone:
            self.end = "client-closed"

    def start_log(self, planned):
        rec = {"phase": "start", "conn": self.n, "t": self.t_start, "path": self.path,
               "timepoint": self.timepoint, "auth_ok": self.auth_ok, "status": planned,
               "faults": self.faults, "stream_conn": self.stream_conn}
        if self.timepoint_raw is not None:
            rec["timepoint_raw"] = self.timepoint_raw
        self.srv.write_log(rec)

    def serve(self):
        req = self.read_request()
        if req is None:
            self.start_log(400)
            self.respond_error(400)
            return
        method, target, headers = req
        u = urllib.parse.urlsplit(target)
        self.path = u.path
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        tp_bad = False
        if q.get("timepoint", [""])[0] != "":
            raw = q["timepoint"][0]
            try:
                self.timepoint = int(raw, 10)
            except ValueError:
                self.timepoint_raw = raw
                tp_bad = True
        self.auth_ok = self.check_auth(headers)
        name = self.path[1:]
        self.stream_conn = self.srv.next_stream_conn(name)
        self.faults = faults_for(self.srv.rules, self.n, name, self.stream_conn)
        served = self.path.startswith("/") and name in self.srv.captures
        if served:
            self.cap, self.opts = self.srv.captures[name], self.srv.opts[name]
        f = self.faults
        if "status" in f:
            planned = f["status"]
        elif not served:
            planned = 404
        elif method != "GET":
            planned = 405
        elif not self.auth_ok:
            planned = 401
        elif tp_bad or (self.timepoint is not None and self.opts.retain_min is not None
                        and self.timepoint < self.opts.retain_min):
            planned = 416
        else:
            planned = 200
        if f.get("stall_before_headers"):
            planned = None
        self.start_log(planned)
        if planned is None:
            while True:
                self.sleep(3600)
        if f.get("delay_headers"):
            self.sleep(f["delay_headers"])
        if planned != 200:
            extra = []
            if "retry_after" in f:
                extra.append("Retry-After: %s" % f["retry_after"])
            self.respond_error(planned, extra)
            return
        self.stream()

    def stream(self):
        a, f = self.opts, self.faults
        self.status = 200
        hdr = ("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n"
               "Server: fake-ch-stream\r\nX-Fake-Conn: %d\r\n" % (self.args.content_type, self.n))
        if "retry_after" in f:
            hdr += "Retry-After: %s\r\n" % f["retry_after"]
        self.send((hdr + "\r\n").encode("latin-1"))

        cap = self.cap
        if self.timepoint is not None:
            idx, started = 0, False
        elif a.live_from_start:
            idx, started = 0, True
        else:
            idx, started = cap.count, True
        garbage_done = False
        interval = 1.0 / a.rate if a.rate > 0 else 0.0
        next_due = time.monotonic()

        while True:
            self.check_stop()
            count = cap.count
            if not started:
                while idx < count:
                    tp = cap.event_tp(idx)
                    if tp is not None and tp >= self.timepoint:
                        started = True
                        break
                    idx += 1
            ev = self.events_sent
            if "end_after" in f and ev >= f["end_after"]:
                self.finish_clean()
                return
            if "close_after" in f and ev >= f["close_after"]:
                if f.get("midline"):
                    if started and idx < count:
                        line = cap.line(idx)
                        self.send_chunk(line[:len(line) // 2])
                    elif a.follow:
                        self.idle_wait()
                        continue
                self.close_abruptly(f.get("reset", False))
                return
            if "stall_after" in f and ev >= f["stall_after"]:
                while True:
                    self.sleep(3600)
            if "garbage_after" in f and not garbage_done and ev >= f["garbage_after"]:
                self.send_chunk(GARBAGE_LINE)
                garbage_done = True
                continue

            if started and idx < count:
                if interval:
                    now = time.monotonic()
                    if now < next_due:
                        self.idle_wait(next_due - now)
                        continue
                    next_due = max(next_due + interval, now - interval)
                    limit = 1
                else:
                    limit = BATCH_LINES
                for key in ("end_after", "close_after", "stall_after"):
                    if key in f:
                        limit = min(limit, f[key] - ev)
                if "garbage_after" in f and not garbage_done:
                    limit = min(limit, f["garbage_after"] - ev)
                b = idx
                nbytes = 0
                while b < count and b - idx < limit and nbytes < BATCH_BYTES:
                    nbytes += cap.ln[b]
                    b += 1
                data = cap.read_range(idx, b)
                self.send_chunk(data)
                if self.srv.sent_f:
                    t = time.time()
                    tps = [tp for tp in map(cap.event_tp, range(idx, b)) if tp is not None]
                    self.srv.write_sent(tps, t, self.opts.name)
                    if tps:
                        self.last_tp = tps[-1]
                else:
                    for i in range(b - 1, idx - 1, -1):
                        if cap.state[i] != 2:
                            self.last_tp = cap.tp[i]
                            break
                self.events_sent += b - idx
                idx = b
                continue

            if a.end_after_capture and (idx >= count or not started):
                self.finish_clean()
                return
            self.idle_wait()

    def idle_wait(self, max_wait=None):
        """Sends a heartbeat when due, else waits a little for news."""
        hb = self.opts.heartbeat
        since = time.monotonic() - self.last_write
        if hb > 0 and since >= hb:
            self.send_chunk(b"\n")
            self.heartbeats += 1
            return
        w = POLL
        if hb > 0:
            w = min(w, hb - since)
        if max_wait is not None:
            w = min(w, max_wait)
        self.wait_readable(max(w, 0.0))

    def finish_clean(self):
        self.send(b"0\r\n\r\n")
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.end = "clean"

    def close_abruptly(self, reset):
        if reset:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True
        self.end = "abrupt"

    def finish(self):
        if not self.closed:
            try:
                self.sock.close()
            except OSError:
                pass
        if self.end is None:
            self.end = "lifetime" if self.srv.stop.is_set() else "client-closed"
        rec = {"phase": "end", "conn": self.n, "t": time.time(), "t_start": self.t_start,
               "path": self.path, "timepoint": self.timepoint, "auth_ok": self.auth_ok,
               "status": self.status, "events_sent": self.events_sent,
               "bytes_sent": self.bytes_sent, "heartbeats": self.heartbeats,
               "last_timepoint": self.last_tp, "end": self.end, "stream_conn": self.stream_conn}
        if self.timepoint_raw is not None:
            rec["timepoint_raw"] = self.timepoint_raw
        self.srv.write_log(rec)
        log("conn %d: %s status=%s events=%d end=%s" % (self.n, self.path, self.status,
                                                        self.events_sent, self.end))


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="fake_stream_server.py",
        description=__doc__.split("\nUsage", 1)[0].strip(),
        epilog=__doc__[__doc__.index("Semantics"):],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="must be 127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = pick a free port (default)")
    p.add_argument("--port-file", help="write the bound port here (atomic rename)")
    p.add_argument("--max-lifetime", type=float, default=120.0, help="seconds (default 120)")
    p.add_argument("--stream", help="stream name (default companies; single --capture form)")
    p.add_argument("--key", default="testkey", help="accepted key (default testkey)")
    p.add_argument("--key-file", help="re-read accepted keys from here at each request")
    p.add_argument("--capture", required=True, action="append",
                   help="NDJSON capture file, or NAME=FILE (repeatable) for several streams")
    p.add_argument("--per-stream", default="", help="per-stream settings, see below")
    p.add_argument("--follow", action="store_true", help="stream lines appended to the capture")
    p.add_argument("--live-from-start", action="store_true",
                   help="no timepoint = whole capture (default: appended lines only)")
    p.add_argument("--retain-min", type=int, help="timepoint below this gets 416")
    p.add_argument("--heartbeat", type=float, default=30.0, help="idle seconds per heartbeat (30)")
    p.add_argument("--rate", type=float, default=0.0, help="events/s, 0 = unlimited (default)")
    p.add_argument("--end-after-capture", action="store_true",
                   help="clean end once the capture is exhausted")
    p.add_argument("--chunk-split", action="store_true", help="split lines across chunks")
    p.add_argument("--seed", default="0", help="seed for --chunk-split (default 0)")
    p.add_argument("--split-delay", type=float, default=0.0,
                   help="seconds between split chunks (default 0)")
    p.add_argument("--faults", default="", help="per-connection faults, see below")
    p.add_argument("--log", help="per-connection JSON log (append)")
    p.add_argument("--sent-log", help="timepoint<TAB>time per event written (append)")
    p.add_argument("--content-type", default="application/json")
    p.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", help="the private key of --tls-cert (PEM)")
    a = p.parse_args(argv)
    if bool(a.tls_cert) != bool(a.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if a.host != "127.0.0.1":
        p.error("refusing --host %s: loopback 127.0.0.1 only" % a.host)
    if a.max_lifetime <= 0 or a.rate < 0 or a.heartbeat < 0 or a.split_delay < 0:
        p.error("--max-lifetime must be > 0; --rate, --heartbeat, --split-delay >= 0")
    try:
        parse_faults(a.faults)
    except ValueError as e:
        p.error("--faults: %s" % e)
    try:
        files, _ = parse_captures(a.capture, a.stream)
        parse_per_stream(a.per_stream, files)
    except ValueError as e:
        p.error("--capture/--per-stream: %s" % e)
    return a


def main(argv):
    args = parse_args(argv)
    try:
        srv = Server(args)
    except OSError as e:
        log("cannot start: %s" % e)
        return 1

    def on_signal(signum, _frame):
        log("signal %d: stopping" % signum)
        srv.stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    rc = srv.serve()
    sys.stderr.flush()
    # Daemon threads stuck past the grace period must not delay the exit.
    os._exit(rc)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
