/*
 * gatewayd.h - the gatewayd program: the root parent (supervisor, trust
 * zone "parent") and, re-executed with -P front, the unprivileged network
 * front end (trust zone "front").  Shared declarations of both roles.
 */
#ifndef CLAWGATE_GATEWAYD_H
#define CLAWGATE_GATEWAYD_H

#include <sys/types.h>
#include <sys/socket.h>

#include <limits.h>
#include <stdio.h>

#include "roles.h"

#define CONF_DEFAULT		"/etc/clawgate/clawgate.conf"
#define CONF_MAXLISTEN		8
#define CONF_DEFAULT_PORT	18789

struct conf_listen {
	char			addr[64];
	int			port;
	struct sockaddr_storage	ss;
	socklen_t		sslen;
	int			tls;
	char			cert[PATH_MAX];
	char			key[PATH_MAX];
};

struct gwconf {
	char			path[PATH_MAX];
	char			state_dir[PATH_MAX];
	char			run_dir[PATH_MAX];
	char			log_dir[PATH_MAX];
	char			libexec_dir[PATH_MAX];
	char			control_socket[PATH_MAX];
	char			admin_group[64];
	struct conf_listen	listen[CONF_MAXLISTEN];
	int			nlisten;
	char			user[ROLE_MAX][64];
	int			log_level;
	/* failed-authentication limiter (authd) */
	unsigned		rl_failures;
	unsigned		rl_window;	/* seconds */
	unsigned		rl_lockout;	/* seconds */
	int			rl_exempt_loopback;
	/* device pairing (authd): silent approval of loopback devices */
	int			pair_auto_local;
	/* trusted reverse proxies (authd decides, front forwards) */
	char			tp_cidr[16][64];
	int			ntp_cidr;
	char			tp_user_header[64];
	char			tp_require[8][64];
	int			ntp_require;
	char			tp_allow_user[32][64];
	int			ntp_allow_user;
	int			tp_allow_loopback;
	char			tp_scopes[256];
};

/* parse.c */
extern int	conf_log_errors;
int	conf_parse(const char *path, struct gwconf *, int check_owner);
void	conf_print(FILE *, const struct gwconf *);
int	conf_is_loopback(const struct sockaddr_storage *);

/* parent.c */
int	parent_main(struct gwconf *, int debug, int verbose)
	    __attribute__((noreturn));

/* front.c */
int	front_main(void) __attribute__((noreturn));

#endif
