/*
 * pairing.c - paired devices and pending pairing requests (trust zone
 * "authd").  See pairing.h.
 *
 * A device whose proof verified and whose credential is good is either
 * paired (its record pins the public key, the role and the approved
 * scopes) or becomes a pending request that an operator with
 * operator.pairing approves or rejects.  Asking for another role or for
 * scopes beyond the approved ones makes a pending upgrade request and
 * grants nothing.  Loopback auto-approval is a configuration option, off
 * by default.  Records are typed and versioned; one that does not decode
 * is reported and left alone, never overwritten.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "authd.h"
#include "codec.h"
#include "log.h"
#include "pairing.h"
#include "scopes.h"
#include "state.h"
#include "uuid.h"

#define DEV_VERSION	1
#define REQ_VERSION	1
#define TOKEN_PREFIX	"cgd_"

struct dev_rec {
	char		id[80];
	char		public_key[96];
	char		role[16];
	char		scopes[256];
	char		display_name[64];
	char		platform[64];
	char		client_id[64];
	char		client_mode[32];
	uint64_t	created_ms;
	uint64_t	approved_ms;
	char		approved_via[16];
	char		approved_by[128];
	uint32_t	token_gen;
	uint8_t		token_revoked;
	uint64_t	token_ms;	/* issued or rotated */
};

struct req_rec {
	char		id[40];
	char		device_id[80];
	char		public_key[96];
	char		role[16];
	char		scopes[256];
	char		display_name[64];
	char		platform[64];
	char		client_id[64];
	char		client_mode[32];
	uint8_t		is_repair;
	uint64_t	ts_ms;
};

static MDB_env	*env;
static MDB_dbi	 dbi_dev, dbi_req;
static uint8_t	 tkey[crypto_auth_hmacsha256_KEYBYTES];
static int	 auto_local;

void
pairing_init(MDB_env *e)
{
	MDB_txn	*t;
	int	 r;

	env = e;
	if ((r = mdb_txn_begin(env, NULL, 0, &t)) != 0)
		fatalx("pairing: %s", mdb_strerror(r));
	if ((r = mdb_dbi_open(t, "devices", MDB_CREATE, &dbi_dev)) != 0 ||
	    (r = mdb_dbi_open(t, "pairing-requests", MDB_CREATE,
	    &dbi_req)) != 0)
		fatalx("pairing: %s", mdb_strerror(r));
	state_key(t, "device-token-key", tkey, sizeof(tkey));
	if ((r = mdb_txn_commit(t)) != 0)
		fatalx("pairing: %s", mdb_strerror(r));
}

void
pairing_config(const struct kv *kv)
{
	auto_local = kv_getnum(kv, "pair-auto-local", 1) == 1;
}

static void
dev_encode(const struct dev_rec *d, struct cbuf *cb)
{
	cb_put_u8(cb, DEV_VERSION);
	cb_put_str(cb, d->id);
	cb_put_str(cb, d->public_key);
	cb_put_str(cb, d->role);
	cb_put_str(cb, d->scopes);
	cb_put_str(cb, d->display_name);
	cb_put_str(cb, d->platform);
	cb_put_str(cb, d->client_id);
	cb_put_str(cb, d->client_mode);
	cb_put_u64(cb, d->created_ms);
	cb_put_u64(cb, d->approved_ms);
	cb_put_str(cb, d->approved_via);
	cb_put_str(cb, d->approved_by);
	cb_put_u32(cb, d->token_gen);
	cb_put_u8(cb, d->token_revoked);
	cb_put_u64(cb, d->token_ms);
}

static int
dev_decode(const MDB_val *v, struct dev_rec *d)
{
	struct cbuf	 cb;
	uint8_t		 ver;

	memset(d, 0, sizeof(*d));
	cb_view(&cb, v->mv_data, v->mv_size);
	cb_get_u8(&cb, &ver);
	cb_get_str(&cb, d->id, sizeof(d->id));
	cb_get_str(&cb, d->public_key, sizeof(d->public_key));
	cb_get_str(&cb, d->role, sizeof(d->role));
	cb_get_str(&cb, d->scopes, sizeof(d->scopes));
	cb_get_str(&cb, d->display_name, sizeof(d->display_name));
	cb_get_str(&cb, d->platform, sizeof(d->platform));
	cb_get_str(&cb, d->client_id, sizeof(d->client_id));
	cb_get_str(&cb, d->client_mode, sizeof(d->client_mode));
	cb_get_u64(&cb, &d->created_ms);
	cb_get_u64(&cb, &d->approved_ms);
	cb_get_str(&cb, d->approved_via, sizeof(d->approved_via));
	cb_get_str(&cb, d->approved_by, sizeof(d->approved_by));
	cb_get_u32(&cb, &d->token_gen);
	cb_get_u8(&cb, &d->token_revoked);
	cb_get_u64(&cb, &d->token_ms);
	if (cb_get_end(&cb) == -1 || ver != DEV_VERSION ||
	    d->token_revoked > 1)
		return -1;
	return 0;
}

