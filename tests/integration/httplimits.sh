# httplimits.sh - integration tests of the front's HTTP limits: the cap on
# connections open at once (WebSockets included) and the deadline for a
# request to arrive whole, however slowly it trickles in (slowloris).
# The limits are made small in a test-hooks build: with
# CLAWGATE_TEST_FRONT_EXEC the parent runs front with its environment, where
# front reads CLAWGATE_TEST_HTTP_MAXCONN and CLAWGATE_TEST_HTTP_HEAD_SEC.
# The clients are python3; every one of them is bounded in time.
# Sourced by run.sh (needs $TBIN).

HL_MAX=8	# connections
HL_SEC=2	# seconds for a request to arrive whole

# hl_client MODE PORT: the clients, printing one "key value..." per result
hl_client() {
	timeout 40 python3 - "$1" "$2" "$HL_MAX" "$HL_SEC" <<'PY'
import re, select, socket, sys, time

mode, port = sys.argv[1], int(sys.argv[2])
MAX, SEC = int(sys.argv[3]), int(sys.argv[4])
HOST = "127.0.0.1"
REQ = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

def conn(p=port):
    return socket.create_connection((HOST, p), timeout=5)

left = {}  # bytes read past a response, by socket

def response(s):
    """status line and body of one response, or what came before EOF"""
    buf = left.pop(s, b"")
    s.settimeout(5)
    try:
        while b"\r\n\r\n" not in buf:
            d = s.recv(4096)
            if not d:
                return "eof " + repr(buf[:40])
            buf += d
        head, _, body = buf.partition(b"\r\n\r\n")
        m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        n = int(m.group(1)) if m else 0
        while len(body) < n:
            d = s.recv(4096)
            if not d:
                break
            body += d
    except OSError as e:
        return "error " + type(e).__name__
    left[s] = body[n:]
    return (head.split(b"\r\n")[0] + b" " + body[:n].strip()).decode()

def get(s):
    try:
        s.sendall(REQ)
    except OSError as e:
        return "error " + type(e).__name__
    return response(s)

def is_open(s):
    """no EOF, no reset, nothing unexpected to read"""
    r, _, _ = select.select([s], [], [], 0)
    return not r

def closed_after(s, limit):
    """seconds until the server closes s, and what it sent before"""
    t0, got = time.monotonic(), b""
    s.settimeout(limit)
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            got += d
    except socket.timeout:
        return None, got
    except ConnectionResetError:
        pass
    return time.monotonic() - t0, got

def trickle(s, data, other=None):
    """send data a byte every 0.5 s until the server closes s; returns
    (seconds to the close or None, bytes received, the other request's
    result if one was asked for, made after 1 s)"""
    t0, got, served, i = time.monotonic(), b"", None, 0
    while time.monotonic() - t0 < 4 * SEC + 2:
        try:
            s.send(data[i % len(data):i % len(data) + 1])
            i += 1
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - t0, got, served
        r, _, _ = select.select([s], [], [], 0.5)
        if r:
            try:
                d = s.recv(4096)
            except ConnectionResetError:
                d = b""
            if not d:
                return time.monotonic() - t0, got, served
            got += d
        if other is not None and served is None and \
                time.monotonic() - t0 > 1:
            o = conn(other)
            served = get(o)
            o.close()
    return None, got, served

def fmt(t):
    return "none" if t is None else "%.2f" % t

if mode == "cap":
    # one WebSocket and MAX - 1 plain connections fill the cap
    ws = conn()
    ws.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
               b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
    ws.settimeout(5)
    print("ws", ws.recv(4096).split(b"\r\n")[0].decode())
    plain = [conn() for _ in range(MAX - 1)]
    time.sleep(0.3)
    print("open", sum(is_open(s) for s in plain))
    extra = conn()
    try:
        extra.sendall(REQ)
    except OSError:
        pass
    t, got = closed_after(extra, 3)
    print("extra closed", fmt(t), "bytes", len(got))
    print("served", sum(get(s).startswith("HTTP/1.1 200") for s in plain))
    extra = conn()
    t, got = closed_after(extra, 3)
    print("still full: closed", fmt(t), "bytes", len(got))
    ws.close()
    time.sleep(0.5)
    s = conn()
    print("after ws closed", get(s))
    s.close()
    plain[0].close()
    plain[1].close()
    time.sleep(0.5)
    print("after two closed", get(conn()), "|", get(conn()))
elif mode == "slow":
    # a request line, then a header a byte every 0.5 s
    s = conn()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    t, got, served = trickle(s, b"X-Slow: " + b"a" * 200, port)
    print("slow closed", fmt(t), "bytes", len(got))
    print("meanwhile", served)
elif mode == "slowbody":
    s = conn()
    s.sendall(b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Content-Length: 1000\r\n\r\n")
    t, got, _ = trickle(s, b"b" * 1000)
    print("slowbody closed", fmt(t), "bytes", len(got))
elif mode == "keepalive":
    # idle between requests longer than the deadline: not cut
    s = conn()
    print("first", get(s))
    time.sleep(SEC + 1)
    print("after idle", get(s))
    # the next request trickled: cut SEC after its first byte
    t, got, _ = trickle(s, b"GET /healthz HTTP/1.1\r\nX: " + b"a" * 200)
    print("trickled second closed", fmt(t), "bytes", len(got))
elif mode == "pipelined":
    # two whole requests at once, then a third trickled
    s = conn()
    s.sendall(REQ + REQ)
    print("pipelined", response(s), "|", response(s))
    t, got, _ = trickle(s, b"GET /healthz HTTP/1.1\r\nX: " + b"a" * 200)
    print("pipelined third closed", fmt(t), "bytes", len(got))
elif mode == "silent":
    # connects and sends nothing (on a TLS port: no handshake)
    t, got = closed_after(conn(), 4 * SEC + 2)
    print("silent closed", fmt(t), "bytes", len(got))
PY
}

# within [SEC - 0.5, 2 SEC + 1]: cut by the deadline, not the idle timeout
hl_in_window() {
	awk -v t="$1" -v s=$HL_SEC 'BEGIN { exit !(t != "none" &&
	    t >= s - 0.5 && t <= 2 * s + 1) }'
}

