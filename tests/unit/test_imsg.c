/*
 * test_imsg.c - unit tests for the imsg framing (common/imsg.c) over real
 * AF_UNIX stream socketpairs and through imsgbuf_feed: single and batched
 * messages, byte-by-byte delivery, the payload bound at compose and at
 * receive, short header lengths, descriptor passing (CLOEXEC, ordering,
 * refusal on channels without descriptors, FD_MARK without a descriptor,
 * two descriptors in one sendmsg, MSG_CTRUNC, a descriptor with no
 * message) with descriptor leak checks, the write queue bound, EOF and
 * imsg_recv_wait's timeout.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "imsg.h"

/* descriptors open in this process */
static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;		/* the directory's own descriptor */
}

static void
mkpair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
}

static void
set_nonblock(int fd)
{
	int	 fl;

	assert_true((fl = fcntl(fd, F_GETFL)) != -1);
	assert_int_equal(fcntl(fd, F_SETFL, fl | O_NONBLOCK), 0);
}

/* a pipe whose read end does not block: read gives 0 once every write end
 * everywhere (including in flight) is closed, -1 EAGAIN before */
static void
mkpipe(int p[2])
{
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	set_nonblock(p[0]);
}

static int
all_writers_closed(int rfd)
{
	char	 c;
	ssize_t	 n;

	n = read(rfd, &c, 1);
	return n == 0;
}

static void
mkhdr(uint8_t *buf, uint32_t type, uint32_t len, uint32_t peerid)
{
	struct imsg_hdr	 h;

	h.type = type;
	h.len = len;
	h.peerid = peerid;
	h.pid = 1234;
	memcpy(buf, &h, sizeof(h));
}

/* one sendmsg with bytes and nfds descriptors in one SCM_RIGHTS */
static ssize_t
raw_send(int s, const void *buf, size_t len, const int *fds, int nfds)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 16)];
	} cmsgbuf;

	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	return sendmsg(s, &msg, MSG_NOSIGNAL);
}

static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
test_one_message(void **state)
{
	struct imsgbuf	 w, r;
	struct imsg	 m;
	int		 sv[2];

	(void)state;
	mkpair(sv);
	assert_int_equal(imsgbuf_init(&w, sv[0], 0, 0), 0);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 0), 0);
	assert_int_equal(imsg_compose(&w, 42, 7, -1, "hello", 5), 0);
	assert_int_equal(imsgbuf_queued(&w), IMSG_HDR_SIZE + 5);
	assert_int_equal(imsgbuf_flush(&w, 1000), 0);
	assert_int_equal(imsgbuf_queued(&w), 0);

	assert_int_equal(imsgbuf_read(&r), 1);
	assert_int_equal(imsg_get(&r, &m), 1);
	assert_int_equal(m.hdr.type, 42);
	assert_int_equal(m.hdr.len, IMSG_HDR_SIZE + 5);
	assert_int_equal(m.hdr.peerid, 7);
	assert_int_equal(m.hdr.pid, (uint32_t)getpid());
	assert_int_equal(m.datalen, 5);
	assert_memory_equal(m.data, "hello", 5);
	assert_int_equal(m.fd, -1);
	imsg_free(&m);
	assert_null(m.data);
	assert_int_equal(imsg_get(&r, &m), 0);
	assert_int_equal(r.rlen, 0);

	imsgbuf_clear(&w);
	imsgbuf_clear(&r);
	close(sv[0]);
	close(sv[1]);
}

static void
test_several_in_one_read(void **state)
{
	struct imsgbuf	 w, r;
	struct imsg	 m;
	int		 sv[2];
	uint32_t	 i;
	char		 payload[3][8] = { "one", "", "three" };

	(void)state;
	mkpair(sv);
	assert_int_equal(imsgbuf_init(&w, sv[0], 0, 0), 0);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 0), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(imsg_compose(&w, 100 + i, i, -1, payload[i],
		    strlen(payload[i])), 0);
	assert_int_equal(imsgbuf_flush(&w, 1000), 0);

	/* everything arrives in one read ... */
	assert_int_equal(imsgbuf_read(&r), 1);
	assert_int_equal(r.rlen, 3 * IMSG_HDR_SIZE + 3 + 0 + 5);
	/* ... and comes out as three messages, in order */
	for (i = 0; i < 3; i++) {
		assert_int_equal(imsg_get(&r, &m), 1);
		assert_int_equal(m.hdr.type, 100 + i);
		assert_int_equal(m.hdr.peerid, i);
		assert_int_equal(m.datalen, strlen(payload[i]));
		assert_memory_equal(m.data, payload[i], m.datalen);
		assert_non_null(m.data);	/* even when empty */
		imsg_free(&m);
	}
	assert_int_equal(imsg_get(&r, &m), 0);

	imsgbuf_clear(&w);
	imsgbuf_clear(&r);
	close(sv[0]);
	close(sv[1]);
}

