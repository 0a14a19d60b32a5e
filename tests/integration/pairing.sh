# pairing.sh - integration tests of device pairing: a new device becomes
# a pending request (device.pair.requested to pairing operators), clawctl
# or an operator approves or rejects it, the device gets a device token in
# hello-ok and reconnects with it; scope and role upgrades stay pending;
# revocation and removal end open sessions; silent loopback approval only
# when configured; records survive authd's restart.  Sourced by run.sh
# after gateway.sh (it uses OC_DIR and OC_NODE).

echo "# device pairing"
jget() {	# jget PYTHON-EXPR < json: the value of the expression over `o'
	python3 -c 'import json,sys
o=json.loads(sys.stdin.read())
try:
    v=eval(sys.argv[1])
except Exception:
    v=""
print(v if v is not None else "")' "$1"
}
absent() { ! grep -q -- "$1" <<<"$2"; }
HELLO='[f for f in o["frames"] if f.get("id")=="c1"][0]'
CALLRES='[f for f in o["frames"] if f.get("id")=="m1"][0]'

suite_start pair "$BIN"
check "suite ready" wait_ready 5000
T=$(ctl token create --name admin 2>/dev/null)
P=$(ctl token create --name pairer --scopes operator.pairing,operator.read 2>/dev/null)
PO=$(ctl token create --name pairing-only --scopes operator.pairing 2>/dev/null)
W=$(ctl token create --name writer --scopes operator.read,operator.write 2>/dev/null)
K=$(mktemp -d /tmp/clawgate-keys.XXXXXX)

# a pairing operator watches while a new device knocks
pc PC_TOKEN="$P" PC_SCOPES=operator.pairing PC_HOLD=4000 > "$K/watch" &
wpid=$!
sleep 1
out=$(pc PC_KEY="$K/a" PC_TOKEN="$T")
DEVA=$(jget 'o["deviceId"]' <<<"$out")
REQ=$(jget "$HELLO[\"error\"][\"details\"][\"requestId\"]" <<<"$out")
check "a new device: NOT_PAIRED PAIRING_REQUIRED with a request id" \
    grep -q '"code":"NOT_PAIRED","message":"pairing required","details":{"code":"PAIRING_REQUIRED","reason":"not-paired","requestId":"[0-9a-f-]\{36\}","deviceId":"'"$DEVA"'","requestedRole":"operator"}' <<<"$out"
wait "$wpid"
check "a pairing operator sees device.pair.requested" \
    grep -q '"event":"device.pair.requested","payload":{"requestId":"'"$REQ"'","deviceId":"'"$DEVA"'"' "$K/watch"
