# turns.sh - integration tests of the agent loop against a real loopback
# model server that speaks OpenAI's and Anthropic's wire formats (aimock,
# installed once into the cache): chat.send over the WebSocket and from
# the real OpenClaw CLI, streaming events, a tool call round trip, 429
# then success, 529, 400, 401, a timeout, a stream cut short, an
# unreachable provider, idempotency, scopes, the API key in the right
# header and nowhere else, HTTPS with certificate and name checks, and a
# turn cut by kill -9 of agentd.  Sourced by run.sh after gateway.sh.

AIM_DIR=${CLAWGATE_CACHE:-$HOME/.cache/clawgate}/aimock
echo "# agent turns against a mock model server (aimock in $AIM_DIR)"
if ! sh "$here/aimock-install.sh" "$AIM_DIR" "$OC_NODE"; then
	not_ok "install aimock into $AIM_DIR"
	return 0
fi
TD=$(mktemp -d /tmp/clawgate-turns.XXXXXX)
chmod 0755 "$TD"
KEY_CANARY=sk-canary-$RANDOM$RANDOM$RANDOM
MPORT=$(free_port)
python3 -c 'import json,sys; json.dump({"fixtures":[{"match":{"userMessage":"long answer"},"response":{"content":"x"*60000}}]}, open(sys.argv[1],"w"))' "$TD/long.json"
AIMOCK_API_KEYS="$KEY_CANARY" PATH="$OC_NODE:$PATH" \
    "$AIM_DIR/node_modules/.bin/llmock" -p "$MPORT" -h 127.0.0.1 \
    -f "$here/fixtures/llm.json" -f "$TD/long.json" --log-level warn > "$TD/aimock.log" 2>&1 &
MPID=$!
for _ in $(seq 1 100); do
	curl -s -o /dev/null "http://127.0.0.1:$MPORT/" && break
	sleep 0.1
done

# a TLS front for the mock, with a CA of our own: name checks matter
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$TD/ca.key" -out "$TD/ca.pem" -days 2 -subj /CN=test-ca \
    -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$TD/srv.key" -out "$TD/srv.csr" -subj /CN=model.test 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$TD/ext"
openssl x509 -req -in "$TD/srv.csr" -CA "$TD/ca.pem" -CAkey "$TD/ca.key" \
    -CAcreateserial -out "$TD/srv.pem" -days 2 -extfile "$TD/ext" 2>/dev/null
TPORT=$(free_port)
cat > "$TD/tlsproxy.cjs" <<'JS'
// a TLS terminator in front of the mock model server
const https = require('https'), http = require('http'), fs = require('fs');
const [key, cert, port, up] = process.argv.slice(2);
https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) },
  (req, res) => {
    const p = http.request({ host: '127.0.0.1', port: up, path: req.url,
      method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers); r.pipe(res); });
    req.pipe(p);
  }).listen(port, '127.0.0.1');
JS
"$OC_NODE/node" "$TD/tlsproxy.cjs" "$TD/srv.key" "$TD/srv.pem" "$TPORT" "$MPORT" > "$TD/tls.log" 2>&1 &
TLSPID=$!

