/*
 * front_http.c - the HTTP listener of the front (trust zone "front"):
 * GET /healthz and GET /readyz for now, with explicit limits on header
 * size, body size and time.  /readyz reports each process's state as the
 * parent last pushed it.
 *
 * Two limits sit around evhttp, which has neither: a cap on the number of
 * connections open at once (over every HTTP and HTTPS listener, counting
 * those upgraded to WebSocket until they close), and a deadline for each
 * request to arrive whole, however slowly its bytes trickle in (evhttp's
 * own timeout only bounds silence).  libevent 2.1 has no hook for a new
 * connection or a new request (evhttp_set_newreqcb is 2.2), so both are
 * built from public calls: the bufferevent callback (evhttp_set_bevcb)
 * sees each accepted connection first; an event made active from it runs
 * before the event loop polls again, finds the evhttp connection (the
 * argument evhttp gives the bufferevent's callbacks) and either frees it,
 * over the cap, before a byte is read, or sets its close callback, which
 * evhttp calls from evhttp_connection_free whoever frees it: evhttp
 * itself, the deadline below, or ws.c when a WebSocket ends.
 */
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "front.h"
#include "ws.h"
#include "log.h"
#include "msgtypes.h"

#define HTTP_MAX_HEADERS	8192
#define HTTP_MAX_BODY		65536
#define HTTP_TIMEOUT_SEC	30	/* idle: nothing read or written */
/*
 * At most this many HTTP connections open at once in a front process, over
 * all its listeners, WebSockets included (ws.h's WS_MAXCONN caps those
 * further).  One more is closed as soon as it is accepted, before a byte
 * of it is read or a TLS handshake begins.  Each costs a descriptor, so
 * front raises its soft RLIMIT_NOFILE to fit (HTTP_FD_SLACK for the rest).
 */
#define HTTP_MAX_CONNS		4096
#define HTTP_FD_SLACK		256
/*
 * A request must be whole - request line, headers and any body (at most
 * HTTP_MAX_BODY) - within this many seconds of its start: the accept (so
 * the TLS handshake counts too) for a connection's first request, the
 * first byte of the next one on a connection kept alive.  A client
 * trickling a byte every few seconds never trips HTTP_TIMEOUT_SEC; this
 * closes it.  A kept-alive connection waiting for its next request is
 * under HTTP_TIMEOUT_SEC only.
 */
#define HTTP_HEAD_DEADLINE_SEC	10
#define HTTP_REFUSED_LOG_SEC	10	/* at most one report this often */

/* connection states, as far as the limits are concerned */
enum { HC_NEW, HC_HEAD, HC_BUSY, HC_IDLE };

struct hconn {
	LIST_ENTRY(hconn)		 entry;		/* hconns, by evcon */
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;
	struct evbuffer_cb_entry	*incb;		/* on bev's input */
	struct event			*ev;		/* setup, then deadline */
	int				 state;
	int				 refused;	/* over the cap */
};

#define HCONN_BUCKETS	1024
static LIST_HEAD(, hconn)	 hconns[HCONN_BUCKETS];
static int			 http_max_conns = HTTP_MAX_CONNS;
static int			 http_head_sec = HTTP_HEAD_DEADLINE_SEC;
static int			 nhttp;		/* admitted, not yet closed */
static unsigned long		 nrefused;	/* since the last report */
static time_t			 refused_logged;

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

/* ---- connection cap and request deadline ---- */

static unsigned int
conn_bucket(const struct evhttp_connection *evcon)
{
	uintptr_t	 v = (uintptr_t)evcon;

	return ((v >> 4) ^ (v >> 14)) % HCONN_BUCKETS;
}

static struct hconn *
conn_find(struct evhttp_connection *evcon)
{
	struct hconn	*hc;

	LIST_FOREACH(hc, &hconns[conn_bucket(evcon)], entry)
		if (hc->evcon == evcon)
			return hc;
	return NULL;
}

static void
conn_arm(struct hconn *hc)
{
	struct timeval	 tv = { http_head_sec, 0 };

	hc->state = HC_HEAD;
	if (evtimer_add(hc->ev, &tv) == -1)
		fatalx("http: evtimer_add");
}

/* the first byte of the next request on a kept-alive connection */
static void
conn_input(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct hconn	*hc = arg;

	(void)buf;
	if (info->n_added > 0 && hc->state == HC_IDLE)
		conn_arm(hc);
}

