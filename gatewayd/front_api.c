/*
 * front_api.c - authenticated HTTP routes of the front (trust zone
 * "front").  front extracts the bearer credential and the facts of the
 * connection (source address, loopback, forwarding headers), asks authd,
 * and forwards the capability authd mints to the process that serves the
 * route.  It decides nothing about identity itself.
 *
 * Routes, each a method agentd serves and checks the scope of:
 *   GET  /api/v1/whoami	whoami: principal, role and scopes
 *   POST /tools/invoke		tools.invoke (OpenClaw's shape)
 *   GET  /v1/models		models.list (OpenAI's shape)
 *   POST /v1/chat/completions	v1.chat.completions (opt-in, a whole turn)
 * A request body is parsed here (JSON, one object) and forwarded
 * re-serialized: agentd never sees the client's bytes.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <cJSON.h>
#include <sodium.h>

#include "authmsg.h"
#include "capability.h"
#include "front.h"
#include "http_auth.h"
#include "log.h"
#include "msgtypes.h"

#define API_TIMEOUT_SEC		10
#define API_TURN_TIMEOUT_SEC	120
#define API_PARAMS_MAX		16384	/* see IMSG_AGENT_CALL */
#define API_MAXPENDING		1024

enum { AR_AUTH = 1, AR_AGENT };

struct apireq {
	TAILQ_ENTRY(apireq)	 entry;
	uint64_t		 id;
	int			 stage;
	struct evhttp_request	*req;
	struct event		*timer;
	char			 method[32];
	char			*params;	/* JSON text */
	int			 openai;	/* errors in OpenAI's shape */
};

static TAILQ_HEAD(, apireq)	 pending = TAILQ_HEAD_INITIALIZER(pending);
static int			 npending;
static uint64_t			 next_id = 1ULL << 62;	/* apart from control */
static struct event_base	*api_base;

static void
send_json(struct evhttp_request *req, int code, const char *reason,
    const char *json)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct evbuffer		*b = evbuffer_new();

	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	if (b != NULL)
		evbuffer_add_printf(b, "%s\n", json);
	evhttp_send_reply(req, code, reason, b);
	if (b != NULL)
		evbuffer_free(b);
}

static void
send_error(struct evhttp_request *req, int code, const char *reason,
    const char *type, const char *msg)
{
	char	 buf[512];

	snprintf(buf, sizeof(buf), "{\"error\":{\"message\":\"%s\","
	    "\"type\":\"%s\"}}", msg, type);
	send_json(req, code, reason, buf);
}

static void
ar_free(struct apireq *ar)
{
	TAILQ_REMOVE(&pending, ar, entry);
	npending--;
	if (ar->timer != NULL)
		event_free(ar->timer);
	free(ar->params);
	free(ar);
}

static struct apireq *
ar_find(uint64_t id)
{
	struct apireq	*ar;

	TAILQ_FOREACH(ar, &pending, entry)
		if (ar->id == id)
			return ar;
	return NULL;
}

static void
ar_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct apireq	*ar = arg;

	(void)fd;
	(void)ev;
	send_error(ar->req, 503, "Service Unavailable", "unavailable",
	    "The gateway did not answer in time.");
	ar_free(ar);
}

static const struct kv	*api_config;

/*
 * What a reverse proxy asserts, copied for authd to judge: the
 * X-Forwarded-For chain, the configured user header, and whether every
 * configured required header is present and not blank.
 */
void
api_proxy_facts(struct evkeyvalq *h, char *xff, size_t xffsz, char *user,
    size_t usersz, uint8_t *reqok)
{
	const char	*v, *name;
	char		 k[32];
	int		 i;

	v = evhttp_find_header(h, "X-Forwarded-For");
	snprintf(xff, xffsz, "%s", v != NULL && strlen(v) < xffsz ? v : "");
	user[0] = '\0';
	name = api_config ? kv_get(api_config, "tp-user-header") : NULL;
	if (name != NULL && name[0] != '\0' &&
	    (v = evhttp_find_header(h, name)) != NULL && strlen(v) < usersz)
		snprintf(user, usersz, "%s", v);
	*reqok = 1;
	for (i = 0; api_config != NULL; i++) {
		snprintf(k, sizeof(k), "tp-require-%d", i);
		if ((name = kv_get(api_config, k)) == NULL)
			break;
		v = evhttp_find_header(h, name);
		if (v == NULL || v[strspn(v, " \t")] == '\0')
			*reqok = 0;
	}
}

/* front's view of the request: source, loopback, forwarding headers */
static void
request_facts(struct evhttp_request *req, char *src, size_t srcsz,
    int *loopback, int *forwarded)
{
	struct evhttp_connection	*evcon;
	struct evkeyvalq		*h;
	struct evkeyval			*kv;
	char				*addr = NULL;
	ev_uint16_t			 port = 0;

	src[0] = '\0';
	*forwarded = 0;
	if ((evcon = evhttp_request_get_connection(req)) != NULL)
		evhttp_connection_get_peer(evcon, &addr, &port);
	snprintf(src, srcsz, "%s", addr ? addr : "");
	*loopback = addr != NULL && http_addr_is_loopback(addr);
	h = evhttp_request_get_input_headers(req);
	TAILQ_FOREACH(kv, h, next)
		if (http_is_forwarding_header(kv->key))
			*forwarded = 1;
}

