/*
 * clawctl.c - the administration CLI (runs as the operator, outside every
 * trust zone).  Speaks imsg framing with JSON payloads on the control
 * socket; front passes the connection to authd, which admits root and
 * members of the admin group only.
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

#include <cJSON.h>

#include "imsg.h"
#include "msgtypes.h"

#define CTL_DEFAULT_SOCKET	"/run/clawgate/clawctl.sock"
#define CTL_TIMEOUT_MS		10000

static void __attribute__((noreturn))
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: clawctl [-h] [-s socket] command [--json]\n"
	    "commands:\n"
	    "  status [--json]   one row per process: role, pid, user, uid,\n"
	    "                    capabilities, no_new_privs, seccomp, uptime,\n"
	    "                    restarts, state\n"
	    "  whoami [--json]   the capability minted for this connection\n"
	    "  token create [--name name] [--scopes scope,...] [--json]\n"
	    "                    a new shared token, printed once\n"
	    "  token list [--json]\n"
	    "  token revoke id|name [--json]\n"
	    "the socket defaults to $CLAWCTL_SOCKET, then %s\n",
	    CTL_DEFAULT_SOCKET);
	exit(code);
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "clawctl: socket path too long\n");
		exit(1);
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "clawctl: socket: %s\n", strerror(errno));
		exit(1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "clawctl: cannot connect to %s: %s%s\n", path,
		    strerror(errno), errno == EACCES ? " (the control socket "
		    "admits root and the admin group only)" :
		    errno == ENOENT || errno == ECONNREFUSED ?
		    " (is gatewayd running?)" : "");
		exit(1);
	}
	return fd;
}

static cJSON *
request(const char *path, cJSON *req)
{
	struct imsgbuf	 ib;
	struct imsg	 imsg;
	cJSON		*res;
	char		*s;
	int		 fd, r;

	fd = ctl_connect(path);
	if (imsgbuf_init(&ib, fd, 65536, 0) == -1)
		exit(1);
	if ((s = cJSON_PrintUnformatted(req)) == NULL)
		exit(1);
	if (imsg_compose(&ib, IMSG_CTL_REQUEST, CTL_PROTO_VERSION, -1, s,
	    strlen(s)) == -1)
		exit(1);
	/*
	 * A refusal may arrive, and the connection close, before our request
	 * is out: if sending fails, the answer may still be there to read.
	 */
	if (imsgbuf_flush(&ib, CTL_TIMEOUT_MS) == -1 && errno != EPIPE &&
	    errno != ECONNRESET) {
		fprintf(stderr, "clawctl: send: %s\n", strerror(errno));
		exit(1);
	}
	cJSON_free(s);
	r = imsg_recv_wait(&ib, &imsg, CTL_TIMEOUT_MS);
	if (r != 1) {
		fprintf(stderr, "clawctl: %s\n", r == 0 ?
		    "gatewayd closed the connection without an answer" :
		    strerror(errno));
		exit(1);
	}
	if (imsg.hdr.type != IMSG_CTL_REPLY ||
	    imsg.hdr.peerid != CTL_PROTO_VERSION) {
		fprintf(stderr, "clawctl: unexpected reply (protocol version "
		    "%u, ours %u)\n", imsg.hdr.peerid, CTL_PROTO_VERSION);
		exit(1);
	}
	res = cJSON_ParseWithLength((const char *)imsg.data, imsg.datalen);
	imsg_free(&imsg);
	imsgbuf_clear(&ib);
	close(fd);
	if (res == NULL) {
		fprintf(stderr, "clawctl: malformed reply\n");
		exit(1);
	}
	return res;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "-";
}

static void
jnum(const cJSON *o, const char *k, char *buf, size_t sz)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (cJSON_IsNumber(v))
		snprintf(buf, sz, "%.0f", v->valuedouble);
	else
		snprintf(buf, sz, "-");
}

static void
fmt_uptime(const cJSON *o, char *buf, size_t sz)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, "uptime");
	long		 s;

	if (!cJSON_IsNumber(v) || cJSON_IsNull(cJSON_GetObjectItem(o, "uid"))) {
		snprintf(buf, sz, "-");
		return;
	}
	s = (long)v->valuedouble;
	if (s < 3600)
		snprintf(buf, sz, "%ldm%02lds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, sz, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
	else
		snprintf(buf, sz, "%ldd%02ldh", s / 86400, (s % 86400) / 3600);
}

static void
print_status(const cJSON *res)
{
	const cJSON	*arr, *p;
	char		 pid[32], uid[32], nnp[32], sec[32], up[64], rs[32];

	arr = cJSON_GetObjectItemCaseSensitive(res, "processes");
	printf("%-8s %7s %-11s %6s %-26s %3s %7s %7s %8s %s\n", "ROLE",
	    "PID", "USER", "UID", "CAPS", "NNP", "SECCOMP", "UPTIME",
	    "RESTARTS", "STATE");
	cJSON_ArrayForEach(p, arr) {
		jnum(p, "pid", pid, sizeof(pid));
		jnum(p, "uid", uid, sizeof(uid));
		jnum(p, "no_new_privs", nnp, sizeof(nnp));
		jnum(p, "seccomp", sec, sizeof(sec));
		jnum(p, "restarts", rs, sizeof(rs));
		fmt_uptime(p, up, sizeof(up));
		printf("%-8s %7s %-11s %6s %-26s %3s %7s %7s %8s %s\n",
		    jstr(p, "role"), strcmp(pid, "0") ? pid : "-",
		    jstr(p, "user"), uid, jstr(p, "caps"), nnp, sec, up, rs,
		    jstr(p, "state"));
	}
}

