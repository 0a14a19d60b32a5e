/*
 * parent.c - the gatewayd parent (trust zone "parent": stays root, parses
 * no network input).  Spawns every child with fork+exec, wires one
 * socketpair per edge of the design, waits for each to report ready,
 * supervises them (restart with backoff, throttling, rewiring the edges
 * of a restarted child), serves status snapshots, writes the audit log.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "msgtypes.h"
#include "parent.h"

extern char	**environ;
struct parent	 *env;

static void	proc_start(struct proc *);
static void	push_state(void);
static void	daemon_ready(void);
static void	parent_shutdown(int code);

const char *
proc_state_name(int s)
{
	switch (s) {
	case PS_STARTING:
		return "starting";
	case PS_RUNNING:
		return "running";
	case PS_RESTARTING:
		return "restarting";
	case PS_THROTTLED:
		return "throttled";
	default:
		return "stopped";
	}
}

static long
ms_since(const struct timespec *t)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 +
	    (now.tv_nsec - t->tv_nsec) / 1000000;
}

static void
send_kv(struct proc *p, uint32_t type)
{
	struct kv	 kv;
	struct cbuf	 cb;

	role_config(env, p->role, &kv);
	cb_init(&cb);
	kv_encode(&kv, &cb);
	if (imsgev_compose_cb(p->iev, type, 0, -1, &cb) == -1)
		log_warn("config to %s", role_name(p->role));
	cb_free(&cb);
	kv_clear(&kv);
}

/* ---- messages from children ---- */

static void
kill_offender(int role, const char *reason, const char *reporter)
{
	struct proc	*q = &env->procs[role];

	log_warnx("%s broke the protocol (%s, reported by %s): killing pid %d",
	    role_name(role), reason, reporter, (int)q->pid);
	audit_write("parent", role_name(role), "protocol-violation",
	    reporter, "killed", reason);
	if (q->pid > 0)
		kill(q->pid, SIGKILL);
}

static void
handle_status_req(struct proc *p, struct imsg *imsg)
{
	struct cbuf		 cb, out;
	struct capability	 cap;
	const uint8_t		*cp;
	size_t			 clen;
	uint64_t		 conn;
	char			*json = NULL;
	int			 r, ok = 0;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &conn);
	cb_get_bytes(&cb, &cp, &clen, CAP_MAXLEN);
	if (cb_get_end(&cb) == -1) {
		imsgev_violation(p->iev, "malformed STATUS_REQ");
		return;
	}
	r = cap_verify(&env->key, cp, clen, (uint64_t)time(NULL), conn, &cap);
	if (r == CAP_ERR_MALFORMED || r == CAP_ERR_MAC || r == CAP_ERR_BOOT ||
	    r == CAP_ERR_CONN) {
		/* front cannot come by such a capability honestly */
		audit_write("parent", "front", "status", "capability",
		    "refused", cap_strerror(r));
		imsgev_violation(p->iev, cap_strerror(r));
		return;
	}
	if (r != CAP_OK)
		json = strdup("{\"ok\":false,\"error\":\"capability expired\"}");
	else if (!cap_has_scope(&cap, "operator.admin")) {
		audit_write("parent", cap.principal, "status", "processes",
		    "refused", "missing scope operator.admin");
		json = strdup("{\"ok\":false,\"error\":\"missing scope "
		    "operator.admin\"}");
	} else {
		json = status_json(env);
		ok = 1;
	}
	if (json == NULL)
		fatalx("status: out of memory");
	cb_init(&out);
	cb_put_u64(&out, conn);
	cb_put_u8(&out, (uint8_t)ok);
	cb_put_str(&out, json);
	if (imsgev_compose_cb(p->iev, IMSG_STATUS_RES, 0, -1, &out) == -1)
		log_warn("STATUS_RES");
	cb_free(&out);
	free(json);
}

