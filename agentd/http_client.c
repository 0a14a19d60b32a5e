/*
 * http_client.c - agentd's outbound HTTP(S) client for model providers
 * (trust zone "agentd": the only process with outbound network).
 *
 * libevent's evhttp client over a plain or an OpenSSL bufferevent.  TLS
 * verifies the certificate chain against a CA file loaded at start
 * (before the chroot) and the host name (X509_VERIFY_PARAM_set1_host),
 * TLS 1.2 at least.  Names are resolved by evdns with the resolver
 * configuration read at start.  The response body arrives in chunks as
 * it streams (SSE); every request has a deadline.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "agentd.h"
#include "log.h"

struct hc {
	struct evhttp_connection	*conn;
	struct evhttp_request		*req;
	struct event			*timer;
	hc_head_cb			 head;
	hc_chunk_cb			 chunk;
	hc_done_cb			 done;
	void				*arg;
	int				 status;
	int				 got_head;
	int				 finished;
	struct timeval			 tv;	/* the deadline */
};

static struct event_base	*hc_base;
static struct evdns_base	*hc_dns;
static SSL_CTX			*hc_ssl;

void
http_client_init(struct event_base *base, const char *cafile)
{
	hc_base = base;
	/* resolver and CA are read now: after the chroot they are gone */
	if ((hc_dns = evdns_base_new(base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS)) == NULL)
		log_warnx("http: no resolver configuration; only numeric "
		    "addresses will work");
	else if (evdns_base_load_hosts(hc_dns, NULL) != 0)
		log_warnx("http: cannot read /etc/hosts");
	if ((hc_ssl = SSL_CTX_new(TLS_client_method())) == NULL)
		fatalx("SSL_CTX_new");
	SSL_CTX_set_min_proto_version(hc_ssl, TLS1_2_VERSION);
	SSL_CTX_set_verify(hc_ssl, SSL_VERIFY_PEER, NULL);
	if (cafile != NULL && SSL_CTX_load_verify_locations(hc_ssl, cafile,
	    NULL) != 1)
		log_warnx("http: cannot load CA file %s; HTTPS will fail",
		    cafile);
}

/* scheme://host[:port]/path, host a name or [v6] */
int
url_split(const char *url, struct url *u)
{
	const char	*p, *h, *e;
	size_t		 n;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "https://", 8) == 0) {
		u->tls = 1;
		u->port = 443;
		p = url + 8;
	} else if (strncmp(url, "http://", 7) == 0) {
		u->port = 80;
		p = url + 7;
	} else
		return -1;
	h = p;
	if (*h == '[') {
		if ((e = strchr(h, ']')) == NULL)
			return -1;
		n = (size_t)(e - h - 1);
		if (n == 0 || n >= sizeof(u->host))
			return -1;
		memcpy(u->host, h + 1, n);
		p = e + 1;
	} else {
		n = strcspn(h, ":/");
		if (n == 0 || n >= sizeof(u->host))
			return -1;
		memcpy(u->host, h, n);
		p = h + n;
	}
	if (*p == ':') {
		char	*end;
		long	 v = strtol(p + 1, &end, 10);

		if (v < 1 || v > 65535 || (*end != '/' && *end != '\0'))
			return -1;
		u->port = (int)v;
		p = end;
	}
	if (strlen(p) >= sizeof(u->path))
		return -1;
	snprintf(u->path, sizeof(u->path), "%s", *p ? p : "/");
	if (strpbrk(u->host, "@ \t\r\n") != NULL ||
	    strpbrk(u->path, " \t\r\n") != NULL)
		return -1;
	return 0;
}

static void
hc_finish(struct hc *h, const char *err)
{
	hc_done_cb	 done = h->done;
	void		*arg = h->arg;

	if (h->finished)
		return;
	h->finished = 1;
	if (h->timer != NULL)
		evtimer_del(h->timer);
	done(arg, h->status, err);
}

static void
hc_chunk(struct evhttp_request *req, void *arg)
{
	struct hc	*h = arg;
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 n;
	char		*p;

	if (h->finished)
		return;
	if (!h->got_head) {
		h->got_head = 1;
		h->status = evhttp_request_get_response_code(req);
		if (h->head != NULL)
			h->head(h->arg, h->status,
			    evhttp_request_get_input_headers(req));
	}
	while ((n = evbuffer_get_contiguous_space(in)) > 0) {
		p = (char *)evbuffer_pullup(in, (ev_ssize_t)n);
		if (h->chunk(h->arg, p, n) == -1) {
			evbuffer_drain(in, evbuffer_get_length(in));
			hc_finish(h, "stopped");
			return;
		}
		evbuffer_drain(in, n);
	}
	/* the deadline is for silence too: reset it as data comes */
	if (h->timer != NULL)
		evtimer_add(h->timer, &h->tv);
}

