/*
 * ws.c - WebSocket transport of the front (trust zone "front").
 *
 * An Upgrade request that evhttp hands us is checked (GET, Upgrade:
 * websocket, Connection: upgrade, version 13, a 16-byte key), answered
 * with 101, and the connection's bufferevent is taken over from evhttp:
 * from then on libwslay frames it.  wslay enforces client masking,
 * reassembles fragments, answers pings and close frames, and closes with
 * 1009 a message above the current limit (64 KiB before authentication).
 * Each connection's send buffer is capped; a client that does not read is
 * dropped.  The evhttp connection object is freed with the WebSocket.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <wslay/wslay.h>

#include "front.h"
#include "http_auth.h"
#include "log.h"
#include "ws.h"

#define WS_GUID	"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

struct wspriv {
	TAILQ_ENTRY(wspriv)		 entry;
	struct wsconn			 pub;
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;
	wslay_event_context_ptr		 ctx;
	int				 freeing;
	int				 dead;		/* being dropped */
};

static TAILQ_HEAD(, wspriv)	 conns = TAILQ_HEAD_INITIALIZER(conns);
static int			 nconns;
static uint64_t			 next_id = 1ULL << 61;

int
ws_accept_key(const char *key, char *out, size_t outsz)
{
	unsigned char	 md[SHA_DIGEST_LENGTH];
	char		 buf[128];
	unsigned char	 raw[32];
	size_t		 rawlen;

	/* the key must be base64 of exactly 16 bytes */
	if (key == NULL || strlen(key) != 24 ||
	    sodium_base642bin(raw, sizeof(raw), key, 24, NULL, &rawlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || rawlen != 16)
		return -1;
	if (outsz < sodium_base64_ENCODED_LEN(SHA_DIGEST_LENGTH,
	    sodium_base64_VARIANT_ORIGINAL))
		return -1;
	snprintf(buf, sizeof(buf), "%s%s", key, WS_GUID);
	SHA1((const unsigned char *)buf, strlen(buf), md);
	sodium_bin2base64(out, outsz, md, sizeof(md),
	    sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

static int
header_has_token(const char *v, const char *token)
{
	size_t	 n = strlen(token);

	while (v != NULL && *v != '\0') {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (strncasecmp(v, token, n) == 0 &&
		    (v[n] == '\0' || v[n] == ',' || v[n] == ' ' ||
		    v[n] == '\t'))
			return 1;
		while (*v != '\0' && *v != ',')
			v++;
	}
	return 0;
}

/*
 * OpenSSL initializes itself (configuration, providers) on first use,
 * which reads files: do it before the chroot and the seccomp filter.
 */
void
ws_init(void)
{
	char	 out[64];

	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1 ||
	    ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out, sizeof(out)) == -1 ||
	    strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != 0)
		fatalx("WebSocket accept key self-test failed");
}

int
ws_is_upgrade(struct evhttp_request *req)
{
	struct evkeyvalq	*h = evhttp_request_get_input_headers(req);

	return header_has_token(evhttp_find_header(h, "Upgrade"),
	    "websocket");
}

struct wsconn *
ws_find(uint64_t id)
{
	struct wspriv	*p;

	TAILQ_FOREACH(p, &conns, entry)
		if (p->pub.id == id)
			return &p->pub;
	return NULL;
}

/* call fn on every connection; fn may close it (freeing is deferred) */
void
ws_foreach(void (*fn)(struct wsconn *, void *), void *arg)
{
	struct wspriv	*p;

	TAILQ_FOREACH(p, &conns, entry)
		if (!p->dead && !p->freeing)
			fn(&p->pub, arg);
}

static void
ws_free(struct wspriv *p)
{
	if (p->freeing)
		return;
	p->freeing = 1;
	gw_closed(&p->pub);
	TAILQ_REMOVE(&conns, p, entry);
	nconns--;
	if (p->pub.timer != NULL)
		event_free(p->pub.timer);
	free(p->pub.connect_id);
	if (p->ctx != NULL)
		wslay_event_context_free(p->ctx);
	/* frees the request, the bufferevent and the descriptor */
	evhttp_connection_free(p->evcon);
	free(p);
}

static void
deferred_free(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	ws_free(arg);
}

/*
 * Drop the connection.  It may be called deep inside wslay (a reply sent
 * from a message callback) or by code that still holds the wsconn, so the
 * memory is freed from the event loop, never here.
 */
static void
ws_drop(struct wspriv *p)
{
	struct timeval	 zero = { 0, 0 };

	if (p->dead || p->freeing)
		return;
	p->dead = 1;
	p->pub.state = WSS_CLOSING;
	wslay_event_shutdown_read(p->ctx);
	wslay_event_shutdown_write(p->ctx);
	bufferevent_disable(p->bev, EV_READ | EV_WRITE);
	if (event_base_once(bufferevent_get_base(p->bev), -1, EV_TIMEOUT,
	    deferred_free, p, &zero) == -1)
		fatalx("event_base_once");
}

/* push what wslay has queued; drop the connection when it is over */
static void
ws_pump(struct wspriv *p)
{
	struct evbuffer	*out = bufferevent_get_output(p->bev);

	if (p->dead)
		return;
	if (wslay_event_send(p->ctx) != 0) {
		ws_drop(p);
		return;
	}
	if (evbuffer_get_length(out) > WS_SENDBUF_MAX) {
		log_warnx("ws %llu: client does not read; dropped",
		    (unsigned long long)p->pub.id);
		ws_drop(p);
		return;
	}
	if (!wslay_event_want_read(p->ctx) && !wslay_event_want_write(p->ctx)
	    && evbuffer_get_length(out) == 0)
		ws_drop(p);
}

static ssize_t
recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
    void *arg)
{
	struct wspriv	*p = arg;
	int		 n;

	(void)flags;
	n = evbuffer_remove(bufferevent_get_input(p->bev), buf, len);
	if (n <= 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	return n;
}

static ssize_t
send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *arg)
{
	struct wspriv	*p = arg;

	(void)flags;
	if (evbuffer_get_length(bufferevent_get_output(p->bev)) >
	    WS_SENDBUF_MAX || bufferevent_write(p->bev, data, len) == -1) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	return (ssize_t)len;
}