out=$(pc PC_KEY="$K/a" PC_TOKEN="$T")
check "the same ask again reuses the pending request" \
    [ "$(jget "$HELLO[\"error\"][\"details\"][\"requestId\"]" <<<"$out")" = "$REQ" ]
out=$(ctl devices list --json)
check "clawctl devices list shows the pending request" \
    grep -q '"pending":\[{"requestId":"'"$REQ"'","deviceId":"'"$DEVA"'".*"scopes":\["operator.read"\],"silent":false,"isRepair":false' <<<"$out"
out=$(ctl devices list)
check "... and in its table" grep -q "^$REQ ${DEVA:0:16} operator" <<<"$out"
out=$(pc PC_TOKEN="$W" PC_CALL=device.pair.list)
check "device.pair.list without operator.pairing: FORBIDDEN MISSING_SCOPE (checked in authd)" \
    grep -q '"id":"m1","ok":false,"error":{"code":"FORBIDDEN","message":"missing scope: operator.pairing","details":{"code":"MISSING_SCOPE"' <<<"$out"
out=$(pc PC_TOKEN="$PO" PC_SCOPES=operator.pairing PC_CALL=device.pair.approve PC_PARAMS="{\"requestId\":\"$REQ\"}")
check "an approver cannot grant a scope it does not hold" \
    grep -q '"id":"m1","ok":false,"error":{"code":"FORBIDDEN"' <<<"$out"
out=$(ctl devices list --json)
check "... and the request is still pending" grep -q "\"requestId\":\"$REQ\"" <<<"$out"
out=$(pc PC_TOKEN="$P" PC_SCOPES=operator.pairing,operator.read PC_CALL=device.pair.approve PC_PARAMS="{\"requestId\":\"$REQ\"}")
check "device.pair.approve by a pairing operator over the WebSocket" \
    grep -q '"id":"m1","ok":true,"payload":{"requestId":"'"$REQ"'","deviceId":"'"$DEVA"'","approvedVia":"owner"' <<<"$out"
check "approval is audited" grep -q '"action":"pair-approve","object":"'"$DEVA"'","outcome":"ok"' "$S_DIR/log/audit.log"

out=$(pc PC_KEY="$K/a" PC_TOKEN="$T")
DT=$(jget "$HELLO[\"payload\"][\"auth\"][\"deviceToken\"]" <<<"$out")
check "the paired device connects: hello-ok with a device token" \
    grep -q '"auth":{"method":"token","role":"operator","scopes":\["operator.read"\],"deviceToken":"cgd_[A-Za-z0-9_-]\{43\}"' <<<"$out"
out=$(pc PC_KEY="$K/a" PC_DEVTOKEN="$DT" PC_CALL=health)
check "it reconnects with the device token alone" \
    grep -q '"auth":{"method":"device-token","role":"operator","scopes":\["operator.read"\]' <<<"$out"
check "... and health answers" grep -q '"id":"m1","ok":true' <<<"$out"
out=$(pc PC_KEY="$K/b" PC_DEVTOKEN="$DT")
check "another device with that token: AUTH_DEVICE_TOKEN_MISMATCH" \
    grep -q '"details":{"code":"AUTH_DEVICE_TOKEN_MISMATCH"' <<<"$out"
out=$(pc PC_KEY="$K/a" PC_DEVTOKEN="cgd_bogus")
check "a bogus device token: AUTH_DEVICE_TOKEN_MISMATCH" \
    grep -q '"details":{"code":"AUTH_DEVICE_TOKEN_MISMATCH"' <<<"$out"
out=$(pc PC_DEVTOKEN="$DT")
check "a device token without its device is refused" \
    grep -q '"details":{"code":"AUTH_DEVICE_TOKEN_MISMATCH"' <<<"$out"
out=$(pc PC_KEY="$K/a" PC_DEVTOKEN="$DT" PC_SCOPES=operator.read,operator.write)
check "asking for more than approved: a pending upgrade, not the scopes" \
    grep -q '"code":"NOT_PAIRED".*"reason":"scope-upgrade"' <<<"$out"
check "... listed as a repair" grep -q '"isRepair":true' <<<"$(ctl devices list --json)"
out=$(pc PC_KEY="$K/a" PC_DEVTOKEN="$DT" PC_SCOPES=operator.pairing PC_CALL=device.token.rotate PC_PARAMS="{\"deviceId\":\"$DEVA\"}")
check "a device asking for a scope it was not approved for gets nothing" \
    grep -q '"code":"NOT_PAIRED"' <<<"$out"

# revocation ends the open session, and the token
pc PC_KEY="$K/a" PC_DEVTOKEN="$DT" PC_HOLD=8000 > "$K/held" &
hpid=$!
sleep 1.5
out=$(ctl devices revoke "$DEVA")
check "clawctl devices revoke" grep -q "revoked the token of device $DEVA" <<<"$out"
wait "$hpid"
check "the device's open session is closed (1008)" \
    grep -q '"close":{"code":1008,"reason":"device token revoked"}' "$K/held"
out=$(pc PC_KEY="$K/a" PC_DEVTOKEN="$DT")
check "the revoked device token is refused" grep -q 'AUTH_DEVICE_TOKEN_MISMATCH' <<<"$out"
out=$(pc PC_KEY="$K/a" PC_TOKEN="$T")
DT2=$(jget "$HELLO[\"payload\"][\"auth\"][\"deviceToken\"]" <<<"$out")
check "a shared-token connect issues a new device token" \
    bash -c "[ -n '$DT2' ] && [ '$DT2' != '$DT' ]"

# rotation by the device itself (it needs operator.pairing: approve it)
out=$(pc PC_KEY="$K/a" PC_TOKEN="$T" PC_SCOPES=operator.read,operator.pairing)
REQ2=$(jget "$HELLO[\"error\"][\"details\"][\"requestId\"]" <<<"$out")
ctl devices approve "$REQ2" > /dev/null
out=$(pc PC_KEY="$K/a" PC_DEVTOKEN="$DT2" PC_SCOPES=operator.read,operator.pairing PC_CALL=device.token.rotate PC_PARAMS="{\"deviceId\":\"$DEVA\"}")
DT3=$(jget "$CALLRES[\"payload\"][\"token\"]" <<<"$out")
check "the device rotates its own token and gets the new one" \
    bash -c "[ -n '$DT3' ] && [ '$DT3' != '$DT2' ]"
out=$(pc PC_KEY="$K/a" PC_DEVTOKEN="$DT3" PC_SCOPES=operator.read)
check "the rotated token works, with a narrower ask" \
    grep -q '"auth":{"method":"device-token","role":"operator","scopes":\["operator.read"\]' <<<"$out"
out=$(pc PC_KEY="$K/a" PC_DEVTOKEN="$DT2")
check "the token before rotation does not" grep -q 'AUTH_DEVICE_TOKEN_MISMATCH' <<<"$out"
out=$(pc PC_TOKEN="$P" PC_SCOPES=operator.pairing PC_CALL=device.token.rotate PC_PARAMS="{\"deviceId\":\"$DEVA\"}")
check "rotating another device's token takes operator.admin" \
    grep -q '"id":"m1","ok":false,"error":{"code":"FORBIDDEN","message":"missing scope: operator.admin"' <<<"$out"

# rejection
out=$(pc PC_KEY="$K/b" PC_TOKEN="$T")
REQB=$(jget "$HELLO[\"error\"][\"details\"][\"requestId\"]" <<<"$out")
out=$(ctl devices reject "$REQB")
check "clawctl devices reject" grep -q "rejected $REQB" <<<"$out"
out=$(ctl devices list --json)
check "... the request is gone" absent "$REQB" "$out"
out=$(ctl devices approve "$REQB" 2>&1)
check "approving a rejected request fails clearly" grep -q 'unknown or expired pairing request' <<<"$out"

# a node: approving another role takes admin
out=$(pc PC_KEY="$K/n" PC_TOKEN="$T" PC_ROLE=node PC_SCOPES=)
REQN=$(jget "$HELLO[\"error\"][\"details\"][\"requestId\"]" <<<"$out")
check "a new node device: NOT_PAIRED, requested role node" \
    grep -q '"reason":"not-paired","requestId":"'"$REQN"'".*"requestedRole":"node"' <<<"$out"
out=$(pc PC_TOKEN="$P" PC_SCOPES=operator.pairing PC_CALL=device.pair.approve PC_PARAMS="{\"requestId\":\"$REQN\"}")
check "approving a node without operator.admin: FORBIDDEN" \
    grep -q '"message":"missing scope: operator.admin"' <<<"$out"
ctl devices approve "$REQN" > /dev/null
out=$(pc PC_KEY="$K/n" PC_TOKEN="$T" PC_ROLE=node PC_SCOPES=)
check "the approved node connects with role node and no scopes" \
    grep -q '"auth":{"method":"token","role":"node","scopes":\[\],"deviceToken":"cgd_' <<<"$out"
out=$(pc PC_KEY="$K/n" PC_TOKEN="$T" PC_ROLE=operator)
check "the node's key asking for role operator: a role upgrade, refused" \
    grep -q '"reason":"role-upgrade"' <<<"$out"

# records are durable: authd restarts and the device token still works
apid=$(pid_of authd)
kill -9 "$apid"
wait_new_pid authd "$apid" > /dev/null
check "authd is back" wait_ready 5000
out=$(pc PC_KEY="$K/a" PC_DEVTOKEN="$DT3")
check "after authd's restart the device token still works" grep -q '"method":"device-token"' <<<"$out"

# removal
pc PC_KEY="$K/a" PC_DEVTOKEN="$DT3" PC_HOLD=8000 > "$K/held2" &
hpid=$!
sleep 1.5
out=$(ctl devices remove "$DEVA")
check "clawctl devices remove" grep -q "removed device $DEVA" <<<"$out"
wait "$hpid"
check "the removed device's session is closed" grep -q '"close":{"code":1008,"reason":"device removed"}' "$K/held2"
out=$(pc PC_KEY="$K/a" PC_TOKEN="$T")
check "the removed device must pair again" grep -q '"reason":"not-paired"' <<<"$out"

# revoking a shared token ends its sessions too
X=$(ctl token create --name short 2>/dev/null)
pc PC_TOKEN="$X" PC_HOLD=8000 > "$K/held3" &
hpid=$!
sleep 1.5
ctl token revoke short > /dev/null
wait "$hpid"
check "a revoked shared token's open session is closed" grep -q '"close":{"code":1008,"reason":"token revoked"}' "$K/held3"
out=$(ctl devices frob x 2>&1)
check "clawctl devices with an unknown subcommand: usage" grep -q 'usage: clawctl' <<<"$out"
suite_stop

echo "# silent pairing of loopback devices, when configured"
SUITE_CONF_EXTRA="pairing auto-approve-local yes"
suite_start pairauto "$BIN"
SUITE_CONF_EXTRA=
check "suite ready" wait_ready 5000
T=$(ctl token create --name admin 2>/dev/null)
out=$(pc PC_KEY="$K/s" PC_TOKEN="$T")
check "a new loopback device is paired at once, with a device token" \
    grep -q '"auth":{"method":"token","role":"operator","scopes":\["operator.read"\],"deviceToken":"cgd_' <<<"$out"
check "... recorded as approved silently" grep -q '"approvedVia":"silent"' <<<"$(ctl devices list --json)"
out=$(pc PC_KEY="$K/s2" PC_TOKEN="wrong")
check "silent pairing still needs a good shared token" grep -q 'AUTH_TOKEN_MISMATCH' <<<"$out"
suite_stop
rm -rf "$K"
