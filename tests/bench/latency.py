#!/usr/bin/env python3
"""Latency from the fake server writing an event to ch-store committing it.

Usage: latency.py SENT_LOG STORE_LOG
SENT_LOG: "timepoint<TAB>unix_time" per event (fake server --sent-log).
STORE_LOG: ch-store's stderr at debug level; every commit line carries the
checkpoint it made durable and the wall time of the commit.
Prints p50/p99/max in milliseconds and checks p99 <= 50 ms.
"""
import datetime
import json
import sys


def commit_times(path):
    commits = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if "checkpoint" not in rec or "commit" not in rec.get("message", ""):
                continue
            if rec["checkpoint"] is None:
                continue
            if "commit_unix" in rec:
                t = float(rec["commit_unix"])
            else:
                t = datetime.datetime.strptime(rec["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                    tzinfo=datetime.timezone.utc).timestamp()
            commits.append((int(rec["checkpoint"]), t))
    return commits


def main():
    sent = []
    with open(sys.argv[1]) as f:
        for line in f:
            tp, t = line.split("\t")
            sent.append((int(tp), float(t)))
    commits = commit_times(sys.argv[2])
    latencies = []
    i = 0
    for tp, t in sent:
        while i < len(commits) and commits[i][0] < tp:
            i += 1
        if i == len(commits):
            break
        latencies.append((commits[i][1] - t) * 1000.0)
    if not latencies:
        print("latency    : no commits matched (is ch-store logging commits at debug level?)")
        return 1
    latencies.sort()
    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100.0 * len(latencies)))]
    p99 = pct(99)
    print("latency    : p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d of %d events (required p99 <= 50 ms)%s"
          % (pct(50), p99, latencies[-1], len(latencies), len(sent), "" if p99 <= 50 else "  ** OVER **"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
