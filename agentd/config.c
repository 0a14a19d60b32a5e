/*
 * config.c - the config KV store of agentd (trust zone "agentd").
 *
 * Runtime configuration (agents, model providers, channels, tool policy)
 * as dotted keys with JSON values in agentd's LMDB environment, read and
 * written by `clawctl config' and the gateway methods config.get /
 * config.list (operator.read) and config.set / config.unset /
 * config.patch / config.import (operator.admin).  Every write is one
 * LMDB transaction, checked against a table of known keys, audited, and
 * may carry the hash the writer last saw (compare-and-swap): the hash is
 * SHA-256 over every key and value in order.  Secrets appear only as
 * references; a plaintext value where a reference belongs is refused and
 * never echoed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agentd.h"
#include "log.h"
#include "secretref.h"

#define KEY_MAX		256
#define VALUE_MAX	65536
#define DEPTH_MAX	8
#define PATCH_MAX	256	/* keys in one patch or import */

enum vtype { T_STRING, T_INT, T_BOOL, T_STRINGS, T_SECRET, T_URL, T_ENUM,
    T_MODEL, T_PATH };

static const struct known {
	const char	*pattern;	/* '*' matches one id segment */
	enum vtype	 type;
	long		 min, max;	/* T_INT range; T_STRING max length */
	const char	*choices;	/* T_ENUM: '|'-separated */
} known[] = {
	{ "agents.*.name", T_STRING, 0, 128, NULL },
	{ "agents.*.model", T_MODEL, 0, 0, NULL },
	{ "agents.*.systemPrompt", T_STRING, 0, 65536, NULL },
	{ "agents.*.maxSteps", T_INT, 1, 64, NULL },
	{ "agents.*.tools.allow", T_STRINGS, 0, 0, NULL },
	{ "agents.*.tools.deny", T_STRINGS, 0, 0, NULL },
	{ "agents.defaults.model", T_MODEL, 0, 0, NULL },
	{ "models.providers.*.api", T_ENUM, 0, 0, "openai|anthropic" },
	{ "models.providers.*.baseUrl", T_URL, 0, 0, NULL },
	{ "models.providers.*.apiKey", T_SECRET, 0, 0, NULL },
	{ "models.providers.*.timeoutMs", T_INT, 100, 600000, NULL },
	{ "models.providers.*.maxRetries", T_INT, 0, 10, NULL },
	{ "models.providers.*.models", T_STRINGS, 0, 0, NULL },
	{ "models.providers.*.caFile", T_PATH, 0, 0, NULL },
	{ "models.keyCacheMs", T_INT, 0, 3600000, NULL },
	{ "session.dmScope", T_ENUM, 0, 0,
	    "main|per-peer|per-channel-peer|per-account-channel-peer" },
	{ "session.mainKey", T_STRING, 1, 64, NULL },
	{ "session.retentionDays", T_INT, 1, 36500, NULL },
	{ "channels.*.enabled", T_BOOL, 0, 0, NULL },
	{ "channels.*.botToken", T_SECRET, 0, 0, NULL },
	{ "channels.*.signingSecret", T_SECRET, 0, 0, NULL },
	{ "tools.allow", T_STRINGS, 0, 0, NULL },
	{ "tools.deny", T_STRINGS, 0, 0, NULL },
	{ "hooks.token", T_SECRET, 0, 0, NULL },
	{ "http.chatCompletions", T_BOOL, 0, 0, NULL },
};

static MDB_env	*env;
static MDB_dbi	 dbi;

void
config_init(MDB_env *e)
{
	MDB_txn	*t;
	int	 r;

	env = e;
	if ((r = mdb_txn_begin(env, NULL, 0, &t)) != 0 ||
	    (r = mdb_dbi_open(t, "config", MDB_CREATE, &dbi)) != 0 ||
	    (r = mdb_txn_commit(t)) != 0)
		fatalx("config: %s", mdb_strerror(r));
}

/* an id segment: ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$ */
static int
segment_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    (i > 0 && (s[i] == '_' || s[i] == '-'))))
			return 0;
	return 1;
}

static int
id_lower(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return 0;
	return 1;
}

static int
match(const char *pat, const char *key)
{
	size_t	 pn, kn;

	for (;;) {
		pn = strcspn(pat, ".");
		kn = strcspn(key, ".");
		if (!(pn == 1 && pat[0] == '*') &&
		    (pn != kn || strncmp(pat, key, pn) != 0))
			return 0;
		/* ids (agents, providers, channels) are lowercase, as in
		 * session keys and model names */
		if (pn == 1 && pat[0] == '*' && !id_lower(key, kn))
			return 0;
		pat += pn;
		key += kn;
		if (*pat == '\0' || *key == '\0')
			return *pat == *key;
		pat++;
		key++;
	}
}

