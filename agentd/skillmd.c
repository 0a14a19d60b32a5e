/*
 * skillmd.c - the SKILL.md parser: front matter and body of an agent
 * skill (trust zone "agentd").  Pure code: no I/O, no logging, no global
 * state; messages are static text and a line number, never the input.
 * See skillmd.h for the format.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skillmd.h"

enum { K_OTHER, K_NAME, K_DESC, K_AGENTS };

enum {
	M_NONE,		/* no key yet */
	M_SKIP,		/* an ignored key: what follows belongs to it */
	M_PLAIN,	/* a plain value: indented lines continue it */
	M_BLOCK,	/* a block scalar: indented lines are its text */
	M_LIST,		/* agents: "- agent" lines */
	M_DONE		/* a quoted value or a list on the line: complete */
};

#define E_NAME	"the name must be 1 to 64 characters of a-z, 0-9 and '-', " \
		"neither starting nor ending with '-', without \"--\""
#define E_AGENT	"an agent id must match ^[a-z0-9][a-z0-9_-]{0,63}$"
#define E_KV	"expected \"key: value\""
#define E_SYNTAX "anchors, aliases, tags, flow mappings and reserved " \
		"indicators are not supported in name, description and agents"

struct parser {
	struct skillmd	*sm;
	int		 line;		/* 0: not about a line */
	int		 key;		/* K_* of the current key */
	int		 mode;		/* M_* */
	unsigned	 seen;		/* 1 << K_* */
	char		*err;
	size_t		 errsz;
};

struct line {
	const char	*s;
	size_t		 n;
};

static int
fail(struct parser *p, const char *msg)
{
	if (p->errsz == 0)
		return -1;
	if (p->line > 0)
		snprintf(p->err, p->errsz, "line %d: %s", p->line, msg);
	else
		snprintf(p->err, p->errsz, "%s", msg);
	return -1;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_ws((*s)[*n - 1]))
		(*n)--;
}

/* the offset of the first byte that is not valid UTF-8, or n */
static size_t
utf8_bad(const unsigned char *s, size_t n)
{
	size_t		 i = 0, k, len;
	uint32_t	 cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			len = 4;
			cp = s[i] & 0x07;
		} else
			return i;
		if (n - i < len)
			return i;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 ||
		    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += len;
	}
	return n;
}

/* the next line from *pos, without its LF or CRLF; 0 at the end */
static int
next_line(const char *buf, size_t len, size_t *pos, struct line *l)
{
	const char	*nl;

	if (*pos >= len)
		return 0;
	l->s = buf + *pos;
	nl = memchr(l->s, '\n', len - *pos);
	l->n = nl != NULL ? (size_t)(nl - l->s) : len - *pos;
	*pos += l->n + (nl != NULL);
	if (l->n > 0 && l->s[l->n - 1] == '\r')
		l->n--;
	return 1;
}

static int
is_marker(const struct line *l)
{
	const char	*s = l->s;
	size_t		 n = l->n;

	while (n > 0 && is_ws(s[n - 1]))
		n--;
	return n == 3 && memcmp(s, "---", 3) == 0;
}

static int
is_blank(const char *s, size_t n)
{
	const char	*t = s;
	size_t		 m = n;

	trim(&t, &m);
	return m == 0;
}

/* only blanks and CRs */
static int
blank_cr(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!is_ws(s[i]) && s[i] != '\r')
			return 0;
	return 1;
}

/* "- ..." : a block sequence entry */
static int
is_entry(const char *s, size_t n)
{
	return n > 0 && s[0] == '-' && (n == 1 || is_ws(s[1]));
}

int
skillmd_name_ok(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n < 1 || n > SKILLMD_NAME_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-'))
			return 0;
		if (s[i] == '-' && s[i + 1] == '-')
			return 0;
	}
	return 1;
}

static int
agent_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n < 1 || n > SKILLMD_AGENT_MAX || s[0] == '_' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

int
skillmd_for_agent(const struct skillmd *sm, const char *agent)
{
	int	 i;

	if (sm->nagents == 0)
		return 1;
	for (i = 0; i < sm->nagents; i++)
		if (strcmp(sm->agents[i], agent) == 0)
			return 1;
	return 0;
}

