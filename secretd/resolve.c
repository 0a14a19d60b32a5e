/*
 * resolve.c - secretd's providers (trust zone "secretd"): a reference in,
 * a value or an error out.  env and vault answer at once; file and exec
 * go through the parent, which opens the file or starts the command and
 * passes a descriptor (see gatewayd/secrets.c), so the answer comes from
 * the event loop.  Values are only ever in sodium_malloc'd buffers here.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "log.h"
#include "msgtypes.h"
#include "secretd.h"

#define PARENT_GRACE_MS	2000	/* beyond the provider's own limit */

struct pending {
	TAILQ_ENTRY(pending)	 entry;
	uint32_t		 serial;
	const struct provider	*p;
	struct secretref	 ref;
	resolve_cb		 cb;
	void			*arg;
	int			 fd;
	uint8_t			*buf;	/* sodium_malloc'd, max_bytes + 1 */
	size_t			 len;
	struct event		*ev;	/* reading the command's output */
	struct event		*timer;
	uint32_t		 pid;	/* an exec provider's command */
	int			 eof;	/* it finished its output */
};

static TAILQ_HEAD(, pending)	 pendings = TAILQ_HEAD_INITIALIZER(pendings);
static struct provider		 provs[SD_MAXPROV];
static int			 nprovs;
static uint32_t			 next_serial;

void
providers_config(const struct kv *kv)
{
	struct provider	*p;
	const char	*v;
	char		 k[32], kind[16];
	long long	 n, i;
	int		 off;

	nprovs = 0;
	n = kv_getnum(kv, "sp-count", SD_MAXPROV);
	for (i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "sp-%lld", i);
		if ((v = kv_get(kv, k)) == NULL)
			fatalx("provider %lld missing from the setup", i);
		p = &provs[nprovs];
		memset(p, 0, sizeof(*p));
		off = 0;
		if (sscanf(v, "%64s %15s %d %u %u %u %n", p->name, kind,
		    &p->single, &p->max_bytes, &p->timeout_ms, &p->noout_ms,
		    &off) < 6)
			fatalx("provider %lld: bad setup", i);
		snprintf(p->allow, sizeof(p->allow), "%s", v + off);
		p->kind = strcmp(kind, "env") == 0 ? SECRET_SRC_ENV :
		    strcmp(kind, "file") == 0 ? SECRET_SRC_FILE :
		    SECRET_SRC_EXEC;
		p->idx = (uint32_t)i;
		nprovs++;
	}
}

const struct provider *
provider_find(const char *name)
{
	int	 i;

	for (i = 0; i < nprovs; i++)
		if (strcmp(provs[i].name, name) == 0)
			return &provs[i];
	return NULL;
}

static int
allowed(const char *list, const char *name)
{
	size_t	 n, len = strlen(name);

	if (*list == '\0')
		return 1;
	while (*list != '\0') {
		while (*list == ' ')
			list++;
		n = strcspn(list, " ");
		if (n == len && strncmp(list, name, n) == 0)
			return 1;
		list += n;
	}
	return 0;
}

/* hand a value over and wipe it */
static void
deliver(resolve_cb cb, void *arg, const uint8_t *v, size_t len,
    const char *err)
{
	/* one message carries a value: longer ones are refused here */
	if (err == NULL && len > SD_VALUE_MAX)
		cb(arg, NULL, 0, "value too long (32 KiB at most)");
	else
		cb(arg, v, len, err);
}

static void
resolve_env(const struct secretref *r, resolve_cb cb, void *arg)
{
	const struct provider	*p = provider_find(r->provider);
	const char		*v;
	uint8_t			*copy;
	size_t			 len;

	if (p == NULL && strcmp(r->provider, "default") != 0) {
		deliver(cb, arg, NULL, 0, "no such env provider");
		return;
	}
	if (p != NULL && (p->kind != SECRET_SRC_ENV ||
	    !allowed(p->allow, r->id))) {
		deliver(cb, arg, NULL, 0, p->kind != SECRET_SRC_ENV ?
		    "provider is not an env provider" :
		    "variable not in the provider's allowlist");
		return;
	}
	if ((v = getenv(r->id)) == NULL || *v == '\0') {
		deliver(cb, arg, NULL, 0, "environment variable not set");
		return;
	}
	if ((len = strlen(v)) > SD_VALUE_MAX) {
		deliver(cb, arg, NULL, 0, "value too long");
		return;
	}
	if ((copy = sodium_malloc(len + 1)) == NULL)
		fatalx("sodium_malloc");
	memcpy(copy, v, len + 1);
	deliver(cb, arg, copy, len, NULL);
	sodium_free(copy);
}

