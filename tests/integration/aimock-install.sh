#!/bin/sh
# aimock-install.sh - install the aimock model-API mock (@copilotkit/aimock,
# a loopback server that speaks OpenAI's and Anthropic's wire formats)
# once into a cache directory outside the clone, for the agent-turn
# tests.  Runs on the Node 24 of the OpenClaw install (openclaw-install.sh
# first).   usage: aimock-install.sh DIR NODE_BIN_DIR
set -eu
dir=${1:?usage: aimock-install.sh DIR NODE_BIN_DIR}
node_bin=${2:?usage: aimock-install.sh DIR NODE_BIN_DIR}
[ -x "$dir/node_modules/.bin/llmock" ] && exit 0
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"name":"clawgate-aimock","private":true}' > package.json
PATH=$node_bin:$PATH
export PATH
for i in 1 2 3; do
	npm install --no-audit --no-fund @copilotkit/aimock@1.43.0 >/dev/null &&
	    break
	echo "aimock-install: attempt $i failed" >&2
	sleep $((i * 5))
done
[ -x "$dir/node_modules/.bin/llmock" ]