static void
req_encode(const struct req_rec *q, struct cbuf *cb)
{
	cb_put_u8(cb, REQ_VERSION);
	cb_put_str(cb, q->id);
	cb_put_str(cb, q->device_id);
	cb_put_str(cb, q->public_key);
	cb_put_str(cb, q->role);
	cb_put_str(cb, q->scopes);
	cb_put_str(cb, q->display_name);
	cb_put_str(cb, q->platform);
	cb_put_str(cb, q->client_id);
	cb_put_str(cb, q->client_mode);
	cb_put_u8(cb, q->is_repair);
	cb_put_u64(cb, q->ts_ms);
}

static int
req_decode(const MDB_val *v, struct req_rec *q)
{
	struct cbuf	 cb;
	uint8_t		 ver;

	memset(q, 0, sizeof(*q));
	cb_view(&cb, v->mv_data, v->mv_size);
	cb_get_u8(&cb, &ver);
	cb_get_str(&cb, q->id, sizeof(q->id));
	cb_get_str(&cb, q->device_id, sizeof(q->device_id));
	cb_get_str(&cb, q->public_key, sizeof(q->public_key));
	cb_get_str(&cb, q->role, sizeof(q->role));
	cb_get_str(&cb, q->scopes, sizeof(q->scopes));
	cb_get_str(&cb, q->display_name, sizeof(q->display_name));
	cb_get_str(&cb, q->platform, sizeof(q->platform));
	cb_get_str(&cb, q->client_id, sizeof(q->client_id));
	cb_get_str(&cb, q->client_mode, sizeof(q->client_mode));
	cb_get_u8(&cb, &q->is_repair);
	cb_get_u64(&cb, &q->ts_ms);
	if (cb_get_end(&cb) == -1 || ver != REQ_VERSION || q->is_repair > 1)
		return -1;
	return 0;
}

/* "cgd_" + base64url(HMAC(key, "v1|id|role|gen")) */
static void
dev_token(const struct dev_rec *d, char *out, size_t outsz)
{
	uint8_t	 mac[crypto_auth_hmacsha256_BYTES];
	char	 in[160], b64[48];
	int	 n;

	n = snprintf(in, sizeof(in), "v1|%s|%s|%u", d->id, d->role,
	    d->token_gen);
	crypto_auth_hmacsha256(mac, (const uint8_t *)in, (size_t)n, tkey);
	sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, outsz, "%s%s", TOKEN_PREFIX, b64);
	sodium_memzero(mac, sizeof(mac));
	sodium_memzero(b64, sizeof(b64));
}

static int
dev_token_ok(const struct dev_rec *d, const char *tok)
{
	char	 want[PAIR_TOKEN_LEN];
	size_t	 n = strlen(tok);
	int	 ok;

	if (d->token_revoked)
		return 0;
	dev_token(d, want, sizeof(want));
	ok = n == strlen(want) && sodium_memcmp(want, tok, n) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}

