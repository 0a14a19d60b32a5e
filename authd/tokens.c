/*
 * tokens.c - shared gateway tokens (trust zone "authd").  See tokens.h.
 *
 * A token is "cg_" and 43 characters of url-safe base64 (32 random
 * bytes).  The database maps HMAC-SHA256(key, token) to a typed record;
 * looking a token up by its keyed hash reveals nothing about other tokens
 * through timing, and a stolen database reveals no token.  A record that
 * does not decode is reported and left alone, never deleted.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "codec.h"
#include "log.h"
#include "state.h"
#include "tokens.h"

#define TOKEN_PREFIX	"cg_"
#define REC_VERSION	1

static MDB_env	*env;
static MDB_dbi	 dbi_tokens;
static uint8_t	 hkey[crypto_auth_hmacsha256_KEYBYTES];

void
tokens_init(MDB_env *e)
{
	MDB_txn	*t;
	int	 r;

	env = e;
	if ((r = mdb_txn_begin(env, NULL, 0, &t)) != 0)
		fatalx("tokens: %s", mdb_strerror(r));
	if ((r = mdb_dbi_open(t, "tokens", MDB_CREATE, &dbi_tokens)) != 0)
		fatalx("tokens: %s", mdb_strerror(r));
	state_key(t, "token-hmac-key", hkey, sizeof(hkey));
	if ((r = mdb_txn_commit(t)) != 0)
		fatalx("tokens: %s", mdb_strerror(r));
}

static void
token_hash(const uint8_t *tok, size_t len, uint8_t out[32])
{
	crypto_auth_hmacsha256(out, tok, len, hkey);
}

static int
rec_encode(const struct token_rec *rec, struct cbuf *cb)
{
	cb_put_u8(cb, REC_VERSION);
	cb_put_str(cb, rec->id);
	cb_put_str(cb, rec->name);
	cb_put_str(cb, rec->scopes);
	cb_put_u64(cb, rec->created);
	return cb->err ? -1 : 0;
}

static int
rec_decode(const MDB_val *v, struct token_rec *rec)
{
	struct cbuf	 cb;
	uint8_t		 ver;

	memset(rec, 0, sizeof(*rec));
	cb_view(&cb, v->mv_data, v->mv_size);
	cb_get_u8(&cb, &ver);
	cb_get_str(&cb, rec->id, sizeof(rec->id));
	cb_get_str(&cb, rec->name, sizeof(rec->name));
	cb_get_str(&cb, rec->scopes, sizeof(rec->scopes));
	cb_get_u64(&cb, &rec->created);
	if (cb_get_end(&cb) == -1 || ver != REC_VERSION)
		return -1;
	return 0;
}

int
tokens_create(const char *name, const char *scopes, uint64_t now, char *out,
    size_t outsz, struct token_rec *rec)
{
	uint8_t		 raw[32], h[32], idb[4];
	struct cbuf	 cb;
	MDB_txn		*t;
	MDB_val		 k, v;
	char		 b64[64];
	int		 r;

	if (outsz < sizeof(TOKEN_PREFIX) + 44)
		return -1;
	memset(rec, 0, sizeof(*rec));
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	snprintf(out, outsz, "%s%s", TOKEN_PREFIX, b64);
	sodium_memzero(b64, sizeof(b64));
	randombytes_buf(idb, sizeof(idb));
	snprintf(rec->id, sizeof(rec->id), "tok_%02x%02x%02x%02x", idb[0],
	    idb[1], idb[2], idb[3]);
	snprintf(rec->name, sizeof(rec->name), "%s", name);
	snprintf(rec->scopes, sizeof(rec->scopes), "%s", scopes);
	rec->created = now;
	token_hash((const uint8_t *)out, strlen(out), h);

	cb_init(&cb);
	if (rec_encode(rec, &cb) == -1) {
		cb_free(&cb);
		return -1;
	}
	if ((r = mdb_txn_begin(env, NULL, 0, &t)) != 0) {
		log_warnx("tokens: %s", mdb_strerror(r));
		cb_free(&cb);
		return -1;
	}
	k.mv_data = h;
	k.mv_size = sizeof(h);
	v.mv_data = cb.data;
	v.mv_size = cb.len;
	r = mdb_put(t, dbi_tokens, &k, &v, MDB_NOOVERWRITE);
	cb_free(&cb);
	if (r != 0 || (r = mdb_txn_commit(t)) != 0) {
		if (r != 0)
			log_warnx("tokens: %s", mdb_strerror(r));
		mdb_txn_abort(t);
		return -1;
	}
	return 0;
}

int
tokens_verify(const uint8_t *tok, size_t len, struct token_rec *rec)
{
	uint8_t		 h[32];
	MDB_txn		*t;
	MDB_val		 k, v;
	int		 r, found = 0;

	if (len == 0 || len > TOKEN_MAXLEN)
		return 0;
	token_hash(tok, len, h);
	if ((r = mdb_txn_begin(env, NULL, MDB_RDONLY, &t)) != 0) {
		log_warnx("tokens: %s", mdb_strerror(r));
		return -1;
	}
	k.mv_data = h;
	k.mv_size = sizeof(h);
	r = mdb_get(t, dbi_tokens, &k, &v);
	if (r == 0) {
		if (rec_decode(&v, rec) == 0)
			found = 1;
		else {
			log_warnx("tokens: corrupt record; refusing the token");
			found = -1;
		}
	} else if (r != MDB_NOTFOUND) {
		log_warnx("tokens: %s", mdb_strerror(r));
		found = -1;
	}
	mdb_txn_abort(t);
	return found;
}

cJSON *
tokens_list(void)
{
	struct token_rec	 rec;
	MDB_txn			*t;
	MDB_cursor		*cur;
	MDB_val			 k, v;
	cJSON			*arr, *o;
	int			 r;

	if ((arr = cJSON_CreateArray()) == NULL)
		return NULL;
	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &t) != 0)
		return arr;
	if (mdb_cursor_open(t, dbi_tokens, &cur) != 0) {
		mdb_txn_abort(t);
		return arr;
	}
	for (r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
	    r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if ((o = cJSON_CreateObject()) == NULL)
			break;
		if (rec_decode(&v, &rec) == -1) {
			cJSON_AddStringToObject(o, "id", "?");
			cJSON_AddStringToObject(o, "error", "corrupt record");
		} else {
			cJSON_AddStringToObject(o, "id", rec.id);
			cJSON_AddStringToObject(o, "name", rec.name);
			cJSON_AddStringToObject(o, "scopes", rec.scopes);
			cJSON_AddNumberToObject(o, "created",
			    (double)rec.created);
		}
		cJSON_AddItemToArray(arr, o);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(t);
	return arr;
}

int
tokens_revoke(const char *which)
{
	struct token_rec	 rec;
	MDB_txn			*t;
	MDB_cursor		*cur;
	MDB_val			 k, v;
	int			 r, n = 0;

	if (which[0] == '\0')
		return 0;
	if ((r = mdb_txn_begin(env, NULL, 0, &t)) != 0)
		return -1;
	if (mdb_cursor_open(t, dbi_tokens, &cur) != 0) {
		mdb_txn_abort(t);
		return -1;
	}
	for (r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
	    r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (rec_decode(&v, &rec) == -1)
			continue;
		if (strcmp(rec.id, which) != 0 && strcmp(rec.name, which) != 0)
			continue;
		if (mdb_cursor_del(cur, 0) != 0) {
			mdb_cursor_close(cur);
			mdb_txn_abort(t);
			return -1;
		}
		n++;
	}
	mdb_cursor_close(cur);
	if (mdb_txn_commit(t) != 0)
		return -1;
	return n;
}
