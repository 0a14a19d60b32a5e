/*
 * control.c - admission of control-socket clients (trust zone "authd").
 *
 * front passes the accepted connection; authd trusts nothing front says
 * about it.  It checks that the descriptor really is an accepted
 * connection on the configured control socket (not a socketpair, whose
 * credentials would be the root parent's, and not the listening socket),
 * reads the peer's uid and groups from the kernel (SO_PEERCRED,
 * SO_PEERGROUPS), and admits root and members of the admin group with an
 * admin capability bound to front's connection id.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authd.h"
#include "capability.h"
#include "log.h"
#include "msgtypes.h"
#include "ratelimit.h"

#define MAXGROUPS	256

static gid_t	 admin_gid;
static char	 admin_group[64];
static char	 ctl_path[108];
static long long cap_lifetime = 300;

void
control_config(const struct kv *kv)
{
	long long	 v;
	const char	*s;

	if ((v = kv_getnum(kv, "admin-gid", 0xfffffffeLL)) >= 0)
		admin_gid = (gid_t)v;
	if ((s = kv_get(kv, "admin-group")) != NULL)
		snprintf(admin_group, sizeof(admin_group), "%s", s);
	if ((s = kv_get(kv, "control-socket")) != NULL)
		snprintf(ctl_path, sizeof(ctl_path), "%s", s);
	if ((v = kv_getnum(kv, "cap-lifetime", 86400)) > 0)
		cap_lifetime = v;
}

/* is fd an accepted stream connection on our control socket? */
static const char *
check_socket(int fd)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 v;

	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == -1 ||
	    v != AF_UNIX)
		return "not a unix-domain socket";
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == -1 ||
	    v != SOCK_STREAM)
		return "not a stream socket";
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == -1 ||
	    v != 0)
		return "a listening socket";
	memset(&sun, 0, sizeof(sun));
	len = sizeof(sun);
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == -1)
		return "getsockname failed";
	if (len <= offsetof(struct sockaddr_un, sun_path) ||
	    sun.sun_path[0] == '\0' || ctl_path[0] == '\0' ||
	    strncmp(sun.sun_path, ctl_path, sizeof(sun.sun_path)) != 0)
		return "not a connection on the control socket";
	return NULL;
}

static int
is_admin(int fd, const struct ucred *uc)
{
	gid_t		 groups[MAXGROUPS];
	socklen_t	 len = sizeof(groups);
	size_t		 i, n;

	if (uc->uid == 0)
		return 1;
	if (uc->gid == admin_gid)
		return 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == -1)
		return 0;	/* ERANGE: too many groups; fail closed */
	n = len / sizeof(gid_t);
	for (i = 0; i < n; i++)
		if (groups[i] == admin_gid)
			return 1;
	return 0;
}

static void
answer(struct imsgev *iev, uint64_t id, int ok, uint32_t uid,
    struct cbuf *cap, const char *reason)
{
	struct cbuf	 cb;

	cb_init(&cb);
	cb_put_u64(&cb, id);
	cb_put_u8(&cb, (uint8_t)ok);
	cb_put_u32(&cb, uid);
	cb_put_bytes(&cb, cap ? cap->data : NULL, cap ? cap->len : 0);
	cb_put_str(&cb, reason);
	if (imsgev_compose_cb(iev, IMSG_CTL_AUTH_RES, 0, -1, &cb) == -1)
		log_warn("CTL_AUTH_RES");
	cb_free(&cb);
}

void
control_auth(struct imsgev *iev, struct imsg *imsg)
{
	struct cbuf		 cb, capbuf;
	struct capability	 cap;
	struct ucred		 uc;
	socklen_t		 len = sizeof(uc);
	struct timespec		 ts;
	uint64_t		 id, now, t, locked;
	const char		*bad;
	char			 who[64], reason[160], uidstr[16];
	int			 fd;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &id);
	if (cb_get_end(&cb) == -1) {
		imsgev_violation(iev, "malformed CTL_AUTH");
		return;
	}
	fd = imsg_take_fd(imsg);
	if ((bad = check_socket(fd)) != NULL) {
		close(fd);
		/* front has no honest way to pass anything else */
		log_warnx("control: descriptor from front is %s", bad);
		child_audit("control-auth", "front", "control-socket",
		    "refused", bad);
		imsgev_violation(iev, "bad descriptor for CTL_AUTH");
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1 ||
	    len != sizeof(uc)) {
		close(fd);
		answer(iev, id, 0, 0, NULL, "cannot read peer credentials");
		return;
	}
	snprintf(who, sizeof(who), "unix:%u", (unsigned)uc.uid);
	snprintf(uidstr, sizeof(uidstr), "%u", (unsigned)uc.uid);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	/* the control socket is limited per uid (invariant 5) */
	if ((locked = rl_check(auth_limiter(), "control-uid", uidstr, 0, t))
	    > 0) {
		close(fd);
		snprintf(reason, sizeof(reason), "too many failed attempts "
		    "from uid %u: retry in %llu s", (unsigned)uc.uid,
		    (unsigned long long)rl_retry_after_sec(locked));
		answer(iev, id, 0, uc.uid, NULL, reason);
		return;
	}
	if (!is_admin(fd, &uc)) {
		close(fd);
		if (rl_failure(auth_limiter(), "control-uid", uidstr, 0, t) > 0)
			child_audit("lockout", who, "control-socket",
			    "locked", "too many failed attempts");
		snprintf(reason, sizeof(reason), "permission denied: uid %u "
		    "is not root and not in group %s", (unsigned)uc.uid,
		    admin_group);
		log_info("control: refused uid %u (pid %d)", (unsigned)uc.uid,
		    (int)uc.pid);
		child_audit("control-auth", who, "control-socket", "refused",
		    "not an administrator");
		answer(iev, id, 0, uc.uid, NULL, reason);
		return;
	}
	close(fd);
	rl_success(auth_limiter(), "control-uid", uidstr, t);
	now = (uint64_t)time(NULL);
	memset(&cap, 0, sizeof(cap));
	memcpy(cap.bootid, self->key.bootid, CAP_BOOTIDLEN);
	snprintf(cap.principal, sizeof(cap.principal), "%s", who);
	snprintf(cap.role, sizeof(cap.role), "admin");
	snprintf(cap.scopes, sizeof(cap.scopes),
	    "operator.admin operator.read operator.write");
	snprintf(cap.connector, sizeof(cap.connector), "control");
	cap.issued = now;
	cap.expires = now + (uint64_t)cap_lifetime;
	cap.conn = id;
	cb_init(&capbuf);
	if (cap_mint(&self->key, &cap, &capbuf) == -1)
		fatalx("cap_mint");
	child_audit("control-auth", who, "control-socket", "ok",
	    "admin capability minted");
	answer(iev, id, 1, uc.uid, &capbuf, "");
	cb_free(&capbuf);
}
