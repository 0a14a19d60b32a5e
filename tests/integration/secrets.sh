# secrets.sh - integration tests of secretd: references in the boot
# configuration, the env, file, exec and vault providers with their
# refusals, clawctl secrets, last-good values on reload, who may fetch
# what, vault durability under kill -9, and a canary that must not appear
# anywhere but where it belongs.  Sourced by run.sh.

echo "# secrets: configuration"
d=$(mktemp -d /tmp/clawgate-secconf.XXXXXX)
conf_try() {	# conf_try "statements": gatewayd -n's output
	printf 'state-dir "%s"\n%s\n' "$d" "$1" > "$d/c.conf"
	chmod 0644 "$d/c.conf"
	"$BIN/gatewayd" -n -f "$d/c.conf" 2>&1
}
out=$(conf_try 'secrets outbound "sk-live-1234567890abcdef"')
check "a plaintext value where a reference belongs is refused" \
    grep -q 'secret reference' <<<"$out"
check "... and the value is not echoed" absent_in "sk-live-1234567890abcdef" "$out"
out=$(conf_try 'secrets outbound "file:nope:/a"')
check "a reference to an unknown provider is refused" grep -q 'no provider named nope' <<<"$out"
out=$(conf_try 'secrets outbound "vault:vault:OPENAI_API_KEY"')
check "a vault reference needs secrets vault-key" grep -q 'needs secrets vault-key' <<<"$out"
out=$(conf_try 'secrets outbound "env:default:lowercase"')
check "an env id that breaks OpenClaw's rule is refused" grep -q 'secret reference' <<<"$out"
out=$(conf_try 'secrets vault-key credential "clawgate-vault"
secrets outbound "vault:vault:X"')
check "the vault key may be a systemd credential" grep -q '^secrets vault-key credential "clawgate-vault"$' <<<"$out"
out=$(conf_try 'secrets provider p exec "relative/cmd"')
check "an exec provider needs an absolute command" grep -q 'expected an absolute path' <<<"$out"
out=$(conf_try 'secrets vault-key "/etc/clawgate/vault.key"
secrets provider files file "/etc/clawgate/secrets.json" single-value max-bytes 4096
secrets provider cmd exec "/usr/local/bin/op" arg "read" timeout 2000 pass-env HOME
secrets outbound "${OPENAI_API_KEY}"
secrets verify "file:files:value"')
check "a full secrets section is accepted" grep -q '^secrets outbound "env:default:OPENAI_API_KEY"$' <<<"$out"
echo "$out" > "$d/n.conf"; chmod 0644 "$d/n.conf"
check "... and its normalized form parses back to itself" \
    diff <("$BIN/gatewayd" -n -f "$d/n.conf" 2>&1) "$d/n.conf"
rm -rf "$d"

echo "# secrets: providers, vault, clawctl"
SD=$(mktemp -d /tmp/clawgate-secrets.XXXXXX)
chmod 0755 "$SD"
C_ENV=canary-env-$RANDOM$RANDOM
C_FILE=canary-file-$RANDOM$RANDOM
C_EXEC=canary-exec-$RANDOM$RANDOM
C_VAULT=canary-vault-$RANDOM$RANDOM
C_SINGLE=canary-single-$RANDOM$RANDOM
printf '{"openai":{"key":"%s"},"slack":{"signing":"8f742231b10e8888abcd99yyyzzz85a5"}}' "$C_FILE" > "$SD/secrets.json"
chmod 0600 "$SD/secrets.json"
printf '%s\n' "$C_SINGLE" > "$SD/token"
chmod 0600 "$SD/token"
mkfile() {	# mkfile NAME MODE [OWNER]: a JSON secrets file
	printf '{"k":"v"}' > "$SD/$1"; chmod "$2" "$SD/$1"
	[ -n "${3:-}" ] && chown "$3" "$SD/$1"
	return 0
}
mkfile worldread 0644
mkfile owned 0600 nobody
printf '{"k":"%0200d"}' 0 > "$SD/big"; chmod 0600 "$SD/big"
mkfile real 0600; ln -s "$SD/real" "$SD/link"
mkfile hard 0600; ln "$SD/hard" "$SD/hard2"
# exec providers: python3 scripts speaking OpenClaw's protocol
mkexec() {	# mkexec NAME MODE BODY: a provider script
	printf '#!/usr/bin/python3\nimport json, os, pwd, sys, time\n%s\n' "$3" > "$SD/$1"
	chmod "$2" "$SD/$1"
}
mkexec good.py 0755 "req = json.loads(sys.stdin.read())
me = pwd.getpwnam('_clawsec').pw_uid
if os.getuid() != me or os.geteuid() != me:
    print(json.dumps({'protocolVersion': 1, 'values': {}, 'errors': {i: {'code': 'WRONG_USER'} for i in req['ids']}}))
elif open('/proc/self/environ').read().strip('\\0').split('\\0') != ['PATH=/usr/bin:/bin']:
    print(json.dumps({'protocolVersion': 1, 'values': {}, 'errors': {i: {'code': 'ENV_LEAK'} for i in req['ids']}}))
else:
    print(json.dumps({'protocolVersion': 1, 'values': {i: '$C_EXEC' for i in req['ids'] if i != 'missing/id'}, 'errors': {'missing/id': {'code': 'NOT_FOUND'}}}))"
mkexec slow.py 0755 "sys.stdin.read(); time.sleep(5)"
mkexec quiet.py 0755 "sys.stdin.read(); time.sleep(3); print('{}')"
mkexec chatty.py 0755 "sys.stdin.read(); print('x' * 5000)"
mkexec garbage.py 0755 "sys.stdin.read(); print('this is not json')"
mkexec crash.py 0755 "sys.stdin.read(); os._exit(3)"
mkexec writable.py 0757 "print('{}')"
ln -s "$SD/good.py" "$SD/symlink.py"
SUITE_CONF_EXTRA="secrets vault-key \"$SD/vault.key\"
secrets provider files file \"$SD/secrets.json\"
secrets provider single file \"$SD/token\" single-value
secrets provider worldread file \"$SD/worldread\"
secrets provider owned file \"$SD/owned\"
secrets provider big file \"$SD/big\" max-bytes 64
secrets provider link file \"$SD/link\"
secrets provider hard file \"$SD/hard\"
secrets provider restricted env allow ALLOWED_ONE
secrets provider cmd exec \"$SD/good.py\"
secrets provider slow exec \"$SD/slow.py\" timeout 1000
secrets provider quiet exec \"$SD/quiet.py\" timeout 5000 no-output-timeout 500
secrets provider chatty exec \"$SD/chatty.py\" max-output 100
secrets provider garbage exec \"$SD/garbage.py\"
secrets provider crash exec \"$SD/crash.py\"
secrets provider writable exec \"$SD/writable.py\"
secrets outbound env:default:CANARY_ENV
secrets outbound file:files:/openai/key
secrets outbound file:single:value
secrets outbound exec:cmd:openai/key
secrets outbound vault:vault:SLACK_BOT_TOKEN
secrets verify file:files:/slack/signing"
suite_start secrets "$TBIN" CANARY_ENV="$C_ENV" ALLOWED_ONE=x NOT_ALLOWED=y \
    CLAWGATE_TEST_AGENTD_EXEC="$TBIN/../tests/evilagent" \
    CLAWGATE_TEST_FETCH="env:default:CANARY_ENV file:files:/openai/key exec:cmd:openai/key vault:vault:SLACK_BOT_TOKEN file:files:/slack/signing env:default:NOT_ALLOWED {\"source\":\"file\",\"provider\":\"files\",\"id\":\"/openai/key\"}"
SUITE_CONF_EXTRA=
check "suite ready" wait_ready 5000
stest() {	# stest REF: clawctl secrets test's output and status
	ctl secrets test "$1" 2>&1
}
for _ in $(seq 1 50); do	# the snapshot resolves in the background
	out=$(ctl secrets list)
	grep -q '^exec:cmd:openai/key  *outbound  *ok' <<<"$out" && break
	sleep 0.2
done
check "the configured references resolved at start" \
    bash -c "grep -q '^env:default:CANARY_ENV  *outbound  *ok' <<<'$out' &&
	grep -q '^file:files:/openai/key  *outbound  *ok' <<<'$out' &&
	grep -q '^file:single:value  *outbound  *ok' <<<'$out' &&
	grep -q '^exec:cmd:openai/key  *outbound  *ok' <<<'$out' &&
	grep -q '^file:files:/slack/signing  *verify  *ok' <<<'$out'"
check "the exec provider ran as _clawsec with only PATH (it says so)" grep -q '^exec:cmd:openai/key  *outbound  *ok' <<<"$out"
check "the vault key was created, root-only" \
    bash -c "[ \"\$(stat -c '%u %a' '$SD/vault.key')\" = '0 600' ]"
check "secretd's sealing key is published next to the control socket" \
    grep -q '^[0-9a-f]\{64\}$' "$S_CTL.secretd.pub"
out=$(printf '%s\n' "$C_VAULT" | ctl secrets set SLACK_BOT_TOKEN)
check "clawctl secrets set reads stdin and stores" grep -q 'stored SLACK_BOT_TOKEN in the vault' <<<"$out"
out=$(ctl secrets list --json)
check "clawctl secrets list shows the name and time, never the value" \
    bash -c "grep -q '\"name\":\"SLACK_BOT_TOKEN\",\"source\":\"vault\",\"created\":[0-9]*,\"updated\":[0-9]*' <<<'$out' && ! grep -q '$C_VAULT' <<<'$out'"
out=$(stest vault:vault:SLACK_BOT_TOKEN)
check "clawctl secrets test: ok, without the value" \
    bash -c "grep -q 'vault:vault:SLACK_BOT_TOKEN: ok' <<<'$out' && ! grep -q '$C_VAULT' <<<'$out'"
out=$(printf '' | ctl secrets set EMPTY 2>&1)
check "an empty value is refused" grep -q 'must be 1 to' <<<"$out"
out=$(printf 'v' | ctl secrets set lower_case 2>&1)
check "a name that breaks the id rule is refused" grep -q 'must match' <<<"$out"
out=$(ctl secrets set 2>&1)
check "secrets set without a name: usage (values never come from argv)" grep -q 'usage: clawctl' <<<"$out"
check "missing vault name" grep -q 'no such name in the vault' <<<"$(stest vault:vault:NOPE)"
check "missing env variable" grep -q 'environment variable not set' <<<"$(stest env:default:NOPE_NOT_SET)"
check "env allowlist: an allowed name resolves" grep -q ': ok' <<<"$(stest env:restricted:ALLOWED_ONE)"
check "env allowlist: another name is refused" grep -q "not in the provider's allowlist" <<<"$(stest env:restricted:NOT_ALLOWED)"
check "file: a missing JSON pointer" grep -q 'no string value at that JSON pointer' <<<"$(stest file:files:/nope)"
check "file: group- or world-readable refused" grep -q 'group or others have access' <<<"$(stest file:worldread:/k)"
check "file: owned by someone else refused" grep -q 'owned by uid' <<<"$(stest file:owned:/k)"
check "file: over max-bytes refused" grep -q 'over max-bytes' <<<"$(stest file:big:/k)"
check "file: a symbolic link refused" grep -q 'a symbolic link' <<<"$(stest file:link:/k)"
check "file: a second hard link refused" grep -q '2 links' <<<"$(stest file:hard:/k)"
check "exec: an id the provider does not know" grep -q 'NOT_FOUND' <<<"$(stest exec:cmd:missing/id)"
t0=$(date +%s%N)
out=$(stest exec:slow:x)
t1=$(date +%s%N)
check "exec: a command over its timeout is stopped" grep -q 'timed out' <<<"$out"
check "... within its timeout (1 s) and a little" [ $(((t1 - t0) / 1000000)) -lt 2500 ]
check "exec: no output for no-output-timeout" grep -q 'no output in time' <<<"$(stest exec:quiet:x)"
check "exec: output over max-output" grep -q 'over max-output' <<<"$(stest exec:chatty:x)"
check "exec: malformed JSON" grep -q 'not JSON' <<<"$(stest exec:garbage:x)"
check "exec: a crashing provider" grep -q 'exec provider' <<<"$(stest exec:crash:x)"
check "exec: a command writable by others is refused" grep -q 'not writable by group or others' <<<"$(stest exec:writable:x)"
sleep 0.5
check "no provider command is left running" bash -c "! pgrep -u _clawsec -f '$SD' >/dev/null"

echo "# secrets: who may fetch what"
check "agentd gets an outbound env value" wait_for_log "evilagent\[[0-9]*\]: fetch env:default:CANARY_ENV: value of ${#C_ENV} bytes" 5
check "agentd gets an outbound file value" grep -q "fetch file:files:/openai/key: value of ${#C_FILE} bytes" "$S_LOG"
check "agentd gets an outbound exec value" grep -q "fetch exec:cmd:openai/key: value of ${#C_EXEC} bytes" "$S_LOG"
check "agentd fetching a verify-only reference is refused" \
    grep -q "fetch file:files:/slack/signing: refused: reference not marked for outbound use" "$S_LOG"
check "agentd fetching an unmarked reference is refused" \
    grep -q "fetch env:default:NOT_ALLOWED: refused: reference not marked for outbound use" "$S_LOG"
check "the JSON form of a marked reference is the same reference" \
    grep -q 'fetch {"source":"file","provider":"files","id":"/openai/key"}: value of' "$S_LOG"
check "every fetch is audited" \
    grep -q '"principal":"agentd","action":"secret-fetch","object":"env:default:NOT_ALLOWED","outcome":"refused"' "$S_DIR/log/audit.log"

echo "# secrets: reload keeps the last good value"
chmod 0644 "$SD/secrets.json"
out=$(ctl secrets reload)
check "a failing provider is reported" grep -q 'reloaded; 2 references failed' <<<"$out"
check "... and its references keep their value (stale)" grep -q '^file:files:/openai/key  *outbound  *stale  *.*group or others' <<<"$out"
chmod 0600 "$SD/secrets.json"
out=$(ctl secrets reload)
check "once fixed, reload resolves it again" bash -c "grep -q 'reloaded; 0 references failed' <<<'$out' && grep -q '^file:files:/openai/key  *outbound  *ok' <<<'$out'"
out=$(ctl secrets rm SLACK_BOT_TOKEN)
check "clawctl secrets rm" grep -q 'removed SLACK_BOT_TOKEN' <<<"$out"
check "... it is gone" grep -q 'no such name' <<<"$(stest vault:vault:SLACK_BOT_TOKEN)"

echo "# secrets: vault durability under kill -9"
printf '%s\n' "$C_VAULT" | ctl secrets set SLACK_BOT_TOKEN >/dev/null
( for i in $(seq 1 60); do
	printf 'value-%d\n' "$i" | ctl secrets set "DUR_$i" 2>/dev/null
  done > "$SD/acked" ) &
spid=$!
sleep 0.4
old=$(pid_of secretd)
kill -9 "$old"
wait "$spid"
new=$(wait_new_pid secretd "$old" 5000)
check "secretd is back after kill -9" [ -n "$new" ]
sleep 0.3
acked=$(grep -c '^stored DUR_' "$SD/acked")
lost=0
for n in $(sed -n 's/^stored \(DUR_[0-9]*\) in the vault$/\1/p' "$SD/acked"); do
	stest "vault:vault:$n" | grep -q ': ok' || lost=$((lost + 1))
done
check "every acknowledged value ($acked) is there and opens" [ "$lost" = 0 -a "$acked" -gt 0 ]
check "values set before the kill survive" grep -q ': ok' <<<"$(stest vault:vault:SLACK_BOT_TOKEN)"

echo "# secrets: the canary appears nowhere it should not"
leaks=""
for c in "$C_ENV" "$C_FILE" "$C_EXEC" "$C_VAULT" "$C_SINGLE"; do
	grep -rlF -- "$c" "$S_DIR/log" "$S_LOG" "$S_DIR/state" 2>/dev/null | sed "s|^|$c in |" >> "$SD/leaks"
done
for p in $(child_pids) $S_PID; do
	for c in "$C_FILE" "$C_EXEC" "$C_VAULT" "$C_SINGLE"; do
		tr '\0' ' ' < /proc/$p/cmdline | grep -qF -- "$c" && echo "$c in cmdline of $p" >> "$SD/leaks"
		tr '\0' '\n' < /proc/$p/environ | grep -qF -- "$c" && echo "$c in environ of $p" >> "$SD/leaks"
	done
	# the env canary is in the environment of its origin (the parent)
	# and of secretd only
	if [ "$p" != "$S_PID" ] && [ "$p" != "$(pid_of secretd)" ]; then
		tr '\0' '\n' < /proc/$p/environ | grep -qF -- "$C_ENV" && echo "env canary in environ of $p" >> "$SD/leaks"
		tr '\0' ' ' < /proc/$p/cmdline | grep -qF -- "$C_ENV" && echo "env canary in cmdline of $p" >> "$SD/leaks"
	fi
done
ls /var/crash /var/lib/systemd/coredump 2>/dev/null | grep -q . && grep -rlF -- "$C_VAULT" /var/crash /var/lib/systemd/coredump 2>/dev/null >> "$SD/leaks"
touch "$SD/leaks"
check "no canary in logs, audit, LMDB (sealed vault aside), cmdlines or environments" [ ! -s "$SD/leaks" ]
[ -s "$SD/leaks" ] && sed 's/^/#   /' "$SD/leaks"
check "secretd is not dumpable (its /proc files belong to root)" \
    [ "$(stat -c %U /proc/$(pid_of secretd)/environ)" = root ]
suite_stop

echo "# secrets: secretd closes an edge that carries the wrong type"
suite_start secrets-edge "$TBIN" CLAWGATE_TEST_AGENTD_EXEC="$TBIN/../tests/evilagent" \
    CLAWGATE_TEST_ATTACK=verify CLAWGATE_TEST_FETCH=
check "suite up" wait_for_log "evilagent\[[0-9]*\]: secretd closed the edge" 10
check "secretd refused SECRET_VERIFY from agentd" \
    grep -q 'secretd\[[0-9]*\]: refused SECRET_VERIFY (type [0-9]*, [0-9]* bytes) from agentd: message type not allowed on this edge' "$S_LOG"
suite_stop
rm -rf "$SD"