SUITE_CONF_EXTRA="secrets vault-key \"$TD/vault.key\"
secrets outbound vault:vault:MOCK_KEY
secrets outbound vault:vault:WRONG_KEY
model-ca-file \"$TD/ca.pem\""
suite_start turns "$BIN"
SUITE_CONF_EXTRA=
check "suite ready" wait_ready 5000
printf '%s\n' "$KEY_CANARY" | ctl secrets set MOCK_KEY >/dev/null
printf 'sk-not-the-right-one\n' | ctl secrets set WRONG_KEY >/dev/null
cfg() { ctl config set "$1" "$2" >/dev/null || echo "config set $1 failed"; }
prov() {	# prov NAME API BASEURL KEYNAME [timeoutMs] [maxRetries]
	cfg "models.providers.$1.api" "$2"
	cfg "models.providers.$1.baseUrl" "$3"
	[ -n "$4" ] && cfg "models.providers.$1.apiKey" "{\"source\":\"vault\",\"id\":\"$4\"}"
	cfg "models.providers.$1.timeoutMs" "${5:-10000}"
	cfg "models.providers.$1.maxRetries" "${6:-2}"
}
prov mock openai "http://127.0.0.1:$MPORT/v1" MOCK_KEY
prov anth anthropic "http://127.0.0.1:$MPORT/v1" MOCK_KEY
prov wrong openai "http://127.0.0.1:$MPORT/v1" WRONG_KEY
prov slow openai "http://127.0.0.1:$MPORT/v1" MOCK_KEY 1500 0
prov down openai "http://127.0.0.1:1/v1" MOCK_KEY 2000 0
prov tls openai "https://127.0.0.1:$TPORT/v1" MOCK_KEY
prov tlsname openai "https://localhost:$TPORT/v1" MOCK_KEY 3000 0
prov remote openai "http://192.0.2.1/v1" MOCK_KEY 2000 0
cfg agents.long.model mock/gpt-4o-mini
for a in main:mock anth:anth wrong:wrong slow:slow down:down tls:tls tlsname:tlsname remote:remote; do
	cfg "agents.${a%%:*}.model" "${a#*:}/gpt-4o-mini"
done
W=$(ctl token create --name writer --scopes operator.read,operator.write 2>/dev/null)
R=$(ctl token create --name reader --scopes operator.read 2>/dev/null)
turn() {	# turn AGENT MESSAGE RUNID: chat.send, then the events for a while
	pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=chat.send \
	    PC_PARAMS="{\"sessionKey\":\"agent:$1:main\",\"message\":\"$2\",\"idempotencyKey\":\"$3\"}" \
	    PC_HOLD="${4:-2500}"
}
final_text() {	# the text of the final chat event of a run, from pc's output
	python3 -c 'import json,sys
o=json.loads(sys.stdin.read())
for f in o["frames"]:
    p=f.get("payload") or {}
    if f.get("event")=="chat" and p.get("runId")==sys.argv[1] and p.get("state") in ("final","error"):
        print(p.get("state"), (p.get("message") or {}).get("content",[{}])[0].get("text","") if p.get("message") else p.get("errorMessage",""))' "$1"
}

out=$(turn main hello r-hello)
check "chat.send answers {runId, status: started}" \
    grep -q '"id":"m1","ok":true,"payload":{"runId":"r-hello","status":"started"}' <<<"$out"
check "the answer streams as chat events and ends final" \
    [ "$(final_text r-hello <<<"$out")" = "final Hi there, friend." ]
check "agent events carry the deltas" grep -q '"event":"agent","payload":{"runId":"r-hello".*"stream":"assistant"' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=chat.history PC_PARAMS='{"sessionKey":"agent:main:main"}')
check "chat.history has the user message and the answer" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); m=[f for f in o["frames"] if f.get("id")=="m1"][0]["payload"]["messages"]; k=[(r["kind"],r.get("text")) for r in m]; assert ("user","hello") in k and ("assistant","Hi there, friend.") in k, k' <<<"$out"
out=$(turn main hello r-hello 500)
check "the same idempotencyKey: the same run, not a second one" \
    grep -q '"payload":{"runId":"r-hello","status":"done"}' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=chat.history PC_PARAMS='{"sessionKey":"agent:main:main"}')
check "... and the message was stored once" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); m=[f for f in o["frames"] if f.get("id")=="m1"][0]["payload"]["messages"]; assert sum(1 for r in m if r["kind"]=="user")==1' <<<"$out"

out=$(turn main "search memory" r-tool 3500)
check "a tool call round trip: memory_search, then the answer" \
    [ "$(final_text r-tool <<<"$out")" = "final I found our earlier hello." ]
