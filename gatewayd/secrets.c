/*
 * secrets.c - what the parent does for secretd (trust zone "parent", as
 * OpenSMTPD's parent forks deliveries for its unprivileged lookup
 * process).  secretd runs chrooted as _clawsec and cannot reach a
 * root-owned secrets file or run a command outside its root; it names a
 * provider of the boot configuration by index and the parent
 *   - opens a file provider's file (no symlink, regular, one link, owned
 *     by root or _clawsec, no group or other access, within max-bytes)
 *     and passes the descriptor, or
 *   - runs an exec provider's command (absolute, not a symlink, owned by
 *     root, not writable by group or others) as _clawsec with no shell, a
 *     minimal environment and a new session, and passes one end of a
 *     socketpair that is the command's stdin and stdout; the command's
 *     process group is killed when its time is up.
 * secretd's sealing public key (clawctl seals values to it) is written
 * next to the control socket.  No value ever passes through the parent.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "log.h"
#include "msgtypes.h"
#include "parent.h"
#include "secretref.h"

#define MAXRUNS		16
#define KILL_GRACE_MS	500

struct run {
	pid_t		 pid;
	struct event	*timer;
};

static struct run	 runs[MAXRUNS];

static void
fail(struct proc *p, uint32_t idx, uint32_t serial, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
fail(struct proc *p, uint32_t idx, uint32_t serial, const char *fmt, ...)
{
	struct cbuf	 cb;
	va_list		 ap;
	char		 msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("secrets provider %u: %s", idx, msg);
	cb_init(&cb);
	cb_put_u32(&cb, idx);
	cb_put_u32(&cb, serial);
	cb_put_str(&cb, msg);
	imsgev_compose_cb(p->iev, IMSG_SECRET_FAIL, 0, -1, &cb);
	cb_free(&cb);
}

static void
pass(struct proc *p, uint32_t idx, uint32_t serial, pid_t pid, int fd)
{
	struct cbuf	 cb;

	cb_init(&cb);
	cb_put_u32(&cb, idx);
	cb_put_u32(&cb, serial);
	cb_put_u32(&cb, (uint32_t)pid);
	if (imsgev_compose_cb(p->iev, IMSG_SECRET_FD, 0, fd, &cb) == -1) {
		log_warn("SECRET_FD");
		close(fd);
	}
	cb_free(&cb);
}

static void
open_file(struct proc *p, const struct conf_secprov *sp, uint32_t idx,
    uint32_t serial)
{
	struct stat	 st;
	int		 fd;

	fd = open(sp->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd == -1) {
		fail(p, idx, serial, "%s: %s", sp->path, errno == ELOOP ?
		    "refused: a symbolic link" : strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		fail(p, idx, serial, "%s: refused: not a regular file",
		    sp->path);
	else if (st.st_nlink != 1)
		fail(p, idx, serial, "%s: refused: %lu links", sp->path,
		    (unsigned long)st.st_nlink);
	else if (st.st_uid != 0 && st.st_uid != p->uid)
		fail(p, idx, serial, "%s: refused: owned by uid %u, not root "
		    "or %s", sp->path, (unsigned)st.st_uid,
		    env->conf.user[ROLE_SECRETD]);
	else if (st.st_mode & 077)
		fail(p, idx, serial, "%s: refused: group or others have "
		    "access (mode %04o)", sp->path,
		    (unsigned)(st.st_mode & 07777));
	else if ((unsigned long long)st.st_size > sp->max_bytes)
		fail(p, idx, serial, "%s: refused: %lld bytes, over max-bytes "
		    "%u", sp->path, (long long)st.st_size, sp->max_bytes);
	else {
		pass(p, idx, serial, 0, fd);
		return;
	}
	close(fd);
}

static void
run_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct run	*r = arg;

	(void)fd;
	(void)ev;
	if (r->pid > 0) {
		log_warnx("secrets: exec provider (pid %d) over its time; "
		    "killed", (int)r->pid);
		kill(-r->pid, SIGKILL);
	}
}

/* in the child: become _clawsec, in a new session, and run the command */
static void __attribute__((noreturn))
run_child(const struct conf_secprov *sp, int io, uid_t uid, gid_t gid)
{
	char		*argv[CONF_MAXSECARGS + 2], *envp[CONF_MAXSECNAMES + 2];
	char		 envbuf[CONF_MAXSECNAMES][1024];
	const char	*v;
	sigset_t	 none;
	int		 i, n = 0, null;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	if (setsid() == -1 || dup2(io, 0) == -1 || dup2(io, 1) == -1)
		_exit(126);
	if ((null = open("/dev/null", O_WRONLY)) == -1 || dup2(null, 2) == -1)
		_exit(126);
	closefrom(3);
	if (chdir("/") == -1 || setgroups(0, NULL) == -1 ||
	    setresgid(gid, gid, gid) == -1 || setresuid(uid, uid, uid) == -1 ||
	    setuid(0) != -1 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		_exit(126);
	argv[0] = (char *)sp->path;
	for (i = 0; i < sp->nargs; i++)
		argv[i + 1] = (char *)sp->args[i];
	argv[sp->nargs + 1] = NULL;
	envp[n++] = "PATH=/usr/bin:/bin";
	for (i = 0; i < sp->nnames; i++)
		if ((v = getenv(sp->names[i])) != NULL &&
		    strlen(sp->names[i]) + strlen(v) + 2 <= sizeof(envbuf[0])) {
			size_t	 kl = strlen(sp->names[i]);

			memcpy(envbuf[i], sp->names[i], kl);
			envbuf[i][kl] = '=';
			memcpy(envbuf[i] + kl + 1, v, strlen(v) + 1);
			envp[n++] = envbuf[i];
		}
	envp[n] = NULL;
	execve(sp->path, argv, envp);
	_exit(127);
}

static void
run_exec(struct proc *p, const struct conf_secprov *sp, uint32_t idx,
    uint32_t serial)
{
	struct stat	 st;
	struct timeval	 tv;
	struct run	*r = NULL;
	int		 sv[2], i;
	pid_t		 pid;

	if (lstat(sp->path, &st) == -1) {
		fail(p, idx, serial, "%s: %s", sp->path, strerror(errno));
		return;
	}
	if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
		fail(p, idx, serial, "%s: refused: %s", sp->path,
		    S_ISLNK(st.st_mode) ? "a symbolic link" :
		    "not a regular file");
		return;
	}
	if (st.st_uid != 0 || (st.st_mode & 022)) {
		fail(p, idx, serial, "%s: refused: must be owned by root and "
		    "not writable by group or others", sp->path);
		return;
	}
	for (i = 0; i < MAXRUNS; i++)
		if (runs[i].pid == 0) {
			r = &runs[i];
			break;
		}
	if (r == NULL) {
		fail(p, idx, serial, "too many provider commands running");
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		fail(p, idx, serial, "socketpair: %s", strerror(errno));
		return;
	}
	if ((pid = fork()) == -1) {
		fail(p, idx, serial, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid == 0) {
		close(sv[0]);
		run_child(sp, sv[1], p->uid, p->gid);
	}
	close(sv[1]);
	r->pid = pid;
	if (r->timer == NULL)
		r->timer = evtimer_new(env->base, run_timeout, r);
	/* secretd gives up at the timeout and says why; this is the
	 * backstop, a little later */
	tv.tv_sec = (sp->timeout_ms + KILL_GRACE_MS) / 1000;
	tv.tv_usec = ((sp->timeout_ms + KILL_GRACE_MS) % 1000) * 1000;
	if (r->timer != NULL)
		evtimer_add(r->timer, &tv);
	log_debug("secrets: provider %s: command started (pid %d)", sp->name,
	    (int)pid);
	pass(p, idx, serial, pid, sv[0]);
}

/* IMSG_SECRET_OPEN from secretd: u32 provider index, u32 serial */
void
secrets_open(struct proc *p, struct imsg *imsg)
{
	const struct conf_secprov	*sp;
	struct cbuf			 cb;
	uint32_t			 idx, serial;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u32(&cb, &idx);
	cb_get_u32(&cb, &serial);
	if (cb_get_end(&cb) == -1 || idx >= (uint32_t)env->conf.nsecprov ||
	    (env->conf.secprov[idx].kind != SECRET_SRC_FILE &&
	    env->conf.secprov[idx].kind != SECRET_SRC_EXEC)) {
		imsgev_violation(p->iev, "malformed SECRET_OPEN");
		return;
	}
	sp = &env->conf.secprov[idx];
	if (sp->kind == SECRET_SRC_FILE)
		open_file(p, sp, idx, serial);
	else
		run_exec(p, sp, idx, serial);
}

/* a provider command ended: 1 if it was one */
int
secrets_reaped(pid_t pid)
{
	int	 i;

	for (i = 0; i < MAXRUNS; i++)
		if (runs[i].pid == pid) {
			runs[i].pid = 0;
			if (runs[i].timer != NULL)
				evtimer_del(runs[i].timer);
			/* whatever it left behind in its group goes too */
			kill(-pid, SIGKILL);
			return 1;
		}
	return 0;
}

/* IMSG_SECRET_PUBKEY from secretd: its sealing key, for clawctl */
void
secrets_pubkey(struct proc *p, struct imsg *imsg)
{
	char		 path[PATH_MAX], tmp[PATH_MAX], hex[2 * 32 + 1];
	struct cbuf	 cb;
	const uint8_t	*pk;
	size_t		 pklen;
	FILE		*f;
	int		 fd;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_bytes(&cb, &pk, &pklen, crypto_box_PUBLICKEYBYTES);
	if (cb_get_end(&cb) == -1 || pklen != crypto_box_PUBLICKEYBYTES) {
		imsgev_violation(p->iev, "malformed SECRET_PUBKEY");
		return;
	}
	sodium_bin2hex(hex, sizeof(hex), pk, pklen);
	if ((size_t)snprintf(path, sizeof(path), "%s.secretd.pub",
	    env->conf.control_socket) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		log_warn("%s", tmp);
		if (fd != -1)
			close(fd);
		return;
	}
	fprintf(f, "%s\n", hex);
	if (fchmod(fd, 0644) == -1 || fclose(f) != 0 ||
	    rename(tmp, path) == -1)
		log_warn("%s", path);
}

/* IMSG_SECRET_KILL: secretd gave up on a command; only ours are killed */
void
secrets_kill(struct proc *p, struct imsg *imsg)
{
	struct cbuf	 cb;
	uint32_t	 pid;
	int		 i;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u32(&cb, &pid);
	if (cb_get_end(&cb) == -1 || pid == 0) {
		imsgev_violation(p->iev, "malformed SECRET_KILL");
		return;
	}
	for (i = 0; i < MAXRUNS; i++)
		if (runs[i].pid == (pid_t)pid) {
			kill(-runs[i].pid, SIGKILL);
			return;
		}
}

/* at shutdown: a stale sealing key would only mislead clawctl */
void
secrets_unpublish(void)
{
	char	 path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s.secretd.pub",
	    env->conf.control_socket) < sizeof(path))
		unlink(path);
}
