/*
 * sse.c - an incremental parser of server-sent events for the streamed
 * answers of model providers (trust zone "agentd").  See sse.h.
 */
#include <stdlib.h>
#include <string.h>

#include "sse.h"

#define BOM_DONE	3
#define GROW_MIN	256

#define E_LINE		"sse: a line is longer than 65536 bytes"
#define E_EVENT		"sse: an event's data is longer than 1048576 bytes"
#define E_NOMEM		"sse: out of memory"
#define E_STOPPED	"sse: stopped by the callback"

static const unsigned char bom[BOM_DONE] = { 0xef, 0xbb, 0xbf };

void
sse_init(struct sse *s)
{
	memset(s, 0, sizeof(*s));
}

void
sse_free(struct sse *s)
{
	free(s->line);
	free(s->data);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

const char *
sse_error(const struct sse *s)
{
	return s->err;
}

static int
fail(struct sse *s, const char *err)
{
	s->err = err;
	return -1;
}

/* make *p hold need bytes, growing by doubling up to max */
static int
grow(char **p, size_t *cap, size_t need, size_t max)
{
	size_t	 ncap;
	char	*np;

	if (need <= *cap)
		return 0;
	ncap = *cap < GROW_MIN ? GROW_MIN : *cap;
	while (ncap < need)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	if ((np = realloc(*p, ncap)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

/* append n bytes to the line being read */
static int
line_add(struct sse *s, const char *b, size_t n)
{
	if (n > SSE_LINE_MAX - s->linelen)
		return fail(s, E_LINE);
	if (grow(&s->line, &s->linecap, s->linelen + n, SSE_LINE_MAX) == -1)
		return fail(s, E_NOMEM);
	memcpy(s->line + s->linelen, b, n);
	s->linelen += n;
	return 0;
}

/* the event field: the name, NUL-terminated */
static int
set_name(struct sse *s, const char *v, size_t n)
{
	if (grow(&s->name, &s->namecap, n + 1, SSE_LINE_MAX + 1) == -1)
		return fail(s, E_NOMEM);
	memcpy(s->name, v, n);
	s->name[n] = '\0';
	s->namelen = n;
	return 0;
}

/* the data field: the value and a LF; the data holds SSE_EVENT_MAX + 1 */
static int
add_data(struct sse *s, const char *v, size_t n)
{
	if (n >= SSE_EVENT_MAX + 1 - s->datalen)
		return fail(s, E_EVENT);
	if (grow(&s->data, &s->datacap, s->datalen + n + 1,
	    SSE_EVENT_MAX + 1) == -1)
		return fail(s, E_NOMEM);
	memcpy(s->data + s->datalen, v, n);
	s->datalen += n;
	s->data[s->datalen++] = '\n';
	return 0;
}

/* a blank line: the event, if it has data, without the last LF */
static int
dispatch(struct sse *s, sse_cb cb, void *arg)
{
	const char	*name = s->namelen > 0 ? s->name : "";
	size_t		 len = s->datalen;
	int		 rv = 0;

	if (len > 0) {
		s->data[len - 1] = '\0';
		rv = cb(name, s->data, len - 1, arg);
	}
	s->datalen = 0;
	s->namelen = 0;
	if (rv == -1)
		return fail(s, E_STOPPED);
	return 0;
}

/* one complete line, without its end of line */
static int
line_done(struct sse *s, sse_cb cb, void *arg)
{
	const char	*l = s->line, *v, *colon;
	size_t		 n = s->linelen, flen, vlen;

	s->linelen = 0;
	if (n == 0)
		return dispatch(s, cb, arg);
	if (l[0] == ':')
		return 0;
	if ((colon = memchr(l, ':', n)) != NULL) {
		flen = (size_t)(colon - l);
		v = colon + 1;
		vlen = n - flen - 1;
		if (vlen > 0 && v[0] == ' ') {
			v++;
			vlen--;
		}
	} else {
		flen = n;
		v = l + n;
		vlen = 0;
	}
	if (flen == 4 && memcmp(l, "data", 4) == 0)
		return add_data(s, v, vlen);
	if (flen == 5 && memcmp(l, "event", 5) == 0)
		return set_name(s, v, vlen);
	return 0;	/* id, retry, anything else */
}

/* the length of the run of bytes before the next CR or LF */
static size_t
text_span(const char *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (b[i] == '\r' || b[i] == '\n')
			break;
	return i;
}

int
sse_feed(struct sse *s, const char *buf, size_t len, sse_cb cb, void *arg)
{
	size_t	 i = 0, n;
	char	 c;

	if (s->err != NULL)
		return -1;
	while (i < len) {
		c = buf[i];
		if (s->bom < BOM_DONE) {
			/* BOM bytes go to the line, which drops all three */
			if ((unsigned char)c != bom[s->bom]) {
				s->bom = BOM_DONE;
				continue;
			}
			if (line_add(s, &c, 1) == -1)
				return -1;
			if (++s->bom == BOM_DONE)
				s->linelen = 0;
			i++;
			continue;
		}
		if (s->cr) {
			s->cr = 0;
			if (c == '\n') {
				i++;
				continue;
			}
		}
		if (c == '\r' || c == '\n') {
			s->cr = c == '\r';
			i++;
			if (line_done(s, cb, arg) == -1)
				return -1;
			continue;
		}
		n = text_span(buf + i, len - i);
		if (line_add(s, buf + i, n) == -1)
			return -1;
		i += n;
	}
	return 0;
}
