#!/bin/sh
# deps.sh - install the Debian packages that clawgate's build, tests and
# `make run` need, when they are missing.  Run as root on Debian 12.
set -e
PKGS="gcc make pkg-config libevent-dev libssl-dev libsodium-dev libcjson-dev
liblmdb-dev libcap-dev libseccomp-dev libcmocka-dev libwslay-dev clang
libclang-rt-14-dev mandoc curl procps passwd util-linux socat"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run make deps as root)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