check "... tool events were relayed" grep -q '"stream":"tool","ts":[0-9]*,"data":{"phase":"result","name":"memory_search","isError":false}' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=chat.history PC_PARAMS='{"sessionKey":"agent:main:main","limit":10}')
check "... and the call and its result are in the transcript" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); m=[f for f in o["frames"] if f.get("id")=="m1"][0]["payload"]["messages"]; r=[x for x in m if x["kind"]=="tool_result"][0]; assert r["name"]=="memory_search" and "\"text\":\"hello\"" in r["text"], r' <<<"$out"

out=$(turn anth hello r-anth)
check "Anthropic Messages, streaming" [ "$(final_text r-anth <<<"$out")" = "final Hi there, friend." ]
out=$(turn main "busy then fine" r-429 4000)
check "429 then success: retried, honouring Retry-After" [ "$(final_text r-429 <<<"$out")" = "final Fine now." ]
out=$(turn main overloaded r-529 5000)
check "529 is retried, then fails with the provider's reason" \
    grep -q '^error .*529.*[Oo]verloaded' <<<"$(final_text r-529 <<<"$out")"
check "... after the retries (logged)" grep -q 'run r-529: model provider busy; retry 2' "$S_LOG"
out=$(turn main "bad request" r-400 1500)
check "400 fails at once with the provider's reason" \
    grep -q '^error .*400.*field required' <<<"$(final_text r-400 <<<"$out")"
check "... not retried" absent_in 'run r-400: model provider busy' "$(cat "$S_LOG")"
out=$(turn wrong hello r-401 1500)
check "401 (a wrong key) fails clearly" grep -q '^error .*401' <<<"$(final_text r-401 <<<"$out")"
out=$(turn slow slow r-slow 3500)
check "a provider slower than timeoutMs: the turn fails, timed out" \
    grep -q '^error .*timed out' <<<"$(final_text r-slow <<<"$out")"
out=$(turn main "cut short" r-cut 2500)
check "a stream cut short fails, not half-answered" grep -q '^error ' <<<"$(final_text r-cut <<<"$out")"
out=$(turn down hello r-down 3000)
check "an unreachable provider: a clear error event, no hang" \
    grep -q '^error model provider unreachable' <<<"$(final_text r-down <<<"$out")"
out=$(turn tls hello r-tls)
check "HTTPS with the configured CA and the right name" [ "$(final_text r-tls <<<"$out")" = "final Hi there, friend." ]
out=$(turn tlsname hello r-tlsname 4000)
check "HTTPS to a name the certificate does not carry fails, and says TLS" grep -q "^error model provider: TLS: certificate verify failed" <<<"$(final_text r-tlsname <<<"$out")"

out=$(pc PC_TOKEN="$R" PC_CALL=chat.send PC_PARAMS='{"sessionKey":"agent:main:main","message":"hello"}')
check "chat.send without operator.write: FORBIDDEN MISSING_SCOPE" \
    grep -q '"message":"missing scope: operator.write","details":{"code":"MISSING_SCOPE"' <<<"$out"
out=$(pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=chat.send PC_PARAMS='{}')
check "chat.send without a session: SESSION_MUTATION_TARGET_REQUIRED" \
    grep -q '"details":{"code":"SESSION_MUTATION_TARGET_REQUIRED"}' <<<"$out"
out=$(pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=agent.wait PC_PARAMS='{"runId":"r-hello"}')
check "agent.wait of a finished run" grep -q '"payload":{"runId":"r-hello","sessionKey":"agent:main:main".*"status":"done"' <<<"$out"