/* two frames in a flat buffer */
static size_t
two_frames(uint8_t *buf, size_t *first)
{
	mkhdr(buf, 5, IMSG_HDR_SIZE + 4, 9);
	memcpy(buf + IMSG_HDR_SIZE, "abcd", 4);
	*first = IMSG_HDR_SIZE + 4;
	mkhdr(buf + *first, 6, IMSG_HDR_SIZE + 3, 10);
	memcpy(buf + *first + IMSG_HDR_SIZE, "xyz", 3);
	return *first + IMSG_HDR_SIZE + 3;
}

static void
test_feed_byte_by_byte(void **state)
{
	struct imsgbuf	 r;
	struct imsg	 m;
	uint8_t		 buf[64];
	size_t		 i, total, first;
	int		 got = 0;

	(void)state;
	total = two_frames(buf, &first);
	assert_int_equal(imsgbuf_init(&r, -1, 0, 0), 0);
	for (i = 0; i < total; i++) {
		assert_int_equal(imsgbuf_feed(&r, buf + i, 1), 0);
		if (i + 1 == first || i + 1 == total) {
			assert_int_equal(imsg_get(&r, &m), 1);
			assert_int_equal(m.hdr.type, got == 0 ? 5 : 6);
			assert_int_equal(m.hdr.peerid, got == 0 ? 9 : 10);
			assert_int_equal(m.hdr.pid, 1234);
			assert_memory_equal(m.data, got == 0 ? "abcd" : "xyz",
			    m.datalen);
			imsg_free(&m);
			got++;
		}
		assert_int_equal(imsg_get(&r, &m), 0);
	}
	assert_int_equal(got, 2);
	assert_int_equal(r.rlen, 0);
	imsgbuf_clear(&r);
}

static void
test_socket_in_pieces(void **state)
{
	struct imsgbuf	 r;
	struct imsg	 m;
	uint8_t		 buf[64];
	size_t		 i, total, first, before, step;
	int		 sv[2], got;

	(void)state;
	total = two_frames(buf, &first);
	for (step = 1; step <= 7; step += 3) {
		mkpair(sv);
		set_nonblock(sv[1]);
		assert_int_equal(imsgbuf_init(&r, sv[1], 0, 0), 0);
		/* nothing there yet: progress, no message */
		assert_int_equal(imsgbuf_read(&r), 1);
		assert_int_equal(imsg_get(&r, &m), 0);
		got = 0;
		for (i = 0; i < total; i += step) {
			size_t	 n = total - i < step ? total - i : step;

			assert_int_equal(write(sv[0], buf + i, n), (ssize_t)n);
			before = r.rlen;
			assert_int_equal(imsgbuf_read(&r), 1);
			assert_int_equal(r.rlen, before + n);
			while (imsg_get(&r, &m) == 1) {
				assert_int_equal(m.hdr.type, got == 0 ? 5 : 6);
				assert_memory_equal(m.data, got == 0 ?
				    "abcd" : "xyz", m.datalen);
				imsg_free(&m);
				got++;
			}
			/* a message comes out only once it is complete */
			assert_int_equal(got, (i + n >= total) +
			    (i + n >= first));
		}
		assert_int_equal(got, 2);
		imsgbuf_clear(&r);
		close(sv[0]);
		close(sv[1]);
	}
}