/* evhttp_connection_free, whoever calls it: the connection is gone */
static void
conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct hconn	*hc = arg;

	(void)evcon;
	LIST_REMOVE(hc, entry);
	evbuffer_remove_cb_entry(bufferevent_get_input(hc->bev), hc->incb);
	nhttp--;
	event_free(hc->ev);
	free(hc);
}

/* a connection never admitted, or one evhttp dropped before setup */
static void
conn_forget(struct hconn *hc)
{
	struct bufferevent	*bev = hc->bev;

	if (!hc->refused)
		nhttp--;
	event_free(hc->ev);
	free(hc);
	/* our reference, taken in conn_bevcb: frees it, closes the fd */
	bufferevent_decref(bev);
}

static void
conn_refused_report(void)
{
	struct timeval	 now;

	nrefused++;
	if (event_base_gettimeofday_cached(ws_base, &now) == -1 ||
	    now.tv_sec - refused_logged < HTTP_REFUSED_LOG_SEC)
		return;
	log_warnx("http: %d connections open, the limit: refused %lu "
	    "since the last report", nhttp, nrefused);
	refused_logged = now.tv_sec;
	nrefused = 0;
}

/*
 * Active from conn_bevcb, so it runs before the loop polls again: before
 * evhttp has read a byte of the connection.
 */
