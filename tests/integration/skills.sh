# skills.sh - integration tests of agent skills: skill roots given with
# skills-dir (and their checks in gatewayd -n), read by agentd before its
# chroot: a good skill, a malformed one (reported and skipped), a
# symlinked SKILL.md and a symlinked skill directory (refused), a SKILL.md
# with another hard link, a FIFO, one too large, a name that is not its
# directory's, a duplicate name, a skill for one agent only (CRLF, BOM),
# a missing root; then skills.list over the WebSocket, skill_read in
# tools.catalog and through POST /tools/invoke, the skill list in the
# system prompt of a turn (aimock matches on it), a skill_read call by
# the model, and the tool policy removing both.  Sourced by run.sh after
# turns.sh (aimock is installed there).

AIM_DIR=${CLAWGATE_CACHE:-$HOME/.cache/clawgate}/aimock
echo "# skills (aimock in $AIM_DIR)"
if ! sh "$here/aimock-install.sh" "$AIM_DIR" "$OC_NODE"; then
	not_ok "install aimock into $AIM_DIR"
	return 0
fi
SK=$(mktemp -d /tmp/clawgate-skills.XXXXXX)
FX=$here/fixtures/skills

# ---- gatewayd -n: the statement
printf 'skills-dir "%s/root1/"\nskills-dir "%s/root2"\n' "$SK" "$SK" > "$SK/ok.conf"
chmod 0644 "$SK/ok.conf"
out=$("$BIN/gatewayd" -n -f "$SK/ok.conf" 2>&1)
check "gatewayd -n accepts skills-dir, twice, in order" [ "$(grep '^skills-dir' <<<"$out")" = \
    "$(printf 'skills-dir "%s/root1"\nskills-dir "%s/root2"' "$SK" "$SK")" ]
{ for i in 1 2 3 4 5 6 7 8 9; do echo "skills-dir /s$i"; done
  echo 'skills-dir /s1'; echo 'skills-dir s10'; echo 'skills-dir'; } > "$SK/bad.conf"
chmod 0644 "$SK/bad.conf"
out=$("$BIN/gatewayd" -n -f "$SK/bad.conf" 2>&1)
check "more than 8 skills-dir refused" grep -q 'bad.conf:9: skills-dir: at most 8 directories' <<<"$out"
check "the same skills-dir twice refused" grep -q 'bad.conf:10: skills-dir: "/s1" given twice' <<<"$out"
check "a relative skills-dir refused" grep -q 'bad.conf:11: skills-dir: path must be absolute' <<<"$out"
check "skills-dir without a path refused" grep -q 'bad.conf:12: skills-dir: expected 1 argument' <<<"$out"

# ---- the roots
R1=$SK/root1 R2=$SK/root2 R3=$SK/missing
mkdir -p "$R1" "$R2" "$SK/elsewhere" "$R1/not-a-skill" "$R2/linked" \
    "$R2/ops-only" "$R2/mismatch" "$R2/hardlinked" "$R2/big" "$R2/fifo"
cp -r "$FX/release-notes" "$FX/broken" "$R1/"
echo "a file beside the skills" > "$R1/README.md"
printf -- '---\nname: linked\ndescription: Never loaded.\n---\nLINK-MARKER\n' > "$SK/elsewhere/SKILL.md"
ln -s "$SK/elsewhere/SKILL.md" "$R2/linked/SKILL.md"
ln -s "$SK/elsewhere" "$R2/dirlink"
printf -- '\xef\xbb\xbf---\r\nname: ops-only\r\ndescription: Runbooks for the ops agent.\r\nagents: [ops]\r\n---\r\n\r\nOPS-MARKER\r\n' > "$R2/ops-only/SKILL.md"
printf -- '---\nname: other\ndescription: d\n---\n' > "$R2/mismatch/SKILL.md"
printf -- '---\nname: hardlinked\ndescription: d\n---\n' > "$SK/elsewhere/hl.md"
ln "$SK/elsewhere/hl.md" "$R2/hardlinked/SKILL.md"
mkfifo "$R2/fifo/SKILL.md"
{ printf -- '---\nname: big\ndescription: d\n---\n'; head -c 70000 /dev/zero | tr '\0' x; } > "$R2/big/SKILL.md"
cp -r "$FX/release-notes" "$R2/"