static const struct known *
lookup(const char *key)
{
	size_t	 i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (match(known[i].pattern, key))
			return &known[i];
	return NULL;
}

/* a key's shape; NULL if fine, else why not */
static const char *
key_check(const char *key)
{
	const char	*s = key;
	size_t		 n;
	int		 depth = 0;

	if (strlen(key) > KEY_MAX)
		return "key too long";
	for (;;) {
		n = strcspn(s, ".");
		if (!segment_ok(s, n) || ++depth > DEPTH_MAX)
			return "keys are dotted paths of 1-64 of A-Z a-z 0-9 _ -";
		s += n;
		if (*s == '\0')
			break;
		s++;
	}
	if (lookup(key) == NULL)
		return "unknown key (clawctl config keys lists them)";
	return NULL;
}

static int
in_choices(const char *choices, const char *v)
{
	size_t	 n, len = strlen(v);

	while (*choices != '\0') {
		n = strcspn(choices, "|");
		if (n == len && strncmp(choices, v, n) == 0)
			return 1;
		choices += n;
		if (*choices == '|')
			choices++;
	}
	return 0;
}

/* the value's type for its key; NULL if fine, else why not (never the
 * value itself) */
static const char *
value_check(const struct known *k, const cJSON *v)
{
	struct secretref	 r;
	const cJSON		*e;
	const char		*err, *slash;

	switch (k->type) {
	case T_STRING:
		if (!cJSON_IsString(v))
			return "expected a string";
		if ((long)strlen(v->valuestring) < k->min ||
		    (long)strlen(v->valuestring) > k->max)
			return "string length out of range";
		return NULL;
	case T_INT:
		if (!cJSON_IsNumber(v) || v->valuedouble != (long)v->valuedouble)
			return "expected an integer";
		if ((long)v->valuedouble < k->min ||
		    (long)v->valuedouble > k->max)
			return "number out of range";
		return NULL;
	case T_BOOL:
		return cJSON_IsBool(v) ? NULL : "expected true or false";
	case T_STRINGS:
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > 256)
			return "expected an array of strings";
		cJSON_ArrayForEach(e, v)
			if (!cJSON_IsString(e) || strlen(e->valuestring) > 256)
				return "expected an array of strings";
		return NULL;
	case T_SECRET:
		/* references only: a value here would be a secret in the
		 * config, readable by every operator */
		if (cJSON_IsObject(v))
			return secretref_from_json(v, &r, &err) == -1 ? err :
			    NULL;
		if (!cJSON_IsString(v))
			return "expected a secret reference";
		if (secretref_looks_plaintext(v))
			return "a secret value where a reference belongs: "
			    "store it with `clawctl secrets set NAME' and use "
			    "{\"source\":\"vault\",\"id\":\"NAME\"}";
		return secretref_parse(v->valuestring, &r, &err) == -1 ? err :
		    NULL;
	case T_URL:
		if (!cJSON_IsString(v) || strlen(v->valuestring) > 512 ||
		    (strncmp(v->valuestring, "https://", 8) != 0 &&
		    strncmp(v->valuestring, "http://", 7) != 0) ||
		    strpbrk(v->valuestring, " \t\r\n@") != NULL)
			return "expected an http:// or https:// URL without "
			    "credentials";
		return NULL;
	case T_ENUM:
		if (!cJSON_IsString(v) || !in_choices(k->choices,
		    v->valuestring))
			return "not one of the allowed values";
		return NULL;
	case T_MODEL:
		if (!cJSON_IsString(v) || (slash = strchr(v->valuestring,
		    '/')) == NULL || slash == v->valuestring ||
		    slash[1] == '\0' || strlen(v->valuestring) > 200)
			return "expected \"provider/model\"";
		return NULL;
	case T_PATH:
		if (!cJSON_IsString(v) || v->valuestring[0] != '/' ||
		    strlen(v->valuestring) > 1024)
			return "expected an absolute path";
		return NULL;
	}
	return "unknown type";
}

