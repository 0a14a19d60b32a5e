/*
 * wsconnect.c - WebSocket handshake load generator for bench/http.sh.
 *
 *	wsconnect [-D [-T]] [-c CONNS] [-d SECS] [-P PROCS] [-t TIMEOUT_MS]
 *	    [-p PATH] HOST PORT TOKEN
 *
 * Each of CONNS concurrent slots (spread over PROCS processes, one epoll
 * loop each) does, over and over for SECS seconds: TCP connect to
 * HOST:PORT (numeric IPv4), an HTTP/1.1 Upgrade by hand with a fixed
 * Sec-WebSocket-Key, reads the 101 (and checks Sec-WebSocket-Accept),
 * reads the connect.challenge event, sends one masked text frame with
 * the OpenClaw gateway protocol's connect request (protocol 4, operator,
 * scopes operator.read, auth.token TOKEN, no device block), reads until
 * the res frame (type res, ok true) whose payload is the hello-ok, then
 * sends a close frame (1000) and closes the socket.  Any other res (an
 * error) is a failure.  One handshake is timed from just before
 * connect(2) to the hello-ok; a handshake still under way at the end of
 * SECS is dropped (not counted, not an error).
 *
 * Prints one line of key=value pairs on stdout:
 *	ok=N secs=S rate=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
 *	    err_connect=.. err_http=.. err_proto=.. err_auth=.. err_pairing=..
 *	    err_timeout=.. hello=N
 * (ok = hello = the hello-oks of the timed handshakes; err_pairing the
 * refusals with PAIRING_REQUIRED, err_auth every other error res or a
 * close frame instead of the answer), with -D also
 *	first=N first_ms=.. first_token=N
 * (below), and, on stderr, the first failure of each kind seen.
 *
 * By default no device proof is sent.  With -D (built with -DWITH_SODIUM
 * -lsodium) each process makes one Ed25519 device key, and every connect
 * carries a device block: id (hex SHA-256 of the public key), publicKey
 * (base64url), signedAt (now, ms), the challenge's nonce and the
 * signature of OpenClaw's v3 payload
 *	v3|id|cli|cli|operator|operator.read|signedAt|TOKEN|nonce|linux|
 * Only a hello-ok counts: a device that is not paired (PAIRING_REQUIRED)
 * is an error.  Before its clock starts each process makes one connect of
 * its own, alone and untimed: the first connect of a new key, which a
 * gateway that pairs loopback devices silently (OpenClaw by default,
 * clawgate with `pairing auto-approve-local yes') answers by pairing it.
 * That connect is counted in none of the figures above: first= says how
 * many processes got hello-ok for it (so PROCS when all went well),
 * first_ms the slowest of them, first_token how many hello-oks carried
 * auth.deviceToken.  Every timed connect then is that of a paired device.
 *
 * With -T (and -D) the timed connects send no shared token: auth holds
 * only deviceToken, the token of the first connect's hello-ok, and the
 * device signs over it (the payload's token field is auth.token ??
 * auth.deviceToken, so here the device token).  A process whose first
 * connect gave no device token still runs, and its connects fail.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef WITH_SODIUM
#include <sodium.h>
#endif

/* RFC 6455 1.3: this key's accept value is s3pPLMBiTxaQ9kYGzzhZRbK+xOo= */
#define WS_KEY		"dGhlIHNhbXBsZSBub25jZQ=="
#define WS_ACCEPT	"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

enum state { S_CONNECTING, S_HTTP, S_CHALLENGE, S_HELLO };
enum err { E_CONNECT, E_HTTP, E_PROTO, E_AUTH, E_PAIRING, E_TIMEOUT, E_MAX };
static const char *errname[E_MAX] = {
	"connect", "http", "proto", "auth", "pairing", "timeout"
};

struct slot {
	int		 fd;
	enum state	 st;
	uint64_t	 t0;
	char		*buf;		/* bytes read, not yet consumed */
	size_t		 len, cap;
	char		*msg;		/* a text message being reassembled */
	size_t		 mlen, mcap;
	char		 nonce[128];	/* of the connect.challenge */
};