/* text for name or description, folded: joined to what is there by a
 * space */
static int
add_text(struct parser *p, const char *s, size_t n)
{
	char	*dst;
	size_t	 dstsz, have, i;

	if (p->key == K_NAME) {
		dst = p->sm->name;
		dstsz = sizeof(p->sm->name);
	} else {
		dst = p->sm->description;
		dstsz = sizeof(p->sm->description);
	}
	if (n == 0)
		return 0;
	have = strlen(dst);
	if (have + (have > 0) + n >= dstsz)
		return fail(p, p->key == K_NAME ? "the name is longer than 64 "
		    "characters" : "the description is longer than 1024 "
		    "characters");
	if (have > 0)
		dst[have++] = ' ';
	for (i = 0; i < n; i++) {
		if (s[i] == '\t')
			dst[have + i] = ' ';
		else if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(p, "a control character in a value");
		else
			dst[have + i] = s[i];
	}
	dst[have + n] = '\0';
	return 0;
}

static int
add_agent(struct parser *p, const char *s, size_t n)
{
	struct skillmd	*sm = p->sm;

	if (!agent_ok(s, n))
		return fail(p, E_AGENT);
	if (sm->nagents >= SKILLMD_AGENTS_MAX)
		return fail(p, "more than 16 agents");
	memcpy(sm->agents[sm->nagents], s, n);
	sm->agents[sm->nagents++][n] = '\0';
	return 0;
}

static int
add(struct parser *p, const char *s, size_t n)
{
	return p->key == K_AGENTS ? add_agent(p, s, n) : add_text(p, s, n);
}

/* what may follow a complete value on its line: blanks, a comment */
static int
rest_ok(const char *s, size_t n)
{
	trim(&s, &n);
	return n == 0 || s[0] == '#';
}

/*
 * A quoted scalar: v[0] is the quote; the text, unquoted, is added.
 * *used: how much of v it took.
 */
static int
quoted(struct parser *p, const char *v, size_t n, size_t *used)
{
	char	*out, q = v[0];
	size_t	 i, o = 0;
	int	 r;

	if ((out = malloc(n)) == NULL)
		return fail(p, "out of memory");
	for (i = 1; i < n; i++) {
		if (v[i] == q && q == '\'' && i + 1 < n && v[i + 1] == '\'') {
			out[o++] = '\'';
			i++;
		} else if (v[i] == q)
			break;
		else if (v[i] == '\\' && q == '"') {
			if (++i == n)
				break;
			if (v[i] == '"' || v[i] == '\\' || v[i] == '/')
				out[o++] = v[i];
			else if (v[i] == 't' || v[i] == 'n')
				out[o++] = ' ';
			else {
				free(out);
				return fail(p, "an escape other than \\\" \\\\ "
				    "\\/ \\t \\n in a double-quoted value");
			}
		} else
			out[o++] = v[i];
	}
	if (i >= n) {
		free(out);
		return fail(p, "a quoted value must end on its line");
	}
	*used = i + 1;
	r = add(p, out, o);
	free(out);
	return r;
}

/* an item of an agents list, plain or quoted */
static int
item(struct parser *p, const char *s, size_t n)
{
	size_t	 used;

	trim(&s, &n);
	if (n > 0 && (s[0] == '"' || s[0] == '\'')) {
		if (quoted(p, s, n, &used) == -1)
			return -1;
		if (!is_blank(s + used, n - used))
			return fail(p, "text after a quoted value");
		return 0;
	}
	return add_agent(p, s, n);
}

/* "[a, b]" */
static int
flow_list(struct parser *p, const char *v, size_t n)
{
	const char	*end, *s, *c;

	if ((end = memchr(v, ']', n)) == NULL)
		return fail(p, "a list must end on its line");
	if (!rest_ok(end + 1, n - (size_t)(end + 1 - v)))
		return fail(p, "text after a list");
	for (s = v + 1; s < end; s = c + 1) {
		if ((c = memchr(s, ',', (size_t)(end - s))) == NULL)
			c = end;
		if (!is_blank(s, (size_t)(c - s)) &&
		    item(p, s, (size_t)(c - s)) == -1)
			return -1;
	}
	return 0;
}

