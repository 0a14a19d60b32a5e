/*
 * child.h - what every child process (front, authd, secretd, agentd,
 * execd) does with its parent edge: read the setup on fd 3, then run the
 * event loop with the parent and peer edges, forward log lines and audit
 * records, report peers that break the protocol, take rewired edges.
 */
#ifndef CLAWGATE_CHILD_H
#define CLAWGATE_CHILD_H

#include <sys/capability.h>

#include <event2/event.h>
#include <lmdb.h>

#include "capability.h"
#include "imsgev.h"
#include "kv.h"
#include "roles.h"

#define CHILD_PARENT_FD		3
#define CHILD_MAXLISTENERS	8
#define CHILD_SETUP_TIMEOUT_MS	10000

struct child_listener {
	int	 kind;
	int	 fd;
	char	 name[256];
};

struct child_hooks {
	/* a message from a peer child, already checked for its edge */
	void	(*peer_msg)(struct imsgev *, struct imsg *);
	/* a message from the parent other than SETUP_PEER/CONFIG_UPDATE */
	void	(*parent_msg)(struct imsg *);
	void	(*peer_up)(int role);
	void	(*peer_down)(int role);
	void	(*config_update)(const struct kv *);
};

struct child {
	int			 role;
	struct kv		 config;
	int			 have_key;
	struct capkey		 key;
	struct child_listener	 listeners[CHILD_MAXLISTENERS];
	int			 nlisteners;
	struct event_base	*base;
	struct imsgev		*parent;
	struct imsgev		*peers[ROLE_MAX];
	int			 pending_peer[ROLE_MAX];	/* setup */
	struct child_hooks	 hooks;
	MDB_env			*db;		/* own LMDB environment */
};

extern struct child	*self;

/* reads setup from fd 3 until SETUP_DONE; fatal on anything unexpected */
void	child_setup(struct child *, int role);
/* uid/gid/chroot from the config, then privdrop() */
void	child_drop(struct child *, const cap_value_t *keep, int nkeep,
	    int nproc_zero, int do_chroot);
/* after seccomp: wire the edges, send READY, run the loop; never returns */
void	child_run(struct child *) __attribute__((noreturn));
int	child_send_peer(int role, uint32_t type, uint32_t peerid, int fd,
	    struct cbuf *);
int	child_send_parent(uint32_t type, uint32_t peerid, struct cbuf *);
void	child_audit(const char *action, const char *principal,
	    const char *object, const char *outcome, const char *detail);
/* install the test-only SIGUSR2 hook (CLAWGATE_TEST_HOOKS builds) */
void	child_test_hooks(void);

#endif