static void
test_max_size(void **state)
{
	struct imsgbuf	 w, r;
	struct imsg	 m;
	uint8_t		*big;
	int		 sv[2], p[2], base;

	(void)state;
	assert_non_null(big = malloc(IMSG_MAXSIZE + 1));
	memset(big, 'q', IMSG_MAXSIZE + 1);
	big[0] = 'A';
	big[IMSG_MAXSIZE - 1] = 'Z';
	mkpair(sv);
	assert_int_equal(imsgbuf_init(&w, sv[0], 0, 0), 0);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 0), 0);
	assert_int_equal(w.maxsize, IMSG_MAXSIZE);

	/* max+1 refused at compose, and an fd given along is closed */
	mkpipe(p);
	base = count_fds();
	errno = 0;
	assert_int_equal(imsg_compose(&w, 1, 0, p[1], big, IMSG_MAXSIZE + 1),
	    -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(count_fds(), base - 1);
	assert_true(all_writers_closed(p[0]));
	close(p[0]);
	assert_int_equal(imsgbuf_queued(&w), 0);

	/* exactly max accepted, and goes through */
	assert_int_equal(imsg_compose(&w, 1, 0, -1, big, IMSG_MAXSIZE), 0);
	assert_int_equal(imsgbuf_flush(&w, 2000), 0);
	assert_int_equal(imsg_recv_wait(&r, &m, 2000), 1);
	assert_int_equal(m.datalen, IMSG_MAXSIZE);
	assert_memory_equal(m.data, big, IMSG_MAXSIZE);
	imsg_free(&m);
	imsgbuf_clear(&w);
	imsgbuf_clear(&r);

	/* a smaller bound is a bound too */
	assert_int_equal(imsgbuf_init(&w, sv[0], 100, 0), 0);
	assert_int_equal(imsg_compose(&w, 1, 0, -1, big, 100), 0);
	errno = 0;
	assert_int_equal(imsg_compose(&w, 1, 0, -1, big, 101), -1);
	assert_int_equal(errno, ERANGE);
	imsgbuf_clear(&w);

	/* and an init bound above 16 MiB is refused */
	errno = 0;
	assert_int_equal(imsgbuf_init(&w, sv[0], 16 * 1024 * 1024 + 1, 0),
	    -1);
	assert_int_equal(errno, ERANGE);
	imsgbuf_clear(&w);
	free(big);
	close(sv[0]);
	close(sv[1]);
}

/* a hand-made header claiming max+1 is refused before the payload */
static void
test_oversize_at_receive(void **state)
{
	struct imsgbuf	 r;
	struct imsg	 m;
	uint8_t		 hdr[IMSG_HDR_SIZE];
	int		 sv[2];
	uint32_t	 lens[] = { IMSG_HDR_SIZE + 100 + 1, 0x7fffffff,
	    (IMSG_HDR_SIZE + 100 + 1) | IMSG_FD_MARK, 0xffffffff };
	size_t		 i;

	(void)state;
	/* through a socket */
	mkpair(sv);
	assert_int_equal(imsgbuf_init(&r, sv[1], 100, 0), 0);
	mkhdr(hdr, 1, IMSG_HDR_SIZE + 100 + 1, 0);
	assert_int_equal(write(sv[0], hdr, sizeof(hdr)), sizeof(hdr));
	assert_int_equal(imsgbuf_read(&r), 1);
	errno = 0;
	assert_int_equal(imsg_get(&r, &m), -1);
	assert_int_equal(errno, ERANGE);
	assert_null(m.data);
	assert_int_equal(m.fd, -1);
	imsgbuf_clear(&r);
	close(sv[0]);
	close(sv[1]);

	/* max itself is fine, and the message is complete at max */
	assert_int_equal(imsgbuf_init(&r, -1, 100, 0), 0);
	mkhdr(hdr, 1, IMSG_HDR_SIZE + 100, 0);
	assert_int_equal(imsgbuf_feed(&r, hdr, sizeof(hdr)), 0);
	assert_int_equal(imsg_get(&r, &m), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(imsgbuf_feed(&r, "x", 1), 0);
	assert_int_equal(imsg_get(&r, &m), 1);
	assert_int_equal(m.datalen, 100);
	imsg_free(&m);
	imsgbuf_clear(&r);

	/* other oversize lengths, with and without the fd mark */
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		assert_int_equal(imsgbuf_init(&r, -1, 100, 1), 0);
		mkhdr(hdr, 1, lens[i], 0);
		assert_int_equal(imsgbuf_feed(&r, hdr, sizeof(hdr)), 0);
		errno = 0;
		assert_int_equal(imsg_get(&r, &m), -1);
		assert_int_equal(errno, ERANGE);
		imsgbuf_clear(&r);
	}
}

