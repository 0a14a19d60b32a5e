/*
 * parse.c - the boot configuration parser and printer (trust zone
 * "parent": runs as root on a root-owned file, before any child exists).
 *
 * OpenBSD-style grammar, one statement per line, '#' comments, arguments
 * optionally double-quoted.  See clawgate.conf(5).  Every error names
 * file:line.  conf_print() writes the normalized form that `gatewayd -n`
 * shows and that parses back to the same configuration.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gatewayd.h"
#include "log.h"
#include "names.h"
#include "scopes.h"

#define MAXTOK	16
#define MAXLINE	4096

static const char *default_users[ROLE_MAX] = {
	[ROLE_FRONT] = "_clawgw",
	[ROLE_AUTHD] = "_clawauth",
	[ROLE_SECRETD] = "_clawsec",
	[ROLE_AGENTD] = "_clawagent",
	[ROLE_EXECD] = "_clawexec",
};

#define perr conf_perr

int	conf_log_errors;	/* set once gatewayd runs: errors to the log */

int
conf_perr(const char *file, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (conf_log_errors && line > 0)
		log_warnx("%s:%d: %s", file, line, msg);
	else if (conf_log_errors)
		log_warnx("%s: %s", file, msg);
	else if (line > 0)
		fprintf(stderr, "%s:%d: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: %s\n", file, msg);
	return -1;
}

/* split a line into words; quotes group, '#' outside quotes ends it */
static int
tokenize(char *s, char **tok, int *ntok)
{
	char	*w;
	int	 n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#' || *s == '\n' || *s == '\r')
			break;
		if (n >= MAXTOK)
			return -1;
		if (*s == '"') {
			w = ++s;
			while (*s != '"' && *s != '\0')
				s++;
			if (*s != '"')
				return -1;
			*s++ = '\0';
			if (*s != '\0' && *s != ' ' && *s != '\t' &&
			    *s != '\n' && *s != '\r' && *s != '#')
				return -1;
		} else {
			w = s;
			while (*s != '\0' && *s != ' ' && *s != '\t' &&
			    *s != '\n' && *s != '\r' && *s != '#' && *s != '"')
				s++;
			if (*s == '"')
				return -1;
			if (*s == '#') {
				*s = '\0';
				tok[n++] = w;
				break;
			}
			if (*s != '\0')
				*s++ = '\0';
		}
		tok[n++] = w;
	}
	*ntok = n;
	return 0;
}

static int
set_path(char *dst, size_t dstsz, const char *v, const char *file, int line,
    const char *kw)
{
	if (v[0] != '/')
		return perr(file, line, "%s: path must be absolute", kw);
	if (strlen(v) >= dstsz || strlen(v) > 200)
		return perr(file, line, "%s: path too long", kw);
	if (strstr(v, "/../") != NULL || strcmp(v + strlen(v) -
	    (strlen(v) >= 3 ? 3 : strlen(v)), "/..") == 0)
		return perr(file, line, "%s: path must not contain ..", kw);
	snprintf(dst, dstsz, "%s", v);
	/* normalize a trailing slash */
	while (strlen(dst) > 1 && dst[strlen(dst) - 1] == '/')
		dst[strlen(dst) - 1] = '\0';
	return 0;
}

int
conf_is_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (ss->ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)ss;
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (ss->ss_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)ss;
		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	}
	return 0;
}

