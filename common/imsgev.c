/*
 * imsgev.c - libevent driver for imsg channels (all processes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsgev.h"
#include "log.h"
#include "msgtypes.h"
#include "roles.h"

static void	iev_cb(evutil_socket_t, short, void *);

static void
iev_update(struct imsgev *iev)
{
	short	 want = EV_READ;

	if (iev->dead || iev->failed)
		return;
	if (imsgbuf_queued(&iev->ibuf) > 0)
		want |= EV_WRITE;
	if (want == iev->events && iev->ev != NULL)
		return;
	if (iev->ev != NULL)
		event_free(iev->ev);
	iev->events = want;
	iev->ev = event_new(iev->base, iev->ibuf.fd, want | EV_PERSIST,
	    iev_cb, iev);
	if (iev->ev == NULL || event_add(iev->ev, NULL) == -1)
		fatalx("%s: event_new", __func__);
}

struct imsgev *
imsgev_new(struct event_base *base, int fd, size_t maxsize, int allow_fd,
    int self, int peer, iev_handler handler, iev_failcb fail, void *arg)
{
	struct imsgev	*iev;

	if ((iev = calloc(1, sizeof(*iev))) == NULL)
		return NULL;
	if (imsgbuf_init(&iev->ibuf, fd, maxsize, allow_fd) == -1) {
		free(iev);
		return NULL;
	}
	if (evutil_make_socket_nonblocking(fd) == -1 ||
	    evutil_make_socket_closeonexec(fd) == -1) {
		imsgbuf_clear(&iev->ibuf);
		free(iev);
		return NULL;
	}
	iev->base = base;
	iev->handler = handler;
	iev->fail = fail;
	iev->arg = arg;
	iev->self = self;
	iev->peer = peer;
	iev_update(iev);
	return iev;
}

static void
iev_destroy(struct imsgev *iev)
{
	if (iev->ev != NULL)
		event_free(iev->ev);
	close(iev->ibuf.fd);
	imsgbuf_clear(&iev->ibuf);
	free(iev);
}

void
imsgev_free(struct imsgev *iev)
{
	if (iev == NULL)
		return;
	if (iev->in_dispatch) {
		iev->dead = 1;
		if (iev->ev != NULL)
			event_del(iev->ev);
		return;
	}
	iev_destroy(iev);
}

static void
iev_fail(struct imsgev *iev, int kind, const char *reason)
{
	if (iev->failed || iev->dead)
		return;
	iev->failed = 1;
	if (iev->ev != NULL)
		event_del(iev->ev);
	iev->fail(iev, kind, reason);
}

void
imsgev_violation(struct imsgev *iev, const char *reason)
{
	iev_fail(iev, IEV_VIOLATION, reason);
}

int
imsgev_compose(struct imsgev *iev, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	if (iev->dead || iev->failed) {
		if (fd != -1)
			close(fd);
		errno = EPIPE;
		return -1;
	}
	if (imsg_compose(&iev->ibuf, type, peerid, fd, data, len) == -1)
		return -1;
	iev_update(iev);
	return 0;
}

int
imsgev_compose_cb(struct imsgev *iev, uint32_t type, uint32_t peerid, int fd,
    struct cbuf *cb)
{
	if (cb->err) {
		if (fd != -1)
			close(fd);
		errno = EINVAL;
		return -1;
	}
	return imsgev_compose(iev, type, peerid, fd, cb->data, cb->len);
}

static void
iev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct imsgev	*iev = arg;
	struct imsg	 imsg;
	const char	*why;
	int		 r, eof = 0;

	(void)fd;
	iev->in_dispatch++;
	if (what & EV_WRITE) {
		if (imsgbuf_write(&iev->ibuf) == -1) {
			iev_fail(iev, IEV_IOERR, strerror(errno));
			goto out;
		}
	}
	if (what & EV_READ) {
		r = imsgbuf_read(&iev->ibuf);
		if (r == -1) {
			iev_fail(iev, errno == EBADMSG ? IEV_VIOLATION :
			    IEV_IOERR, errno == EBADMSG ?
			    "bad descriptor passing" : strerror(errno));
			goto out;
		}
		eof = (r == 0);
		for (;;) {
			if (iev->dead || iev->failed)
				goto out;
			r = imsg_get(&iev->ibuf, &imsg);
			if (r == -1) {
				iev_fail(iev, IEV_VIOLATION, errno == ERANGE ?
				    "bad frame length" : "bad frame");
				goto out;
			}
			if (r == 0)
				break;
			if (msg_check(imsg.hdr.type, iev->peer, iev->self,
			    imsg.fd != -1, imsg.datalen, &why) == -1) {
				log_warnx("refused %s (type %u, %zu bytes) "
				    "from %s: %s", msg_name(imsg.hdr.type),
				    imsg.hdr.type, imsg.datalen,
				    role_name(iev->peer), why);
				imsg_free(&imsg);
				iev_fail(iev, IEV_VIOLATION, why);
				goto out;
			}
			iev->handler(iev, &imsg);
			imsg_free(&imsg);
		}
		if (eof)
			iev_fail(iev, iev->ibuf.rlen ? IEV_VIOLATION : IEV_EOF,
			    iev->ibuf.rlen ? "truncated frame at end of stream" :
			    "end of stream");
	}
out:
	iev->in_dispatch--;
	if (iev->dead && iev->in_dispatch == 0) {
		iev_destroy(iev);
		return;
	}
	iev_update(iev);
}
