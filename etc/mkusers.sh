#!/bin/sh
# mkusers.sh - create clawgate's system users (one per trust zone) and the
# administrators' group when they are missing.  Run as root.
set -e
[ "$(id -u)" = 0 ] || { echo "mkusers: must run as root" >&2; exit 1; }
getent group clawadm >/dev/null || groupadd --system clawadm
for u in _clawgw _clawauth _clawsec _clawagent _clawexec; do
	if ! getent passwd "$u" >/dev/null; then
		useradd --system --user-group --no-create-home \
		    --home-dir /nonexistent --shell /usr/sbin/nologin "$u"
	fi
done