static struct sockaddr_in sa;
static char	 upgrade[512];
static size_t	 upgrade_len;
static unsigned char connect_frame[2048];
static size_t	 connect_len;
static int	 device_mode;
static int	 devtoken_mode;	/* -T: auth.deviceToken, not auth.token */
static int	 want_devtoken;	/* keep the deviceToken of the next hello-ok */
static const char *token;
static char	 dev_token[260];	/* from the first connect's hello-ok */
static uint64_t	 nhello;
#ifdef WITH_SODIUM
static unsigned char dev_sk[crypto_sign_SECRETKEYBYTES];
static char	 dev_id[crypto_hash_sha256_BYTES * 2 + 1];
static char	 dev_pk64[64];
#endif
static int	 timeout_ms = 5000;
static uint32_t	*lat;		/* us per handshake */
static size_t	 nlat, caplat;
static uint64_t	 nerr[E_MAX];
static int	 reported[E_MAX];
static const char *phase = "";	/* for the failure messages */

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
die(const char *m)
{
	perror(m);
	exit(2);
}

static void
grow(char **p, size_t *cap, size_t need)
{
	size_t	n = *cap ? *cap : 4096;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	if ((*p = realloc(*p, n)) == NULL)
		die("realloc");
	*cap = n;
}

static size_t
frame(unsigned char *out, int opcode, const void *data, size_t n)
{
	static const unsigned char mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	const unsigned char *d = data;
	size_t	 h = 0, i;

	out[h++] = 0x80 | (unsigned char)opcode;
	if (n < 126)
		out[h++] = 0x80 | (unsigned char)n;
	else {
		out[h++] = 0x80 | 126;
		out[h++] = (unsigned char)(n >> 8);
		out[h++] = (unsigned char)n;
	}
	memcpy(out + h, mask, 4);
	h += 4;
	for (i = 0; i < n; i++)
		out[h + i] = d[i] ^ mask[i & 3];
	return h + n;
}

static void
fail(struct slot *s, enum err e, const char *why)
{
	nerr[e]++;
	if (!reported[e]) {
		reported[e] = 1;
		fprintf(stderr, "wsconnect[%d]: %sfirst %s failure: %s\n",
		    (int)getpid(), phase, errname[e], why);
	}
	close(s->fd);
	s->fd = -1;
}

static void
finish_ok(struct slot *s, uint64_t t)
{
	unsigned char	cf[16];
	const unsigned char code[2] = { 0x03, 0xe8 };	/* 1000 */
	size_t		n;

	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 65536;
		if ((lat = realloc(lat, caplat * sizeof(*lat))) == NULL)
			die("realloc");
	}
	lat[nlat++] = (uint32_t)(t - s->t0);
	n = frame(cf, 0x8, code, sizeof(code));
	(void)!write(s->fd, cf, n);
	close(s->fd);
	s->fd = -1;
}

static int
start(int ep, struct slot *s)
{
	struct epoll_event	ev;
	int			fd, one = 1;

	s->len = s->mlen = 0;
	s->t0 = now_us();
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->fd = fd;
	s->st = S_CONNECTING;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
	    errno != EINPROGRESS) {
		fail(s, E_CONNECT, strerror(errno));
		return -1;
	}
	ev.events = EPOLLOUT;
	ev.data.ptr = s;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		die("epoll_ctl");
	return 0;
}

static void
get_nonce(struct slot *s)
{
	const char	*p;
	size_t		 n;

	s->nonce[0] = '\0';
	if ((p = strstr(s->msg, "\"nonce\":\"")) == NULL)
		return;
	p += 9;
	n = strcspn(p, "\"");
	if (n < sizeof(s->nonce)) {
		memcpy(s->nonce, p, n);
		s->nonce[n] = '\0';
	}
}