static void
msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg
    *m, void *arg)
{
	struct wspriv	*p = arg;

	(void)ctx;
	if (m->opcode == WSLAY_TEXT_FRAME)
		gw_message(&p->pub, m->msg, m->msg_length);
	else if (m->opcode == WSLAY_BINARY_FRAME)
		ws_close(&p->pub, 1003, "binary frames are not supported");
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct wspriv	*p = arg;
	int		 r;

	(void)bev;
	if (p->dead)
		return;
	r = wslay_event_recv(p->ctx);
	if (r != 0) {
		ws_drop(p);
		return;
	}
	ws_pump(p);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct wspriv	*p = arg;

	(void)bev;
	ws_pump(p);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		ws_drop(arg);
}

int
ws_send_text(struct wsconn *c, const char *s, size_t len)
{
	struct wspriv		*p = c->priv;
	struct wslay_event_msg	 m;

	if (p->freeing || p->dead || wslay_event_get_close_sent(p->ctx))
		return -1;
	m.opcode = WSLAY_TEXT_FRAME;
	m.msg = (const uint8_t *)s;
	m.msg_length = len;
	if (wslay_event_queue_msg(p->ctx, &m) != 0)
		return -1;
	ws_pump(p);
	return 0;
}

void
ws_close(struct wsconn *c, uint16_t code, const char *reason)
{
	struct wspriv	*p = c->priv;

	if (p->freeing || p->dead)
		return;
	c->state = WSS_CLOSING;
	wslay_event_queue_close(p->ctx, code, (const uint8_t *)reason,
	    strlen(reason));
	wslay_event_shutdown_read(p->ctx);
	ws_pump(p);
}

