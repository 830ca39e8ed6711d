#!/usr/bin/env bash
# 49_fetch_tls: ch-fetch over real TLS (issue 16, items 6 and 7), against
# the fake server wrapped in Python's ssl module, with a private CA that
# openssl makes here.
# - Flow: with CH_CACERT naming the CA, events arrive over https, and the
#   stream resumes exactly where it was across a server restart.
# - Cut off: a peer that closes or resets the connection during the
#   handshake is a network error, retried quietly, not a TLS problem.
# - Refusals: a CA that did not sign the certificate, a certificate for
#   another host name, an expired certificate, and no CH_CACERT at all (the
#   system store does not know our CA) are each refused: an error line
#   naming the reason, no request ever sent (so never the key), no event,
#   no fallback (ch-fetch keeps trying the same https URL), and
#   ch-store status names the TLS failure.
# - A CH_CACERT that is a directory or not a PEM bundle is exit 78 at start,
#   one line naming the variable, before any connection.
set -euo pipefail
. "$(dirname "$0")/fetch_lib.sh"

readonly FIRST=68805561
make_capture "${WORK}/capture.ndjson" "${FIRST}" $((FIRST + 299))
PKI="${WORK}/pki"
mkdir "${PKI}"

# ---------------------------------------------------------------- PKI

# key NAME: a P-256 private key PKI/NAME.key.
key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "${PKI}/$1.key" 2>/dev/null
}
# ca NAME: a self-signed CA PKI/NAME.pem.
ca() {
  key "$1"
  openssl req -x509 -new -key "${PKI}/$1.key" -out "${PKI}/$1.pem" -days 2 \
    -subj "/CN=chstream test $1" 2>/dev/null
}
# leaf NAME CA DAYS SAN: a server certificate PKI/NAME.pem signed by CA,
# valid DAYS (-1: it expired yesterday) for the subjectAltName SAN.
leaf() {
  key "$1"
  openssl req -new -key "${PKI}/$1.key" -out "${PKI}/$1.csr" -subj "/CN=$1" 2>/dev/null
  printf 'subjectAltName=%s\n' "$4" >"${PKI}/$1.ext"
  openssl x509 -req -in "${PKI}/$1.csr" -CA "${PKI}/$2.pem" -CAkey "${PKI}/$2.key" \
    -CAcreateserial -out "${PKI}/$1.pem" -days "$3" -extfile "${PKI}/$1.ext" 2>/dev/null
}
ca ca
ca other-ca
leaf good ca 2 "DNS:localhost,IP:127.0.0.1"
leaf wrong-host ca 2 "DNS:stream.example.org"
leaf expired ca -1 "DNS:localhost,IP:127.0.0.1"
openssl x509 -in "${PKI}/expired.pem" -noout -checkend 0 >/dev/null 2>&1 &&
  fail "the expired certificate is not expired"

# tls_server NAME CERT ARGS...: the fake server over TLS with PKI/CERT.pem.
tls_server() {
  local name="$1" cert="$2"
  shift 2
  start_server "${name}" --capture "${WORK}/capture.ndjson" --heartbeat 0.5 \
    --tls-cert "${PKI}/${cert}.pem" --tls-key "${PKI}/${cert}.key" "$@"
}
# tls_fetch NAME ARGS...: ch-fetch against https://localhost:PORT.
tls_fetch() {
  local name="$1"
  shift
  CH_STREAM_KEY="${KEY:-testkey}" "${FETCH}" --url "https://localhost:${PORT}" "$@" \
    >"${WORK}/${name}.out" 2>"${WORK}/${name}.err" &
  FETCH_PID=$!
  PIDS+=("${FETCH_PID}")
}

# ---------------------------------------------------------------- flow

