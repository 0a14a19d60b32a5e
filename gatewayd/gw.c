/*
 * gw.c - the OpenClaw gateway protocol on a WebSocket (trust zone
 * "front").  req/res/event JSON frames; connect.challenge, then the first
 * request must be `connect', whose credential front hands to authd; on
 * success hello-ok, then each request goes with the connection's
 * capability to agentd, which checks the method's scope itself.  Errors
 * have OpenClaw's shape: code, message, details.code, retryable,
 * retryAfterMs.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include <cJSON.h>
#include <sodium.h>

#include "authmsg.h"
#include "child.h"
#include "front.h"
#include "gw_connect.h"
#include "log.h"
#include "msgtypes.h"
#include "scopes.h"
#include "uuid.h"
#include "ws.h"

#define GW_MAXPENDING	64
#define GW_PARAMS_MAX	49152

struct pending {
	TAILQ_ENTRY(pending)	 entry;
	int			 role;		/* who answers */
	uint64_t		 conn;
	uint64_t		 req;
	cJSON			*id;
};

static TAILQ_HEAD(, pending)	 pendings = TAILQ_HEAD_INITIALIZER(pendings);
static struct event_base	*gw_base;
static struct timespec		 gw_started;

/* what clawgate implements, as hello-ok lists it */
static const char *methods[] = {
	"health", "status",
	"config.get", "config.set", "config.patch", "config.unset",
	"config.list", "config.keys", "config.import",
	"sessions.list", "sessions.preview", "sessions.reset", "chat.history",
	"chat.send", "chat.abort", "agent.wait",
	"tools.catalog", "tools.effective", "tools.invoke", "models.list",
	"skills.list",
	"device.pair.list", "device.pair.approve", "device.pair.reject",
	"device.pair.remove", "device.token.rotate", "device.token.revoke",
};
static const char *events[] = {
	"connect.challenge", "tick", "chat", "agent", "device.pair.requested",
	"device.pair.resolved",
};

/* methods authd executes (it owns the pairing store) */
static int
authd_method(const char *m)
{
	return strncmp(m, "device.pair.", 12) == 0 ||
	    strncmp(m, "device.token.", 13) == 0;
}

static uint64_t
wall_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
send_obj(struct wsconn *c, cJSON *o)
{
	char	*s;

	if (o == NULL)
		return;
	if ((s = cJSON_PrintUnformatted(o)) != NULL) {
		ws_send_text(c, s, strlen(s));
		cJSON_free(s);
	}
	cJSON_Delete(o);
}

static void
send_event(struct wsconn *c, const char *event, cJSON *payload)
{
	cJSON	*o = cJSON_CreateObject();

	if (o == NULL) {
		cJSON_Delete(payload);
		return;
	}
	cJSON_AddStringToObject(o, "type", "event");
	cJSON_AddStringToObject(o, "event", event);
	cJSON_AddItemToObject(o, "payload", payload);
	if (c->state == WSS_OPEN)
		cJSON_AddNumberToObject(o, "seq", (double)++c->seq);
	send_obj(c, o);
}

/* id is consumed */
static void
send_res(struct wsconn *c, cJSON *id, int ok, cJSON *body)
{
	cJSON	*o = cJSON_CreateObject();

	if (o == NULL) {
		cJSON_Delete(id);
		cJSON_Delete(body);
		return;
	}
	cJSON_AddStringToObject(o, "type", "res");
	cJSON_AddItemToObject(o, "id", id ? id : cJSON_CreateNull());
	cJSON_AddBoolToObject(o, "ok", ok);
	cJSON_AddItemToObject(o, ok ? "payload" : "error", body);
	send_obj(c, o);
}

static cJSON *
error_obj(const char *code, const char *msg, const char *detail)
{
	cJSON	*e = cJSON_CreateObject(), *d;

	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	if (detail != NULL) {
		d = cJSON_AddObjectToObject(e, "details");
		cJSON_AddStringToObject(d, "code", detail);
	}
	return e;
}

