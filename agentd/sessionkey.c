/*
 * sessionkey.c - OpenClaw session keys: parse, check, format and route
 * (trust zone "agentd").  Pure code: no I/O, no logging, no global
 * state.  A key is a routing label and grants nothing.  See
 * sessionkey.h.
 */
#include <string.h>

#include "sessionkey.h"

#define SEG_MAX		8	/* agent:A:C:ACC:direct:P:thread:T */
#define INPUT_MAX	4096	/* a routing input before trimming */

#define E_KEY		"session key: "
#define RE_NAME		"^[a-z0-9][a-z0-9_-]{0,63}$"
#define ID_RULE		"1 to 128 bytes of [a-z0-9._@+=/#-] with no \".\" " \
			"or \"..\" between slashes"

#define E_EMPTY		E_KEY "empty"
#define E_LONG		E_KEY "longer than 472 bytes"
#define E_PARTS		E_KEY "more than 8 parts"
#define E_EMPTYPART	E_KEY "empty part (\"::\", or ':' at an end)"
#define E_PREFIX	E_KEY "must be \"global\" or agent:<agent id>:..."
#define E_FORM		E_KEY "not a known form (agent:<agent>:<main key>, " \
			"...:direct:<peer>, <channel>:group:<id>, " \
			"<channel>:channel:<id>, each with an optional " \
			":thread:<id>)"
#define E_KIND		E_KEY "unknown kind"
#define E_AGENT		E_KEY "agent id must match " RE_NAME
#define E_MAINKEY	E_KEY "main key must match " RE_NAME \
			" and not be a reserved word"
#define E_CHANNEL	E_KEY "channel must match " RE_NAME \
			" and not be a reserved word"
#define E_ACCOUNT	E_KEY "account id must match " RE_NAME \
			" and not be a reserved word"
#define E_PEER		E_KEY "peer id must be " ID_RULE
#define E_GROUP		E_KEY "group id must be " ID_RULE \
			" (and may hold A-Z for a Signal group)"
#define E_THREAD	E_KEY "thread id must be " ID_RULE
#define E_THREADKIND	E_KEY "unknown thread kind"
#define E_NOTHREAD	E_KEY "thread id set without a thread kind"
#define E_TOPIC		E_KEY "a topic only follows a group"
#define E_F_GLOBAL	E_KEY "the global key has no other part"
#define E_F_MAIN	E_KEY "the main session has no channel, account, " \
			"peer or group id"
#define E_F_DIRECT	E_KEY "a direct key has no main key or group id"
#define E_F_ACCOUNT	E_KEY "a direct key with an account needs a channel"
#define E_F_GROUP	E_KEY "a group or channel key has no main key, " \
			"account or peer id"
#define E_UNTERM	E_KEY "a part is not terminated"
#define E_DMSCOPE	E_KEY "unknown dmScope"
#define E_GROUPSCOPE	E_KEY "unknown groupScope"
#define E_PEERKIND	E_KEY "peer kind must be direct, group or channel"
#define E_NOAGENT	E_KEY "no agent id"
#define E_NOCHANNEL	E_KEY "no channel, and this key needs one"
#define E_NOPEER	E_KEY "a direct message without a peer id"
#define E_NOGROUP	E_KEY "a group or channel message without its id"

_Static_assert(SESSIONKEY_MAX == 472, "E_LONG says 472");
_Static_assert(SESSIONKEY_MAX <= 512, "memory.c keeps keys of 512 bytes");

/* a part of the text: not NUL-terminated */
struct seg {
	const char	*p;
	size_t		 n;
};

/* the lengths of a key's parts */
struct lens {
	size_t	 agent, main_key, channel, account, peer, group, thread;
};

static const char *const reserved[] = {
	"agent", "direct", "dm", "group", "channel", "thread", "topic",
	"cron", "subagent", "acp",
};

static const char *const dmscopes[] = {
	"main", "per-peer", "per-channel-peer", "per-account-channel-peer",
};

static const char *const groupscopes[] = {
	"per-group", "main",
};