/* 1 found, 0 absent, -1 error or corrupt */
static int
dev_get(MDB_txn *t, const char *id, struct dev_rec *d)
{
	MDB_val	 k, v;
	int	 r;

	k.mv_data = (void *)id;
	k.mv_size = strlen(id);
	if ((r = mdb_get(t, dbi_dev, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (r != 0) {
		log_warnx("pairing: %s", mdb_strerror(r));
		return -1;
	}
	if (dev_decode(&v, d) == -1 || strcmp(d->id, id) != 0) {
		log_warnx("pairing: the record of device %.16s is corrupt; "
		    "left alone", id);
		return -1;
	}
	return 1;
}

static int
dev_put(MDB_txn *t, const struct dev_rec *d)
{
	struct cbuf	 cb;
	MDB_val		 k, v;
	int		 r;

	cb_init(&cb);
	dev_encode(d, &cb);
	k.mv_data = (void *)d->id;
	k.mv_size = strlen(d->id);
	v.mv_data = cb.data;
	v.mv_size = cb.len;
	r = cb.err ? -1 : mdb_put(t, dbi_dev, &k, &v, 0);
	cb_free(&cb);
	if (r != 0)
		log_warnx("pairing: cannot store device: %s", r == -1 ?
		    "encoding" : mdb_strerror(r));
	return r == 0 ? 0 : -1;
}

static int
req_put(MDB_txn *t, const struct req_rec *q)
{
	struct cbuf	 cb;
	MDB_val		 k, v;
	int		 r;

	cb_init(&cb);
	req_encode(q, &cb);
	k.mv_data = (void *)q->id;
	k.mv_size = strlen(q->id);
	v.mv_data = cb.data;
	v.mv_size = cb.len;
	r = cb.err ? -1 : mdb_put(t, dbi_req, &k, &v, 0);
	cb_free(&cb);
	return r == 0 ? 0 : -1;
}

static void
add_scopes(cJSON *o, const char *k, const char *list)
{
	cJSON		*arr = cJSON_AddArrayToObject(o, k);
	char		 w[64];
	size_t		 n;

	while (*list != '\0') {
		while (*list == ' ')
			list++;
		n = strcspn(list, " ");
		if (n > 0 && n < sizeof(w)) {
			memcpy(w, list, n);
			w[n] = '\0';
			cJSON_AddItemToArray(arr, cJSON_CreateString(w));
		}
		list += n;
	}
}

static cJSON *
req_json(const struct req_rec *q)
{
	cJSON	*o = cJSON_CreateObject(), *roles;

	cJSON_AddStringToObject(o, "requestId", q->id);
	cJSON_AddStringToObject(o, "deviceId", q->device_id);
	cJSON_AddStringToObject(o, "publicKey", q->public_key);
	cJSON_AddStringToObject(o, "displayName", q->display_name);
	cJSON_AddStringToObject(o, "platform", q->platform);
	cJSON_AddStringToObject(o, "clientId", q->client_id);
	cJSON_AddStringToObject(o, "clientMode", q->client_mode);
	cJSON_AddStringToObject(o, "role", q->role);
	roles = cJSON_AddArrayToObject(o, "roles");
	cJSON_AddItemToArray(roles, cJSON_CreateString(q->role));
	add_scopes(o, "scopes", q->scopes);
	cJSON_AddBoolToObject(o, "silent", 0);
	cJSON_AddBoolToObject(o, "isRepair", q->is_repair);
	cJSON_AddNumberToObject(o, "ts", (double)q->ts_ms);
	return o;
}

static cJSON *
dev_json(const struct dev_rec *d)
{
	cJSON	*o = cJSON_CreateObject(), *arr, *t;

	cJSON_AddStringToObject(o, "deviceId", d->id);
	cJSON_AddStringToObject(o, "publicKey", d->public_key);
	cJSON_AddStringToObject(o, "displayName", d->display_name);
	cJSON_AddStringToObject(o, "platform", d->platform);
	cJSON_AddStringToObject(o, "clientId", d->client_id);
	cJSON_AddStringToObject(o, "clientMode", d->client_mode);
	cJSON_AddStringToObject(o, "role", d->role);
	arr = cJSON_AddArrayToObject(o, "roles");
	cJSON_AddItemToArray(arr, cJSON_CreateString(d->role));
	add_scopes(o, "scopes", d->scopes);
	cJSON_AddNumberToObject(o, "createdAtMs", (double)d->created_ms);
	cJSON_AddNumberToObject(o, "approvedAtMs", (double)d->approved_ms);
	cJSON_AddStringToObject(o, "approvedVia", d->approved_via);
	arr = cJSON_AddArrayToObject(o, "tokens");
	t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "role", d->role);
	cJSON_AddNumberToObject(t, d->token_revoked ? "revokedAtMs" :
	    "issuedAtMs", (double)d->token_ms);
	cJSON_AddItemToArray(arr, t);
	return o;
}

/*
 * The pending request of a device for (role, scopes): an existing one
 * for the same ask is kept; another ask of the same device replaces it;
 * expired requests go.  *created says whether it is new.
 */
static int
req_upsert(MDB_txn *t, const struct pair_in *in, const char *scopes,
    int is_repair, struct req_rec *out, int *created)
{
	struct req_rec	 q;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	int		 r, n = 0, found = 0;

	*created = 0;
	if (mdb_cursor_open(t, dbi_req, &cur) != 0)
		return PAIR_ERROR;
	for (r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
	    r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (req_decode(&v, &q) == -1) {
			n++;	/* counted, left alone */
			continue;
		}
		if (q.ts_ms + PAIR_TTL_MS < in->now_ms) {
			mdb_cursor_del(cur, 0);
			continue;
		}
		if (strcmp(q.device_id, in->device_id) == 0) {
			if (!found && strcmp(q.role, in->role) == 0 &&
			    strcmp(q.scopes, scopes) == 0) {
				*out = q;
				found = 1;
				continue;
			}
			mdb_cursor_del(cur, 0);
			continue;
		}
		n++;
	}
	mdb_cursor_close(cur);
	if (found)
		return PAIR_PENDING;
	if (n >= PAIR_MAX_PENDING)
		return PAIR_FULL;
	memset(&q, 0, sizeof(q));
	uuid_v4(q.id, sizeof(q.id));
	snprintf(q.device_id, sizeof(q.device_id), "%s", in->device_id);
	snprintf(q.public_key, sizeof(q.public_key), "%s", in->public_key);
	snprintf(q.role, sizeof(q.role), "%s", in->role);
	snprintf(q.scopes, sizeof(q.scopes), "%s", scopes);
	snprintf(q.display_name, sizeof(q.display_name), "%s",
	    in->display_name);
	snprintf(q.platform, sizeof(q.platform), "%s", in->platform);
	snprintf(q.client_id, sizeof(q.client_id), "%s", in->client_id);
	snprintf(q.client_mode, sizeof(q.client_mode), "%s", in->client_mode);
	q.is_repair = (uint8_t)is_repair;
	q.ts_ms = in->now_ms;
	if (req_put(t, &q) == -1)
		return PAIR_ERROR;
	*out = q;
	*created = 1;
	return PAIR_PENDING;
}

static int
commit(MDB_txn *t)
{
	int	 r;

	if ((r = mdb_txn_commit(t)) != 0) {
		log_warnx("pairing: commit: %s", mdb_strerror(r));
		return -1;
	}
	return 0;
}

static int
pend(MDB_txn *t, const struct pair_in *in, const char *scopes, int repair,
    const char *reason, struct pair_out *out)
{
	struct req_rec	 q;
	int		 r, created;
	cJSON		*ev;

	r = req_upsert(t, in, scopes, repair, &q, &created);
	if (r != PAIR_PENDING) {
		mdb_txn_abort(t);
		return r;
	}
	if (commit(t) == -1)
		return PAIR_ERROR;
	snprintf(out->request_id, sizeof(out->request_id), "%s", q.id);
	out->reason = reason;
	if (created) {
		child_audit("pair-request", in->device_id, q.id, "pending",
		    reason);
		if ((ev = req_json(&q)) != NULL)
			authd_event("device.pair.requested", "operator.pairing",
			    ev);
	}
	return PAIR_PENDING;
}

/* what a paired device gets: what it asked for (or all approved), within
 * the credential, and its token */
static void
granted(const struct pair_in *in, const struct dev_rec *d,
    struct pair_out *out)
{
	char	 want[256];

	scope_intersect(in->want[0] ? in->want : "*", d->scopes, want,
	    sizeof(want));
	if (in->ceiling != NULL)
		scope_intersect(want, in->ceiling, out->scopes,
		    sizeof(out->scopes));
	else
		snprintf(out->scopes, sizeof(out->scopes), "%s", want);
	snprintf(out->role, sizeof(out->role), "%s", d->role);
	dev_token(d, out->token, sizeof(out->token));
}

int
pairing_connect(const struct pair_in *in, struct pair_out *out)
{
	struct dev_rec	 d;
	MDB_txn		*t;
	int		 r, dirty = 0;

	memset(out, 0, sizeof(*out));
	/* the common case, a paired device asking within its approval,
	 * needs no write: readers do not wait for LMDB's writer lock */
	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &t) != 0)
		return PAIR_ERROR;
	r = dev_get(t, in->device_id, &d);
	mdb_txn_abort(t);
	if (r == 1 && strcmp(d.role, in->role) == 0 &&
	    scope_subset(in->want, d.scopes) &&
	    !(d.token_revoked && in->device_token == NULL)) {
		if (in->device_token != NULL &&
		    !dev_token_ok(&d, in->device_token))
			return PAIR_TOKEN_MISMATCH;
		granted(in, &d, out);
		return PAIR_OK;
	}
	if (mdb_txn_begin(env, NULL, 0, &t) != 0)
		return PAIR_ERROR;
	if ((r = dev_get(t, in->device_id, &d)) == -1) {
		mdb_txn_abort(t);
		return PAIR_ERROR;
	}
	if (in->device_token != NULL && (r == 0 ||
	    strcmp(d.role, in->role) != 0 ||
	    !dev_token_ok(&d, in->device_token))) {
		mdb_txn_abort(t);
		return PAIR_TOKEN_MISMATCH;
	}
	if (r == 0) {
		if (!(auto_local && in->local))
			return pend(t, in, in->want, 0, "not-paired", out);
		/* the operator chose silent pairing of loopback devices */
		memset(&d, 0, sizeof(d));
		snprintf(d.id, sizeof(d.id), "%s", in->device_id);
		snprintf(d.public_key, sizeof(d.public_key), "%s",
		    in->public_key);
		snprintf(d.role, sizeof(d.role), "%s", in->role);
		scope_intersect(in->want[0] ? in->want : "*",
		    in->ceiling ? in->ceiling : "", d.scopes,
		    sizeof(d.scopes));
		snprintf(d.display_name, sizeof(d.display_name), "%s",
		    in->display_name);
		snprintf(d.platform, sizeof(d.platform), "%s", in->platform);
		snprintf(d.client_id, sizeof(d.client_id), "%s",
		    in->client_id);
		snprintf(d.client_mode, sizeof(d.client_mode), "%s",
		    in->client_mode);
		d.created_ms = d.approved_ms = d.token_ms = in->now_ms;
		snprintf(d.approved_via, sizeof(d.approved_via), "silent");
		snprintf(d.approved_by, sizeof(d.approved_by), "loopback");
		d.token_gen = 1;
		dirty = 1;
		out->silent = 1;
		child_audit("pair-approve", "loopback", d.id, "ok", "silent");
	}
	if (strcmp(d.role, in->role) != 0)
		return pend(t, in, in->want, 1, "role-upgrade", out);
	if (!scope_subset(in->want, d.scopes))
		return pend(t, in, in->want, 1, "scope-upgrade", out);
	if (d.token_revoked && in->device_token == NULL) {
		/* a revoked token is replaced on a shared-token connect */
		d.token_revoked = 0;
		d.token_ms = in->now_ms;
		dirty = 1;
	}
	if (dirty) {
		if (dev_put(t, &d) == -1) {
			mdb_txn_abort(t);
			return PAIR_ERROR;
		}
		if (commit(t) == -1)
			return PAIR_ERROR;
	} else
		mdb_txn_abort(t);
	granted(in, &d, out);
	return PAIR_OK;
}

