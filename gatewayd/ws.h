/*
 * ws.h - WebSocket connections of the front (trust zone "front"):
 * RFC 6455 upgrade on the HTTP port, framing by libwslay, bounded
 * messages and send buffers.  The gateway protocol on top is gw.c.
 */
#ifndef CLAWGATE_WS_H
#define CLAWGATE_WS_H

#include <stddef.h>
#include <stdint.h>

#include "capability.h"

#define WS_PREAUTH_MAX		(64 * 1024)	/* close 1009 beyond */
#define WS_MSG_MAX		(256 * 1024)
#define WS_SENDBUF_MAX		(4 * 1024 * 1024)
#define WS_HANDSHAKE_SEC	15
#define WS_TICK_SEC		30
#define WS_MAXCONN		1024

enum { WSS_CHALLENGE = 1, WSS_AUTH, WSS_OPEN, WSS_CLOSING };

struct evhttp_request;
struct event;
struct event_base;

struct wsconn {
	uint64_t		 id;
	int			 state;
	char			 src[64];
	int			 loopback;
	int			 forwarded;
	char			 nonce[40];
	uint64_t		 challenge_ts;
	char			*connect_id;	/* JSON id of the connect req */
	int			 protocol;
	char			 scopes_req[256];
	char			 client_id[64];
	char			 device_id[80];
	char			 role_req[16];
	int			 cred_device;	/* connected with a device token */
	char			 device_token[72];	/* for hello-ok */
	char			 origin[256];	/* browser Origin, if any */
	char			 xff[256];
	char			 proxy_user[128];
	uint8_t			 proxy_required_ok;
	uint8_t			 cap[CAP_MAXLEN];
	size_t			 caplen;
	char			 principal[128];
	char			 role[32];
	char			 scopes[256];
	uint64_t		 next_req;
	uint64_t		 seq;
	struct event		*timer;
	void			*priv;		/* ws.c internals */
};

/* ws.c */
void	ws_init(void);
int	ws_is_upgrade(struct evhttp_request *);
void	ws_upgrade(struct evhttp_request *, struct event_base *);
int	ws_send_text(struct wsconn *, const char *, size_t);
void	ws_close(struct wsconn *, uint16_t code, const char *reason);
void	ws_set_max_message(struct wsconn *, uint64_t);
struct wsconn *ws_find(uint64_t id);
void	ws_foreach(void (*)(struct wsconn *, void *), void *);
/* accept key of RFC 6455 4.2.2 for a client key; out >= 29 bytes */
int	ws_accept_key(const char *key, char *out, size_t outsz);

/* gw.c: the OpenClaw gateway protocol */
void	gw_open(struct wsconn *);
void	gw_message(struct wsconn *, const uint8_t *, size_t);
void	gw_closed(struct wsconn *);


#endif