MPORT=$(free_port)
PATH="$OC_NODE:$PATH" "$AIM_DIR/node_modules/.bin/llmock" -p "$MPORT" \
    -h 127.0.0.1 -f "$FX/llm.json" --log-level warn > "$SK/aimock.log" 2>&1 &
MPID=$!
for _ in $(seq 1 100); do
	curl -s -o /dev/null "http://127.0.0.1:$MPORT/" && break
	sleep 0.1
done

SUITE_CONF_EXTRA="skills-dir \"$R1\"
skills-dir \"$R2\"
skills-dir \"$R3\""
suite_start skills "$BIN"
SUITE_CONF_EXTRA=
check "suite ready with three skill roots, one missing" wait_ready 5000
apid=$(pid_of agentd)
check "agentd logs what it loaded" \
    wait_for_log 'agentd\[[0-9]*\]: skills: 2 loaded, 8 skipped, from 3 directories'
check "the malformed skill is reported with its reason" \
    wait_for_log "skill $R1/broken skipped: SKILL.md: no description in the front matter"
check "a symlinked SKILL.md is refused" \
    wait_for_log "skill $R2/linked skipped: SKILL.md is a symbolic link (refused)"
check "a symlinked skill directory is refused" \
    wait_for_log "skill $R2/dirlink skipped: the skill directory is a symbolic link (refused)"
check "a SKILL.md with another hard link is refused" \
    wait_for_log "skill $R2/hardlinked skipped: SKILL.md has other hard links (refused)"
check "a SKILL.md that is a FIFO is refused, and nothing waits on it" \
    wait_for_log "skill $R2/fifo skipped: SKILL.md is not a regular file"
check "a SKILL.md over 64 KiB is refused" \
    wait_for_log "skill $R2/big skipped: SKILL.md is larger than 64 KiB"
check "a name that is not its directory's is refused" \
    wait_for_log "skill $R2/mismatch skipped: SKILL.md: the name is not the directory's"
check "a second skill of the same name is skipped" \
    wait_for_log "skill $R2/release-notes skipped: a skill of this name was loaded from $R1"
check "a missing root is logged, not fatal" \
    wait_for_log "skills-dir $R3: No such file or directory"

cfg() { ctl config set "$1" "$2" >/dev/null || echo "config set $1 failed"; }
cfg models.providers.mock.api openai
cfg models.providers.mock.baseUrl "http://127.0.0.1:$MPORT/v1"
cfg models.providers.mock.timeoutMs 10000
cfg agents.main.model mock/gpt-4o-mini
cfg agents.ops.model mock/gpt-4o-mini
R=$(ctl token create --name reader --scopes operator.read 2>/dev/null)
W=$(ctl token create --name writer --scopes operator.read,operator.write 2>/dev/null)
P=$(ctl token create --name pairer --scopes operator.pairing 2>/dev/null)
payload() {	# the payload of the answer to m1, from pc's output
	python3 -c 'import json,sys
o=json.loads(sys.stdin.read())
print(json.dumps([f for f in o["frames"] if f.get("id")=="m1"][0].get("payload")))'
}

out=$(pc PC_TOKEN="$R" PC_CALL=skills.list | payload)
check "skills.list: every entry with its root and status" python3 -c '
import json,sys
r1,r2,r3=sys.argv[1:4]
p=json.loads(sys.stdin.read())
s={(e["name"],e["root"]):e for e in p["skills"]}
assert len(p["skills"])==10, p
ok=s[("release-notes",r1)]
assert ok["status"]=="ok" and ok["description"]=="Write release notes from a changelog, grouped by kind." and "agents" not in ok, ok
ops=s[("ops-only",r2)]
assert ops["status"]=="ok" and ops["agents"]==["ops"] and ops["description"]=="Runbooks for the ops agent.", ops
b=s[("broken",r1)]
assert b["status"]=="skipped" and b["error"]=="SKILL.md: no description in the front matter" and "description" not in b, b
assert s[("linked",r2)]["error"]=="SKILL.md is a symbolic link (refused)"
assert s[("dirlink",r2)]["error"]=="the skill directory is a symbolic link (refused)"
assert s[("release-notes",r2)]["status"]=="skipped"
assert ("not-a-skill",r1) not in s and ("README.md",r1) not in s
assert [(x["path"],x["skills"]) for x in p["roots"]]==[(r1,1),(r2,1),(r3,0)], p["roots"]
assert p["roots"][2]["error"]=="No such file or directory" and "error" not in p["roots"][0]
assert "next" not in p
' "$R1" "$R2" "$R3" <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=skills.list PC_PARAMS='{"agentId":"main"}' | payload)
check "skills.list {agentId}: the skills loaded for that agent" \
    python3 -c 'import json,sys; p=json.loads(sys.stdin.read()); assert [e["name"] for e in p["skills"]]==["release-notes"], p' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=skills.list PC_PARAMS='{"agentId":"ops","offset":2}' | payload)