/* ---------------------------------------------------------------- methods */

static const char *
pstr(const cJSON *params, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(params, k);

	return cJSON_IsString(v) && strlen(v->valuestring) < 128 ?
	    v->valuestring : NULL;
}

static cJSON *
err(int *ok, const char *code, const char *msg, const char *detail)
{
	cJSON	*e = cJSON_CreateObject(), *d;

	*ok = 0;
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	if (detail != NULL) {
		d = cJSON_AddObjectToObject(e, "details");
		cJSON_AddStringToObject(d, "code", detail);
	}
	return e;
}

static cJSON *
missing_scope(int *ok, const char *scope)
{
	char	 msg[96];
	cJSON	*e, *d, *arr;

	snprintf(msg, sizeof(msg), "missing scope: %s", scope);
	e = err(ok, "FORBIDDEN", msg, "MISSING_SCOPE");
	d = cJSON_GetObjectItem(e, "details");
	cJSON_AddStringToObject(d, "missingScope", scope);
	arr = cJSON_AddArrayToObject(d, "requiredScopes");
	cJSON_AddItemToArray(arr, cJSON_CreateString(scope));
	return e;
}

static cJSON *
list_all(int *ok, uint64_t now)
{
	struct dev_rec	 d;
	struct req_rec	 q;
	MDB_txn		*t;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	cJSON		*o, *pending, *paired;
	int		 r;

	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &t) != 0)
		return err(ok, "UNAVAILABLE", "pairing store unavailable",
		    NULL);
	o = cJSON_CreateObject();
	pending = cJSON_AddArrayToObject(o, "pending");
	paired = cJSON_AddArrayToObject(o, "paired");
	if (mdb_cursor_open(t, dbi_req, &cur) == 0) {
		for (r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
		    r = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
			if (req_decode(&v, &q) == 0 &&
			    q.ts_ms + PAIR_TTL_MS >= now)
				cJSON_AddItemToArray(pending, req_json(&q));
		mdb_cursor_close(cur);
	}
	if (mdb_cursor_open(t, dbi_dev, &cur) == 0) {
		for (r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
		    r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (dev_decode(&v, &d) == 0)
				cJSON_AddItemToArray(paired, dev_json(&d));
			else {
				cJSON	*c = cJSON_CreateObject();

				cJSON_AddStringToObject(c, "error",
				    "corrupt record");
				cJSON_AddItemToArray(paired, c);
			}
		}
		mdb_cursor_close(cur);
	}
	mdb_txn_abort(t);
	*ok = 1;
	return o;
}

