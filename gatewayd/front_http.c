/*
 * front_http.c - the HTTP listener of the front (trust zone "front"):
 * GET /healthz and GET /readyz for now, with explicit limits on header
 * size, body size and time.  /readyz reports each process's state as the
 * parent last pushed it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "front.h"
#include "ws.h"
#include "log.h"
#include "msgtypes.h"

#define HTTP_MAX_HEADERS	8192
#define HTTP_MAX_BODY		65536
#define HTTP_TIMEOUT_SEC	30

static struct event_base	*ws_base;

static const char *state_names[] = {
	"stopped", "starting", "running", "restarting", "throttled"
};

static void
reply_json(struct evhttp_request *req, int code, const char *reason,
    struct evbuffer *body)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_send_reply(req, code, reason, body);
}

static void
readyz(struct evhttp_request *req, struct evbuffer *b)
{
	int	 r, ready = front_states_known;
	uint8_t	 st;

	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD && ready; r++)
		if (front_states[r] != PS_RUNNING)
			ready = 0;
	evbuffer_add_printf(b, "{\"ok\":%s,\"status\":\"%s\",\"processes\":{",
	    ready ? "true" : "false", ready ? "ready" : "not ready");
	for (r = ROLE_PARENT; r <= ROLE_LAST_CHILD; r++) {
		st = front_states_known ? front_states[r] : 0;
		evbuffer_add_printf(b, "%s\"%s\":\"%s\"", r ? "," : "",
		    role_name(r), st < sizeof(state_names) /
		    sizeof(state_names[0]) ? state_names[st] : "unknown");
	}
	evbuffer_add_printf(b, "}}\n");
	reply_json(req, ready ? 200 : 503, ready ? "OK" :
	    "Service Unavailable", b);
}

static void
http_cb(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri	*uri;
	const char		*path;
	struct evbuffer		*b;

	(void)arg;
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	uri = evhttp_request_get_evhttp_uri(req);
	path = uri ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL)
		path = "";
	if (ws_is_upgrade(req)) {
		evbuffer_free(b);
		ws_upgrade(req, ws_base);
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		evbuffer_add_printf(b, "{\"ok\":false,\"error\":{\"code\":"
		    "\"METHOD_NOT_ALLOWED\",\"message\":\"use GET\"}}\n");
		reply_json(req, 405, "Method Not Allowed", b);
	} else if (strcmp(path, "/healthz") == 0) {
		evbuffer_add_printf(b, "{\"ok\":true,\"status\":\"live\"}\n");
		reply_json(req, 200, "OK", b);
	} else if (strcmp(path, "/readyz") == 0)
		readyz(req, b);
	else if (strcmp(path, "/api/v1/whoami") == 0)
		api_whoami(req);
	else {
		evbuffer_add_printf(b, "{\"ok\":false,\"error\":{\"code\":"
		    "\"NOT_FOUND\",\"message\":\"no such route\"}}\n");
		reply_json(req, 404, "Not Found", b);
	}
	evbuffer_free(b);
}

static struct evhttp *
http_new(struct child *c)
{
	struct evhttp	*http;

	if ((http = evhttp_new(c->base)) == NULL)
		fatalx("evhttp_new");
	evhttp_set_max_headers_size(http, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(http, HTTP_MAX_BODY);
	evhttp_set_timeout(http, HTTP_TIMEOUT_SEC);
	/* let every method through to answer 405 with Allow, not 501 */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(http, http_cb, NULL);
	return http;
}

void
http_init(struct child *c)
{
	struct evhttp	*plain = NULL, *http;
	const char	*cert, *key;
	char		 k[64];
	long		 idx;
	int		 i, n = 0;

	ws_base = c->base;
	ws_init();
	for (i = 0; i < c->nlisteners; i++) {
		if (c->listeners[i].kind != LISTENER_HTTP)
			continue;
		/* the name is "index address:port" */
		idx = strtol(c->listeners[i].name, NULL, 10);
		snprintf(k, sizeof(k), "tls-cert-%ld", idx);
		cert = kv_get(&c->config, k);
		snprintf(k, sizeof(k), "tls-key-%ld", idx);
		key = kv_get(&c->config, k);
		if (cert != NULL && key != NULL) {
			/* one evhttp per TLS listener, with its context */
			http = http_new(c);
			evhttp_set_bevcb(http, tls_bevcb, tls_ctx_new(cert,
			    key));
		} else {
			if (plain == NULL)
				plain = http_new(c);
			http = plain;
		}
		if (evhttp_accept_socket(http, c->listeners[i].fd) == -1)
			fatalx("cannot accept on %s", c->listeners[i].name);
		log_debug("http%s on %s", cert ? "s" : "",
		    c->listeners[i].name);
		n++;
	}
	if (n == 0)
		fatalx("no HTTP listener");
}
