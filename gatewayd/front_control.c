/*
 * front_control.c - the control socket as seen by the front (trust zone
 * "front").  front accepts a clawctl connection and hands a duplicate of
 * its descriptor to authd, which reads the peer's credentials itself and
 * answers with a capability or a refusal.  front never decides who is an
 * administrator; it only forwards the capability with each request:
 * "status" to the parent, "whoami" to agentd.
 */
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include <cJSON.h>

#include "capability.h"
#include "front.h"
#include "log.h"
#include "msgtypes.h"

#define CTL_MAXCONN		64
#define CTL_AUTH_TIMEOUT_SEC	5
#define CTL_MAXREQ		16384

enum { CC_AUTH = 1, CC_READY, CC_BUSY };

struct ctlconn {
	TAILQ_ENTRY(ctlconn)	 entry;
	uint64_t		 id;
	int			 fd;
	int			 state;
	int			 dest;		/* who answers (CC_BUSY) */
	struct imsgev		*iev;
	struct event		*timer;
	uint8_t			 cap[CAP_MAXLEN];
	size_t			 caplen;
};

static TAILQ_HEAD(, ctlconn)	 conns = TAILQ_HEAD_INITIALIZER(conns);
static int			 nconns;
static uint64_t			 next_id;
static struct child		*ctl_child;

static struct ctlconn *
conn_find(uint64_t id)
{
	struct ctlconn	*cc;

	TAILQ_FOREACH(cc, &conns, entry)
		if (cc->id == id)
			return cc;
	return NULL;
}

static void
conn_free(struct ctlconn *cc)
{
	TAILQ_REMOVE(&conns, cc, entry);
	nconns--;
	if (cc->timer != NULL)
		event_free(cc->timer);
	if (cc->iev != NULL)
		imsgev_free(cc->iev);	/* closes fd */
	else if (cc->fd != -1)
		close(cc->fd);
	free(cc);
}