static void
parent_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	struct proc	*p = iev->arg;
	struct cbuf	 cb;
	char		 line[1100], a[5][520];
	uint8_t		 lvl, peer;
	int		 i;

	switch (imsg->hdr.type) {
	case IMSG_READY:
		if (imsg->datalen != 0 || p->state != PS_STARTING) {
			imsgev_violation(iev, "unexpected READY");
			return;
		}
		p->state = PS_RUNNING;
		log_info("%s ready (pid %d)", role_name(p->role), (int)p->pid);
		push_state();
		break;
	case IMSG_LOG:
		cb_view(&cb, imsg->data, imsg->datalen);
		cb_get_u8(&cb, &lvl);
		cb_get_str(&cb, line, sizeof(line));
		if (cb_get_end(&cb) == -1 || lvl > LOG_LVL_DEBUG) {
			imsgev_violation(iev, "malformed LOG");
			return;
		}
		{
			char	 out[1200];

			snprintf(out, sizeof(out), "%s[%d]: %s",
			    role_name(p->role), (int)p->pid, line);
			log_emit(lvl, out);
		}
		break;
	case IMSG_AUDIT:
		cb_view(&cb, imsg->data, imsg->datalen);
		for (i = 0; i < 5; i++)
			cb_get_str(&cb, a[i], sizeof(a[i]));
		if (cb_get_end(&cb) == -1) {
			imsgev_violation(iev, "malformed AUDIT");
			return;
		}
		audit_write(role_name(p->role), a[1], a[0], a[2], a[3], a[4]);
		break;
	case IMSG_VIOLATION:
		cb_view(&cb, imsg->data, imsg->datalen);
		cb_get_u8(&cb, &peer);
		cb_get_str(&cb, line, sizeof(line));
		if (cb_get_end(&cb) == -1 || !role_is_child(peer) ||
		    !role_edge(p->role, peer)) {
			imsgev_violation(iev, "malformed VIOLATION");
			return;
		}
		kill_offender(peer, line, role_name(p->role));
		break;
	case IMSG_STATUS_REQ:
		handle_status_req(p, imsg);
		break;
	case IMSG_SECRET_OPEN:
		secrets_open(p, imsg);
		break;
	case IMSG_SECRET_PUBKEY:
		secrets_pubkey(p, imsg);
		break;
	case IMSG_SECRET_KILL:
		secrets_kill(p, imsg);
		break;
	default:
		imsgev_violation(iev, "unhandled message type");
	}
}

static void
parent_chfail(struct imsgev *iev, int kind, const char *reason)
{
	struct proc	*p = iev->arg;

	if (kind == IEV_VIOLATION)
		kill_offender(p->role, reason, "parent");
	else if (!env->stopping)
		log_debug("channel to %s closed: %s", role_name(p->role),
		    reason);
	p->iev = NULL;
	imsgev_free(iev);
}

/* ---- spawning and wiring ---- */

static void
child_exec(struct proc *p, int fd)
{
	char		 path[PATH_MAX], *argv[4];
	char		*empty_env[8] = { NULL };
	char		**envp = empty_env;
	sigset_t	 set;
	int		 null, sig;

	if (fd == 3) {
		if (fcntl(fd, F_SETFD, 0) == -1)
			_exit(127);
	} else if (dup2(fd, 3) == -1)
		_exit(127);
	if ((null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (!env->debug)
			dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO && null != 3)
			close(null);
	}
	closefrom(3 + 1);
	setsid();
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);

	if (p->role == ROLE_FRONT) {
		snprintf(path, sizeof(path), "%s", env->self_exe);
		argv[0] = "gatewayd: front";
		argv[1] = "-P";
		argv[2] = "front";
		argv[3] = NULL;
#ifdef CLAWGATE_TEST_HOOKS
		if (getenv("CLAWGATE_TEST_FRONT_EXEC") != NULL) {
			snprintf(path, sizeof(path), "%s",
			    getenv("CLAWGATE_TEST_FRONT_EXEC"));
			envp = environ;
		}
#endif
	} else {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s",
		    env->conf.libexec_dir, role_name(p->role)) >= sizeof(path))
			_exit(127);
		argv[0] = (char *)role_name(p->role);
		argv[1] = NULL;
#ifdef CLAWGATE_TEST_HOOKS
		if (p->role == ROLE_AGENTD &&
		    getenv("CLAWGATE_TEST_AGENTD_EXEC") != NULL) {
			char	**e;
			int	  n = 0;

			snprintf(path, sizeof(path), "%s",
			    getenv("CLAWGATE_TEST_AGENTD_EXEC"));
			/* its instructions, and nothing else */
			for (e = environ; *e != NULL && n < 7; e++)
				if (strncmp(*e, "CLAWGATE_TEST_", 14) == 0)
					empty_env[n++] = *e;
			empty_env[n] = NULL;
		}
