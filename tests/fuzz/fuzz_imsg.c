/*
 * fuzz_imsg.c - libFuzzer harness for the imsg framing reader
 * (common/imsg.c: imsgbuf_feed, imsgbuf_feed_fd, imsg_get).
 *
 * Input: byte 0 chooses allow_fd (bit 0), the payload bound (bits 1-3)
 * and whether descriptors are taken or left to imsg_free (bit 4); byte 1
 * the chunk size (255: as much as fits); byte 2 a pattern saying before
 * which chunks a descriptor (a dup of /dev/null) is fed.  The rest is the
 * byte stream, fed in chunks; after each chunk every complete message is
 * taken with imsg_get until it returns 0 or -1.
 *
 * Checked: messages respect the bound and carry a descriptor only if they
 * are marked and the channel allows it, the buffer never gets stuck full
 * without a message in it, and no descriptor outlives imsgbuf_clear.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FDSCAN	64

static int	 devnull = -1;
static uint8_t	 openatstart[FDSCAN];	/* inherited descriptors */

static void
init(void)
{
	int	 fd;

	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		abort();
	for (fd = 0; fd < FDSCAN; fd++)
		openatstart[fd] = fcntl(fd, F_GETFD) != -1;
}

/* every descriptor this run opened must be closed again */
static void
check_no_leak(void)
{
	int	 fd;

	for (fd = 0; fd < FDSCAN; fd++)
		if (!openatstart[fd] && fcntl(fd, F_GETFD) != -1) {
			fprintf(stderr, "descriptor %d leaked\n", fd);
			abort();
		}
}

/* take every complete message; -1 once the stream is refused */
static int
drain(struct imsgbuf *ib, int take)
{
	struct imsg	 m;
	volatile uint8_t sink = 0;
	size_t		 i;
	int		 r, fd;

	while ((r = imsg_get(ib, &m)) == 1) {
		if (m.hdr.len < IMSG_HDR_SIZE ||
		    m.datalen != m.hdr.len - IMSG_HDR_SIZE ||
		    m.datalen > ib->maxsize || m.data == NULL)
			abort();
		if (m.hdr.len & IMSG_FD_MARK)
			abort();	/* the mark is stripped */
		if (m.fd != -1) {
			if (!ib->allow_fd || fcntl(m.fd, F_GETFD) == -1)
				abort();
		}
		for (i = 0; i < m.datalen; i++)
			sink ^= m.data[i];
		if (take && m.fd != -1) {
			fd = imsg_take_fd(&m);
			if (m.fd != -1)
				abort();
			close(fd);
		}
		imsg_free(&m);
		if (m.data != NULL || m.fd != -1)
			abort();
	}
	if (r == 0) {
		/* more bytes are wanted, so there must be room for them */
		if (ib->rlen >= ib->rcap)
			abort();
		return 0;
	}
	if (r != -1 || (errno != ERANGE && errno != EBADMSG))
		abort();
	(void)sink;
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 bounds[8] = { 0, 1, 16, 17, 100, 255, 4096,
	    IMSG_MAXSIZE };
	struct imsgbuf		 ib;
	size_t			 chunk, off = 0, n, room;
	unsigned		 idx = 0;
	uint8_t			 mode, fdpat;
	int			 allow, take, fd;

	if (devnull == -1)
		init();
	if (size < 3)
		return 0;
	mode = data[0];
	allow = mode & 1;
	take = (mode >> 4) & 1;
	chunk = data[1] == 255 ? SIZE_MAX : (size_t)data[1] + 1;
	fdpat = data[2];
	data += 3;
	size -= 3;

	if (imsgbuf_init(&ib, -1, bounds[(mode >> 1) & 7], allow) == -1)
		abort();
	if (ib.maxsize != (bounds[(mode >> 1) & 7] ? bounds[(mode >> 1) & 7] :
	    IMSG_MAXSIZE))
		abort();
	while (off < size) {
		if (fdpat & (1u << (idx % 8))) {
			if ((fd = dup(devnull)) == -1)
				abort();
			/* refused: it was closed for us */
			if (imsgbuf_feed_fd(&ib, fd) == -1 &&
			    (allow && ib.nrfds < IMSG_MAXFDQ))
				abort();
		}
		idx++;
		n = size - off < chunk ? size - off : chunk;
		room = ib.rcap - ib.rlen;
		if (room == 0)
			abort();
		if (n > room) {
			/* too much at once is refused, and nothing taken */
			if (imsgbuf_feed(&ib, data + off, n) != -1 ||
			    ib.rlen + room != ib.rcap)
				abort();
			n = room;
		}
		if (imsgbuf_feed(&ib, data + off, n) == -1)
			abort();
		off += n;
		if (drain(&ib, take) == -1)
			break;
	}
	if (ib.nrfds > IMSG_MAXFDQ || ib.rlen > ib.rcap)
		abort();
	imsgbuf_clear(&ib);
	check_no_leak();
	return 0;
}