static int
parse_listen(struct gwconf *c, char **tok, int n, const char *file, int line)
{
	struct conf_listen	*l;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	char			*end;
	long			 port;
	int			 i;

	if ((n != 5 && n != 10) || strcmp(tok[1], "on") != 0 ||
	    strcmp(tok[3], "port") != 0 || (n == 10 &&
	    (strcmp(tok[5], "tls") != 0 || strcmp(tok[6], "certificate") != 0 ||
	    strcmp(tok[8], "key") != 0)))
		return perr(file, line, "usage: listen on address port number "
		    "[tls certificate file key file]");
	if (c->nlisten >= CONF_MAXLISTEN)
		return perr(file, line, "too many listen statements (max %d)",
		    CONF_MAXLISTEN);
	errno = 0;
	port = strtol(tok[4], &end, 10);
	if (errno != 0 || *end != '\0' || port < 1 || port > 65535)
		return perr(file, line, "listen: bad port \"%s\"", tok[4]);
	l = &c->listen[c->nlisten];
	memset(l, 0, sizeof(*l));
	sin = (struct sockaddr_in *)&l->ss;
	sin6 = (struct sockaddr_in6 *)&l->ss;
	if (inet_pton(AF_INET, tok[2], &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		l->sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, tok[2], &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		l->sslen = sizeof(*sin6);
	} else
		return perr(file, line, "listen: \"%s\" is not a numeric "
		    "IPv4 or IPv6 address", tok[2]);
	if (n == 10) {
		l->tls = 1;
		if (set_path(l->cert, sizeof(l->cert), tok[7], file, line,
		    "listen: certificate") == -1 || set_path(l->key,
		    sizeof(l->key), tok[9], file, line, "listen: key") == -1)
			return -1;
	}
	if (!l->tls && !conf_is_loopback(&l->ss))
		return perr(file, line, "listen: %s is not a loopback address; "
		    "plain HTTP is allowed on loopback only (add tls "
		    "certificate ... key ...)", tok[2]);
	if (l->ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, l->addr, sizeof(l->addr));
	else
		inet_ntop(AF_INET6, &sin6->sin6_addr, l->addr, sizeof(l->addr));
	l->port = (int)port;
	for (i = 0; i < c->nlisten; i++)
		if (strcmp(c->listen[i].addr, l->addr) == 0 &&
		    c->listen[i].port == l->port)
			return perr(file, line, "listen: duplicate %s port %d",
			    l->addr, l->port);
	c->nlisten++;
	return 0;
}

static void
conf_defaults(struct gwconf *c, const char *path)
{
	char	 exe[PATH_MAX], *dir;
	ssize_t	 n;
	int	 r;

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/clawgate");
	snprintf(c->run_dir, sizeof(c->run_dir), "/run/clawgate");
	snprintf(c->log_dir, sizeof(c->log_dir), "/var/log/clawgate");
	snprintf(c->admin_group, sizeof(c->admin_group), "clawadm");
	snprintf(c->model_ca_file, sizeof(c->model_ca_file),
	    "/etc/ssl/certs/ca-certificates.crt");
	/*
	 * The daemons sit next to gatewayd in a build tree, or in
	 * ../libexec/clawgate of an installed sbin/gatewayd.
	 */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
		snprintf(c->libexec_dir, sizeof(c->libexec_dir), "%s/authd",
		    dir);
		if (access(c->libexec_dir, X_OK) == 0)
			snprintf(c->libexec_dir, sizeof(c->libexec_dir), "%s",
			    dir);
		else if ((size_t)snprintf(c->libexec_dir,
		    sizeof(c->libexec_dir), "%s/libexec/clawgate",
		    strcmp(dirname(dir), "/") == 0 ? "" : dir) >=
		    sizeof(c->libexec_dir))
			snprintf(c->libexec_dir, sizeof(c->libexec_dir),
			    "/usr/libexec/clawgate");
	} else
		snprintf(c->libexec_dir, sizeof(c->libexec_dir),
		    "/usr/libexec/clawgate");
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++)
		snprintf(c->user[r], sizeof(c->user[r]), "%s",
		    default_users[r]);
	c->log_level = LOG_LVL_INFO;
	c->rl_failures = 10;
	c->rl_window = 60;
	c->rl_lockout = 300;
	c->rl_exempt_loopback = 0;
	snprintf(c->tp_scopes, sizeof(c->tp_scopes), "operator.read");
}