#endif
	}
	/* the environment reaches secretd only (its env provider) */
	if (p->role == ROLE_SECRETD)
		envp = environ;
	execve(path, argv, envp);
	_exit(127);
}

static void
proc_spawn(struct proc *p)
{
	struct cbuf	 cb;
	int		 sp[2], i, fd;
	pid_t		 pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("socketpair");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0)
		child_exec(p, sp[1]);
	close(sp[1]);
	p->pid = pid;
	p->state = PS_STARTING;
	clock_gettime(CLOCK_MONOTONIC, &p->started);
	p->iev = imsgev_new(env->base, sp[0], IMSG_MAXSIZE, 0, ROLE_PARENT,
	    p->role, parent_dispatch, parent_chfail, p);
	if (p->iev == NULL)
		fatal("channel to %s", role_name(p->role));
	log_debug("started %s, pid %d", role_name(p->role), (int)pid);

	send_kv(p, IMSG_SETUP_CONFIG);
	if (p->role == ROLE_AUTHD || p->role == ROLE_AGENTD ||
	    p->role == ROLE_EXECD) {
		cb_init(&cb);
		cb_put_bytes(&cb, env->key.key, CAP_KEYLEN);
		cb_put_bytes(&cb, env->key.bootid, CAP_BOOTIDLEN);
		imsgev_compose_cb(p->iev, IMSG_SETUP_KEY, 0, -1, &cb);
		sodium_memzero(cb.data, cb.len);
		cb_free(&cb);
	}
	if (p->role == ROLE_FRONT) {
		for (i = 0; i < env->nlisten; i++) {
			if ((fd = fcntl(env->listen_fd[i], F_DUPFD_CLOEXEC,
			    0)) == -1)
				fatal("dup");
			cb_init(&cb);
			cb_put_u8(&cb, LISTENER_HTTP);
			{
				char	 name[128];

				snprintf(name, sizeof(name), "%d %s:%d", i,
				    env->conf.listen[i].addr,
				    env->conf.listen[i].port);
				cb_put_str(&cb, name);
			}
			imsgev_compose_cb(p->iev, IMSG_SETUP_LISTENER, 0, fd,
			    &cb);
			cb_free(&cb);
		}
		if ((fd = fcntl(env->ctl_fd, F_DUPFD_CLOEXEC, 0)) == -1)
			fatal("dup");
		cb_init(&cb);
		cb_put_u8(&cb, LISTENER_CONTROL);
		cb_put_str(&cb, env->conf.control_socket);
		imsgev_compose_cb(p->iev, IMSG_SETUP_LISTENER, 0, fd, &cb);
		cb_free(&cb);
	}
}

/* one fresh socketpair for every edge of p to a living peer */
static void
proc_wire(struct proc *p)
{
	struct proc	*q;
	struct cbuf	 cb;
	int		 r, sp[2];

	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++) {
		q = &env->procs[r];
		if (r == p->role || !role_edge(p->role, r) || q->pid <= 0 ||
		    q->iev == NULL)
			continue;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)
		    == -1)
			fatal("socketpair");
		env->edge_gen++;
		cb_init(&cb);
		cb_put_u8(&cb, (uint8_t)r);
		cb_put_u32(&cb, env->edge_gen);
		imsgev_compose_cb(p->iev, IMSG_SETUP_PEER, 0, sp[0], &cb);
		cb_free(&cb);
		cb_init(&cb);
		cb_put_u8(&cb, (uint8_t)p->role);
		cb_put_u32(&cb, env->edge_gen);
		imsgev_compose_cb(q->iev, IMSG_SETUP_PEER, 0, sp[1], &cb);
		cb_free(&cb);
		log_debug("edge %s-%s wired (generation %u)",
		    role_name(p->role), role_name(r), env->edge_gen);
	}
}

static void
proc_done(struct proc *p)
{
	imsgev_compose(p->iev, IMSG_SETUP_DONE, 0, -1, NULL, 0);
}

static void
proc_start(struct proc *p)
{
	proc_spawn(p);
	proc_wire(p);
	proc_done(p);
	push_state();
}

static void
restart_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct proc	*p = arg;

	(void)fd;
	(void)ev;
	if (env->stopping || p->pid > 0)
		return;
	p->restarts++;
	log_info("restarting %s (restart %u)", role_name(p->role),
	    p->restarts);
	proc_start(p);
}

