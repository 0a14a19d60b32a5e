/*
 * wsturns.c - agent-turn load generator for bench/turns.sh.
 *
 *	wsturns [-c CLIENTS] [-d SECS] [-W WARMUP_SECS] [-t TIMEOUT_MS]
 *	    [-m MESSAGE] [-s SESSION_PREFIX] [-a AGENT] [-r RUN_PREFIX]
 *	    [-C PID,PID,...] [-p PATH] HOST PORT TOKEN
 *
 * CLIENTS WebSocket clients, in one epoll loop, each speak the OpenClaw
 * gateway protocol as the openclaw CLI does: an HTTP/1.1 Upgrade by hand
 * (fixed Sec-WebSocket-Key, the 101's Accept checked), the
 * connect.challenge event, a connect request (protocol 4, client cli,
 * role operator, scopes operator.read and operator.write, auth.token
 * TOKEN, no device block), the hello-ok.  At most 16 handshakes are under
 * way at once (OpenClaw refuses more than 32 unauthenticated sockets per
 * address); the turns start once every client has its hello-ok, so no
 * handshake is in the figures.
 *
 * Then each client, over and over: one chat.send request
 *	{"sessionKey":"agent:AGENT:SESSION_PREFIX-N","message":MESSAGE,
 *	 "idempotencyKey":"RUN_PREFIX-N-K"}
 * (N the client's number, K its turn's: one session per client, a new
 * idempotency key per turn, so every turn is a new run), and it waits
 * for the chat event of that run (runId = the idempotency key) whose
 * state is final; then the next turn, at once.  A turn is timed from
 * just before the chat.send is written to the final event.  Every event
 * a client receives is read and scanned: the gateways send chat and
 * agent events to every operator connection, so each client also reads
 * the events of the others' turns.
 *
 * The clock: WARMUP_SECS of turns that count in nothing, then SECS of
 * measurement; a turn counts when its final event arrives in the
 * measured window.  After it no turn is started and the turns under
 * way are waited for (TIMEOUT_MS at most, not counted) so that the
 * gateway is idle when this program exits.  A final event whose text is
 * empty, a chat event of state error or aborted, an error res to the
 * chat.send, a close frame or EOF, or a turn slower than TIMEOUT_MS is
 * an error (counted in the measured window only); a client whose socket
 * died reconnects (100 ms later at the soonest).
 *
 * Prints one line of key=value pairs on stdout:
 *	turns=N secs=S rate=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
 *	    clients=C connected=C err_connect=.. err_http=.. err_auth=..
 *	    err_send=.. err_turn=.. err_timeout=.. err_closed=..
 *	    frames=F bytes=B cpu_s=.. busy_pct=.. [pidcpu=PID:TICKS,...]
 * (secs: the measured window as it was, a little over SECS; frames and
 * bytes: WebSocket messages and bytes received in the window, by all
 * clients; cpu_s: this process's user + system CPU seconds over the
 * window; busy_pct: the whole machine's busy time over the window
 * (/proc/stat; steal counts as idle), in % of one CPU; pidcpu, with -C:
 * the CPU time (utime + stime, plus cutime + cstime: that of the
 * children it reaped; clock ticks) each PID used over the window, read
 * from /proc/PID/stat at its two ends), and on stderr the
 * first failure of each kind.
 */
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* RFC 6455 1.3: this key's accept value is s3pPLMBiTxaQ9kYGzzhZRbK+xOo= */
#define WS_KEY		"dGhlIHNhbXBsZSBub25jZQ=="
#define WS_ACCEPT	"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define MAX_PREAUTH	16

enum state { S_IDLE, S_CONNECTING, S_HTTP, S_CHALLENGE, S_HELLO, S_READY,
    S_TURN };
enum err { E_CONNECT, E_HTTP, E_AUTH, E_SEND, E_TURN, E_TIMEOUT, E_CLOSED,
    E_MAX };
static const char *errname[E_MAX] = {
	"connect", "http", "auth", "send", "turn", "timeout", "closed"
};