static int
parse_uint(const char *s, unsigned max, unsigned *out)
{
	char		*end;
	unsigned long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int
valid_header_name(const char *s)
{
	size_t	 i;

	if (s[0] == '\0' || strlen(s) > 63)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static int
valid_cidr(const char *s)
{
	char		 buf[64], *slash, *end;
	unsigned char	 a[16];
	long		 bits, max;

	if (strlen(s) >= sizeof(buf))
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		max = 128;
	else
		return 0;
	if (slash == NULL)
		return 1;
	bits = strtol(slash, &end, 10);
	return *slash != '\0' && *end == '\0' && bits >= 0 && bits <= max;
}

/*
 * trusted-proxy ADDR[/BITS] | trusted-proxy user-header NAME |
 * trusted-proxy require-header NAME | trusted-proxy allow-user NAME |
 * trusted-proxy allow-loopback yes|no | trusted-proxy scopes LIST
 */
static int
parse_trusted_proxy(struct gwconf *c, char **tok, int n, const char *file,
    int line)
{
	if (n == 2) {
		if (!valid_cidr(tok[1]))
			return perr(file, line, "trusted-proxy: \"%s\" is not an "
			    "address or address/prefix", tok[1]);
		if (c->ntp_cidr >= 16)
			return perr(file, line, "trusted-proxy: at most 16 "
			    "addresses");
		snprintf(c->tp_cidr[c->ntp_cidr++], sizeof(c->tp_cidr[0]), "%s",
		    tok[1]);
		return 0;
	}
	if (n != 3)
		return perr(file, line, "usage: trusted-proxy address[/prefix] "
		    "| user-header name | require-header name | allow-user "
		    "name | allow-loopback yes|no | scopes list");
	if (strcmp(tok[1], "user-header") == 0 ||
	    strcmp(tok[1], "require-header") == 0) {
		if (!valid_header_name(tok[2]))
			return perr(file, line, "trusted-proxy %s: bad header "
			    "name \"%s\"", tok[1], tok[2]);
		if (tok[1][0] == 'u')
			snprintf(c->tp_user_header, sizeof(c->tp_user_header),
			    "%s", tok[2]);
		else if (c->ntp_require >= 8)
			return perr(file, line, "trusted-proxy: at most 8 "
			    "required headers");
		else
			snprintf(c->tp_require[c->ntp_require++],
			    sizeof(c->tp_require[0]), "%s", tok[2]);
	} else if (strcmp(tok[1], "allow-user") == 0) {
		if (!name_is_safe(tok[2], 32) || c->ntp_allow_user >= 32)
			return perr(file, line, "trusted-proxy allow-user: bad "
			    "name or more than 32");
		snprintf(c->tp_allow_user[c->ntp_allow_user++],
		    sizeof(c->tp_allow_user[0]), "%s", tok[2]);
	} else if (strcmp(tok[1], "allow-loopback") == 0) {
		if (strcmp(tok[2], "yes") != 0 && strcmp(tok[2], "no") != 0)
			return perr(file, line, "trusted-proxy allow-loopback: "
			    "expected yes or no");
		c->tp_allow_loopback = strcmp(tok[2], "yes") == 0;
	} else if (strcmp(tok[1], "scopes") == 0) {
		if (!scope_list_valid(tok[2], c->tp_scopes,
		    sizeof(c->tp_scopes)))
			return perr(file, line, "trusted-proxy scopes: use "
			    "operator.* scope names");
	} else
		return perr(file, line, "trusted-proxy: unknown option \"%s\"",
		    tok[1]);
	return 0;
}

/* skills-dir PATH: a skill root, up to 8, each once */
static int
parse_skills_dir(struct gwconf *c, char **tok, int n, const char *file,
    int line)
{
	char	 path[PATH_MAX];
	int	 i;

	if (n != 2)
		return perr(file, line, "skills-dir: expected 1 argument");
	if (set_path(path, sizeof(path), tok[1], file, line, tok[0]) == -1)
		return -1;
	for (i = 0; i < c->nskills_dir; i++)
		if (strcmp(c->skills_dir[i], path) == 0)
			return perr(file, line, "skills-dir: \"%s\" given twice",
			    path);
	if (c->nskills_dir >= CONF_MAXSKILLDIRS)
		return perr(file, line, "skills-dir: at most %d directories",
		    CONF_MAXSKILLDIRS);
	snprintf(c->skills_dir[c->nskills_dir++], sizeof(c->skills_dir[0]),
	    "%s", path);
	return 0;
}

/* rate-limit failures N window S lockout S | rate-limit exempt-loopback
 * yes|no */
static int
parse_ratelimit(struct gwconf *c, char **tok, int n, const char *file,
    int line)
{
	int	 i;

	if (n == 3 && strcmp(tok[1], "exempt-loopback") == 0) {
		if (strcmp(tok[2], "yes") == 0)
			c->rl_exempt_loopback = 1;
		else if (strcmp(tok[2], "no") == 0)
			c->rl_exempt_loopback = 0;
		else
			return perr(file, line, "rate-limit exempt-loopback: "
			    "expected yes or no");
		return 0;
	}
	if (n < 3 || (n - 1) % 2 != 0)
		return perr(file, line, "usage: rate-limit [failures n] "
		    "[window seconds] [lockout seconds]");
	for (i = 1; i < n; i += 2) {
		if (strcmp(tok[i], "failures") == 0) {
			if (parse_uint(tok[i + 1], 1000, &c->rl_failures) == -1)
				return perr(file, line, "rate-limit failures: "
				    "expected 1 to 1000");
		} else if (strcmp(tok[i], "window") == 0) {
			if (parse_uint(tok[i + 1], 86400, &c->rl_window) == -1)
				return perr(file, line, "rate-limit window: "
				    "expected 1 to 86400 seconds");
		} else if (strcmp(tok[i], "lockout") == 0) {
			if (parse_uint(tok[i + 1], 86400, &c->rl_lockout) == -1)
				return perr(file, line, "rate-limit lockout: "
				    "expected 1 to 86400 seconds");
		} else
			return perr(file, line, "rate-limit: unknown option "
			    "\"%s\"", tok[i]);
	}
	return 0;
}

static int
check_file(int fd, const char *path, int check_owner)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1)
		return perr(path, 0, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return perr(path, 0, "not a regular file");
	if (check_owner && st.st_uid != 0)
		return perr(path, 0, "refused: owned by uid %u, not root",
		    (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return perr(path, 0, "refused: writable by group or others "
		    "(mode %04o)", (unsigned)(st.st_mode & 07777));
	return 0;
}

int
conf_parse(const char *path, struct gwconf *c, int check_owner)
{
	FILE		*f;
	char		*buf = NULL, *tok[MAXTOK];
	size_t		 bufsz = 0;
	ssize_t		 len;
	int		 fd, n, line = 0, r, errors = 0, lvl;
	unsigned	 seen = 0;
	enum { S_STATE = 1, S_RUN = 2, S_LOG = 4, S_LIBEXEC = 8, S_CTL = 16,
	    S_ADMIN = 32, S_LEVEL = 64 };
	unsigned	 users_seen = 0;
	int		 user_line[ROLE_MAX] = { 0 };

	conf_defaults(c, path);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return perr(path, 0, "%s", strerror(errno));
	if (check_file(fd, path, check_owner) == -1) {
		close(fd);
		return -1;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}

#define ONCE(bit, kw) do {						\
	if (seen & (bit)) {						\
		errors += -perr(path, line, "%s given twice", (kw));	\
		continue;						\
	}								\
	seen |= (bit);							\
} while (0)
#define NARGS(k, kw) do {						\
	if (n != (k)) {							\
		errors += -perr(path, line, "%s: expected %d argument%s", \
		    (kw), (k) - 1, (k) == 2 ? "" : "s");		\
		continue;						\
	}								\
} while (0)

	while ((len = getline(&buf, &bufsz, f)) != -1) {
		line++;
		if (len > MAXLINE) {
			errors += -perr(path, line, "line too long");
			break;
		}
		if (memchr(buf, '\0', (size_t)len) != NULL ||
		    tokenize(buf, tok, &n) == -1) {
			errors += -perr(path, line, "syntax error (quotes?)");
			continue;
		}
		if (n == 0)
			continue;
		if (strcmp(tok[0], "state-dir") == 0) {
			NARGS(2, tok[0]);
			ONCE(S_STATE, tok[0]);
			if (set_path(c->state_dir, sizeof(c->state_dir),
			    tok[1], path, line, tok[0]) == -1)
				errors++;
		} else if (strcmp(tok[0], "run-dir") == 0) {
			NARGS(2, tok[0]);
			ONCE(S_RUN, tok[0]);
			if (set_path(c->run_dir, sizeof(c->run_dir), tok[1],
			    path, line, tok[0]) == -1)
				errors++;
		} else if (strcmp(tok[0], "log-dir") == 0) {
			NARGS(2, tok[0]);
			ONCE(S_LOG, tok[0]);
			if (set_path(c->log_dir, sizeof(c->log_dir), tok[1],
			    path, line, tok[0]) == -1)
				errors++;
		} else if (strcmp(tok[0], "model-ca-file") == 0) {
			/* CAs agentd trusts for model providers (read before
			 * its chroot) */
			NARGS(2, tok[0]);
			if (set_path(c->model_ca_file, sizeof(c->model_ca_file),
			    tok[1], path, line, tok[0]) == -1)
				errors++;
		} else if (strcmp(tok[0], "skills-dir") == 0) {
			if (parse_skills_dir(c, tok, n, path, line) == -1)
				errors++;
		} else if (strcmp(tok[0], "libexec-dir") == 0) {
			NARGS(2, tok[0]);
			ONCE(S_LIBEXEC, tok[0]);
			if (set_path(c->libexec_dir, sizeof(c->libexec_dir),
			    tok[1], path, line, tok[0]) == -1)
				errors++;
		} else if (strcmp(tok[0], "control-socket") == 0) {
			NARGS(2, tok[0]);
			ONCE(S_CTL, tok[0]);
			if (set_path(c->control_socket,
			    sizeof(c->control_socket), tok[1], path, line,
			    tok[0]) == -1)
				errors++;
			else if (strlen(c->control_socket) >= 108)
				errors += -perr(path, line, "control-socket: "
				    "path longer than 107 bytes");
		} else if (strcmp(tok[0], "admin-group") == 0) {
			NARGS(2, tok[0]);
			ONCE(S_ADMIN, tok[0]);
			if (!name_is_safe(tok[1], 32))
				errors += -perr(path, line, "admin-group: bad "
				    "group name \"%s\"", tok[1]);
			else
				snprintf(c->admin_group, sizeof(c->admin_group),
				    "%s", tok[1]);
		} else if (strcmp(tok[0], "log-level") == 0) {
			NARGS(2, tok[0]);
			ONCE(S_LEVEL, tok[0]);
			if ((lvl = log_level_parse(tok[1])) == -1)
				errors += -perr(path, line, "log-level: expected "
				    "warning, info or debug");
			else
				c->log_level = lvl;
		} else if (strcmp(tok[0], "trusted-proxy") == 0) {
			if (parse_trusted_proxy(c, tok, n, path, line) == -1)
				errors++;
		} else if (strcmp(tok[0], "rate-limit") == 0) {
			if (parse_ratelimit(c, tok, n, path, line) == -1)
				errors++;
		} else if (strcmp(tok[0], "secrets") == 0) {
			if (conf_secrets(c, tok, n, path, line) == -1)
				errors++;
		} else if (strcmp(tok[0], "pairing") == 0) {
			/* pairing auto-approve-local yes|no */
			if (n != 3 || strcmp(tok[1], "auto-approve-local") != 0 ||
			    (strcmp(tok[2], "yes") != 0 &&
			    strcmp(tok[2], "no") != 0))
				errors += -perr(path, line, "usage: pairing "
				    "auto-approve-local yes|no");
			else
				c->pair_auto_local = strcmp(tok[2], "yes") == 0;
		} else if (strcmp(tok[0], "listen") == 0) {
			if (parse_listen(c, tok, n, path, line) == -1)
				errors++;
		} else if (strcmp(tok[0], "user") == 0) {
			NARGS(3, tok[0]);
			r = role_from_name(tok[1]);
			if (!role_is_child(r)) {
				errors += -perr(path, line, "user: unknown role "
				    "\"%s\" (front, authd, secretd, agentd, "
				    "execd)", tok[1]);
				continue;
			}
			if (users_seen & (1u << r)) {
				errors += -perr(path, line, "user %s given twice",
				    tok[1]);
				continue;
			}
			users_seen |= 1u << r;
			user_line[r] = line;
			if (!name_is_safe(tok[2], 32) ||
			    strcmp(tok[2], "root") == 0)
				errors += -perr(path, line, "user %s: bad user "
				    "name \"%s\"", tok[1], tok[2]);
			else
				snprintf(c->user[r], sizeof(c->user[r]), "%s",
				    tok[2]);
		} else
			errors += -perr(path, line, "unknown keyword \"%s\"",
			    tok[0]);
	}
#undef ONCE
#undef NARGS
	if (ferror(f))
		errors += -perr(path, line, "read error");
	free(buf);
	fclose(f);

	if (c->nlisten == 0) {
		parse_listen(c, (char *[]){ "listen", "on", "127.0.0.1", "port",
		    "18789" }, 5, path, 0);
	}
	if (c->control_socket[0] == '\0') {
		if (strlen(c->run_dir) + strlen("/clawctl.sock") >= 108)
			errors += -perr(path, line, "run-dir too long for the "
			    "control socket path");
		else
			snprintf(c->control_socket, sizeof(c->control_socket),
			    "%s/clawctl.sock", c->run_dir);
	}
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++) {
		int	 q;

		for (q = r + 1; q <= ROLE_LAST_CHILD; q++)
			if (strcmp(c->user[r], c->user[q]) == 0)
				errors += -perr(path, user_line[q] > user_line[r]
				    ? user_line[q] : user_line[r], "%s and %s must run "
				    "as different users (both \"%s\")",
				    role_name(r), role_name(q), c->user[r]);
	}
	errors += -conf_secrets_check(c, path);
	return errors ? -1 : 0;
}