static void
tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct wsconn	*c = arg;
	struct timeval	 tv = { WS_TICK_SEC, 0 };
	cJSON		*p;

	(void)fd;
	(void)ev;
	if (c->state == WSS_OPEN) {
		if ((p = cJSON_CreateObject()) != NULL) {
			cJSON_AddNumberToObject(p, "ts", (double)wall_ms());
			send_event(c, "tick", p);
		}
		evtimer_add(c->timer, &tv);
		return;
	}
	/* the handshake did not complete in time */
	ws_close(c, 1000, "handshake timeout");
}

void
gw_open(struct wsconn *c)
{
	struct timeval	 tv = { WS_HANDSHAKE_SEC, 0 };
	cJSON		*p;

	if (gw_base == NULL)
		fatalx("gw_init not called");
	uuid_v4(c->nonce, sizeof(c->nonce));
	c->challenge_ts = wall_ms();
	c->state = WSS_CHALLENGE;
	if ((c->timer = evtimer_new(gw_base, tick_cb, c)) != NULL)
		evtimer_add(c->timer, &tv);
	if ((p = cJSON_CreateObject()) == NULL)
		return;
	cJSON_AddStringToObject(p, "nonce", c->nonce);
	cJSON_AddNumberToObject(p, "ts", (double)c->challenge_ts);
	send_event(c, "connect.challenge", p);
}

static void
handshake_fail(struct wsconn *c, cJSON *id, cJSON *err)
{
	send_res(c, id, 0, err);
	ws_close(c, 1008, "handshake failed");
}

static void
gw_connect(struct wsconn *c, cJSON *id, const cJSON *params)
{
	struct connect_req	 cr;
	struct auth_req		 a;
	struct cbuf		 cb;
	const char		*code, *detail, *msg;
	cJSON			*err, *d;
	int			 r;

	if (connect_validate(params, &cr, &code, &detail, &msg) == -1) {
		err = error_obj(code, msg, detail);
		if (detail != NULL && strcmp(detail, "PROTOCOL_MISMATCH") == 0) {
			d = cJSON_GetObjectItem(err, "details");
			cJSON_AddNumberToObject(d, "clientMinProtocol", cr.min);
			cJSON_AddNumberToObject(d, "clientMaxProtocol", cr.max);
			cJSON_AddNumberToObject(d, "expectedProtocol",
			    GW_PROTOCOL);
			cJSON_AddNumberToObject(d, "minimumProbeProtocol",
			    GW_PROTOCOL_MIN);
		}
		handshake_fail(c, id, err);
		return;
	}
	if (strcmp(cr.role, "node") == 0 && !cr.has_device) {
		/* nodes need a paired device identity */
		err = error_obj("NOT_PAIRED", "device identity required",
		    "DEVICE_IDENTITY_REQUIRED");
		handshake_fail(c, id, err);
		return;
	}
	c->protocol = cr.protocol;
	c->cred_device = cr.cred_device;
	snprintf(c->role_req, sizeof(c->role_req), "%s", cr.role);
	snprintf(c->scopes_req, sizeof(c->scopes_req), "%s", cr.scopes);
	snprintf(c->client_id, sizeof(c->client_id), "%s", cr.client_id);
	c->connect_id = cJSON_PrintUnformatted(id);
	cJSON_Delete(id);
	c->state = WSS_AUTH;
	memset(&a, 0, sizeof(a));
	a.req = c->id;
	if (c->origin[0] != '\0') {
		snprintf(a.cls, sizeof(a.cls), "browser-origin");
		snprintf(a.src, sizeof(a.src), "%s", c->origin);
		a.loopback = 0;
	} else {
		snprintf(a.cls, sizeof(a.cls), "shared-secret");
		snprintf(a.src, sizeof(a.src), "%s", c->src);
		a.loopback = (uint8_t)c->loopback;
	}
	a.forwarded = (uint8_t)c->forwarded;
	a.credlen = strlen(cr.credential);
	memcpy(a.cred, cr.credential, a.credlen);
	snprintf(a.connector, sizeof(a.connector), "ws");
	snprintf(a.xff, sizeof(a.xff), "%s", c->xff);
	snprintf(a.proxy_user, sizeof(a.proxy_user), "%s", c->proxy_user);
	a.proxy_required_ok = c->proxy_required_ok;
	snprintf(a.want, sizeof(a.want), "%s", cr.scopes);
	a.has_device = (uint8_t)cr.has_device;
	snprintf(a.dev.id, sizeof(a.dev.id), "%s", cr.dev_id);
	snprintf(a.dev.public_key, sizeof(a.dev.public_key), "%s",
	    cr.dev_public_key);
	snprintf(a.dev.signature, sizeof(a.dev.signature), "%s",
	    cr.dev_signature);
	a.dev.signed_at = (uint64_t)cr.dev_signed_at;
	snprintf(a.dev.nonce, sizeof(a.dev.nonce), "%s", cr.dev_nonce);
	snprintf(a.dev.challenge, sizeof(a.dev.challenge), "%s", c->nonce);
	snprintf(a.dev.client_id, sizeof(a.dev.client_id), "%s",
	    cr.client_id);
	snprintf(a.dev.client_mode, sizeof(a.dev.client_mode), "%s",
	    cr.client_mode);
	snprintf(a.dev.role, sizeof(a.dev.role), "%s", cr.role);
	snprintf(a.dev.scopes, sizeof(a.dev.scopes), "%s", cr.signed_scopes);
	snprintf(a.dev.token, sizeof(a.dev.token), "%s", cr.signed_token);
	snprintf(a.dev.platform, sizeof(a.dev.platform), "%s", cr.platform);
	snprintf(a.dev.device_family, sizeof(a.dev.device_family), "%s",
	    cr.device_family);
	snprintf(a.dev.display_name, sizeof(a.dev.display_name), "%s",
	    cr.display_name);
	a.cred_kind = cr.cred_device ? AUTH_CRED_DEVICE : AUTH_CRED_SHARED;
	snprintf(c->device_id, sizeof(c->device_id), "%s", cr.dev_id);
	sodium_memzero(cr.credential, sizeof(cr.credential));
	sodium_memzero(cr.signed_token, sizeof(cr.signed_token));
	cb_init(&cb);
	auth_req_encode(&a, &cb);
	sodium_memzero(&a, sizeof(a));
	r = child_send_peer(ROLE_AUTHD, IMSG_AUTH_TOKEN, 0, -1, &cb);
	sodium_memzero(cb.data, cb.len);
	cb_free(&cb);
	if (r == -1)
		handshake_fail(c, cJSON_Parse(c->connect_id),
		    error_obj("UNAVAILABLE", "authd is not available", NULL));
}