struct client {
	int		 n;
	int		 fd;
	enum state	 st;
	uint64_t	 t0;		/* handshake or turn start */
	uint64_t	 next_try;	/* no reconnect before this */
	uint64_t	 k;		/* turns started */
	char		 run[128];	/* runId of the turn under way */
	char		 want[160];	/* "runId":"<run>" */
	char		*buf;		/* bytes read, not yet consumed */
	size_t		 len, cap;
	char		*msg;		/* a text message being reassembled */
	size_t		 mlen, mcap;
};

static struct sockaddr_in sa;
static char	 upgrade[512];
static size_t	 upgrade_len;
static unsigned char *connect_frame;
static size_t	 connect_len;
static const char *message = "hello", *sprefix = "bench", *agent = "main";
static char	 rprefix[64];
static int	 timeout_ms = 30000;
static int	 measuring, draining;
static uint32_t	*lat;		/* us per turn */
static size_t	 nlat, caplat;
static uint64_t	 nerr[E_MAX];
static int	 reported[E_MAX];
static uint64_t	 nframes, nbytes;
static int	 preauth, nready;

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

/* a masked client frame of n bytes into out (room for n + 14) */
static size_t
frame(unsigned char *out, int opcode, const void *data, size_t n)
{
	static const unsigned char mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	const unsigned char *d = data;
	size_t	 h = 0, i;

	out[h++] = 0x80 | (unsigned char)opcode;
	if (n < 126)
		out[h++] = 0x80 | (unsigned char)n;
	else if (n < 65536) {
		out[h++] = 0x80 | 126;
		out[h++] = (unsigned char)(n >> 8);
		out[h++] = (unsigned char)n;
	} else {
		out[h++] = 0x80 | 127;
		for (i = 0; i < 8; i++)
			out[h++] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
	}
	memcpy(out + h, mask, 4);
	h += 4;
	for (i = 0; i < n; i++)
		out[h + i] = d[i] ^ mask[i & 3];
	return h + n;
}

static int
send_all(int fd, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno == EAGAIN) {
			/* rare: the socket buffer is full; wait a little */
			usleep(100);
			continue;
		}
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
count_err(enum err e, const char *why)
{
	if (measuring)
		nerr[e]++;
	if (!reported[e]) {
		reported[e] = 1;
		fprintf(stderr, "wsturns: first %s failure%s: %.300s\n",
		    errname[e], measuring ? "" : " (not in the window)", why);
	}
}

/* the socket is gone: count, close; the client reconnects later */
static void
drop(struct client *c, enum err e, const char *why)
{
	count_err(e, why);
	if (c->st >= S_CONNECTING && c->st <= S_HELLO)
		preauth--;
	if (c->st >= S_READY)
		nready--;
	close(c->fd);
	c->fd = -1;
	c->st = S_IDLE;
	c->len = c->mlen = 0;
	c->next_try = now_us() + 100000;
}

static void
start(int ep, struct client *c)
{
	struct epoll_event	ev;
	int			fd, one = 1;

	c->len = c->mlen = 0;
	c->t0 = now_us();
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	c->st = S_CONNECTING;
	preauth++;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
	    errno != EINPROGRESS) {
		drop(c, E_CONNECT, strerror(errno));
		return;
	}
	ev.events = EPOLLOUT;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		die("epoll_ctl");
}

static void
send_turn(struct client *c)
{
	char		 body[1024 + 512];
	unsigned char	*f;
	size_t		 n;

	c->k++;
	snprintf(c->run, sizeof(c->run), "%s-%d-%llu", rprefix, c->n,
	    (unsigned long long)c->k);
	snprintf(c->want, sizeof(c->want), "\"runId\":\"%s\"", c->run);
	n = (size_t)snprintf(body, sizeof(body), "{\"type\":\"req\",\"id\":"
	    "\"s%llu\",\"method\":\"chat.send\",\"params\":{\"sessionKey\":"
	    "\"agent:%s:%s-%d\",\"message\":\"%s\",\"idempotencyKey\":\"%s\"}}",
	    (unsigned long long)c->k, agent, sprefix, c->n, message, c->run);
	if ((f = malloc(n + 14)) == NULL)
		die("malloc");
	n = frame(f, 0x1, body, n);
	c->t0 = now_us();
	c->st = S_TURN;
	if (send_all(c->fd, f, n) == -1)
		drop(c, E_CLOSED, "write of chat.send failed");
	free(f);
}

