/*
 * child.c - setup and event loop shared by every child process.
 * See child.h.  A peer that sends something its edge does not carry, or a
 * malformed frame, loses its edge and is reported to the parent, which
 * kills and restarts it; the receiver carries on.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "msgtypes.h"
#include "privdrop.h"

struct child		*self;
static struct imsgbuf	 setup_ib;
static int		 setup_ib_live;

static void	wrap_peer(struct child *, int, int);

static void
sink(int level, const char *line)
{
	struct cbuf	 cb;

	cb_init(&cb);
	cb_put_u8(&cb, (uint8_t)level);
	cb_put_str(&cb, line);
	if (self != NULL && self->parent != NULL)
		imsgev_compose_cb(self->parent, IMSG_LOG, 0, -1, &cb);
	else if (setup_ib_live && !cb.err) {
		if (imsg_compose(&setup_ib, IMSG_LOG, 0, -1, cb.data,
		    cb.len) == 0)
			imsgbuf_flush(&setup_ib, 1000);
	}
	cb_free(&cb);
}

static void
take_peer(struct child *c, struct imsg *imsg, int during_setup)
{
	struct cbuf	 cb;
	uint8_t		 r;
	uint32_t	 gen;
	int		 fd;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u8(&cb, &r);
	cb_get_u32(&cb, &gen);
	if (cb_get_end(&cb) == -1 || !role_is_child(r) || r == c->role ||
	    !role_edge(c->role, r))
		fatalx("parent sent a bad SETUP_PEER");
	fd = imsg_take_fd(imsg);
	if (during_setup) {
		/* keep it raw until child_run() wraps it */
		if (c->pending_peer[r] != -1)
			fatalx("duplicate peer %s during setup", role_name(r));
		c->pending_peer[r] = fd;
		return;
	}
	if (c->peers[r] != NULL) {
		imsgev_free(c->peers[r]);
		c->peers[r] = NULL;
	}
	log_debug("edge to %s rewired (generation %u)", role_name(r), gen);
	wrap_peer(c, r, fd);
	if (c->hooks.peer_up != NULL)
		c->hooks.peer_up(r);
}

void
child_setup(struct child *c, int role)
{
	struct imsg	 imsg;
	struct stat	 st;
	struct cbuf	 cb;
	struct child_listener *l;
	uint8_t		 kind;
	int		 r, done = 0;

	memset(c, 0, sizeof(*c));
	c->role = role;
	for (r = 0; r < ROLE_MAX; r++)
		c->pending_peer[r] = -1;
	kv_init(&c->config);
	if (fstat(CHILD_PARENT_FD, &st) == -1 || !S_ISSOCK(st.st_mode))
		fatalx("%s must be started by gatewayd (no parent channel "
		    "on fd %d)", role_name(role), CHILD_PARENT_FD);
	if (imsgbuf_init(&setup_ib, CHILD_PARENT_FD, IMSG_MAXSIZE, 1) == -1)
		fatal("imsgbuf_init");
	setup_ib_live = 1;
	log_setsink(sink);
	signal(SIGPIPE, SIG_IGN);
	/* load the time zone now: after chroot and seccomp it cannot be */
	tzset();

	while (!done) {
		r = imsg_recv_wait(&setup_ib, &imsg, CHILD_SETUP_TIMEOUT_MS);
		if (r == 0)
			fatalx("parent closed the channel during setup");
		if (r == -1)
			fatal("setup from parent");
		if (imsg.hdr.type != IMSG_SETUP_CONFIG &&
		    imsg.hdr.type != IMSG_SETUP_KEY &&
		    imsg.hdr.type != IMSG_SETUP_PEER &&
		    imsg.hdr.type != IMSG_SETUP_LISTENER &&
		    imsg.hdr.type != IMSG_SETUP_DONE)
			fatalx("unexpected %s during setup",
			    msg_name(imsg.hdr.type));
		{
			const char *why;

			if (msg_check(imsg.hdr.type, ROLE_PARENT, role,
			    imsg.fd != -1, imsg.datalen, &why) == -1)
				fatalx("setup %s: %s", msg_name(imsg.hdr.type),
				    why);
		}
		switch (imsg.hdr.type) {
		case IMSG_SETUP_CONFIG:
			kv_clear(&c->config);
			if (kv_decode(&c->config, imsg.data, imsg.datalen)
			    == -1)
				fatalx("bad SETUP_CONFIG");
			if (kv_get(&c->config, "log-level") != NULL)
				log_setlevel(log_level_parse(
				    kv_get(&c->config, "log-level")));
			break;
		case IMSG_SETUP_KEY:
			cb_view(&cb, imsg.data, imsg.datalen);
			cb_get_fixed(&cb, c->key.key, CAP_KEYLEN);
			cb_get_fixed(&cb, c->key.bootid, CAP_BOOTIDLEN);
			if (cb_get_end(&cb) == -1)
				fatalx("bad SETUP_KEY");
			c->have_key = 1;
			break;
		case IMSG_SETUP_PEER:
			take_peer(c, &imsg, 1);
			break;
		case IMSG_SETUP_LISTENER:
			if (c->nlisteners >= CHILD_MAXLISTENERS)
				fatalx("too many listeners");
			l = &c->listeners[c->nlisteners];
			cb_view(&cb, imsg.data, imsg.datalen);
			cb_get_u8(&cb, &kind);
			cb_get_str(&cb, l->name, sizeof(l->name));
			if (cb_get_end(&cb) == -1)
				fatalx("bad SETUP_LISTENER");
			l->kind = kind;
			l->fd = imsg_take_fd(&imsg);
			c->nlisteners++;
			break;
		case IMSG_SETUP_DONE:
			done = 1;
			break;
		}
		imsg_free(&imsg);
	}
	self = c;
}