static cJSON *
hello_ok(struct wsconn *c)
{
	struct capability	 cap;
	struct timespec		 now;
	cJSON			*p, *o, *arr;
	char			 conn[32], word[64], boot[2 * CAP_BOOTIDLEN + 1];
	const char		*s;
	size_t			 i, n;

	cap_peek(c->cap, c->caplen, &cap);
	snprintf(c->principal, sizeof(c->principal), "%s", cap.principal);
	snprintf(c->role, sizeof(c->role), "%s", cap.role);
	snprintf(c->scopes, sizeof(c->scopes), "%s", cap.scopes);
	clock_gettime(CLOCK_MONOTONIC, &now);
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "type", "hello-ok");
	cJSON_AddNumberToObject(p, "protocol", c->protocol);
	o = cJSON_AddObjectToObject(p, "server");
	cJSON_AddStringToObject(o, "version", "clawgate-0.1.0");
	for (i = 0; i < CAP_BOOTIDLEN; i++)
		snprintf(boot + 2 * i, sizeof(boot) - 2 * i, "%02x",
		    cap.bootid[i]);
	cJSON_AddStringToObject(o, "bootId", boot);
	snprintf(conn, sizeof(conn), "%llx", (unsigned long long)c->id);
	cJSON_AddStringToObject(o, "connId", conn);
	o = cJSON_AddObjectToObject(p, "features");
	arr = cJSON_AddArrayToObject(o, "methods");
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(methods[i]));
	arr = cJSON_AddArrayToObject(o, "events");
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(events[i]));
	cJSON_AddArrayToObject(o, "capabilities");
	o = cJSON_AddObjectToObject(p, "snapshot");
	cJSON_AddArrayToObject(o, "presence");
	cJSON_AddObjectToObject(o, "health");
	arr = cJSON_AddObjectToObject(o, "stateVersion");
	cJSON_AddNumberToObject(arr, "presence", 0);
	cJSON_AddNumberToObject(arr, "health", 0);
	cJSON_AddNumberToObject(o, "uptimeMs", (double)((now.tv_sec -
	    gw_started.tv_sec) * 1000 + (now.tv_nsec - gw_started.tv_nsec) /
	    1000000));
	arr = cJSON_AddObjectToObject(o, "sessionDefaults");
	cJSON_AddStringToObject(arr, "defaultAgentId", "main");
	cJSON_AddStringToObject(arr, "mainKey", "main");
	cJSON_AddStringToObject(arr, "mainSessionKey", "agent:main:main");
	cJSON_AddStringToObject(arr, "scope", "per-sender");
	cJSON_AddStringToObject(o, "authMode", "token");
	o = cJSON_AddObjectToObject(p, "auth");
	cJSON_AddStringToObject(o, "method", c->cred_device ? "device-token" :
	    "token");
	cJSON_AddStringToObject(o, "role", cap.role);
	arr = cJSON_AddArrayToObject(o, "scopes");
	for (s = cap.scopes; *s != '\0'; s += n) {
		while (*s == ' ')
			s++;
		n = strcspn(s, " ");
		if (n > 0 && n < sizeof(word)) {
			memcpy(word, s, n);
			word[n] = '\0';
			cJSON_AddItemToArray(arr, cJSON_CreateString(word));
		}
	}
	if (c->device_token[0] != '\0') {
		cJSON_AddStringToObject(o, "deviceToken", c->device_token);
		sodium_memzero(c->device_token, sizeof(c->device_token));
	}
	cJSON_AddNumberToObject(o, "issuedAtMs", (double)wall_ms());
	o = cJSON_AddObjectToObject(p, "policy");
	cJSON_AddNumberToObject(o, "maxPayload", WS_MSG_MAX);
	cJSON_AddNumberToObject(o, "maxBufferedBytes", WS_SENDBUF_MAX);
	cJSON_AddNumberToObject(o, "tickIntervalMs", WS_TICK_SEC * 1000);
	return p;
}