/* "sha256:" and the hex of SHA-256 over key NUL value NUL ... */
static void
hash_txn(MDB_txn *t, char *out, size_t outsz)
{
	crypto_hash_sha256_state	 st;
	MDB_cursor			*cur;
	MDB_val				 k, v;
	unsigned char			 h[crypto_hash_sha256_BYTES];
	char				 hex[2 * sizeof(h) + 1];

	crypto_hash_sha256_init(&st);
	if (mdb_cursor_open(t, dbi, &cur) == 0) {
		while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
			crypto_hash_sha256_update(&st, k.mv_data, k.mv_size);
			crypto_hash_sha256_update(&st, (const unsigned char *)"",
			    1);
			crypto_hash_sha256_update(&st, v.mv_data, v.mv_size);
			crypto_hash_sha256_update(&st, (const unsigned char *)"",
			    1);
		}
		mdb_cursor_close(cur);
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, outsz, "sha256:%s", hex);
}

static cJSON *
fail(int *ok, const char *code, const char *msg, const char *key)
{
	cJSON	*e = cJSON_CreateObject(), *d;

	*ok = 0;
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	if (key != NULL) {
		d = cJSON_AddObjectToObject(e, "details");
		cJSON_AddStringToObject(d, "key", key);
	}
	return e;
}

/* put v under the dotted key in a nested object */
static void
nest(cJSON *root, const char *key, cJSON *v)
{
	char	 seg[72];
	size_t	 n;
	cJSON	*o = root, *next;

	for (;;) {
		n = strcspn(key, ".");
		snprintf(seg, sizeof(seg), "%.*s", (int)n, key);
		if (key[n] == '\0') {
			cJSON_DeleteItemFromObjectCaseSensitive(o, seg);
			cJSON_AddItemToObject(o, seg, v);
			return;
		}
		if ((next = cJSON_GetObjectItemCaseSensitive(o, seg)) == NULL ||
		    !cJSON_IsObject(next)) {
			cJSON_DeleteItemFromObjectCaseSensitive(o, seg);
			next = cJSON_AddObjectToObject(o, seg);
		}
		o = next;
		key += n + 1;
	}
}

/* every entry (under prefix, if any), nested or as a list */
static cJSON *
read_all(const char *prefix, int nested, char *hash, size_t hashsz)
{
	MDB_txn		*t;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	cJSON		*out, *val, *o;
	char		 key[KEY_MAX + 1];
	size_t		 plen = prefix ? strlen(prefix) : 0;

	out = nested ? cJSON_CreateObject() : cJSON_CreateArray();
	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &t) != 0)
		return out;
	hash_txn(t, hash, hashsz);
	if (mdb_cursor_open(t, dbi, &cur) == 0) {
		while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
			if (k.mv_size > KEY_MAX)
				continue;
			snprintf(key, sizeof(key), "%.*s", (int)k.mv_size,
			    (const char *)k.mv_data);
			if (plen && (strncmp(key, prefix, plen) != 0 ||
			    (key[plen] != '\0' && key[plen] != '.')))
				continue;
			val = cJSON_ParseWithLength(v.mv_data, v.mv_size);
			if (val == NULL) {
				log_warnx("config: the value of %s is corrupt; "
				    "left alone", key);
				val = cJSON_CreateObject();
				cJSON_AddStringToObject(val, "error",
				    "corrupt value");
			}
			if (nested)
				nest(out, key, val);
			else {
				o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "key", key);
				cJSON_AddItemToObject(o, "value", val);
				cJSON_AddItemToArray(out, o);
			}
		}
		mdb_cursor_close(cur);
	}
	mdb_txn_abort(t);
	return out;
}

