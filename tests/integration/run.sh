#!/bin/bash
# run.sh - integration tests of the real suite: real processes under real
# users, real sockets, on loopback, in temporary directories.
#   usage: run.sh BUILDDIR TESTBUILDDIR
# BUILDDIR holds the production binaries; TESTBUILDDIR the same built with
# CLAWGATE_TEST_HOOKS (a SIGUSR2 hook that makes a forbidden syscall, and a
# parent that can exec a compromised front in place of the real one).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
BIN=$(cd "$1/bin" && pwd)
TBIN=$(cd "$2/bin" && pwd)
EVIL=$(cd "$2/tests" && pwd)/evilfront
SAN=0
case "$1" in *san*) SAN=1 ;; esac
ROLES="front authd secretd agentd execd"

[ "$(id -u)" = 0 ] || { echo "integration tests must run as root"; exit 1; }
sh "$here/../../etc/mkusers.sh"
trap 'suite_stop; suite_cleanup' EXIT INT TERM

# ---------------------------------------------------------------- config
echo "# configuration checks"
d=$(mktemp -d /tmp/clawgate-conf.XXXXXX)
cat > "$d/ok.conf" <<'CONF'
# comment
state-dir "/var/lib/x/"   # trailing slash is normalized
listen on 127.0.0.1 port 1234
listen on ::1 port 1234
log-level debug
user front "_clawgw"
CONF
chmod 0644 "$d/ok.conf"
out=$("$BIN/gatewayd" -n -f "$d/ok.conf" 2>&1)
check "gatewayd -n accepts a valid file" [ $? = 0 ]
check "gatewayd -n prints the normalized form" \
    grep -q '^state-dir "/var/lib/x"$' <<<"$out"
check "gatewayd -n lists both listeners" \
    [ "$(grep -c '^listen on' <<<"$out")" = 2 ]
echo "$out" > "$d/norm.conf"; chmod 0644 "$d/norm.conf"
check "normalized output parses back to itself" \
    diff <("$BIN/gatewayd" -n -f "$d/norm.conf" 2>&1) "$d/norm.conf"
printf 'state-dir /a\nbogus-keyword 1\nlisten on 10.0.0.1 port 80\nuser authd _clawgw\n' > "$d/bad.conf"
chmod 0644 "$d/bad.conf"
out=$("$BIN/gatewayd" -n -f "$d/bad.conf" 2>&1)
check "bad config exits 1" [ $? = 1 ]
check "unknown keyword named with its line" grep -q 'bad.conf:2: unknown keyword "bogus-keyword"' <<<"$out"
check "non-loopback plain HTTP refused" grep -q 'bad.conf:3: .*not a loopback address' <<<"$out"
check "two zones sharing a user refused" grep -q 'front and authd must run as different users' <<<"$out"
chmod 0666 "$d/ok.conf"
out=$("$BIN/gatewayd" -n -f "$d/ok.conf" 2>&1)
check "world-writable config refused" grep -q 'writable by group or others' <<<"$out"
chmod 0644 "$d/ok.conf"; chown nobody "$d/ok.conf"
out=$("$BIN/gatewayd" -n -f "$d/ok.conf" 2>&1)
check "config not owned by root refused" grep -q 'not root' <<<"$out"
out=$("$BIN/gatewayd" --help 2>&1)
check "gatewayd --help shows usage" grep -q 'usage: gatewayd \[-dhnv\] \[-f file\]' <<<"$out"
out=$("$BIN/clawctl" --help 2>&1)
check "clawctl --help shows usage" grep -q 'usage: clawctl \[-h\] \[-s socket\] command \[--json\]' <<<"$out"
rm -rf "$d"