/* authd's verdict on the connect credential; 1 if it was for a WS */
/* DEVICE_AUTH_NONCE_MISMATCH -> device-nonce-mismatch */
static void
device_reason(const char *code, char *out, size_t outsz)
{
	size_t	 i;

	if (strncmp(code, "DEVICE_AUTH_", 12) == 0)
		code += 12;
	snprintf(out, outsz, "device-%s", code);
	for (i = 0; out[i] != '\0'; i++)
		out[i] = out[i] == '_' ? '-' : (out[i] >= 'A' &&
		    out[i] <= 'Z') ? out[i] + 32 : out[i];
}

int
gw_auth_result(uint64_t id, uint32_t code, uint64_t retry,
    const uint8_t *cap, size_t caplen, const char *msg, const char *aux)
{
	char		 reason[80], reqid[64];
	const char	*sp;
	struct wsconn	*c;
	struct timeval	 tv = { WS_TICK_SEC, 0 };
	cJSON		*rid, *err, *d;

	if ((c = ws_find(id)) == NULL)
		return 0;
	if (c->state != WSS_AUTH)
		return 1;
	rid = c->connect_id ? cJSON_Parse(c->connect_id) : NULL;
	switch (code) {
	case AUTH_OK:
		memcpy(c->cap, cap, caplen);
		c->caplen = caplen;
		snprintf(c->device_token, sizeof(c->device_token), "%s",
		    c->device_id[0] ? aux : "");
		c->state = WSS_OPEN;
		ws_set_max_message(c, WS_MSG_MAX);
		send_res(c, rid, 1, hello_ok(c));
		if (c->timer != NULL) {
			evtimer_del(c->timer);
			evtimer_add(c->timer, &tv);
		}
		return 1;
	case AUTH_RATE_LIMITED:
		err = error_obj("INVALID_REQUEST", "unauthorized: too many "
		    "failed authentication attempts (retry later)",
		    "AUTH_RATE_LIMITED");
		cJSON_AddBoolToObject(err, "retryable", 1);
		cJSON_AddNumberToObject(err, "retryAfterMs", (double)retry);
		d = cJSON_GetObjectItem(err, "details");
		cJSON_AddStringToObject(d, "authReason", "rate_limited");
		cJSON_AddBoolToObject(d, "canRetryWithDeviceToken", 0);
		cJSON_AddStringToObject(d, "recommendedNextStep",
		    "wait_then_retry");
		break;
	case AUTH_MISSING:
		err = error_obj("INVALID_REQUEST", "unauthorized: gateway "
		    "token missing", "AUTH_TOKEN_MISSING");
		d = cJSON_GetObjectItem(err, "details");
		cJSON_AddStringToObject(d, "authReason", "token_missing");
		cJSON_AddBoolToObject(d, "canRetryWithDeviceToken", 0);
		cJSON_AddStringToObject(d, "recommendedNextStep",
		    "update_auth_credentials");
		break;
	case AUTH_DEVICE_FAIL:
		err = error_obj("INVALID_REQUEST", "unauthorized: device "
		    "identity check failed", NULL);
		d = cJSON_AddObjectToObject(err, "details");
		cJSON_AddStringToObject(d, "code", msg);
		device_reason(msg, reason, sizeof(reason));
		cJSON_AddStringToObject(d, "reason", reason);
		break;
	case AUTH_NOT_PAIRED:
		/* aux: "<request id> <reason>" */
		sp = strchr(aux, ' ');
		snprintf(reqid, sizeof(reqid), "%.*s", sp ? (int)(sp - aux) :
		    0, aux);
		err = error_obj("NOT_PAIRED", "pairing required",
		    "PAIRING_REQUIRED");
		d = cJSON_GetObjectItem(err, "details");
		cJSON_AddStringToObject(d, "reason", sp ? sp + 1 :
		    "not-paired");
		if (reqid[0] != '\0')
			cJSON_AddStringToObject(d, "requestId", reqid);
		cJSON_AddStringToObject(d, "deviceId", c->device_id);
		cJSON_AddStringToObject(d, "requestedRole", c->role_req);
		break;
	case AUTH_DEVICE_TOKEN_MISMATCH:
		err = error_obj("INVALID_REQUEST", "unauthorized: device token "
		    "mismatch", "AUTH_DEVICE_TOKEN_MISMATCH");
		d = cJSON_GetObjectItem(err, "details");
		cJSON_AddStringToObject(d, "authReason",
		    "device_token_mismatch");
		cJSON_AddBoolToObject(d, "canRetryWithDeviceToken", 0);
		cJSON_AddStringToObject(d, "recommendedNextStep",
		    "update_auth_credentials");
		break;
	case AUTH_UNAVAILABLE:
		err = error_obj("UNAVAILABLE", msg, NULL);
		cJSON_AddBoolToObject(err, "retryable", 1);
		break;
	case AUTH_PROXY_REQUIRED:
		err = error_obj("INVALID_REQUEST", "proxy client attribution "
		    "is required", "PROXY_ATTRIBUTION_REQUIRED");
		break;
	default:
		err = error_obj("INVALID_REQUEST", "unauthorized: gateway "
		    "token mismatch", "AUTH_TOKEN_MISMATCH");
		d = cJSON_GetObjectItem(err, "details");
		cJSON_AddStringToObject(d, "authReason", "token_mismatch");
		cJSON_AddBoolToObject(d, "canRetryWithDeviceToken", 0);
		cJSON_AddStringToObject(d, "recommendedNextStep",
		    "update_auth_credentials");
	}
	handshake_fail(c, rid, err);
	return 1;
}

