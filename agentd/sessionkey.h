/*
 * sessionkey.h - OpenClaw session keys as pure code: parse, check,
 * format, and route an inbound message to its key (trust zone
 * "agentd").  No I/O, no logging, no global state; every error message
 * is a static string that names the part at fault and repeats nothing
 * of the input.
 *
 * A session key names the conversation a message belongs to: which
 * transcript it is appended to and which history the model sees.  IT
 * IS A ROUTING LABEL ONLY AND GRANTS NOTHING.  Anyone can write any
 * key (clients send one with chat.send, hooks may send one); that a key
 * parses says nothing about whether its sender may read or write that
 * session, act as that agent, or reach that peer.  Those decisions
 * belong to the capability and its scopes, checked elsewhere.  Never
 * derive a privilege, a sandbox identity or a file name from a key.
 *
 * The forms, after OpenClaw (reference section 9; its
 * src/routing/session-key.ts):
 *
 *	global					session.scope "global"
 *	agent:<agent>:<mainkey>			the main session
 *	agent:<agent>:direct:<peer>		a DM, dmScope per-peer
 *	agent:<agent>:<channel>:direct:<peer>	dmScope per-channel-peer
 *	agent:<agent>:<channel>:<account>:direct:<peer>
 *						dmScope per-account-channel-peer
 *	agent:<agent>:<channel>:group:<id>	a group (groupScope per-group)
 *	agent:<agent>:<channel>:channel:<id>	a channel (Discord, Slack, ...)
 *
 * Every agent:... form may end in ":thread:<id>", a thread of that
 * conversation (Slack, Discord; OpenClaw appends it to whatever key the
 * conversation has, the main session included); a group may end in
 * ":topic:<id>" instead (Telegram forum topics, which OpenClaw treats as
 * part of the group's id): agent:main:telegram:group:-1001234567890:
 * topic:42, agent:main:discord:channel:123456:thread:987654.
 *
 * The rules of the parts (the reference gives the shapes only; these
 * follow OpenClaw's id rule and canonical lowercase, narrowed so that
 * every key reads one way only):
 *
 *   <agent>, <mainkey>, <channel>, <account> match
 *	^[a-z0-9][a-z0-9_-]{0,63}$ (OpenClaw's id rule, in lowercase);
 *	<mainkey>, <channel> and <account> are none of the reserved words
 *	agent direct dm group channel thread topic cron subagent acp.
 *   <peer>, the group or channel <id> and the thread or topic <id> are
 *	1 to 128 bytes of [a-z0-9._@+=/#-] (a Telegram group "-100...",
 *	"+15551234567", "120363@g.us", a Slack ts "1700000000.123456")
 *	with no "." or ".." between slashes.  A Signal group id (channel
 *	"signal", kind group) may also hold A-Z: its ids are base64 and
 *	case-sensitive, and OpenClaw keeps their case.
 *   No part is empty or holds ':'.  Ids that embed ':' (Matrix, MS
 *	Teams), which OpenClaw keeps as an opaque tail, cannot be written
 *	here and are refused.
 *   The whole key is at most SESSIONKEY_MAX bytes.
 *
 * The parser folds and trims nothing: "Agent:Main:Main" and
 * " agent:main:main" are refused, not read as agent:main:main, so that
 * two spellings never name one session (OpenClaw lowercases keys from
 * clients; a caller that wants this must do it before, knowing it
 * breaks Signal group ids).  Not supported, and refused: OpenClaw's
 * legacy "dm" kind, its cron, sub-agent, ACP and hook keys, request
 * aliases without "agent:" ("main"), and keys nested in keys.
 *
 * The thread suffix is the last two parts when there are at least five
 * and the last but one is "thread" or "topic"; no form without a suffix
 * has either word there, and the forms without a suffix differ in their
 * number of parts or in where "direct", "group" or "channel" stands, so
 * that parsing then formatting gives back the text, byte for byte.
 */
#ifndef CLAWGATE_SESSIONKEY_H
#define CLAWGATE_SESSIONKEY_H

#include <stddef.h>

#define SESSIONKEY_NAME_MAX	64	/* agent, main key, channel, account */
#define SESSIONKEY_ID_MAX	128	/* peer, group, thread ids */
/* the longest key: per-account-channel-peer with a thread */
#define SESSIONKEY_MAX		(6 + 3 * (SESSIONKEY_NAME_MAX + 1) + 7 + \
				    SESSIONKEY_ID_MAX + 8 + SESSIONKEY_ID_MAX)
#define SESSIONKEY_BUFSZ	(SESSIONKEY_MAX + 1)

/* kinds of key (0 is none: a zeroed key is not valid) */
#define SESSKEY_GLOBAL		1	/* "global" */
#define SESSKEY_MAIN		2	/* agent:<agent>:<mainkey> */
#define SESSKEY_DIRECT		3	/* ...direct:<peer> */
#define SESSKEY_GROUP		4	/* ...:<channel>:group:<id> */
#define SESSKEY_CHANNEL		5	/* ...:<channel>:channel:<id> */

/* what follows the key */
#define SESSKEY_THREAD_NONE	0
#define SESSKEY_THREAD		1	/* :thread:<id> */
#define SESSKEY_TOPIC		2	/* :topic:<id>, groups only */

/* session.dmScope */
#define SESSKEY_DM_MAIN		0	/* "main", OpenClaw's default */
#define SESSKEY_DM_PER_PEER	1	/* "per-peer" */
#define SESSKEY_DM_PER_CHANNEL_PEER 2	/* "per-channel-peer" */
#define SESSKEY_DM_PER_ACCOUNT_CHANNEL_PEER 3 /* "per-account-channel-peer" */