# ---------------------------------------------------------------- the suite
echo "# the suite: processes, identities, privileges"
suite_start main "$BIN"
check "suite becomes ready" wait_ready 5000
echo "# cold start to /readyz: ${READY_MS:-?} ms"
check "six processes (parent + five children)" [ "$(child_pids | wc -l)" = 5 ]
uids=""
for r in $ROLES; do
	p=$(pid_of "$r")
	if [ -z "$p" ]; then not_ok "$r is running"; continue; fi
	uid=$(proc_field "$p" Uid)
	uids="$uids $uid"
	check "$r runs as its own user" [ "$uid" = "$(id -u "$(awk -v r=$r '$2==r{print $3}' <<EOF2
x front _clawgw
x authd _clawauth
x secretd _clawsec
x agentd _clawagent
x execd _clawexec
EOF2
)")" ]
	check "$r has no effective capability" [ "$(proc_field "$p" CapEff)" = 0000000000000000 ]
	if [ "$r" = execd ]; then
		# CAP_SETGID(6) CAP_SETUID(7) CAP_SYS_ADMIN(21)
		check "execd keeps only setgid,setuid,sys_admin permitted" \
		    [ "$(proc_field "$p" CapPrm)" = 00000000002000c0 ]
		check "execd bounding set is the same three" \
		    [ "$(proc_field "$p" CapBnd)" = 00000000002000c0 ]
	else
		check "$r has no permitted capability" [ "$(proc_field "$p" CapPrm)" = 0000000000000000 ]
		check "$r has an empty bounding set" [ "$(proc_field "$p" CapBnd)" = 0000000000000000 ]
	fi
	check "$r has no_new_privs" [ "$(proc_field "$p" NoNewPrivs)" = 1 ]
	if [ $SAN = 0 ]; then
		check "$r runs under a seccomp filter" [ "$(proc_field "$p" Seccomp)" = 2 ]
	fi
	check "$r has no supplementary groups" [ -z "$(proc_field "$p" Groups)" ]
	check "$r is not dumpable (its /proc files are root's)" [ "$(stat -c %u /proc/$p/status)" = 0 ]
	check "$r has RLIMIT_CORE 0" grep -q '^Max core file size *0 *0' "/proc/$p/limits"
	case $r in
	execd) check "execd is not chrooted" [ "$(readlink /proc/$p/root)" = / ] ;;
	front) check "front is chrooted into the empty directory" \
	    [ "$(readlink /proc/$p/root)" = "$S_DIR/state/empty" ] ;;
	*) check "$r is chrooted into its state directory" \
	    [ "$(readlink /proc/$p/root)" = "$S_DIR/state/$r" ] ;;
	esac
done
check "five distinct uids" [ "$(tr ' ' '\n' <<<"$uids" | sort -u | grep -c .)" = 5 ]
check "state directories owned by their users, mode 0700" \
    [ "$(stat -c '%U %a' "$S_DIR/state/authd/db")" = "_clawauth 700" ]
check "control socket is 0660 root:clawadm" \
    [ "$(stat -c '%a %U %G' "$S_CTL")" = "660 root clawadm" ]

echo "# HTTP"
body=$(curl -s "http://127.0.0.1:$S_PORT/healthz")
check "/healthz answers live" [ "$body" = '{"ok":true,"status":"live"}' ]
body=$(curl -s "http://127.0.0.1:$S_PORT/readyz")
check "/readyz lists every process running" \
    grep -q '"execd":"running"' <<<"$body"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$S_PORT/healthz")
check "POST is refused (405)" [ "$code" = 405 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 10000 /dev/zero | tr '\0' a)" "http://127.0.0.1:$S_PORT/healthz")
check "oversized header refused" [ "$code" = 400 -o "$code" = 431 -o "$code" = 413 ]

echo "# control socket"
out=$(ctl status 2>&1)
check "clawctl status works as root" [ $? = 0 ]
check "status has one row per process" [ "$(grep -c -E '^(parent|front|authd|secretd|agentd|execd) ' <<<"$out")" = 6 ]
check "status shows execd's capabilities" grep -q 'setgid,setuid,sys_admin' <<<"$out"
out=$(ctl status --json 2>&1)
check "status --json is JSON with six processes" \
    [ "$(grep -o '"role":' <<<"$out" | wc -l)" = 6 ]
check "status --json shows seccomp 2 for authd" \
    grep -q '"role":"authd","pid":[0-9]*,"user":"_clawauth","uid":[0-9]*,"cap_eff":"0000000000000000","cap_prm":"0000000000000000","caps":"none","no_new_privs":1,"seccomp":'"$([ $SAN = 1 ] && echo 0 || echo 2)" <<<"$out"