static void
test_short_header_len(void **state)
{
	struct imsgbuf	 r;
	struct imsg	 m;
	uint8_t		 hdr[IMSG_HDR_SIZE + 16];
	uint32_t	 lens[] = { 0, 1, IMSG_HDR_SIZE - 1, IMSG_FD_MARK,
	    IMSG_FD_MARK | (IMSG_HDR_SIZE - 1) };
	size_t		 i;

	(void)state;
	memset(hdr, 0, sizeof(hdr));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		assert_int_equal(imsgbuf_init(&r, -1, 0, 0), 0);
		mkhdr(hdr, 1, lens[i], 0);
		assert_int_equal(imsgbuf_feed(&r, hdr, sizeof(hdr)), 0);
		errno = 0;
		assert_int_equal(imsg_get(&r, &m), -1);
		assert_int_equal(errno, ERANGE);
		imsgbuf_clear(&r);
	}
	/* exactly a header: an empty message */
	assert_int_equal(imsgbuf_init(&r, -1, 0, 0), 0);
	mkhdr(hdr, 1, IMSG_HDR_SIZE, 0);
	assert_int_equal(imsgbuf_feed(&r, hdr, IMSG_HDR_SIZE), 0);
	assert_int_equal(imsg_get(&r, &m), 1);
	assert_int_equal(m.datalen, 0);
	imsg_free(&m);
	imsgbuf_clear(&r);
}

static void
test_fd_passing(void **state)
{
	struct imsgbuf	 w, r;
	struct imsg	 m;
	int		 sv[2], pa[2], pb[2], base, fd, flags;
	char		 c;

	(void)state;
	mkpair(sv);
	mkpipe(pa);
	mkpipe(pb);
	assert_int_equal(imsgbuf_init(&w, sv[0], 0, 1), 0);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 1), 0);
	base = count_fds();

	/* the write ends travel; compose owns them from here */
	assert_int_equal(imsg_compose(&w, 1, 0, pa[1], "a", 1), 0);
	assert_int_equal(imsg_compose(&w, 2, 0, -1, "none", 4), 0);
	assert_int_equal(imsg_compose(&w, 3, 0, pb[1], "b", 1), 0);
	assert_int_equal(imsgbuf_flush(&w, 1000), 0);
	/* the sender closed its copies once they were sent */
	assert_int_equal(count_fds(), base - 2);

	assert_int_equal(imsg_recv_wait(&r, &m, 1000), 1);
	assert_int_equal(m.hdr.type, 1);
	assert_int_equal(m.hdr.len, IMSG_HDR_SIZE + 1);	/* mark stripped */
	assert_true(m.fd >= 0);
	assert_true((flags = fcntl(m.fd, F_GETFD)) != -1);
	assert_true(flags & FD_CLOEXEC);
	fd = imsg_take_fd(&m);
	assert_int_equal(m.fd, -1);
	imsg_free(&m);
	assert_true(fcntl(fd, F_GETFD) != -1);	/* taken, not closed */
	assert_int_equal(write(fd, "A", 1), 1);
	assert_int_equal(read(pa[0], &c, 1), 1);
	assert_int_equal(c, 'A');
	close(fd);
	assert_true(all_writers_closed(pa[0]));

	assert_int_equal(imsg_recv_wait(&r, &m, 1000), 1);
	assert_int_equal(m.hdr.type, 2);
	assert_int_equal(m.fd, -1);
	imsg_free(&m);

	assert_int_equal(imsg_recv_wait(&r, &m, 1000), 1);
	assert_int_equal(m.hdr.type, 3);
	assert_true(m.fd >= 0);
	assert_true(fcntl(m.fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(m.fd, "B", 1), 1);
	assert_int_equal(read(pb[0], &c, 1), 1);
	assert_int_equal(c, 'B');
	/* imsg_free closes a descriptor nobody took */
	imsg_free(&m);
	assert_true(all_writers_closed(pb[0]));
	assert_int_equal(count_fds(), base - 2);

	imsgbuf_clear(&w);
	imsgbuf_clear(&r);
	close(pa[0]);
	close(pb[0]);
	close(sv[0]);
	close(sv[1]);
}