static char *
error_json(const char *msg)
{
	cJSON	*o;
	char	*s;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddBoolToObject(o, "ok", 0);
	cJSON_AddStringToObject(o, "error", msg);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* send a last reply and close the connection */
static void
reply_close(struct ctlconn *cc, const char *msg)
{
	struct imsgbuf	 ib;
	char		*s = error_json(msg);

	if (s != NULL) {
		if (cc->iev != NULL) {
			if (imsg_compose(&cc->iev->ibuf, IMSG_CTL_REPLY,
			    CTL_PROTO_VERSION, -1, s, strlen(s)) == 0)
				imsgbuf_flush(&cc->iev->ibuf, 200);
		} else if (imsgbuf_init(&ib, cc->fd, IMSG_MAXSIZE, 0) == 0) {
			if (imsg_compose(&ib, IMSG_CTL_REPLY, CTL_PROTO_VERSION,
			    -1, s, strlen(s)) == 0)
				imsgbuf_flush(&ib, 200);
			imsgbuf_clear(&ib);
		}
		cJSON_free(s);
	}
	conn_free(cc);
}

static void
reply(struct ctlconn *cc, const char *json)
{
	cc->state = CC_READY;
	if (imsgev_compose(cc->iev, IMSG_CTL_REPLY, CTL_PROTO_VERSION, -1,
	    json, strlen(json)) == -1)
		conn_free(cc);
}

static void
auth_timeout(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	reply_close(arg, "authentication timed out");
}

static void
ctl_fail(struct imsgev *iev, int kind, const char *reason)
{
	struct ctlconn	*cc = iev->arg;

	if (kind == IEV_VIOLATION)
		log_warnx("control client %llu: %s: dropped",
		    (unsigned long long)cc->id, reason);
	conn_free(cc);
}

static void
ctl_request(struct ctlconn *cc, struct imsg *imsg)
{
	struct cbuf	 cb;
	cJSON		*req, *cmd;
	const char	*c;
	int		 r = -1, dest = -1;

	if (imsg->hdr.peerid != CTL_PROTO_VERSION) {
		reply_close(cc, "protocol version mismatch: update clawctl");
		return;
	}
	if (cc->state == CC_BUSY) {
		reply_close(cc, "one request at a time");
		return;
	}
	req = cJSON_ParseWithLength((const char *)imsg->data, imsg->datalen);
	cmd = req ? cJSON_GetObjectItemCaseSensitive(req, "cmd") : NULL;
	if (!cJSON_IsString(cmd)) {
		cJSON_Delete(req);
		reply_close(cc, "malformed request");
		return;
	}
	c = cmd->valuestring;
	cb_init(&cb);
	cb_put_u64(&cb, cc->id);
	cb_put_bytes(&cb, cc->cap, cc->caplen);
	if (strcmp(c, "status") == 0) {
		dest = ROLE_PARENT;
		r = child_send_parent(IMSG_STATUS_REQ, 0, &cb);
	} else if (strcmp(c, "whoami") == 0 || strncmp(c, "config.", 7) == 0) {
		/* agentd checks the capability and the method's scope */
		dest = ROLE_AGENTD;
		cb_put_str(&cb, c);
		cb_put_bytes(&cb, imsg->data, imsg->datalen);
		r = child_send_peer(ROLE_AGENTD, IMSG_AGENT_CALL, 0, -1, &cb);
	} else if (strncmp(c, "token.", 6) == 0 ||
	    strncmp(c, "device.", 7) == 0 || strncmp(c, "secrets.", 8) == 0) {
		/* authd checks the capability and parses the request */
		dest = ROLE_AUTHD;
		cb_put_bytes(&cb, imsg->data, imsg->datalen);
		r = child_send_peer(ROLE_AUTHD, IMSG_AUTH_ADMIN, 0, -1, &cb);
	}
	cb_free(&cb);
	cJSON_Delete(req);
	if (dest == -1) {
		reply_close(cc, "unknown command");
		return;
	}
	if (r == -1) {
		reply_close(cc, dest == ROLE_PARENT ? "internal error" :
		    dest == ROLE_AGENTD ? "agentd is not available" :
		    "authd is not available");
		return;
	}
	cc->state = CC_BUSY;
	cc->dest = dest;
}

static void
ctl_msg(struct imsgev *iev, struct imsg *imsg)
{
	struct ctlconn	*cc = iev->arg;

	if (imsg->hdr.type != IMSG_CTL_REQUEST) {
		imsgev_violation(iev, "unexpected message");
		return;
	}
	ctl_request(cc, imsg);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct ctlconn	*cc;
	struct cbuf	 cb;
	struct timeval	 tv = { CTL_AUTH_TIMEOUT_SEC, 0 };
	int		 dupfd;

	(void)l;
	(void)sa;
	(void)salen;
	(void)arg;
	if (nconns >= CTL_MAXCONN || (cc = calloc(1, sizeof(*cc))) == NULL) {
		log_warnx("control: too many connections");
		close(fd);
		return;
	}
	cc->id = ++next_id;
	cc->fd = fd;
	cc->state = CC_AUTH;
	TAILQ_INSERT_TAIL(&conns, cc, entry);
	nconns++;
	if ((cc->timer = evtimer_new(ctl_child->base, auth_timeout, cc))
	    == NULL || evtimer_add(cc->timer, &tv) == -1) {
		conn_free(cc);
		return;
	}
	/* authd reads the credentials from the descriptor itself */
	if ((dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		reply_close(cc, "internal error");
		return;
	}
	cb_init(&cb);
	cb_put_u64(&cb, cc->id);
	if (child_send_peer(ROLE_AUTHD, IMSG_CTL_AUTH, 0, dupfd, &cb) == -1) {
		cb_free(&cb);
		reply_close(cc, "authd is not available");
		return;
	}
	cb_free(&cb);
}

void
control_auth_result(struct imsgev *iev, struct imsg *imsg)
{
	struct ctlconn	*cc;
	struct cbuf	 cb;
	const uint8_t	*cap;
	size_t		 caplen;
	uint64_t	 id;
	uint32_t	 uid;
	uint8_t		 ok;
	char		 reason[256];

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &id);
	cb_get_u8(&cb, &ok);
	cb_get_u32(&cb, &uid);
	cb_get_bytes(&cb, &cap, &caplen, CAP_MAXLEN);
	cb_get_str(&cb, reason, sizeof(reason));
	if (cb_get_end(&cb) == -1 || ok > 1 || (ok && caplen == 0)) {
		imsgev_violation(iev, "malformed CTL_AUTH_RES");
		return;
	}
	if ((cc = conn_find(id)) == NULL || cc->state != CC_AUTH)
		return;		/* gone meanwhile */
	if (!ok) {
		reply_close(cc, reason);
		return;
	}
	event_del(cc->timer);
	memcpy(cc->cap, cap, caplen);
	cc->caplen = caplen;
	cc->state = CC_READY;
	cc->iev = imsgev_new(ctl_child->base, cc->fd, CTL_MAXREQ, 0,
	    ROLE_FRONT, ROLE_CTL, ctl_msg, ctl_fail, cc);
	if (cc->iev == NULL) {
		conn_free(cc);
		return;
	}
	cc->fd = -1;
	log_debug("control client %llu: uid %u admitted",
	    (unsigned long long)id, uid);
}

static void
forward_result(struct imsg *imsg, struct imsgev *from)
{
	struct ctlconn	*cc;
	struct cbuf	 cb;
	uint64_t	 id;
	uint8_t		 ok;
	char		*json = NULL;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &id);
	cb_get_u8(&cb, &ok);
	cb_get_strdup(&cb, &json, 65536);
	if (cb_get_end(&cb) == -1 || ok > 1) {
		free(json);
		if (from != NULL)
			imsgev_violation(from, "malformed result");
		else
			fatalx("malformed result from parent");
		return;
	}
	if (from != NULL && api_agent_result(id, ok, json)) {
		free(json);
		return;
	}
	if ((cc = conn_find(id)) != NULL && cc->state == CC_BUSY)
		reply(cc, json);
	free(json);
}

void
control_admin_result(struct imsgev *iev, struct imsg *imsg)
{
	forward_result(imsg, iev);
}

void
control_status_result(struct imsg *imsg)
{
	forward_result(imsg, NULL);
}

void
control_agent_result(struct imsgev *iev, struct imsg *imsg)
{
	forward_result(imsg, iev);
}

void
control_peer_down(int role)
{
	struct ctlconn	*cc, *next;

	/* requests in flight to a peer that went away will not be answered */
	for (cc = TAILQ_FIRST(&conns); cc != NULL; cc = next) {
		next = TAILQ_NEXT(cc, entry);
		if (role == ROLE_AUTHD && cc->state == CC_AUTH)
			reply_close(cc, "authd went away");
		else if (cc->state == CC_BUSY && cc->dest == role)
			reply_close(cc, "the process serving the request went away");
	}
}

void
control_init(struct child *c)
{
	struct evconnlistener	*l;
	int			 i;

	ctl_child = c;
	for (i = 0; i < c->nlisteners; i++) {
		if (c->listeners[i].kind != LISTENER_CONTROL)
			continue;
		l = evconnlistener_new(c->base, accept_cb, NULL,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1,
		    c->listeners[i].fd);
		if (l == NULL)
			fatalx("control listener");
		return;
	}
	fatalx("no control listener");
}
