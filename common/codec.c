/*
 * codec.c - typed payload codec for internal messages (all trust zones).
 * See codec.h for the format and the rules.
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"

void
cb_init(struct cbuf *cb)
{
	memset(cb, 0, sizeof(*cb));
	cb->owned = 1;
}

void
cb_free(struct cbuf *cb)
{
	if (cb->owned)
		free(cb->data);
	memset(cb, 0, sizeof(*cb));
}

static int
reserve(struct cbuf *cb, size_t n)
{
	uint8_t	*p;
	size_t	 ncap;

	if (cb->err)
		return -1;
	if (!cb->owned) {
		cb->err = 1;	/* a read-only view */
		return -1;
	}
	if (n > CB_MAXLEN || cb->len > CB_MAXLEN - n) {
		cb->err = 1;
		return -1;
	}
	if (cb->len + n <= cb->cap)
		return 0;
	ncap = cb->cap ? cb->cap : 64;
	while (ncap < cb->len + n)
		ncap *= 2;
	if ((p = realloc(cb->data, ncap)) == NULL) {
		cb->err = 1;
		return -1;
	}
	cb->data = p;
	cb->cap = ncap;
	return 0;
}

static int
put(struct cbuf *cb, const void *p, size_t n)
{
	if (reserve(cb, n) == -1)
		return -1;
	if (n)
		memcpy(cb->data + cb->len, p, n);
	cb->len += n;
	return 0;
}

int
cb_put_u8(struct cbuf *cb, uint8_t v)
{
	return put(cb, &v, 1);
}

int
cb_put_u32(struct cbuf *cb, uint32_t v)
{
	uint8_t	 b[4];
	int	 i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return put(cb, b, 4);
}

int
cb_put_u64(struct cbuf *cb, uint64_t v)
{
	uint8_t	 b[8];
	int	 i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return put(cb, b, 8);
}

int
cb_put_bytes(struct cbuf *cb, const void *p, size_t n)
{
	if (n > CB_MAXLEN) {
		cb->err = 1;
		return -1;
	}
	if (cb_put_u32(cb, (uint32_t)n) == -1)
		return -1;
	return put(cb, p, n);
}

int
cb_put_str(struct cbuf *cb, const char *s)
{
	return cb_put_bytes(cb, s, strlen(s));
}

void
cb_view(struct cbuf *cb, const void *p, size_t n)
{
	memset(cb, 0, sizeof(*cb));
	cb->data = (uint8_t *)(uintptr_t)p;
	cb->len = n;
	cb->owned = 0;
}

static int
take(struct cbuf *cb, size_t n, const uint8_t **p)
{
	if (cb->err || n > cb->len - cb->pos) {
		cb->err = 1;
		return -1;
	}
	*p = cb->data + cb->pos;
	cb->pos += n;
	return 0;
}

int
cb_get_u8(struct cbuf *cb, uint8_t *v)
{
	const uint8_t	*p;

	if (take(cb, 1, &p) == -1)
		return -1;
	*v = p[0];
	return 0;
}

int
cb_get_u32(struct cbuf *cb, uint32_t *v)
{
	const uint8_t	*p;
	uint32_t	 r = 0;
	int		 i;

	if (take(cb, 4, &p) == -1)
		return -1;
	for (i = 3; i >= 0; i--)
		r = (r << 8) | p[i];
	*v = r;
	return 0;
}

int
cb_get_u64(struct cbuf *cb, uint64_t *v)
{
	const uint8_t	*p;
	uint64_t	 r = 0;
	int		 i;

	if (take(cb, 8, &p) == -1)
		return -1;
	for (i = 7; i >= 0; i--)
		r = (r << 8) | p[i];
	*v = r;
	return 0;
}

int
cb_get_bytes(struct cbuf *cb, const uint8_t **p, size_t *len, size_t maxlen)
{
	uint32_t	 n;

	if (cb_get_u32(cb, &n) == -1)
		return -1;
	if (n > maxlen) {
		cb->err = 1;
		return -1;
	}
	if (take(cb, n, p) == -1)
		return -1;
	*len = n;
	return 0;
}

int
cb_get_fixed(struct cbuf *cb, void *buf, size_t len)
{
	const uint8_t	*p;
	size_t		 n;

	if (cb_get_bytes(cb, &p, &n, len) == -1)
		return -1;
	if (n != len) {
		cb->err = 1;
		return -1;
	}
	memcpy(buf, p, n);
	return 0;
}

int
cb_get_str(struct cbuf *cb, char *buf, size_t bufsz)
{
	const uint8_t	*p;
	size_t		 n;

	if (bufsz == 0) {
		cb->err = 1;
		return -1;
	}
	if (cb_get_bytes(cb, &p, &n, bufsz - 1) == -1)
		return -1;
	if (memchr(p, '\0', n) != NULL) {
		cb->err = 1;
		return -1;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

int
cb_get_strdup(struct cbuf *cb, char **out, size_t maxlen)
{
	const uint8_t	*p;
	size_t		 n;
	char		*s;

	if (cb_get_bytes(cb, &p, &n, maxlen) == -1)
		return -1;
	if (memchr(p, '\0', n) != NULL || (s = malloc(n + 1)) == NULL) {
		cb->err = 1;
		return -1;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	return 0;
}

int
cb_get_end(struct cbuf *cb)
{
	if (cb->err || cb->pos != cb->len) {
		cb->err = 1;
		return -1;
	}
	return 0;
}
