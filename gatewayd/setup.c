/*
 * setup.c - what the root parent prepares before any child starts (trust
 * zone "parent"): system users, directories with their owners, listening
 * sockets, the control socket, and each child's part of the config.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"

void
setup_users(struct parent *p)
{
	struct passwd	*pw;
	int		 r, q;

	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++) {
		if ((pw = getpwnam(p->conf.user[r])) == NULL)
			fatalx("user %s (for %s) does not exist: create it "
			    "(make users) or name another in %s",
			    p->conf.user[r], role_name(r), p->conf.path);
		if (pw->pw_uid == 0 || pw->pw_gid == 0)
			fatalx("user %s (for %s) has uid or gid 0",
			    p->conf.user[r], role_name(r));
		p->procs[r].uid = pw->pw_uid;
		p->procs[r].gid = pw->pw_gid;
	}
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
		for (q = r + 1; q <= ROLE_LAST_CHILD; q++)
			if (p->procs[r].uid == p->procs[q].uid)
				fatalx("%s and %s share uid %u: each trust "
				    "zone needs its own user", role_name(r),
				    role_name(q), (unsigned)p->procs[r].uid);
	if (resolve_admin_group(p->conf.admin_group, &p->admin_gid) == -1)
		fatalx("admin group %s does not exist: create it (make users) "
		    "or name another in %s", p->conf.admin_group, p->conf.path);
}

int
resolve_admin_group(const char *name, gid_t *gid)
{
	struct group	*gr;

	if ((gr = getgrnam(name)) == NULL)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

/* mkdir -p for the parents (root, 0755), then own and mode the leaf */
static void
mkdir_owned(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	char		 buf[PATH_MAX], *s;
	struct stat	 st;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		fatalx("path too long: %s", path);
	for (s = buf + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			fatal("mkdir %s", buf);
		*s = '/';
	}
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		fatal("mkdir %s", path);
	if (lstat(path, &st) == -1)
		fatal("lstat %s", path);
	if (!S_ISDIR(st.st_mode))
		fatalx("%s exists and is not a directory", path);
	if (lchown(path, uid, gid) == -1)
		fatal("chown %s", path);
	if (chmod(path, mode) == -1)
		fatal("chmod %s", path);
}

static void
dirpath(char *buf, size_t sz, const char *a, const char *b, const char *c)
{
	if ((size_t)snprintf(buf, sz, "%s/%s%s%s", a, b, c ? "/" : "",
	    c ? c : "") >= sz)
		fatalx("path too long under %s", a);
}

void
setup_dirs(struct parent *p)
{
	char	 path[PATH_MAX];
	int	 r;

	mkdir_owned(p->conf.state_dir, 0, 0, 0755);
	dirpath(path, sizeof(path), p->conf.state_dir, "empty", NULL);
	mkdir_owned(path, 0, 0, 0555);
	for (r = ROLE_AUTHD; r <= ROLE_LAST_CHILD; r++) {
		dirpath(path, sizeof(path), p->conf.state_dir, role_name(r),
		    NULL);
		mkdir_owned(path, 0, p->procs[r].gid, 0750);
		dirpath(path, sizeof(path), p->conf.state_dir, role_name(r),
		    "db");
		mkdir_owned(path, p->procs[r].uid, p->procs[r].gid, 0700);
	}
	mkdir_owned(p->conf.run_dir, 0, 0, 0755);
	mkdir_owned(p->conf.log_dir, 0, 0, 0750);
}

/* a TLS key must be root's alone: front reads it as root */
static void
check_tls_files(const struct conf_listen *l)
{
	struct stat	 st;

	if (stat(l->cert, &st) == -1 || !S_ISREG(st.st_mode))
		fatalx("listen %s port %d: certificate %s: not a readable "
		    "regular file", l->addr, l->port, l->cert);
	if (lstat(l->key, &st) == -1 || !S_ISREG(st.st_mode))
		fatalx("listen %s port %d: key %s: not a regular file",
		    l->addr, l->port, l->key);
	if (st.st_uid != 0 || (st.st_mode & 077) != 0)
		fatalx("listen %s port %d: key %s must be owned by root and "
		    "not accessible to group or others (mode %04o)", l->addr,
		    l->port, l->key, (unsigned)(st.st_mode & 07777));
}

void
setup_listeners(struct parent *p)
{
	struct conf_listen	*l;
	int			 i, fd, one = 1;

	for (i = 0; i < p->conf.nlisten; i++) {
		l = &p->conf.listen[i];
		if (l->tls)
			check_tls_files(l);
		fd = socket(l->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd == -1)
			fatal("socket");
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one)) == -1)
			fatal("SO_REUSEADDR");
		if (l->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
		    IPV6_V6ONLY, &one, sizeof(one)) == -1)
			fatal("IPV6_V6ONLY");
		if (bind(fd, (struct sockaddr *)&l->ss, l->sslen) == -1)
			fatal("bind %s port %d", l->addr, l->port);
		if (listen(fd, 511) == -1)
			fatal("listen %s port %d", l->addr, l->port);
		p->listen_fd[p->nlisten++] = fd;
	}
}