/* a plain value: up to a comment, trimmed */
static int
plain(struct parser *p, const char *v, size_t n)
{
	size_t	 i;

	for (i = 1; i < n; i++)
		if (v[i] == '#' && is_ws(v[i - 1])) {
			n = i;
			break;
		}
	trim(&v, &n);
	return add(p, v, n);
}

/* "|" or ">", a chomping indicator, an indentation digit, a comment */
static int
block_header(const char *v, size_t n)
{
	size_t	 i = 1;

	if (i < n && (v[i] == '-' || v[i] == '+'))
		i++;
	if (i < n && v[i] >= '1' && v[i] <= '9')
		i++;
	if (i < n && (v[i] == '-' || v[i] == '+') && v[i - 1] != '-' &&
	    v[i - 1] != '+')
		i++;
	return i == n || (is_ws(v[i]) && rest_ok(v + i, n - i));
}

/* the value on the line of a key we read */
static int
value(struct parser *p, const char *v, size_t n)
{
	size_t	 used;

	if (n == 0 || v[0] == '#') {
		p->mode = p->key == K_AGENTS ? M_LIST : M_PLAIN;
		return 0;
	}
	switch (v[0]) {
	case '"':
	case '\'':
		p->mode = M_DONE;
		if (quoted(p, v, n, &used) == -1)
			return -1;
		if (!rest_ok(v + used, n - used))
			return fail(p, "text after a quoted value");
		return 0;
	case '|':
	case '>':
		if (p->key == K_AGENTS)
			return fail(p, "agents must be a list of agent ids");
		if (!block_header(v, n))
			return fail(p, "a bad block scalar header");
		p->mode = M_BLOCK;
		return 0;
	case '[':
		if (p->key != K_AGENTS)
			return fail(p, p->key == K_NAME ? "the name must be a "
			    "string" : "the description must be a string");
		p->mode = M_DONE;
		return flow_list(p, v, n);
	case '{':
	case '&':
	case '*':
	case '!':
	case '%':
	case '@':
	case '`':
		return fail(p, E_SYNTAX);
	}
	p->mode = p->key == K_AGENTS ? M_DONE : M_PLAIN;
	return plain(p, v, n);
}

static int
key_of(const char *s, size_t n)
{
	if (n == 4 && memcmp(s, "name", 4) == 0)
		return K_NAME;
	if (n == 11 && memcmp(s, "description", 11) == 0)
		return K_DESC;
	if (n == 6 && memcmp(s, "agents", 6) == 0)
		return K_AGENTS;
	return K_OTHER;
}

