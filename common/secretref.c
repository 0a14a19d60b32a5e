/*
 * secretref.c - secret references, JSON pointers and the exec-provider
 * protocol (parent and secretd).  See secretref.h.
 */
#include <stdio.h>
#include <string.h>

#include <cJSON.h>
#include <sodium.h>

#include "secretref.h"

#define ENV_ID_MAX	128
#define ERRCODE_MAX	32

#define E_REF		"secret reference: "
#define E_EXEC		"exec provider: "
#define RE_PROVIDER	"^[a-z][a-z0-9_-]{0,63}$"
#define RE_ENV		"^[A-Z][A-Z0-9_]{0,127}$"
#define RE_EXEC		"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$"

static const struct {
	const char	*name;
	int		 source;
} sources[] = {
	{ "env", SECRET_SRC_ENV },
	{ "file", SECRET_SRC_FILE },
	{ "exec", SECRET_SRC_EXEC },
	{ "vault", SECRET_SRC_VAULT },
	{ "store", SECRET_SRC_VAULT },	/* OpenClaw's name, input only */
};

const char *
secretref_source_name(int source)
{
	size_t	 i;

	for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (sources[i].source == source)
			return sources[i].name;
	return NULL;
}

/* the source named by the len bytes at s, or 0 */
static int
source_lookup(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strlen(sources[i].name) == len &&
		    memcmp(sources[i].name, s, len) == 0)
			return sources[i].source;
	return 0;
}

static int
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(int c)
{
	return is_upper(c) || is_lower(c) || is_digit(c);
}

/* ^[a-z][a-z0-9_-]{0,63}$ over len bytes */
static int
provider_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > SECRETREF_PROVIDER_MAX || !is_lower(s[0]))
		return 0;
	for (i = 1; i < len; i++)
		if (!is_lower(s[i]) && !is_digit(s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return 1;
}

/* ^[A-Z][A-Z0-9_]{0,127}$ over len bytes */
static int
env_id_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > ENV_ID_MAX || !is_upper(s[0]))
		return 0;
	for (i = 1; i < len; i++)
		if (!is_upper(s[i]) && !is_digit(s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* RFC 6901 over len bytes: "" or "/..."; "~" only as "~0" or "~1" */
static int
pointer_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len > 0 && s[0] != '/')
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '~' &&
		    (i + 1 == len || (s[i + 1] != '0' && s[i + 1] != '1')))
			return 0;
	return 1;
}

/* an absolute pointer of printable bytes, or "value" */
static int
file_id_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 5 && memcmp(s, "value", 5) == 0)
		return 1;
	if (len == 0 || len > SECRETREF_ID_MAX || s[0] != '/' ||
	    !pointer_ok(s, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* ^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$ over len bytes */
static int
exec_id_chars_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > SECRETREF_ID_MAX || !is_alnum(s[0]))
		return 0;
	for (i = 1; i < len; i++)
		if (!is_alnum(s[i]) && strchr("._:/#-", s[i]) == NULL)
			return 0;
	return 1;
}

/* no "." or ".." between slashes (or the ends) */
static int
exec_id_segments_ok(const char *s, size_t len)
{
	size_t	 start = 0, i, n;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '/')
			continue;
		n = i - start;
		if ((n == 1 && s[start] == '.') ||
		    (n == 2 && s[start] == '.' && s[start + 1] == '.'))
			return 0;
		start = i + 1;
	}
	return 1;
}

/* the id rules of each source: NULL if the len bytes at s are good */
static const char *
id_error(int source, const char *s, size_t len)
{
	switch (source) {
	case SECRET_SRC_ENV:
		return env_id_ok(s, len) ? NULL :
		    E_REF "id must match " RE_ENV " for source env";
	case SECRET_SRC_VAULT:
		return env_id_ok(s, len) ? NULL :
		    E_REF "id must match " RE_ENV " for source vault";
	case SECRET_SRC_FILE:
		return file_id_ok(s, len) ? NULL :
		    E_REF "id must be an absolute JSON pointer (at most 256 "
		    "bytes, no control character, ~0 and ~1 the only "
		    "escapes) or \"value\" for source file";
	case SECRET_SRC_EXEC:
		if (!exec_id_chars_ok(s, len))
			return E_REF "id must match " RE_EXEC
			    " for source exec";
		return exec_id_segments_ok(s, len) ? NULL :
		    E_REF "id must not have a \".\" or \"..\" segment for "
		    "source exec";
	default:
		return E_REF "source must be env, file, exec or vault";
	}
}