static void
print_tokens(const cJSON *res)
{
	const cJSON	*arr, *t, *c;
	time_t		 when;
	char		 buf[32];

	arr = cJSON_GetObjectItemCaseSensitive(res, "tokens");
	printf("%-13s %-20s %-20s %s\n", "ID", "NAME", "CREATED", "SCOPES");
	cJSON_ArrayForEach(t, arr) {
		c = cJSON_GetObjectItemCaseSensitive(t, "created");
		when = cJSON_IsNumber(c) ? (time_t)c->valuedouble : 0;
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&when));
		printf("%-13s %-20s %-20s %s\n", jstr(t, "id"), jstr(t, "name"),
		    buf, jstr(t, "scopes"));
	}
}

/* build the request from the command line; NULL on a usage error */
static cJSON *
parse_command(int argc, char *argv[], int *json, const char **kind)
{
	cJSON		*req;
	const char	*sub = NULL, *name = NULL, *scopes = NULL, *id = NULL;
	char		 cmd[32];
	int		 i;

	if (argc < 1 || (req = cJSON_CreateObject()) == NULL)
		return NULL;
	*kind = argv[0];
	i = 1;
	if (strcmp(argv[0], "token") == 0) {
		if (argc < 2)
			goto bad;
		sub = argv[1];
		i = 2;
		if (strcmp(sub, "create") != 0 && strcmp(sub, "list") != 0 &&
		    strcmp(sub, "revoke") != 0)
			goto bad;
		*kind = sub;
	} else if (strcmp(argv[0], "status") != 0 &&
	    strcmp(argv[0], "whoami") != 0)
		goto bad;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = 1;
		else if (sub != NULL && strcmp(sub, "create") == 0 &&
		    strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (sub != NULL && strcmp(sub, "create") == 0 &&
		    strcmp(argv[i], "--scopes") == 0 && i + 1 < argc)
			scopes = argv[++i];
		else if (sub != NULL && strcmp(sub, "revoke") == 0 &&
		    id == NULL && argv[i][0] != '-')
			id = argv[i];
		else
			goto bad;
	}
	if (sub != NULL && strcmp(sub, "revoke") == 0 && id == NULL)
		goto bad;
	snprintf(cmd, sizeof(cmd), "%s%s%s", sub ? "token." : "",
	    sub ? sub : argv[0], "");
	cJSON_AddStringToObject(req, "cmd", cmd);
	if (name != NULL)
		cJSON_AddStringToObject(req, "name", name);
	if (scopes != NULL)
		cJSON_AddStringToObject(req, "scopes", scopes);
	if (id != NULL)
		cJSON_AddStringToObject(req, "id", id);
	return req;
bad:
	cJSON_Delete(req);
	return NULL;
}

static void
print_whoami(const cJSON *res)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(res, "expires");
	time_t		 t;
	char		 buf[64];

	const cJSON	*sc, *w;

	printf("principal: %s\nrole:      %s\nscopes:   ",
	    jstr(res, "principal"), jstr(res, "role"));
	sc = cJSON_GetObjectItemCaseSensitive(res, "scopes");
	cJSON_ArrayForEach(w, sc)
		if (cJSON_IsString(w))
			printf(" %s", w->valuestring);
	printf("\nconnector: %s\n", jstr(res, "connector"));
	if (cJSON_IsNumber(e)) {
		t = (time_t)e->valuedouble;
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		printf("expires:   %s\n", buf);
	}
	printf("verified:  %s\n", jstr(res, "verified_by"));
}

int
main(int argc, char *argv[])
{
	const char	*path, *kind = NULL;
	cJSON		*req, *res;
	char		*s;
	int		 ch, json = 0, ok;

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		usage(0);
	path = getenv("CLAWCTL_SOCKET");
	if (path == NULL || *path == '\0')
		path = CTL_DEFAULT_SOCKET;
	while ((ch = getopt(argc, argv, "+hs:")) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
		case 's':
			path = optarg;
			break;
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if ((req = parse_command(argc, argv, &json, &kind)) == NULL)
		usage(2);
	res = request(path, req);
	cJSON_Delete(req);
	ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "ok"));
	if (!ok) {
		fprintf(stderr, "clawctl: %s\n", jstr(res, "error"));
		cJSON_Delete(res);
		return 1;
	}
	if (json) {
		if ((s = cJSON_PrintUnformatted(res)) != NULL) {
			printf("%s\n", s);
			cJSON_free(s);
		}
	} else if (strcmp(kind, "status") == 0)
		print_status(res);
	else if (strcmp(kind, "whoami") == 0)
		print_whoami(res);
	else if (strcmp(kind, "create") == 0) {
		/* the token alone on stdout: it is shown this once */
		printf("%s\n", jstr(res, "token"));
		fprintf(stderr, "clawctl: created %s (name %s, scopes %s); "
		    "the token is not stored and will not be shown again\n",
		    jstr(res, "id"), jstr(res, "name"), jstr(res, "scopes"));
	} else if (strcmp(kind, "list") == 0)
		print_tokens(res);
	else {
		const cJSON	*n;

		n = cJSON_GetObjectItemCaseSensitive(res, "revoked");
		printf("revoked %d token%s\n", cJSON_IsNumber(n) ? n->valueint :
		    0, cJSON_IsNumber(n) && n->valueint == 1 ? "" : "s");
	}
	cJSON_Delete(res);
	return 0;
}