static int
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
to_lower(int c)
{
	return is_upper(c) ? c - 'A' + 'a' : c;
}

/* 1 if the n bytes at s are the word w */
static int
word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static int
seg_is(const struct seg *s, const char *w)
{
	return word_is(s->p, s->n, w);
}

/* ^[a-z0-9][a-z0-9_-]{0,63}$ */
static int
name_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > SESSIONKEY_NAME_MAX ||
	    (!is_lower(s[0]) && !is_digit(s[0])))
		return 0;
	for (i = 1; i < n; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return 1;
}

static int
is_reserved(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (word_is(s, n, reserved[i]))
			return 1;
	return 0;
}

/* a main key, channel or account: a name, and not a reserved word */
static int
label_ok(const char *s, size_t n)
{
	return name_ok(s, n) && !is_reserved(s, n);
}

static int
id_char_ok(int c, int upper)
{
	return is_lower(c) || is_digit(c) || (upper && is_upper(c)) ||
	    (c != '\0' && strchr("._@+=/#-", c) != NULL);
}

/* no "." or ".." between slashes (or the ends) */
static int
id_dots_ok(const char *s, size_t n)
{
	size_t	 i, start = 0, len;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '/')
			continue;
		len = i - start;
		if ((len == 1 && s[start] == '.') ||
		    (len == 2 && s[start] == '.' && s[start + 1] == '.'))
			return 0;
		start = i + 1;
	}
	return 1;
}

/* a peer, group or thread id; upper: A-Z allowed too */
static int
id_ok(const char *s, size_t n, int upper)
{
	size_t	 i;

	if (n == 0 || n > SESSIONKEY_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!id_char_ok((unsigned char)s[i], upper))
			return 0;
	return id_dots_ok(s, n);
}

/* OpenClaw keeps the case of Signal group ids only (of those we allow) */
static int
case_kept(int kind, const char *channel)
{
	return kind == SESSKEY_GROUP && strcmp(channel, "signal") == 0;
}

/* ---- a key in parts ---- */

/* the lengths of the parts; -1 if one fills its array */
static int
lens_get(const struct session_key *k, struct lens *l)
{
	l->agent = strnlen(k->agent, sizeof(k->agent));
	l->main_key = strnlen(k->main_key, sizeof(k->main_key));
	l->channel = strnlen(k->channel, sizeof(k->channel));
	l->account = strnlen(k->account, sizeof(k->account));
	l->peer = strnlen(k->peer, sizeof(k->peer));
	l->group = strnlen(k->group, sizeof(k->group));
	l->thread = strnlen(k->thread, sizeof(k->thread));
	if (l->agent == sizeof(k->agent) ||
	    l->main_key == sizeof(k->main_key) ||
	    l->channel == sizeof(k->channel) ||
	    l->account == sizeof(k->account) ||
	    l->peer == sizeof(k->peer) || l->group == sizeof(k->group) ||
	    l->thread == sizeof(k->thread))
		return -1;
	return 0;
}

static const char *
global_error(const struct lens *l, int thread_kind)
{
	if (l->agent || l->main_key || l->channel || l->account ||
	    l->peer || l->group || l->thread ||
	    thread_kind != SESSKEY_THREAD_NONE)
		return E_F_GLOBAL;
	return NULL;
}

static const char *
main_error(const struct session_key *k, const struct lens *l)
{
	if (l->channel || l->account || l->peer || l->group)
		return E_F_MAIN;
	return label_ok(k->main_key, l->main_key) ? NULL : E_MAINKEY;
}

static const char *
direct_error(const struct session_key *k, const struct lens *l)
{
	if (l->main_key || l->group)
		return E_F_DIRECT;
	if (l->account && !l->channel)
		return E_F_ACCOUNT;
	if (l->channel && !label_ok(k->channel, l->channel))
		return E_CHANNEL;
	if (l->account && !label_ok(k->account, l->account))
		return E_ACCOUNT;
	return id_ok(k->peer, l->peer, 0) ? NULL : E_PEER;
}