/* the connect request, in connect_frame; with -D signed for this nonce */
static size_t
build_connect(const char *nonce)
{
	char		 body[1536], dev[768];
	const char	*tok = devtoken_mode ? dev_token : token;
#ifdef WITH_SODIUM
	char		 payload[768], sig64[128];
	unsigned char	 sig[crypto_sign_BYTES];
	struct timespec	 ts;
	unsigned long long at;
	int		 n;
#endif

	dev[0] = '\0';
#ifdef WITH_SODIUM
	if (device_mode) {
		clock_gettime(CLOCK_REALTIME, &ts);
		at = (unsigned long long)ts.tv_sec * 1000 +
		    (unsigned long long)ts.tv_nsec / 1000000;
		n = snprintf(payload, sizeof(payload), "v3|%s|cli|cli|operator|"
		    "operator.read|%llu|%s|%s|linux|", dev_id, at, tok, nonce);
		if (n < 0 || (size_t)n >= sizeof(payload))
			n = 0;
		crypto_sign_detached(sig, NULL, (unsigned char *)payload,
		    (unsigned long long)n, dev_sk);
		sodium_bin2base64(sig64, sizeof(sig64), sig, sizeof(sig),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		snprintf(dev, sizeof(dev), ",\"device\":{\"id\":\"%s\","
		    "\"publicKey\":\"%s\",\"signature\":\"%s\","
		    "\"signedAt\":%llu,\"nonce\":\"%s\"}", dev_id, dev_pk64,
		    sig64, at, nonce);
	}
#else
	(void)nonce;
#endif
	snprintf(body, sizeof(body), "{\"type\":\"req\",\"id\":\"c1\","
	    "\"method\":\"connect\",\"params\":{\"minProtocol\":4,"
	    "\"maxProtocol\":4,\"client\":{\"id\":\"cli\",\"version\":\"1\","
	    "\"platform\":\"linux\",\"mode\":\"cli\"},\"role\":\"operator\","
	    "\"scopes\":[\"operator.read\"],\"auth\":{\"%s\":\"%s\"}%s}}",
	    devtoken_mode ? "deviceToken" : "token", tok, dev);
	return frame(connect_frame, 0x1, body, strlen(body));
}

/* the hello-ok's auth.deviceToken, into dev_token */
static void
keep_devtoken(const char *msg)
{
	const char	*p;
	size_t		 n;

	if ((p = strstr(msg, "\"deviceToken\":\"")) == NULL)
		return;
	p += 15;
	n = strcspn(p, "\"\\|");
	if (p[n] == '"' && n > 0 && n < sizeof(dev_token)) {
		memcpy(dev_token, p, n);
		dev_token[n] = '\0';
	}
}

/*
 * Consume whole frames from s->buf.  Returns 1 when the awaited message
 * came, 0 for more input, -1 after fail().
 */
static int
frames(struct slot *s)
{
	unsigned char	*b;
	uint64_t	 n;
	size_t		 h, off = 0;
	int		 op, fin, got = 0;
	enum err	 e;

	while (!got) {
		b = (unsigned char *)s->buf + off;
		if (s->len - off < 2)
			break;
		fin = b[0] & 0x80;
		op = b[0] & 0x0f;
		n = b[1] & 0x7f;
		h = 2;
		if (b[1] & 0x80) {
			fail(s, E_PROTO, "masked frame from the server");
			return -1;
		}
		if (n == 126) {
			if (s->len - off < 4)
				break;
			n = (uint64_t)b[2] << 8 | b[3];
			h = 4;
		} else if (n == 127) {
			if (s->len - off < 10)
				break;
			n = 0;
			for (h = 2; h < 10; h++)
				n = n << 8 | b[h];
			if (n > (64u << 20)) {
				fail(s, E_PROTO, "frame above 64 MiB");
				return -1;
			}
		}
		if (s->len - off < h + n)
			break;
		off += h + n;
		if (op == 0x8) {
			fail(s, s->st == S_HELLO ? E_AUTH : E_PROTO,
			    "close frame from the server");
			return -1;
		}
		if (op == 0x9 || op == 0xa)	/* ping, pong: ignored */
			continue;
		if (op != 0x1 && op != 0x0) {
			fail(s, E_PROTO, "unexpected opcode");
			return -1;
		}
		grow(&s->msg, &s->mcap, s->mlen + n + 1);
		memcpy(s->msg + s->mlen, b + h, n);
		s->mlen += n;
		if (!fin)
			continue;
		s->msg[s->mlen] = '\0';
		if (s->st == S_CHALLENGE) {
			if (strstr(s->msg, "\"connect.challenge\"") != NULL) {
				get_nonce(s);
				got = 1;
			}
		} else if (strstr(s->msg, "\"type\":\"res\"") != NULL &&
		    strstr(s->msg, "\"ok\":true") != NULL &&
		    strstr(s->msg, "\"hello-ok\"") != NULL) {
			nhello++;
			if (want_devtoken)
				keep_devtoken(s->msg);
			got = 1;
		} else if (strstr(s->msg, "\"type\":\"res\"") != NULL) {
			e = strstr(s->msg, "PAIRING_REQUIRED") != NULL ?
			    E_PAIRING : E_AUTH;
			if (s->mlen > 300)
				s->msg[300] = '\0';
			fail(s, e, s->msg);
			return -1;
		}
		s->mlen = 0;
	}
	memmove(s->buf, s->buf + off, s->len - off);
	s->len -= off;
	return got;
}

static void
slot_event(int ep, struct slot *s, uint32_t events)
{
	struct epoll_event	ev;
	char			*e;
	ssize_t			 r;
	int			 soerr = 0, rc;
	socklen_t		 sl = sizeof(soerr);

	if (s->st == S_CONNECTING) {
		getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr != 0) {
			fail(s, E_CONNECT, strerror(soerr));
			return;
		}
		if (write(s->fd, upgrade, upgrade_len) != (ssize_t)upgrade_len) {
			fail(s, E_CONNECT, "short write of the upgrade");
			return;
		}
		s->st = S_HTTP;
		ev.events = EPOLLIN;
		ev.data.ptr = s;
		epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
		return;
	}
	(void)events;
	grow(&s->buf, &s->cap, s->len + 65536);
	r = read(s->fd, s->buf + s->len, s->cap - s->len - 1);
	if (r == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		fail(s, s->st == S_HTTP ? E_HTTP : E_PROTO,
		    r == 0 ? "EOF from the server" : strerror(errno));
		return;
	}
	s->len += (size_t)r;
	if (s->st == S_HTTP) {
		s->buf[s->len] = '\0';
		if ((e = strstr(s->buf, "\r\n\r\n")) == NULL) {
			if (s->len > 8192)
				fail(s, E_HTTP, "response head above 8 KiB");
			return;
		}
		*e = '\0';
		if (strncmp(s->buf, "HTTP/1.1 101", 12) != 0 ||
		    strstr(s->buf, WS_ACCEPT) == NULL) {
			fail(s, E_HTTP, s->buf);
			return;
		}
		e += 4;
		s->len -= (size_t)(e - s->buf);
		memmove(s->buf, e, s->len);
		s->st = S_CHALLENGE;
	}
	if (s->st == S_CHALLENGE) {
		if ((rc = frames(s)) <= 0)
			return;
		if (device_mode)
			connect_len = build_connect(s->nonce);
		if (write(s->fd, connect_frame, connect_len) !=
		    (ssize_t)connect_len) {
			fail(s, E_PROTO, "short write of the connect frame");
			return;
		}
		s->st = S_HELLO;
	}
	if (s->st == S_HELLO && frames(s) == 1)
		finish_ok(s, now_us());
}