# the key went where it belongs, in its header, and nowhere else
curl -s -H "Authorization: Bearer $KEY_CANARY" "http://127.0.0.1:$MPORT/__aimock/journal?limit=200" > "$TD/journal.json"
# (aimock enforces the key, AIMOCK_API_KEYS, and redacts it in its journal)
check "the API key reached the model server as Authorization (OpenAI)" \
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert any(e["path"]=="/v1/chat/completions" and "authorization" in e["headers"] and "x-api-key" not in e["headers"] for e in j)' "$TD/journal.json"
check "... and as x-api-key with anthropic-version (Anthropic)" \
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert any(e["path"]=="/v1/messages" and "x-api-key" in e["headers"] and e["headers"].get("anthropic-version")=="2023-06-01" and "authorization" not in e["headers"] for e in j)' "$TD/journal.json"
leak=$(grep -rlF -- "$KEY_CANARY" "$S_DIR/log" "$S_LOG" "$S_DIR/state" 2>/dev/null)
for p in $(child_pids) $S_PID; do
	tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -qF -- "$KEY_CANARY" && leak="$leak environ:$p"
	tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -qF -- "$KEY_CANARY" && leak="$leak cmdline:$p"
done
check "the API key is in no log, audit record, transcript, cmdline or environment" [ -z "$leak" ]

out=$(turn remote hello r-remote 1500)
check "an API key is never sent over plain http to a non-loopback host" \
    grep -q '^error .*an API key is sent over https only' <<<"$(final_text r-remote <<<"$out")"
out=$(turn long "long answer" r-long 3000)
check "a long answer still ends with a final event (its text bounded, marked truncated)" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); f=[x["payload"] for x in o["frames"] if x.get("event")=="chat" and x["payload"].get("state")=="final"]; assert f and f[0]["truncated"] is True and len(f[0]["message"]["content"][0]["text"])==50000' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=chat.history PC_PARAMS='{"sessionKey":"agent:long:main"}')
check "... and chat.history bounds what it returns (the long text cut, marked)" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); m=[f for f in o["frames"] if f.get("id")=="m1"][0]["payload"]["messages"]; a=[r for r in m if r["kind"]=="assistant"][0]; assert a["truncated"] and len(a["text"])==8192' <<<"$out"
apid=$(pid_of agentd)
pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=chat.send \
    PC_PARAMS='{"sessionKey":"agent:slow:abort","message":"slow","idempotencyKey":"r-abort"}' >/dev/null
out=$(pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=chat.abort PC_PARAMS='{"sessionKey":"agent:slow:abort"}')
check "chat.abort stops a running turn" grep -q '"payload":{"runId":"r-abort","aborted":true}' <<<"$out"
out=$(pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=agent.wait PC_PARAMS='{"runId":"r-abort"}')
check "... the run is marked aborted" grep -q '"status":"aborted"' <<<"$out"
sleep 2
check "... and agentd lives on (same process)" [ "$(pid_of agentd)" = "$apid" ]

# the HTTP API: POST /tools/invoke and GET /v1/models
hurl="http://127.0.0.1:$S_PORT"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" -H 'Content-Type: application/json' \
    -d '{"tool":"sessions_list","args":{"limit":5}}' "$hurl/tools/invoke" | tr -d '\n')
check "POST /tools/invoke sessions_list" grep -q '^{"ok":true,"result":\[{"key":"agent:.*200$' <<<"$out"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $R" -d '{"tool":"sessions_list","args":{}}' "$hurl/tools/invoke" | tr -d '\n')
check "... without operator.write: 403 MISSING_SCOPE" grep -q '"type":"FORBIDDEN","message":"missing scope: operator.write".* 403$' <<<"$out"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" -d '{"tool":"nope","args":{}}' "$hurl/tools/invoke" | tr -d '\n')
check "... an unknown tool: 404" grep -q ' 404$' <<<"$out"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" -d 'not json' "$hurl/tools/invoke" | tr -d '\n')
check "... a body that is not JSON: 400" grep -q 'one JSON object.* 400$' <<<"$out"
big=$(python3 -c 'print("{\"tool\":\"sessions_list\",\"args\":{},\"pad\":\"" + "y"*20000 + "\"}")')
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" -d "$big" "$hurl/tools/invoke" | tr -d '\n')
check "... a body larger than a route takes: 413, and front lives on" \
    bash -c "grep -q ' 413$' <<<'${out: -5}'"
