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

#define CONF_MAXSECPROV		16
#define CONF_MAXSECREF		32
#define CONF_MAXSECVERIFY	16
#define CONF_MAXSECARGS		8
#define CONF_MAXSECNAMES	16
#define CONF_MAXSKILLDIRS	8

/* a secret provider: env, file or exec (the vault is implicit) */
struct conf_secprov {
	char			name[65];
	int			kind;		/* SECRET_SRC_* */
	char			path[PATH_MAX];	/* file, or exec command */
	char			args[CONF_MAXSECARGS][256];
	int			nargs;
	int			single;		/* file: single-value mode */
	unsigned		max_bytes;	/* file size, exec output */
	unsigned		timeout_ms;	/* exec */
	unsigned		noout_ms;	/* exec: no output for this long */
	char			names[CONF_MAXSECNAMES][128];	/* env allow, */
	int			nnames;			/* exec pass-env */
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
	char			model_ca_file[PATH_MAX];	/* agentd */
	/* skill roots (agentd reads them before its chroot) */
	char			skills_dir[CONF_MAXSKILLDIRS][PATH_MAX];
	int			nskills_dir;
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
	/* secrets (secretd; the parent opens files and runs commands) */
	char			vault_key[PATH_MAX];
	struct conf_secprov	secprov[CONF_MAXSECPROV];
	int			nsecprov;
	char			sec_outbound[CONF_MAXSECREF][320];
	int			nsec_outbound;
	char			sec_verify[CONF_MAXSECVERIFY][320];
	int			nsec_verify;
};

/* parse.c */
extern int	conf_log_errors;
int	conf_perr(const char *file, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	conf_parse(const char *path, struct gwconf *, int check_owner);
void	conf_print(FILE *, const struct gwconf *);
int	conf_is_loopback(const struct sockaddr_storage *);

/* conf_secrets.c */
int	conf_secrets(struct gwconf *, char **tok, int n, const char *file,
	    int line);
void	conf_print_secrets(FILE *, const struct gwconf *);
int	conf_secrets_check(const struct gwconf *, const char *file);
struct kv;
void	conf_secrets_kv(const struct gwconf *, struct kv *);

/* parent.c */
int	parent_main(struct gwconf *, int debug, int verbose)
	    __attribute__((noreturn));

/* front.c */
int	front_main(void) __attribute__((noreturn));

#endif