static void
gw_request(struct wsconn *c, cJSON *id, const char *method,
    const cJSON *params)
{
	struct pending	*pd;
	struct cbuf	 cb;
	char		*ps;
	int		 n = 0, r;

	TAILQ_FOREACH(pd, &pendings, entry)
		if (pd->conn == c->id)
			n++;
	if (n >= GW_MAXPENDING) {
		cJSON	*e = error_obj("UNAVAILABLE", "too many requests in "
		    "flight", NULL);

		cJSON_AddBoolToObject(e, "retryable", 1);
		send_res(c, id, 0, e);
		return;
	}
	ps = params ? cJSON_PrintUnformatted(params) : NULL;
	if (strlen(method) > 127 || (ps != NULL && strlen(ps) > GW_PARAMS_MAX)) {
		cJSON_free(ps);
		send_res(c, id, 0, error_obj("INVALID_REQUEST",
		    "request too large", NULL));
		return;
	}
	if ((pd = calloc(1, sizeof(*pd))) == NULL) {
		cJSON_free(ps);
		cJSON_Delete(id);
		return;
	}
	pd->role = authd_method(method) ? ROLE_AUTHD : ROLE_AGENTD;
	pd->conn = c->id;
	pd->req = ++c->next_req;
	pd->id = id;
	TAILQ_INSERT_TAIL(&pendings, pd, entry);
	cb_init(&cb);
	cb_put_u64(&cb, c->id);
	cb_put_u64(&cb, pd->req);
	cb_put_bytes(&cb, c->cap, c->caplen);
	cb_put_str(&cb, method);
	cb_put_str(&cb, ps ? ps : "{}");
	cJSON_free(ps);
	r = child_send_peer(pd->role, IMSG_RPC, 0, -1, &cb);
	cb_free(&cb);
	if (r == -1) {
		TAILQ_REMOVE(&pendings, pd, entry);
		send_res(c, pd->id, 0, error_obj("UNAVAILABLE", pd->role ==
		    ROLE_AUTHD ? "authd is not available" :
		    "agentd is not available", NULL));
		free(pd);
	}
}

