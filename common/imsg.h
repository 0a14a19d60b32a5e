/*
 * imsg.h - imsg-style message framing over AF_UNIX stream sockets
 * (all processes; also the control socket between clawctl and front).
 *
 * Wire format (host byte order, same-host IPC): a 16-byte header
 *   u32 type | u32 len (header + payload; top bit IMSG_FD_MARK: a
 *   descriptor travels with this message) | u32 peerid | u32 pid
 * followed by the payload.  Clean-room implementation of OpenBSD's 2024
 * imsg semantics plus what Linux needs: descriptors are accepted only on
 * channels that allow them, at most one per message, received with
 * MSG_CMSG_CLOEXEC, and MSG_CTRUNC is an error.  Read buffer and write
 * queue are bounded.
 */
#ifndef CLAWGATE_IMSG_H
#define CLAWGATE_IMSG_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

#define IMSG_HDR_SIZE		16
#define IMSG_FD_MARK		0x80000000u
#define IMSG_MAXSIZE		(64 * 1024)	/* default payload bound */
#define IMSG_MAXFDQ		4		/* descriptors awaiting a message */
#define IMSG_WQ_MAXBYTES	(4 * 1024 * 1024)

struct imsg_hdr {
	uint32_t	type;
	uint32_t	len;		/* header + payload, mark stripped */
	uint32_t	peerid;
	uint32_t	pid;		/* advisory only: never trusted */
};

struct imsg {
	struct imsg_hdr	 hdr;
	uint8_t		*data;
	size_t		 datalen;
	int		 fd;		/* -1 if none; owned until taken */
};

struct imsg_wmsg {
	TAILQ_ENTRY(imsg_wmsg)	 entry;
	uint8_t			*buf;
	size_t			 len;
	size_t			 off;
	int			 fd;
};

struct imsgbuf {
	int			 fd;
	int			 allow_fd;
	size_t			 maxsize;	/* payload bound */
	uint8_t			*rbuf;
	size_t			 rlen;
	size_t			 rcap;
	int			 rfds[IMSG_MAXFDQ];
	int			 nrfds;
	TAILQ_HEAD(, imsg_wmsg)	 wq;
	size_t			 wbytes;
	uint32_t		 pid;
};

int	imsgbuf_init(struct imsgbuf *, int fd, size_t maxsize, int allow_fd);
void	imsgbuf_clear(struct imsgbuf *);	/* frees; does not close fd */
/* 1 progress (or nothing to read yet), 0 EOF, -1 error (errno) */
int	imsgbuf_read(struct imsgbuf *);
/* append received bytes / a received descriptor (used by read and tests) */
int	imsgbuf_feed(struct imsgbuf *, const void *, size_t);
int	imsgbuf_feed_fd(struct imsgbuf *, int);
/* 1 a message in *imsg, 0 need more bytes, -1 framing error (errno) */
int	imsg_get(struct imsgbuf *, struct imsg *);
void	imsg_free(struct imsg *);
/* take ownership of the message's descriptor */
int	imsg_take_fd(struct imsg *);
/* queue a message; fd (or -1) is closed once sent.  0 ok, -1 errno
 * (ERANGE: too large, ENOBUFS: write queue full).  On failure the fd is
 * closed too. */
int	imsg_compose(struct imsgbuf *, uint32_t type, uint32_t peerid,
	    int fd, const void *data, size_t len);
/* 1 progress, 0 would block, -1 error */
int	imsgbuf_write(struct imsgbuf *);
/* write everything, waiting up to timeout_ms; 0 ok, -1 error/timeout */
int	imsgbuf_flush(struct imsgbuf *, int timeout_ms);
size_t	imsgbuf_queued(struct imsgbuf *);
/* blocking receive of one message, waiting up to timeout_ms.
 * 1 message, 0 EOF, -1 error or timeout */
int	imsg_recv_wait(struct imsgbuf *, struct imsg *, int timeout_ms);

#endif