static void
turn_done(struct client *c, uint64_t t)
{
	if (measuring) {
		if (nlat == caplat) {
			caplat = caplat ? caplat * 2 : 65536;
			if ((lat = realloc(lat, caplat * sizeof(*lat))) == NULL)
				die("realloc");
		}
		lat[nlat++] = (uint32_t)(t - c->t0);
	}
	c->st = S_READY;
}

/* one whole text message of a client in S_TURN or S_READY */
static void
on_message(struct client *c, const char *m)
{
	const char	*p;

	if (c->st != S_TURN)
		return;
	if (strncmp(m, "{\"type\":\"res\"", 13) == 0 ||
	    strstr(m, "\"type\":\"res\"") != NULL) {
		/* the answer to our chat.send: {runId, status: started} */
		if (strstr(m, "\"ok\":true") == NULL) {
			count_err(E_SEND, m);
			c->st = S_READY;
		}
		return;
	}
	if (strstr(m, "\"event\":\"chat\"") == NULL ||
	    (p = strstr(m, c->want)) == NULL)
		return;
	if (strstr(m, "\"state\":\"final\"") != NULL) {
		if (strstr(m, "\"text\":\"\"") != NULL) {
			count_err(E_TURN, m);
			c->st = S_READY;
		} else
			turn_done(c, now_us());
	} else if (strstr(m, "\"state\":\"error\"") != NULL ||
	    strstr(m, "\"state\":\"aborted\"") != NULL) {
		count_err(E_TURN, m);
		c->st = S_READY;
	}
}

/*
 * Consume whole frames from c->buf.  Returns 1 when the awaited message
 * of a handshake state came, 0 otherwise, -1 after drop().
 */
static int
frames(int ep, struct client *c)
{
	unsigned char	*b;
	unsigned char	 pong[140];
	uint64_t	 n;
	size_t		 h, off = 0;
	int		 op, fin, got = 0;

	(void)ep;
	while (!got && c->fd != -1) {
		b = (unsigned char *)c->buf + off;
		if (c->len - off < 2)
			break;
		fin = b[0] & 0x80;
		op = b[0] & 0x0f;
		n = b[1] & 0x7f;
		h = 2;
		if (b[1] & 0x80) {
			drop(c, E_CLOSED, "masked frame from the server");
			return -1;
		}
		if (n == 126) {
			if (c->len - off < 4)
				break;
			n = (uint64_t)b[2] << 8 | b[3];
			h = 4;
		} else if (n == 127) {
			if (c->len - off < 10)
				break;
			n = 0;
			for (h = 2; h < 10; h++)
				n = n << 8 | b[h];
			if (n > (64u << 20)) {
				drop(c, E_CLOSED, "frame above 64 MiB");
				return -1;
			}
		}
		if (c->len - off < h + n)
			break;
		off += h + n;
		if (op == 0x8) {
			drop(c, c->st == S_HELLO ? E_AUTH : E_CLOSED,
			    "close frame from the server");
			return -1;
		}
		if (op == 0x9) {	/* ping: pong with its data */
			if (n <= 125) {
				size_t k = frame(pong, 0xa, b + h, n);
				(void)send_all(c->fd, pong, k);
			}
			continue;
		}
		if (op == 0xa)
			continue;
		if (op != 0x1 && op != 0x0) {
			drop(c, E_CLOSED, "unexpected opcode");
			return -1;
		}
		grow(&c->msg, &c->mcap, c->mlen + n + 1);
		memcpy(c->msg + c->mlen, b + h, n);
		c->mlen += n;
		if (!fin)
			continue;
		c->msg[c->mlen] = '\0';
		if (measuring) {
			nframes++;
			nbytes += c->mlen;
		}
		if (c->st == S_CHALLENGE) {
			if (strstr(c->msg, "\"connect.challenge\"") != NULL)
				got = 1;
		} else if (c->st == S_HELLO) {
			if (strstr(c->msg, "\"type\":\"res\"") != NULL) {
				if (strstr(c->msg, "\"ok\":true") != NULL &&
				    strstr(c->msg, "\"hello-ok\"") != NULL)
					got = 1;
				else {
					drop(c, E_AUTH, c->msg);
					return -1;
				}
			}
		} else
			on_message(c, c->msg);
		c->mlen = 0;
	}
	if (c->fd != -1) {
		memmove(c->buf, c->buf + off, c->len - off);
		c->len -= off;
	}
	return got;
}