void
gw_message(struct wsconn *c, const uint8_t *data, size_t len)
{
	cJSON		*f, *id, *type, *method, *params;

	if (c->state == WSS_CLOSING)
		return;
	f = cJSON_ParseWithLength((const char *)data, len);
	type = f ? cJSON_GetObjectItemCaseSensitive(f, "type") : NULL;
	id = f ? cJSON_GetObjectItemCaseSensitive(f, "id") : NULL;
	method = f ? cJSON_GetObjectItemCaseSensitive(f, "method") : NULL;
	params = f ? cJSON_GetObjectItemCaseSensitive(f, "params") : NULL;
	if (!cJSON_IsObject(f) || !cJSON_IsString(type) ||
	    strcmp(type->valuestring, "req") != 0 ||
	    !(cJSON_IsString(id) || cJSON_IsNumber(id)) ||
	    (cJSON_IsString(id) && strlen(id->valuestring) > 128) ||
	    !cJSON_IsString(method)) {
		id = cJSON_IsString(id) || cJSON_IsNumber(id) ?
		    cJSON_Duplicate(id, 0) : NULL;
		if (c->state == WSS_OPEN)
			send_res(c, id, 0, error_obj("INVALID_REQUEST",
			    "invalid request frame", NULL));
		else
			handshake_fail(c, id, error_obj("INVALID_REQUEST",
			    "invalid handshake: invalid request frame", NULL));
		cJSON_Delete(f);
		return;
	}
	id = cJSON_Duplicate(id, 0);
	switch (c->state) {
	case WSS_CHALLENGE:
		if (strcmp(method->valuestring, "connect") != 0)
			handshake_fail(c, id, error_obj("INVALID_REQUEST",
			    "invalid handshake: first request must be connect",
			    NULL));
		else
			gw_connect(c, id, params);
		break;
	case WSS_AUTH:
		send_res(c, id, 0, error_obj("INVALID_REQUEST",
		    "connect in progress", NULL));
		break;
	case WSS_OPEN:
		if (strcmp(method->valuestring, "connect") == 0)
			send_res(c, id, 0, error_obj("INVALID_REQUEST",
			    "already connected", NULL));
		else
			gw_request(c, id, method->valuestring,
			    cJSON_IsObject(params) ? params : NULL);
		break;
	default:
		cJSON_Delete(id);
	}
	cJSON_Delete(f);
}

/* agentd's answer to a request */
void
gw_rpc_result(struct imsgev *iev, struct imsg *imsg)
{
	struct pending	*pd;
	struct wsconn	*c;
	struct cbuf	 cb;
	uint64_t	 conn, req;
	uint8_t		 ok;
	char		*json = NULL;
	cJSON		*body;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &conn);
	cb_get_u64(&cb, &req);
	cb_get_u8(&cb, &ok);
	cb_get_strdup(&cb, &json, 60000);
	if (cb_get_end(&cb) == -1 || ok > 1) {
		free(json);
		imsgev_violation(iev, "malformed RPC_RES");
		return;
	}
	TAILQ_FOREACH(pd, &pendings, entry)
		if (pd->conn == conn && pd->req == req)
			break;
	if (pd == NULL || pd->role != iev->peer) {
		/* only the process asked may answer */
		free(json);
		if (pd != NULL)
			imsgev_violation(iev, "RPC_RES for another's request");
		return;
	}
	TAILQ_REMOVE(&pendings, pd, entry);
	body = cJSON_Parse(json);
	free(json);
	if ((c = ws_find(conn)) != NULL && c->state == WSS_OPEN && body != NULL)
		send_res(c, pd->id, ok, body);
	else {
		cJSON_Delete(pd->id);
		cJSON_Delete(body);
	}
	free(pd);
}

