/*
 * evilfront.c - a compromised front, for the integration tests only.
 *
 * A gatewayd built with TESTHOOKS=1 execs $CLAWGATE_TEST_FRONT_EXEC in
 * place of the real front, with exactly the descriptors the real front
 * gets (parent channel, edges to authd and agentd, listeners).  This
 * program takes the setup like front does and then, instead of behaving,
 * runs the attack named by $CLAWGATE_TEST_ATTACK against its peers.  It
 * reports on stderr what the victim did; the test checks the victim's
 * log lines, that the victim is still the same process, and that the
 * parent killed and restarted this one.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "authmsg.h"
#include "capability.h"
#include "child.h"
#include "imsg.h"
#include "log.h"
#include "msgtypes.h"

static struct child	 c;
static const char	*attack;

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "evilfront[%d]: %s: ", (int)getpid(), attack);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
send_raw(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n)
		say("write: %s", strerror(errno));
}

static void
send_msg(int fd, uint32_t type, int passfd, const void *p, size_t n)
{
	struct imsgbuf	 ib;

	if (imsgbuf_init(&ib, fd, IMSG_MAXSIZE, 0) == -1 ||
	    imsg_compose(&ib, type, 0, passfd, p, n) == -1 ||
	    imsgbuf_flush(&ib, 2000) == -1)
		say("send: %s", strerror(errno));
	imsgbuf_clear(&ib);
}

/* what did the victim do with the edge?  EOF means it closed it */
static void
await_verdict(int fd, const char *victim)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	char		 buf[4096];
	ssize_t		 n;

	for (;;) {
		if (poll(&pfd, 1, 5000) <= 0) {
			say("%s kept the edge open", victim);
			return;
		}
		n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n == -1 && errno == ECONNRESET)) {
			say("%s closed the edge", victim);
			return;
		}
		if (n == -1) {
			say("read: %s", strerror(errno));
			return;
		}
		say("%s answered %zd bytes", victim, n);
	}
}

static void
ready(void)
{
	struct imsgbuf	 ib;

	if (imsgbuf_init(&ib, CHILD_PARENT_FD, IMSG_MAXSIZE, 0) == -1 ||
	    imsg_compose(&ib, IMSG_READY, 0, -1, NULL, 0) == -1 ||
	    imsgbuf_flush(&ib, 2000) == -1)
		fatal("READY");
	imsgbuf_clear(&ib);
}

/* attack only once the whole suite is up, as the parent tells front */
static void
await_booted(void)
{
	struct imsgbuf	 ib;
	struct imsg	 imsg;
	struct cbuf	 cb;
	uint8_t		 n, r, st, i;
	int		 all = 0;

	if (imsgbuf_init(&ib, CHILD_PARENT_FD, IMSG_MAXSIZE, 1) == -1)
		fatal("imsgbuf_init");
	while (!all) {
		if (imsg_recv_wait(&ib, &imsg, 10000) != 1)
			fatalx("no process state from the parent");
		if (imsg.hdr.type == IMSG_PROC_STATE) {
			all = 1;
			cb_view(&cb, imsg.data, imsg.datalen);
			cb_get_u8(&cb, &n);
			for (i = 0; i < n && !cb.err; i++) {
				cb_get_u8(&cb, &r);
				cb_get_u8(&cb, &st);
				if (st != PS_RUNNING)
					all = 0;
			}
		}
		imsg_free(&imsg);
	}
	imsgbuf_clear(&ib);
}

static void
forged_cap(struct cbuf *out, uint64_t conn)
{
	struct capkey		 k;
	struct capability	 cap;

	capkey_generate(&k);
	memset(&cap, 0, sizeof(cap));
	memcpy(cap.bootid, k.bootid, sizeof(cap.bootid));
	snprintf(cap.principal, sizeof(cap.principal), "unix:0");
	snprintf(cap.role, sizeof(cap.role), "admin");
	snprintf(cap.scopes, sizeof(cap.scopes), "operator.admin");
	cap.issued = (uint64_t)time(NULL);
	cap.expires = cap.issued + 300;
	cap.conn = conn;
	cb_init(out);
	cap_mint(&k, &cap, out);
}

