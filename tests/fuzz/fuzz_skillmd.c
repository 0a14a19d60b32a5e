/*
 * fuzz_skillmd.c - libFuzzer harness for the SKILL.md parser
 * (agentd/skillmd.c, trust zone "agentd").
 *
 * The whole input is a SKILL.md.  Refused, the parser must leave the
 * skill zeroed and say why in a short message of printable ASCII.
 * Accepted, the skill must keep the rules: a valid name, a description
 * of 1 to 1024 characters without control characters or blanks at its
 * ends, valid agent ids, a body of bodylen bytes with no CR before a LF
 * and a first line of more than blanks and CRs.  It is then written back in a canonical form
 * (plain name, double-quoted description, a flow list of agents) and
 * that form must parse to the same skill, as it is, with CRLF line ends
 * and after a UTF-8 BOM.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "skillmd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_refused(const struct skillmd *sm, const char *err, size_t errsz)
{
	static const struct skillmd	 zero;
	size_t				 i, n = strlen(err);

	if (memcmp(sm, &zero, sizeof(zero)) != 0 || n == 0 || n >= errsz)
		abort();
	for (i = 0; i < n; i++)
		if (err[i] < 0x20 || err[i] > 0x7e)
			abort();
}

static int
agent_ok(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n < 1 || n > SKILLMD_AGENT_MAX || s[0] == '-' || s[0] == '_')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static void
check_accepted(const struct skillmd *sm, size_t inlen)
{
	const char	*d = sm->description, *b = sm->body;
	size_t		 i, n = strlen(d), chars = 0;
	int		 a;

	if (!skillmd_name_ok(sm->name) || n == 0 || d[0] == ' ' ||
	    d[n - 1] == ' ')
		abort();
	for (i = 0; i < n; i++) {
		if ((unsigned char)d[i] < 0x20 || d[i] == 0x7f)
			abort();
		if (((unsigned char)d[i] & 0xc0) != 0x80)
			chars++;
	}
	if (chars > SKILLMD_DESC_MAX)
		abort();
	if (sm->nagents < 0 || sm->nagents > SKILLMD_AGENTS_MAX)
		abort();
	for (a = 0; a < sm->nagents; a++)
		if (!agent_ok(sm->agents[a]) ||
		    !skillmd_for_agent(sm, sm->agents[a]))
			abort();
	if (b == NULL || strlen(b) != sm->bodylen || sm->bodylen > inlen ||
	    strstr(b, "\r\n") != NULL)
		abort();
	/* the first line holds something else than blanks and CRs */
	if (sm->bodylen > 0 && strcspn(b, "\n") == strspn(b, " \t\r"))
		abort();
}

/* the canonical form of sm, or NULL if it is too long to parse */
static char *
render(const struct skillmd *sm, int crlf, int bom, size_t *len)
{
	const char	*eol = crlf ? "\r\n" : "\n", *s;
	char		*out, *o;
	size_t		 cap;
	int		 a;

	cap = 256 + 2 * strlen(sm->description) + SKILLMD_AGENTS_MAX *
	    (SKILLMD_AGENT_MAX + 2) + 2 * sm->bodylen;
	if ((out = o = malloc(cap)) == NULL)
		abort();
	if (bom)
		o = stpcpy(o, "\xef\xbb\xbf");
	o = stpcpy(stpcpy(o, "---"), eol);
	o = stpcpy(stpcpy(stpcpy(o, "name: "), sm->name), eol);
	o = stpcpy(o, "description: \"");
	for (s = sm->description; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	o = stpcpy(stpcpy(o, "\""), eol);
	if (sm->nagents > 0) {
		o = stpcpy(o, "agents: [");
		for (a = 0; a < sm->nagents; a++)
			o = stpcpy(stpcpy(o, a ? ", " : ""), sm->agents[a]);
		o = stpcpy(stpcpy(o, "]"), eol);
	}
	o = stpcpy(stpcpy(o, "---"), eol);
	for (s = sm->body; *s != '\0'; s++) {
		if (*s == '\n' && crlf)
			*o++ = '\r';
		*o++ = *s;
	}
	*o = '\0';
	*len = (size_t)(o - out);
	if (*len > SKILLMD_MAX) {
		free(out);
		return NULL;
	}
	return out;
}

static void
check_round_trip(const struct skillmd *sm, int crlf, int bom)
{
	struct skillmd	 sm2;
	char		 err[SKILLMD_ERR_MAX], *text;
	size_t		 len;

	if ((text = render(sm, crlf, bom, &len)) == NULL)
		return;
	if (skillmd_parse(text, len, &sm2, err, sizeof(err)) != 0)
		abort();
	if (strcmp(sm->name, sm2.name) != 0 ||
	    strcmp(sm->description, sm2.description) != 0 ||
	    sm->nagents != sm2.nagents ||
	    memcmp(sm->agents, sm2.agents, sizeof(sm->agents)) != 0 ||
	    sm->bodylen != sm2.bodylen || strcmp(sm->body, sm2.body) != 0)
		abort();
	skillmd_free(&sm2);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct skillmd	 sm;
	char		 err[SKILLMD_ERR_MAX];
	char		*buf;

	/* a copy of exactly size bytes, so that overreads are caught */
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (skillmd_parse(buf, size, &sm, err, sizeof(err)) == -1)
		check_refused(&sm, err, sizeof(err));
	else {
		check_accepted(&sm, size);
		check_round_trip(&sm, 0, 0);
		check_round_trip(&sm, 1, 0);
		check_round_trip(&sm, 0, 1);
		skillmd_free(&sm);
	}
	free(buf);
	return 0;
}
