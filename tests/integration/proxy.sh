# proxy.sh - integration tests of trusted reverse proxies: identity from a
# user header, only from configured proxy addresses, with a non-loopback
# client in X-Forwarded-For, required headers and allowed users.  The
# "proxy" is curl bound to 127.0.0.2.  Sourced by run.sh.

echo "# trusted proxies"
SUITE_CONF_EXTRA='trusted-proxy 127.0.0.2
trusted-proxy allow-loopback yes
trusted-proxy user-header X-Forwarded-User
trusted-proxy require-header X-Auth-Email
trusted-proxy allow-user alice
trusted-proxy scopes "operator.read operator.write"'
suite_start proxy "$BIN"
SUITE_CONF_EXTRA=
check "suite with a trusted proxy is ready" wait_ready 5000
url="http://127.0.0.1:$S_PORT/api/v1/whoami"
px() { curl -s --interface 127.0.0.2 "$@"; }

out=$(px -H 'X-Forwarded-For: 203.0.113.7' -H 'X-Forwarded-User: alice' -H 'X-Auth-Email: a@example.org' "$url")
check "the proxy's user is the principal, with the configured scopes" \
    grep -q '"principal":"proxy:alice","role":"operator","scopes":\["operator.read","operator.write"\]' <<<"$out"
out=$(px -H 'X-Forwarded-For: 203.0.113.7, 127.0.0.2' -H 'X-Forwarded-User: alice' -H 'X-Auth-Email: a@example.org' "$url")
check "trusted hops at the right of X-Forwarded-For are skipped" grep -q '"principal":"proxy:alice"' <<<"$out"
code=$(px -o /dev/null -w '%{http_code}' -H 'X-Forwarded-For: 203.0.113.7' -H 'X-Forwarded-User: alice' "$url")
check "a missing required header: 401" [ "$code" = 401 ]
code=$(px -o /dev/null -w '%{http_code}' -H 'X-Forwarded-For: 203.0.113.7' -H 'X-Forwarded-User: bob' -H 'X-Auth-Email: b@example.org' "$url")
check "a user not allowed: 401" [ "$code" = 401 ]
out=$(curl -s -H 'X-Forwarded-For: 203.0.113.7' -H 'X-Forwarded-User: alice' -H 'X-Auth-Email: a@example.org' "$url")
check "the same headers from an untrusted address: 403 proxy_attribution_required" \
    grep -q '"type":"proxy_attribution_required"' <<<"$out"
out=$(px -H 'X-Forwarded-For: 127.0.0.1' -H 'X-Forwarded-User: alice' -H 'X-Auth-Email: a@example.org' "$url")
check "a loopback client behind the proxy: 403" grep -q '"type":"proxy_attribution_required"' <<<"$out"
out=$(px -H 'X-Forwarded-User: alice' -H 'X-Real-IP: 203.0.113.7' -H 'X-Auth-Email: a@example.org' "$url")
check "no X-Forwarded-For at all: 403" grep -q '"type":"proxy_attribution_required"' <<<"$out"
tok=$(ctl token create --name direct 2>/dev/null)
out=$(px -H "Authorization: Bearer $tok" "$url")
check "without forwarding headers the proxy address is an ordinary client" \
    grep -q '"principal":"token:' <<<"$out"
check "the proxy login is audited with the client address" \
    grep -q '"principal":"proxy:alice","action":"auth","object":"http","outcome":"ok","detail":"203.0.113.7"' "$S_DIR/log/audit.log"
if [ -x "${OC_NODE:-}/node" ]; then
	out=$(WS_LOCAL=127.0.0.2 WS_HEADERS='{"X-Forwarded-For":"203.0.113.7","X-Forwarded-User":"alice","X-Auth-Email":"a@example.org"}' \
	    NODE_PATH=$OC_DIR/oc/node_modules timeout 30 "$OC_NODE/node" \
	    "$here/wsclient.cjs" "ws://127.0.0.1:$S_PORT/" default "" 2>&1)
	check "the gateway protocol through the proxy: hello-ok with the requested scope" \
	    grep -q '"auth":{"method":"token","role":"operator","scopes":\["operator.read"\]' <<<"$out"
fi
out=$("$BIN/gatewayd" -n -f "$S_DIR/clawgate.conf" 2>&1)
check "gatewayd -n prints the trusted-proxy settings" \
    bash -c "grep -q '^trusted-proxy 127.0.0.2$' <<<'$out' && grep -q '^trusted-proxy allow-user \"alice\"$' <<<'$out'"
suite_stop
suite_cleanup