/* a big message with a descriptor, through a tiny socket buffer: the
 * descriptor goes exactly once and stays with its message */
static void
test_fd_with_partial_writes(void **state)
{
	struct imsgbuf	 w, r;
	struct imsg	 m;
	uint8_t		*big;
	int		 sv[2], p[2], sz = 4096, got = 0, base, rr;

	(void)state;
	assert_non_null(big = malloc(IMSG_MAXSIZE));
	memset(big, 'z', IMSG_MAXSIZE);
	mkpair(sv);
	mkpipe(p);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz,
	    sizeof(sz)), 0);
	set_nonblock(sv[0]);
	set_nonblock(sv[1]);
	assert_int_equal(imsgbuf_init(&w, sv[0], 0, 1), 0);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 1), 0);
	base = count_fds();
	assert_int_equal(imsg_compose(&w, 1, 0, p[1], big, IMSG_MAXSIZE), 0);
	assert_int_equal(imsg_compose(&w, 2, 0, -1, "tail", 4), 0);
	while (got < 2) {
		assert_int_not_equal(imsgbuf_write(&w), -1);
		assert_int_equal(imsgbuf_read(&r), 1);
		assert_true(r.nrfds <= 1);
		while ((rr = imsg_get(&r, &m)) == 1) {
			if (got == 0) {
				assert_int_equal(m.hdr.type, 1);
				assert_int_equal(m.datalen, IMSG_MAXSIZE);
				assert_memory_equal(m.data, big, IMSG_MAXSIZE);
				assert_true(m.fd >= 0);
			} else {
				assert_int_equal(m.hdr.type, 2);
				assert_int_equal(m.fd, -1);
			}
			imsg_free(&m);
			got++;
		}
		assert_int_equal(rr, 0);
	}
	assert_int_equal(imsgbuf_queued(&w), 0);
	assert_int_equal(r.nrfds, 0);
	assert_int_equal(count_fds(), base - 1);
	assert_true(all_writers_closed(p[0]));
	imsgbuf_clear(&w);
	imsgbuf_clear(&r);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
	free(big);
}

/* a descriptor on a channel that does not take them */
static void
test_fd_refused_without_allow(void **state)
{
	struct imsgbuf	 w, r;
	int		 sv[2], p[2], base;

	(void)state;
	mkpair(sv);
	mkpipe(p);
	assert_int_equal(imsgbuf_init(&w, sv[0], 0, 1), 0);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 0), 0);
	base = count_fds();
	assert_int_equal(imsg_compose(&w, 1, 0, dup(p[1]), "x", 1), 0);
	assert_int_equal(imsgbuf_flush(&w, 1000), 0);
	assert_int_equal(count_fds(), base);

	errno = 0;
	assert_int_equal(imsgbuf_read(&r), -1);
	assert_int_equal(errno, EBADMSG);
	/* nothing kept, nothing leaked */
	assert_int_equal(r.nrfds, 0);
	assert_int_equal(count_fds(), base);
	close(p[1]);
	assert_true(all_writers_closed(p[0]));
	imsgbuf_clear(&r);
	imsgbuf_clear(&w);
	assert_int_equal(count_fds(), base - 1);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

/* FD_MARK on a header with no descriptor behind it */
static void
test_fd_mark_without_fd(void **state)
{
	struct imsgbuf	 r;
	struct imsg	 m;
	uint8_t		 buf[IMSG_HDR_SIZE + 2];
	int		 sv[2], allow;

	(void)state;
	for (allow = 0; allow <= 1; allow++) {
		mkpair(sv);
		assert_int_equal(imsgbuf_init(&r, sv[1], 0, allow), 0);
		mkhdr(buf, 1, (IMSG_HDR_SIZE + 2) | IMSG_FD_MARK, 0);
		memcpy(buf + IMSG_HDR_SIZE, "ok", 2);
		assert_int_equal(write(sv[0], buf, sizeof(buf)), sizeof(buf));
		assert_int_equal(imsgbuf_read(&r), 1);
		errno = 0;
		assert_int_equal(imsg_get(&r, &m), -1);
		assert_int_equal(errno, EBADMSG);
		assert_int_equal(m.fd, -1);
		assert_null(m.data);
		imsgbuf_clear(&r);
		close(sv[0]);
		close(sv[1]);
	}
}