void
conf_print(FILE *f, const struct gwconf *c)
{
	int	 i;

	fprintf(f, "state-dir \"%s\"\n", c->state_dir);
	fprintf(f, "run-dir \"%s\"\n", c->run_dir);
	fprintf(f, "log-dir \"%s\"\n", c->log_dir);
	fprintf(f, "libexec-dir \"%s\"\n", c->libexec_dir);
	fprintf(f, "control-socket \"%s\"\n", c->control_socket);
	fprintf(f, "admin-group \"%s\"\n", c->admin_group);
	fprintf(f, "log-level %s\n", log_level_name(c->log_level));
	for (i = 0; i < c->nlisten; i++) {
		fprintf(f, "listen on %s port %d", c->listen[i].addr,
		    c->listen[i].port);
		if (c->listen[i].tls)
			fprintf(f, " tls certificate \"%s\" key \"%s\"",
			    c->listen[i].cert, c->listen[i].key);
		fputc('\n', f);
	}
	for (i = ROLE_FIRST_CHILD; i <= ROLE_LAST_CHILD; i++)
		fprintf(f, "user %s \"%s\"\n", role_name(i), c->user[i]);
	fprintf(f, "rate-limit failures %u window %u lockout %u\n",
	    c->rl_failures, c->rl_window, c->rl_lockout);
	fprintf(f, "rate-limit exempt-loopback %s\n",
	    c->rl_exempt_loopback ? "yes" : "no");
	fprintf(f, "model-ca-file \"%s\"\n", c->model_ca_file);
	for (i = 0; i < c->nskills_dir; i++)
		fprintf(f, "skills-dir \"%s\"\n", c->skills_dir[i]);
	fprintf(f, "pairing auto-approve-local %s\n",
	    c->pair_auto_local ? "yes" : "no");
	conf_print_secrets(f, c);
	for (i = 0; i < c->ntp_cidr; i++)
		fprintf(f, "trusted-proxy %s\n", c->tp_cidr[i]);
	if (c->tp_user_header[0] != '\0')
		fprintf(f, "trusted-proxy user-header \"%s\"\n",
		    c->tp_user_header);
	for (i = 0; i < c->ntp_require; i++)
		fprintf(f, "trusted-proxy require-header \"%s\"\n",
		    c->tp_require[i]);
	for (i = 0; i < c->ntp_allow_user; i++)
		fprintf(f, "trusted-proxy allow-user \"%s\"\n",
		    c->tp_allow_user[i]);
	fprintf(f, "trusted-proxy allow-loopback %s\n",
	    c->tp_allow_loopback ? "yes" : "no");
	fprintf(f, "trusted-proxy scopes \"%s\"\n", c->tp_scopes);
}