/*
 * -D: this process's first connect, alone and before the clock: a new
 * key, which the gateway may pair silently.  Keeps the hello-ok's device
 * token; counts in no figure of the timed run.  Sets *ok (1 for a
 * hello-ok), *us (its latency) and *tok (1 when it carried a token).
 */
static void
first_connect(uint64_t *ok, uint64_t *us, uint64_t *tok)
{
	struct epoll_event	 evs[4];
	struct slot		 s;
	uint64_t		 h0 = nhello;
	int			 ep, i, n, dt = devtoken_mode;

	memset(&s, 0, sizeof(s));
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1");
	phase = "first connect (untimed, pairs the key): ";
	want_devtoken = 1;
	devtoken_mode = 0;	/* this one with the shared token */
	start(ep, &s);
	while (s.fd != -1) {
		if (now_us() - s.t0 > (uint64_t)timeout_ms * 1000) {
			fail(&s, E_TIMEOUT, "no hello-ok in time");
			break;
		}
		n = epoll_wait(ep, evs, 4, 50);
		if (n == -1 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n && s.fd != -1; i++)
			slot_event(ep, &s, evs[i].events);
	}
	close(ep);
	*ok = nhello > h0;
	*us = *ok && nlat > 0 ? lat[nlat - 1] : 0;
	*tok = dev_token[0] != '\0';
	if (dt && *ok && !*tok)
		fprintf(stderr, "wsconnect[%d]: %sa hello-ok without "
		    "auth.deviceToken\n", (int)getpid(), phase);
	free(s.buf);
	free(s.msg);
	/* the timed run starts from nothing */
	devtoken_mode = dt;
	want_devtoken = 0;
	phase = "";
	nhello = 0;
	nlat = 0;
	memset(nerr, 0, sizeof(nerr));
	memset(reported, 0, sizeof(reported));
}

static void
run(int conns, int secs, int outfd)
{
	struct epoll_event	 evs[256];
	struct slot		*slots;
	uint64_t		 t_end, t, first[3] = { 0, 0, 0 };
	int			 ep, i, n, tmo;
	size_t			 k;

	if ((slots = calloc((size_t)conns, sizeof(*slots))) == NULL)
		die("calloc");
	if (device_mode)
		first_connect(&first[0], &first[1], &first[2]);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1");
	t_end = now_us() + (uint64_t)secs * 1000000;
	for (i = 0; i < conns; i++)
		start(ep, &slots[i]);
	for (;;) {
		t = now_us();
		if (t >= t_end)
			break;
		tmo = (int)((t_end - t) / 1000) + 1;
		if (tmo > 50)
			tmo = 50;
		n = epoll_wait(ep, evs, 256, tmo);
		if (n == -1 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			struct slot *s = evs[i].data.ptr;

			if (s->fd == -1)
				continue;
			slot_event(ep, s, evs[i].events);
		}
		t = now_us();
		for (i = 0; i < conns; i++) {
			struct slot *s = &slots[i];

			if (s->fd != -1 &&
			    t - s->t0 > (uint64_t)timeout_ms * 1000)
				fail(s, E_TIMEOUT, "no hello-ok in time");
			if (s->fd == -1 && t < t_end)
				start(ep, s);
		}
	}
	/* handshakes under way at the end are dropped */
	for (i = 0; i < conns; i++)
		if (slots[i].fd != -1)
			close(slots[i].fd);
	/* to the parent: the error counts, then every latency */
	k = nlat;
	if (write(outfd, nerr, sizeof(nerr)) != sizeof(nerr) ||
	    write(outfd, &nhello, sizeof(nhello)) != sizeof(nhello) ||
	    write(outfd, first, sizeof(first)) != sizeof(first) ||
	    write(outfd, &k, sizeof(k)) != sizeof(k))
		die("write");
	for (k = 0; k < nlat; ) {
		ssize_t w = write(outfd, lat + k, (nlat - k) * sizeof(*lat));
		if (w <= 0)
			die("write");
		k += (size_t)w / sizeof(*lat);
	}
}

static int
cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(uint32_t *v, size_t n, int p)
{
	size_t	i;

	if (n == 0)
		return 0;
	i = (n * (size_t)p + 99) / 100;	/* nearest rank */
	if (i == 0)
		i = 1;
	return v[i - 1] / 1000.0;
}

static int
readall(int fd, void *p, size_t n)
{
	char	*c = p;
	ssize_t	 r;

	while (n > 0) {
		r = read(fd, c, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: wsconnect [-D [-T]] [-c conns] [-d secs] "
	    "[-P procs] [-t timeout_ms] [-p path] host port token\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char	*path = "/";
	uint64_t	 errs[E_MAX] = { 0 }, e[E_MAX], h, f[3], thello = 0;
	uint64_t	 nfirst = 0, first_max = 0, nfirst_tok = 0;
	uint32_t	*all = NULL;
	size_t		 nall = 0, k;
	int		 conns = 50, secs = 10, procs = 1, ch, i, j, st;
	int		 (*pfd)[2];
	pid_t		*pids;

	while ((ch = getopt(argc, argv, "DTc:d:P:t:p:")) != -1) {
		switch (ch) {
		case 'D': device_mode = 1; break;
		case 'T': devtoken_mode = 1; break;
		case 'c': conns = atoi(optarg); break;
		case 'd': secs = atoi(optarg); break;
		case 'P': procs = atoi(optarg); break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'p': path = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || conns < 1 || secs < 1 || procs < 1 ||
	    procs > conns || timeout_ms < 1 || (devtoken_mode && !device_mode))
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	if (inet_pton(AF_INET, argv[0], &sa.sin_addr) != 1)
		usage();
	token = argv[2];
	if (strpbrk(token, "\"\\|") != NULL || strlen(token) > 256)
		usage();
	if (device_mode) {
#ifdef WITH_SODIUM
		unsigned char	pk[crypto_sign_PUBLICKEYBYTES];
		unsigned char	hsh[crypto_hash_sha256_BYTES];

		if (sodium_init() < 0)
			die("sodium_init");
		crypto_sign_keypair(pk, dev_sk);
		crypto_hash_sha256(hsh, pk, sizeof(pk));
		sodium_bin2hex(dev_id, sizeof(dev_id), hsh, sizeof(hsh));
		sodium_bin2base64(dev_pk64, sizeof(dev_pk64), pk, sizeof(pk),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
#else
		fprintf(stderr, "wsconnect: built without libsodium, no -D\n");
		return 2;
#endif
	}
	upgrade_len = (size_t)snprintf(upgrade, sizeof(upgrade),
	    "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: " WS_KEY "\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", path, argv[0], argv[1]);
	connect_len = build_connect("");
	signal(SIGPIPE, SIG_IGN);

	if ((pfd = calloc((size_t)procs, sizeof(*pfd))) == NULL ||
	    (pids = calloc((size_t)procs, sizeof(*pids))) == NULL)
		die("calloc");
	for (i = 0; i < procs; i++) {
		if (pipe(pfd[i]) == -1)
			die("pipe");
		if ((pids[i] = fork()) == -1)
			die("fork");
		if (pids[i] == 0) {
			/* a worker ends with its parent */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() == 1)
				_exit(1);
			close(pfd[i][0]);
			run(conns / procs + (i < conns % procs), secs,
			    pfd[i][1]);
			_exit(0);
		}
		close(pfd[i][1]);
	}
	for (i = 0; i < procs; i++) {
		if (readall(pfd[i][0], e, sizeof(e)) == -1 ||
		    readall(pfd[i][0], &h, sizeof(h)) == -1 ||
		    readall(pfd[i][0], f, sizeof(f)) == -1 ||
		    readall(pfd[i][0], &k, sizeof(k)) == -1) {
			fprintf(stderr, "wsconnect: worker %d failed\n", i);
			return 1;
		}
		for (j = 0; j < E_MAX; j++)
			errs[j] += e[j];
		thello += h;
		nfirst += f[0];
		if (f[0] && f[1] > first_max)
			first_max = f[1];
		nfirst_tok += f[2];
		if ((all = realloc(all, (nall + k + 1) * sizeof(*all))) == NULL)
			die("realloc");
		if (readall(pfd[i][0], all + nall, k * sizeof(*all)) == -1) {
			fprintf(stderr, "wsconnect: worker %d failed\n", i);
			return 1;
		}
		nall += k;
		close(pfd[i][0]);
	}
	for (i = 0; i < procs; i++)
		waitpid(pids[i], &st, 0);
	qsort(all, nall, sizeof(*all), cmp);
	printf("ok=%zu secs=%d rate=%.0f p50_ms=%.2f p90_ms=%.2f "
	    "p99_ms=%.2f max_ms=%.2f", nall, secs, (double)nall / secs,
	    pct(all, nall, 50), pct(all, nall, 90), pct(all, nall, 99),
	    nall ? all[nall - 1] / 1000.0 : 0.0);
	for (j = 0; j < E_MAX; j++)
		printf(" err_%s=%llu", errname[j], (unsigned long long)errs[j]);
	printf(" hello=%llu", (unsigned long long)thello);
	if (device_mode)
		printf(" first=%llu first_ms=%.2f first_token=%llu",
		    (unsigned long long)nfirst, first_max / 1000.0,
		    (unsigned long long)nfirst_tok);
	printf("\n");
	return 0;
}