/* two descriptors in one sendmsg, on a channel that takes descriptors */
static void
test_two_fds_one_sendmsg(void **state)
{
	struct imsgbuf	 r;
	uint8_t		 buf[IMSG_HDR_SIZE];
	int		 sv[2], p[2], fds[2], base;

	(void)state;
	mkpair(sv);
	mkpipe(p);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 1), 0);
	base = count_fds();
	mkhdr(buf, 1, IMSG_HDR_SIZE | IMSG_FD_MARK, 0);
	fds[0] = p[1];
	fds[1] = p[1];
	assert_int_equal(raw_send(sv[0], buf, sizeof(buf), fds, 2),
	    sizeof(buf));
	close(p[1]);

	errno = 0;
	assert_int_equal(imsgbuf_read(&r), -1);
	assert_int_equal(errno, EBADMSG);
	/* the second was closed on the spot; at most the first is held */
	assert_true(count_fds() <= base);
	imsgbuf_clear(&r);
	assert_int_equal(count_fds(), base - 1);
	assert_true(all_writers_closed(p[0]));
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

/* more descriptors than the reader's control buffer: MSG_CTRUNC */
static void
test_ctrunc(void **state)
{
	struct imsgbuf	 r;
	uint8_t		 buf[IMSG_HDR_SIZE];
	int		 sv[2], p[2], fds[8], base, allow, i;

	(void)state;
	for (allow = 0; allow <= 1; allow++) {
		mkpair(sv);
		mkpipe(p);
		assert_int_equal(imsgbuf_init(&r, sv[1], 0, allow), 0);
		base = count_fds();
		mkhdr(buf, 1, IMSG_HDR_SIZE | IMSG_FD_MARK, 0);
		for (i = 0; i < 8; i++)
			fds[i] = p[1];
		assert_int_equal(raw_send(sv[0], buf, sizeof(buf), fds, 8),
		    sizeof(buf));
		close(p[1]);

		errno = 0;
		assert_int_equal(imsgbuf_read(&r), -1);
		assert_int_equal(errno, EBADMSG);
		assert_true(count_fds() <= base);
		imsgbuf_clear(&r);
		assert_int_equal(count_fds(), base - 1);
		assert_true(all_writers_closed(p[0]));
		close(p[0]);
		close(sv[0]);
		close(sv[1]);
	}
}