check "... and an offset pages through the entries" \
    python3 -c 'import json,sys; p=json.loads(sys.stdin.read()); assert [e["name"] for e in p["skills"]]==["ops-only"], p' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=skills.list PC_PARAMS='{"offset":-1}')
check "... a bad offset: INVALID_REQUEST" grep -q '"code":"INVALID_REQUEST","message":"skills.list takes' <<<"$out"
out=$(pc PC_TOKEN="$P" PC_SCOPES=operator.pairing PC_CALL=skills.list)
check "skills.list needs operator.read" \
    grep -q '"message":"missing scope: operator.read","details":{"code":"MISSING_SCOPE"' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=tools.catalog)
check "tools.catalog lists skill_read (operator.read)" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); t={x["name"]:x["scope"] for x in [f for f in o["frames"] if f.get("id")=="m1"][0]["payload"]["tools"]}; assert t.get("skill_read")=="operator.read", t' <<<"$out"

hurl="http://127.0.0.1:$S_PORT"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" \
    -d '{"tool":"skill_read","args":{"name":"release-notes"}}' "$hurl/tools/invoke" | tr -d '\n')
check "POST /tools/invoke skill_read returns the body" python3 -c '
import json,sys
t=sys.stdin.read().strip(); assert t.endswith(" 200"), t
o=json.loads(t[:-4])
assert o["result"]=={"name":"release-notes","instructions":"# Release notes\n\nSTEP-ONE-MARKER: read the changelog since the last tag.\nThen group the entries as features, fixes and other changes.\n"}, o
' <<<"$out"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" \
    -d '{"tool":"skill_read","args":{"name":"ops-only"},"agentId":"ops"}' "$hurl/tools/invoke" | tr -d '\n')
check "... a skill for one agent, for that agent (BOM and CRLF gone)" \
    grep -q '"instructions":"OPS-MARKER\\n"}} 200$' <<<"$out"
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" \
    -d '{"tool":"skill_read","args":{"name":"ops-only"}}' "$hurl/tools/invoke" | tr -d '\n')
check "... not for another agent" grep -q 'no skill of that name for this agent.* 400$' <<<"$out"
for n in broken linked; do
	out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $W" \
	    -d "{\"tool\":\"skill_read\",\"args\":{\"name\":\"$n\"}}" "$hurl/tools/invoke" | tr -d '\n')
	check "... a skipped skill ($n) cannot be read" grep -q 'no skill of that name.* 400$' <<<"$out"
done
check "... nothing of the symlinked file was read" \
    absent_in LINK-MARKER "$(cat "$S_LOG"; pc PC_TOKEN="$R" PC_CALL=skills.list)"

turn() {	# turn AGENT MESSAGE RUNID
	pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=chat.send \
	    PC_PARAMS="{\"sessionKey\":\"agent:$1:main\",\"message\":\"$2\",\"idempotencyKey\":\"$3\"}" \
	    PC_HOLD="${4:-2500}"
}
final_text() {
	python3 -c 'import json,sys
o=json.loads(sys.stdin.read())
for f in o["frames"]:
    p=f.get("payload") or {}
    if f.get("event")=="chat" and p.get("runId")==sys.argv[1] and p.get("state") in ("final","error"):
        print(p.get("state"), (p.get("message") or {}).get("content",[{}])[0].get("text","") if p.get("message") else p.get("errorMessage",""))' "$1"
}
out=$(turn main "list skills" s-list)
check "the system prompt of a turn lists the skills (aimock matched it)" \
    [ "$(final_text s-list <<<"$out")" = "final The release-notes skill is available." ]