static void
resolve_vault(const struct secretref *r, resolve_cb cb, void *arg)
{
	uint8_t		*v;
	size_t		 len;
	const char	*err;
	int		 rv;

	if ((rv = vault_get(r->id, &v, &len, &err)) == 1)
		deliver(cb, arg, NULL, 0, "no such name in the vault");
	else if (rv == -1)
		deliver(cb, arg, NULL, 0, err);
	else {
		deliver(cb, arg, v, len, NULL);
		sodium_free(v);
	}
}

static void
pending_free(struct pending *pd)
{
	struct cbuf	 cb;

	if (pd->pid > 0 && !pd->eof) {
		/* given up on it: the parent ends it now, not at timeout */
		cb_init(&cb);
		cb_put_u32(&cb, pd->pid);
		child_send_parent(IMSG_SECRET_KILL, 0, &cb);
		cb_free(&cb);
	}
	TAILQ_REMOVE(&pendings, pd, entry);
	if (pd->ev != NULL)
		event_free(pd->ev);
	if (pd->timer != NULL)
		event_free(pd->timer);
	if (pd->fd != -1)
		close(pd->fd);
	if (pd->buf != NULL)
		sodium_free(pd->buf);
	free(pd);
}

static void
finish(struct pending *pd, const uint8_t *v, size_t len, const char *err)
{
	resolve_cb	 cb = pd->cb;
	void		*arg = pd->arg;

	/* v may be pd's own buffer: deliver before freeing */
	pd->cb = NULL;
	if (cb != NULL)
		deliver(cb, arg, v, len, err);
	pending_free(pd);
}

static void
timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pending	*pd = arg;

	(void)fd;
	(void)ev;
	finish(pd, NULL, 0, pd->p->kind == SECRET_SRC_EXEC ? (pd->fd == -1 ?
	    "the command did not start in time" : "the command timed out") :
	    "the parent did not open the file in time");
}