/*
 * Checks the parts (lengths given, not NUL-terminated) and fills ref:
 * the one place every form goes through.
 */
static int
ref_set(struct secretref *ref, int source, const char *prov, size_t plen,
    const char *id, size_t ilen, const char **err)
{
	const char	*e;

	memset(ref, 0, sizeof(*ref));
	if (secretref_source_name(source) == NULL) {
		*err = E_REF "source must be env, file, exec or vault";
		return -1;
	}
	if (!provider_ok(prov, plen)) {
		*err = E_REF "provider must match " RE_PROVIDER;
		return -1;
	}
	if ((e = id_error(source, id, ilen)) != NULL) {
		*err = e;
		return -1;
	}
	ref->source = source;
	memcpy(ref->provider, prov, plen);
	memcpy(ref->id, id, ilen);
	return 0;
}

int
secretref_check(const struct secretref *ref, const char **err)
{
	struct secretref	 tmp;
	size_t			 plen, ilen;

	plen = strnlen(ref->provider, sizeof(ref->provider));
	ilen = strnlen(ref->id, sizeof(ref->id));
	if (plen == sizeof(ref->provider) || ilen == sizeof(ref->id)) {
		*err = E_REF "provider or id not terminated";
		return -1;
	}
	return ref_set(&tmp, ref->source, ref->provider, plen, ref->id, ilen,
	    err);
}

/* ---- the JSON object ---- */

/*
 * If item is the member k (bit in *seen), its string into *s: 1; 0 if
 * item is another member; -1 and *err if twice or not a string.
 */
static int
member(const cJSON *item, const char *k, int bit, int *seen,
    const char **s, const char *typeerr, const char **err)
{
	if (strcmp(item->string, k) != 0)
		return 0;
	if (*seen & bit) {
		*err = E_REF "duplicate key";
		return -1;
	}
	*seen |= bit;
	if (!cJSON_IsString(item) || item->valuestring == NULL) {
		*err = typeerr;
		return -1;
	}
	*s = item->valuestring;
	return 1;
}

int
secretref_from_json(const cJSON *o, struct secretref *ref, const char **err)
{
	const cJSON	*it;
	const char	*src = NULL, *prov = NULL, *id = NULL;
	int		 seen = 0, source, r1 = 0, r2 = 0, r3 = 0;

	memset(ref, 0, sizeof(*ref));
	if (!cJSON_IsObject(o)) {
		*err = E_REF "must be an object {source, provider, id}";
		return -1;
	}
	for (it = o->child; it != NULL; it = it->next) {
		if (it->string == NULL) {
			*err = E_REF "must be an object {source, provider, id}";
			return -1;
		}
		if ((r1 = member(it, "source", 1, &seen, &src,
		    E_REF "source must be a string", err)) == -1 ||
		    (r2 = member(it, "provider", 2, &seen, &prov,
		    E_REF "provider must be a string", err)) == -1 ||
		    (r3 = member(it, "id", 4, &seen, &id,
		    E_REF "id must be a string", err)) == -1)
			return -1;
		if (r1 + r2 + r3 == 0) {
			*err = E_REF "unknown key (allowed: source, provider, "
			    "id)";
			return -1;
		}
	}
	if (src == NULL) {
		*err = E_REF "source is missing";
		return -1;
	}
	if (id == NULL) {
		*err = E_REF "id is missing";
		return -1;
	}
	source = source_lookup(src, strlen(src));
	if (prov == NULL)
		prov = source == SECRET_SRC_VAULT ? "vault" : "default";
	return ref_set(ref, source, prov, strlen(prov), id, strlen(id), err);
}

/* ---- text ---- */

/* 1 if the len bytes at s, valid JSON, escape a NUL ("\u0000") */
static int
json_has_nul(const char *s, size_t len)
{
	size_t	 i;

	/* in valid JSON a backslash only ever starts an escape */
	for (i = 0; i + 1 < len; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 5 < len &&
		    memcmp(s + i + 2, "0000", 4) == 0)
			return 1;
		i++;
	}
	return 0;
}

/* JSON white space */
static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The len bytes at buf as one JSON value with nothing but white space
 * after it and no "\u0000" in it; NULL and *why (0 not JSON, 1 trailing
 * data, 2 a NUL) if not.
 */