void
child_drop(struct child *c, const cap_value_t *keep, int nkeep,
    int nproc_zero, int do_chroot)
{
	struct privdrop	 pd;
	long long	 uid, gid;

	uid = kv_getnum(&c->config, "uid", 0xfffffffeLL);
	gid = kv_getnum(&c->config, "gid", 0xfffffffeLL);
	if (uid <= 0 || gid <= 0)
		fatalx("no unprivileged uid/gid in the configuration");
	memset(&pd, 0, sizeof(pd));
	pd.uid = (uid_t)uid;
	pd.gid = (gid_t)gid;
	pd.chroot_dir = do_chroot ? kv_get(&c->config, "chroot") : NULL;
	if (do_chroot && pd.chroot_dir == NULL)
		fatalx("no chroot directory in the configuration");
	pd.keep = keep;
	pd.nkeep = nkeep;
	pd.nproc_zero = nproc_zero;
	privdrop(&pd);
}

static void
parent_fail(struct imsgev *iev, int kind, const char *reason)
{
	(void)iev;
	if (kind == IEV_EOF)
		exit(0);	/* the parent went away: so do we */
	fatalx("parent channel: %s", reason);
}

static void
parent_msg(struct imsgev *iev, struct imsg *imsg)
{
	struct kv	 kv;

	(void)iev;
	switch (imsg->hdr.type) {
	case IMSG_SETUP_PEER:
		take_peer(self, imsg, 0);
		break;
	case IMSG_CONFIG_UPDATE:
		if (kv_decode(&kv, imsg->data, imsg->datalen) == -1)
			fatalx("bad CONFIG_UPDATE");
		if (kv_get(&kv, "log-level") != NULL)
			log_setlevel(log_level_parse(kv_get(&kv, "log-level")));
		if (self->hooks.config_update != NULL)
			self->hooks.config_update(&kv);
		kv_clear(&kv);
		log_info("configuration reloaded");
		break;
	default:
		if (self->hooks.parent_msg != NULL)
			self->hooks.parent_msg(imsg);
		else
			log_warnx("ignoring %s from parent",
			    msg_name(imsg->hdr.type));
	}
}

static void
peer_fail(struct imsgev *iev, int kind, const char *reason)
{
	struct cbuf	 cb;
	int		 r = iev->peer;

	if (kind == IEV_VIOLATION) {
		log_warnx("closing edge to %s: %s", role_name(r), reason);
		cb_init(&cb);
		cb_put_u8(&cb, (uint8_t)r);
		cb_put_str(&cb, reason);
		imsgev_compose_cb(self->parent, IMSG_VIOLATION, 0, -1, &cb);
		cb_free(&cb);
	} else
		log_info("edge to %s closed: %s", role_name(r), reason);
	if (self->peers[r] == iev)
		self->peers[r] = NULL;
	imsgev_free(iev);
	if (self->hooks.peer_down != NULL)
		self->hooks.peer_down(r);
}