static const char *
pstr(const cJSON *p, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(p, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

cJSON *
m_config_get(const struct capability *cap, const cJSON *params, int *ok)
{
	const char	*key = pstr(params, "key");
	char		 hash[80];
	cJSON		*o, *all, *it;

	(void)cap;
	o = cJSON_CreateObject();
	all = read_all(key, key == NULL, hash, sizeof(hash));
	if (key != NULL) {
		it = cJSON_GetArrayItem(all, 0);
		if (it == NULL || strcmp(pstr(it, "key"), key) != 0) {
			cJSON_Delete(all);
			cJSON_Delete(o);
			return fail(ok, "NOT_FOUND", "no such key", key);
		}
		cJSON_AddStringToObject(o, "key", key);
		cJSON_AddItemToObject(o, "value", cJSON_DetachItemFromObject(it,
		    "value"));
		cJSON_Delete(all);
	} else
		cJSON_AddItemToObject(o, "config", all);
	cJSON_AddStringToObject(o, "hash", hash);
	*ok = 1;
	return o;
}

cJSON *
m_config_list(const struct capability *cap, const cJSON *params, int *ok)
{
	char	 hash[80];
	cJSON	*o = cJSON_CreateObject();

	(void)cap;
	cJSON_AddItemToObject(o, "entries", read_all(pstr(params, "prefix"), 0,
	    hash, sizeof(hash)));
	cJSON_AddStringToObject(o, "hash", hash);
	*ok = 1;
	return o;
}

cJSON *
m_config_keys(const struct capability *cap, const cJSON *params, int *ok)
{
	cJSON	*arr = cJSON_CreateArray(), *o = cJSON_CreateObject();
	size_t	 i;

	(void)cap;
	(void)params;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(known[i].pattern));
	cJSON_AddItemToObject(o, "keys", arr);
	*ok = 1;
	return o;
}

/*
 * Apply changes (an object of key -> value, null to remove) in one
 * transaction, after checking every one and the base hash.
 */
static cJSON *
apply(const struct capability *cap, const cJSON *changes, const char *base,
    int replace, int *ok)
{
	const struct known	*k;
	const cJSON		*c;
	MDB_txn			*t;
	MDB_val			 key, val;
	char			 hash[80], *s;
	const char		*why;
	cJSON			*o, *done;
	int			 n = 0, r, dropped = 0;

	cJSON_ArrayForEach(c, changes) {
		if (++n > PATCH_MAX)
			return fail(ok, "INVALID_REQUEST", "too many keys in "
			    "one change", NULL);
		if ((why = key_check(c->string)) != NULL)
			return fail(ok, "INVALID_REQUEST", why, c->string);
		if (cJSON_IsNull(c))
			continue;
		k = lookup(c->string);
		if ((why = value_check(k, c)) != NULL)
			return fail(ok, "INVALID_REQUEST", why, c->string);
	}
	if (mdb_txn_begin(env, NULL, 0, &t) != 0)
		return fail(ok, "UNAVAILABLE", "config store unavailable",
		    NULL);
	hash_txn(t, hash, sizeof(hash));
	if (base != NULL && strcmp(base, hash) != 0) {
		mdb_txn_abort(t);
		o = fail(ok, "CONFLICT", "the configuration changed since "
		    "baseHash; read it again", NULL);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "current"),
		    "hash", hash);
		return o;
	}
	if (replace) {
		MDB_stat	 st;

		if (mdb_stat(t, dbi, &st) == 0)
			dropped = (int)st.ms_entries;
		if ((r = mdb_drop(t, dbi, 0)) != 0) {
			mdb_txn_abort(t);
			return fail(ok, "UNAVAILABLE", "config store error",
			    NULL);
		}
	}
	done = cJSON_CreateArray();
	cJSON_ArrayForEach(c, changes) {
		key.mv_data = c->string;
		key.mv_size = strlen(c->string);
		if (cJSON_IsNull(c)) {
			r = mdb_del(t, dbi, &key, NULL);
			if (r == 0)
				cJSON_AddItemToArray(done,
				    cJSON_CreateString(c->string));
			if (r == MDB_NOTFOUND)
				r = 0;	/* already absent: no change */
		} else {
			cJSON_AddItemToArray(done, cJSON_CreateString(
			    c->string));
			if ((s = cJSON_PrintUnformatted(c)) == NULL)
				fatalx("out of memory");
			val.mv_data = s;
			val.mv_size = strlen(s);
			r = val.mv_size > VALUE_MAX ? -1 : mdb_put(t, dbi, &key,
			    &val, 0);
			cJSON_free(s);
		}
		if (r != 0) {
			mdb_txn_abort(t);
			cJSON_Delete(done);
			return fail(ok, "INVALID_REQUEST", r == -1 ? "value "
			    "too long" : "config store error", c->string);
		}
	}
	hash_txn(t, hash, sizeof(hash));
	if (mdb_txn_commit(t) != 0) {
		cJSON_Delete(done);
		return fail(ok, "UNAVAILABLE", "could not store the change",
		    NULL);
	}
	if (replace) {
		char	 det[120];

		snprintf(det, sizeof(det), "%d keys replaced; %s", dropped,
		    hash);
		child_audit("config-replace", cap->principal, "config", "ok",
		    det);
	}
	n = 0;
	cJSON_ArrayForEach(c, changes) {
		const cJSON	*d;
		int		 hit = 0;

		cJSON_ArrayForEach(d, done)
			if (strcmp(d->valuestring, c->string) == 0)
				hit = 1;
		if (!hit)
			continue;
		n++;
		child_audit(cJSON_IsNull(c) ? "config-unset" : "config-set",
		    cap->principal, c->string, "ok", hash);
	}
	cJSON_Delete(done);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "changed", n);
	if (replace)
		cJSON_AddNumberToObject(o, "replaced", dropped);
	cJSON_AddStringToObject(o, "hash", hash);
	*ok = 1;
	return o;
}