tls_server up1 good --rate 200
up1_pid="${PIDS[-1]}"
tls_fetch flow --timepoint "${FIRST}" --cacert "${PKI}/ca.pem" --backoff-initial 0.1 --backoff-max 0.3
wait_until 15 has_lines "${WORK}/flow.out" 50 || fail "flow: no events over TLS"
# The server goes away mid-stream and comes back on the same port.
kill -TERM "${up1_pid}"
wait_until 5 eval '! kill -0 "${up1_pid}" 2>/dev/null' || fail "flow: the server did not stop"
got=$(count "${WORK}/flow.out")
start_server up2 --port "${PORT}" --capture "${WORK}/capture.ndjson" --heartbeat 0.5 \
  --tls-cert "${PKI}/good.pem" --tls-key "${PKI}/good.key"
wait_until 15 has_lines "${WORK}/flow.out" 300 || fail "flow: the stream did not resume after the restart"
stop_fetch
expect "flow: exit code after SIGTERM" "${RC}" 0
cmp -s "${WORK}/flow.out" "${WORK}/capture.ndjson" || fail "flow: stdout differs from the capture"
expect "flow: the resume asked for" "$(q "${WORK}/up2.log" 'starts[0]["timepoint"]')" $((FIRST + got))
expect "flow: the key was accepted" "$(q "${WORK}/up2.log" 'starts[0]["auth_ok"]')" True
grep -q '"level":"error"' "${WORK}/flow.err" && fail "flow: an error line: $(grep '"level":"error"' "${WORK}/flow.err" | head -1)"

# attempts_at_least ERR N: ch-fetch logged at least N connection attempts.
attempts_at_least() {
  [[ "$(grep -c '"message":"connection"' "$1")" -ge "$2" ]]
}

# ---------------------------------------------------------------- cut off
# A peer that goes away during the handshake (as a restarting server does:
# this once made the flow above log an error) is a network error: retried
# at info level, and no TLS problem in status. The listener closes the
# first three connections at once, then resets three after reading the
# ClientHello; it stops by itself.
python3 - "${WORK}/cut.port" <<'EOF' &
import os, socket, struct, sys
s = socket.socket()
s.settimeout(20)
s.bind(("127.0.0.1", 0))
s.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
for n in range(6):
    try:
        c, _ = s.accept()
    except socket.timeout:
        break
    c.settimeout(5)
    if n >= 3:
        c.recv(4096)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    else:
        # A FIN first: close() alone sends a reset instead when the
        # ClientHello is already waiting unread (once in a clean clone's
        # run: six resets, no close seen).
        c.shutdown(socket.SHUT_WR)
        try:
            c.recv(4096)
        except OSError:
            pass
    c.close()
EOF
PIDS+=("$!")
wait_until 10 test -s "${WORK}/cut.port" || fail "cut: the listener did not start"
PORT=$(cat "${WORK}/cut.port")
mkdir -p "${WORK}/cut.metrics"
tls_fetch cut --timepoint "${FIRST}" --cacert "${PKI}/ca.pem" --backoff-initial 0.1 \
  --backoff-max 0.2 --metrics-dir "${WORK}/cut.metrics"
wait_until 15 attempts_at_least "${WORK}/cut.err" 6 || fail "cut: fewer than 6 attempts"
python3 - "${WORK}/cut.err" <<'EOF' || fail "cut: $(head -c 900 "${WORK}/cut.err")"
import json, sys
attempts = [json.loads(l) for l in open(sys.argv[1]) if '"message":"connection"' in l][:6]
assert len(attempts) == 6, attempts
for a in attempts:
    assert a["level"] == "info", a
    assert a["end"] == "network-error", a
# Both ways of going away were seen: a close and a reset.
assert any("SSL_ERROR_SYSCALL" in a["error"] for a in attempts), attempts
assert any("reset" in a["error"] for a in attempts), attempts
EOF
status=$(CH_LOG_LEVEL=error CH_METRICS_DIR="${WORK}/cut.metrics" "${BIN}/ch-store" --db "${WORK}/none.db" status || true)
[[ "${status}" == *TLS* ]] && fail "cut: status names a TLS problem: ${status}"
stop_fetch
expect "cut: exit code after SIGTERM" "${RC}" 0

# ---------------------------------------------------------------- refusals