/* a descriptor whose message does not say it carries one */
static void
test_fd_without_mark(void **state)
{
	struct imsgbuf	 r;
	struct imsg	 m;
	uint8_t		 buf[IMSG_HDR_SIZE];
	int		 sv[2], p[2], base, rr, n;

	(void)state;
	mkpair(sv);
	mkpipe(p);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 1), 0);
	base = count_fds();
	mkhdr(buf, 1, IMSG_HDR_SIZE, 0);
	assert_int_equal(raw_send(sv[0], buf, sizeof(buf), &p[1], 1),
	    sizeof(buf));
	close(p[1]);
	assert_int_equal(imsgbuf_read(&r), 1);

	/* the message itself may come out, but never with the stray
	 * descriptor, and draining the buffer must end in an error */
	for (n = 0; n < 4; n++) {
		errno = 0;
		if ((rr = imsg_get(&r, &m)) != 1)
			break;
		assert_int_equal(m.fd, -1);
		imsg_free(&m);
	}
	assert_int_equal(rr, -1);
	assert_int_equal(errno, EBADMSG);
	imsgbuf_clear(&r);
	assert_int_equal(count_fds(), base - 1);
	assert_true(all_writers_closed(p[0]));
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void
test_feed_limits(void **state)
{
	struct imsgbuf	 r;
	struct imsg	 m;
	uint8_t		 buf[IMSG_HDR_SIZE + 64];
	int		 p[2], i, base;

	(void)state;
	memset(buf, 0, sizeof(buf));
	/* the read buffer holds header + maxsize and no more */
	assert_int_equal(imsgbuf_init(&r, -1, 64, 1), 0);
	assert_int_equal(imsgbuf_feed(&r, buf, IMSG_HDR_SIZE + 64), 0);
	errno = 0;
	assert_int_equal(imsgbuf_feed(&r, buf, 1), -1);
	assert_int_equal(errno, ENOBUFS);
	imsgbuf_clear(&r);

	mkpipe(p);
	base = count_fds();
	/* a descriptor fed to a channel without descriptors is closed */
	assert_int_equal(imsgbuf_init(&r, -1, 0, 0), 0);
	errno = 0;
	assert_int_equal(imsgbuf_feed_fd(&r, dup(p[1])), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(count_fds(), base);
	imsgbuf_clear(&r);

	/* at most IMSG_MAXFDQ wait for their messages */
	assert_int_equal(imsgbuf_init(&r, -1, 0, 1), 0);
	for (i = 0; i < IMSG_MAXFDQ; i++)
		assert_int_equal(imsgbuf_feed_fd(&r, dup(p[1])), 0);
	assert_int_equal(count_fds(), base + IMSG_MAXFDQ);
	errno = 0;
	assert_int_equal(imsgbuf_feed_fd(&r, dup(p[1])), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(count_fds(), base + IMSG_MAXFDQ);
	/* descriptors with no message begun */
	errno = 0;
	assert_int_equal(imsg_get(&r, &m), -1);
	assert_int_equal(errno, EBADMSG);
	imsgbuf_clear(&r);
	assert_int_equal(count_fds(), base);

	/* a fed descriptor goes with the marked message that follows */
	assert_int_equal(imsgbuf_init(&r, -1, 0, 1), 0);
	mkhdr(buf, 7, IMSG_HDR_SIZE | IMSG_FD_MARK, 0);
	assert_int_equal(imsgbuf_feed_fd(&r, dup(p[1])), 0);
	assert_int_equal(imsgbuf_feed(&r, buf, IMSG_HDR_SIZE), 0);
	assert_int_equal(imsg_get(&r, &m), 1);
	assert_true(m.fd >= 0);
	assert_int_equal(r.nrfds, 0);
	imsg_free(&m);
	assert_int_equal(count_fds(), base);
	imsgbuf_clear(&r);
	close(p[0]);
	close(p[1]);
}

static void
test_write_queue_limit(void **state)
{
	struct imsgbuf	 w;
	uint8_t		*big, drain[65536];
	size_t		 n = 0, q;
	int		 sv[2], p[2], base;

	(void)state;
	assert_non_null(big = calloc(1, IMSG_MAXSIZE));
	mkpair(sv);
	set_nonblock(sv[0]);
	set_nonblock(sv[1]);
	assert_int_equal(imsgbuf_init(&w, sv[0], 0, 1), 0);
	while (imsg_compose(&w, 1, 0, -1, big, IMSG_MAXSIZE) == 0)
		n++;
	assert_int_equal(errno, ENOBUFS);
	assert_int_equal(n, IMSG_WQ_MAXBYTES / (IMSG_HDR_SIZE + IMSG_MAXSIZE));
	assert_int_equal(imsgbuf_queued(&w), n * (IMSG_HDR_SIZE +
	    IMSG_MAXSIZE));
	assert_true(imsgbuf_queued(&w) <= IMSG_WQ_MAXBYTES);

	/* a descriptor given to a refused compose is closed */
	mkpipe(p);
	base = count_fds();
	errno = 0;
	assert_int_equal(imsg_compose(&w, 1, 0, p[1], big, IMSG_MAXSIZE), -1);
	assert_int_equal(errno, ENOBUFS);
	assert_int_equal(count_fds(), base - 1);
	assert_true(all_writers_closed(p[0]));
	close(p[0]);

	/* once some is written, there is room again */
	q = imsgbuf_queued(&w);
	assert_int_equal(imsgbuf_write(&w), 1);
	assert_true(imsgbuf_queued(&w) < q);
	while (read(sv[1], drain, sizeof(drain)) > 0)
		;
	while (imsgbuf_queued(&w) > q - (IMSG_HDR_SIZE + IMSG_MAXSIZE)) {
		assert_int_not_equal(imsgbuf_write(&w), -1);
		while (read(sv[1], drain, sizeof(drain)) > 0)
			;
	}
	assert_int_equal(imsg_compose(&w, 1, 0, -1, big, IMSG_MAXSIZE), 0);
	imsgbuf_clear(&w);
	assert_int_equal(imsgbuf_queued(&w), 0);
	close(sv[0]);
	close(sv[1]);
	free(big);
}

static void
test_eof(void **state)
{
	struct imsgbuf	 r;
	struct imsg	 m;
	uint8_t		 hdr[IMSG_HDR_SIZE];
	int		 sv[2];

	(void)state;
	/* clean EOF */
	mkpair(sv);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 0), 0);
	close(sv[0]);
	assert_int_equal(imsgbuf_read(&r), 0);
	assert_int_equal(imsg_get(&r, &m), 0);
	assert_int_equal(imsg_recv_wait(&r, &m, 1000), 0);
	imsgbuf_clear(&r);
	close(sv[1]);

	/* EOF in the middle of a frame: the partial frame stays unread */
	mkpair(sv);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 0), 0);
	mkhdr(hdr, 1, IMSG_HDR_SIZE + 10, 0);
	assert_int_equal(write(sv[0], hdr, sizeof(hdr)), sizeof(hdr));
	close(sv[0]);
	assert_int_equal(imsgbuf_read(&r), 1);
	assert_int_equal(imsg_get(&r, &m), 0);
	assert_int_equal(imsgbuf_read(&r), 0);
	assert_int_equal(imsg_get(&r, &m), 0);
	assert_int_equal(r.rlen, IMSG_HDR_SIZE);
	imsgbuf_clear(&r);
	close(sv[1]);
}