static void
conn_setup(struct hconn *hc)
{
	struct evhttp_connection	*evcon;
	bufferevent_event_cb		 eventcb;
	void				*arg;

	bufferevent_getcb(hc->bev, NULL, NULL, &eventcb, &arg);
	if (eventcb == NULL || arg == NULL) {
		/* evhttp_get_request failed and freed it already */
		conn_forget(hc);
		return;
	}
	evcon = arg;
	if (evhttp_connection_get_bufferevent(evcon) != hc->bev)
		fatalx("http: libevent does not pass the connection to its "
		    "bufferevent's callbacks");
	if (hc->refused) {
		conn_refused_report();
		evhttp_connection_free(evcon);
		conn_forget(hc);
		return;
	}
	hc->evcon = evcon;
	/*
	 * Small writes go out at once: a gateway session sends a response
	 * and several events in a row, and Nagle's algorithm would hold the
	 * later ones for the client's delayed ACK (about 40 ms each turn).
	 */
	{
		int	 one = 1;

		if (bufferevent_getfd(hc->bev) != -1)
			(void)setsockopt(bufferevent_getfd(hc->bev),
			    IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if ((hc->incb = evbuffer_add_cb(bufferevent_get_input(hc->bev),
	    conn_input, hc)) == NULL)
		fatalx("http: evbuffer_add_cb");
	LIST_INSERT_HEAD(&hconns[conn_bucket(evcon)], hc, entry);
	evhttp_connection_set_closecb(evcon, conn_closed, hc);
	conn_arm(hc);
	/* from now on conn_closed tells when it goes */
	bufferevent_decref(hc->bev);
}

static void
conn_timer(evutil_socket_t fd, short what, void *arg)
{
	struct hconn	*hc = arg;
	char		*addr = NULL;
	ev_uint16_t	 port = 0;

	(void)fd;
	(void)what;
	if (hc->state == HC_NEW)
		conn_setup(hc);
	else if (hc->state == HC_HEAD) {
		evhttp_connection_get_peer(hc->evcon, &addr, &port);
		log_debug("http %s:%u: request not complete within %d s; "
		    "closed", addr ? addr : "?", port, http_head_sec);
		/* from our own event, never inside evhttp: calls conn_closed */
		evhttp_connection_free(hc->evcon);
	}
}

/*
 * evhttp's bufferevent callback: every accepted connection comes here
 * first, before evhttp makes its connection object.  It is counted or,
 * over the cap, marked refused, and conn_setup is made active; a
 * reference on the bufferevent keeps it valid for conn_setup whatever
 * evhttp does with it meanwhile.
 */
static struct bufferevent *
conn_bevcb(struct event_base *base, void *tls)
{
	struct hconn		*hc;
	struct bufferevent	*bev = NULL;

	if ((hc = calloc(1, sizeof(*hc))) == NULL ||
	    (hc->ev = evtimer_new(base, conn_timer, hc)) == NULL)
		fatal("http: new connection");
	if (tls != NULL && (bev = tls_bevcb(base, tls)) == NULL) {
		/* refused below; never fall back to plain HTTP */
		log_warnx("http: cannot make a TLS session");
		hc->refused = 1;
	}
	if (bev == NULL && (bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatal("http: bufferevent_socket_new");
	if (nhttp >= http_max_conns)
		hc->refused = 1;
	if (!hc->refused)
		nhttp++;
	hc->bev = bev;
	bufferevent_incref(bev);
	event_active(hc->ev, EV_TIMEOUT, 1);
	return bev;
}

/*
 * The response is sent and the connection kept alive: it waits for its
 * next request under HTTP_TIMEOUT_SEC only, and that request's clock
 * starts with its first byte (conn_input).
 */
static void
conn_done(struct evhttp_request *req, void *arg)
{
	struct hconn	*hc = arg;

	(void)req;
	hc->state = HC_IDLE;
	/* the next request, pipelined: its clock is already running */
	if (evbuffer_get_length(bufferevent_get_input(hc->bev)) > 0)
		conn_arm(hc);
}

/* a whole request reached http_cb: its deadline is met */
static void
conn_request(struct evhttp_request *req)
{
	struct evhttp_connection	*evcon;
	struct hconn			*hc;

	if ((evcon = evhttp_request_get_connection(req)) == NULL ||
	    (hc = conn_find(evcon)) == NULL)
		return;
	evtimer_del(hc->ev);
	hc->state = HC_BUSY;
	/* the response sent, the connection waits for the next request */
	evhttp_request_set_on_complete_cb(req, conn_done, hc);
}

#ifdef CLAWGATE_TEST_HOOKS
/* test builds: the limits from the environment (see httplimits.sh) */
static int
test_limit(const char *name, int def, long max)
{
	const char	*v = getenv(name);
	char		*end;
	long		 n;

	if (v == NULL)
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 1 || n > max)
		fatalx("%s: bad value \"%s\"", name, v);
	log_info("test hook: %s=%ld", name, n);
	return (int)n;
}
#endif

/* one descriptor per connection: make room for the cap */
static void
http_nofile(void)
{
	struct rlimit	 rl;
	rlim_t		 want = (rlim_t)http_max_conns + HTTP_FD_SLACK;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("getrlimit");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max != RLIM_INFINITY &&
		    rl.rlim_max < want ? rl.rlim_max : want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			fatal("setrlimit");
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
		log_warnx("http: descriptor limit %llu is below the %d "
		    "connections allowed and %d more",
		    (unsigned long long)rl.rlim_cur, http_max_conns,
		    HTTP_FD_SLACK);
}

static void
http_cb(struct evhttp_request *req, void *arg)
{
	int			 post;
	const struct evhttp_uri	*uri;
	const char		*path;
	struct evbuffer		*b;

	(void)arg;
	conn_request(req);
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
	post = strcmp(path, "/tools/invoke") == 0 ||
	    strcmp(path, "/v1/chat/completions") == 0;
	if ((post && evhttp_request_get_command(req) != EVHTTP_REQ_POST) ||
	    (!post && evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", post ? "POST" : "GET, HEAD");
		evbuffer_add_printf(b, "{\"ok\":false,\"error\":{\"code\":"
		    "\"METHOD_NOT_ALLOWED\",\"message\":\"use %s\"}}\n",
		    post ? "POST" : "GET");
		reply_json(req, 405, "Method Not Allowed", b);
	} else if (post && path[1] == 't')
		api_tools_invoke(req);
	else if (post)
		api_chat_completions(req);
	else if (strcmp(path, "/v1/models") == 0)
		api_models(req);
	else if (strcmp(path, "/healthz") == 0) {
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
http_new(struct child *c, void *tls)
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
	/* every connection comes through conn_bevcb: the cap, the deadline */
	evhttp_set_bevcb(http, conn_bevcb, tls);
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
#ifdef CLAWGATE_TEST_HOOKS
	http_max_conns = test_limit("CLAWGATE_TEST_HTTP_MAXCONN",
	    HTTP_MAX_CONNS, 1000000);
	http_head_sec = test_limit("CLAWGATE_TEST_HTTP_HEAD_SEC",
	    HTTP_HEAD_DEADLINE_SEC, 3600);
#endif
	http_nofile();
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
			http = http_new(c, tls_ctx_new(cert, key));
		} else {
			if (plain == NULL)
				plain = http_new(c, NULL);
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