static const char *
group_error(const struct session_key *k, const struct lens *l)
{
	if (l->main_key || l->account || l->peer)
		return E_F_GROUP;
	if (!label_ok(k->channel, l->channel))
		return E_CHANNEL;
	return id_ok(k->group, l->group, case_kept(k->kind, k->channel)) ?
	    NULL : E_GROUP;
}

static const char *
thread_error(const struct session_key *k, const struct lens *l)
{
	switch (k->thread_kind) {
	case SESSKEY_THREAD_NONE:
		return l->thread ? E_NOTHREAD : NULL;
	case SESSKEY_THREAD:
		break;
	case SESSKEY_TOPIC:
		if (k->kind != SESSKEY_GROUP)
			return E_TOPIC;
		break;
	default:
		return E_THREADKIND;
	}
	return id_ok(k->thread, l->thread, 0) ? NULL : E_THREAD;
}

/* the one place every key goes through: NULL, or what is wrong */
static const char *
key_error(const struct session_key *k)
{
	struct lens	 l;
	const char	*e;

	if (lens_get(k, &l) == -1)
		return E_UNTERM;
	if (k->kind == SESSKEY_GLOBAL)
		return global_error(&l, k->thread_kind);
	if (k->kind < SESSKEY_MAIN || k->kind > SESSKEY_CHANNEL)
		return E_KIND;
	if (!name_ok(k->agent, l.agent))
		return E_AGENT;
	if (k->kind == SESSKEY_MAIN)
		e = main_error(k, &l);
	else if (k->kind == SESSKEY_DIRECT)
		e = direct_error(k, &l);
	else
		e = group_error(k, &l);
	return e != NULL ? e : thread_error(k, &l);
}

int
sessionkey_check(const struct session_key *k, const char **err)
{
	const char	*e;

	if ((e = key_error(k)) != NULL) {
		*err = e;
		return -1;
	}
	return 0;
}

/* ---- text to parts ---- */

/* copies the part into dst; -1 if it does not fit */
static int
put(char *dst, size_t dstsz, const struct seg *s)
{
	if (s->n >= dstsz)
		return -1;
	memcpy(dst, s->p, s->n);
	dst[s->n] = '\0';
	return 0;
}

/* the len bytes at text cut at each ':' into s (SEG_MAX), *n of them */
static const char *
split(const char *text, size_t len, struct seg *s, size_t *n)
{
	const char	*p = text, *c;
	size_t		 left = len;

	*n = 0;
	for (;;) {
		if (*n == SEG_MAX)
			return E_PARTS;
		c = memchr(p, ':', left);
		s[*n].p = p;
		s[*n].n = c == NULL ? left : (size_t)(c - p);
		if (s[*n].n == 0)
			return E_EMPTYPART;
		(*n)++;
		if (c == NULL)
			return NULL;
		left -= (size_t)(c - p) + 1;
		p = c + 1;
	}
}

/* the parts after agent:<agent>: and before any thread suffix */
static const char *
parse_base(const struct seg *r, size_t m, struct session_key *k)
{
	if (m == 1) {
		k->kind = SESSKEY_MAIN;
		return put(k->main_key, sizeof(k->main_key), &r[0]) == -1 ?
		    E_MAINKEY : NULL;
	}
	if (m == 2 && seg_is(&r[0], "direct"))
		k->kind = SESSKEY_DIRECT;
	else if (m == 3 && seg_is(&r[1], "direct"))
		k->kind = SESSKEY_DIRECT;
	else if (m == 4 && seg_is(&r[2], "direct"))
		k->kind = SESSKEY_DIRECT;
	else if (m == 3 && seg_is(&r[1], "group"))
		k->kind = SESSKEY_GROUP;
	else if (m == 3 && seg_is(&r[1], "channel"))
		k->kind = SESSKEY_CHANNEL;
	else
		return E_FORM;
	if (m >= 3 && put(k->channel, sizeof(k->channel), &r[0]) == -1)
		return E_CHANNEL;
	if (m == 4 && put(k->account, sizeof(k->account), &r[1]) == -1)
		return E_ACCOUNT;
	if (k->kind != SESSKEY_DIRECT)
		return put(k->group, sizeof(k->group), &r[m - 1]) == -1 ?
		    E_GROUP : NULL;
	return put(k->peer, sizeof(k->peer), &r[m - 1]) == -1 ?
	    E_PEER : NULL;
}

