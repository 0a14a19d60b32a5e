/*
 * imsgev.h - an imsg channel driven by libevent (all processes).
 *
 * Every message that arrives is checked against msgtypes.c for the edge
 * (peer role -> own role) before the handler sees it.  Any framing,
 * edge or size violation, EOF or I/O error ends the channel: the fail
 * callback runs once and the owner then calls imsgev_free().
 */
#ifndef CLAWGATE_IMSGEV_H
#define CLAWGATE_IMSGEV_H

#include <event2/event.h>

#include "codec.h"
#include "imsg.h"

enum iev_fail {
	IEV_EOF = 1,		/* peer closed */
	IEV_IOERR,		/* read or write failed */
	IEV_VIOLATION,		/* peer broke the protocol */
};

struct imsgev;
typedef void (*iev_handler)(struct imsgev *, struct imsg *);
typedef void (*iev_failcb)(struct imsgev *, int kind, const char *reason);

struct imsgev {
	struct imsgbuf		 ibuf;
	struct event		*ev;
	struct event_base	*base;
	short			 events;
	iev_handler		 handler;
	iev_failcb		 fail;
	void			*arg;
	int			 self;		/* own role */
	int			 peer;		/* role at the other end */
	int			 in_dispatch;
	int			 dead;		/* free requested */
	int			 failed;	/* fail callback ran */
};

struct imsgev	*imsgev_new(struct event_base *, int fd, size_t maxsize,
		    int allow_fd, int self, int peer, iev_handler, iev_failcb,
		    void *arg);
/* closes the descriptor; safe to call from inside a callback */
void		 imsgev_free(struct imsgev *);
int		 imsgev_compose(struct imsgev *, uint32_t type, uint32_t peerid,
		    int fd, const void *data, size_t len);
int		 imsgev_compose_cb(struct imsgev *, uint32_t type,
		    uint32_t peerid, int fd, struct cbuf *);
/* report a violation found while decoding a payload */
void		 imsgev_violation(struct imsgev *, const char *reason);

#endif