cJSON *
m_config_set(const struct capability *cap, const cJSON *params, int *ok)
{
	const char	*key = pstr(params, "key");
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(params, "value");
	cJSON		*ch, *r;

	if (key == NULL || v == NULL || cJSON_IsNull(v))
		return fail(ok, "INVALID_REQUEST", "config.set needs key and "
		    "value", NULL);
	ch = cJSON_CreateObject();
	cJSON_AddItemToObject(ch, key, cJSON_Duplicate(v, 1));
	r = apply(cap, ch, pstr(params, "baseHash"), 0, ok);
	cJSON_Delete(ch);
	return r;
}

cJSON *
m_config_unset(const struct capability *cap, const cJSON *params, int *ok)
{
	const char	*key = pstr(params, "key");
	cJSON		*ch, *r;

	if (key == NULL)
		return fail(ok, "INVALID_REQUEST", "config.unset needs a key",
		    NULL);
	ch = cJSON_CreateObject();
	cJSON_AddNullToObject(ch, key);
	r = apply(cap, ch, pstr(params, "baseHash"), 0, ok);
	cJSON_Delete(ch);
	return r;
}

/* {"a":{"b":1}} -> {"a.b":1}; 0, or -1 if too deep or too large */
static int
flatten(const cJSON *o, const char *prefix, cJSON *out, int depth)
{
	const cJSON	*c;
	char		 key[KEY_MAX + 2];

	if (depth > DEPTH_MAX)
		return -1;
	cJSON_ArrayForEach(c, o) {
		if ((size_t)snprintf(key, sizeof(key), "%s%s%s", prefix,
		    *prefix ? "." : "", c->string) > KEY_MAX)
			return -1;
		/* objects nest, except a secret reference, which is a value */
		if (cJSON_IsObject(c) && !cJSON_HasObjectItem(c, "source")) {
			if (flatten(c, key, out, depth + 1) == -1)
				return -1;
		} else {
			if (cJSON_GetArraySize(out) >= PATCH_MAX)
				return -1;
			cJSON_AddItemToObject(out, key, cJSON_Duplicate(c, 1));
		}
	}
	return 0;
}

cJSON *
m_config_patch(const struct capability *cap, const cJSON *params, int *ok)
{
	const cJSON	*patch = cJSON_GetObjectItemCaseSensitive(params,
			    "patch");
	cJSON		*flat, *r;

	if (!cJSON_IsObject(patch))
		return fail(ok, "INVALID_REQUEST", "config.patch needs a patch "
		    "object", NULL);
	flat = cJSON_CreateObject();
	if (flatten(patch, "", flat, 0) == -1) {
		cJSON_Delete(flat);
		return fail(ok, "INVALID_REQUEST", "patch too deep or too "
		    "large", NULL);
	}
	r = apply(cap, flat, pstr(params, "baseHash"), 0, ok);
	cJSON_Delete(flat);
	return r;
}

cJSON *
m_config_import(const struct capability *cap, const cJSON *params, int *ok)
{
	const cJSON	*cfg = cJSON_GetObjectItemCaseSensitive(params,
			    "config");
	cJSON		*flat, *r;

	if (!cJSON_IsObject(cfg))
		return fail(ok, "INVALID_REQUEST", "config.import needs a "
		    "config object", NULL);
	flat = cJSON_CreateObject();
	if (flatten(cfg, "", flat, 0) == -1) {
		cJSON_Delete(flat);
		return fail(ok, "INVALID_REQUEST", "configuration too deep or "
		    "too large", NULL);
	}
	r = apply(cap, flat, pstr(params, "baseHash"), cJSON_IsTrue(
	    cJSON_GetObjectItemCaseSensitive(params, "replace")), ok);
	cJSON_Delete(flat);
	return r;
}

/* the value of one key (a copy: cJSON_Delete it), or NULL */
cJSON *
config_value(const char *key)
{
	MDB_txn	*t;
	MDB_val	 k, v;
	cJSON	*o = NULL;

	if (strlen(key) > KEY_MAX || mdb_txn_begin(env, NULL, MDB_RDONLY,
	    &t) != 0)
		return NULL;
	k.mv_data = (void *)key;
	k.mv_size = strlen(key);
	if (mdb_get(t, dbi, &k, &v) == 0)
		o = cJSON_ParseWithLength(v.mv_data, v.mv_size);
	mdb_txn_abort(t);
	return o;
}

/* the entries under a prefix: [{key, value}], a new array */
cJSON *
config_entries(const char *prefix)
{
	char	 hash[80];

	return read_all(prefix, 0, hash, sizeof(hash));
}