void
gw_closed(struct wsconn *c)
{
	struct pending	*pd, *next;

	for (pd = TAILQ_FIRST(&pendings); pd != NULL; pd = next) {
		next = TAILQ_NEXT(pd, entry);
		if (pd->conn == c->id) {
			TAILQ_REMOVE(&pendings, pd, entry);
			cJSON_Delete(pd->id);
			free(pd);
		}
	}
}

void
gw_peer_down(int role)
{
	struct pending	*pd, *next;
	struct wsconn	*c;

	if (role != ROLE_AGENTD && role != ROLE_AUTHD)
		return;
	for (pd = TAILQ_FIRST(&pendings); pd != NULL; pd = next) {
		next = TAILQ_NEXT(pd, entry);
		if (pd->role != role)
			continue;
		TAILQ_REMOVE(&pendings, pd, entry);
		if ((c = ws_find(pd->conn)) != NULL) {
			cJSON	*e = error_obj("UNAVAILABLE", role ==
			    ROLE_AUTHD ? "authd restarted" : "agentd "
			    "restarted", NULL);

			cJSON_AddBoolToObject(e, "retryable", 1);
			send_res(c, pd->id, 0, e);
		} else
			cJSON_Delete(pd->id);
		free(pd);
	}
}

struct relay {
	const char	*scope;
	const char	*event;
	cJSON		*payload;
	const char	*principal;
	const char	*why;
};

static void
relay_one(struct wsconn *c, void *arg)
{
	struct relay		*r = arg;
	struct capability	 cap;

	if (c->state != WSS_OPEN || cap_peek(c->cap, c->caplen, &cap) == -1 ||
	    !scope_granted(&cap, r->scope))
		return;
	send_event(c, r->event, cJSON_Duplicate(r->payload, 1));
}

/* authd's event, for the sessions whose capability shows its scope */
void
gw_event(struct imsgev *iev, struct imsg *imsg)
{
	struct relay	 r;
	struct cbuf	 cb;
	char		 scope[64], event[64], *js = NULL;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_str(&cb, scope, sizeof(scope));
	cb_get_str(&cb, event, sizeof(event));
	cb_get_strdup(&cb, &js, 60000);
	if (cb_get_end(&cb) == -1 || !scope_known(scope) ||
	    (r.payload = cJSON_Parse(js)) == NULL) {
		free(js);
		imsgev_violation(iev, "malformed EVENT");
		return;
	}
	free(js);
	r.scope = scope;
	r.event = event;
	ws_foreach(relay_one, &r);
	cJSON_Delete(r.payload);
}

static void
kick_one(struct wsconn *c, void *arg)
{
	struct relay	*r = arg;

	if (c->state == WSS_OPEN && strcmp(c->principal, r->principal) == 0) {
		log_info("closing session %llx of %s: %s",
		    (unsigned long long)c->id, c->principal, r->why);
		ws_close(c, 1008, r->why);
	}
}

/* a credential was revoked or a device removed: end its sessions */
void
gw_kick(struct imsgev *iev, struct imsg *imsg)
{
	struct relay	 r;
	struct cbuf	 cb;
	char		 principal[128], why[128];

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_str(&cb, principal, sizeof(principal));
	cb_get_str(&cb, why, sizeof(why));
	if (cb_get_end(&cb) == -1 || principal[0] == '\0') {
		imsgev_violation(iev, "malformed AUTH_KICK");
		return;
	}
	r.principal = principal;
	r.why = why;
	ws_foreach(kick_one, &r);
}

void
gw_init(struct child *ch)
{
	gw_base = ch->base;
	clock_gettime(CLOCK_MONOTONIC, &gw_started);
}