static void
arm(struct pending *pd, unsigned ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	if (pd->timer == NULL &&
	    (pd->timer = evtimer_new(self->base, timeout_cb, pd)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(pd->timer, &tv);
}

void
resolve(const struct secretref *r, resolve_cb cb, void *arg)
{
	const struct provider	*p;
	struct pending		*pd;
	struct cbuf		 cb2;

	switch (r->source) {
	case SECRET_SRC_ENV:
		resolve_env(r, cb, arg);
		return;
	case SECRET_SRC_VAULT:
		resolve_vault(r, cb, arg);
		return;
	}
	if ((p = provider_find(r->provider)) == NULL || p->kind != r->source) {
		deliver(cb, arg, NULL, 0, "no provider of that name and source");
		return;
	}
	if ((pd = calloc(1, sizeof(*pd))) == NULL)
		fatalx("out of memory");
	pd->serial = ++next_serial;
	pd->p = p;
	pd->ref = *r;
	pd->cb = cb;
	pd->arg = arg;
	pd->fd = -1;
	TAILQ_INSERT_TAIL(&pendings, pd, entry);
	arm(pd, (p->kind == SECRET_SRC_EXEC ? p->timeout_ms : 0) +
	    PARENT_GRACE_MS);
	cb_init(&cb2);
	cb_put_u32(&cb2, p->idx);
	cb_put_u32(&cb2, pd->serial);
	if (child_send_parent(IMSG_SECRET_OPEN, 0, &cb2) == -1)
		finish(pd, NULL, 0, "cannot reach the parent");
	cb_free(&cb2);
}

static struct pending *
find(uint32_t idx, uint32_t serial)
{
	struct pending	*pd;

	TAILQ_FOREACH(pd, &pendings, entry)
		if (pd->serial == serial && pd->p->idx == idx)
			return pd;
	return NULL;
}

/* the id's value in a file's contents */
static void
file_value(struct pending *pd)
{
	const cJSON	*v;
	cJSON		*root;
	size_t		 len = pd->len;

	if (pd->p->single) {
		if (strcmp(pd->ref.id, "value") != 0) {
			finish(pd, NULL, 0, "a single-value file has only the "
			    "id \"value\"");
			return;
		}
		if (len > 0 && pd->buf[len - 1] == '\n')
			len--;
		if (len > 0 && pd->buf[len - 1] == '\r')
			len--;
		if (len == 0 || len > SD_VALUE_MAX) {
			finish(pd, NULL, 0, len ? "value too long" :
			    "the file is empty");
			return;
		}
		pd->buf[len] = '\0';
		finish(pd, pd->buf, len, NULL);
		return;
	}
	if ((root = cJSON_ParseWithLength((const char *)pd->buf, pd->len)) ==
	    NULL) {
		finish(pd, NULL, 0, "the file is not JSON");
		return;
	}
	if (secret_json_pointer(root, pd->ref.id, &v) == -1 ||
	    !cJSON_IsString(v) || v->valuestring[0] == '\0') {
		cJSON_Delete(root);
		finish(pd, NULL, 0, "no string value at that JSON pointer");
		return;
	}
	if ((len = strlen(v->valuestring)) > SD_VALUE_MAX) {
		cJSON_Delete(root);
		finish(pd, NULL, 0, "value too long");
		return;
	}
	/* the value moves into the (wiped) buffer before root is freed */
	memmove(pd->buf, v->valuestring, len + 1);
	cJSON_Delete(root);
	finish(pd, pd->buf, len, NULL);
}

static void
read_file(struct pending *pd)
{
	ssize_t	 n;

	for (;;) {
		n = read(pd->fd, pd->buf + pd->len, pd->p->max_bytes + 1 -
		    pd->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		pd->len += (size_t)n;
		if (pd->len > pd->p->max_bytes) {
			finish(pd, NULL, 0, "the file is over max-bytes");
			return;
		}
	}
	if (n == -1) {
		finish(pd, NULL, 0, "cannot read the file");
		return;
	}
	pd->buf[pd->len] = '\0';
	file_value(pd);
}

static void
exec_done(struct pending *pd)
{
	char		*v;
	size_t		 vlen;
	const char	*err;

	if (secret_exec_response((const char *)pd->buf, pd->len, pd->ref.id,
	    &v, &vlen, &err) == -1) {
		finish(pd, NULL, 0, err);
		return;
	}
	finish(pd, (const uint8_t *)v, vlen, NULL);
	sodium_free(v);
}

static void
exec_read(evutil_socket_t fd, short what, void *arg)
{
	struct pending	*pd = arg;
	ssize_t		 n;

	if (what & EV_TIMEOUT) {
		finish(pd, NULL, 0, pd->p->noout_ms >= pd->p->timeout_ms ?
		    "the command timed out" :
		    "the command gave no output in time");
		return;
	}
	n = read(fd, pd->buf + pd->len, pd->p->max_bytes + 1 - pd->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == -1) {
		finish(pd, NULL, 0, "cannot read the command's output");
		return;
	}
	if (n == 0) {
		pd->eof = 1;
		exec_done(pd);
		return;
	}
	pd->len += (size_t)n;
	if (pd->len > pd->p->max_bytes)
		finish(pd, NULL, 0, "the command's output is over max-output");
}

static void
start_exec(struct pending *pd)
{
	struct timeval	 tv;
	const char	*ids[1] = { pd->ref.id };
	char		 req[SECRETREF_SHORT_MAX + 128];
	int		 n;

	n = secret_exec_request(pd->ref.provider, ids, 1, req, sizeof(req));
	/* a fresh socketpair takes a line this short at once */
	if (n < 0 || send(pd->fd, req, (size_t)n, MSG_NOSIGNAL) != n ||
	    send(pd->fd, "\n", 1, MSG_NOSIGNAL) != 1 ||
	    shutdown(pd->fd, SHUT_WR) == -1) {
		finish(pd, NULL, 0, "cannot write to the command");
		return;
	}
	if (evutil_make_socket_nonblocking(pd->fd) == -1 ||
	    (pd->ev = event_new(self->base, pd->fd, EV_READ | EV_PERSIST,
	    exec_read, pd)) == NULL)
		fatalx("event_new");
	tv.tv_sec = pd->p->noout_ms / 1000;
	tv.tv_usec = (pd->p->noout_ms % 1000) * 1000;
	event_add(pd->ev, &tv);
	/* the parent kills the command at timeout; this ends the wait */
	arm(pd, pd->p->timeout_ms);
}

/* IMSG_SECRET_FD: u32 index, u32 serial, u32 pid */
void
resolve_fd(struct imsg *imsg)
{
	struct pending	*pd;
	struct cbuf	 cb;
	uint32_t	 idx, serial, pid;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u32(&cb, &idx);
	cb_get_u32(&cb, &serial);
	cb_get_u32(&cb, &pid);
	if (cb_get_end(&cb) == -1)
		fatalx("malformed SECRET_FD from the parent");
	if ((pd = find(idx, serial)) == NULL)
		return;		/* timed out meanwhile; imsg_free closes */
	pd->fd = imsg->fd;
	imsg->fd = -1;
	pd->pid = pid;
	if ((pd->buf = sodium_malloc((size_t)pd->p->max_bytes + 1)) == NULL)
		fatalx("sodium_malloc");
	if (pd->p->kind == SECRET_SRC_FILE)
		read_file(pd);
	else
		start_exec(pd);
}

/* IMSG_SECRET_FAIL: u32 index, u32 serial, str why */
void
resolve_fail(struct imsg *imsg)
{
	struct pending	*pd;
	struct cbuf	 cb;
	uint32_t	 idx, serial;
	char		 why[256];

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u32(&cb, &idx);
	cb_get_u32(&cb, &serial);
	cb_get_str(&cb, why, sizeof(why));
	if (cb_get_end(&cb) == -1)
		fatalx("malformed SECRET_FAIL from the parent");
	if ((pd = find(idx, serial)) != NULL)
		finish(pd, NULL, 0, why);
}