static void
client_event(int ep, struct client *c)
{
	struct epoll_event	ev;
	char			*e;
	ssize_t			 r;
	int			 soerr = 0;
	socklen_t		 sl = sizeof(soerr);

	if (c->st == S_CONNECTING) {
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr != 0) {
			drop(c, E_CONNECT, strerror(soerr));
			return;
		}
		if (send_all(c->fd, upgrade, upgrade_len) == -1) {
			drop(c, E_CONNECT, "write of the upgrade failed");
			return;
		}
		c->st = S_HTTP;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		return;
	}
	for (;;) {
		grow(&c->buf, &c->cap, c->len + 65536);
		r = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			return;
		if (r <= 0) {
			drop(c, c->st == S_HTTP ? E_HTTP : E_CLOSED,
			    r == 0 ? "EOF from the server" : strerror(errno));
			return;
		}
		c->len += (size_t)r;
		if (c->st == S_HTTP) {
			c->buf[c->len] = '\0';
			if ((e = strstr(c->buf, "\r\n\r\n")) == NULL) {
				if (c->len > 8192)
					drop(c, E_HTTP, "response head above "
					    "8 KiB");
				if (c->fd == -1)
					return;
				continue;
			}
			*e = '\0';
			if (strncmp(c->buf, "HTTP/1.1 101", 12) != 0 ||
			    strstr(c->buf, WS_ACCEPT) == NULL) {
				drop(c, E_HTTP, c->buf);
				return;
			}
			e += 4;
			c->len -= (size_t)(e - c->buf);
			memmove(c->buf, e, c->len);
			c->st = S_CHALLENGE;
		}
		if (c->st == S_CHALLENGE) {
			if (frames(ep, c) != 1)
				goto more;
			if (send_all(c->fd, connect_frame, connect_len) == -1) {
				drop(c, E_AUTH, "write of connect failed");
				return;
			}
			c->st = S_HELLO;
		}
		if (c->st == S_HELLO) {
			if (frames(ep, c) != 1)
				goto more;
			c->st = S_READY;
			preauth--;
			nready++;
		}
		if (c->st >= S_READY)
			(void)frames(ep, c);
more:
		if (c->fd == -1)
			return;
		if ((size_t)r < 65536 - 1)
			return;	/* most likely drained: epoll tells */
	}
}

#define MAX_PIDS	64
static int	 npids;
static long	 pids[MAX_PIDS];
static unsigned long long pid_t0[MAX_PIDS], pid_t1[MAX_PIDS];
static unsigned long long busy0, total0, busy1, total1;

/*
 * utime + stime of a pid and of its children it has waited for (cutime +
 * cstime: a gateway that runs short-lived helper processes is charged
 * for them once it reaps them), in clock ticks (0 when it is gone)
 */
static unsigned long long
pid_ticks(long pid)
{
	char			 path[64], buf[1024], *p;
	unsigned long long	 ut = 0, st = 0, cut = 0, cst = 0;
	FILE			*f;
	size_t			 n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	/* after ") ": state(3) ... utime(14) stime(15) cutime(16) cstime(17) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu %llu %llu", &ut, &st, &cut, &cst) != 4)
		return 0;
	return ut + st + cut + cst;
}

/* the machine's busy and total jiffies, as bench/http.sh counts them */
static void
machine(unsigned long long *busy, unsigned long long *total)
{
	unsigned long long	 u = 0, ni = 0, sy = 0, id = 0, w = 0, q = 0,
				 sq = 0;
	FILE			*f;

	*busy = *total = 0;
	if ((f = fopen("/proc/stat", "r")) == NULL)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &u, &ni, &sy,
	    &id, &w, &q, &sq) == 7) {
		*busy = u + ni + sy + q + sq;
		*total = *busy + id + w;
	}
	fclose(f);
}

static void
snap(unsigned long long *t, unsigned long long *busy,
    unsigned long long *total)
{
	int	i;

	for (i = 0; i < npids; i++)
		t[i] = pid_ticks(pids[i]);
	machine(busy, total);
}

static double
cpu_now(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
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

static void
usage(void)
{
	fprintf(stderr, "usage: wsturns [-c clients] [-d secs] [-W warmup_secs] "
	    "[-t timeout_ms] [-m message] [-s session_prefix] [-a agent] "
	    "[-r run_prefix] [-C pid,...] [-p path] host port token\n");
	exit(2);
}

static int
plain(const char *s, size_t max)
{
	return strlen(s) <= max && strpbrk(s, "\"\\") == NULL;
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 evs[256];
	struct client		*cl;
	const char		*path = "/", *token;
	char			 body[1024];
	uint64_t		 t, t_start, t_end, t_ready, t_hs;
	double			 cpu0 = 0, cpu1 = 0, secs_real = 0;
	int			 nclients = 16, secs = 10, warm = 2, ch, i, n;
	int			 ep, tmo;
	size_t			 k;

	snprintf(rprefix, sizeof(rprefix), "b%lx%x", (long)time(NULL),
	    (unsigned)getpid());
	while ((ch = getopt(argc, argv, "c:d:W:t:m:s:a:r:C:p:")) != -1) {
		switch (ch) {
		case 'C': {
			char	*q = optarg, *e;

			while (*q != '\0' && npids < MAX_PIDS) {
				pids[npids++] = strtol(q, &e, 10);
				if (e == q || pids[npids - 1] <= 0)
					usage();
				q = *e == ',' ? e + 1 : e;
				if (*e != ',' && *e != '\0')
					usage();
			}
			break;
		}
		case 'c': nclients = atoi(optarg); break;
		case 'd': secs = atoi(optarg); break;
		case 'W': warm = atoi(optarg); break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'm': message = optarg; break;
		case 's': sprefix = optarg; break;
		case 'a': agent = optarg; break;
		case 'r': snprintf(rprefix, sizeof(rprefix), "%s", optarg); break;
		case 'p': path = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || nclients < 1 || secs < 1 || warm < 0 ||
	    timeout_ms < 1 || !plain(message, 512) || !plain(sprefix, 64) ||
	    !plain(agent, 64) || !plain(rprefix, 48))
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	if (inet_pton(AF_INET, argv[0], &sa.sin_addr) != 1)
		usage();
	token = argv[2];
	if (!plain(token, 256))
		usage();
	upgrade_len = (size_t)snprintf(upgrade, sizeof(upgrade),
	    "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Key: " WS_KEY "\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", path, argv[0], argv[1]);
	n = snprintf(body, sizeof(body), "{\"type\":\"req\",\"id\":\"c1\","
	    "\"method\":\"connect\",\"params\":{\"minProtocol\":4,"
	    "\"maxProtocol\":4,\"client\":{\"id\":\"cli\",\"version\":\"1\","
	    "\"platform\":\"linux\",\"mode\":\"cli\"},\"role\":\"operator\","
	    "\"scopes\":[\"operator.read\",\"operator.write\"],\"caps\":[],"
	    "\"auth\":{\"token\":\"%s\"}}}", token);
	if ((connect_frame = malloc((size_t)n + 14)) == NULL)
		die("malloc");
	connect_len = frame(connect_frame, 0x1, body, (size_t)n);
	signal(SIGPIPE, SIG_IGN);

	if ((cl = calloc((size_t)nclients, sizeof(*cl))) == NULL)
		die("calloc");
	for (i = 0; i < nclients; i++) {
		cl[i].n = i + 1;
		cl[i].fd = -1;
	}
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1");

	/*
	 * Phases: handshakes (every client to hello-ok, MAX_PREAUTH at a
	 * time, 30 s at most), warm-up, measurement, drain.
	 */
	t_hs = now_us();
	t_ready = t_start = t_end = 0;
	for (;;) {
		t = now_us();
		if (t_ready == 0 && (nready == nclients ||
		    t - t_hs > 30000000ULL)) {
			if (nready == 0) {
				fprintf(stderr, "wsturns: no client got "
				    "hello-ok\n");
				break;
			}
			t_ready = t;
			t_start = t + (uint64_t)warm * 1000000;
			t_end = t_start + (uint64_t)secs * 1000000;
			if (warm == 0) {
				measuring = 1;
				snap(pid_t0, &busy0, &total0);
				cpu0 = cpu_now();
			}
		}
		if (t_ready && !measuring && !draining && t >= t_start) {
			measuring = 1;
			snap(pid_t0, &busy0, &total0);
			cpu0 = cpu_now();
			t_start = t;
			t_end = t + (uint64_t)secs * 1000000;
		}
		if (measuring && t >= t_end) {
			cpu1 = cpu_now();
			snap(pid_t1, &busy1, &total1);
			secs_real = (double)(t - t_start) / 1e6;
			measuring = 0;
			draining = 1;
		}
		if (draining) {
			int busy = 0;

			for (i = 0; i < nclients; i++)
				if (cl[i].fd != -1 && cl[i].st == S_TURN &&
				    t - cl[i].t0 <= (uint64_t)timeout_ms * 1000)
					busy = 1;
			if (!busy)
				break;
		}
		/* (re)connect, start turns, time out turns */
		for (i = 0; i < nclients; i++) {
			struct client *c = &cl[i];

			if (c->fd == -1 && !draining && preauth < MAX_PREAUTH &&
			    t >= c->next_try)
				start(ep, c);
			else if (c->fd != -1 && c->st < S_READY &&
			    t - c->t0 > 10000000ULL)
				drop(c, E_AUTH, "no hello-ok in 10 s");
			else if (c->st == S_TURN &&
			    t - c->t0 > (uint64_t)timeout_ms * 1000) {
				count_err(E_TIMEOUT, c->run);
				c->st = S_READY;
			}
			if (c->fd != -1 && c->st == S_READY && t_ready &&
			    !draining)
				send_turn(c);
		}
		tmo = 20;
		n = epoll_wait(ep, evs, 256, tmo);
		if (n == -1 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			struct client *c = evs[i].data.ptr;

			if (c->fd == -1)
				continue;
			client_event(ep, c);
			/* the next turn at once, not at the next loop */
			if (c->fd != -1 && c->st == S_READY && t_ready &&
			    !draining && !(measuring == 0 && t_end &&
			    now_us() >= t_end))
				send_turn(c);
		}
	}
	for (i = 0; i < nclients; i++)
		if (cl[i].fd != -1) {
			unsigned char	cf[16];
			const unsigned char code[2] = { 0x03, 0xe8 };

			k = frame(cf, 0x8, code, sizeof(code));
			(void)!write(cl[i].fd, cf, k);
			close(cl[i].fd);
		}
	qsort(lat, nlat, sizeof(*lat), cmp);
	printf("turns=%zu secs=%.3f rate=%.1f p50_ms=%.2f p90_ms=%.2f "
	    "p99_ms=%.2f max_ms=%.2f clients=%d connected=%d", nlat, secs_real,
	    secs_real > 0 ? (double)nlat / secs_real : 0.0, pct(lat, nlat, 50), pct(lat, nlat, 90),
	    pct(lat, nlat, 99), nlat ? lat[nlat - 1] / 1000.0 : 0.0,
	    nclients, nready);
	for (i = 0; i < E_MAX; i++)
		printf(" err_%s=%llu", errname[i], (unsigned long long)nerr[i]);
	printf(" frames=%llu bytes=%llu cpu_s=%.3f busy_pct=%.0f",
	    (unsigned long long)nframes, (unsigned long long)nbytes,
	    cpu1 - cpu0, total1 > total0 ? 100.0 * sysconf(_SC_NPROCESSORS_ONLN) *
	    (double)(busy1 - busy0) / (double)(total1 - total0) : 0.0);
	for (i = 0; i < npids; i++)
		printf("%s%ld:%llu", i == 0 ? " pidcpu=" : ",", pids[i],
		    pid_t1[i] >= pid_t0[i] ? pid_t1[i] - pid_t0[i] : 0);
	printf("\n");
	return t_ready ? 0 : 1;
}
