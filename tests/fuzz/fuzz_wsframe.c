/*
 * fuzz_wsframe.c - libFuzzer harness for the WebSocket frame reader of
 * trust zone "front" (gatewayd/ws.c): a libwslay server context set up
 * as ws_upgrade() does (64 KiB message limit before authentication) is
 * fed the input as a client's byte stream, in bursts whose sizes the
 * first two input bytes choose, the way read_cb() gets them from the
 * bufferevent; what wslay queues (pongs, closes, replies) is sent to a
 * sink.  A message handed up must fit the limit, be of a data opcode and
 * lie inside the input.
 *
 * Input: byte 0 selects the burst sizes, byte 1 how much the sink takes
 * per call, the rest is the stream.
 *
 * ws_accept_key() is in ws.c, which needs libevent's HTTP layer, gw.c
 * and http_auth.c; the fuzz build does not link it, so it is referenced
 * weakly and exercised only when FUZZ_SRCS_wsframe links ws.c (with
 * gatewayd/http_auth.c; the gw_* callbacks are weak stubs below).
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wslay/wslay.h>

#include "ws.h"

#define SINK_MAX	(1024 * 1024)	/* bytes sent back, bounded */

struct feed {
	const uint8_t	*p;
	size_t		 left;		/* of the stream */
	size_t		 burst;		/* left of the current burst */
	uint8_t		 rsel, ssel;
	uint32_t	 rnd;
	size_t		 input;		/* stream length */
	size_t		 sent;
	uint64_t	 max;		/* message limit configured */
	int		 nsend;
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int	ws_accept_key(const char *, char *, size_t) __attribute__((weak));

/* the gateway protocol is not under test: ws.c's upcalls, if linked */
__attribute__((weak)) void
gw_open(struct wsconn *c)
{
	(void)c;
}

__attribute__((weak)) void
gw_message(struct wsconn *c, const uint8_t *m, size_t len)
{
	(void)c;
	(void)m;
	(void)len;
}

__attribute__((weak)) void
gw_closed(struct wsconn *c)
{
	(void)c;
}

/* front_api.c's reading of proxy headers, not under test here */
struct evkeyvalq;
void	api_proxy_facts(struct evkeyvalq *, char *, size_t, char *, size_t,
	    uint8_t *);

__attribute__((weak)) void
api_proxy_facts(struct evkeyvalq *h, char *xff, size_t xffsz, char *user,
    size_t usersz, uint8_t *reqok)
{
	(void)h;
	if (xffsz > 0)
		xff[0] = '\0';
	if (usersz > 0)
		user[0] = '\0';
	*reqok = 0;
}

static uint32_t
next_rnd(struct feed *f)
{
	f->rnd = f->rnd * 1103515245U + 12345U;
	return f->rnd >> 16;
}

/* how much arrives before the next read event */
static size_t
burst_size(struct feed *f)
{
	size_t	 n;

	if (f->rsel == 0)
		return f->left;			/* everything at once */
	if (f->rsel & 0x80)			/* varying sizes */
		n = 1 + next_rnd(f) % (f->rsel & 0x7f ? (f->rsel & 0x7f) *
		    37 : 1);
	else
		n = f->rsel;			/* fixed size */
	return n < f->left ? n : f->left;
}

static ssize_t
recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
    void *arg)
{
	struct feed	*f = arg;
	size_t		 n;

	(void)flags;
	if (len == 0)
		abort();
	n = f->burst < len ? f->burst : len;
	if (n == 0) {
		/* the bufferevent is empty until the next read event */
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	memcpy(buf, f->p, n);
	f->p += n;
	f->left -= n;
	f->burst -= n;
	return (ssize_t)n;
}

static ssize_t
send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *arg)
{
	struct feed	*f = arg;
	size_t		 n = len;

	(void)flags;
	if (data == NULL || len == 0)
		abort();
	/* a peer that does not read, or reads in small pieces */
	if (f->sent + len > SINK_MAX || (f->ssel & 0x80 && ++f->nsend % 3 ==
	    0)) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (f->ssel & 0x7f && n > (size_t)(f->ssel & 0x7f))
		n = f->ssel & 0x7f;
	f->sent += n;
	return (ssize_t)n;
}

static void
msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg
    *m, void *arg)
{
	struct feed		*f = arg;
	struct wslay_event_msg	 r;
	static const char	 reply[] = "{\"type\":\"res\",\"ok\":false}";

	if (m->msg_length > f->max || m->msg_length > f->input)
		abort();
	if (m->msg_length > 0 && m->msg == NULL)
		abort();
	switch (m->opcode) {
	case WSLAY_TEXT_FRAME:
		/* as gw_message() does: answer it */
		r.opcode = WSLAY_TEXT_FRAME;
		r.msg = (const uint8_t *)reply;
		r.msg_length = sizeof(reply) - 1;
		(void)wslay_event_queue_msg(ctx, &r);
		break;
	case WSLAY_BINARY_FRAME:
		/* as msg_cb() of ws.c: ws_close() */
		(void)wslay_event_queue_close(ctx, 1003,
		    (const uint8_t *)"binary", 6);
		wslay_event_shutdown_read(ctx);
		break;
	case WSLAY_CONNECTION_CLOSE:
	case WSLAY_PING:
	case WSLAY_PONG:
		/* control frames: at most 125 bytes of payload */
		if (m->msg_length > 125)
			abort();
		break;
	default:
		abort();
	}
}

static void
fuzz_accept_key(const uint8_t *data, size_t size)
{
	char	 key[64], out[64];
	size_t	 n = size < sizeof(key) - 1 ? size : sizeof(key) - 1;

	memcpy(key, data, n);
	key[n] = '\0';
	if (ws_accept_key(key, out, sizeof(out)) == 0) {
		/* base64 of a SHA-1: 28 characters, one pad */
		if (strlen(key) != 24 || strlen(out) != 28 || out[27] != '=')
			abort();
	}
	/* too small an output buffer is refused */
	if (ws_accept_key(key, out, 28) == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wslay_event_callbacks	 cbs;
	wslay_event_context_ptr		 ctx;
	struct feed			 f;
	size_t				 before;

	if (size < 2)
		return 0;
	memset(&f, 0, sizeof(f));
	f.rsel = data[0];
	f.ssel = data[1];
	f.rnd = data[0] | (uint32_t)data[1] << 8;
	f.p = data + 2;
	f.left = f.input = size - 2;
	f.max = WS_PREAUTH_MAX;

	if (ws_accept_key != NULL)
		fuzz_accept_key(f.p, f.left);

	memset(&cbs, 0, sizeof(cbs));
	cbs.recv_callback = recv_cb;
	cbs.send_callback = send_cb;
	cbs.on_msg_recv_callback = msg_cb;
	if (wslay_event_context_server_init(&ctx, &cbs, &f) != 0)
		return 0;
	wslay_event_config_set_max_recv_msg_length(ctx, f.max);

	/* read_cb() and ws_pump(), once per burst */
	while (wslay_event_want_read(ctx) && f.left > 0) {
		before = f.left;
		f.burst = burst_size(&f);
		if (wslay_event_recv(ctx) != 0)
			break;
		if (wslay_event_send(ctx) != 0)
			break;
		if (f.left == before)
			break;			/* read no more */
	}
	/* write_cb(): drain what is queued while the peer reads */
	f.ssel &= 0x7f;
	while (wslay_event_want_write(ctx)) {
		before = f.sent;
		if (wslay_event_send(ctx) != 0 || f.sent == before)
			break;
	}
	wslay_event_context_free(ctx);
	return 0;
}