out=$(curl -s -o /dev/null -w '%{http_code}' -d '{"tool":"sessions_list"}' "$hurl/tools/invoke")
check "... without a token: 401" [ "$out" = 401 ]
out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $W" "$hurl/tools/invoke")
check "... GET: 405" [ "$out" = 405 ]
out=$(curl -s -H "Authorization: Bearer $R" "$hurl/v1/models")
check "GET /v1/models lists one model per agent" grep -q '"object":"list","data":\[.*{"id":"openclaw/main","object":"model"' <<<"$out"

out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $W" \
    -d '{"model":"openclaw/main","messages":[{"role":"user","content":"hello"}]}' "$hurl/v1/chat/completions")
check "POST /v1/chat/completions is off until enabled: 404" [ "$out" = 404 ]
cfg http.chatCompletions true
out=$(curl -s -H "Authorization: Bearer $W" \
    -d '{"model":"openclaw/main","messages":[{"role":"system","content":"x"},{"role":"user","content":"hello"}]}' "$hurl/v1/chat/completions")
check "POST /v1/chat/completions runs a turn and answers in OpenAI's shape" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); assert o["object"]=="chat.completion" and o["model"]=="openclaw/main" and o["choices"][0]["message"]["content"]=="Hi there, friend.", o' <<<"$out"
out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $R" \
    -d '{"model":"openclaw/main","messages":[{"role":"user","content":"hello"}]}' "$hurl/v1/chat/completions")
check "... it needs operator.write (403 with read only)" [ "$out" = 403 ]

# the tool registry and policy
A=$(ctl token create --name admin 2>/dev/null)
out=$(pc PC_TOKEN="$R" PC_CALL=tools.catalog)
check "tools.catalog lists the built-in tools with their scopes" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); t={x["name"]:x["scope"] for x in [f for f in o["frames"] if f.get("id")=="m1"][0]["payload"]["tools"]}; assert t=={"sessions_list":"operator.read","sessions_history":"operator.read","sessions_send":"operator.write","memory_search":"operator.read","memory_get":"operator.read","message":"operator.write","exec":"operator.admin"}, t' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=tools.effective PC_PARAMS='{"agentId":"main"}')
check "tools.effective: a read-only caller gets the read-only tools" \
    grep -q '"payload":{"agentId":"main","tools":\["sessions_list","sessions_history","memory_search","memory_get"\]}' <<<"$out"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" -d '{"tool":"exec","args":{"command":"id"}}' "$hurl/tools/invoke" | tr -d '\n')
check "a tool that needs admin, called with write scope: 403 MISSING_SCOPE" \
    grep -q '"message":"missing scope: operator.admin".* 403$' <<<"$out"
check "... and the refusal is audited" \
    grep -q '"action":"tool-call","object":"exec","outcome":"refused","detail":"missing scope"' "$S_DIR/log/audit.log"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $A" -d '{"tool":"exec","args":{"command":"id"}}' "$hurl/tools/invoke" | tr -d '\n')
check "exec with admin: code execution is disabled, nothing runs" grep -q 'code execution is disabled.* 400$' <<<"$out"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" -d '{"tool":"memory_search","args":{"query":""}}' "$hurl/tools/invoke" | tr -d '\n')
check "arguments are checked against the tool's schema" grep -q 'argument query: too short.* 400$' <<<"$out"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" -d '{"tool":"memory_search","args":{"query":"x","extra":1}}' "$hurl/tools/invoke" | tr -d '\n')
check "... unknown arguments refused" grep -q 'argument extra: not allowed.* 400$' <<<"$out"
out=$(curl -s -H "Authorization: Bearer $W" -d '{"tool":"sessions_send","args":{"sessionKey":"agent:main:main","text":"note from a tool"}}' "$hurl/tools/invoke")
check "sessions_send posts into another session" grep -q '"ok":true,"result":{"sessionKey":"agent:main:main","seq":[0-9]*}' <<<"$out"
cfg tools.deny '["memory_*"]'
out=$(pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=tools.effective)
check "tools.deny globs remove tools" \
    grep -q '"tools":\["sessions_list","sessions_history","sessions_send","message"\]' <<<"$out"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" -d '{"tool":"memory_search","args":{"query":"x"}}' "$hurl/tools/invoke" | tr -d '\n')