/* the request's JSON body re-serialized, or NULL (an error was sent) */
static char *
json_body(struct evhttp_request *req)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 len = evbuffer_get_length(in);
	cJSON		*o;
	char		*s;

	o = cJSON_ParseWithLength((const char *)evbuffer_pullup(in, -1), len);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		send_error(req, 400, "Bad Request", "invalid_request",
		    "The body must be one JSON object.");
		return NULL;
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	/* what one message to agentd carries (AGENT_CALL's params) */
	if (s != NULL && strlen(s) > API_PARAMS_MAX) {
		cJSON_free(s);
		send_error(req, 413, "Payload Too Large", "invalid_request",
		    "The body is too large for this route.");
		return NULL;
	}
	return s;
}

void
api_whoami(struct evhttp_request *req)
{
	api_call(req, "whoami", NULL);
}

void
api_tools_invoke(struct evhttp_request *req)
{
	char	*body;

	if ((body = json_body(req)) != NULL)
		api_call(req, "tools.invoke", body);
}

void
api_models(struct evhttp_request *req)
{
	api_call(req, "models.list", NULL);
}

void
api_chat_completions(struct evhttp_request *req)
{
	char	*body;

	if ((body = json_body(req)) != NULL)
		api_call(req, "v1.chat.completions", body);
}

/* authenticate, then call `method' in agentd with params (consumed) */
void
api_call(struct evhttp_request *req, const char *method, char *params)
{
	struct apireq	*ar;
	struct auth_req	 a;
	struct cbuf	 cb;
	struct timeval	 tv = { API_TIMEOUT_SEC, 0 };

	const char	*hdr, *tok = NULL;
	size_t		 len = 0;
	char		 src[64];
	int		 r, loopback, forwarded;

	/* a turn takes as long as the model does */
	if (strcmp(method, "v1.chat.completions") == 0)
		tv.tv_sec = API_TURN_TIMEOUT_SEC;
	hdr = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	r = http_bearer(hdr, &tok, &len);
	if (r == -1) {
		free(params);
		send_error(req, 400, "Bad Request", "invalid_request",
		    "Malformed Authorization header.");
		return;
	}
	if (npending >= API_MAXPENDING ||
	    (ar = calloc(1, sizeof(*ar))) == NULL) {
		free(params);
		send_error(req, 503, "Service Unavailable", "unavailable",
		    "Too many requests in flight.");
		return;
	}
	snprintf(ar->method, sizeof(ar->method), "%s", method);
	ar->params = params;
	ar->id = next_id++;
	ar->req = req;
	ar->stage = AR_AUTH;
	TAILQ_INSERT_TAIL(&pending, ar, entry);
	npending++;
	if ((ar->timer = evtimer_new(api_base, ar_timeout, ar)) == NULL ||
	    evtimer_add(ar->timer, &tv) == -1) {
		send_error(req, 500, "Internal Server Error", "internal",
		    "Internal error.");
		ar_free(ar);
		return;
	}
	request_facts(req, src, sizeof(src), &loopback, &forwarded);
	memset(&a, 0, sizeof(a));
	a.req = ar->id;
	snprintf(a.cls, sizeof(a.cls), "shared-secret");
	snprintf(a.src, sizeof(a.src), "%s", src);
	a.loopback = (uint8_t)loopback;
	a.forwarded = (uint8_t)forwarded;
	if (r == 1) {
		memcpy(a.cred, tok, len);	/* len <= HTTP_CRED_MAX */
		a.credlen = len;
	}
	snprintf(a.connector, sizeof(a.connector), "http");
	api_proxy_facts(evhttp_request_get_input_headers(req), a.xff,
	    sizeof(a.xff), a.proxy_user, sizeof(a.proxy_user),
	    &a.proxy_required_ok);
	snprintf(a.want, sizeof(a.want), "*");	/* all the token allows */
	cb_init(&cb);
	auth_req_encode(&a, &cb);
	r = child_send_peer(ROLE_AUTHD, IMSG_AUTH_TOKEN, 0, -1, &cb);
	explicit_bzero(cb.data, cb.len);
	explicit_bzero(&a, sizeof(a));
	cb_free(&cb);
	if (r == -1) {
		send_error(req, 503, "Service Unavailable", "unavailable",
		    "authd is not available.");
		ar_free(ar);
	}
}

