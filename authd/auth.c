/*
 * auth.c - credential checks for front's requests and the token
 * administration commands (trust zone "authd").
 *
 * IMSG_AUTH_TOKEN: front reports a presented credential and the facts of
 * the connection; authd applies the rate limiter (invariant 5), refuses
 * forwarding headers from untrusted peers, looks the token up, and mints
 * a capability bound to front's request id.  IMSG_AUTH_ADMIN: token
 * create/list/revoke, for an admin capability that authd verifies itself.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include <cJSON.h>

#include "authd.h"
#include "capability.h"
#include "authmsg.h"
#include "device.h"
#include "log.h"
#include "names.h"
#include "pairing.h"
#include "msgtypes.h"
#include "ratelimit.h"
#include "scopes.h"
#include "tokens.h"

#define TOKEN_CAP_LIFETIME	60	/* an HTTP request's capability */
#define WS_CAP_LIFETIME		86400	/* a WebSocket connection's */

static struct ratelimit	*rl;

/* trusted reverse proxies, from the boot configuration */
static char	 tp_cidr[16][64];
static int	 ntp_cidr;
static char	 tp_user[32][64];
static int	 ntp_user;
static char	 tp_user_header[64];
static int	 tp_allow_loopback;
static char	 tp_scopes[256];

static int
parse_addr(const char *s, unsigned char a[16], int *bits)
{
	unsigned char	 v4[4];

	if (inet_pton(AF_INET, s, v4) == 1) {
		/* compare IPv4 as v4-mapped IPv6 */
		memset(a, 0, 16);
		a[10] = a[11] = 0xff;
		memcpy(a + 12, v4, 4);
		*bits = 128;
		return 4;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		*bits = 128;
		return 6;
	}
	return 0;
}