check "... and /tools/invoke refuses a denied tool" grep -q 'tool not allowed by the tool policy.* 403$' <<<"$out"
out=$(turn main "search memory" r-denied 3500)
check "a denied tool the model calls anyway gets an error result, the turn goes on" \
    [ "$(final_text r-denied <<<"$out")" = "final I found our earlier hello." ]
out=$(pc PC_TOKEN="$R" PC_CALL=chat.history PC_PARAMS='{"sessionKey":"agent:main:main","limit":6}')
check "... the refusal is in the transcript as an error result" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); m=[f for f in o["frames"] if f.get("id")=="m1"][0]["payload"]["messages"]; r=[x for x in m if x["kind"]=="tool_result" and x["runId"]=="r-denied"][0]; assert r["is_error"] and "not allowed" in r["text"], r' <<<"$out"
ctl config unset tools.deny >/dev/null
cfg agents.main.tools.allow '["sessions_*"]'
out=$(pc PC_TOKEN="$A" PC_SCOPES=operator.admin PC_CALL=tools.effective)
check "an agent's allow list keeps only what it names" \
    grep -q '"tools":\["sessions_list","sessions_history","sessions_send"\]' <<<"$out"
ctl config unset agents.main.tools.allow >/dev/null

# the real OpenClaw CLI sends a turn
out=$(oc gateway call chat.send --json --url "ws://127.0.0.1:$S_PORT" --token "$W" \
    --params '{"sessionKey":"agent:main:cli","message":"hello","idempotencyKey":"cli-1"}')
check "openclaw gateway call chat.send starts a run" grep -q '"runId": "cli-1"' <<<"$out"
sleep 1
out=$(oc gateway call chat.history --json --url "ws://127.0.0.1:$S_PORT" --token "$W" \
    --params '{"sessionKey":"agent:main:cli"}')
check "... and openclaw gateway call chat.history shows the answer" grep -q 'Hi there, friend.' <<<"$out"

# a turn cut by kill -9 of agentd: marked failed, nothing half-written
cfg models.providers.slow.timeoutMs 10000
pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=chat.send \
    PC_PARAMS='{"sessionKey":"agent:slow:main","message":"slow","idempotencyKey":"r-kill"}' >/dev/null
sleep 1
old=$(pid_of agentd)
kill -9 "$old"
check "agentd restarts" [ -n "$(wait_new_pid agentd "$old" 5000)" ]
wait_ready 5000
out=$(pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=agent.wait PC_PARAMS='{"runId":"r-kill"}')
check "the interrupted run is marked failed" grep -q '"status":"failed","error":"agentd restarted during the turn"' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=chat.history PC_PARAMS='{"sessionKey":"agent:slow:main"}')
check "... its user message is there, and a system event says what happened" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); m=[f for f in o["frames"] if f.get("id")=="m1"][0]["payload"]["messages"]; k=[r["kind"] for r in m]; assert k[0]=="user" and "system_event" in k and "assistant" not in k, k' <<<"$out"
check "... and the earlier sessions are intact" \
    grep -q 'Hi there, friend.' <<<"$(pc PC_TOKEN="$R" PC_CALL=chat.history PC_PARAMS='{"sessionKey":"agent:main:main"}')"
suite_stop
kill "$MPID" "$TLSPID" 2>/dev/null
wait "$MPID" "$TLSPID" 2>/dev/null
rm -rf "$TD"
