/*
 * test_sessionkey.c - unit tests of OpenClaw session keys
 * (agentd/sessionkey.c, trust zone "agentd"): good and bad keys of every
 * form (main, per-peer, per-channel-peer and per-account-channel-peer
 * DMs, groups, channels, threads, topics, global), the rules of each
 * part, round trips parse -> format -> parse, the checks of a key in
 * parts, output buffers, errors that never repeat their input, and the
 * routing of inbound messages by dmScope, groupScope, mainKey and
 * identityLinks, with OpenClaw's normalisation and our refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sessionkey.h"

#define RE_NAME	"^[a-z0-9][a-z0-9_-]{0,63}$"
#define ID_RULE	"1 to 128 bytes of [a-z0-9._@+=/#-] with no \".\" or " \
		"\"..\" between slashes"
#define E_AGENT	"session key: agent id must match " RE_NAME
#define E_MAIN	"session key: main key must match " RE_NAME \
		" and not be a reserved word"
#define E_CHAN	"session key: channel must match " RE_NAME \
		" and not be a reserved word"
#define E_ACCT	"session key: account id must match " RE_NAME \
		" and not be a reserved word"
#define E_PEER	"session key: peer id must be " ID_RULE
#define E_GROUP	"session key: group id must be " ID_RULE \
		" (and may hold A-Z for a Signal group)"
#define E_THR	"session key: thread id must be " ID_RULE
#define E_FORM	"session key: not a known form (agent:<agent>:<main key>, " \
		"...:direct:<peer>, <channel>:group:<id>, " \
		"<channel>:channel:<id>, each with an optional :thread:<id>)"
#define E_PFX	"session key: must be \"global\" or agent:<agent id>:..."
#define E_EPART	"session key: empty part (\"::\", or ':' at an end)"
#define E_TOPIC	"session key: a topic only follows a group"

/* a string of n copies of c after prefix, in one of two static buffers */
static const char *
rep(const char *prefix, char c, size_t n)
{
	static char	 buf[2][8192];
	static int	 which;
	size_t		 plen = strlen(prefix);
	char		*b = buf[which ^= 1];

	assert_true(plen + n < sizeof(buf[0]));
	memcpy(b, prefix, plen);
	memset(b + plen, c, n);
	b[plen + n] = '\0';
	return b;
}

/* parses, checks, formats back to the same text and parses again */
static void
round_trip(const char *text, const struct session_key *k)
{
	struct session_key	 k2;
	const char		*err = NULL;
	char			 out[SESSIONKEY_BUFSZ];
	int			 n;

	assert_int_equal(sessionkey_check(k, &err), 0);
	n = sessionkey_format(k, out, sizeof(out));
	if (n < 0)
		fail_msg("\"%s\" does not format", text);
	assert_int_equal((size_t)n, strlen(text));
	assert_string_equal(out, text);
	assert_int_equal(sessionkey_parse(out, &k2, &err), 0);
	assert_memory_equal(k, &k2, sizeof(k2));
	/* one byte short of room: refused, out left empty */
	memset(out, 'x', sizeof(out));
	assert_int_equal(sessionkey_format(k, out, (size_t)n), -1);
	assert_int_equal(out[0], '\0');
	assert_int_equal(sessionkey_format(k, out, (size_t)n + 1), n);
}

static struct session_key
parse_ok(const char *text)
{
	struct session_key	 k;
	const char		*err = NULL;

	if (sessionkey_parse(text, &k, &err) != 0)
		fail_msg("refused \"%s\": %s", text, err);
	round_trip(text, &k);
	return k;
}

