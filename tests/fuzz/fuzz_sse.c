/*
 * fuzz_sse.c - libFuzzer harness for the server-sent events parser
 * (agentd/sse.c; agentd reads model providers' streams with it, trust
 * zone "agentd").
 *
 * The first 8 bytes seed a PRNG, the rest is the stream.  Fed whole, fed
 * in random pieces (empty ones too) and fed byte by byte, the stream
 * must give the same events and the same outcome; if the whole feed
 * succeeds, the events must be those of a naive reference parser that
 * splits the complete buffer into lines.  A callback that stops at a
 * random event must see a prefix of the same events and leave the
 * parser failed.  Every event's name and data are NUL-terminated and
 * within the limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct log {
	char	*b;
	size_t	 len, cap;
	size_t	 n;		/* events */
	size_t	 stop_at;	/* stop at this event; 0: never */
};

static void
log_add(struct log *l, const void *p, size_t n)
{
	size_t	 ncap;

	if (n == 0)
		return;
	if (l->len + n > l->cap) {
		ncap = l->cap ? l->cap : 256;
		while (ncap < l->len + n)
			ncap *= 2;
		if ((l->b = realloc(l->b, ncap)) == NULL)
			abort();
		l->cap = ncap;
	}
	memcpy(l->b + l->len, p, n);
	l->len += n;
}

static void
log_event(struct log *l, const char *name, size_t namelen, const char *data,
    size_t len)
{
	uint64_t	 n = len;

	log_add(l, name, namelen);
	log_add(l, "", 1);
	log_add(l, &n, sizeof(n));
	log_add(l, data, len);
	l->n++;
}

static int
cb(const char *name, const char *data, size_t len, void *arg)
{
	struct log	*l = arg;
	size_t		 nlen = strlen(name);

	if (len > SSE_EVENT_MAX || data[len] != '\0' || nlen > SSE_LINE_MAX)
		abort();
	log_event(l, name, nlen, data, len);
	if (l->stop_at != 0 && l->n == l->stop_at)
		return -1;
	return 0;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* feed the stream in pieces of random length; -1 on failure */
static int
feed_random(const char *s, size_t len, uint64_t seed, struct log *l,
    const char **err)
{
	struct sse	 p;
	size_t		 at = 0, n;
	int		 rv = 0;

	sse_init(&p);
	while (rv == 0 && at <= len) {
		switch (rnd(&seed) % 4) {
		case 0:
			n = 0;
			break;
		case 1:
			n = 1;
			break;
		case 2:
			n = rnd(&seed) % 8;
			break;
		default:
			n = rnd(&seed) % 300;
		}
		if (n > len - at)
			n = len - at;
		rv = sse_feed(&p, s + at, n, cb, l);
		at += n;
		if (at == len)
			break;
	}
	*err = sse_error(&p);
	sse_free(&p);
	return rv;
}

static int
feed_bytes(const char *s, size_t len, struct log *l, const char **err)
{
	struct sse	 p;
	size_t		 i;
	int		 rv = 0;

	sse_init(&p);
	for (i = 0; i < len && rv == 0; i++)
		rv = sse_feed(&p, s + i, 1, cb, l);
	*err = sse_error(&p);
	sse_free(&p);
	return rv;
}

static int
feed_whole(const char *s, size_t len, struct log *l, const char **err)
{
	struct sse	 p;
	int		 rv;

	sse_init(&p);
	rv = sse_feed(&p, s, len, cb, l);
	*err = sse_error(&p);
	if (rv == 0 && *err != NULL)
		abort();
	if (rv == -1 && (*err == NULL || sse_feed(&p, "\n\n", 2, cb, l) != -1))
		abort();
	sse_free(&p);
	return rv;
}

/* one line of the reference parser */
static void
ref_line(const char *l, size_t n, struct log *out, char *name, size_t *nlen,
    char *data, size_t *dlen)
{
	const char	*colon, *v;
	size_t		 flen, vlen;

	if (n == 0) {
		if (*dlen > 0)
			log_event(out, name, strnlen(name, *nlen), data,
			    *dlen - 1);
		*dlen = 0;
		*nlen = 0;
		return;
	}
	if (l[0] == ':')
		return;
	if ((colon = memchr(l, ':', n)) != NULL) {
		flen = (size_t)(colon - l);
		v = colon + 1;
		vlen = n - flen - 1;
		if (vlen > 0 && *v == ' ') {
			v++;
			vlen--;
		}
	} else {
		flen = n;
		v = l + n;
		vlen = 0;
	}
	if (flen == 4 && memcmp(l, "data", 4) == 0) {
		memcpy(data + *dlen, v, vlen);
		*dlen += vlen;
		data[(*dlen)++] = '\n';
	} else if (flen == 5 && memcmp(l, "event", 5) == 0) {
		memcpy(name, v, vlen);
		*nlen = vlen;
	}
}

/* the whole buffer split into lines; an unterminated last line dropped */
static void
ref_parse(const char *s, size_t len, struct log *out)
{
	char	*name, *data;
	size_t	 i = 0, j, nlen = 0, dlen = 0;

	if ((name = calloc(1, len + 1)) == NULL ||
	    (data = calloc(1, len + 1)) == NULL)
		abort();
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		for (j = i; j < len && s[j] != '\r' && s[j] != '\n'; j++)
			;
		if (j == len)
			break;
		name[nlen] = '\0';
		ref_line(s + i, j - i, out, name, &nlen, data, &dlen);
		name[nlen] = '\0';
		i = j + 1;
		if (s[j] == '\r' && i < len && s[i] == '\n')
			i++;
	}
	free(name);
	free(data);
}

static void
same(const struct log *a, const struct log *b)
{
	if (a->n != b->n || a->len != b->len ||
	    (a->len > 0 && memcmp(a->b, b->b, a->len) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log	 whole = { 0 }, pieces = { 0 }, bytes = { 0 };
	struct log	 ref = { 0 }, stop = { 0 };
	const char	*s, *e1, *e2, *e3, *e4;
	uint64_t	 seed = 0x9e3779b97f4a7c15ULL;
	size_t		 len;
	int		 rv;

	if (size >= 8) {
		memcpy(&seed, data, 8);
		seed |= 1;
		data += 8;
		size -= 8;
	}
	s = (const char *)data;
	len = size;
	rv = feed_whole(s, len, &whole, &e1);
	if (feed_random(s, len, seed, &pieces, &e2) != rv ||
	    feed_bytes(s, len, &bytes, &e3) != rv)
		abort();
	if ((e1 == NULL) != (e2 == NULL) || (e1 == NULL) != (e3 == NULL) ||
	    (e1 != NULL && (strcmp(e1, e2) != 0 || strcmp(e1, e3) != 0)))
		abort();
	same(&whole, &pieces);
	same(&whole, &bytes);
	if (rv == 0) {
		ref_parse(s, len, &ref);
		same(&whole, &ref);
	}
	/* a callback that stops: a prefix of the same events */
	if (whole.n > 0) {
		stop.stop_at = 1 + rnd(&seed) % whole.n;
		if (feed_random(s, len, seed, &stop, &e4) != -1 ||
		    e4 == NULL || stop.n != stop.stop_at ||
		    memcmp(stop.b, whole.b, stop.len) != 0)
			abort();
	}
	free(whole.b);
	free(pieces.b);
	free(bytes.b);
	free(ref.b);
	free(stop.b);
	return 0;
}