static cJSON *
parse_exact(const char *buf, size_t len, int *why)
{
	cJSON		*root;
	const char	*end = NULL;

	*why = 0;
	if ((root = cJSON_ParseWithLengthOpts(buf, len, &end, 0)) == NULL)
		return NULL;
	while (end < buf + len && is_ws(*end))
		end++;
	if (end != buf + len)
		*why = 1;
	else if (json_has_nul(buf, len))
		*why = 2;
	else
		return root;
	cJSON_Delete(root);
	return NULL;
}

static int
parse_json_text(const char *text, size_t len, struct secretref *ref,
    const char **err)
{
	cJSON		*o;
	int		 rv, why;

	if ((o = parse_exact(text, len, &why)) == NULL) {
		*err = why == 2 ? E_REF "a string holds \\u0000" :
		    E_REF "not valid JSON";
		return -1;
	}
	rv = secretref_from_json(o, ref, err);
	cJSON_Delete(o);
	return rv;
}

/* "${NAME}" and "$NAME" */
static int
parse_shorthand(const char *text, size_t len, struct secretref *ref,
    const char **err)
{
	const char	*name = text + 1;
	size_t		 n = len - 1;

	if (len >= 2 && text[1] == '{') {
		if (text[len - 1] != '}') {
			*err = E_REF "${NAME} is missing its '}'";
			return -1;
		}
		name = text + 2;
		n = len - 3;
	}
	if (!env_id_ok(name, n)) {
		*err = E_REF "the NAME of ${NAME} or $NAME must match " RE_ENV;
		return -1;
	}
	return ref_set(ref, SECRET_SRC_ENV, "default", 7, name, n, err);
}

/* "source:provider:id" */
static int
parse_short(const char *text, size_t len, struct secretref *ref,
    const char **err)
{
	const char	*c1, *c2;
	int		 source;

	if ((c1 = memchr(text, ':', len)) == NULL ||
	    (c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - text))) ==
	    NULL) {
		*err = E_REF "expected source:provider:id, ${NAME}, $NAME or "
		    "a JSON object";
		return -1;
	}
	if ((source = source_lookup(text, (size_t)(c1 - text))) == 0) {
		*err = E_REF "source must be env, file, exec or vault";
		return -1;
	}
	return ref_set(ref, source, c1 + 1, (size_t)(c2 - c1 - 1), c2 + 1,
	    len - (size_t)(c2 + 1 - text), err);
}

int
secretref_parse(const char *text, struct secretref *ref, const char **err)
{
	size_t	 len, i;

	memset(ref, 0, sizeof(*ref));
	len = strnlen(text, SECRETREF_TEXT_MAX + 1);
	if (len > SECRETREF_TEXT_MAX) {
		*err = E_REF "longer than 4096 bytes";
		return -1;
	}
	for (i = 0; i < len && is_ws(text[i]); i++)
		;
	if (i < len && text[i] == '{')
		return parse_json_text(text, len, ref, err);
	if (len > 0 && text[0] == '$')
		return parse_shorthand(text, len, ref, err);
	return parse_short(text, len, ref, err);
}

int
secretref_format(const struct secretref *ref, char *out, size_t outsz)
{
	const char	*err;
	int		 n;

	if (outsz > 0)
		out[0] = '\0';
	if (secretref_check(ref, &err) == -1)
		return -1;
	n = snprintf(out, outsz, "%s:%s:%s",
	    secretref_source_name(ref->source), ref->provider, ref->id);
	if (n < 0 || (size_t)n >= outsz) {
		if (outsz > 0)
			out[0] = '\0';
		return -1;
	}
	return n;
}

/* "$" and a name-like word ([A-Za-z0-9_]+) */
static int
looks_dollar_name(const char *s)
{
	size_t	 i;

	if (s[0] != '$' || s[1] == '\0')
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!is_alnum(s[i]) && s[i] != '_')
			return 0;
	return 1;
}

int
secretref_looks_plaintext(const cJSON *v)
{
	const char	*s, *c;
	size_t		 len, i;

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return 0;
	s = v->valuestring;
	len = strlen(s);
	if (len >= 3 && s[0] == '$' && s[1] == '{' && s[len - 1] == '}')
		return 0;
	if (looks_dollar_name(s))
		return 0;
	if ((c = strchr(s, ':')) != NULL &&
	    source_lookup(s, (size_t)(c - s)) != 0)
		return 0;
	for (i = 0; i < len && is_ws(s[i]); i++)
		;
	if (i < len && s[i] == '{')
		return 0;
	return 1;
}

/* ---- JSON pointer ---- */

