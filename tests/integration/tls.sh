# tls.sh - integration tests of TLS listeners: a self-signed certificate
# made here, HTTPS and WSS on loopback, old protocol versions refused, key
# file permissions enforced.  Sourced by run.sh.

echo "# TLS listeners"
TLSD=$(mktemp -d /tmp/clawgate-tls.XXXXXX)
chmod 0755 "$TLSD"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -days 1 \
    -keyout "$TLSD/key.pem" -out "$TLSD/cert.pem" 2>/dev/null
chmod 0600 "$TLSD/key.pem"
TPORT=$(free_port)
SUITE_CONF_EXTRA="listen on 127.0.0.1 port $TPORT tls certificate \"$TLSD/cert.pem\" key \"$TLSD/key.pem\""
suite_start tls "$BIN"
check "suite with a TLS listener is ready" wait_ready 5000
out=$(curl -s --cacert "$TLSD/cert.pem" "https://127.0.0.1:$TPORT/healthz")
check "HTTPS /healthz" [ "$out" = '{"ok":true,"status":"live"}' ]
code=$(curl -s -o /dev/null -w '%{http_code}' --tls-max 1.1 --cacert "$TLSD/cert.pem" "https://127.0.0.1:$TPORT/healthz")
check "TLS 1.1 is refused" [ "$code" = 000 ]
out=$(openssl s_client -connect "127.0.0.1:$TPORT" -tls1_2 -cipher 'AES128-SHA' </dev/null 2>&1)
check "a non-forward-secret cipher is refused" grep -q -i 'handshake failure\|no cipher\|alert' <<<"$out"
out=$(openssl s_client -connect "127.0.0.1:$TPORT" -tls1_3 </dev/null 2>/dev/null)
check "TLS 1.3 is offered" grep -q 'New, TLSv1.3' <<<"$out"
tok=$(ctl token create --name tls 2>/dev/null)
out=$(curl -s --cacert "$TLSD/cert.pem" -H "Authorization: Bearer $tok" "https://127.0.0.1:$TPORT/api/v1/whoami")
check "whoami over HTTPS" grep -q '"principal":"token:' <<<"$out"
if [ -x "${OC_NODE:-}/node" ]; then
	out=$(WS_CA="$TLSD/cert.pem" NODE_PATH=$OC_DIR/oc/node_modules timeout 30 \
	    "$OC_NODE/node" "$here/wsclient.cjs" "wss://127.0.0.1:$TPORT/" default "$tok" 2>&1)
	check "the gateway protocol over WSS" grep -q '"type":"hello-ok"' <<<"$out"
fi
check "plain HTTP still on the loopback listener" \
    [ "$(curl -s "http://127.0.0.1:$S_PORT/healthz")" = '{"ok":true,"status":"live"}' ]
out=$("$BIN/gatewayd" -n -f "$S_DIR/clawgate.conf" 2>&1)
check "gatewayd -n prints the TLS listener" grep -q "port $TPORT tls certificate \"$TLSD/cert.pem\" key \"$TLSD/key.pem\"" <<<"$out"
suite_stop
chmod 0644 "$TLSD/key.pem"
out=$("$BIN/gatewayd" -d -f "$S_DIR/clawgate.conf" 2>&1)
check "a key readable by others is refused at start" \
    grep -q "key $TLSD/key.pem must be owned by root and not accessible to group or others" <<<"$out"
SUITE_CONF_EXTRA=
suite_cleanup
rm -rf "$TLSD"
