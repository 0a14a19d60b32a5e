# lib.sh - helpers for the integration tests: start a real suite in a
# temporary RUNDIR, wait for it, inspect /proc, stop it.  Only the
# processes a test started are ever signalled, by pid.

T_FAIL=0
T_PASS=0

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
check() {	# check "description" command...
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

free_port() {	# a loopback port nothing listens on (from /proc/net/tcp)
	while :; do
		port=$((20000 + RANDOM % 30000))
		hex=$(printf ':%04X ' "$port")
		grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || break
	done
	echo "$port"
}

# suite_start NAME BINDIR [extra env...]: sets S_DIR S_PORT S_PID S_LOG S_CTL
suite_start() {
	local name=$1 bindir=$2
	shift 2
	S_DIR=$(mktemp -d "/tmp/clawgate-test-$name.XXXXXX")
	chmod 0755 "$S_DIR"
	S_PORT=$(free_port)
	S_LOG=$S_DIR/gatewayd.log
	S_CTL=$S_DIR/clawctl.sock
	S_BIN=$bindir
	cat > "$S_DIR/clawgate.conf" <<CONF
state-dir "${SUITE_STATE_DIR:-$S_DIR/state}"
run-dir "$S_DIR"
log-dir "$S_DIR/log"
libexec-dir "$bindir"
control-socket "$S_CTL"
listen on 127.0.0.1 port $S_PORT
${SUITE_CONF_EXTRA:-}
CONF
	chmod 0644 "$S_DIR/clawgate.conf"
	env "$@" CLAWGATE_TEST_DIR="$S_DIR" "$bindir/gatewayd" -d -v \
	    -f "$S_DIR/clawgate.conf" > "$S_LOG" 2>&1 &
	S_PID=$!
}

# wait_ready [timeout_ms]: poll /readyz until 200
wait_ready() {
	local limit=${1:-5000} t0 code now
	t0=$(date +%s%N)
	while :; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
		    "http://127.0.0.1:$S_PORT/readyz" 2>/dev/null)
		[ "$code" = 200 ] && { READY_MS=$((($(date +%s%N) - t0) / 1000000)); return 0; }
		now=$(date +%s%N)
		[ $(((now - t0) / 1000000)) -ge "$limit" ] && return 1
		sleep 0.02
	done
}

suite_stop() {
	[ -n "${S_PID:-}" ] || return 0
	kill -TERM "$S_PID" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$S_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$S_PID" 2>/dev/null; then
		for p in $(child_pids); do kill -KILL "$p" 2>/dev/null; done
		kill -KILL "$S_PID" 2>/dev/null
	fi
	wait "$S_PID" 2>/dev/null
	S_PID=
}

suite_cleanup() {
	# a sanitizer report from any process of the suite fails the run
	if grep -q -E 'runtime error|AddressSanitizer|LeakSanitizer' \
	    "$S_LOG" 2>/dev/null; then
		not_ok "sanitizer report in $S_LOG"
		grep -E -A5 'runtime error|Sanitizer' "$S_LOG" | head -20
	fi
	[ -n "${S_DIR:-}" ] && [ -z "${KEEP:-}" ] && rm -rf "$S_DIR"
}

child_pids() { ps -o pid= --ppid "$S_PID" 2>/dev/null; }

# pid_of ROLE: the child whose argv[0] names the role
pid_of() {
	for p in $(child_pids); do
		cmd=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)
		case "$1:$cmd" in
		front:"gatewayd: front"*) echo "$p"; return ;;
		authd:"authd "*|secretd:"secretd "*|agentd:"agentd "*|execd:"execd "*)
			echo "$p"; return ;;
		esac
	done
}

proc_field() {	# proc_field PID Field
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

ctl() { "$S_BIN/clawctl" -s "$S_CTL" "$@"; }

# wait_for_log PATTERN [timeout_s]
wait_for_log() {
	for _ in $(seq 1 $((${2:-5} * 20))); do
		grep -q -- "$1" "$S_LOG" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_new_pid ROLE OLDPID [timeout_ms]: prints the new pid
wait_new_pid() {
	for _ in $(seq 1 $((${3:-3000} / 20))); do
		p=$(pid_of "$1")
		if [ -n "$p" ] && [ "$p" != "$2" ]; then echo "$p"; return 0; fi
		sleep 0.02
	done
	return 1
}

# absent_in STRING TEXT: true if TEXT does not contain STRING
absent_in() { ! grep -qF -- "$1" <<<"$2"; }

# pc [VAR=value...]: the scripted gateway client (pairclient.cjs, env PC_*)
# with the OpenClaw install's node and ws (OC_DIR, OC_NODE: gateway.sh)
pc() {
	env "$@" NODE_PATH="$OC_DIR/oc/node_modules" timeout 40 \
	    "$OC_NODE/node" "$here/pairclient.cjs" "ws://127.0.0.1:$S_PORT/" 2>&1
}