static void
agent_call(int fd, uint64_t conn, const uint8_t *cap, size_t caplen)
{
	struct cbuf	 cb;

	cb_init(&cb);
	cb_put_u64(&cb, conn);
	cb_put_bytes(&cb, cap, caplen);
	cb_put_str(&cb, "whoami");
	cb_put_str(&cb, "{}");
	send_msg(fd, IMSG_AGENT_CALL, -1, cb.data, cb.len);
	cb_free(&cb);
}

static void
status_req(uint64_t conn, const uint8_t *cap, size_t caplen)
{
	struct cbuf	 cb;

	cb_init(&cb);
	cb_put_u64(&cb, conn);
	cb_put_bytes(&cb, cap, caplen);
	send_msg(CHILD_PARENT_FD, IMSG_STATUS_REQ, -1, cb.data, cb.len);
	cb_free(&cb);
}

/* ask authd for a capability with a token, as front does for a connect
 * that requests `want' scopes */
static int
token_cap(int authd, const char *want, uint8_t *cap, size_t *caplen)
{
	struct imsgbuf	 ib;
	struct imsg	 imsg;
	struct cbuf	 cb;
	const uint8_t	*p;
	const char	*tok = getenv("CLAWGATE_TEST_TOKEN");
	uint64_t	 id, retry;
	uint32_t	 code;
	char		 msg[256], aux[128];
	struct auth_req	 a;

	if (tok == NULL)
		fatalx("no CLAWGATE_TEST_TOKEN");
	memset(&a, 0, sizeof(a));
	a.req = 7;
	snprintf(a.cls, sizeof(a.cls), "shared-secret");
	snprintf(a.src, sizeof(a.src), "127.0.0.1");
	a.loopback = 1;
	a.credlen = strlen(tok) < sizeof(a.cred) ? strlen(tok) : 0;
	memcpy(a.cred, tok, a.credlen);
	snprintf(a.connector, sizeof(a.connector), "ws");
	snprintf(a.want, sizeof(a.want), "%s", want);
	cb_init(&cb);
	auth_req_encode(&a, &cb);
	send_msg(authd, IMSG_AUTH_TOKEN, -1, cb.data, cb.len);
	cb_free(&cb);
	if (imsgbuf_init(&ib, authd, IMSG_MAXSIZE, 0) == -1 ||
	    imsg_recv_wait(&ib, &imsg, 5000) != 1) {
		say("no answer from authd");
		return -1;
	}
	cb_view(&cb, imsg.data, imsg.datalen);
	cb_get_u64(&cb, &id);
	cb_get_u32(&cb, &code);
	cb_get_u64(&cb, &retry);
	cb_get_bytes(&cb, &p, caplen, CAP_MAXLEN);
	cb_get_str(&cb, msg, sizeof(msg));
	cb_get_str(&cb, aux, sizeof(aux));
	if (cb_get_end(&cb) == -1 || code != AUTH_OK) {
		say("authd refused the token: %s", msg);
		return -1;
	}
	memcpy(cap, p, *caplen);
	imsg_free(&imsg);
	imsgbuf_clear(&ib);
	return 0;
}

static void
rpc_method(int peer, uint64_t conn, const uint8_t *cap, size_t caplen,
    const char *method, const char *params)
{
	struct cbuf	 cb;

	cb_init(&cb);
	cb_put_u64(&cb, conn);
	cb_put_u64(&cb, 1);
	cb_put_bytes(&cb, cap, caplen);
	cb_put_str(&cb, method);
	cb_put_str(&cb, params);
	send_msg(peer, IMSG_RPC, -1, cb.data, cb.len);
	cb_free(&cb);
}

static void
rpc(int agentd, uint64_t conn, const uint8_t *cap, size_t caplen)
{
	rpc_method(agentd, conn, cap, caplen, "health", "{}");
}