/* 1 found, 0 absent or expired, -1 error */
/* is the word w (n bytes) one of the space-separated words of list? */
static int
has_word(const char *list, const char *w, size_t n)
{
	size_t	 m;

	while (*list != '\0') {
		while (*list == ' ')
			list++;
		m = strcspn(list, " ");
		if (m == n && m > 0 && strncmp(list, w, n) == 0)
			return 1;
		list += m;
	}
	return 0;
}

/* the words of a, then those of b that a lacks */
static void
scope_union(const char *a, const char *b, char *out, size_t outsz)
{
	size_t	 n, len;

	len = (size_t)snprintf(out, outsz, "%s", a);
	while (*b != '\0') {
		while (*b == ' ')
			b++;
		n = strcspn(b, " ");
		if (n > 0 && !has_word(a, b, n) && len < outsz)
			len += (size_t)snprintf(out + len, outsz - len,
			    "%s%.*s", len ? " " : "", (int)n, b);
		b += n;
	}
}

static int
req_take(MDB_txn *t, const char *id, uint64_t now, struct req_rec *q)
{
	MDB_val	 k, v;
	int	 r;

	k.mv_data = (void *)id;
	k.mv_size = strlen(id);
	if ((r = mdb_get(t, dbi_req, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (r != 0 || req_decode(&v, q) == -1)
		return -1;
	if (mdb_del(t, dbi_req, &k, NULL) != 0)
		return -1;
	return q->ts_ms + PAIR_TTL_MS >= now ? 1 : 0;
}

static void
resolved(const struct req_rec *q, const char *decision, uint64_t now)
{
	cJSON	*ev = cJSON_CreateObject();

	cJSON_AddStringToObject(ev, "requestId", q->id);
	cJSON_AddStringToObject(ev, "deviceId", q->device_id);
	cJSON_AddStringToObject(ev, "decision", decision);
	cJSON_AddNumberToObject(ev, "ts", (double)now);
	authd_event("device.pair.resolved", "operator.pairing", ev);
}

static cJSON *
approve(const struct capability *cap, const cJSON *params, uint64_t now,
    int *ok)
{
	struct req_rec	 q;
	struct dev_rec	 d;
	MDB_txn		*t;
	const char	*id = pstr(params, "requestId");
	char		 scopes[512];
	int		 r;
	cJSON		*o, *arr, *tk;

	if (id == NULL)
		return err(ok, "INVALID_REQUEST", "requestId required", NULL);
	if (mdb_txn_begin(env, NULL, 0, &t) != 0)
		return err(ok, "UNAVAILABLE", "pairing store unavailable",
		    NULL);
	if ((r = req_take(t, id, now, &q)) != 1) {
		if (r == 0)
			commit(t);	/* an expired one goes */
		else
			mdb_txn_abort(t);
		return err(ok, "INVALID_REQUEST", r == 0 ? "unknown or expired "
		    "pairing request" : "pairing store error", NULL);
	}
	/* approving a role other than operator takes admin; an approver
	 * grants only scopes it holds */
	if (strcmp(q.role, "operator") != 0 &&
	    !scope_granted(cap, "operator.admin")) {
		mdb_txn_abort(t);
		return missing_scope(ok, "operator.admin");
	}
	if (!scope_subset(q.scopes, cap->scopes)) {
		mdb_txn_abort(t);
		return err(ok, "FORBIDDEN", "the request asks for scopes the "
		    "approver does not hold", "MISSING_SCOPE");
	}
	if ((r = dev_get(t, q.device_id, &d)) == -1) {
		mdb_txn_abort(t);
		return err(ok, "UNAVAILABLE", "the device's record is corrupt",
		    NULL);
	}
	if (r == 0) {
		memset(&d, 0, sizeof(d));
		snprintf(d.id, sizeof(d.id), "%s", q.device_id);
		snprintf(d.public_key, sizeof(d.public_key), "%s",
		    q.public_key);
		d.created_ms = now;
		d.token_gen = 1;
		d.token_ms = now;
		snprintf(scopes, sizeof(scopes), "%s", q.scopes);
	} else if (strcmp(d.role, q.role) != 0) {
		/* a new role: the token of the old one ends */
		d.token_gen++;
		d.token_ms = now;
		snprintf(scopes, sizeof(scopes), "%s", q.scopes);
	} else
		/* an upgrade adds to what was approved */
		scope_union(d.scopes, q.scopes, scopes, sizeof(scopes));
	snprintf(d.role, sizeof(d.role), "%s", q.role);
	if (strlen(scopes) >= sizeof(d.scopes)) {
		mdb_txn_abort(t);
		return err(ok, "INVALID_REQUEST", "too many scopes", NULL);
	}
	snprintf(d.scopes, sizeof(d.scopes), "%s", scopes);
	snprintf(d.display_name, sizeof(d.display_name), "%s",
	    q.display_name);
	snprintf(d.platform, sizeof(d.platform), "%s", q.platform);
	snprintf(d.client_id, sizeof(d.client_id), "%s", q.client_id);
	snprintf(d.client_mode, sizeof(d.client_mode), "%s", q.client_mode);
	d.approved_ms = now;
	snprintf(d.approved_via, sizeof(d.approved_via), "owner");
	snprintf(d.approved_by, sizeof(d.approved_by), "%s", cap->principal);
	if (dev_put(t, &d) == -1) {
		mdb_txn_abort(t);
		return err(ok, "UNAVAILABLE", "could not store the device",
		    NULL);
	}
	if (commit(t) == -1)
		return err(ok, "UNAVAILABLE", "could not store the device",
		    NULL);
	child_audit("pair-approve", cap->principal, d.id, "ok", d.scopes);
	resolved(&q, "approved", now);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "requestId", q.id);
	cJSON_AddStringToObject(o, "deviceId", d.id);
	cJSON_AddStringToObject(o, "approvedVia", "owner");
	cJSON_AddItemToObject(o, "device", dev_json(&d));
	arr = cJSON_AddArrayToObject(o, "tokens");
	tk = cJSON_CreateObject();
	cJSON_AddStringToObject(tk, "role", d.role);
	cJSON_AddItemToArray(arr, tk);
	*ok = 1;
	return o;
}

static cJSON *
reject(const struct capability *cap, const cJSON *params, uint64_t now,
    int *ok)
{
	struct req_rec	 q;
	MDB_txn		*t;
	const char	*id = pstr(params, "requestId");
	int		 r;
	cJSON		*o;

	if (id == NULL)
		return err(ok, "INVALID_REQUEST", "requestId required", NULL);
	if (mdb_txn_begin(env, NULL, 0, &t) != 0)
		return err(ok, "UNAVAILABLE", "pairing store unavailable",
		    NULL);
	if ((r = req_take(t, id, now, &q)) == -1) {
		mdb_txn_abort(t);
		return err(ok, "UNAVAILABLE", "pairing store error", NULL);
	}
	if (commit(t) == -1)
		return err(ok, "UNAVAILABLE", "pairing store error", NULL);
	if (r == 0)
		return err(ok, "INVALID_REQUEST", "unknown or expired pairing "
		    "request", NULL);
	child_audit("pair-reject", cap->principal, q.device_id, "ok", q.id);
	resolved(&q, "rejected", now);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "requestId", q.id);
	cJSON_AddStringToObject(o, "deviceId", q.device_id);
	*ok = 1;
	return o;
}

/* remove, token.rotate, token.revoke: on one device */
static cJSON *
on_device(const struct capability *cap, const char *method,
    const cJSON *params, uint64_t now, int *ok)
{
	struct dev_rec	 d;
	MDB_txn		*t;
	MDB_val		 k;
	const char	*id = pstr(params, "deviceId"), *role;
	char		 me[160], tok[PAIR_TOKEN_LEN], principal[128];
	int		 r, is_self;
	cJSON		*o;

	if (id == NULL)
		return err(ok, "INVALID_REQUEST", "deviceId required", NULL);
	snprintf(me, sizeof(me), "device:%s", id);
	is_self = strcmp(cap->principal, me) == 0;
	/* a device manages its own token; others' take admin */
	if (strcmp(method, "device.pair.remove") != 0 && !is_self &&
	    !scope_granted(cap, "operator.admin"))
		return missing_scope(ok, "operator.admin");
	if (mdb_txn_begin(env, NULL, 0, &t) != 0)
		return err(ok, "UNAVAILABLE", "pairing store unavailable",
		    NULL);
	if ((r = dev_get(t, id, &d)) != 1) {
		mdb_txn_abort(t);
		return r == 0 ? err(ok, "INVALID_REQUEST", "unknown device",
		    NULL) : err(ok, "UNAVAILABLE", "the device's record is "
		    "corrupt", NULL);
	}
	role = pstr(params, "role");
	if (strcmp(method, "device.pair.remove") != 0 && role != NULL &&
	    strcmp(role, d.role) != 0) {
		mdb_txn_abort(t);
		return err(ok, "INVALID_REQUEST", "the device has no token for "
		    "that role", NULL);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "deviceId", d.id);
	snprintf(principal, sizeof(principal), "device:%s", d.id);
	if (strcmp(method, "device.pair.remove") == 0) {
		k.mv_data = d.id;
		k.mv_size = strlen(d.id);
		if (mdb_del(t, dbi_dev, &k, NULL) != 0) {
			mdb_txn_abort(t);
			cJSON_Delete(o);
			return err(ok, "UNAVAILABLE", "could not remove the "
			    "device", NULL);
		}
		if (commit(t) == -1) {
			cJSON_Delete(o);
			return err(ok, "UNAVAILABLE", "could not remove the "
			    "device", NULL);
		}
		cJSON_AddBoolToObject(o, "removed", 1);
		child_audit("pair-remove", cap->principal, d.id, "ok", "");
		authd_kick(principal, "device removed");
		*ok = 1;
		return o;
	}
	d.token_gen++;
	d.token_ms = now;
	d.token_revoked = strcmp(method, "device.token.revoke") == 0;
	if (dev_put(t, &d) == -1) {
		mdb_txn_abort(t);
		cJSON_Delete(o);
		return err(ok, "UNAVAILABLE", "could not store the device",
		    NULL);
	}
	if (commit(t) == -1) {
		cJSON_Delete(o);
		return err(ok, "UNAVAILABLE", "could not store the device",
		    NULL);
	}
	cJSON_AddStringToObject(o, "role", d.role);
	if (d.token_revoked) {
		cJSON_AddNumberToObject(o, "revokedAtMs", (double)now);
		child_audit("device-token-revoke", cap->principal, d.id, "ok",
		    "");
		authd_kick(principal, "device token revoked");
	} else {
		add_scopes(o, "scopes", d.scopes);
		cJSON_AddNumberToObject(o, "rotatedAtMs", (double)now);
		/* the new token goes to the device itself only */
		if (is_self) {
			dev_token(&d, tok, sizeof(tok));
			cJSON_AddStringToObject(o, "token", tok);
			sodium_memzero(tok, sizeof(tok));
		}
		child_audit("device-token-rotate", cap->principal, d.id, "ok",
		    "");
	}
	*ok = 1;
	return o;
}

static const char *pairing_methods[] = {
	"device.pair.list", "device.pair.approve", "device.pair.reject",
	"device.pair.remove", "device.token.rotate", "device.token.revoke",
};

int
pairing_method(const char *m)
{
	size_t	 i;

	for (i = 0; i < sizeof(pairing_methods) / sizeof(pairing_methods[0]);
	    i++)
		if (strcmp(m, pairing_methods[i]) == 0)
			return 1;
	return 0;
}

cJSON *
pairing_call(const struct capability *cap, const char *method,
    const cJSON *params, int *ok)
{
	struct timespec	 ts;
	uint64_t	 now;

	*ok = 0;
	if (!pairing_method(method))
		return err(ok, "INVALID_REQUEST", "unknown method", NULL);
	/* every method here needs operator.pairing (admin implies it) */
	if (!scope_granted(cap, "operator.pairing"))
		return missing_scope(ok, "operator.pairing");
	if (!cJSON_IsObject(params))
		return err(ok, "INVALID_REQUEST", "params must be an object",
		    NULL);
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (strcmp(method, "device.pair.list") == 0)
		return list_all(ok, now);
	if (strcmp(method, "device.pair.approve") == 0)
		return approve(cap, params, now, ok);
	if (strcmp(method, "device.pair.reject") == 0)
		return reject(cap, params, now, ok);
	return on_device(cap, method, params, now, ok);
}