/* 1 if the object key equals the escaped token of n bytes */
static int
token_eq(const char *key, const char *tok, size_t n)
{
	size_t	 i;
	char	 c;

	for (i = 0; i < n; i++) {
		c = tok[i];
		if (c == '~') {
			/* pointer_ok() saw a '0' or '1' after it */
			c = tok[i + 1] == '0' ? '~' : '/';
			i++;
		}
		if (*key != c)
			return 0;
		key++;
	}
	return *key == '\0';
}

/* the member of an object named by the token; NULL if none or twice */
static const cJSON *
object_step(const cJSON *o, const char *tok, size_t n)
{
	const cJSON	*it, *found = NULL;

	for (it = o->child; it != NULL; it = it->next) {
		if (it->string == NULL || !token_eq(it->string, tok, n))
			continue;
		if (found != NULL)
			return NULL;
		found = it;
	}
	return found;
}

/* the element of an array at the decimal index of the token, or NULL */
static const cJSON *
array_step(const cJSON *a, const char *tok, size_t n)
{
	const cJSON	*it;
	size_t		 i, idx = 0;

	/* no sign, no leading zero, no "-"; 9 digits is plenty */
	if (n == 0 || n > 9 || (n > 1 && tok[0] == '0'))
		return NULL;
	for (i = 0; i < n; i++) {
		if (!is_digit(tok[i]))
			return NULL;
		idx = idx * 10 + (size_t)(tok[i] - '0');
	}
	for (it = a->child; it != NULL && idx > 0; it = it->next)
		idx--;
	return it;
}

int
secret_json_pointer(const cJSON *root, const char *ptr, const cJSON **out)
{
	const cJSON	*cur = root;
	size_t		 n;

	*out = NULL;
	if (root == NULL || !pointer_ok(ptr, strlen(ptr)))
		return -1;
	while (*ptr == '/') {
		ptr++;
		n = strcspn(ptr, "/");
		if (cJSON_IsArray(cur))
			cur = array_step(cur, ptr, n);
		else if (cJSON_IsObject(cur))
			cur = object_step(cur, ptr, n);
		else
			cur = NULL;
		if (cur == NULL)
			return -1;
		ptr += n;
	}
	*out = cur;
	return 0;
}

/* ---- the exec provider protocol ---- */

/* appends the NUL-terminated s to out at *pos; -1 if it does not fit */
static int
append(char *out, size_t outsz, size_t *pos, const char *s)
{
	size_t	 n = strlen(s);

	if (*pos >= outsz || n >= outsz - *pos)
		return -1;
	memcpy(out + *pos, s, n + 1);
	*pos += n;
	return 0;
}

int
secret_exec_request(const char *provider, const char *const *ids,
    size_t nids, char *out, size_t outsz)
{
	size_t	 i, pos = 0;

	if (outsz > 0)
		out[0] = '\0';
	if (provider == NULL || ids == NULL || nids == 0 ||
	    !provider_ok(provider, strlen(provider)))
		return -1;
	for (i = 0; i < nids; i++)
		if (ids[i] == NULL ||
		    id_error(SECRET_SRC_EXEC, ids[i], strlen(ids[i])) != NULL)
			return -1;
	/* neither the alias nor an exec id has a byte JSON must escape */
	if (append(out, outsz, &pos, "{\"protocolVersion\":1,\"provider\":\"")
	    == -1 || append(out, outsz, &pos, provider) == -1 ||
	    append(out, outsz, &pos, "\",\"ids\":[") == -1)
		goto toosmall;
	for (i = 0; i < nids; i++)
		if (append(out, outsz, &pos, i ? ",\"" : "\"") == -1 ||
		    append(out, outsz, &pos, ids[i]) == -1 ||
		    append(out, outsz, &pos, "\"") == -1)
			goto toosmall;
	if (append(out, outsz, &pos, "]}") == -1)
		goto toosmall;
	return (int)pos;
 toosmall:
	if (outsz > 0)
		out[0] = '\0';
	return -1;
}

/* the only member of o named k into *found (NULL if none); -1 if twice */
static int
only_member(const cJSON *o, const char *k, const cJSON **found)
{
	const cJSON	*it;

	*found = NULL;
	for (it = o->child; it != NULL; it = it->next) {
		if (it->string == NULL || strcmp(it->string, k) != 0)
			continue;
		if (*found != NULL)
			return -1;
		*found = it;
	}
	return 0;
}

/* ^[A-Z_]{1,32}$ */
static int
errcode_ok(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= ERRCODE_MAX || (!is_upper(s[i]) && s[i] != '_'))
			return 0;
	return i > 0;
}