static int
key_line(struct parser *p, const char *s, size_t n)
{
	const char	*colon, *v;
	size_t		 k, i, vn;

	if ((colon = memchr(s, ':', n)) == NULL)
		return fail(p, E_KV);
	k = (size_t)(colon - s);
	while (k > 0 && is_ws(s[k - 1]))
		k--;
	if (k == 0)
		return fail(p, E_KV);
	for (i = 0; i < k; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return fail(p, E_KV);
	v = colon + 1;
	vn = n - (size_t)(v - s);
	if (vn > 0 && !is_ws(v[0]))
		return fail(p, "expected a blank after the colon");
	trim(&v, &vn);
	p->key = key_of(s, k);
	if (p->key == K_OTHER) {
		p->mode = M_SKIP;
		return 0;
	}
	if (p->seen & (1u << p->key))
		return fail(p, p->key == K_NAME ? "name given twice" :
		    p->key == K_DESC ? "description given twice" :
		    "agents given twice");
	p->seen |= 1u << p->key;
	return value(p, v, vn);
}

/* an indented line: it belongs to the current key */
static int
continuation(struct parser *p, const char *s, size_t n)
{
	trim(&s, &n);
	switch (p->mode) {
	case M_NONE:
		return fail(p, "an indented line before the first key");
	case M_SKIP:
		return 0;
	case M_DONE:
		return fail(p, "an indented line after a complete value");
	case M_LIST:
		if (s[0] == '#')
			return 0;
		if (!is_entry(s, n))
			return fail(p, "expected \"- agent\" lines in the "
			    "agents list");
		return item(p, s + 1, n - 1);
	case M_BLOCK:
		return add_text(p, s, n);
	}
	/* M_PLAIN */
	if (s[0] == '#')
		return 0;
	if (is_entry(s, n) && (p->key == K_NAME ? p->sm->name :
	    p->sm->description)[0] == '\0')
		return fail(p, p->key == K_NAME ? "the name must be a string" :
		    "the description must be a string");
	return plain(p, s, n);
}

static int
front_line(struct parser *p, const struct line *l)
{
	if (is_blank(l->s, l->n))
		return 0;
	if (is_ws(l->s[0]))
		return continuation(p, l->s, l->n);
	if (l->s[0] == '#')
		return 0;
	/* a block sequence may sit at the key's own indentation */
	if (is_entry(l->s, l->n) && p->mode == M_LIST)
		return item(p, l->s + 1, l->n - 1);
	if (is_entry(l->s, l->n) && p->mode == M_SKIP)
		return 0;
	return key_line(p, l->s, l->n);
}

static int
check(struct parser *p)
{
	struct skillmd	*sm = p->sm;
	const char	*d = sm->description;
	size_t		 n = strlen(d), i, chars = 0;

	if (!(p->seen & (1u << K_NAME)))
		return fail(p, "no name in the front matter");
	if (!(p->seen & (1u << K_DESC)))
		return fail(p, "no description in the front matter");
	if (!skillmd_name_ok(sm->name))
		return fail(p, E_NAME);
	trim(&d, &n);
	memmove(sm->description, d, n);
	sm->description[n] = '\0';
	if (n == 0)
		return fail(p, "the description is empty");
	for (i = 0; i < n; i++)
		if (((unsigned char)sm->description[i] & 0xc0) != 0x80)
			chars++;
	if (chars > SKILLMD_DESC_MAX)
		return fail(p, "the description is longer than 1024 "
		    "characters");
	if ((p->seen & (1u << K_AGENTS)) && sm->nagents == 0)
		return fail(p, "agents is an empty list (leave it out for "
		    "every agent)");
	return 0;
}

/* the body: leading lines of blanks and CRs dropped, then the CRs at the
 * end of a line */
static int
body(struct parser *p, const char *s, size_t n)
{
	struct line	 l;
	char		*b;
	size_t		 pos = 0, start = 0, i, o = 0;

	while (next_line(s, n, &pos, &l) && blank_cr(l.s, l.n))
		start = pos;
	if ((b = p->sm->body = malloc(n - start + 1)) == NULL)
		return fail(p, "out of memory");
	for (i = start; i < n; i++) {
		while (s[i] == '\n' && o > 0 && b[o - 1] == '\r')
			o--;
		b[o++] = s[i];
	}
	b[o] = '\0';
	p->sm->bodylen = o;
	return 0;
}

void
skillmd_free(struct skillmd *sm)
{
	free(sm->body);
	memset(sm, 0, sizeof(*sm));
}

int
skillmd_parse(const char *buf, size_t len, struct skillmd *sm, char *err,
    size_t errsz)
{
	struct parser	 p;
	struct line	 l;
	size_t		 pos = 0;
	int		 closed = 0;

	memset(sm, 0, sizeof(*sm));
	memset(&p, 0, sizeof(p));
	p.sm = sm;
	p.err = err;
	p.errsz = errsz;
	if (errsz > 0)
		err[0] = '\0';
	if (len > SKILLMD_MAX)
		return fail(&p, "larger than 64 KiB");
	if (memchr(buf, '\0', len) != NULL)
		return fail(&p, "a NUL byte in the file");
	if (utf8_bad((const unsigned char *)buf, len) != len)
		return fail(&p, "not valid UTF-8");
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	if (!next_line(buf, len, &pos, &l) || !is_marker(&l))
		return fail(&p, "no front matter: the file must start with a "
		    "\"---\" line");
	p.line = 1;
	while (next_line(buf, len, &pos, &l)) {
		p.line++;
		if (is_marker(&l)) {
			closed = 1;
			break;
		}
		if (front_line(&p, &l) == -1)
			goto bad;
	}
	p.line = 0;
	if (!closed) {
		fail(&p, "the front matter does not end: no second \"---\" "
		    "line");
		goto bad;
	}
	if (check(&p) == -1 || body(&p, buf + pos, len - pos) == -1)
		goto bad;
	return 0;
bad:
	skillmd_free(sm);
	return -1;
}