/* act like front for one clawctl connection and keep its capability */
static int
steal_cap(int authd, uint8_t *cap, size_t *caplen)
{
	struct imsgbuf	 ib;
	struct imsg	 imsg;
	struct pollfd	 pfd;
	struct cbuf	 cb;
	const uint8_t	*p;
	uint64_t	 id;
	uint32_t	 uid;
	uint8_t		 ok;
	char		 reason[256];
	int		 i, lfd = -1, cfd;

	for (i = 0; i < c.nlisteners; i++)
		if (c.listeners[i].kind == LISTENER_CONTROL)
			lfd = c.listeners[i].fd;
	pfd.fd = lfd;
	pfd.events = POLLIN;
	if (lfd == -1 || poll(&pfd, 1, 15000) != 1 ||
	    (cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
		say("no control connection to steal from");
		return -1;
	}
	cb_init(&cb);
	cb_put_u64(&cb, 42);
	send_msg(authd, IMSG_CTL_AUTH, cfd, cb.data, cb.len);
	cb_free(&cb);
	if (imsgbuf_init(&ib, authd, IMSG_MAXSIZE, 0) == -1 ||
	    imsg_recv_wait(&ib, &imsg, 5000) != 1) {
		say("no answer from authd");
		return -1;
	}
	cb_view(&cb, imsg.data, imsg.datalen);
	cb_get_u64(&cb, &id);
	cb_get_u8(&cb, &ok);
	cb_get_u32(&cb, &uid);
	cb_get_bytes(&cb, &p, caplen, CAP_MAXLEN);
	cb_get_str(&cb, reason, sizeof(reason));
	if (cb_get_end(&cb) == -1 || !ok) {
		say("authd refused: %s", reason);
		return -1;
	}
	memcpy(cap, p, *caplen);
	imsg_free(&imsg);
	imsgbuf_clear(&ib);
	return 0;
}

int
main(void)
{
	struct cbuf	 cb;
	uint8_t		 cap[CAP_MAXLEN], hdr[16];
	size_t		 caplen;
	uint32_t	 v;
	char		 path[512];
	const char	*dir;
	FILE		*f;
	int		 authd, agentd;

	if ((attack = getenv("CLAWGATE_TEST_ATTACK")) == NULL)
		attack = "none";
	log_init("evilfront", 1, LOG_LVL_DEBUG);
	child_setup(&c, ROLE_FRONT);
	log_setsink(NULL);
	ready();
	authd = c.pending_peer[ROLE_AUTHD];
	agentd = c.pending_peer[ROLE_AGENTD];
	if (authd == -1 || agentd == -1)
		fatalx("no edges to authd and agentd");
	await_booted();
	say("starting");

	if (strcmp(attack, "garbage") == 0) {
		uint8_t	 junk[64];

		randombytes_buf(junk, sizeof(junk));
		send_raw(authd, junk, sizeof(junk));
		await_verdict(authd, "authd");
	} else if (strcmp(attack, "oversize") == 0) {
		memset(hdr, 0, sizeof(hdr));
		v = IMSG_CTL_AUTH;
		memcpy(hdr, &v, 4);
		v = 0x7ffffff0;		/* 2 GiB "payload", no fd mark */
		memcpy(hdr + 4, &v, 4);
		send_raw(authd, hdr, sizeof(hdr));
		await_verdict(authd, "authd");
	} else if (strcmp(attack, "wrongtype") == 0) {
		/* a setup key as if front were the parent */
		uint8_t	 key[80];

		memset(key, 0x41, sizeof(key));
		send_msg(authd, IMSG_SETUP_KEY, -1, key, 4 + 32 + 4 + 16);
		await_verdict(authd, "authd");
	} else if (strcmp(attack, "unknowntype") == 0) {
		send_msg(authd, 9999, -1, "x", 1);
		await_verdict(authd, "authd");
	} else if (strcmp(attack, "badpayload") == 0) {
		send_msg(authd, IMSG_CTL_AUTH, dup(STDERR_FILENO), "abc", 3);
		await_verdict(authd, "authd");
	} else if (strcmp(attack, "fdsmuggle") == 0) {
		/* the parent channel: its peer credentials are root's */
		cb_init(&cb);
		cb_put_u64(&cb, 1);
		send_msg(authd, IMSG_CTL_AUTH, dup(CHILD_PARENT_FD), cb.data,
		    cb.len);
		cb_free(&cb);
		await_verdict(authd, "authd");
	} else if (strcmp(attack, "forgedcap") == 0) {
		forged_cap(&cb, 5);
		agent_call(agentd, 5, cb.data, cb.len);
		cb_free(&cb);
		await_verdict(agentd, "agentd");
	} else if (strcmp(attack, "stealcap") == 0) {
		if (steal_cap(authd, cap, &caplen) == 0) {
			if ((dir = getenv("CLAWGATE_TEST_CAPFILE")) == NULL)
				fatalx("no CLAWGATE_TEST_CAPFILE");
			snprintf(path, sizeof(path), "%s", dir);
			if ((f = fopen(path, "w")) != NULL) {
				fwrite(cap, 1, caplen, f);
				fclose(f);
			}
			say("stole a capability of %zu bytes", caplen);
			/* tampered: flip one bit of the principal */
			cap[27] ^= 1;	/* 1 + 4 + 16 + 4: the principal */
			agent_call(agentd, 42, cap, caplen);
			await_verdict(agentd, "agentd");
		}
	} else if (strcmp(attack, "replaycap") == 0) {
		if ((dir = getenv("CLAWGATE_TEST_CAPFILE")) == NULL)
			fatalx("no CLAWGATE_TEST_CAPFILE");
		snprintf(path, sizeof(path), "%s", dir);
		if ((f = fopen(path, "r")) == NULL)
			fatal("%s", path);
		caplen = fread(cap, 1, sizeof(cap), f);
		fclose(f);
		agent_call(agentd, 42, cap, caplen);
		await_verdict(agentd, "agentd");
		status_req(42, cap, caplen);
		say("sent the old capability to the parent");
	} else if (strcmp(attack, "widencap") == 0) {
		struct capability	 got;
		struct capkey		 k;

		/* ask for admin with a read-only token: authd grants read */
		if (token_cap(authd, "operator.admin operator.read", cap,
		    &caplen) == 0 && cap_peek(cap, caplen, &got) == 0) {
			say("authd granted: %s", got.scopes);
			/* rewrite the scopes; without the key the MAC is wrong */
			snprintf(got.scopes, sizeof(got.scopes),
			    "operator.admin");
			capkey_generate(&k);
			cb_init(&cb);
			cap_mint(&k, &got, &cb);
			rpc(agentd, 7, cb.data, cb.len);
			cb_free(&cb);
			await_verdict(agentd, "agentd");
		}
	} else if (strcmp(attack, "wrongconn") == 0) {
		/* a genuine capability, replayed on another connection */
		if (token_cap(authd, "operator.read", cap, &caplen) == 0) {
			rpc(agentd, 8, cap, caplen);
			await_verdict(agentd, "agentd");
		}
	} else if (strcmp(attack, "pairwiden") == 0) {
		struct capability	 got;
		struct capkey		 k;

		/* approve pairings with a read-only token's widened cap */
		if (token_cap(authd, "operator.read", cap, &caplen) == 0 &&
		    cap_peek(cap, caplen, &got) == 0) {
			snprintf(got.scopes, sizeof(got.scopes),
			    "operator.admin");
			capkey_generate(&k);
			cb_init(&cb);
			cap_mint(&k, &got, &cb);
			rpc_method(authd, 7, cb.data, cb.len,
			    "device.pair.approve", "{\"requestId\":\"x\"}");
			cb_free(&cb);
			await_verdict(authd, "authd");
		}
	} else if (strcmp(attack, "pairwrongconn") == 0) {
		/* a genuine capability on another connection */
		if (token_cap(authd, "operator.pairing", cap, &caplen) == 0) {
			rpc_method(authd, 8, cap, caplen, "device.pair.list",
			    "{}");
			await_verdict(authd, "authd");
		}
	} else if (strcmp(attack, "eventwrongedge") == 0) {
		/* events flow authd -> front, never the other way */
		cb_init(&cb);
		cb_put_str(&cb, "operator.pairing");
		cb_put_str(&cb, "device.pair.requested");
		cb_put_str(&cb, "{}");
		send_msg(authd, IMSG_EVENT, -1, cb.data, cb.len);
		cb_free(&cb);
		await_verdict(authd, "authd");
	} else if (strcmp(attack, "secretfetch") == 0) {
		/* a secret value for front?  Not on any edge it has */
		cb_init(&cb);
		cb_put_u64(&cb, 1);
		cb_put_str(&cb, "env:default:OPENAI_API_KEY");
		send_msg(authd, IMSG_SECRET_FETCH, -1, cb.data, cb.len);
		cb_free(&cb);
		await_verdict(authd, "authd");
	} else if (strcmp(attack, "parentwrongedge") == 0) {
		cb_init(&cb);
		cb_put_u64(&cb, 1);
		send_msg(CHILD_PARENT_FD, IMSG_CTL_AUTH, -1, cb.data, cb.len);
		cb_free(&cb);
		say("sent CTL_AUTH to the parent");
	} else
		say("unknown attack");
	say("done");
	for (;;)
		pause();
}