static void
peer_msg(struct imsgev *iev, struct imsg *imsg)
{
	if (self->hooks.peer_msg != NULL)
		self->hooks.peer_msg(iev, imsg);
	else
		imsgev_violation(iev, "no messages expected on this edge");
}

static void
wrap_peer(struct child *c, int r, int fd)
{
	/* descriptors are accepted only on edges that carry them */
	c->peers[r] = imsgev_new(c->base, fd, IMSG_MAXSIZE,
	    msg_edge_carries_fd(r, c->role), c->role, r, peer_msg, peer_fail,
	    NULL);
	if (c->peers[r] == NULL)
		fatal("edge to %s", role_name(r));
}

void
child_run(struct child *c)
{
	struct imsg	 imsg;
	int		 r, fd;

	if (c->base == NULL)
		fatalx("child_run without an event base");
	/* hand the setup buffer, with anything already read, to libevent */
	if (imsgbuf_flush(&setup_ib, 1000) == -1)
		fatal("flush to parent");
	c->parent = imsgev_new(c->base, CHILD_PARENT_FD, IMSG_MAXSIZE, 1,
	    c->role, ROLE_PARENT, parent_msg, parent_fail, NULL);
	if (c->parent == NULL)
		fatal("parent edge");
	if (imsgbuf_feed(&c->parent->ibuf, setup_ib.rbuf, setup_ib.rlen) == -1)
		fatalx("setup leftovers");
	for (r = 0; r < setup_ib.nrfds; r++)
		if (imsgbuf_feed_fd(&c->parent->ibuf, setup_ib.rfds[r]) == -1)
			fatalx("setup leftovers");
	setup_ib.nrfds = 0;
	setup_ib_live = 0;
	free(setup_ib.rbuf);

	for (r = 0; r < ROLE_MAX; r++) {
		if ((fd = c->pending_peer[r]) == -1)
			continue;
		c->pending_peer[r] = -1;
		wrap_peer(c, r, fd);
	}
	if (imsgev_compose(c->parent, IMSG_READY, 0, -1, NULL, 0) == -1)
		fatal("READY");
	log_info("ready as %s", kv_get(&c->config, "user") ?
	    kv_get(&c->config, "user") : "?");
	/* messages that arrived along with the setup */
	while ((r = imsg_get(&c->parent->ibuf, &imsg)) == 1) {
		parent_msg(c->parent, &imsg);
		imsg_free(&imsg);
	}
	if (r == -1)
		fatalx("bad frame from parent");
	event_base_dispatch(c->base);
	fatalx("event loop ended");
}

int
child_send_peer(int role, uint32_t type, uint32_t peerid, int fd,
    struct cbuf *cb)
{
	if (self->peers[role] == NULL) {
		if (fd != -1)
			close(fd);
		errno = ENOTCONN;
		return -1;
	}
	return imsgev_compose_cb(self->peers[role], type, peerid, fd, cb);
}

int
child_send_parent(uint32_t type, uint32_t peerid, struct cbuf *cb)
{
	return imsgev_compose_cb(self->parent, type, peerid, -1, cb);
}

void
child_audit(const char *action, const char *principal, const char *object,
    const char *outcome, const char *detail)
{
	struct cbuf	 cb;

	cb_init(&cb);
	cb_put_str(&cb, action);
	cb_put_str(&cb, principal);
	cb_put_str(&cb, object);
	cb_put_str(&cb, outcome);
	cb_put_str(&cb, detail);
	if (child_send_parent(IMSG_AUDIT, 0, &cb) == -1)
		log_warn("audit record lost");
	cb_free(&cb);
}

#ifdef CLAWGATE_TEST_HOOKS
static void
forbidden_syscall(int sig)
{
	(void)sig;
	/* a compromised process trying something outside its filter */
	syscall(SYS_swapoff, "/nonexistent");
}
#endif

void
child_test_hooks(void)
{
#ifdef CLAWGATE_TEST_HOOKS
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forbidden_syscall;
	sigaction(SIGUSR2, &sa, NULL);
#endif
}

#ifdef CLAWGATE_SANITIZE
/*
 * Sanitizer builds: a chrooted, non-dumpable child cannot run
 * LeakSanitizer's tracer at exit, so leak checking is left to the unit
 * tests and fuzzers.
 */
const char	*__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif
