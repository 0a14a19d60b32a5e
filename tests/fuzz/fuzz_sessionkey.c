/*
 * fuzz_sessionkey.c - libFuzzer harness for OpenClaw session keys
 * (agentd/sessionkey.c, trust zone "agentd").
 *
 * The whole input is parsed as a key.  Accepted, it must pass
 * sessionkey_check(), format to exactly the same text (in
 * SESSIONKEY_BUFSZ bytes, and in no fewer than its length and a NUL),
 * and parse back to the same key.  Refused, it must come with a static
 * message that does not point into the input, and leave the key zeroed.
 *
 * The input also drives the router: its first byte picks the scopes,
 * the peer kind and the flags, the rest is cut at newlines into the
 * agent, channel, account, peer, thread and main key, and one identity
 * link (a canonical name and two ids).  A key the router makes must be
 * valid, of the kind its scopes call for, round-trip through text, and
 * hold no upper case but in a Signal group id; a refusal must leave the
 * key zeroed with a static message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sessionkey.h"

#define FIELDS	9

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* the message is ours: not inside the input, sane, prefixed */
static void
check_err(const char *err, const char *in, size_t inlen)
{
	if (err == NULL || (err >= in && err <= in + inlen) ||
	    strncmp(err, "session key: ", 13) != 0 || strlen(err) > 256)
		abort();
}

static void
check_zero(const struct session_key *k)
{
	static const struct session_key	 zero;

	if (memcmp(k, &zero, sizeof(zero)) != 0)
		abort();
}

/* formats k, which must be valid, and parses it back; the text in out */
static void
round_trip(const struct session_key *k, char *out)
{
	struct session_key	 k2;
	const char		*err = NULL;
	char			 small[SESSIONKEY_BUFSZ];
	int			 n;

	if (sessionkey_check(k, &err) != 0)
		abort();
	n = sessionkey_format(k, out, SESSIONKEY_BUFSZ);
	if (n <= 0 || n > SESSIONKEY_MAX || (size_t)n != strlen(out))
		abort();
	if (sessionkey_parse(out, &k2, &err) != 0 ||
	    memcmp(k, &k2, sizeof(k2)) != 0)
		abort();
	if (sessionkey_format(k, small, (size_t)n) != -1 ||
	    small[0] != '\0' ||
	    sessionkey_format(k, small, (size_t)n + 1) != n ||
	    strcmp(small, out) != 0)
		abort();
}

static void
check_parse(const char *text, size_t len)
{
	struct session_key	 k;
	const char		*err = NULL;
	char			 out[SESSIONKEY_BUFSZ];

	if (sessionkey_parse(text, &k, &err) == -1) {
		check_err(err, text, len);
		check_zero(&k);
		return;
	}
	round_trip(&k, out);
	/* anything that parses formats to the same text */
	if (strcmp(out, text) != 0)
		abort();
}

/* no A-Z anywhere but in the group id of a Signal group */
static void
check_case(const struct session_key *k, const char *out)
{
	const char	*p;

	for (p = out; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z' &&
		    (k->kind != SESSKEY_GROUP ||
		    strcmp(k->channel, "signal") != 0 ||
		    strchr(k->group, *p) == NULL))
			abort();
}

/* the kind and parts the scopes call for */
static void
check_shape(const struct sessionkey_route *r, const struct session_key *k)
{
	int	 want;

	if (r->global) {
		if (k->kind != SESSKEY_GLOBAL)
			abort();
		return;
	}
	if (r->peer_kind == SESSKEY_DIRECT)
		want = r->dm_scope == SESSKEY_DM_MAIN ? SESSKEY_MAIN :
		    SESSKEY_DIRECT;
	else
		want = r->group_scope == SESSKEY_GS_MAIN ? SESSKEY_MAIN :
		    r->peer_kind;
	if (k->kind != want)
		abort();
	if (k->kind != SESSKEY_DIRECT)
		return;
	if ((r->dm_scope == SESSKEY_DM_PER_PEER) != (k->channel[0] == '\0'))
		abort();
	if ((r->dm_scope == SESSKEY_DM_PER_ACCOUNT_CHANNEL_PEER) !=
	    (k->account[0] != '\0'))
		abort();
}

static void
check_route(const char *s, size_t len)
{
	struct sessionkey_route	 r;
	struct sessionkey_link	 link;
	struct session_key	 k;
	const char		*f[FIELDS], *ids[2], *err = NULL;
	char			*buf, *p, out[SESSIONKEY_BUFSZ];
	size_t			 i;
	unsigned		 flags;

	if (len == 0 || (buf = strdup(s + 1)) == NULL)
		return;
	flags = (unsigned char)s[0];
	for (i = 0, p = buf; i < FIELDS; i++) {
		f[i] = p;
		if (p != NULL && (p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	ids[0] = f[7];
	ids[1] = f[8];
	link.canonical = f[6];
	link.ids = ids;
	link.nids = 2;
	memset(&r, 0, sizeof(r));
	r.global = (flags & 0x80) != 0;
	r.dm_scope = (int)(flags & 3);
	r.group_scope = (int)((flags >> 2) & 1);
	r.peer_kind = (int)((flags >> 3) & 3);	/* 0 is refused */
	r.peer_kind = r.peer_kind == 0 ? 0 : r.peer_kind + SESSKEY_MAIN;
	r.topic = (flags & 0x20) != 0;
	r.links = (flags & 0x40) ? &link : NULL;
	r.nlinks = (flags & 0x40) ? 1 : 0;
	r.agent = f[0];
	r.channel = f[1];
	r.account = f[2];
	r.peer = f[3];
	r.thread = f[4];
	r.main_key = f[5];
	if (sessionkey_route(&r, &k, &err) == -1) {
		check_err(err, buf, len);
		check_zero(&k);
	} else {
		round_trip(&k, out);
		check_shape(&r, &k);
		check_case(&k, out);
	}
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_parse(s, strlen(s));
	check_route(s, strlen(s));
	free(s);
	return 0;
}
