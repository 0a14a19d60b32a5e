/*
 * imsg.c - imsg-style framing and buffered I/O (all processes).
 * See imsg.h for the wire format and the rules enforced here.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imsg.h"

int
imsgbuf_init(struct imsgbuf *ib, int fd, size_t maxsize, int allow_fd)
{
	memset(ib, 0, sizeof(*ib));
	ib->fd = fd;
	ib->allow_fd = allow_fd;
	ib->maxsize = maxsize ? maxsize : IMSG_MAXSIZE;
	if (ib->maxsize > 16 * 1024 * 1024) {
		errno = ERANGE;
		return -1;
	}
	ib->rcap = IMSG_HDR_SIZE + ib->maxsize;
	if ((ib->rbuf = malloc(ib->rcap)) == NULL)
		return -1;
	TAILQ_INIT(&ib->wq);
	ib->pid = (uint32_t)getpid();
	return 0;
}

void
imsgbuf_clear(struct imsgbuf *ib)
{
	struct imsg_wmsg	*w;
	int			 i;

	while ((w = TAILQ_FIRST(&ib->wq)) != NULL) {
		TAILQ_REMOVE(&ib->wq, w, entry);
		if (w->fd != -1)
			close(w->fd);
		explicit_bzero(w->buf, w->len);
		free(w->buf);
		free(w);
	}
	for (i = 0; i < ib->nrfds; i++)
		close(ib->rfds[i]);
	ib->nrfds = 0;
	if (ib->rbuf != NULL)
		explicit_bzero(ib->rbuf, ib->rcap);
	free(ib->rbuf);
	ib->rbuf = NULL;
	ib->rlen = ib->rcap = 0;
	ib->wbytes = 0;
}

int
imsgbuf_feed(struct imsgbuf *ib, const void *p, size_t n)
{
	if (n > ib->rcap - ib->rlen) {
		errno = ENOBUFS;
		return -1;
	}
	memcpy(ib->rbuf + ib->rlen, p, n);
	ib->rlen += n;
	return 0;
}

int
imsgbuf_feed_fd(struct imsgbuf *ib, int fd)
{
	if (!ib->allow_fd || ib->nrfds >= IMSG_MAXFDQ) {
		close(fd);
		errno = EBADMSG;
		return -1;
	}
	ib->rfds[ib->nrfds++] = fd;
	return 0;
}

int
imsgbuf_read(struct imsgbuf *ib)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 4)];
	} cmsgbuf;
	ssize_t		 n;
	int		*fds, nfds, i, bad = 0;

	if (ib->rlen >= ib->rcap) {
		errno = ENOBUFS;	/* cannot happen: a frame always fits */
		return -1;
	}
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = ib->rbuf + ib->rlen;
	iov.iov_len = ib->rcap - ib->rlen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);

again:
	n = recvmsg(ib->fd, &msg, MSG_CMSG_CLOEXEC);
	if (n == -1) {
		if (errno == EINTR)
			goto again;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 1;
		return -1;
	}
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS) {
			bad = 1;
			continue;
		}
		fds = (int *)CMSG_DATA(cm);
		nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		/* one descriptor per sendmsg, and only if allowed */
		if (nfds != 1 || !ib->allow_fd || ib->nrfds >= IMSG_MAXFDQ)
			bad = 1;
		for (i = 0; i < nfds; i++) {
			if (bad)
				close(fds[i]);
			else
				ib->rfds[ib->nrfds++] = fds[i];
		}
	}
	if (msg.msg_flags & MSG_CTRUNC)
		bad = 1;
	if (bad) {
		/* nothing from a rejected read stays queued */
		for (i = 0; i < ib->nrfds; i++)
			close(ib->rfds[i]);
		ib->nrfds = 0;
		errno = EBADMSG;
		return -1;
	}
	if (n == 0)
		return 0;
	ib->rlen += (size_t)n;
	return 1;
}

int
imsg_get(struct imsgbuf *ib, struct imsg *imsg)
{
	struct imsg_hdr	 h;
	size_t		 total;
	int		 hasfd;

	memset(imsg, 0, sizeof(*imsg));
	imsg->fd = -1;
	if (ib->rlen < IMSG_HDR_SIZE) {
		/* a descriptor must belong to a message that has begun */
		if (ib->rlen == 0 && ib->nrfds > 0) {
			errno = EBADMSG;
			return -1;
		}
		return 0;
	}
	memcpy(&h, ib->rbuf, sizeof(h));
	hasfd = (h.len & IMSG_FD_MARK) != 0;
	h.len &= ~IMSG_FD_MARK;
	if (h.len < IMSG_HDR_SIZE || h.len - IMSG_HDR_SIZE > ib->maxsize) {
		errno = ERANGE;
		return -1;
	}
	if (hasfd && (!ib->allow_fd || ib->nrfds == 0)) {
		errno = EBADMSG;
		return -1;
	}
	total = h.len;
	if (ib->rlen < total)
		return 0;

	imsg->hdr = h;
	imsg->datalen = total - IMSG_HDR_SIZE;
	if ((imsg->data = malloc(imsg->datalen ? imsg->datalen : 1)) == NULL)
		return -1;
	memcpy(imsg->data, ib->rbuf + IMSG_HDR_SIZE, imsg->datalen);
	if (hasfd) {
		imsg->fd = ib->rfds[0];
		memmove(ib->rfds, ib->rfds + 1,
		    sizeof(int) * (size_t)(ib->nrfds - 1));
		ib->nrfds--;
	}
	memmove(ib->rbuf, ib->rbuf + total, ib->rlen - total);
	/* what moved leaves no copy behind (payloads may be secrets) */
	explicit_bzero(ib->rbuf + ib->rlen - total, total);
	ib->rlen -= total;
	return 1;
}