static void
hc_done(struct evhttp_request *req, void *arg)
{
	struct hc	*h = arg;
	int		 code;

	if (h->finished)
		return;
	if (req == NULL || (code = evhttp_request_get_response_code(req)) ==
	    0) {
		char		 msg[200];
		unsigned long	 e = 0;
		struct bufferevent *bev;

		/* libevent keeps the TLS error with the connection */
		if (h->conn != NULL && (bev = evhttp_connection_get_bufferevent(
		    h->conn)) != NULL)
			e = bufferevent_get_openssl_error(bev);

		/* a TLS failure says why; anything else is the network */
		if (e != 0)
			snprintf(msg, sizeof(msg), "model provider: TLS: %s",
			    ERR_reason_error_string(e) ?
			    ERR_reason_error_string(e) : "handshake failed");
		else
			snprintf(msg, sizeof(msg), "model provider unreachable "
			    "(connection failed)");
		ERR_clear_error();
		log_info("http: %s", msg);
		hc_finish(h, msg);
		return;
	}
	if (!h->got_head || evbuffer_get_length(
	    evhttp_request_get_input_buffer(req)) > 0)
		hc_chunk(req, h);
	hc_finish(h, NULL);
}

static void
hc_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct hc	*h = arg;

	(void)fd;
	(void)ev;
	hc_finish(h, "model provider timed out");
}

void
hc_free(struct hc *h)
{
	if (h == NULL)
		return;
	if (h->timer != NULL)
		event_free(h->timer);
	/* frees a request still pending on it, without calling back */
	if (h->conn != NULL)
		evhttp_connection_free(h->conn);
	free(h);
}

struct hc *
hc_post(const char *url, const struct hc_header *hdrs, size_t nhdrs,
    const char *body, size_t bodylen, unsigned timeout_ms, hc_head_cb head,
    hc_chunk_cb chunk, hc_done_cb done, void *arg, const char **err)
{
	struct url		 u;
	struct hc		*h;
	struct bufferevent	*bev;
	struct evkeyvalq	*oh;
	SSL			*ssl = NULL;
	unsigned char		 ab[16];
	char			 hostport[300];
	size_t			 i;

	if (url_split(url, &u) == -1) {
		*err = "bad base URL";
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		fatalx("out of memory");
	h->head = head;
	h->chunk = chunk;
	h->done = done;
	h->arg = arg;
	h->tv.tv_sec = timeout_ms / 1000;
	h->tv.tv_usec = (timeout_ms % 1000) * 1000;
	if (u.tls) {
		if ((ssl = SSL_new(hc_ssl)) == NULL)
			fatalx("SSL_new");
		/* an address is checked against IP SANs, a name against
		 * DNS names; only a name goes in SNI */
		if (inet_pton(AF_INET, u.host, ab) == 1 ||
		    inet_pton(AF_INET6, u.host, ab) == 1) {
			if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
			    u.host) != 1)
				fatalx("X509_VERIFY_PARAM_set1_ip_asc");
		} else if (SSL_set_tlsext_host_name(ssl, u.host) != 1 ||
		    X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), u.host,
		    0) != 1)
			fatalx("X509_VERIFY_PARAM_set1_host");
		bev = bufferevent_openssl_socket_new(hc_base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE |
		    BEV_OPT_DEFER_CALLBACKS);
	} else
		bev = bufferevent_socket_new(hc_base, -1, BEV_OPT_CLOSE_ON_FREE |
		    BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL)
		fatalx("bufferevent");
	if ((h->conn = evhttp_connection_base_bufferevent_new(hc_base, hc_dns,
	    bev, u.host, (unsigned short)u.port)) == NULL)
		fatalx("evhttp_connection_base_bufferevent_new");
	evhttp_connection_set_timeout(h->conn, (int)(timeout_ms / 1000) + 1);
	evhttp_connection_set_retries(h->conn, 0);
	if ((h->req = evhttp_request_new(hc_done, h)) == NULL)
		fatalx("evhttp_request_new");
	evhttp_request_set_chunked_cb(h->req, hc_chunk);
	oh = evhttp_request_get_output_headers(h->req);
	if ((u.tls && u.port == 443) || (!u.tls && u.port == 80))
		snprintf(hostport, sizeof(hostport), "%s", u.host);
	else
		snprintf(hostport, sizeof(hostport), "%s:%d", u.host, u.port);
	evhttp_add_header(oh, "Host", hostport);
	evhttp_add_header(oh, "Content-Type", "application/json");
	evhttp_add_header(oh, "Accept", "application/json, text/event-stream");
	evhttp_add_header(oh, "User-Agent", "clawgate-agentd/0.1");
	for (i = 0; i < nhdrs; i++)
		evhttp_add_header(oh, hdrs[i].name, hdrs[i].value);
	evbuffer_add(evhttp_request_get_output_buffer(h->req), body, bodylen);
	if ((h->timer = evtimer_new(hc_base, hc_timeout, h)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(h->timer, &h->tv);
	if (evhttp_make_request(h->conn, h->req, EVHTTP_REQ_POST,
	    u.path) == -1) {
		/* evhttp freed the request */
		h->req = NULL;
		hc_free(h);
		*err = "model provider unreachable";
		return NULL;
	}
	return h;
}
