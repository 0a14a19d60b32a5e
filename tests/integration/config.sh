# config.sh - integration tests of agentd's config KV store: clawctl
# config and the gateway methods config.get/set/patch, key and value
# checks, references only for secrets, compare-and-swap on the hash,
# scopes, audit, durability across agentd's restart.  Sourced by run.sh
# after gateway.sh (it uses the OpenClaw install's node for its client).

echo "# config KV store (agentd)"
suite_start config "$BIN"
check "suite ready" wait_ready 5000
out=$(ctl config set agents.main.model openai/gpt-4o-mini)
check "clawctl config set" grep -q '^changed 1 key; hash sha256:[0-9a-f]\{64\}$' <<<"$out"
H1=$(sed 's/.*hash //' <<<"$out")
check "clawctl config get a key" [ "$(ctl config get agents.main.model)" = '"openai/gpt-4o-mini"' ]
ctl config set models.providers.openai.baseUrl https://api.openai.com/v1 >/dev/null
ctl config set models.providers.openai.api openai >/dev/null
out=$(ctl config set models.providers.openai.apiKey '{"source":"vault","id":"OPENAI_API_KEY"}')
check "a secret reference is accepted where a secret belongs" grep -q '^changed 1 key' <<<"$out"
out=$(ctl config set models.providers.openai.apiKey sk-proj-abcdefghijklmnop 2>&1)
check "a plaintext secret is refused" grep -q 'a secret value where a reference belongs' <<<"$out"
check "... and never echoed" absent_in "sk-proj-abcdefghijklmnop" "$out$(cat "$S_LOG" "$S_DIR"/log/*)"
out=$(ctl config set models.providers.openai.timeoutMs 5 2>&1)
check "a number out of range is refused, naming the key" grep -q 'number out of range' <<<"$out"
out=$(ctl config set models.providers.openai.timeoutMs 5000ms 2>&1)
check "a value that is not wholly JSON is a string (5000ms), refused for a number" grep -q 'expected an integer' <<<"$out"
out=$(ctl config set agents.Main.model openai/x 2>&1)
check "an upper-case agent id is refused" grep -q 'unknown key' <<<"$out"
out=$(ctl config unset agents.nobody.model)
check "unsetting a key that is not set changes nothing" grep -q '^changed 0 keys' <<<"$out"
out=$(ctl config set agents.main.colour blue 2>&1)
check "an unknown key is refused" grep -q 'unknown key' <<<"$out"
out=$(ctl config set 'agents.ma in.model' x/y 2>&1)
check "a malformed key is refused" grep -q 'keys are dotted paths' <<<"$out"
out=$(ctl config set models.providers.openai.baseUrl 'http://user:pw@example.com' 2>&1)
check "a URL with credentials is refused" grep -q 'without credentials' <<<"$out"
out=$(ctl config list models.providers.openai)
check "clawctl config list with a prefix" \
    bash -c "grep -q '^models.providers.openai.api = \"openai\"$' <<<'$out' && ! grep -q '^agents' <<<'$out'"
out=$(ctl config export)
check "clawctl config export nests the keys" \
    python3 -c 'import json,sys; c=json.load(sys.stdin); assert c["agents"]["main"]["model"]=="openai/gpt-4o-mini"; assert c["models"]["providers"]["openai"]["apiKey"]["source"]=="vault"' <<<"$out"
out=$(ctl config set agents.main.maxSteps 8 --base-hash "$H1" 2>&1)
check "a stale base hash is refused (compare-and-swap)" grep -q 'changed since baseHash' <<<"$out"
H2=$(ctl config get --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["hash"])')
out=$(ctl config set agents.main.maxSteps 8 --base-hash "$H2")
check "the current hash is accepted" grep -q '^changed 1 key' <<<"$out"
check "config changes are audited with the new hash" \
    grep -q '"action":"config-set","object":"agents.main.maxSteps","outcome":"ok","detail":"sha256:' "$S_DIR/log/audit.log"
out=$(ctl config unset agents.main.maxSteps)
check "clawctl config unset" grep -q '^changed 1 key' <<<"$out"
out=$(ctl config get agents.main.maxSteps 2>&1)
check "... the key is gone" grep -q 'clawctl: no such key' <<<"$out"
printf '{"agents":{"helper":{"model":"anthropic/claude-x","name":"Helper"}},"session":{"dmScope":"per-peer"}}' | ctl config import >/dev/null
check "clawctl config import adds keys" [ "$(ctl config get agents.helper.name)" = '"Helper"' ]
check "... and keeps the others" [ "$(ctl config get agents.main.model)" = '"openai/gpt-4o-mini"' ]
out=$(printf '{"agents":{"x":{"model":"bad"}},"session":{"dmScope":"main"}}' | ctl config import 2>&1)
check "an import with one bad value is refused" grep -q 'expected "provider/model"' <<<"$out"
check "... and changes nothing" [ "$(ctl config get session.dmScope)" = '"per-peer"' ]

# the gateway methods, with the scopes they need
url="ws://127.0.0.1:$S_PORT"
R=$(ctl token create --name reader --scopes operator.read 2>/dev/null)
A=$(ctl token create --name admin 2>/dev/null)
out=$(pc PC_TOKEN="$R" PC_CALL=config.get PC_PARAMS='{"key":"agents.main.model"}')
check "config.get with operator.read over the WebSocket" \
    grep -q '"id":"m1","ok":true,"payload":{"key":"agents.main.model","value":"openai/gpt-4o-mini","hash":"sha256:' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=config.set PC_PARAMS='{"key":"agents.main.maxSteps","value":4}')
check "config.set without operator.admin: FORBIDDEN MISSING_SCOPE" \
    grep -q '"error":{"code":"FORBIDDEN","message":"missing scope: operator.admin","details":{"code":"MISSING_SCOPE"' <<<"$out"
out=$(pc PC_TOKEN="$A" PC_SCOPES=operator.admin PC_CALL=config.patch PC_PARAMS='{"patch":{"agents":{"main":{"maxSteps":4,"name":null}}}}')
check "config.patch with operator.admin (a null for an absent key changes nothing)" grep -q '"id":"m1","ok":true,"payload":{"changed":1,"hash":"sha256:' <<<"$out"
old=$(pid_of agentd)
kill -9 "$old"
check "agentd restarts" [ -n "$(wait_new_pid agentd "$old" 5000)" ]
wait_ready 5000
check "the configuration survives agentd's kill -9" [ "$(ctl config get agents.main.maxSteps)" = 4 ]
suite_stop