# hl_dump: the last client's output, when a check on it failed
hl_dump() {
	[ "$T_FAIL" = "$HL_FAILS" ] || sed 's/^/#   /' <<<"$out"
	HL_FAILS=$T_FAIL
}

echo "# HTTP limits: connection cap, request deadline"
HL_FAILS=$T_FAIL
if ! command -v python3 >/dev/null; then
	echo "# SKIP: python3 not found"
else
	HL_TLSD=$(mktemp -d /tmp/clawgate-httplimits-tls.XXXXXX)
	chmod 0755 "$HL_TLSD"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -days 1 \
	    -keyout "$HL_TLSD/key.pem" -out "$HL_TLSD/cert.pem" 2>/dev/null
	chmod 0600 "$HL_TLSD/key.pem"
	HL_TPORT=$(free_port)
	SUITE_CONF_EXTRA="listen on 127.0.0.1 port $HL_TPORT tls certificate \"$HL_TLSD/cert.pem\" key \"$HL_TLSD/key.pem\""
	suite_start httplimits "$TBIN" CLAWGATE_TEST_FRONT_EXEC="$TBIN/gatewayd" \
	    CLAWGATE_TEST_HTTP_MAXCONN=$HL_MAX CLAWGATE_TEST_HTTP_HEAD_SEC=$HL_SEC
	SUITE_CONF_EXTRA=
	check "suite with small HTTP limits is ready" wait_ready 5000
	check "front runs with the test limits" \
	    wait_for_log "test hook: CLAWGATE_TEST_HTTP_MAXCONN=$HL_MAX"
	HL_FRONT=$(pid_of front)
	# let front see wait_ready's connections close
	sleep 0.5

	out=$(hl_client cap "$S_PORT")
	check "cap: a WebSocket counts (101)" \
	    grep -q '^ws HTTP/1.1 101 ' <<<"$out"
	check "cap: $HL_MAX connections open (a WebSocket, $((HL_MAX - 1)) plain)" \
	    grep -q "^open $((HL_MAX - 1))\$" <<<"$out"
	t=$(awk '/^extra closed/ { print $3 }' <<<"$out")
	check "cap: connection $((HL_MAX + 1)) closed at once ($t s), unanswered" \
	    awk -v t="$t" 'BEGIN { exit !(t != "none" && t < 1) }'
	check "cap: ... and sent nothing" \
	    grep -q '^extra closed .* bytes 0$' <<<"$out"
	check "cap: the $((HL_MAX - 1)) plain ones still get /healthz answered" \
	    grep -q "^served $((HL_MAX - 1))\$" <<<"$out"
	check "cap: still full after they were served" \
	    grep -q '^still full: closed 0\.[0-9]* bytes 0$' <<<"$out"
	check "cap: a closed WebSocket frees its place" \
	    grep -q '^after ws closed HTTP/1.1 200 OK {"ok":true,"status":"live"}$' <<<"$out"
	check "cap: two closed connections free two places" \
	    grep -q '^after two closed HTTP/1.1 200 .* | HTTP/1.1 200 ' <<<"$out"
	check "cap: refusals reported in the log" \
	    wait_for_log "http: $HL_MAX connections open, the limit: refused 1 "
	hl_dump

	out=$(hl_client slow "$S_PORT")
	t=$(awk '/^slow closed/ { print $3 }' <<<"$out")
	check "deadline: a header trickled a byte every 0.5 s is cut after ${t} s (${HL_SEC} s deadline)" \
	    hl_in_window "$t"
	check "deadline: ... without an answer" \
	    grep -q '^slow closed .* bytes 0$' <<<"$out"
	check "deadline: a normal request meanwhile is served" \
	    grep -q '^meanwhile HTTP/1.1 200 OK {"ok":true,"status":"live"}$' <<<"$out"
	hl_dump

	out=$(hl_client slowbody "$S_PORT")
	t=$(awk '/^slowbody closed/ { print $3 }' <<<"$out")
	check "deadline: a trickled body is cut too (${t} s)" hl_in_window "$t"
	hl_dump

	out=$(hl_client keepalive "$S_PORT")
	check "deadline: a kept-alive connection is served" \
	    grep -q '^first HTTP/1.1 200 ' <<<"$out"
	check "deadline: idle longer than the deadline between requests, still served" \
	    grep -q '^after idle HTTP/1.1 200 ' <<<"$out"
	t=$(awk '/^trickled second closed/ { print $4 }' <<<"$out")
	check "deadline: its next request trickled is cut (${t} s after its first byte)" \
	    hl_in_window "$t"
	hl_dump

	out=$(hl_client pipelined "$S_PORT")
	check "deadline: two pipelined requests are both served" \
	    grep -q '^pipelined HTTP/1.1 200 .* | HTTP/1.1 200 ' <<<"$out"
	t=$(awk '/^pipelined third closed/ { print $4 }' <<<"$out")
	check "deadline: a third trickled after them is cut (${t} s)" \
	    hl_in_window "$t"
	hl_dump

	out=$(hl_client silent "$HL_TPORT")
	t=$(awk '/^silent closed/ { print $3 }' <<<"$out")
	check "deadline: a TLS client that never starts its handshake is cut (${t} s)" \
	    hl_in_window "$t"
	hl_dump
	out=$(curl -s --max-time 5 --cacert "$HL_TLSD/cert.pem" \
	    "https://127.0.0.1:$HL_TPORT/healthz")
	check "HTTPS /healthz still served" \
	    [ "$out" = '{"ok":true,"status":"live"}' ]
	check "front survived it all (the same process)" \
	    [ -n "$HL_FRONT" -a "$(pid_of front)" = "$HL_FRONT" ]
	suite_stop
	suite_cleanup
	rm -rf "$HL_TLSD"
fi