void
ws_set_max_message(struct wsconn *c, uint64_t max)
{
	struct wspriv	*p = c->priv;

	wslay_event_config_set_max_recv_msg_length(p->ctx, max);
}

static void
refuse(struct evhttp_request *req, int code, const char *reason)
{
	evhttp_send_error(req, code, reason);
}

void
ws_upgrade(struct evhttp_request *req, struct event_base *base)
{
	struct evkeyvalq		*in;
	struct evhttp_connection	*evcon;
	struct evkeyval			*kv;
	struct wslay_event_callbacks	 cbs;
	struct wspriv			*p;
	char				 accept[64], *addr = NULL;
	ev_uint16_t			 port;
	const char			*v;

	(void)base;
	in = evhttp_request_get_input_headers(req);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET ||
	    !header_has_token(evhttp_find_header(in, "Connection"), "upgrade")) {
		refuse(req, 400, "Bad Request");
		return;
	}
	if ((v = evhttp_find_header(in, "Sec-WebSocket-Version")) == NULL ||
	    strcmp(v, "13") != 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Sec-WebSocket-Version", "13");
		refuse(req, 426, "Upgrade Required");
		return;
	}
	if (ws_accept_key(evhttp_find_header(in, "Sec-WebSocket-Key"), accept,
	    sizeof(accept)) == -1) {
		refuse(req, 400, "Bad Request");
		return;
	}
	if (nconns >= WS_MAXCONN || (p = calloc(1, sizeof(*p))) == NULL) {
		refuse(req, 503, "Service Unavailable");
		return;
	}
	memset(&cbs, 0, sizeof(cbs));
	cbs.recv_callback = recv_cb;
	cbs.send_callback = send_cb;
	cbs.on_msg_recv_callback = msg_cb;
	if (wslay_event_context_server_init(&p->ctx, &cbs, p) != 0) {
		free(p);
		refuse(req, 503, "Service Unavailable");
		return;
	}
	wslay_event_config_set_max_recv_msg_length(p->ctx, WS_PREAUTH_MAX);
	evcon = evhttp_request_get_connection(req);
	p->evcon = evcon;
	p->bev = evhttp_connection_get_bufferevent(evcon);
	p->pub.id = next_id++;
	p->pub.priv = p;
	evhttp_connection_get_peer(evcon, &addr, &port);
	snprintf(p->pub.src, sizeof(p->pub.src), "%s", addr ? addr : "");
	p->pub.loopback = addr != NULL && http_addr_is_loopback(addr);
	TAILQ_FOREACH(kv, in, next)
		if (http_is_forwarding_header(kv->key))
			p->pub.forwarded = 1;
	api_proxy_facts(in, p->pub.xff, sizeof(p->pub.xff), p->pub.proxy_user,
	    sizeof(p->pub.proxy_user), &p->pub.proxy_required_ok);
	/* a browser: its failures are counted per origin, never exempt */
	if ((v = evhttp_find_header(in, "Origin")) != NULL &&
	    strlen(v) < sizeof(p->pub.origin))
		snprintf(p->pub.origin, sizeof(p->pub.origin), "%s", v);
	else if (v != NULL)
		snprintf(p->pub.origin, sizeof(p->pub.origin), "invalid");
	TAILQ_INSERT_TAIL(&conns, p, entry);
	nconns++;

	/* take the connection over from evhttp */
	bufferevent_setcb(p->bev, read_cb, write_cb, event_cb, p);
	bufferevent_set_timeouts(p->bev, NULL, NULL);
	evbuffer_add_printf(bufferevent_get_output(p->bev),
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
	gw_open(&p->pub);
	/* frames that came with the upgrade request */
	if (evbuffer_get_length(bufferevent_get_input(p->bev)) > 0)
		read_cb(p->bev, p);
}