static void
parse_bad(const char *text, const char *want)
{
	struct session_key	 k, zero;
	const char		*err = NULL;

	memset(&k, 'x', sizeof(k));
	memset(&zero, 0, sizeof(zero));
	if (sessionkey_parse(text, &k, &err) != -1)
		fail_msg("accepted \"%s\"", text);
	assert_non_null(err);
	assert_true(strncmp(err, "session key: ", 13) == 0);
	if (want != NULL && strcmp(err, want) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", text, err, want);
	/* the message is ours, not a piece of the input */
	assert_true(text == NULL || err < text || err > text + strlen(text));
	/* nothing of a refused key is left behind */
	assert_memory_equal(&k, &zero, sizeof(k));
}

static void
test_main(void **state)
{
	struct session_key	 k;
	char			 text[256];

	(void)state;
	k = parse_ok("agent:main:main");
	assert_int_equal(k.kind, SESSKEY_MAIN);
	assert_int_equal(k.thread_kind, SESSKEY_THREAD_NONE);
	assert_string_equal(k.agent, "main");
	assert_string_equal(k.main_key, "main");
	assert_string_equal(k.channel, "");
	assert_string_equal(k.peer, "");
	k = parse_ok("agent:ops-2:work_key");
	assert_string_equal(k.agent, "ops-2");
	assert_string_equal(k.main_key, "work_key");
	parse_ok("agent:0:0");
	parse_ok("agent:a_b-c:global");
	snprintf(text, sizeof(text), "agent:%s:%s", rep("", 'a', 64),
	    rep("", 'z', 64));
	k = parse_ok(text);
	assert_int_equal(strlen(k.agent), 64);
	/* the main key: a name, not a reserved word */
	snprintf(text, sizeof(text), "agent:a:%s", rep("", 'z', 65));
	parse_bad(text, E_MAIN);
	parse_bad("agent:main:Main", E_MAIN);
	parse_bad("agent:main:-x", E_MAIN);
	parse_bad("agent:main:_x", E_MAIN);
	parse_bad("agent:main:a.b", E_MAIN);
	parse_bad("agent:main:direct", E_MAIN);
	parse_bad("agent:main:thread", E_MAIN);
	parse_bad("agent:main:cron", E_MAIN);
	parse_bad("agent:main:subagent", E_MAIN);
	parse_bad("agent:main:acp", E_MAIN);
	parse_bad("agent:main:dm", E_MAIN);
	parse_bad("agent:main:agent", E_MAIN);
	/* the agent id */
	snprintf(text, sizeof(text), "agent:%s:main", rep("", 'a', 65));
	parse_bad(text, E_AGENT);
	parse_bad("agent:Main:main", E_AGENT);
	parse_bad("agent:-a:main", E_AGENT);
	parse_bad("agent:_a:main", E_AGENT);
	parse_bad("agent:a.b:main", E_AGENT);
	parse_bad("agent:a b:main", E_AGENT);
	parse_bad("agent:\xc3\xa9:main", E_AGENT);
	parse_bad("agent:a@b:main", E_AGENT);
}

static void
test_global_and_shape(void **state)
{
	struct session_key	 k;

	(void)state;
	k = parse_ok("global");
	assert_int_equal(k.kind, SESSKEY_GLOBAL);
	assert_string_equal(k.agent, "");
	parse_bad(NULL, "session key: empty");
	parse_bad("", "session key: empty");
	parse_bad("Global", E_PFX);
	parse_bad("global:x", E_PFX);
	parse_bad("main", E_PFX);
	parse_bad("agent", E_PFX);
	parse_bad("agent:main", E_PFX);
	parse_bad("Agent:main:main", E_PFX);
	parse_bad("AGENT:main:main", E_PFX);
	parse_bad("session:main:main", E_PFX);
	parse_bad(" agent:main:main", E_PFX);
	parse_bad("agent:main:main ", E_MAIN);
	parse_bad("agent:main:main\n", E_MAIN);
	parse_bad("agent::main", E_EPART);
	parse_bad("agent:main:", E_EPART);
	parse_bad(":agent:main:main", E_EPART);
	parse_bad("agent:main:main:", E_EPART);
	parse_bad("agent:main:direct::thread:1", E_EPART);
	parse_bad("agent:a:b:c:d:e:f:g:h", "session key: more than 8 parts");
	parse_bad("agent:main:main:thread", E_FORM);
	parse_bad("agent:main:cron:job", E_FORM);
	parse_bad("agent:main:cron:job:run:abc", E_FORM);
	parse_bad("agent:main:subagent:x", E_FORM);
	parse_bad("agent:main:telegram:dm:42", E_FORM);
	parse_bad("agent:main:agent:main:main", E_FORM);
	parse_bad("agent:main:telegram:Direct:42", E_FORM);
	parse_bad("agent:main:telegram:x:y", E_FORM);
	parse_bad("agent:main:a:b:c:d", E_FORM);
	parse_bad("agent:main:telegram:default:group:1", E_FORM);
	parse_bad("agent:main:telegram:default:channel:1", E_FORM);
	/* longest: 472 bytes; a byte more is refused before anything */
	parse_bad(rep("agent:main:main:thread:", 'a', 472 - 23 + 1),
	    "session key: longer than 472 bytes");
}

static void
test_direct_per_peer(void **state)
{
	struct session_key	 k;
	char			 text[512];

	(void)state;
	k = parse_ok("agent:main:direct:+15551234567");
	assert_int_equal(k.kind, SESSKEY_DIRECT);
	assert_string_equal(k.peer, "+15551234567");
	assert_string_equal(k.channel, "");
	assert_string_equal(k.account, "");
	parse_ok("agent:main:direct:alice@example.org");
	parse_ok("agent:main:direct:120363@g.us");
	parse_ok("agent:main:direct:u0123abc");
	parse_ok("agent:main:direct:a.b_c-d=e/f#g");
	parse_ok("agent:main:direct:-1");
	parse_ok("agent:main:direct:...");
	parse_ok("agent:main:direct:a/.../b");
	/* a peer may be a keyword: position decides */
	parse_ok("agent:main:direct:direct");
	parse_ok("agent:main:direct:thread");
	parse_ok("agent:main:direct:group");
	snprintf(text, sizeof(text), "agent:main:direct:%s",
	    rep("", '9', 128));
	parse_ok(text);
	snprintf(text, sizeof(text), "agent:main:direct:%s",
	    rep("", '9', 129));
	parse_bad(text, E_PEER);
	parse_bad("agent:main:direct:Alice", E_PEER);
	parse_bad("agent:main:direct:U0123ABC", E_PEER);
	parse_bad("agent:main:direct:a b", E_PEER);
	parse_bad("agent:main:direct:a\tb", E_PEER);
	parse_bad("agent:main:direct:a%20b", E_PEER);
	parse_bad("agent:main:direct:a\\b", E_PEER);
	parse_bad("agent:main:direct:\xc3\xa9", E_PEER);
	parse_bad("agent:main:direct:a\x7f", E_PEER);
	parse_bad("agent:main:direct:.", E_PEER);
	parse_bad("agent:main:direct:..", E_PEER);
	parse_bad("agent:main:direct:a/../b", E_PEER);
	parse_bad("agent:main:direct:a/./b", E_PEER);
	parse_bad("agent:main:direct:../a", E_PEER);
	parse_bad("agent:main:direct:a/..", E_PEER);
	parse_bad("agent:main:direct:/.", E_PEER);
}

static void
test_direct_per_channel(void **state)
{
	struct session_key	 k;
	char			 text[512];

	(void)state;
	k = parse_ok("agent:main:telegram:direct:123456789");
	assert_int_equal(k.kind, SESSKEY_DIRECT);
	assert_string_equal(k.channel, "telegram");
	assert_string_equal(k.account, "");
	assert_string_equal(k.peer, "123456789");
	k = parse_ok("agent:main:whatsapp:biz:direct:+15551234567");
	assert_int_equal(k.kind, SESSKEY_DIRECT);
	assert_string_equal(k.channel, "whatsapp");
	assert_string_equal(k.account, "biz");
	assert_string_equal(k.peer, "+15551234567");
	parse_ok("agent:main:nextcloud-talk:default:direct:x");
	parse_ok("agent:main:main:direct:x");
	snprintf(text, sizeof(text), "agent:%s:%s:%s:direct:%s",
	    rep("", 'a', 64), rep("", 'c', 64), "acct", "p");
	parse_ok(text);
	/* channel and account: names, not reserved words */
	parse_bad("agent:main:Telegram:direct:1", E_CHAN);
	parse_bad("agent:main:tele.gram:direct:1", E_CHAN);
	parse_bad("agent:main:direct:direct:1", E_CHAN);
	parse_bad("agent:main:group:direct:1", E_CHAN);
	parse_bad("agent:main:cron:direct:1", E_CHAN);
	parse_bad("agent:main:agent:direct:1", E_CHAN);
	parse_bad("agent:main:_x:direct:1", E_CHAN);
	snprintf(text, sizeof(text), "agent:main:%s:direct:1",
	    rep("", 'c', 65));
	parse_bad(text, E_CHAN);
	parse_bad("agent:main:telegram:Default:direct:1", E_ACCT);
	parse_bad("agent:main:telegram:thread:direct:1", E_ACCT);
	parse_bad("agent:main:telegram:dm:direct:1", E_ACCT);
	parse_bad("agent:main:telegram:a+b:direct:1", E_ACCT);
	snprintf(text, sizeof(text), "agent:main:t:%s:direct:1",
	    rep("", 'c', 65));
	parse_bad(text, E_ACCT);
	parse_bad("agent:main:telegram:direct:A", E_PEER);
	parse_bad("agent:main:telegram:x:direct:..", E_PEER);
}

static void
test_groups(void **state)
{
	struct session_key	 k;
	char			 text[512];

	(void)state;
	k = parse_ok("agent:main:telegram:group:-1001234567890");
	assert_int_equal(k.kind, SESSKEY_GROUP);
	assert_string_equal(k.channel, "telegram");
	assert_string_equal(k.group, "-1001234567890");
	assert_string_equal(k.peer, "");
	k = parse_ok("agent:main:discord:channel:123456");
	assert_int_equal(k.kind, SESSKEY_CHANNEL);
	assert_string_equal(k.group, "123456");
	parse_ok("agent:main:whatsapp:group:120363@g.us");
	parse_ok("agent:main:slack:channel:c0123abc");
	parse_ok("agent:main:irc:channel:#general");
	parse_ok("agent:main:telegram:group:thread");
	snprintf(text, sizeof(text), "agent:main:slack:channel:%s",
	    rep("", 'c', 128));
	parse_ok(text);
	snprintf(text, sizeof(text), "agent:main:slack:channel:%s",
	    rep("", 'c', 129));
	parse_bad(text, E_GROUP);
	/* Signal group ids keep their case; nothing else does */
	k = parse_ok("agent:main:signal:group:AbC+/9xYz=");
	assert_string_equal(k.group, "AbC+/9xYz=");
	parse_bad("agent:main:signal:channel:AbC", E_GROUP);
	parse_bad("agent:main:signal:direct:AbC", E_PEER);
	parse_bad("agent:main:telegram:group:AbC", E_GROUP);
	parse_bad("agent:main:slack:channel:C0123ABC", E_GROUP);
	parse_bad("agent:main:signal:group:A/../B", E_GROUP);
	parse_bad("agent:main:telegram:group:a b", E_GROUP);
	parse_bad("agent:main:Discord:channel:1", E_CHAN);
	parse_bad("agent:main:group:group:1", E_CHAN);
	parse_bad("agent:main:channel:channel:1", E_CHAN);
	/* Matrix and Teams ids hold ':': not representable */
	parse_bad("agent:main:matrix:channel:!room:example.org", E_FORM);
	parse_bad("agent:main:msteams:group:19:abc@thread.tacv2", E_FORM);
}

static void
test_threads(void **state)
{
	struct session_key	 k;
	char			 text[512];

	(void)state;
	k = parse_ok("agent:main:discord:channel:123456:thread:987654");
	assert_int_equal(k.kind, SESSKEY_CHANNEL);
	assert_int_equal(k.thread_kind, SESSKEY_THREAD);
	assert_string_equal(k.group, "123456");
	assert_string_equal(k.thread, "987654");
	k = parse_ok("agent:main:telegram:group:-1001234567890:topic:42");
	assert_int_equal(k.kind, SESSKEY_GROUP);
	assert_int_equal(k.thread_kind, SESSKEY_TOPIC);
	assert_string_equal(k.group, "-1001234567890");
	assert_string_equal(k.thread, "42");
	k = parse_ok("agent:main:slack:channel:c1:thread:1700000000.123456");
	assert_string_equal(k.thread, "1700000000.123456");
	parse_ok("agent:main:telegram:group:-100:thread:7");
	k = parse_ok("agent:main:main:thread:1700000000.1");
	assert_int_equal(k.kind, SESSKEY_MAIN);
	assert_string_equal(k.main_key, "main");
	parse_ok("agent:main:direct:u1:thread:t1");
	parse_ok("agent:main:slack:direct:u1:thread:t1");
	k = parse_ok("agent:main:slack:acme:direct:u1:thread:t1");
	assert_string_equal(k.account, "acme");
	assert_string_equal(k.thread, "t1");
	/* ids that are keywords: the last but one part decides */
	k = parse_ok("agent:main:direct:thread:thread:thread");
	assert_string_equal(k.peer, "thread");
	assert_string_equal(k.thread, "thread");
	k = parse_ok("agent:main:telegram:group:topic:topic:topic");
	assert_string_equal(k.group, "topic");
	assert_int_equal(k.thread_kind, SESSKEY_TOPIC);
	/* the longest key there is */
	snprintf(text, sizeof(text), "agent:%s:", rep("", 'a', 64));
	strcat(text, rep("", 'c', 64));
	strcat(text, ":");
	strcat(text, rep("", 'd', 64));
	strcat(text, ":direct:");
	strcat(text, rep("", 'p', 128));
	strcat(text, ":thread:");
	strcat(text, rep("", 't', 128));
	assert_int_equal(strlen(text), SESSIONKEY_MAX);
	parse_ok(text);
	/* topics belong to groups */
	parse_bad("agent:main:discord:channel:1:topic:2", E_TOPIC);
	parse_bad("agent:main:main:topic:2", E_TOPIC);
	parse_bad("agent:main:direct:u1:topic:2", E_TOPIC);
	parse_bad("agent:main:telegram:direct:u1:topic:2", E_TOPIC);
	/* the thread id */
	parse_bad("agent:main:discord:channel:1:thread:A", E_THR);
	parse_bad("agent:main:discord:channel:1:thread:..", E_THR);
	parse_bad("agent:main:discord:channel:1:thread:a b", E_THR);
	snprintf(text, sizeof(text), "agent:main:d:channel:1:thread:%s",
	    rep("", 't', 129));
	parse_bad(text, E_THR);
	/* one suffix only, and only at the end */
	parse_bad("agent:main:direct:1:thread:2:thread:3", E_FORM);
	parse_bad("agent:main:main:thread:2:topic:3", E_FORM);
	parse_bad("agent:main:d:channel:1:thread:2:thread:3",
	    "session key: more than 8 parts");
	parse_bad("agent:main:thread:1", E_FORM);
	parse_bad("agent:main:main:Thread:1", E_FORM);
	parse_bad("agent:main:direct:thread:1", E_MAIN);
	parse_bad("global:thread:1", E_PFX);
}

/* a key in parts, as a caller might fill it */
static struct session_key
make(int kind, const char *agent, const char *main_key, const char *ch,
    const char *acct, const char *peer, const char *group)
{
	struct session_key	 k;

	memset(&k, 0, sizeof(k));
	k.kind = kind;
	snprintf(k.agent, sizeof(k.agent), "%s", agent);
	snprintf(k.main_key, sizeof(k.main_key), "%s", main_key);
	snprintf(k.channel, sizeof(k.channel), "%s", ch);
	snprintf(k.account, sizeof(k.account), "%s", acct);
	snprintf(k.peer, sizeof(k.peer), "%s", peer);
	snprintf(k.group, sizeof(k.group), "%s", group);
	return k;
}

static void
check_bad(const struct session_key *k, const char *want)
{
	const char	*err = NULL;
	char		 out[SESSIONKEY_BUFSZ];

	assert_int_equal(sessionkey_check(k, &err), -1);
	assert_string_equal(err, want);
	memset(out, 'x', sizeof(out));
	assert_int_equal(sessionkey_format(k, out, sizeof(out)), -1);
	assert_int_equal(out[0], '\0');
}

static void
test_check_and_format(void **state)
{
	struct session_key	 k;
	char			 out[SESSIONKEY_BUFSZ];

	(void)state;
	k = make(SESSKEY_MAIN, "main", "main", "", "", "", "");
	round_trip("agent:main:main", &k);
	k = make(SESSKEY_DIRECT, "a", "", "slack", "acme", "u1", "");
	k.thread_kind = SESSKEY_THREAD;
	snprintf(k.thread, sizeof(k.thread), "t");
	round_trip("agent:a:slack:acme:direct:u1:thread:t", &k);
	k = make(SESSKEY_GROUP, "a", "", "signal", "", "", "Zz=");
	k.thread_kind = SESSKEY_TOPIC;
	snprintf(k.thread, sizeof(k.thread), "9");
	round_trip("agent:a:signal:group:Zz=:topic:9", &k);
	k = make(SESSKEY_GLOBAL, "", "", "", "", "", "");
	round_trip("global", &k);

	memset(&k, 0, sizeof(k));
	check_bad(&k, "session key: unknown kind");
	k = make(SESSKEY_GLOBAL, "main", "", "", "", "", "");
	check_bad(&k, "session key: the global key has no other part");
	k = make(SESSKEY_GLOBAL, "", "", "", "", "", "");
	k.thread_kind = SESSKEY_THREAD;
	check_bad(&k, "session key: the global key has no other part");
	k = make(SESSKEY_MAIN, "", "main", "", "", "", "");
	check_bad(&k, E_AGENT);
	k = make(SESSKEY_MAIN, "main", "", "", "", "", "");
	check_bad(&k, E_MAIN);
	k = make(SESSKEY_MAIN, "main", "main", "telegram", "", "", "");
	check_bad(&k, "session key: the main session has no channel, "
	    "account, peer or group id");
	k = make(SESSKEY_MAIN, "main", "main", "", "", "", "g");
	check_bad(&k, "session key: the main session has no channel, "
	    "account, peer or group id");
	k = make(SESSKEY_DIRECT, "main", "main", "", "", "p", "");
	check_bad(&k, "session key: a direct key has no main key or group "
	    "id");
	k = make(SESSKEY_DIRECT, "main", "", "", "acct", "p", "");
	check_bad(&k, "session key: a direct key with an account needs a "
	    "channel");
	k = make(SESSKEY_DIRECT, "main", "", "", "", "", "");
	check_bad(&k, E_PEER);
	k = make(SESSKEY_DIRECT, "main", "", "a:b", "", "p", "");
	check_bad(&k, E_CHAN);
	k = make(SESSKEY_DIRECT, "main", "", "", "", "a:b", "");
	check_bad(&k, E_PEER);
	k = make(SESSKEY_GROUP, "main", "", "telegram", "", "p", "g");
	check_bad(&k, "session key: a group or channel key has no main key, "
	    "account or peer id");
	k = make(SESSKEY_CHANNEL, "main", "", "slack", "acct", "", "g");
	check_bad(&k, "session key: a group or channel key has no main key, "
	    "account or peer id");
	k = make(SESSKEY_GROUP, "main", "", "", "", "", "g");
	check_bad(&k, E_CHAN);
	k = make(SESSKEY_CHANNEL, "main", "", "slack", "", "", "");
	check_bad(&k, E_GROUP);
	k = make(SESSKEY_CHANNEL, "main", "", "signal", "", "", "A");
	check_bad(&k, E_GROUP);
	k = make(SESSKEY_GROUP, "main", "", "slack", "", "", "g");
	snprintf(k.thread, sizeof(k.thread), "t");
	check_bad(&k, "session key: thread id set without a thread kind");
	k.thread_kind = 3;
	check_bad(&k, "session key: unknown thread kind");
	k.thread_kind = SESSKEY_THREAD;
	k.thread[0] = '\0';
	check_bad(&k, E_THR);
	k = make(SESSKEY_CHANNEL, "main", "", "slack", "", "", "g");
	k.thread_kind = SESSKEY_TOPIC;
	snprintf(k.thread, sizeof(k.thread), "t");
	check_bad(&k, E_TOPIC);
	k.kind = 99;
	check_bad(&k, "session key: unknown kind");
	/* a part that fills its array has no NUL */
	k = make(SESSKEY_MAIN, "main", "main", "", "", "", "");
	memset(k.peer, 'p', sizeof(k.peer));
	check_bad(&k, "session key: a part is not terminated");
	/* no room at all */
	k = make(SESSKEY_MAIN, "main", "main", "", "", "", "");
	assert_int_equal(sessionkey_format(&k, out, 0), -1);
	assert_int_equal(sessionkey_format(&k, out, 1), -1);
	assert_int_equal(sessionkey_format(&k, out, 15), -1);
	assert_int_equal(sessionkey_format(&k, out, 16), 15);
	assert_string_equal(out, "agent:main:main");
}

static void
test_scopes(void **state)
{
	int	 s = -1;

	(void)state;
	assert_int_equal(sessionkey_dmscope_parse("main", &s), 0);
	assert_int_equal(s, SESSKEY_DM_MAIN);
	assert_int_equal(sessionkey_dmscope_parse("per-peer", &s), 0);
	assert_int_equal(s, SESSKEY_DM_PER_PEER);
	assert_int_equal(sessionkey_dmscope_parse("per-channel-peer", &s), 0);
	assert_int_equal(s, SESSKEY_DM_PER_CHANNEL_PEER);
	assert_int_equal(sessionkey_dmscope_parse("per-account-channel-peer",
	    &s), 0);
	assert_int_equal(s, SESSKEY_DM_PER_ACCOUNT_CHANNEL_PEER);
	assert_int_equal(sessionkey_dmscope_parse("Main", &s), -1);
	assert_int_equal(sessionkey_dmscope_parse("per-group", &s), -1);
	assert_int_equal(sessionkey_dmscope_parse("", &s), -1);
	assert_int_equal(sessionkey_dmscope_parse(NULL, &s), -1);
	assert_string_equal(sessionkey_dmscope_name(SESSKEY_DM_PER_PEER),
	    "per-peer");
	assert_string_equal(sessionkey_dmscope_name(
	    SESSKEY_DM_PER_ACCOUNT_CHANNEL_PEER), "per-account-channel-peer");
	assert_null(sessionkey_dmscope_name(4));
	assert_null(sessionkey_dmscope_name(-1));
	assert_int_equal(sessionkey_groupscope_parse("per-group", &s), 0);
	assert_int_equal(s, SESSKEY_GS_PER_GROUP);
	assert_int_equal(sessionkey_groupscope_parse("main", &s), 0);
	assert_int_equal(s, SESSKEY_GS_MAIN);
	assert_int_equal(sessionkey_groupscope_parse("per-peer", &s), -1);
	assert_string_equal(sessionkey_groupscope_name(SESSKEY_GS_MAIN),
	    "main");
	assert_null(sessionkey_groupscope_name(2));
}

/* routes r; the key as text must be want */
static void
route_ok(const struct sessionkey_route *r, const char *want)
{
	struct session_key	 k;
	const char		*err = NULL;
	char			 out[SESSIONKEY_BUFSZ];

	if (sessionkey_route(r, &k, &err) != 0)
		fail_msg("route to \"%s\" refused: %s", want, err);
	assert_true(sessionkey_format(&k, out, sizeof(out)) > 0);
	assert_string_equal(out, want);
	round_trip(want, &k);
}

static void
route_bad(const struct sessionkey_route *r, const char *want)
{
	struct session_key	 k, zero;
	const char		*err = NULL;

	memset(&k, 'x', sizeof(k));
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(sessionkey_route(r, &k, &err), -1);
	assert_non_null(err);
	assert_string_equal(err, want);
	assert_memory_equal(&k, &zero, sizeof(k));
}

static struct sessionkey_route
dm(int scope, const char *channel, const char *account, const char *peer)
{
	struct sessionkey_route	 r;

	memset(&r, 0, sizeof(r));
	r.dm_scope = scope;
	r.agent = "main";
	r.channel = channel;
	r.account = account;
	r.peer_kind = SESSKEY_DIRECT;
	r.peer = peer;
	return r;
}

static void
test_route_dm(void **state)
{
	struct sessionkey_route	 r;

	(void)state;
	/* every dmScope, OpenClaw's examples */
	r = dm(SESSKEY_DM_MAIN, "telegram", "default", "123");
	route_ok(&r, "agent:main:main");
	r.main_key = "Work";
	route_ok(&r, "agent:main:work");
	r.main_key = "  ";
	route_ok(&r, "agent:main:main");
	r = dm(SESSKEY_DM_PER_PEER, "telegram", "default", "123");
	route_ok(&r, "agent:main:direct:123");
	r = dm(SESSKEY_DM_PER_CHANNEL_PEER, "telegram", "default", "123");
	route_ok(&r, "agent:main:telegram:direct:123");
	r = dm(SESSKEY_DM_PER_ACCOUNT_CHANNEL_PEER, "telegram", "bot2",
	    "123");
	route_ok(&r, "agent:main:telegram:bot2:direct:123");
	r.account = NULL;
	route_ok(&r, "agent:main:telegram:default:direct:123");
	r.account = " ";
	route_ok(&r, "agent:main:telegram:default:direct:123");
	/* trimmed and lowercased, as OpenClaw does */
	r = dm(SESSKEY_DM_PER_ACCOUNT_CHANNEL_PEER, " Slack ", "ACME",
	    "\tU0123ABC\n");
	r.agent = " Ops ";
	route_ok(&r, "agent:ops:slack:acme:direct:u0123abc");
	/* a thread of a DM, whatever the scope */
	r = dm(SESSKEY_DM_MAIN, "slack", NULL, "u1");
	r.thread = "1700000000.123456";
	route_ok(&r, "agent:main:main:thread:1700000000.123456");
	r = dm(SESSKEY_DM_PER_CHANNEL_PEER, "slack", NULL, "u1");
	r.thread = " T1 ";
	route_ok(&r, "agent:main:slack:direct:u1:thread:t1");
	r.topic = 1;
	route_bad(&r, E_TOPIC);
	r = dm(SESSKEY_DM_MAIN, "telegram", NULL, "u1");
	r.thread = "5";
	r.topic = 1;
	route_bad(&r, E_TOPIC);
	/* dmScope main needs no peer and no channel */
	r = dm(SESSKEY_DM_MAIN, NULL, NULL, NULL);
	route_ok(&r, "agent:main:main");
	/* where OpenClaw falls back, we refuse */
	r = dm(SESSKEY_DM_PER_PEER, "telegram", NULL, "  ");
	route_bad(&r, "session key: a direct message without a peer id");
	r = dm(SESSKEY_DM_PER_CHANNEL_PEER, "telegram", NULL, NULL);
	route_bad(&r, "session key: a direct message without a peer id");
	r = dm(SESSKEY_DM_PER_CHANNEL_PEER, "", NULL, "1");
	route_bad(&r, "session key: no channel, and this key needs one");
	r = dm(SESSKEY_DM_PER_ACCOUNT_CHANNEL_PEER, NULL, "a", "1");
	route_bad(&r, "session key: no channel, and this key needs one");
	r = dm(SESSKEY_DM_PER_PEER, "telegram", NULL, "1");
	r.agent = " ";
	route_bad(&r, "session key: no agent id");
	r.agent = NULL;
	route_bad(&r, "session key: no agent id");
	r.agent = "my agent";
	route_bad(&r, E_AGENT);
	r.agent = rep("", 'a', 65);
	route_bad(&r, E_AGENT);
	r = dm(SESSKEY_DM_PER_CHANNEL_PEER, "telegram", NULL,
	    "@alice:matrix.org");
	route_bad(&r, E_PEER);
	r.peer = rep("", '1', 129);
	route_bad(&r, E_PEER);
	r.peer = rep("", '1', 5000);
	route_bad(&r, E_PEER);
	r = dm(SESSKEY_DM_PER_CHANNEL_PEER, "direct", NULL, "1");
	route_bad(&r, E_CHAN);
	r = dm(SESSKEY_DM_PER_ACCOUNT_CHANNEL_PEER, "slack", "a.b", "1");
	route_bad(&r, E_ACCT);
	r = dm(SESSKEY_DM_MAIN, NULL, NULL, NULL);
	r.main_key = "thread";
	route_bad(&r, E_MAIN);
	r = dm(7, "telegram", NULL, "1");
	route_bad(&r, "session key: unknown dmScope");
	r = dm(SESSKEY_DM_PER_PEER, "telegram", NULL, "1");
	r.peer_kind = 0;
	route_bad(&r, "session key: peer kind must be direct, group or "
	    "channel");
	r.peer_kind = SESSKEY_MAIN;
	route_bad(&r, "session key: peer kind must be direct, group or "
	    "channel");
	r = dm(SESSKEY_DM_PER_PEER, "telegram", NULL, "1");
	r.thread = "a:b";
	route_bad(&r, E_THR);
}

static void
test_route_links(void **state)
{
	static const char *const alice[] = { "telegram:111", " +15551234567 ",
	    "Discord:U222" };
	static const char *const bob[] = { NULL, "333" };
	static const char *const blank[] = { "444" };
	static const char *const bad[] = { "555" };
	const struct sessionkey_link links[] = {
		{ "  ", blank, 1 },
		{ NULL, blank, 1 },
		{ "Alice", alice, 3 },
		{ "bob", bob, 2 },
		{ "bad name", bad, 1 },
		{ "nobody", NULL, 3 },
	};
	struct sessionkey_route	 r;

	(void)state;
	r = dm(SESSKEY_DM_PER_CHANNEL_PEER, "telegram", NULL, "111");
	r.links = links;
	r.nlinks = sizeof(links) / sizeof(links[0]);
	route_ok(&r, "agent:main:telegram:direct:alice");
	/* "<channel>:<peer>" only on that channel */
	r.channel = "signal";
	route_ok(&r, "agent:main:signal:direct:111");
	/* "<peer>" on any channel, trimmed, any ASCII case */
	r.peer = "+15551234567";
	route_ok(&r, "agent:main:signal:direct:alice");
	r = dm(SESSKEY_DM_PER_PEER, "DISCORD", NULL, " u222 ");
	r.links = links;
	r.nlinks = sizeof(links) / sizeof(links[0]);
	route_ok(&r, "agent:main:direct:alice");
	r = dm(SESSKEY_DM_PER_ACCOUNT_CHANNEL_PEER, "slack", "w1", "333");
	r.links = links;
	r.nlinks = sizeof(links) / sizeof(links[0]);
	route_ok(&r, "agent:main:slack:w1:direct:bob");
	/* blank canonical names are skipped */
	r.peer = "444";
	route_ok(&r, "agent:main:slack:w1:direct:444");
	/* a canonical name must itself be a valid peer id */
	r.peer = "555";
	route_bad(&r, E_PEER);
	/* not a prefix match, not without links, not for dmScope main */
	r.peer = "3333";
	route_ok(&r, "agent:main:slack:w1:direct:3333");
	r.peer = "333";
	r.nlinks = 0;
	route_ok(&r, "agent:main:slack:w1:direct:333");
	r.nlinks = sizeof(links) / sizeof(links[0]);
	r.dm_scope = SESSKEY_DM_MAIN;
	route_ok(&r, "agent:main:main");
	/* a peer too long to be an id is never linked */
	r.dm_scope = SESSKEY_DM_PER_PEER;
	r.peer = rep("", '3', 5000);
	route_bad(&r, E_PEER);
}

static struct sessionkey_route
grp(int kind, const char *channel, const char *id)
{
	struct sessionkey_route	 r;

	memset(&r, 0, sizeof(r));
	r.agent = "main";
	r.channel = channel;
	r.account = "default";
	r.peer_kind = kind;
	r.peer = id;
	r.dm_scope = SESSKEY_DM_PER_CHANNEL_PEER;
	return r;
}

static void
test_route_groups(void **state)
{
	struct sessionkey_route	 r;

	(void)state;
	r = grp(SESSKEY_GROUP, "telegram", "-1001234567890");
	route_ok(&r, "agent:main:telegram:group:-1001234567890");
	r.thread = "42";
	r.topic = 1;
	route_ok(&r, "agent:main:telegram:group:-1001234567890:topic:42");
	r.topic = 0;
	route_ok(&r, "agent:main:telegram:group:-1001234567890:thread:42");
	r = grp(SESSKEY_CHANNEL, "discord", "123456");
	r.thread = "987654";
	route_ok(&r, "agent:main:discord:channel:123456:thread:987654");
	r.topic = 1;
	route_bad(&r, E_TOPIC);
	r = grp(SESSKEY_CHANNEL, "Slack", "C0123ABC");
	route_ok(&r, "agent:main:slack:channel:c0123abc");
	/* a Signal group id keeps its case */
	r = grp(SESSKEY_GROUP, "Signal", " AbC+/9xYz= ");
	route_ok(&r, "agent:main:signal:group:AbC+/9xYz=");
	r = grp(SESSKEY_GROUP, "signal", "ab/../cd");
	route_bad(&r, E_GROUP);
	/* groupScope main: the main session; a thread stays, a topic goes */
	r = grp(SESSKEY_GROUP, "telegram", "-100");
	r.group_scope = SESSKEY_GS_MAIN;
	r.main_key = "home";
	route_ok(&r, "agent:main:home");
	r.thread = "42";
	r.topic = 1;
	route_ok(&r, "agent:main:home");
	r.topic = 0;
	route_ok(&r, "agent:main:home:thread:42");
	r = grp(SESSKEY_GROUP, "telegram", "-100");
	r.group_scope = 5;
	route_bad(&r, "session key: unknown groupScope");
	/* where OpenClaw writes "unknown", we refuse */
	r = grp(SESSKEY_GROUP, "telegram", "");
	route_bad(&r, "session key: a group or channel message without its "
	    "id");
	r = grp(SESSKEY_CHANNEL, NULL, "1");
	route_bad(&r, "session key: no channel, and this key needs one");
	r = grp(SESSKEY_CHANNEL, "msteams", "19:abc@thread.tacv2");
	route_bad(&r, E_GROUP);
	r = grp(SESSKEY_GROUP, "telegram", "-100");
	r.thread = rep("", '7', 129);
	route_bad(&r, E_THR);
}

static void
test_route_global(void **state)
{
	struct sessionkey_route	 r;

	(void)state;
	r = grp(SESSKEY_GROUP, "telegram", "-100");
	r.global = 1;
	route_ok(&r, "global");
	r = dm(SESSKEY_DM_PER_PEER, "telegram", NULL, "1");
	r.global = 1;
	r.thread = "5";
	route_ok(&r, "global");
}

/* no message ever holds the bytes it refused */
static void
test_errors_do_not_echo(void **state)
{
	static const char *const bad[] = {
		"agent:SECRETVALUE:main",
		"agent:main:SECRETVALUE",
		"agent:main:direct:SECRETVALUE",
		"agent:main:SECRETVALUE:direct:1",
		"agent:main:t:SECRETVALUE:direct:1",
		"agent:main:t:group:SECRETVALUE sk",
		"agent:main:t:group:1:thread:SECRETVALUE",
		"SECRETVALUE",
	};
	struct session_key	 k;
	const char		*err;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		assert_int_equal(sessionkey_parse(bad[i], &k, &err), -1);
		assert_non_null(err);
		assert_null(strstr(err, "SECRETVALUE"));
		assert_null(strstr(err, "secretvalue"));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main),
		cmocka_unit_test(test_global_and_shape),
		cmocka_unit_test(test_direct_per_peer),
		cmocka_unit_test(test_direct_per_channel),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_check_and_format),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_route_dm),
		cmocka_unit_test(test_route_links),
		cmocka_unit_test(test_route_groups),
		cmocka_unit_test(test_route_global),
		cmocka_unit_test(test_errors_do_not_echo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
