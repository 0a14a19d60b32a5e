# auth.sh - integration tests of shared tokens over HTTP, the failed-
# authentication limiter and token administration with clawctl.  Sourced
# by run.sh (uses its helpers and BIN).

echo "# shared tokens and the rate limiter"
SUITE_CONF_EXTRA="rate-limit failures 10 window 60 lockout 3"
suite_start auth "$BIN"
SUITE_CONF_EXTRA=
check "suite with a short lockout is ready" wait_ready 5000
url="http://127.0.0.1:$S_PORT/api/v1/whoami"

out=$(curl -s -i "$url")
check "whoami without a credential: 401" grep -q '^HTTP/1.1 401' <<<"$out"
check "401 names Bearer" grep -qi '^WWW-Authenticate: Bearer' <<<"$out"
check "401 body as OpenClaw's" grep -q '{"error":{"message":"Unauthorized","type":"unauthorized"}}' <<<"$out"

tok=$(ctl token create --name ci --scopes operator.read,operator.write 2>"$S_DIR/create.err")
check "clawctl token create prints a token" grep -q '^cg_[A-Za-z0-9_-]\{43\}$' <<<"$tok"
check "create reports id, name and scopes on stderr" \
    grep -q 'created tok_[0-9a-f]* (name ci, scopes operator.read operator.write)' "$S_DIR/create.err"
out=$(curl -s -H "Authorization: Bearer $tok" "$url")
check "whoami with the token: principal and scopes, verified by agentd" \
    grep -q '"principal":"token:tok_[0-9a-f]*","role":"operator","scopes":\["operator.read","operator.write"\]' <<<"$out"
check "the token is not in the audit log" bash -c "! grep -q -- '$tok' '$S_DIR/log/audit.log'"
check "token creation is audited" grep -q '"action":"token-create"' "$S_DIR/log/audit.log"
check "the token is not in any log line" bash -c "! grep -q -- '$tok' '$S_LOG'"
out=$(curl -s -o /dev/null -w '%{http_code}' "$url?token=$tok")
check "a token in the query string is not accepted (401)" [ "$out" = 401 ]
out=$(curl -s -i -H "Authorization: Bearer $tok" -H "X-Forwarded-For: 1.2.3.4" "$url")
check "forwarding header from an untrusted peer: 403" grep -q '^HTTP/1.1 403' <<<"$out"
check "403 type proxy_attribution_required" grep -q '"type":"proxy_attribution_required"' <<<"$out"
out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer a b" "$url")
check "malformed Authorization: 400" [ "$out" = 400 ]
out=$(ctl token create --scopes operator.root 2>&1)
check "unknown scope refused" grep -q 'invalid scopes' <<<"$out"
out=$(ctl token create --name 'bad name' 2>&1)
check "bad token name refused" grep -q 'invalid token name' <<<"$out"
out=$(ctl token list)
check "token list shows the token without its secret" \
    bash -c "grep -q '^tok_[0-9a-f]* *ci ' <<<'$out' && ! grep -q -- '$tok' <<<'$out'"

codes=""
for i in $(seq 1 10); do
	codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong$i" "$url")"
done
check "ten wrong tokens: 401 each" [ "$codes" = " 401 401 401 401 401 401 401 401 401 401" ]
out=$(curl -s -i -H "Authorization: Bearer wrong11" "$url")
check "the 11th attempt: 429" grep -q '^HTTP/1.1 429' <<<"$out"
check "429 carries Retry-After" grep -qi '^Retry-After: 3' <<<"$out"
check "429 body type rate_limited" grep -q '"type":"rate_limited"' <<<"$out"
out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$url")
check "during the lockout the correct token is refused too (429)" [ "$out" = 429 ]
out=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 -H "Authorization: Bearer $tok" "$url")
check "another source is not locked out (200)" [ "$out" = 200 ]
check "the lockout is audited" grep -q '"action":"lockout"' "$S_DIR/log/audit.log"
sleep 3.2
out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$url")
check "after the lockout the correct token works (200)" [ "$out" = 200 ]

out=$(ctl token revoke ci)
check "token revoke by name" grep -q 'revoked 1 token$' <<<"$out"
out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$url")
check "a revoked token is refused (401)" [ "$out" = 401 ]
out=$(ctl token revoke ci 2>&1)
check "revoking an unknown token fails" grep -q 'no token with that id or name' <<<"$out"

echo "# the control socket is limited per uid"
chmod 0666 "$S_CTL"
for i in $(seq 1 10); do
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/clawctl" -s "$S_CTL" status >/dev/null 2>&1
done
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/clawctl" -s "$S_CTL" status 2>&1)
check "the 11th refused attempt of a uid is rate-limited" \
    grep -q 'too many failed attempts from uid 65534: retry in [0-9]* s' <<<"$out"
check "root is not affected by another uid's lockout" ctl status >/dev/null
chmod 0660 "$S_CTL"

echo "# token state survives restarts"
tok2=$(ctl token create --name durable 2>/dev/null)
old=$(pid_of authd)
kill -KILL "$old"
wait_new_pid authd "$old" 3000 >/dev/null
wait_ready 2000
out=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok2" "$url")
check "a token survives kill -9 of authd" [ "$out" = 200 ]
suite_stop
suite_cleanup