curl -s "http://127.0.0.1:$MPORT/__aimock/journal?limit=50" > "$SK/journal.json"
check "... only the loaded skills for that agent, by name and description" \
    python3 -c '
import json,sys
j=json.load(open(sys.argv[1]))
def sys_text(e):
    m=e["body"]["messages"]
    return "".join(x["content"] for x in m if x["role"]=="system" and isinstance(x["content"],str))
t=[sys_text(e) for e in j if e["path"]=="/v1/chat/completions" and any(x.get("content")=="list skills" for x in e["body"]["messages"])]
assert t, j
s=t[-1]
assert s.startswith("You are a helpful assistant running inside clawgate.\n\n## Skills\n"), s
assert "- release-notes: Write release notes from a changelog, grouped by kind.\n" in s, s
for bad in ("ops-only", "broken", "linked", "STEP-ONE-MARKER", "mismatch", "hardlinked"):
    assert bad not in s, (bad, s)
t=[e for e in j if e["path"]=="/v1/chat/completions" and any(x.get("content")=="list skills" for x in e["body"]["messages"])]
assert "skill_read" in [x["function"]["name"] for x in t[-1]["body"]["tools"]]
' "$SK/journal.json"
out=$(turn ops "ops skills" s-ops)
check "an agent named in agents: sees its skill" [ "$(final_text s-ops <<<"$out")" = "final ops-only listed." ]
out=$(turn main "use skill" s-use 3500)
check "the model calls skill_read, gets the body, answers" \
    [ "$(final_text s-use <<<"$out")" = "final Loaded the skill." ]
check "... the tool call was relayed" \
    grep -q '"stream":"tool","ts":[0-9]*,"data":{"phase":"result","name":"skill_read","isError":false}' <<<"$out"
out=$(pc PC_TOKEN="$R" PC_CALL=chat.history PC_PARAMS='{"sessionKey":"agent:main:main","limit":10}')
check "... and the result is in the transcript" \
    python3 -c 'import json,sys; o=json.loads(sys.stdin.read()); m=[f for f in o["frames"] if f.get("id")=="m1"][0]["payload"]["messages"]; r=[x for x in m if x["kind"]=="tool_result" and x["runId"]=="s-use"][0]; assert r["name"]=="skill_read" and "STEP-ONE-MARKER" in r["text"] and not r["is_error"], r' <<<"$out"

cfg agents.main.tools.deny '["skill_read"]'
out=$(turn main "list skills" s-denied)
check "a policy that denies skill_read: no skill list in the prompt" \
    [ "$(final_text s-denied <<<"$out")" = "final No skills listed." ]
out=$(pc PC_TOKEN="$W" PC_SCOPES=operator.read,operator.write PC_CALL=tools.effective PC_PARAMS='{"agentId":"main"}')
check "... nor the tool" absent_in '"skill_read"' "$out"
ctl config unset agents.main.tools.deny >/dev/null
check "agentd lived through it all (same process)" [ "$(pid_of agentd)" = "$apid" ]

# agentd alone restarted reads the roots again
rm "$R1/broken/SKILL.md"
printf -- '---\nname: broken\ndescription: Fixed now.\n---\nok\n' > "$R1/broken/SKILL.md"
kill -KILL "$apid"
check "agentd restarts" [ -n "$(wait_new_pid agentd "$apid" 5000)" ]
wait_ready 5000
check "... and reads the skill roots again (the fixed skill loads)" \
    wait_for_log 'agentd\[[0-9]*\]: skills: 3 loaded, 7 skipped, from 3 directories'
suite_stop
suite_cleanup

# without skills-dir, skill_read does not exist
suite_start noskills "$BIN"
wait_ready 5000
R=$(ctl token create --name reader --scopes operator.read 2>/dev/null)
out=$(pc PC_TOKEN="$R" PC_CALL=tools.catalog)
check "without skills-dir there is no skill_read" absent_in '"skill_read"' "$out"
out=$(pc PC_TOKEN="$R" PC_CALL=skills.list | payload)
check "... and skills.list is empty" [ "$out" = '{"roots": [], "skills": []}' ]
suite_stop
suite_cleanup
kill "$MPID" 2>/dev/null
wait "$MPID" 2>/dev/null
rm -rf "$SK"