void
setup_control_socket(struct parent *p)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    p->conf.control_socket) >= sizeof(sun.sun_path))
		fatalx("control socket path too long");
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	if (lstat(sun.sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			fatalx("%s exists and is not a socket", sun.sun_path);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			fatalx("another gatewayd is listening on %s",
			    sun.sun_path);
		if (unlink(sun.sun_path) == -1)
			fatal("unlink stale %s", sun.sun_path);
		close(fd);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			fatal("socket");
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", sun.sun_path);
	umask(old);
	if (chown(sun.sun_path, 0, p->admin_gid) == -1 ||
	    chmod(sun.sun_path, 0660) == -1)
		fatal("chown/chmod %s", sun.sun_path);
	if (listen(fd, 16) == -1)
		fatal("listen %s", sun.sun_path);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		fatal("fcntl");
	p->ctl_fd = fd;
}

void
role_config(struct parent *p, int role, struct kv *kv)
{
	char	 path[PATH_MAX];
	int	 i;

	kv_init(kv);
	kv_set(kv, "log-level", log_level_name(log_getlevel()));
	kv_set(kv, "user", p->conf.user[role]);
	kv_setu(kv, "uid", p->procs[role].uid);
	kv_setu(kv, "gid", p->procs[role].gid);
	switch (role) {
	case ROLE_FRONT:
		dirpath(path, sizeof(path), p->conf.state_dir, "empty", NULL);
		kv_set(kv, "chroot", path);
		/* front forwards these headers' values; authd decides */
		kv_set(kv, "tp-user-header", p->conf.tp_user_header);
		for (i = 0; i < p->conf.ntp_require; i++) {
			char	 k[32];

			snprintf(k, sizeof(k), "tp-require-%d", i);
			kv_set(kv, k, p->conf.tp_require[i]);
		}
		/* front loads these as root, before its chroot (DESIGN:
		 * front holds its TLS keys, as nginx does, for now) */
		for (i = 0; i < p->conf.nlisten; i++) {
			const struct conf_listen *l = &p->conf.listen[i];
			char	 k[64];

			if (!l->tls)
				continue;
			snprintf(k, sizeof(k), "tls-cert-%d", i);
			kv_set(kv, k, l->cert);
			snprintf(k, sizeof(k), "tls-key-%d", i);
			kv_set(kv, k, l->key);
		}
		break;
	case ROLE_AUTHD:
		kv_setu(kv, "admin-gid", p->admin_gid);
		kv_set(kv, "admin-group", p->conf.admin_group);
		kv_set(kv, "control-socket", p->conf.control_socket);
		kv_setu(kv, "cap-lifetime", 300);
		kv_setu(kv, "rl-failures", p->conf.rl_failures);
		kv_setu(kv, "rl-window-ms", p->conf.rl_window * 1000ULL);
		kv_setu(kv, "rl-lockout-ms", p->conf.rl_lockout * 1000ULL);
		kv_setu(kv, "rl-exempt-loopback", p->conf.rl_exempt_loopback);
		kv_setu(kv, "pair-auto-local", p->conf.pair_auto_local);
		for (i = 0; i < p->conf.ntp_cidr; i++) {
			char	 k[32];

			snprintf(k, sizeof(k), "tp-cidr-%d", i);
			kv_set(kv, k, p->conf.tp_cidr[i]);
		}
		for (i = 0; i < p->conf.ntp_allow_user; i++) {
			char	 k[32];

			snprintf(k, sizeof(k), "tp-user-%d", i);
			kv_set(kv, k, p->conf.tp_allow_user[i]);
		}
		kv_set(kv, "tp-user-header", p->conf.tp_user_header);
		kv_setu(kv, "tp-allow-loopback", p->conf.tp_allow_loopback);
		kv_set(kv, "tp-scopes", p->conf.tp_scopes);
		/* FALLTHROUGH */
	case ROLE_SECRETD:
		if (role == ROLE_SECRETD)
			conf_secrets_kv(&p->conf, kv);
		/* FALLTHROUGH */
	case ROLE_AGENTD:
		if (role == ROLE_AGENTD)
			kv_set(kv, "model-ca-file", p->conf.model_ca_file);
		for (i = 0; role == ROLE_AGENTD && i < p->conf.nskills_dir;
		    i++) {
			char	 k[32];

			snprintf(k, sizeof(k), "skills-dir-%d", i);
			kv_set(kv, k, p->conf.skills_dir[i]);
		}
		dirpath(path, sizeof(path), p->conf.state_dir, role_name(role),
		    NULL);
		kv_set(kv, "chroot", path);
		kv_set(kv, "db", "/db");
		break;
	case ROLE_EXECD:
		dirpath(path, sizeof(path), p->conf.state_dir, role_name(role),
		    "db");
		kv_set(kv, "db", path);
		break;
	}
}
