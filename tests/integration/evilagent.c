/*
 * evilagent.c - a stand-in for agentd, for the integration tests of
 * secretd's access rules only.
 *
 * A gatewayd built with TESTHOOKS=1 execs $CLAWGATE_TEST_AGENTD_EXEC in
 * place of agentd, with the descriptors agentd gets.  This program takes
 * the setup like agentd, reports READY, and then asks secretd, on the
 * agentd edge, for the values named in $CLAWGATE_TEST_FETCH (references
 * separated by spaces), one after the other; for each it reports on
 * stderr whether a value came back, and its length, never the value.
 * With $CLAWGATE_TEST_ATTACK=verify it then sends a SECRET_VERIFY, which
 * only authd may send: secretd must close the edge.
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "child.h"
#include "imsg.h"
#include "log.h"
#include "msgtypes.h"

static struct child	 c;

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "evilagent[%d]: ", (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
send_msg(struct imsgbuf *ib, uint32_t type, struct cbuf *cb)
{
	if (imsg_compose(ib, type, 0, -1, cb->data, cb->len) == -1 ||
	    imsgbuf_flush(ib, 2000) == -1) {
		say("send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
fetch(struct imsgbuf *ib, uint64_t id, const char *ref)
{
	struct imsg	 imsg;
	struct cbuf	 cb;
	const uint8_t	*v;
	uint64_t	 rid;
	uint8_t		 ok;
	size_t		 vlen;
	char		 err[256];

	cb_init(&cb);
	cb_put_u64(&cb, id);
	cb_put_str(&cb, ref);
	send_msg(ib, IMSG_SECRET_FETCH, &cb);
	cb_free(&cb);
	if (imsg_recv_wait(ib, &imsg, 5000) != 1) {
		say("fetch %s: no answer (edge closed?)", ref);
		return;
	}
	cb_view(&cb, imsg.data, imsg.datalen);
	cb_get_u64(&cb, &rid);
	cb_get_u8(&cb, &ok);
	if (ok) {
		cb_get_bytes(&cb, &v, &vlen, 65536);
		say("fetch %s: value of %zu bytes", ref, vlen);
	} else {
		cb_get_str(&cb, err, sizeof(err));
		say("fetch %s: refused: %s", ref, err);
	}
	imsg_free(&imsg);
}

int
main(void)
{
	struct imsgbuf	 ib, pb;
	struct pollfd	 pfd;
	struct cbuf	 cb;
	char		*list, *ref, *save = NULL;
	const char	*what;
	uint64_t	 id = 0;
	int		 secretd;

	log_init("evilagent", 1, LOG_LVL_DEBUG);
	child_setup(&c, ROLE_AGENTD);
	log_setsink(NULL);
	if (imsgbuf_init(&pb, CHILD_PARENT_FD, IMSG_MAXSIZE, 0) == -1 ||
	    imsg_compose(&pb, IMSG_READY, 0, -1, NULL, 0) == -1 ||
	    imsgbuf_flush(&pb, 2000) == -1)
		fatal("READY");
	if ((secretd = c.pending_peer[ROLE_SECRETD]) == -1)
		fatalx("no edge to secretd");
	if (imsgbuf_init(&ib, secretd, IMSG_MAXSIZE, 0) == -1)
		fatal("imsgbuf_init");
	/* let secretd resolve its snapshot */
	sleep(1);
	what = getenv("CLAWGATE_TEST_FETCH");
	if ((list = strdup(what ? what : "")) == NULL)
		fatal("strdup");
	for (ref = strtok_r(list, " ", &save); ref != NULL;
	    ref = strtok_r(NULL, " ", &save))
		fetch(&ib, ++id, ref);
	free(list);
	what = getenv("CLAWGATE_TEST_ATTACK");
	if (what != NULL && strcmp(what, "verify") == 0) {
		cb_init(&cb);
		cb_put_u64(&cb, 99);
		cb_put_u8(&cb, VERIFY_KIND_TELEGRAM);
		cb_put_str(&cb, "file:files:/slack/signing");
		cb_put_str(&cb, "");
		cb_put_bytes(&cb, "", 0);
		cb_put_str(&cb, "guess");
		send_msg(&ib, IMSG_SECRET_VERIFY, &cb);
		cb_free(&cb);
		pfd.fd = secretd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 5000) == 1 && read(secretd, &id, 1) == 0)
			say("secretd closed the edge");
		else
			say("secretd kept the edge open");
	}
	say("done");
	for (;;)
		pause();
}