static int
in_cidr(const char *addr, const char *cidr)
{
	unsigned char	 a[16], n[16];
	char		 buf[64], *slash;
	int		 abits, nbits, fam, i, prefix;

	if (parse_addr(addr, a, &abits) == 0 ||
	    strlen(cidr) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s", cidr);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if ((fam = parse_addr(buf, n, &nbits)) == 0)
		return 0;
	prefix = slash ? atoi(slash) + (fam == 4 ? 96 : 0) : 128;
	for (i = 0; i < prefix; i++)
		if (((a[i / 8] ^ n[i / 8]) >> (7 - i % 8)) & 1)
			return 0;
	return 1;
}

static int
trusted_proxy(const char *addr)
{
	int	 i;

	for (i = 0; i < ntp_cidr; i++)
		if (in_cidr(addr, tp_cidr[i]))
			return 1;
	return 0;
}

static int
addr_is_loopback(const char *addr)
{
	return in_cidr(addr, "127.0.0.0/8") || in_cidr(addr, "::1");
}

/*
 * The client a trusted proxy speaks for: the rightmost X-Forwarded-For
 * entry that is not itself a trusted proxy; it must be an address and not
 * loopback.
 */
static int
proxy_client(const char *xff, char *out, size_t outsz)
{
	char		 buf[256], *ent[16], *p, *e, *save = NULL;
	unsigned char	 a[16];
	int		 n = 0, i, bits;

	if (strlen(xff) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", xff);
	for (p = strtok_r(buf, ",", &save); p != NULL && n < 16;
	    p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ' || *p == '\t')
			p++;
		for (e = p + strlen(p); e > p && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			;
		*e = '\0';
		ent[n++] = p;
	}
	for (i = n - 1; i >= 0; i--) {
		if (trusted_proxy(ent[i]))
			continue;
		if (parse_addr(ent[i], a, &bits) == 0 ||
		    addr_is_loopback(ent[i]))
			return -1;
		snprintf(out, outsz, "%s", ent[i]);
		return 0;
	}
	return -1;
}

static int
proxy_user_allowed(const char *u)
{
	int	 i;

	if (ntp_user == 0)
		return 1;
	for (i = 0; i < ntp_user; i++)
		if (strcmp(u, tp_user[i]) == 0)
			return 1;
	return 0;
}

static uint64_t
wall_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
auth_config(const struct kv *kv)
{
	struct rl_config	 rc;
	long long		 v;
	const char		*s;
	char			 k[32];
	int			 i;

	rl_config_defaults(&rc);
	if ((v = kv_getnum(kv, "rl-failures", 100000)) > 0)
		rc.max_failures = (unsigned)v;
	if ((v = kv_getnum(kv, "rl-window-ms", 86400000LL)) > 0)
		rc.window_ms = (uint64_t)v;
	if ((v = kv_getnum(kv, "rl-lockout-ms", 86400000LL)) > 0)
		rc.lockout_ms = (uint64_t)v;
	if ((v = kv_getnum(kv, "rl-exempt-loopback", 1)) >= 0)
		rc.exempt_loopback = (int)v;
	ntp_cidr = ntp_user = 0;
	for (i = 0; i < 16; i++) {
		snprintf(k, sizeof(k), "tp-cidr-%d", i);
		if ((s = kv_get(kv, k)) != NULL)
			snprintf(tp_cidr[ntp_cidr++], sizeof(tp_cidr[0]), "%s", s);
	}
	for (i = 0; i < 32; i++) {
		snprintf(k, sizeof(k), "tp-user-%d", i);
		if ((s = kv_get(kv, k)) != NULL)
			snprintf(tp_user[ntp_user++], sizeof(tp_user[0]), "%s", s);
	}
	s = kv_get(kv, "tp-user-header");
	snprintf(tp_user_header, sizeof(tp_user_header), "%s", s ? s : "");
	tp_allow_loopback = kv_getnum(kv, "tp-allow-loopback", 1) == 1;
	s = kv_get(kv, "tp-scopes");
	snprintf(tp_scopes, sizeof(tp_scopes), "%s", s ? s : "operator.read");
	if (rl == NULL) {
		if ((rl = rl_new(&rc)) == NULL)
			fatalx("rate limiter configuration invalid");
	} else if (rl_set_config(rl, &rc) == -1)
		log_warnx("rate limiter: invalid new configuration ignored");
}

struct ratelimit *
auth_limiter(void)
{
	return rl;
}

static void
result_aux(struct imsgev *iev, uint64_t req, uint32_t code, uint64_t retry,
    struct cbuf *cap, const char *msg, const char *aux)
{
	struct cbuf	 cb;

	cb_init(&cb);
	cb_put_u64(&cb, req);
	cb_put_u32(&cb, code);
	cb_put_u64(&cb, retry);
	cb_put_bytes(&cb, cap ? cap->data : NULL, cap ? cap->len : 0);
	cb_put_str(&cb, msg);
	cb_put_str(&cb, aux);
	if (imsgev_compose_cb(iev, IMSG_AUTH_RESULT, 0, -1, &cb) == -1)
		log_warn("AUTH_RESULT");
	sodium_memzero(cb.data, cb.len);
	cb_free(&cb);
}

static void
result(struct imsgev *iev, uint64_t req, uint32_t code, uint64_t retry,
    struct cbuf *cap, const char *msg)
{
	result_aux(iev, req, code, retry, cap, msg, "");
}

static void
mint_result_aux(struct imsgev *iev, uint64_t req, const char *principal,
    const char *role, const char *scopes, const char *connector,
    const char *aux)
{
	struct capability	 cap;
	struct cbuf		 capbuf;

	memset(&cap, 0, sizeof(cap));
	memcpy(cap.bootid, self->key.bootid, CAP_BOOTIDLEN);
	snprintf(cap.principal, sizeof(cap.principal), "%s", principal);
	snprintf(cap.role, sizeof(cap.role), "%s", role);
	snprintf(cap.scopes, sizeof(cap.scopes), "%s", scopes);
	snprintf(cap.connector, sizeof(cap.connector), "%s", connector);
	cap.issued = (uint64_t)time(NULL);
	cap.expires = cap.issued + (strcmp(connector, "ws") == 0 ?
	    WS_CAP_LIFETIME : TOKEN_CAP_LIFETIME);
	cap.conn = req;
	cb_init(&capbuf);
	if (cap_mint(&self->key, &cap, &capbuf) == -1)
		fatalx("cap_mint");
	result_aux(iev, req, AUTH_OK, 0, &capbuf, "ok", aux);
	cb_free(&capbuf);
}

static void
mint_result(struct imsgev *iev, uint64_t req, const char *principal,
    const char *scopes, const char *connector)
{
	mint_result_aux(iev, req, principal, "operator", scopes, connector,
	    "");
}

/* identity asserted by a trusted proxy's user header */
static void
proxy_auth(struct imsgev *iev, struct auth_req *a, const char *client)
{
	char		 who[80], granted[256];
	uint64_t	 t = now_ms(), locked;

	if ((locked = rl_check(rl, "trusted-proxy", client, 0, t)) > 0) {
		result(iev, a->req, AUTH_RATE_LIMITED, locked, NULL,
		    "too many failed authentication attempts");
		return;
	}
	if (!a->proxy_required_ok || a->proxy_user[0] == '\0' ||
	    strlen(a->proxy_user) > 64 || !proxy_user_allowed(a->proxy_user)) {
		if (rl_failure(rl, "trusted-proxy", client, 0, t) > 0)
			child_audit("lockout", client, "trusted-proxy",
			    "locked", "too many failed authentication attempts");
		child_audit("auth", client, "trusted-proxy", "refused",
		    a->proxy_user[0] == '\0' || !a->proxy_required_ok ?
		    "user or required header missing" : "user not allowed");
		result(iev, a->req, AUTH_MISMATCH, 0, NULL,
		    "trusted proxy user refused");
		return;
	}
	rl_success(rl, "trusted-proxy", client, t);
	snprintf(who, sizeof(who), "proxy:%.64s", a->proxy_user);
	scope_intersect(a->want, tp_scopes, granted, sizeof(granted));
	child_audit("auth", who, a->connector, "ok", client);
	mint_result(iev, a->req, who, granted, a->connector);
}

/* a wrong credential: counted by the limiter, audited, refused */
static void
fail(struct imsgev *iev, const struct auth_req *a, const char *cls,
    const char *src, uint64_t t, uint32_t code, const char *why)
{
	uint64_t	 locked;

	locked = rl_failure(rl, cls, src, a->loopback && !a->forwarded, t);
	child_audit("auth", src, cls, "refused", why);
	if (locked > 0)
		child_audit("lockout", src, cls, "locked",
		    "too many failed authentication attempts");
	result(iev, a->req, code, 0, NULL, code == AUTH_MISMATCH ?
	    "token mismatch" : "device token mismatch");
}

/*
 * A device whose proof verified, with a good shared token (rec) or
 * presenting a device token (rec NULL): paired devices get their approved
 * scopes and a device token; others a pending request.
 */
static void
device_connect(struct imsgev *iev, const struct auth_req *a,
    const struct token_rec *rec, const char *cls, const char *src,
    uint64_t t)
{
	struct pair_in	 in;
	struct pair_out	 out;
	char		 who[128], aux[128], tok[PAIR_TOKEN_LEN + 1];
	int		 r;

	memset(&in, 0, sizeof(in));
	in.device_id = a->dev.id;
	in.public_key = a->dev.public_key;
	in.role = a->dev.role;
	in.want = strcmp(a->want, "*") == 0 ? "" : a->want;
	in.ceiling = rec ? rec->scopes : NULL;
	if (rec == NULL) {
		if (a->credlen >= sizeof(tok))
			in.device_token = "";
		else {
			memcpy(tok, a->cred, a->credlen);
			tok[a->credlen] = '\0';
			in.device_token = tok;
		}
	}
	in.display_name = a->dev.display_name;
	in.platform = a->dev.platform;
	in.client_id = a->dev.client_id;
	in.client_mode = a->dev.client_mode;
	in.local = a->loopback && !a->forwarded &&
	    strcmp(a->cls, "shared-secret") == 0;
	in.now_ms = wall_ms();
	r = pairing_connect(&in, &out);
	sodium_memzero(tok, sizeof(tok));
	switch (r) {
	case PAIR_OK:
		if (rec == NULL)
			rl_success(rl, cls, src, t);
		snprintf(who, sizeof(who), "device:%s", a->dev.id);
		child_audit("auth", who, a->connector, "ok", rec ?
		    rec->id : "device-token");
		mint_result_aux(iev, a->req, who, out.role, out.scopes,
		    a->connector, out.token);
		break;
	case PAIR_PENDING:
		snprintf(aux, sizeof(aux), "%s %s", out.request_id, out.reason);
		child_audit("device-auth", a->dev.id, "device", "refused",
		    out.reason);
		result_aux(iev, a->req, AUTH_NOT_PAIRED, 0, NULL,
		    "pairing required", aux);
		break;
	case PAIR_TOKEN_MISMATCH:
		fail(iev, a, cls, src, t, AUTH_DEVICE_TOKEN_MISMATCH,
		    "device token mismatch");
		break;
	case PAIR_FULL:
		child_audit("device-auth", a->dev.id, "device", "refused",
		    "too many pending pairing requests");
		result(iev, a->req, AUTH_UNAVAILABLE, 0, NULL,
		    "too many pending pairing requests");
		break;
	default:
		result(iev, a->req, AUTH_UNAVAILABLE, 0, NULL,
		    "pairing store error");
	}
	sodium_memzero(&out, sizeof(out));
}

static void
auth_token_run(struct imsgev *iev, struct auth_req *ap)
{
	struct cbuf		 capbuf;
	struct capability	 cap;
	struct token_rec	 rec;
	struct device_proof	 dp;
	uint64_t		 req, locked, t;
	const char		*dcode, *cls, *src, *connector, *want;
	const uint8_t		*cred;
	size_t			 credlen;
	uint8_t			 loopback, forwarded, has_device;
	char			 who[64], granted[256], client[64];
	int			 r, dver;

#define a (*ap)
	req = a.req;
	cls = a.cls;
	src = a.src;
	loopback = a.loopback;
	forwarded = a.forwarded;
	cred = a.cred;
	credlen = a.credlen;
	connector = a.connector;
	want = a.want;
	has_device = a.has_device;
	memset(&dp, 0, sizeof(dp));
	snprintf(dp.id, sizeof(dp.id), "%s", a.dev.id);
	snprintf(dp.public_key, sizeof(dp.public_key), "%s", a.dev.public_key);
	snprintf(dp.signature, sizeof(dp.signature), "%s", a.dev.signature);
	dp.signed_at = a.dev.signed_at;
	snprintf(dp.nonce, sizeof(dp.nonce), "%s", a.dev.nonce);
	snprintf(dp.client_id, sizeof(dp.client_id), "%s", a.dev.client_id);
	snprintf(dp.client_mode, sizeof(dp.client_mode), "%s",
	    a.dev.client_mode);
	snprintf(dp.role, sizeof(dp.role), "%s", a.dev.role);
	snprintf(dp.scopes, sizeof(dp.scopes), "%s", a.dev.scopes);
	snprintf(dp.token, sizeof(dp.token), "%s", a.dev.token);
	snprintf(dp.platform, sizeof(dp.platform), "%s", a.dev.platform);
	snprintf(dp.device_family, sizeof(dp.device_family), "%s",
	    a.dev.device_family);
	/*
	 * Forwarding headers count only from a trusted proxy, and only if
	 * they name a client that is not loopback (and a loopback proxy
	 * only with allow-loopback).  The client is then the source.
	 */
	if (forwarded) {
		if (!trusted_proxy(src) || (loopback && !tp_allow_loopback) ||
		    proxy_client(a.xff, client, sizeof(client)) == -1) {
			child_audit("auth", src, "proxy", "refused",
			    "forwarding header without proxy attribution");
			result(iev, req, AUTH_PROXY_REQUIRED, 0, NULL,
			    "proxy attribution required");
			return;
		}
		src = client;
		loopback = 0;
		if (tp_user_header[0] != '\0') {
			proxy_auth(iev, ap, client);
			return;
		}
	}
	/* a wrong device token counts in its own class, as OpenClaw's */
	if (a.cred_kind == AUTH_CRED_DEVICE)
		cls = strcmp(a.cls, "browser-origin") == 0 ? cls :
		    "device-token";
	t = now_ms();
	if ((locked = rl_check(rl, cls, src, loopback, t)) > 0) {
		result(iev, req, AUTH_RATE_LIMITED, locked, NULL,
		    "too many failed authentication attempts");
		return;
	}
	if (has_device && device_verify(&dp, a.dev.challenge, wall_ms(), &dver,
	    &dcode) == -1) {
		child_audit("device-auth", dp.id[0] ? dp.id : src, "device",
		    "refused", dcode);
		sodium_memzero(&dp, sizeof(dp));
		result(iev, req, AUTH_DEVICE_FAIL, 0, NULL, dcode);
		return;
	}
	sodium_memzero(dp.token, sizeof(dp.token));
	if (credlen == 0) {
		/* a missing credential is not a failed attempt */
		result(iev, req, AUTH_MISSING, 0, NULL, "no credential");
		return;
	}
	if (a.cred_kind == AUTH_CRED_DEVICE) {
		/* a device token proves nothing without its device */
		if (!has_device) {
			fail(iev, ap, cls, src, t, AUTH_DEVICE_TOKEN_MISMATCH,
			    "device token without a device");
			return;
		}
		device_connect(iev, ap, NULL, cls, src, t);
		return;
	}
	r = tokens_verify(cred, credlen, &rec);
	if (r != 1) {
		fail(iev, ap, cls, src, t, AUTH_MISMATCH, r == 0 ?
		    "unknown token" : "token store error");
		return;
	}
	rl_success(rl, cls, src, t);
	if (has_device) {
		device_connect(iev, ap, &rec, cls, src, t);
		return;
	}
	memset(&cap, 0, sizeof(cap));
	memcpy(cap.bootid, self->key.bootid, CAP_BOOTIDLEN);
	snprintf(who, sizeof(who), "token:%s", rec.id);
	snprintf(cap.principal, sizeof(cap.principal), "%s", who);
	snprintf(cap.role, sizeof(cap.role), "operator");
	/* what the client asked for, within what the token allows */
	scope_intersect(want, rec.scopes, granted, sizeof(granted));
	snprintf(cap.scopes, sizeof(cap.scopes), "%s", granted);
	snprintf(cap.connector, sizeof(cap.connector), "%s", connector);
	cap.issued = (uint64_t)time(NULL);
	/* a WebSocket session lives longer than one HTTP request */
	cap.expires = cap.issued + (strcmp(connector, "ws") == 0 ?
	    WS_CAP_LIFETIME : TOKEN_CAP_LIFETIME);
	cap.conn = req;
	cb_init(&capbuf);
	if (cap_mint(&self->key, &cap, &capbuf) == -1)
		fatalx("cap_mint");
	/* a WebSocket session is audited; per-request HTTP successes are
	 * not (one synced record per request would dominate the cost) */
	if (strcmp(connector, "ws") == 0)
		child_audit("auth", who, "ws", "ok", granted);
	result(iev, req, AUTH_OK, 0, &capbuf, "ok");
	cb_free(&capbuf);
}
#undef a

void
auth_token(struct imsgev *iev, struct imsg *imsg)
{
	struct auth_req	 a;

	if (auth_req_decode(&a, imsg->data, imsg->datalen) == -1 ||
	    (strcmp(a.cls, "shared-secret") != 0 &&
	    (strcmp(a.cls, "browser-origin") != 0 ||
	    strcmp(a.connector, "ws") != 0 || a.loopback != 0)) ||
	    (strcmp(a.connector, "http") != 0 &&
	    strcmp(a.connector, "ws") != 0))
		imsgev_violation(iev, "malformed AUTH_TOKEN");
	else
		auth_token_run(iev, &a);
	/* the credential does not outlive the request */
	sodium_memzero(&a, sizeof(a));
}

static void
admin_reply(struct imsgev *iev, uint64_t conn, int ok, cJSON *o)
{
	struct cbuf	 cb;
	char		*s;

	cJSON_AddBoolToObject(o, "ok", ok);
	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		fatalx("out of memory");
	if (strlen(s) > 60000) {
		/* too long to carry: say so instead */
		sodium_memzero(s, strlen(s));
		cJSON_free(s);
		if ((s = strdup("{\"ok\":false,\"error\":\"answer too "
		    "long\"}")) == NULL)
			fatalx("out of memory");
		ok = 0;
	}
	cb_init(&cb);
	cb_put_u64(&cb, conn);
	cb_put_u8(&cb, (uint8_t)ok);
	cb_put_str(&cb, s);
	if (imsgev_compose_cb(iev, IMSG_AUTH_ADMIN_RES, 0, -1, &cb) == -1)
		log_warn("AUTH_ADMIN_RES");
	cb_free(&cb);
	sodium_memzero(s, strlen(s));
	free(s);
	cJSON_Delete(o);
}

static void
admin_error(struct imsgev *iev, uint64_t conn, const char *code,
    const char *msg)
{
	cJSON	*o = cJSON_CreateObject();

	if (o == NULL)
		fatalx("out of memory");
	cJSON_AddStringToObject(o, "error", msg);
	cJSON_AddStringToObject(o, "code", code);
	admin_reply(iev, conn, 0, o);
}

static const char *
jstring(cJSON *req, const char *k, const char *def)
{
	cJSON	*v = cJSON_GetObjectItemCaseSensitive(req, k);

	if (v == NULL || cJSON_IsNull(v))
		return def;
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* clawctl secrets: to secretd, with the admin's principal */
static void
secrets_forward(struct imsgev *iev, uint64_t conn, const char *principal,
    cJSON *req)
{
	struct cbuf	 cb;
	char		*js;
	int		 r;

	if ((js = cJSON_PrintUnformatted(req)) == NULL)
		fatalx("out of memory");
	cb_init(&cb);
	cb_put_u64(&cb, conn);
	cb_put_str(&cb, principal);
	cb_put_str(&cb, js);
	r = strlen(js) > 16384 ? -1 : child_send_peer(ROLE_SECRETD,
	    IMSG_SECRET_ADMIN, 0, -1, &cb);
	cb_free(&cb);
	cJSON_free(js);
	if (r == -1)
		admin_error(iev, conn, "UNAVAILABLE", "secretd is not "
		    "available");
}

/* secretd's answer, relayed to front as it came */
void
auth_secrets_result(struct imsgev *iev, struct imsg *imsg)
{
	struct cbuf	 cb;
	uint64_t	 conn;
	uint8_t		 ok;
	char		*json = NULL;

	(void)iev;
	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &conn);
	cb_get_u8(&cb, &ok);
	cb_get_strdup(&cb, &json, 60000);
	if (cb_get_end(&cb) == -1 || ok > 1) {
		free(json);
		imsgev_violation(iev, "malformed SECRET_ADMIN_RES");
		return;
	}
	cb_init(&cb);
	cb_put_u64(&cb, conn);
	cb_put_u8(&cb, ok);
	cb_put_str(&cb, json);
	if (child_send_peer(ROLE_FRONT, IMSG_AUTH_ADMIN_RES, 0, -1, &cb) == -1)
		log_warnx("cannot relay secretd's answer to front");
	cb_free(&cb);
	free(json);
}

/* close the open sessions of the tokens `which' names (id or name) */
static void
kick_tokens(const char *which)
{
	cJSON		*list = tokens_list(), *t, *id, *nm;
	char		 who[64];

	cJSON_ArrayForEach(t, list) {
		id = cJSON_GetObjectItem(t, "id");
		nm = cJSON_GetObjectItem(t, "name");
		if (!cJSON_IsString(id) || (strcmp(id->valuestring, which) != 0 &&
		    !(cJSON_IsString(nm) && strcmp(nm->valuestring, which) == 0)))
			continue;
		snprintf(who, sizeof(who), "token:%s", id->valuestring);
		authd_kick(who, "token revoked");
	}
	cJSON_Delete(list);
}

void
auth_admin(struct imsgev *iev, struct imsg *imsg)
{
	struct cbuf		 cb;
	struct capability	 cap;
	struct token_rec	 rec;
	const uint8_t		*cp;
	size_t			 clen;
	uint64_t		 conn;
	char			*json = NULL, scopes[256], token[128];
	const char		*cmd, *name, *sc, *which;
	cJSON			*req = NULL, *o;
	int			 r, n;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &conn);
	cb_get_bytes(&cb, &cp, &clen, CAP_MAXLEN);
	cb_get_strdup(&cb, &json, 16384);
	if (cb_get_end(&cb) == -1) {
		free(json);
		imsgev_violation(iev, "malformed AUTH_ADMIN");
		return;
	}
	r = cap_verify(&self->key, cp, clen, (uint64_t)time(NULL), conn, &cap);
	if (r != CAP_OK && r != CAP_ERR_EXPIRED) {
		free(json);
		log_warnx("AUTH_ADMIN: %s", cap_strerror(r));
		child_audit("token-admin", "front", "capability", "refused",
		    cap_strerror(r));
		imsgev_violation(iev, cap_strerror(r));
		return;
	}
	if (r == CAP_ERR_EXPIRED) {
		free(json);
		admin_error(iev, conn, "UNAUTHORIZED", "capability expired");
		return;
	}
	req = cJSON_Parse(json);
	cmd = req ? jstring(req, "cmd", NULL) : NULL;
	if (cmd != NULL && pairing_method(cmd)) {
		/* clawctl devices: the same methods as on the WebSocket */
		free(json);
		o = pairing_call(&cap, cmd, req, &n);
		cJSON_Delete(req);
		if (!n) {
			const cJSON	*c = cJSON_GetObjectItem(o, "code");
			const cJSON	*m = cJSON_GetObjectItem(o, "message");
			const cJSON	*d = cJSON_GetObjectItem(o, "details");

			d = d ? cJSON_GetObjectItem(d, "code") : NULL;
			admin_error(iev, conn, cJSON_IsString(d) ?
			    d->valuestring : cJSON_IsString(c) ? c->valuestring :
			    "ERROR", cJSON_IsString(m) ? m->valuestring : "error");
			cJSON_Delete(o);
		} else
			admin_reply(iev, conn, 1, o);
		return;
	}
	cJSON_Delete(req);
	if (!scope_granted(&cap, "operator.admin")) {
		free(json);
		child_audit("token-admin", cap.principal, "tokens", "refused",
		    "missing scope operator.admin");
		admin_error(iev, conn, "MISSING_SCOPE",
		    "missing scope: operator.admin");
		return;
	}
	req = cJSON_Parse(json);
	free(json);
	cmd = req ? jstring(req, "cmd", NULL) : NULL;
	if (cmd == NULL) {
		cJSON_Delete(req);
		admin_error(iev, conn, "INVALID_REQUEST", "malformed request");
		return;
	}
	if (strncmp(cmd, "secrets.", 8) == 0) {
		/* secretd's business: authd vouches for the admin */
		secrets_forward(iev, conn, cap.principal, req);
		cJSON_Delete(req);
		return;
	}
	if ((o = cJSON_CreateObject()) == NULL)
		fatalx("out of memory");
	if (strcmp(cmd, "token.create") == 0) {
		name = jstring(req, "name", "token");
		sc = jstring(req, "scopes", "operator.admin");
		if (name == NULL || !name_is_safe(name, 63)) {
			cJSON_Delete(o);
			admin_error(iev, conn, "INVALID_REQUEST", "invalid token "
			    "name (1-63 of A-Z a-z 0-9 . _ -)");
		} else if (sc == NULL || !scope_list_valid(sc, scopes,
		    sizeof(scopes))) {
			cJSON_Delete(o);
			admin_error(iev, conn, "INVALID_REQUEST", "invalid "
			    "scopes: use operator.* scope names");
		} else if (tokens_create(name, scopes, (uint64_t)time(NULL),
		    token, sizeof(token), &rec) == -1) {
			cJSON_Delete(o);
			admin_error(iev, conn, "UNAVAILABLE",
			    "could not store the token");
		} else {
			cJSON_AddStringToObject(o, "token", token);
			sodium_memzero(token, sizeof(token));
			cJSON_AddStringToObject(o, "id", rec.id);
			cJSON_AddStringToObject(o, "name", rec.name);
			cJSON_AddStringToObject(o, "scopes", rec.scopes);
			child_audit("token-create", cap.principal, rec.id, "ok",
			    rec.scopes);
			admin_reply(iev, conn, 1, o);
		}
	} else if (strcmp(cmd, "token.list") == 0) {
		cJSON_AddItemToObject(o, "tokens", tokens_list());
		admin_reply(iev, conn, 1, o);
	} else if (strcmp(cmd, "token.revoke") == 0) {
		which = jstring(req, "id", NULL);
		if (which != NULL)
			kick_tokens(which);
		if (which == NULL || (n = tokens_revoke(which)) <= 0) {
			cJSON_Delete(o);
			admin_error(iev, conn, "NOT_FOUND", which == NULL ?
			    "which token?" : "no token with that id or name");
		} else {
			cJSON_AddNumberToObject(o, "revoked", n);
			child_audit("token-revoke", cap.principal, which, "ok",
			    "");
			admin_reply(iev, conn, 1, o);
		}
	} else {
		cJSON_Delete(o);
		admin_error(iev, conn, "INVALID_REQUEST", "unknown command");
	}
	cJSON_Delete(req);
}

/* ------------------------------------------------- pairing, for front */

void
authd_event(const char *event, const char *scope, cJSON *payload)
{
	struct cbuf	 cb;
	char		*js;

	js = cJSON_PrintUnformatted(payload);
	cJSON_Delete(payload);
	if (js == NULL)
		return;
	cb_init(&cb);
	cb_put_str(&cb, scope);
	cb_put_str(&cb, event);
	cb_put_str(&cb, js);
	if (strlen(js) <= 8192 && child_send_peer(ROLE_FRONT, IMSG_EVENT, 0,
	    -1, &cb) == -1)
		log_warnx("cannot relay %s to front", event);
	cb_free(&cb);
	cJSON_free(js);
}

void
authd_kick(const char *principal, const char *why)
{
	struct cbuf	 cb;

	cb_init(&cb);
	cb_put_str(&cb, principal);
	cb_put_str(&cb, why);
	if (child_send_peer(ROLE_FRONT, IMSG_AUTH_KICK, 0, -1, &cb) == -1)
		log_warnx("cannot tell front to close %s's sessions",
		    principal);
	cb_free(&cb);
}

/*
 * IMSG_RPC from front: a device.pair.* or device.token.* method of a
 * WebSocket session, checked here on the session's capability.
 */
void
auth_rpc(struct imsgev *iev, struct imsg *imsg)
{
	struct cbuf		 cb;
	struct capability	 cap;
	const uint8_t		*cp;
	size_t			 clen;
	uint64_t		 conn, req;
	char			 method[128], *params = NULL, *js;
	cJSON			*p, *res;
	int			 r, ok = 0;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &conn);
	cb_get_u64(&cb, &req);
	cb_get_bytes(&cb, &cp, &clen, CAP_MAXLEN);
	cb_get_str(&cb, method, sizeof(method));
	cb_get_strdup(&cb, &params, 49152);
	if (cb_get_end(&cb) == -1) {
		free(params);
		imsgev_violation(iev, "malformed RPC");
		return;
	}
	r = cap_verify(&self->key, cp, clen, (uint64_t)time(NULL), conn, &cap);
	if (r != CAP_OK && r != CAP_ERR_EXPIRED) {
		free(params);
		child_audit("rpc", "front", method, "refused", cap_strerror(r));
		imsgev_violation(iev, cap_strerror(r));
		return;
	}
	p = cJSON_Parse(params);
	free(params);
	if (r == CAP_ERR_EXPIRED)
		res = cJSON_Parse("{\"code\":\"UNAUTHORIZED\",\"message\":"
		    "\"session expired\"}");
	else
		res = pairing_call(&cap, method, p, &ok);
	cJSON_Delete(p);
	js = res ? cJSON_PrintUnformatted(res) : NULL;
	cJSON_Delete(res);
	cb_init(&cb);
	cb_put_u64(&cb, conn);
	cb_put_u64(&cb, req);
	cb_put_u8(&cb, (uint8_t)ok);
	cb_put_str(&cb, js && strlen(js) <= 60000 ? js :
	    "{\"code\":\"UNAVAILABLE\",\"message\":\"answer too long\"}");
	if (imsgev_compose_cb(iev, IMSG_RPC_RES, 0, -1, &cb) == -1)
		log_warn("RPC_RES");
	cb_free(&cb);
	cJSON_free(js);
}