out=$(CLAWCTL_SOCKET=$S_CTL "$BIN/clawctl" whoami 2>&1)
check "clawctl whoami via CLAWCTL_SOCKET, verified by agentd" \
    grep -q 'verified:  agentd' <<<"$out"
check "whoami principal is root's uid" grep -q 'principal: unix:0' <<<"$out"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/clawctl" -s "$S_CTL" status 2>&1)
check "an unprivileged user cannot even connect" grep -q 'Permission denied' <<<"$out"
chmod 0666 "$S_CTL"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/clawctl" -s "$S_CTL" status 2>&1)
rc=$?
check "authd refuses a non-admin that reaches the socket" [ $rc = 1 ]
check "refusal names the reason" grep -q 'permission denied: uid 65534 is not root and not in group clawadm' <<<"$out"
out=$(setpriv --reuid=nobody --regid=nogroup --groups="$(getent group clawadm | cut -d: -f3)" "$BIN/clawctl" -s "$S_CTL" whoami 2>&1)
check "a member of the admin group is admitted (SO_PEERGROUPS)" grep -q 'principal: unix:65534' <<<"$out"
chmod 0660 "$S_CTL"
check "audit log records the refusal" \
    grep -q '"principal":"unix:65534","action":"control-auth","object":"control-socket","outcome":"refused"' "$S_DIR/log/audit.log"
check "audit log is root-only" [ "$(stat -c '%a %U' "$S_DIR/log/audit.log")" = "600 root" ]
# a client speaking garbage is dropped, front survives
fpid=$(pid_of front)
send_garbage() {
	exec 9<>/dev/tcp/127.0.0.1/$S_PORT || return 1
	printf 'GARBAGE \r\n\r\n' >&9; timeout 1 cat <&9 >/dev/null; exec 9>&-
}
send_garbage 2>/dev/null
check "front survives a malformed HTTP request" [ "$(pid_of front)" = "$fpid" ]
# a control client that sends a frame with an absurd length
printf '\x13\x00\x00\x00\xff\xff\xff\x7f\x01\x00\x00\x00\x00\x00\x00\x00' |
    timeout 3 socat -t 2 - "UNIX-CONNECT:$S_CTL" >/dev/null 2>&1
check "front logs and drops a control client with a bad frame" \
    wait_for_log "control client [0-9]*: bad frame length: dropped"
check "front survives it" [ "$(pid_of front)" = "$fpid" ]
check "and still serves clawctl" ctl status >/dev/null

echo "# supervision: kill -9 each child"
for r in $ROLES; do
	old=$(pid_of "$r")
	t0=$(date +%s%N)
	kill -KILL "$old"
	new=$(wait_new_pid "$r" "$old" 3000)
	if wait_ready 1000 && [ -n "$new" ]; then
		ms=$((($(date +%s%N) - t0) / 1000000))
		check "$r restarted, suite ready again in ${ms} ms (<= 1000)" [ "$ms" -le 1000 ]
		check "clawctl works after $r restarted" ctl status >/dev/null
	else
		not_ok "$r restarted and suite ready within 1 s"
	fi
done
check "restarts logged with the signal" wait_for_log 'agentd (pid [0-9]*) killed by signal 9'
check "restart recorded in the audit log" grep -q '"action":"process-exit","object":"execd","outcome":"restart","detail":"killed by signal 9' "$S_DIR/log/audit.log"
check "status counts restarts" grep -q '^authd .* 1 running$' <<<"$(ctl status)"
check "authd's LMDB start counter survived kill -9 (start 2)" \
    wait_for_log 'authd\[[0-9]*\]: start 2$'
out=$(printf '\x12\x00\x00\x00\x12\x00\x00\x00\x63\x00\x00\x00\x00\x00\x00\x00{}' |
    timeout 3 socat -t 2 - "UNIX-CONNECT:$S_CTL" 2>/dev/null | tr -d '\0')
check "a control client of another protocol version is told so" \
    grep -q 'protocol version mismatch' <<<"$out"