/* session.groupScope */
#define SESSKEY_GS_PER_GROUP	0	/* "per-group", OpenClaw's default */
#define SESSKEY_GS_MAIN		1	/* "main" */

/*
 * A key in parts.  Unused parts are "": main_key is set for SESSKEY_MAIN
 * only; peer for SESSKEY_DIRECT only, with channel "" (per-peer),
 * channel set and account "" (per-channel-peer) or both set
 * (per-account-channel-peer); channel and group for SESSKEY_GROUP and
 * SESSKEY_CHANNEL; thread when thread_kind is not SESSKEY_THREAD_NONE.
 * SESSKEY_GLOBAL has no part at all.
 */
struct session_key {
	int	 kind;				/* SESSKEY_GLOBAL ... */
	int	 thread_kind;			/* SESSKEY_THREAD_* */
	char	 agent[SESSIONKEY_NAME_MAX + 1];
	char	 main_key[SESSIONKEY_NAME_MAX + 1];
	char	 channel[SESSIONKEY_NAME_MAX + 1];
	char	 account[SESSIONKEY_NAME_MAX + 1];
	char	 peer[SESSIONKEY_ID_MAX + 1];
	char	 group[SESSIONKEY_ID_MAX + 1];
	char	 thread[SESSIONKEY_ID_MAX + 1];
};

/*
 * The key in text, which must be one of the forms above and follow every
 * rule: 0 and *key, or -1 with *err set and *key zeroed.
 */
int	sessionkey_parse(const char *text, struct session_key *,
	    const char **err);

/* 0 if the key in parts follows every rule above, else -1 and *err */
int	sessionkey_check(const struct session_key *, const char **err);

/*
 * A valid key as text into out (SESSIONKEY_BUFSZ bytes always suffice):
 * its length, or -1 (out "") if the key is invalid or out too small.
 * Parsing the text gives back the same key.
 */
int	sessionkey_format(const struct session_key *, char *out,
	    size_t outsz);

/* "main", "per-peer", ... to SESSKEY_DM_* and back; 0 or -1, or NULL */
int	sessionkey_dmscope_parse(const char *, int *scope);
const char *sessionkey_dmscope_name(int scope);
/* "per-group", "main" to SESSKEY_GS_* and back */
int	sessionkey_groupscope_parse(const char *, int *scope);
const char *sessionkey_groupscope_name(int scope);

/*
 * session.identityLinks: one person's ids on several channels, each
 * "<peer>" or "<channel>:<peer>", under one canonical name.
 */
struct sessionkey_link {
	const char		*canonical;
	const char *const	*ids;
	size_t			 nids;
};

/*
 * An inbound message, the agent the bindings chose for it, and the
 * session settings that apply (a binding's dmScope and groupScope
 * already put in place of the global ones by the caller).  Strings may
 * be NULL, which is "".
 */
struct sessionkey_route {
	int			 global;	/* session.scope "global" */
	int			 dm_scope;	/* SESSKEY_DM_* */
	int			 group_scope;	/* SESSKEY_GS_* */
	const char		*main_key;	/* session.mainKey; "" is "main" */
	const char		*agent;		/* the agent id */
	const char		*channel;	/* "telegram", "discord", ... */
	const char		*account;	/* the channel account; "" is
						   "default" */
	int			 peer_kind;	/* SESSKEY_DIRECT, _GROUP or
						   _CHANNEL */
	const char		*peer;		/* the sender of a DM, or the
						   group or channel id */
	const char		*thread;	/* thread or topic id, or "" */
	int			 topic;		/* thread is a Telegram topic */
	const struct sessionkey_link *links;	/* session.identityLinks */
	size_t			 nlinks;
};

/*
 * The key an inbound message goes to, by OpenClaw's rules:
 *
 *   session.scope "global": "global", for every message.
 *   A DM, by dmScope: main, agent:<agent>:<mainkey>; per-peer,
 *	agent:<agent>:direct:<peer>; per-channel-peer,
 *	agent:<agent>:<channel>:direct:<peer>; per-account-channel-peer,
 *	agent:<agent>:<channel>:<account>:direct:<peer>.  With any scope
 *	but main, a peer listed in links (as "<peer>" or
 *	"<channel>:<peer>", ignoring ASCII case) is replaced by its
 *	canonical name, so that one person has one session across
 *	channels.
 *   A group or channel: groupScope per-group,
 *	agent:<agent>:<channel>:group:<id> (or :channel:<id>); main, the
 *	main session.
 *   A thread id appends ":thread:<id>" to any of these, a topic id
 *	":topic:<id>" to a group; with groupScope main a topic is dropped
 *	along with the group's id (a topic of another kind of key is
 *	refused).
 *
 * Every string is trimmed of ASCII white space and lowercased, as
 * OpenClaw does, except a Signal group id (its case is kept); an empty
 * main key is "main", an empty account "default".  Where OpenClaw falls
 * back, this fails closed: an empty agent id, an empty channel where
 * the key needs one, a DM without a peer id and a group without an id
 * (OpenClaw: "main", "unknown", and the main session) are refused, and
 * so is any part that breaks the rules above once normalised (OpenClaw
 * rewrites bad characters of agent and account ids to '-', which can
 * merge two ids into one).
 *
 * 0 and *key, or -1 with *err set and *key zeroed.
 */
int	sessionkey_route(const struct sessionkey_route *,
	    struct session_key *, const char **err);

#endif