void
imsg_free(struct imsg *imsg)
{
	if (imsg->fd != -1)
		close(imsg->fd);
	imsg->fd = -1;
	if (imsg->data != NULL)
		explicit_bzero(imsg->data, imsg->datalen);
	free(imsg->data);
	imsg->data = NULL;
}

int
imsg_take_fd(struct imsg *imsg)
{
	int	 fd = imsg->fd;

	imsg->fd = -1;
	return fd;
}

int
imsg_compose(struct imsgbuf *ib, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct imsg_wmsg	*w;
	struct imsg_hdr		 h;

	if (len > ib->maxsize) {
		errno = ERANGE;
		goto fail;
	}
	if (ib->wbytes + len + IMSG_HDR_SIZE > IMSG_WQ_MAXBYTES) {
		errno = ENOBUFS;
		goto fail;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		goto fail;
	if ((w->buf = malloc(IMSG_HDR_SIZE + len)) == NULL) {
		free(w);
		goto fail;
	}
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.len = (uint32_t)(IMSG_HDR_SIZE + len);
	if (fd != -1)
		h.len |= IMSG_FD_MARK;
	h.peerid = peerid;
	h.pid = ib->pid;
	memcpy(w->buf, &h, sizeof(h));
	if (len)
		memcpy(w->buf + IMSG_HDR_SIZE, data, len);
	w->len = IMSG_HDR_SIZE + len;
	w->fd = fd;
	TAILQ_INSERT_TAIL(&ib->wq, w, entry);
	ib->wbytes += w->len;
	return 0;
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

size_t
imsgbuf_queued(struct imsgbuf *ib)
{
	return ib->wbytes;
}

int
imsgbuf_write(struct imsgbuf *ib)
{
	struct iovec		 iov[32];
	struct msghdr		 msg;
	struct imsg_wmsg	*w, *next;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct cmsghdr		*cm;
	ssize_t			 n;
	size_t			 left;
	int			 i = 0, sendfd = -1;

	if ((w = TAILQ_FIRST(&ib->wq)) == NULL)
		return 1;
	memset(&msg, 0, sizeof(msg));
	/* a message with a descriptor goes alone, fd on its first byte */
	if (w->fd != -1 && w->off == 0) {
		iov[0].iov_base = w->buf;
		iov[0].iov_len = w->len;
		i = 1;
		sendfd = w->fd;
	} else {
		TAILQ_FOREACH(w, &ib->wq, entry) {
			if (i >= 32 || (i > 0 && w->fd != -1 && w->off == 0))
				break;
			iov[i].iov_base = w->buf + w->off;
			iov[i].iov_len = w->len - w->off;
			i++;
		}
	}
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)i;
	if (sendfd != -1) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), &sendfd, sizeof(int));
	}
again:
	n = sendmsg(ib->fd, &msg, MSG_NOSIGNAL);
	if (n == -1) {
		if (errno == EINTR)
			goto again;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return 0;
		return -1;
	}
	left = (size_t)n;
	for (w = TAILQ_FIRST(&ib->wq); w != NULL && left > 0; w = next) {
		next = TAILQ_NEXT(w, entry);
		if (w->fd != -1 && w->fd == sendfd && w->off == 0) {
			close(w->fd);	/* the kernel holds it now */
			w->fd = -1;
		}
		if (left < w->len - w->off) {
			w->off += left;
			ib->wbytes -= left;
			left = 0;
			break;
		}
		left -= w->len - w->off;
		ib->wbytes -= w->len - w->off;
		TAILQ_REMOVE(&ib->wq, w, entry);
		explicit_bzero(w->buf, w->len);
		free(w->buf);
		free(w);
	}
	return 1;
}

static int
remaining_ms(const struct timespec *deadline)
{
	struct timespec	 now;
	long		 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

static void
deadline_in(struct timespec *d, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, d);
	d->tv_sec += ms / 1000;
	d->tv_nsec += (long)(ms % 1000) * 1000000;
	if (d->tv_nsec >= 1000000000) {
		d->tv_sec++;
		d->tv_nsec -= 1000000000;
	}
}

int
imsgbuf_flush(struct imsgbuf *ib, int timeout_ms)
{
	struct pollfd	 pfd;
	struct timespec	 deadline;
	int		 r, ms;

	deadline_in(&deadline, timeout_ms);
	while (!TAILQ_EMPTY(&ib->wq)) {
		if ((r = imsgbuf_write(ib)) == -1)
			return -1;
		if (r == 1)
			continue;
		pfd.fd = ib->fd;
		pfd.events = POLLOUT;
		if ((ms = remaining_ms(&deadline)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&pfd, 1, ms) == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

int
imsg_recv_wait(struct imsgbuf *ib, struct imsg *imsg, int timeout_ms)
{
	struct pollfd	 pfd;
	struct timespec	 deadline;
	size_t		 before;
	int		 r, ms;

	deadline_in(&deadline, timeout_ms);
	for (;;) {
		if ((r = imsg_get(ib, imsg)) != 0)
			return r;
		pfd.fd = ib->fd;
		pfd.events = POLLIN;
		if ((ms = remaining_ms(&deadline)) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if ((r = poll(&pfd, 1, ms)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			continue;
		before = ib->rlen;
		if ((r = imsgbuf_read(ib)) <= 0)
			return r;
		if (ib->rlen == before && ib->nrfds == 0 &&
		    (pfd.revents & (POLLHUP | POLLERR)))
			return 0;
	}
}