static void
schedule_restart(struct proc *p, long lived_ms)
{
	struct timeval	 tv;
	long		 delay;

	if (lived_ms >= RESTART_QUICK_SEC * 1000L)
		p->quick = 0;
	p->quick++;
	if (p->quick > RESTART_THROTTLE_AFTER) {
		p->state = PS_THROTTLED;
		delay = RESTART_MAX_MS;
		log_warnx("%s died %u times in a row within %d s of starting: "
		    "throttled, next start in %ld s", role_name(p->role),
		    p->quick, RESTART_QUICK_SEC, delay / 1000);
	} else {
		p->state = PS_RESTARTING;
		delay = p->quick == 1 ? 0 :
		    RESTART_BASE_MS << (p->quick - 2);
		if (delay > RESTART_MAX_MS)
			delay = RESTART_MAX_MS;
	}
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	if (p->timer == NULL &&
	    (p->timer = evtimer_new(env->base, restart_cb, p)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(p->timer, &tv);
}

static void
describe_status(int status, char *buf, size_t sz)
{
	if (WIFEXITED(status))
		snprintf(buf, sz, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		snprintf(buf, sz, "killed by signal %d (SIGSYS): seccomp "
		    "violation", SIGSYS);
	else if (WIFSIGNALED(status))
		snprintf(buf, sz, "killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sz, "status 0x%x", status);
}

static void
sigchld_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct proc	*p;
	char		 how[128];
	pid_t		 pid;
	int		 status, r;
	long		 lived;

	(void)sig;
	(void)ev;
	(void)arg;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		p = NULL;
		for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
			if (env->procs[r].pid == pid)
				p = &env->procs[r];
		if (p == NULL) {
			/* a secrets provider's command */
			secrets_reaped(pid);
			continue;
		}
		describe_status(status, how, sizeof(how));
		lived = ms_since(&p->started);
		p->pid = 0;
		if (p->iev != NULL) {
			imsgev_free(p->iev);
			p->iev = NULL;
		}
		if (env->stopping) {
			p->state = PS_STOPPED;
			log_debug("%s stopped: %s", role_name(p->role), how);
			continue;
		}
		log_warnx("%s (pid %d) %s after %ld ms", role_name(p->role),
		    (int)pid, how, lived);
		audit_write("parent", role_name(p->role), "process-exit",
		    role_name(p->role), "restart", how);
		if (!env->booted) {
			log_warnx("%s failed during startup; stopping",
			    role_name(p->role));
			parent_shutdown(1);
		}
		schedule_restart(p, lived);
		push_state();
	}
	if (env->stopping) {
		for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
			if (env->procs[r].pid > 0)
				return;
		log_info("all processes stopped");
		audit_flush();
		exit(0);
	}
}

static void
push_state(void)
{
	struct proc	*f = &env->procs[ROLE_FRONT];
	struct cbuf	 cb;
	int		 r, all = 1;

	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
		if (env->procs[r].state != PS_RUNNING)
			all = 0;
	if (all && !env->booted) {
		env->booted = 1;
		log_info("all processes ready in %ld ms",
		    ms_since(&env->started));
		daemon_ready();
	}
	if (f->iev == NULL || f->state != PS_RUNNING)
		return;
	cb_init(&cb);
	cb_put_u8(&cb, ROLE_LAST_CHILD + 1);
	cb_put_u8(&cb, ROLE_PARENT);
	cb_put_u8(&cb, PS_RUNNING);
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++) {
		cb_put_u8(&cb, (uint8_t)r);
		cb_put_u8(&cb, (uint8_t)env->procs[r].state);
	}
	imsgev_compose_cb(f->iev, IMSG_PROC_STATE, 0, -1, &cb);
	cb_free(&cb);
}

/* ---- signals ---- */

static void
stop_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	int	 r;

	(void)fd;
	(void)ev;
	(void)arg;
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
		if (env->procs[r].pid > 0) {
			log_warnx("%s did not stop: killing",
			    role_name(r));
			kill(env->procs[r].pid, SIGKILL);
		}
}

