/*
 * fuzz_secretref.c - libFuzzer harness for secret references and JSON
 * pointers (common/secretref.c; the parent parses references from its
 * configuration, trust zone "secretd" resolves them).
 *
 * The whole input is parsed as a reference.  Accepted, it must pass
 * secretref_check(), format into SECRETREF_SHORT_MAX bytes, parse back
 * to the same reference, never look like plaintext, and, given as JSON
 * text, be what secretref_from_json() makes of the same object.
 * Refused, it must come with a static message that does not point into
 * the input.
 *
 * The input is also split at its first newline: the first line is a
 * JSON pointer, the rest a JSON document.  A lookup that succeeds must
 * agree with a naive RFC 6901 walk (decode the token, then cJSON's own
 * accessors), and "" must give the root.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "secretref.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* the message is ours: not inside the input, sane, prefixed */
static void
check_err(const char *err, const char *in, size_t inlen, const char *pfx)
{
	if (err == NULL || (err >= in && err <= in + inlen) ||
	    strncmp(err, pfx, strlen(pfx)) != 0 || strlen(err) > 256)
		abort();
}

static void
check_ref(const char *text, size_t len)
{
	struct secretref	 r, r2;
	const char		*err = NULL, *p;
	char			 out[SECRETREF_SHORT_MAX];
	cJSON			*o, *s;
	int			 n;

	if (secretref_parse(text, &r, &err) == -1) {
		check_err(err, text, len, "secret reference: ");
		if (r.source != 0 || r.provider[0] != '\0' || r.id[0] != '\0')
			abort();
		return;
	}
	if (secretref_check(&r, &err) != 0 ||
	    secretref_source_name(r.source) == NULL)
		abort();
	n = secretref_format(&r, out, sizeof(out));
	if (n <= 0 || (size_t)n != strlen(out))
		abort();
	if (secretref_parse(out, &r2, &err) != 0 ||
	    memcmp(&r, &r2, sizeof(r)) != 0)
		abort();
	/* a valid reference never passes for a plaintext secret */
	if ((s = cJSON_CreateString(text)) != NULL) {
		if (secretref_looks_plaintext(s))
			abort();
		cJSON_Delete(s);
	}
	if ((s = cJSON_CreateString(out)) != NULL) {
		if (secretref_looks_plaintext(s))
			abort();
		cJSON_Delete(s);
	}
	/* as JSON text: the object gives the same reference */
	for (p = text; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';)
		p++;
	if (*p == '{' && (o = cJSON_Parse(text)) != NULL) {
		if (secretref_from_json(o, &r2, &err) != 0 ||
		    memcmp(&r, &r2, sizeof(r)) != 0)
			abort();
		cJSON_Delete(o);
	}
}

/* RFC 6901 token decoding into buf; -1 if malformed or too long */
static int
decode_token(const char *tok, size_t n, char *buf, size_t bufsz)
{
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		if (o + 1 >= bufsz)
			return -1;
		if (tok[i] != '~') {
			buf[o++] = tok[i];
			continue;
		}
		if (i + 1 == n || (tok[i + 1] != '0' && tok[i + 1] != '1'))
			return -1;
		buf[o++] = tok[++i] == '0' ? '~' : '/';
	}
	buf[o] = '\0';
	return 0;
}

/* how often key k occurs in object o */
static int
key_count(const cJSON *o, const char *k)
{
	const cJSON	*it;
	int		 n = 0;

	for (it = o->child; it != NULL; it = it->next)
		if (it->string != NULL && strcmp(it->string, k) == 0)
			n++;
	return n;
}

/* the naive walk: the value, or NULL */
static const cJSON *
naive(const cJSON *cur, const char *ptr)
{
	char		 tok[4096], *end;
	size_t		 n;
	unsigned long	 idx;

	if (*ptr != '\0' && *ptr != '/')
		return NULL;
	while (*ptr == '/') {
		ptr++;
		n = strcspn(ptr, "/");
		if (decode_token(ptr, n, tok, sizeof(tok)) == -1)
			return NULL;
		ptr += n;
		if (cJSON_IsArray(cur)) {
			if (tok[0] < '0' || tok[0] > '9' ||
			    (tok[0] == '0' && tok[1] != '\0') ||
			    strlen(tok) > 9)
				return NULL;
			idx = strtoul(tok, &end, 10);
			if (*end != '\0' ||
			    idx >= (unsigned long)cJSON_GetArraySize(cur))
				return NULL;
			cur = cJSON_GetArrayItem(cur, (int)idx);
		} else if (cJSON_IsObject(cur)) {
			/* cJSON cuts keys at a NUL; so do we, but not twice */
			if (key_count(cur, tok) != 1)
				return NULL;
			cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
		} else
			return NULL;
		if (cur == NULL)
			return NULL;
	}
	return cur;
}

static void
check_pointer(const char *s, size_t len)
{
	const char	*nl;
	const cJSON	*v = (const cJSON *)1;
	cJSON		*doc;
	char		 ptr[4096];
	size_t		 plen;
	int		 rv;

	if ((nl = memchr(s, '\n', len)) == NULL)
		return;
	plen = (size_t)(nl - s);
	if (plen >= sizeof(ptr))
		return;
	memcpy(ptr, s, plen);
	ptr[plen] = '\0';
	if ((doc = cJSON_ParseWithLength(nl + 1, len - plen - 1)) == NULL)
		return;
	rv = secret_json_pointer(doc, ptr, &v);
	if (rv == 0) {
		if (v == NULL || v != naive(doc, ptr))
			abort();
		if (ptr[0] == '\0' && v != doc)
			abort();
	} else if (rv != -1 || v != NULL)
		abort();
	else if (naive(doc, ptr) != NULL)
		abort();
	cJSON_Delete(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_ref(s, size);
	check_pointer(s, size);
	free(s);
	return 0;
}