static void
test_recv_wait(void **state)
{
	struct imsgbuf	 w, r;
	struct imsg	 m;
	struct timespec	 t0;
	long		 ms;
	int		 sv[2];

	(void)state;
	mkpair(sv);
	assert_int_equal(imsgbuf_init(&w, sv[0], 0, 0), 0);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 0), 0);

	/* nothing comes: a timeout, neither early nor very late */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	assert_int_equal(imsg_recv_wait(&r, &m, 200), -1);
	assert_int_equal(errno, ETIMEDOUT);
	ms = elapsed_ms(&t0);
	assert_true(ms >= 190);
	assert_true(ms < 5000);

	/* half a frame is still nothing */
	assert_int_equal(write(sv[0], "\x01\x00", 2), 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	assert_int_equal(imsg_recv_wait(&r, &m, 100), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(elapsed_ms(&t0) >= 90);
	imsgbuf_clear(&r);
	close(sv[1]);
	close(sv[0]);
	imsgbuf_clear(&w);

	/* a message that is there comes at once */
	mkpair(sv);
	assert_int_equal(imsgbuf_init(&w, sv[0], 0, 0), 0);
	assert_int_equal(imsgbuf_init(&r, sv[1], 0, 0), 0);
	assert_int_equal(imsg_compose(&w, 9, 0, -1, "hi", 2), 0);
	assert_int_equal(imsgbuf_flush(&w, 1000), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(imsg_recv_wait(&r, &m, 5000), 1);
	assert_true(elapsed_ms(&t0) < 1000);
	assert_int_equal(m.hdr.type, 9);
	imsg_free(&m);
	imsgbuf_clear(&w);
	imsgbuf_clear(&r);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_message),
		cmocka_unit_test(test_several_in_one_read),
		cmocka_unit_test(test_feed_byte_by_byte),
		cmocka_unit_test(test_socket_in_pieces),
		cmocka_unit_test(test_max_size),
		cmocka_unit_test(test_oversize_at_receive),
		cmocka_unit_test(test_short_header_len),
		cmocka_unit_test(test_fd_passing),
		cmocka_unit_test(test_fd_with_partial_writes),
		cmocka_unit_test(test_fd_refused_without_allow),
		cmocka_unit_test(test_fd_mark_without_fd),
		cmocka_unit_test(test_two_fds_one_sendmsg),
		cmocka_unit_test(test_ctrunc),
		cmocka_unit_test(test_fd_without_mark),
		cmocka_unit_test(test_feed_limits),
		cmocka_unit_test(test_write_queue_limit),
		cmocka_unit_test(test_eof),
		cmocka_unit_test(test_recv_wait),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
