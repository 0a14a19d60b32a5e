/*
 * parent.h - internals of the gatewayd parent (trust zone "parent": root,
 * parses no network input): process table, setup of directories and
 * sockets, status snapshots, the audit log.
 */
#ifndef CLAWGATE_PARENT_H
#define CLAWGATE_PARENT_H

#include <sys/types.h>

#include <time.h>

#include <event2/event.h>

#include "capability.h"
#include "gatewayd.h"
#include "imsgev.h"
#include "kv.h"
#include "msgtypes.h"

#define RESTART_QUICK_SEC	30	/* dying sooner counts as quick */
#define RESTART_BASE_MS		250
#define RESTART_MAX_MS		60000
#define RESTART_THROTTLE_AFTER	5
#define BOOT_TIMEOUT_SEC	10

struct proc {
	int		 role;
	pid_t		 pid;
	struct imsgev	*iev;
	int		 state;
	struct timespec	 started;	/* monotonic */
	unsigned	 restarts;
	unsigned	 quick;		/* consecutive quick deaths */
	struct event	*timer;
	uid_t		 uid;
	gid_t		 gid;
};

struct parent {
	struct gwconf		 conf;
	struct capkey		 key;
	struct event_base	*base;
	struct proc		 procs[ROLE_MAX];
	int			 listen_fd[CONF_MAXLISTEN];
	int			 nlisten;
	int			 ctl_fd;
	gid_t			 admin_gid;
	int			 debug;
	int			 booted;
	int			 stopping;
	struct timespec		 started;
	char			 self_exe[PATH_MAX];
	uint32_t		 edge_gen;
};

extern struct parent	*env;

const char	*proc_state_name(int);

/* secrets.c */
void	secrets_open(struct proc *, struct imsg *);
void	secrets_pubkey(struct proc *, struct imsg *);
int	secrets_reaped(pid_t);
void	secrets_kill(struct proc *, struct imsg *);
void	secrets_unpublish(void);

/* setup.c */
void	setup_users(struct parent *);
void	setup_dirs(struct parent *);
void	setup_listeners(struct parent *);
void	setup_control_socket(struct parent *);
int	resolve_admin_group(const char *, gid_t *);
void	role_config(struct parent *, int role, struct kv *);

/* status.c */
char	*status_json(struct parent *);

/* audit.c */
void	audit_open(const char *dir);
void	audit_flush(void);
void	audit_write(const char *process, const char *principal,
	    const char *action, const char *object, const char *outcome,
	    const char *detail);

#endif