/* agent:<agent>:...[:thread:<id>] in n parts */
static const char *
parse_agent(const struct seg *s, size_t n, struct session_key *k)
{
	if (n < 3 || !seg_is(&s[0], "agent"))
		return E_PREFIX;
	if (put(k->agent, sizeof(k->agent), &s[1]) == -1)
		return E_AGENT;
	if (n >= 5 && (seg_is(&s[n - 2], "thread") ||
	    seg_is(&s[n - 2], "topic"))) {
		k->thread_kind = seg_is(&s[n - 2], "thread") ?
		    SESSKEY_THREAD : SESSKEY_TOPIC;
		if (put(k->thread, sizeof(k->thread), &s[n - 1]) == -1)
			return E_THREAD;
		n -= 2;
	}
	return parse_base(s + 2, n - 2, k);
}

int
sessionkey_parse(const char *text, struct session_key *k, const char **err)
{
	struct seg	 s[SEG_MAX];
	size_t		 len, n;
	const char	*e;

	memset(k, 0, sizeof(*k));
	len = text == NULL ? 0 : strnlen(text, SESSIONKEY_MAX + 1);
	if (len == 0)
		e = E_EMPTY;
	else if (len > SESSIONKEY_MAX)
		e = E_LONG;
	else if (word_is(text, len, "global")) {
		k->kind = SESSKEY_GLOBAL;
		return 0;
	} else if ((e = split(text, len, s, &n)) == NULL &&
	    (e = parse_agent(s, n, k)) == NULL &&
	    (e = key_error(k)) == NULL)
		return 0;
	memset(k, 0, sizeof(*k));
	*err = e;
	return -1;
}

/* ---- parts to text ---- */

struct out {
	char	*p;
	size_t	 sz, len;
	int	 err;
};

static void
add(struct out *o, const char *s)
{
	size_t	 n = strlen(s);

	if (o->err || n >= o->sz - o->len) {
		o->err = 1;
		return;
	}
	memcpy(o->p + o->len, s, n + 1);
	o->len += n;
}

static void
add_base(struct out *o, const struct session_key *k)
{
	add(o, "agent:");
	add(o, k->agent);
	add(o, ":");
	switch (k->kind) {
	case SESSKEY_MAIN:
		add(o, k->main_key);
		return;
	case SESSKEY_DIRECT:
		if (k->channel[0] != '\0') {
			add(o, k->channel);
			add(o, ":");
		}
		if (k->account[0] != '\0') {
			add(o, k->account);
			add(o, ":");
		}
		add(o, "direct:");
		add(o, k->peer);
		return;
	default:	/* group or channel: key_error() saw to it */
		add(o, k->channel);
		add(o, k->kind == SESSKEY_GROUP ? ":group:" : ":channel:");
		add(o, k->group);
		return;
	}
}

int
sessionkey_format(const struct session_key *k, char *out, size_t outsz)
{
	struct out	 o = { out, outsz, 0, 0 };

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	if (key_error(k) != NULL)
		return -1;
	if (k->kind == SESSKEY_GLOBAL)
		add(&o, "global");
	else {
		add_base(&o, k);
		if (k->thread_kind != SESSKEY_THREAD_NONE) {
			add(&o, k->thread_kind == SESSKEY_TOPIC ? ":topic:" :
			    ":thread:");
			add(&o, k->thread);
		}
	}
	if (o.err) {
		out[0] = '\0';
		return -1;
	}
	return (int)o.len;
}

/* ---- scopes ---- */

static int
scope_parse(const char *s, const char *const *names, size_t nnames,
    int *scope)
{
	size_t	 i;

	for (i = 0; s != NULL && i < nnames; i++)
		if (strcmp(s, names[i]) == 0) {
			*scope = (int)i;
			return 0;
		}
	return -1;
}