static void
parent_shutdown(int code)
{
	int	 r;

	env->stopping = 1;
	secrets_unpublish();
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
		if (env->procs[r].pid > 0)
			kill(env->procs[r].pid, SIGTERM);
	if (code != 0) {
		/* startup failure: do not wait around */
		for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
			if (env->procs[r].pid > 0)
				waitpid(env->procs[r].pid, NULL, 0);
		unlink(env->conf.control_socket);
		audit_flush();
		exit(code);
	}
	unlink(env->conf.control_socket);
	{
		struct timeval	 tv = { 5, 0 };
		struct event	*ev;

		ev = evtimer_new(env->base, stop_timeout_cb, NULL);
		if (ev != NULL)
			evtimer_add(ev, &tv);
	}
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
		if (env->procs[r].pid > 0)
			return;	/* sigchld_cb exits when all are gone */
	audit_flush();
	exit(0);
}

static void
sigterm_cb(evutil_socket_t sig, short ev, void *arg)
{
	(void)ev;
	(void)arg;
	if (env->stopping)
		return;
	log_info("received signal %d, stopping", (int)sig);
	parent_shutdown(0);
	/* parent_shutdown returns while children are stopping */
}

static void
reload(void)
{
	struct gwconf	 nc;
	gid_t		 gid;
	int		 r;

	log_info("reloading %s", env->conf.path);
	if (conf_parse(env->conf.path, &nc, 1) == -1) {
		log_warnx("reload: %s is invalid; keeping the running "
		    "configuration", env->conf.path);
		audit_write("parent", "root", "config-reload",
		    env->conf.path, "refused", "invalid configuration");
		return;
	}
	if (strcmp(nc.state_dir, env->conf.state_dir) != 0 ||
	    strcmp(nc.run_dir, env->conf.run_dir) != 0 ||
	    strcmp(nc.log_dir, env->conf.log_dir) != 0 ||
	    strcmp(nc.libexec_dir, env->conf.libexec_dir) != 0 ||
	    strcmp(nc.control_socket, env->conf.control_socket) != 0 ||
	    nc.nlisten != env->conf.nlisten ||
	    memcmp(nc.listen, env->conf.listen, sizeof(nc.listen)) != 0 ||
	    memcmp(nc.user, env->conf.user, sizeof(nc.user)) != 0)
		log_warnx("reload: listeners, directories, users or the "
		    "control socket changed: restart gatewayd to apply them");
	if (strcmp(nc.vault_key, env->conf.vault_key) != 0 ||
	    nc.nsecprov != env->conf.nsecprov ||
	    memcmp(nc.secprov, env->conf.secprov, sizeof(nc.secprov)) != 0 ||
	    nc.nsec_outbound != env->conf.nsec_outbound ||
	    memcmp(nc.sec_outbound, env->conf.sec_outbound,
	    sizeof(nc.sec_outbound)) != 0 ||
	    nc.nsec_verify != env->conf.nsec_verify ||
	    memcmp(nc.sec_verify, env->conf.sec_verify,
	    sizeof(nc.sec_verify)) != 0)
		log_warnx("reload: secrets statements changed: restart "
		    "gatewayd to apply them (clawctl secrets reload "
		    "re-resolves the running ones)");
	if (strcmp(nc.admin_group, env->conf.admin_group) != 0) {
		if (resolve_admin_group(nc.admin_group, &gid) == -1)
			log_warnx("reload: admin group %s does not exist; "
			    "keeping %s", nc.admin_group,
			    env->conf.admin_group);
		else {
			snprintf(env->conf.admin_group,
			    sizeof(env->conf.admin_group), "%s",
			    nc.admin_group);
			env->admin_gid = gid;
			if (chown(env->conf.control_socket, 0, gid) == -1)
				log_warn("chown %s", env->conf.control_socket);
		}
	}
	env->conf.log_level = nc.log_level;
	env->conf.rl_failures = nc.rl_failures;
	env->conf.rl_window = nc.rl_window;
	env->conf.rl_lockout = nc.rl_lockout;
	env->conf.rl_exempt_loopback = nc.rl_exempt_loopback;
	env->conf.pair_auto_local = nc.pair_auto_local;
	log_setlevel(nc.log_level);
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
		if (env->procs[r].iev != NULL &&
		    env->procs[r].state == PS_RUNNING)
			send_kv(&env->procs[r], IMSG_CONFIG_UPDATE);
	audit_write("parent", "root", "config-reload", env->conf.path, "ok",
	    "");
}

static void
sighup_cb(evutil_socket_t sig, short ev, void *arg)
{
	(void)sig;
	(void)ev;
	(void)arg;
	reload();
}

