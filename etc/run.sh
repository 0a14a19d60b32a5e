#!/bin/sh
# run.sh - `make run`: start a local clawgate suite on loopback in the
# foreground, with state, sockets and logs under RUNDIR.
#   usage: run.sh BINDIR RUNDIR PORT
set -e
bindir=$(cd "$1" && pwd)
rundir=$2
port=$3
[ "$(id -u)" = 0 ] || { echo "make run: must run as root (it creates users and drops privileges)" >&2; exit 1; }
mkdir -p "$rundir"
rundir=$(cd "$rundir" && pwd)
conf="$rundir/clawgate.conf"
if [ ! -f "$conf" ]; then
	umask 022
	cat > "$conf" <<CONF
# written by make run; edit freely, it is not overwritten
state-dir "$rundir/state"
run-dir "$rundir"
log-dir "$rundir/log"
libexec-dir "$bindir"
control-socket "$rundir/clawctl.sock"
listen on 127.0.0.1 port $port
# a vault for model keys (clawctl secrets set OPENAI_API_KEY < keyfile),
# and the references agentd may fetch for its providers
secrets vault-key "$rundir/vault.key"
secrets outbound "vault:vault:OPENAI_API_KEY"
secrets outbound "vault:vault:ANTHROPIC_API_KEY"
CONF
	chmod 0644 "$conf"
fi
echo "clawgate: http://127.0.0.1:$port/healthz and /readyz"
echo "clawgate: control socket $rundir/clawctl.sock"
echo "clawgate:   $bindir/clawctl -s $rundir/clawctl.sock status"
echo "clawgate: audit log $rundir/log/audit.log; Ctrl-C stops"
exec "$bindir/gatewayd" -d -f "$conf"