echo "# supervision: a crash loop is throttled"
for i in 1 2 3 4 5 6; do
	old=$(pid_of secretd)
	[ -n "$old" ] || old=$(wait_new_pid secretd x 5000)
	[ -n "$old" ] && kill -KILL "$old"
	[ $i -lt 6 ] && wait_new_pid secretd "$old" 5000 >/dev/null
done
sleep 0.3
check "secretd is throttled after 6 quick deaths" grep -q '^secretd .* throttled$' <<<"$(ctl status)"
check "throttling logged" wait_for_log 'secretd died 6 times in a row'
sleep 2
check "a throttled child is not restarted in a hot loop" [ -z "$(pid_of secretd)" ]
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S_PORT/readyz")
check "/readyz is 503 while a process is down" [ "$code" = 503 ]

echo "# reload"
echo "admin-group nosuchgroup" >> "$S_DIR/clawgate.conf"
kill -HUP "$S_PID"
check "SIGHUP with a bad admin group keeps the old one" wait_for_log 'admin group nosuchgroup does not exist; keeping clawadm'
echo "bogus" >> "$S_DIR/clawgate.conf"
kill -HUP "$S_PID"
check "SIGHUP with an invalid file keeps running" wait_for_log 'is invalid; keeping the running configuration'
check "suite still answers after a bad reload" ctl status >/dev/null
grep -v -e nosuchgroup -e '^bogus' "$S_DIR/clawgate.conf" > "$S_DIR/c.tmp"
echo "log-level warning" >> "$S_DIR/c.tmp"
cat "$S_DIR/c.tmp" > "$S_DIR/clawgate.conf"
kill -HUP "$S_PID"
check "a valid SIGHUP reaches the children" wait_for_log 'agentd\[[0-9]*\]: configuration reloaded'
check "reload is audited" grep -q '"action":"config-reload","object":"[^"]*","outcome":"ok"' "$S_DIR/log/audit.log"

echo "# stop"
pids=$(child_pids)
suite_stop
left=0
for p in $pids; do kill -0 "$p" 2>/dev/null && left=1; done
check "SIGTERM stops every child" [ $left = 0 ]
check "SIGTERM removes the control socket" [ ! -e "$S_CTL" ]
suite_cleanup

echo "# two instances side by side"
suite_start a "$BIN"; A_PID=$S_PID; A_DIR=$S_DIR; A_PORT=$S_PORT; A_CTL=$S_CTL
wait_ready 5000; ra=$?
suite_start b "$BIN"
wait_ready 5000; rb=$?
check "two instances run side by side" [ $ra = 0 -a $rb = 0 ]
check "each answers on its own socket" "$BIN/clawctl" -s "$A_CTL" status >/dev/null
suite_stop; suite_cleanup
S_PID=$A_PID; S_DIR=$A_DIR; suite_stop; suite_cleanup

. "$here/auth.sh"
. "$here/gateway.sh"
. "$here/pairing.sh"
. "$here/tls.sh"
. "$here/httplimits.sh"
. "$here/proxy.sh"
. "$here/secrets.sh"
. "$here/config.sh"
. "$here/turns.sh"
. "$here/skills.sh"

# ---------------------------------------------------------------- seccomp
if [ $SAN = 0 ]; then
	echo "# seccomp: a forbidden syscall kills the process, which is restarted"
	suite_start hooks "$TBIN"
	check "test-hook suite ready" wait_ready 5000
	for r in $ROLES; do
		old=$(pid_of "$r")
		kill -USR2 "$old"
		new=$(wait_new_pid "$r" "$old" 3000)
		check "$r killed by its filter and restarted" [ -n "$new" ]
		check "$r death reported as a seccomp violation" \
		    wait_for_log "$r (pid $old) killed by signal 31 (SIGSYS): seccomp violation"
	done
	check "suite ready after the violations" wait_ready 2000
	suite_stop; suite_cleanup
fi