static void
boot_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	int	 r;

	(void)fd;
	(void)ev;
	(void)arg;
	if (env->booted)
		return;
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
		if (env->procs[r].state != PS_RUNNING)
			log_warnx("%s did not report ready within %d s",
			    role_name(r), BOOT_TIMEOUT_SEC);
	parent_shutdown(1);
}

/*
 * Detach, but let the invoking process wait until every child reports
 * ready: it exits 0 then, or 1 if startup fails, so that an init script
 * or an operator sees a failed start.
 */
static int	 ready_fd = -1;

static void
daemonize(void)
{
	pid_t	 pid;
	int	 p[2];
	char	 c;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0) {
		close(p[1]);
		if (read(p[0], &c, 1) == 1)
			_exit(0);
		fprintf(stderr, "gatewayd: startup failed\n");
		_exit(1);
	}
	close(p[0]);
	ready_fd = p[1];
	if (setsid() == -1)
		fatal("setsid");
}

/* startup is complete: release the waiting process, go to syslog */
static void
daemon_ready(void)
{
	int	 fd;

	if (ready_fd == -1)
		return;
	log_init("gatewayd", 0, log_getlevel());
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (write(ready_fd, "r", 1) != 1)
		log_warn("ready pipe");
	close(ready_fd);
	ready_fd = -1;
}

int
parent_main(struct gwconf *conf, int debug, int verbose)
{
	static struct parent	 p;
	struct event		*ev;
	struct timeval		 tv = { BOOT_TIMEOUT_SEC, 0 };
	ssize_t			 n;
	int			 r, sigs[] = { SIGTERM, SIGINT };
	size_t			 i;

	env = &p;
	p.conf = *conf;
	p.debug = debug;
	if (geteuid() != 0)
		fatalx("gatewayd must be started as root");
	/* until every child is ready, errors go to the terminal too */
	log_init("gatewayd", 1, verbose ? LOG_LVL_DEBUG : conf->log_level);
	conf_log_errors = 1;
	if (!debug)
		daemonize();
	clock_gettime(CLOCK_MONOTONIC, &p.started);
	if ((n = readlink("/proc/self/exe", p.self_exe,
	    sizeof(p.self_exe) - 1)) <= 0)
		fatal("readlink /proc/self/exe");
	p.self_exe[n] = '\0';
	if (sodium_init() == -1)
		fatalx("sodium_init");
	/* a new MAC key and boot id every boot: old capabilities die */
	if (capkey_generate(&p.key) == -1)
		fatalx("capability key");
	for (r = 0; r < ROLE_MAX; r++)
		p.procs[r].role = r;
	setup_users(&p);
	setup_dirs(&p);
	audit_open(p.conf.log_dir);
	setup_control_socket(&p);
	setup_listeners(&p);
	signal(SIGPIPE, SIG_IGN);

	if ((p.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		ev = evsignal_new(p.base, sigs[i], sigterm_cb, NULL);
		if (ev == NULL || evsignal_add(ev, NULL) == -1)
			fatalx("signal");
	}
	ev = evsignal_new(p.base, SIGHUP, sighup_cb, NULL);
	if (ev == NULL || evsignal_add(ev, NULL) == -1)
		fatalx("signal");
	ev = evsignal_new(p.base, SIGCHLD, sigchld_cb, NULL);
	if (ev == NULL || evsignal_add(ev, NULL) == -1)
		fatalx("signal");

	audit_write("parent", "root", "start", p.conf.path, "ok", "");
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++) {
		proc_spawn(&p.procs[r]);
		proc_wire(&p.procs[r]);
	}
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
		proc_done(&p.procs[r]);
	if ((ev = evtimer_new(p.base, boot_timeout_cb, NULL)) == NULL ||
	    evtimer_add(ev, &tv) == -1)
		fatalx("evtimer");
	for (i = 0; i < (size_t)p.conf.nlisten; i++)
		log_info("listening on http://%s%s%s:%d/",
		    strchr(p.conf.listen[i].addr, ':') ? "[" : "",
		    p.conf.listen[i].addr,
		    strchr(p.conf.listen[i].addr, ':') ? "]" : "",
		    p.conf.listen[i].port);
	log_info("control socket %s", p.conf.control_socket);
	event_base_dispatch(p.base);
	fatalx("event loop ended");
}