# refused CASE CERT NEEDLE DETAIL [ARGS...]: a server with PKI/CERT.pem;
# ch-fetch (with ARGS) must be refused at the handshake, again and again,
# each time with an error line holding NEEDLE, and health naming DETAIL.
refused() {
  local case="$1" cert="$2" needle="$3" detail="$4"
  shift 4
  tls_server "${case}" "${cert}"
  mkdir -p "${WORK}/${case}.metrics"
  tls_fetch "${case}" --timepoint "${FIRST}" --backoff-initial 0.1 --backoff-max 0.2 \
    --metrics-dir "${WORK}/${case}.metrics" "$@"
  wait_until 15 attempts_at_least "${WORK}/${case}.err" 3 || fail "${case}: fewer than 3 attempts"
  [[ -s "${WORK}/${case}.out" ]] && fail "${case}: events were written"
  kill -0 "${FETCH_PID}" 2>/dev/null || fail "${case}: ch-fetch gave up (it must keep trying)"
  python3 - "${WORK}/${case}.err" "${needle}" "${WORK}/${case}.log" <<'EOF' || fail "${case}: $(head -c 600 "${WORK}/${case}.err")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
attempts = [l for l in lines if l["message"] == "connection"]
assert len(attempts) >= 3, attempts
for a in attempts:   # each refusal is an error line naming the reason
    assert a["level"] == "error", a
    assert a["end"] == "tls-certificate", a
    assert sys.argv[2] in a["error"], a
    assert a["url"].startswith("https://localhost:"), a   # never a fallback to http
# No request ever reached the server: neither the key nor a plain-HTTP
# retry. (It sees a failed handshake, or, when only the host name is wrong,
# a client that closes right after the handshake.)
server = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
assert len(server) >= 3, "the server saw no connection"
assert not [r for r in server if r["phase"] == "start"], "the server read a request"
EOF
  local status
  status=$(CH_LOG_LEVEL=error CH_METRICS_DIR="${WORK}/${case}.metrics" "${BIN}/ch-store" --db "${WORK}/none.db" status || true)
  [[ "${status}" == *"\"companies: TLS: certificate verification failed (${detail})\""* ]] ||
    fail "${case}: status does not name the TLS failure: ${status}"
  stop_fetch
  expect "${case}: exit code after SIGTERM" "${RC}" 0
}

refused wrong-ca good "unable to get local issuer certificate" \
  "the issuer is not trusted: check CH_CACERT" --cacert "${PKI}/other-ca.pem"
refused wrong-host wrong-host "subject name" "the certificate does not match the host name" \
  --cacert "${PKI}/ca.pem"
refused expired expired "certificate has expired" "the certificate has expired" --cacert "${PKI}/ca.pem"
# Without CH_CACERT the system store is used: it does not know our CA.
refused no-cacert good "unable to get local issuer certificate" \
  "the issuer is not trusted: check CH_CACERT"

# ---------------------------------------------------------------- bad CH_CACERT

# bad_cacert WHAT PATH: exit 78 at once, one JSON line naming CH_CACERT.
bad_cacert() {
  local rc=0
  CH_STREAM_KEY=testkey CH_CACERT="$2" timeout 10 "${FETCH}" --url "https://localhost:${PORT}" \
    >"${WORK}/bad.out" 2>"${WORK}/bad.err" || rc=$?
  expect "$1: exit code" "${rc}" 78
  expect "$1: stderr lines" "$(count "${WORK}/bad.err")" 1
  grep -q '"level":"error".*CH_CACERT' "${WORK}/bad.err" || fail "$1: the line does not name CH_CACERT: $(cat "${WORK}/bad.err")"
}
tls_server cacert good
bad_cacert "a directory" "${PKI}"
bad_cacert "a private key" "${PKI}/ca.key"
printf 'not a certificate\n' >"${WORK}/text.pem"
bad_cacert "a text file" "${WORK}/text.pem"
openssl x509 -in "${PKI}/ca.pem" -outform DER -out "${WORK}/ca.der"
bad_cacert "a DER certificate" "${WORK}/ca.der"
bad_cacert "an empty file" /dev/null
expect "bad CH_CACERT: handshakes attempted" "$(q "${WORK}/cacert.log" 'len(records)')" 0

echo "PASS ${NAME}"