int
sessionkey_dmscope_parse(const char *s, int *scope)
{
	return scope_parse(s, dmscopes, sizeof(dmscopes) /
	    sizeof(dmscopes[0]), scope);
}

const char *
sessionkey_dmscope_name(int scope)
{
	if (scope < 0 || (size_t)scope >= sizeof(dmscopes) /
	    sizeof(dmscopes[0]))
		return NULL;
	return dmscopes[scope];
}

int
sessionkey_groupscope_parse(const char *s, int *scope)
{
	return scope_parse(s, groupscopes, sizeof(groupscopes) /
	    sizeof(groupscopes[0]), scope);
}

const char *
sessionkey_groupscope_name(int scope)
{
	if (scope < 0 || (size_t)scope >= sizeof(groupscopes) /
	    sizeof(groupscopes[0]))
		return NULL;
	return groupscopes[scope];
}

/* ---- routing ---- */

/*
 * s (NULL is "") without ASCII white space at either end, *n its
 * length; NULL if s is longer than INPUT_MAX (no part is that long, and
 * a cut-off copy could compare equal to something it is not).
 */
static const char *
trim(const char *s, size_t *n)
{
	size_t	 len;

	*n = 0;
	if (s == NULL)
		return "";
	if ((len = strnlen(s, INPUT_MAX + 1)) > INPUT_MAX)
		return NULL;
	while (len > 0 && is_ws(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_ws(s[len - 1]))
		len--;
	*n = len;
	return s;
}

/* src trimmed (and lowercased if fold) into dst; -1 if it does not fit */
static int
norm(char *dst, size_t dstsz, const char *src, int fold)
{
	const char	*p;
	size_t		 n, i;

	dst[0] = '\0';
	if ((p = trim(src, &n)) == NULL || n >= dstsz)
		return -1;
	for (i = 0; i < n; i++)
		dst[i] = fold ? (char)to_lower((unsigned char)p[i]) : p[i];
	dst[n] = '\0';
	return 0;
}

/* 1 if the n bytes at a and b are equal ignoring ASCII case */
static int
fold_eq(const char *a, const char *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (to_lower((unsigned char)a[i]) !=
		    to_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* 1 if the link id is "<peer>" or "<channel>:<peer>", ignoring case */
static int
link_match(const char *id, const char *ch, size_t chn, const char *peer,
    size_t pn)
{
	const char	*s;
	size_t		 n;

	if (id == NULL || (s = trim(id, &n)) == NULL)
		return 0;
	if (n == pn && fold_eq(s, peer, pn))
		return 1;
	return chn > 0 && n == chn + 1 + pn && fold_eq(s, ch, chn) &&
	    s[chn] == ':' && fold_eq(s + chn + 1, peer, pn);
}

/* 1 if the link has a canonical name that is not blank */
static int
link_named(const struct sessionkey_link *l)
{
	size_t	 n;

	return l->canonical != NULL && trim(l->canonical, &n) != NULL &&
	    n > 0;
}

/* the canonical name the peer is linked to, or NULL */
static const char *
link_lookup(const struct sessionkey_route *r)
{
	const struct sessionkey_link	*l;
	const char			*peer, *ch;
	size_t				 pn, chn, i, j;

	if (r->links == NULL || (peer = trim(r->peer, &pn)) == NULL ||
	    pn == 0)
		return NULL;
	if ((ch = trim(r->channel, &chn)) == NULL)
		chn = 0;
	for (i = 0; i < r->nlinks; i++) {
		l = &r->links[i];
		if (!link_named(l) || l->ids == NULL)
			continue;
		for (j = 0; j < l->nids; j++)
			if (link_match(l->ids[j], ch, chn, peer, pn))
				return l->canonical;
	}
	return NULL;
}

static const char *
route_main(const struct sessionkey_route *r, struct session_key *k)
{
	k->kind = SESSKEY_MAIN;
	if (norm(k->main_key, sizeof(k->main_key), r->main_key, 1) == -1)
		return E_MAINKEY;
	if (k->main_key[0] == '\0')
		memcpy(k->main_key, "main", sizeof("main"));
	return NULL;
}

static const char *
route_channel(const struct sessionkey_route *r, struct session_key *k)
{
	if (norm(k->channel, sizeof(k->channel), r->channel, 1) == -1)
		return E_CHANNEL;
	return k->channel[0] == '\0' ? E_NOCHANNEL : NULL;
}

static const char *
route_direct(const struct sessionkey_route *r, struct session_key *k)
{
	const char	*peer, *e;

	if (r->dm_scope == SESSKEY_DM_MAIN)
		return route_main(r, k);
	if (sessionkey_dmscope_name(r->dm_scope) == NULL)
		return E_DMSCOPE;
	k->kind = SESSKEY_DIRECT;
	if ((peer = link_lookup(r)) == NULL)
		peer = r->peer;
	if (norm(k->peer, sizeof(k->peer), peer, 1) == -1)
		return E_PEER;
	if (k->peer[0] == '\0')
		return E_NOPEER;
	if (r->dm_scope == SESSKEY_DM_PER_PEER)
		return NULL;
	if ((e = route_channel(r, k)) != NULL)
		return e;
	if (r->dm_scope == SESSKEY_DM_PER_CHANNEL_PEER)
		return NULL;
	if (norm(k->account, sizeof(k->account), r->account, 1) == -1)
		return E_ACCOUNT;
	if (k->account[0] == '\0')
		memcpy(k->account, "default", sizeof("default"));
	return NULL;
}

static const char *
route_group(const struct sessionkey_route *r, struct session_key *k)
{
	const char	*e;

	if (r->group_scope == SESSKEY_GS_MAIN)
		return route_main(r, k);
	if (r->group_scope != SESSKEY_GS_PER_GROUP)
		return E_GROUPSCOPE;
	k->kind = r->peer_kind;
	if ((e = route_channel(r, k)) != NULL)
		return e;
	if (norm(k->group, sizeof(k->group), r->peer,
	    !case_kept(k->kind, k->channel)) == -1)
		return E_GROUP;
	return k->group[0] == '\0' ? E_NOGROUP : NULL;
}

static const char *
route_thread(const struct sessionkey_route *r, struct session_key *k)
{
	if (norm(k->thread, sizeof(k->thread), r->thread, 1) == -1)
		return E_THREAD;
	if (k->thread[0] == '\0')
		return NULL;
	if (!r->topic)
		k->thread_kind = SESSKEY_THREAD;
	else if (k->kind == SESSKEY_GROUP)
		k->thread_kind = SESSKEY_TOPIC;
	else if (k->kind == SESSKEY_MAIN && r->peer_kind != SESSKEY_DIRECT)
		memset(k->thread, 0, sizeof(k->thread)); /* gone with the id */
	else
		return E_TOPIC;
	return NULL;
}

static const char *
route_base(const struct sessionkey_route *r, struct session_key *k)
{
	if (norm(k->agent, sizeof(k->agent), r->agent, 1) == -1)
		return E_AGENT;
	if (k->agent[0] == '\0')
		return E_NOAGENT;
	switch (r->peer_kind) {
	case SESSKEY_DIRECT:
		return route_direct(r, k);
	case SESSKEY_GROUP:
	case SESSKEY_CHANNEL:
		return route_group(r, k);
	default:
		return E_PEERKIND;
	}
}

int
sessionkey_route(const struct sessionkey_route *r, struct session_key *k,
    const char **err)
{
	const char	*e;

	memset(k, 0, sizeof(*k));
	if (r->global) {
		k->kind = SESSKEY_GLOBAL;
		return 0;
	}
	if ((e = route_base(r, k)) == NULL &&
	    (e = route_thread(r, k)) == NULL &&
	    (e = key_error(k)) == NULL)
		return 0;
	memset(k, 0, sizeof(*k));
	*err = e;
	return -1;
}