# ---------------------------------------------------------------- compromised front
echo "# a compromised front"
attack() {	# attack NAME VICTIM "log pattern" ["evilfront pattern"]
	name=$1; victim=$2; pat=$3; epat=${4:-}
	suite_start "evil-$name" "$TBIN" CLAWGATE_TEST_FRONT_EXEC="$EVIL" \
	    CLAWGATE_TEST_ATTACK="$name" CLAWGATE_TEST_CAPFILE="$CAPFILE" \
	    CLAWGATE_TEST_TOKEN="$EVIL_TOKEN"
	wait_for_log "authd ready" 5
	if [ "$victim" = parent ]; then vpid=$S_PID; else vpid=$(pid_of "$victim"); fi
	[ "$name" = stealcap ] && (sleep 0.5; "$TBIN/clawctl" -s "$S_CTL" whoami >/dev/null 2>&1) &
	check "$name: evil front did its attack" wait_for_log "evilfront\[[0-9]*\]: $name: done" 10
	check "$name: $victim refused it ($pat)" wait_for_log "$pat" 5
	[ -n "$epat" ] && check "$name: $epat" wait_for_log "$epat" 5
	check "$name: the parent killed the offender" wait_for_log "front broke the protocol" 5
	if [ "$victim" = parent ]; then
		check "$name: the parent is still alive" kill -0 "$vpid"
	else
		check "$name: $victim is the same process, still alive" \
		    [ -n "$vpid" -a "$(pid_of "$victim")" = "$vpid" ]
	fi
	check "$name: audit log records the violation" \
	    grep -q '"principal":"front","action":"protocol-violation"' "$S_DIR/log/audit.log"
	suite_stop
	suite_cleanup
}
CAPFILE=$(mktemp /tmp/clawgate-stolen-cap.XXXXXX)
# a read-only token, created in the state directory the attacks reuse
EVIL_STATE=$(mktemp -d /tmp/clawgate-evil-state.XXXXXX)
chmod 0755 "$EVIL_STATE"
SUITE_STATE_DIR=$EVIL_STATE
suite_start token "$BIN"
wait_ready 5000
EVIL_TOKEN=$(ctl token create --name evil --scopes operator.read 2>/dev/null)
suite_stop; suite_cleanup
attack garbage authd "authd\[[0-9]*\]: closing edge to front: bad frame" "authd closed the edge"
attack oversize authd "authd\[[0-9]*\]: closing edge to front: bad frame length" "authd closed the edge"
attack wrongtype authd "refused SETUP_KEY (type 2, 56 bytes) from front: message type not allowed on this edge"
attack unknowntype authd "refused UNKNOWN (type 9999, 1 bytes) from front: unknown message type"
attack badpayload authd "authd\[[0-9]*\]: closing edge to front: malformed CTL_AUTH"
attack fdsmuggle authd "control: descriptor from front is not a connection on the control socket"
attack forgedcap agentd "agentd\[[0-9]*\]: AGENT_CALL whoami: capability MAC does not verify"
attack stealcap agentd "agentd\[[0-9]*\]: AGENT_CALL whoami: capability MAC does not verify" "stole a capability"
attack replaycap agentd "agentd\[[0-9]*\]: AGENT_CALL whoami: capability MAC does not verify" "sent the old capability to the parent"
attack widencap agentd "agentd\[[0-9]*\]: RPC health: capability MAC does not verify" "authd granted: operator.read$"
attack wrongconn agentd "agentd\[[0-9]*\]: RPC health: capability bound to another connection" "agentd closed the edge"
attack pairwiden authd "authd\[[0-9]*\]: closing edge to front: capability MAC does not verify" "authd closed the edge"
attack pairwrongconn authd "authd\[[0-9]*\]: closing edge to front: capability bound to another connection" "authd closed the edge"
attack eventwrongedge authd "refused EVENT (type [0-9]*, [0-9]* bytes) from front: message type not allowed on this edge" "authd closed the edge"
attack secretfetch authd "refused SECRET_FETCH (type [0-9]*, [0-9]* bytes) from front: message type not allowed on this edge" "authd closed the edge"
attack parentwrongedge parent "refused CTL_AUTH (type 14, 8 bytes) from front: message type not allowed on this edge"

SUITE_STATE_DIR=
rm -rf "$CAPFILE" "$EVIL_STATE"
echo "# $T_PASS passed, $T_FAIL failed"
[ $T_FAIL = 0 ]