/* the message for an error entry: the code only if it is a safe word */
static const char *
provider_error(const cJSON *entry)
{
	static _Thread_local char	 buf[128];
	const cJSON			*code;

	if (!cJSON_IsObject(entry) ||
	    only_member(entry, "code", &code) == -1 ||
	    !cJSON_IsString(code) || code->valuestring == NULL ||
	    !errcode_ok(code->valuestring))
		return E_EXEC "the provider reported an error for the id";
	snprintf(buf, sizeof(buf),
	    E_EXEC "the provider reported an error for the id: %s",
	    code->valuestring);
	return buf;
}

/* the top-level object: version, values and errors, each once */
static const char *
check_envelope(const cJSON *root, const cJSON **values,
    const cJSON **errors)
{
	const cJSON	*ver;

	if (!cJSON_IsObject(root))
		return E_EXEC "response is not a JSON object";
	if (only_member(root, "protocolVersion", &ver) == -1 ||
	    only_member(root, "values", values) == -1 ||
	    only_member(root, "errors", errors) == -1)
		return E_EXEC "duplicate key in the response";
	if (!cJSON_IsNumber(ver) || ver->valuedouble != 1.0)
		return E_EXEC "protocolVersion must be 1";
	if (*values == NULL)
		return E_EXEC "response has no values";
	if (!cJSON_IsObject(*values))
		return E_EXEC "values must be an object";
	if (cJSON_IsNull(*errors))
		*errors = NULL;
	if (*errors != NULL && !cJSON_IsObject(*errors))
		return E_EXEC "errors must be an object";
	return NULL;
}

/* the value for the id, checked: the string, or NULL and *err */
static const char *
find_value(const cJSON *values, const cJSON *errors, const char *id,
    size_t *vlen, const char **err)
{
	const cJSON	*v, *e = NULL;

	if (errors != NULL && only_member(errors, id, &e) == -1) {
		*err = E_EXEC "duplicate error for the id";
		return NULL;
	}
	if (e != NULL) {
		*err = provider_error(e);
		return NULL;
	}
	if (only_member(values, id, &v) == -1) {
		*err = E_EXEC "duplicate value for the id";
		return NULL;
	}
	if (v == NULL) {
		*err = E_EXEC "no value for the id";
		return NULL;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		*err = E_EXEC "the value for the id is not a string";
		return NULL;
	}
	*vlen = strlen(v->valuestring);
	if (*vlen == 0) {
		*err = E_EXEC "the value for the id is empty";
		return NULL;
	}
	if (*vlen > SECRET_EXEC_VALUE_MAX) {
		*err = E_EXEC "the value for the id is over 64 KiB";
		return NULL;
	}
	return v->valuestring;
}

/* the response parsed, with nothing but white space after it */
static cJSON *
parse_response(const char *buf, size_t len, const char **err)
{
	cJSON		*root;
	int		 why;

	if (len == 0) {
		*err = E_EXEC "response is empty";
		return NULL;
	}
	if (len > SECRET_EXEC_RESPONSE_MAX) {
		*err = E_EXEC "response is over 16 MiB";
		return NULL;
	}
	if ((root = parse_exact(buf, len, &why)) == NULL)
		*err = why == 2 ? E_EXEC "response holds \\u0000" :
		    why == 1 ? E_EXEC "trailing data after the JSON response" :
		    E_EXEC "response is not JSON";
	return root;
}

int
secret_exec_response(const char *buf, size_t len, const char *id,
    char **value, size_t *vlen, const char **err)
{
	cJSON		*root;
	const cJSON	*values, *errors;
	const char	*s;
	size_t		 n = 0;

	*value = NULL;
	*vlen = 0;
	if (buf == NULL || id == NULL) {
		*err = E_EXEC "no response or no id";
		return -1;
	}
	if ((root = parse_response(buf, len, err)) == NULL)
		return -1;
	if ((*err = check_envelope(root, &values, &errors)) != NULL ||
	    (s = find_value(values, errors, id, &n, err)) == NULL)
		goto fail;
	if (sodium_init() == -1 || (*value = sodium_malloc(n + 1)) == NULL) {
		*err = E_EXEC "out of memory";
		goto fail;
	}
	memcpy(*value, s, n + 1);
	*vlen = n;
	cJSON_Delete(root);
	*err = NULL;
	return 0;
 fail:
	cJSON_Delete(root);
	return -1;
}