void
api_auth_result(struct imsgev *iev, struct imsg *imsg)
{
	struct apireq	*ar;
	struct cbuf	 cb, out;
	const uint8_t	*cap;
	size_t		 caplen;
	uint64_t	 id, retry;
	uint32_t	 code;
	char		 msg[256], hdr[32], aux[128];
	int		 r;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &id);
	cb_get_u32(&cb, &code);
	cb_get_u64(&cb, &retry);
	cb_get_bytes(&cb, &cap, &caplen, CAP_MAXLEN);
	cb_get_str(&cb, msg, sizeof(msg));
	cb_get_str(&cb, aux, sizeof(aux));
	if (cb_get_end(&cb) == -1 || code >= AUTH_CODE_MAX ||
	    (code == AUTH_OK && caplen == 0)) {
		imsgev_violation(iev, "malformed AUTH_RESULT");
		return;
	}
	r = gw_auth_result(id, code, retry, cap, caplen, msg, aux);
	sodium_memzero(aux, sizeof(aux));
	if (r)
		return;		/* it was a WebSocket connect */
	if ((ar = ar_find(id)) == NULL || ar->stage != AR_AUTH)
		return;
	switch (code) {
	case AUTH_OK:
		break;
	case AUTH_RATE_LIMITED:
		snprintf(hdr, sizeof(hdr), "%llu", (unsigned long long)
		    ((retry + 999) / 1000 ? (retry + 999) / 1000 : 1));
		evhttp_add_header(evhttp_request_get_output_headers(ar->req),
		    "Retry-After", hdr);
		send_error(ar->req, 429, "Too Many Requests", "rate_limited",
		    "Too many failed authentication attempts. Please try "
		    "again later.");
		ar_free(ar);
		return;
	case AUTH_PROXY_REQUIRED:
		send_error(ar->req, 403, "Forbidden",
		    "proxy_attribution_required", "Proxy client attribution "
		    "is required. Configure trusted proxies narrowly.");
		ar_free(ar);
		return;
	default:
		evhttp_add_header(evhttp_request_get_output_headers(ar->req),
		    "WWW-Authenticate", "Bearer");
		send_error(ar->req, 401, "Unauthorized", "unauthorized",
		    "Unauthorized");
		ar_free(ar);
		return;
	}
	cb_init(&out);
	cb_put_u64(&out, ar->id);
	cb_put_bytes(&out, cap, caplen);
	cb_put_str(&out, ar->method);
	cb_put_str(&out, ar->params ? ar->params : "{}");
	if (child_send_peer(ROLE_AGENTD, IMSG_AGENT_CALL, 0, -1, &out) == -1) {
		send_error(ar->req, 503, "Service Unavailable", "unavailable",
		    "agentd is not available.");
		ar_free(ar);
	} else
		ar->stage = AR_AGENT;
	cb_free(&out);
}

/* agentd's refusal ({"ok":false,"error":...,"code":...}) as HTTP */
static void
send_failure(struct evhttp_request *req, const char *json)
{
	cJSON		*o = cJSON_Parse(json), *e;
	const cJSON	*c, *m;
	const char	*code;
	char		*s;
	int		 st;

	c = cJSON_GetObjectItemCaseSensitive(o, "code");
	m = cJSON_GetObjectItemCaseSensitive(o, "error");
	code = cJSON_IsString(c) ? c->valuestring : "UNAVAILABLE";
	st = strcmp(code, "FORBIDDEN") == 0 ? 403 :
	    strcmp(code, "INVALID_REQUEST") == 0 ? 400 :
	    strcmp(code, "NOT_FOUND") == 0 ? 404 : 503;
	e = cJSON_CreateObject();
	cJSON_AddBoolToObject(e, "ok", 0);
	c = cJSON_AddObjectToObject(e, "error");
	cJSON_AddStringToObject((cJSON *)c, "type", code);
	cJSON_AddStringToObject((cJSON *)c, "message", cJSON_IsString(m) ?
	    m->valuestring : "refused");
	s = cJSON_PrintUnformatted(e);
	send_json(req, st, st == 403 ? "Forbidden" : st == 400 ? "Bad Request" :
	    st == 404 ? "Not Found" : "Service Unavailable", s ? s : "{}");
	cJSON_free(s);
	cJSON_Delete(e);
	cJSON_Delete(o);
}

/* an AGENT_RESULT for an API request: 1 if it was one */
int
api_agent_result(uint64_t id, int ok, const char *json)
{
	struct apireq	*ar;

	if ((ar = ar_find(id)) == NULL)
		return 0;
	if (ar->stage == AR_AGENT && ok)
		send_json(ar->req, 200, "OK", json);
	else if (ar->stage == AR_AGENT)
		send_failure(ar->req, json);
	ar_free(ar);
	return 1;
}

void
api_peer_down(int role)
{
	struct apireq	*ar, *next;

	for (ar = TAILQ_FIRST(&pending); ar != NULL; ar = next) {
		next = TAILQ_NEXT(ar, entry);
		if ((role == ROLE_AUTHD && ar->stage == AR_AUTH) ||
		    (role == ROLE_AGENTD && ar->stage == AR_AGENT)) {
			send_error(ar->req, 503, "Service Unavailable",
			    "unavailable", "A gateway process restarted.");
			ar_free(ar);
		}
	}
}

void
api_init(struct child *c)
{
	api_base = c->base;
	api_config = &c->config;
}
