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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>
#include <sodium.h>

#include "imsg.h"
#include "msgtypes.h"

#define CTL_DEFAULT_SOCKET	"/run/clawgate/clawctl.sock"
#define CTL_TIMEOUT_MS		10000
#define SECRET_VALUE_MAX	8192	/* what a control request carries */

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
	    "  devices list [--json]\n"
	    "                    pending pairing requests and paired devices\n"
	    "  devices approve|reject request-id [--json]\n"
	    "  devices remove|rotate|revoke device-id [--json]\n"
	    "                    unpair; new device token; revoke it\n"
	    "  config get [key] | list [prefix] | keys | export [--json]\n"
	    "                    the runtime configuration (agentd)\n"
	    "  config set key value | unset key [--base-hash hash] [--json]\n"
	    "                    value: JSON, or else a string\n"
	    "  config import [--replace] [--base-hash hash] [--json]\n"
	    "                    a JSON object from standard input\n"
	    "  secrets list [--json]\n"
	    "                    vault names and configured references, never\n"
	    "                    values\n"
	    "  secrets set name [--json]\n"
	    "                    store the value read from standard input in\n"
	    "                    the vault, sealed to secretd's key\n"
	    "  secrets rm name [--json]\n"
	    "  secrets test ref [--json]\n"
	    "                    resolve a reference; report ok or the error\n"
	    "  secrets reload [--json]\n"
	    "                    resolve the configured references again\n"
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

/* devices subcommands: the method and the argument it takes */
static const struct {
	const char	*sub;
	const char	*method;
	const char	*arg;
} devcmds[] = {
	{ "list", "device.pair.list", NULL },
	{ "approve", "device.pair.approve", "requestId" },
	{ "reject", "device.pair.reject", "requestId" },
	{ "remove", "device.pair.remove", "deviceId" },
	{ "rotate", "device.token.rotate", "deviceId" },
	{ "revoke", "device.token.revoke", "deviceId" },
};

/* build the request from the command line; NULL on a usage error */
static cJSON *
parse_command(int argc, char *argv[], int *json, char *kind, size_t kindsz)
{
	cJSON		*req;
	const char	*sub = NULL, *name = NULL, *scopes = NULL, *id = NULL;
	const char	*argname = NULL;
	char		 cmd[32];
	size_t		 d;
	int		 i;

	if (argc < 1 || (req = cJSON_CreateObject()) == NULL)
		return NULL;
	i = 1;
	snprintf(cmd, sizeof(cmd), "%s", argv[0]);
	if (strcmp(argv[0], "token") == 0) {
		if (argc < 2)
			goto bad;
		sub = argv[1];
		i = 2;
		if (strcmp(sub, "create") != 0 && strcmp(sub, "list") != 0 &&
		    strcmp(sub, "revoke") != 0)
			goto bad;
		snprintf(cmd, sizeof(cmd), "token.%s", sub);
		if (strcmp(sub, "revoke") == 0)
			argname = "id";
	} else if (strcmp(argv[0], "devices") == 0) {
		if (argc < 2)
			goto bad;
		sub = argv[1];
		i = 2;
		for (d = 0; d < sizeof(devcmds) / sizeof(devcmds[0]); d++)
			if (strcmp(sub, devcmds[d].sub) == 0)
				break;
		if (d == sizeof(devcmds) / sizeof(devcmds[0]))
			goto bad;
		snprintf(cmd, sizeof(cmd), "%s", devcmds[d].method);
		argname = devcmds[d].arg;
	} else if (strcmp(argv[0], "secrets") == 0) {
		if (argc < 2)
			goto bad;
		sub = argv[1];
		i = 2;
		if (strcmp(sub, "list") != 0 && strcmp(sub, "set") != 0 &&
		    strcmp(sub, "rm") != 0 && strcmp(sub, "test") != 0 &&
		    strcmp(sub, "reload") != 0)
			goto bad;
		snprintf(cmd, sizeof(cmd), "secrets.%s", sub);
		argname = strcmp(sub, "test") == 0 ? "ref" :
		    strcmp(sub, "set") == 0 || strcmp(sub, "rm") == 0 ? "name" :
		    NULL;
	} else if (strcmp(argv[0], "status") != 0 &&
	    strcmp(argv[0], "whoami") != 0)
		goto bad;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = 1;
		else if (strcmp(cmd, "token.create") == 0 &&
		    strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(cmd, "token.create") == 0 &&
		    strcmp(argv[i], "--scopes") == 0 && i + 1 < argc)
			scopes = argv[++i];
		else if (argname != NULL && id == NULL && argv[i][0] != '-')
			id = argv[i];
		else
			goto bad;
	}
	if (argname != NULL && id == NULL)
		goto bad;
	snprintf(kind, kindsz, "%s", cmd);
	cJSON_AddStringToObject(req, "cmd", cmd);
	if (name != NULL)
		cJSON_AddStringToObject(req, "name", name);
	if (scopes != NULL)
		cJSON_AddStringToObject(req, "scopes", scopes);
	if (id != NULL)
		cJSON_AddStringToObject(req, argname, id);
	return req;
bad:
	cJSON_Delete(req);
	return NULL;
}

static void
scopes_str(const cJSON *o, char *out, size_t outsz)
{
	const cJSON	*arr = cJSON_GetObjectItemCaseSensitive(o, "scopes"), *w;
	size_t		 n = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(w, arr)
		if (cJSON_IsString(w) && n < outsz)
			n += (size_t)snprintf(out + n, outsz - n, "%s%s",
			    n ? "," : "", w->valuestring);
	if (out[0] == '\0')
		snprintf(out, outsz, "-");
}

static void
print_devices(const cJSON *res)
{
	const cJSON	*arr, *d, *ts;
	char		 sc[256], buf[32];
	time_t		 when;

	arr = cJSON_GetObjectItemCaseSensitive(res, "pending");
	printf("PENDING\n%-36s %-16s %-8s %-12s %-7s %s\n", "REQUEST",
	    "DEVICE", "ROLE", "CLIENT", "REPAIR", "SCOPES");
	cJSON_ArrayForEach(d, arr) {
		scopes_str(d, sc, sizeof(sc));
		printf("%-36s %-16.16s %-8s %-12s %-7s %s\n",
		    jstr(d, "requestId"), jstr(d, "deviceId"), jstr(d, "role"),
		    jstr(d, "clientId"), cJSON_IsTrue(cJSON_GetObjectItem(d,
		    "isRepair")) ? "yes" : "no", sc);
	}
	arr = cJSON_GetObjectItemCaseSensitive(res, "paired");
	printf("PAIRED\n%-64s %-8s %-6s %-20s %-12s %s\n", "DEVICE", "ROLE",
	    "VIA", "APPROVED", "CLIENT", "SCOPES");
	cJSON_ArrayForEach(d, arr) {
		scopes_str(d, sc, sizeof(sc));
		ts = cJSON_GetObjectItemCaseSensitive(d, "approvedAtMs");
		when = cJSON_IsNumber(ts) ? (time_t)(ts->valuedouble / 1000) :
		    0;
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&when));
		printf("%-64s %-8s %-6s %-20s %-12s %s\n", jstr(d, "deviceId"),
		    jstr(d, "role"), jstr(d, "approvedVia"), buf,
		    jstr(d, "clientId"), sc);
	}
}

/*
 * secrets set: the value comes from standard input (never argv), and is
 * sealed to secretd's public key, which the parent publishes next to the
 * control socket; front and authd carry only the sealed bytes.
 */
static void
seal_stdin(const char *sock, cJSON *req)
{
	unsigned char	 pk[crypto_box_PUBLICKEYBYTES], *sealed, *val;
	char		 path[PATH_MAX], hex[128], *b64;
	size_t		 len = 0, b64len;
	ssize_t		 n = 0;
	FILE		*f;

	if ((size_t)snprintf(path, sizeof(path), "%s.secretd.pub", sock) >=
	    sizeof(path) || (f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "clawctl: cannot read secretd's key %s\n", path);
		exit(1);
	}
	if (fgets(hex, sizeof(hex), f) == NULL)
		hex[0] = '\0';
	fclose(f);
	hex[strcspn(hex, "\n")] = '\0';
	if (sodium_init() == -1 || sodium_hex2bin(pk, sizeof(pk), hex,
	    strlen(hex), NULL, NULL, NULL) != 0) {
		fprintf(stderr, "clawctl: %s is not a key\n", path);
		exit(1);
	}
	if ((val = sodium_malloc(SECRET_VALUE_MAX + 2)) == NULL)
		exit(1);
	if (isatty(0))
		fprintf(stderr, "value (end with ^D): ");
	while (len < SECRET_VALUE_MAX + 1 && (n = read(0, val + len,
	    SECRET_VALUE_MAX + 1 - len)) > 0)
		len += (size_t)n;
	/* one final newline, as echo or a terminal adds, is not part of it */
	if (len > 0 && val[len - 1] == '\n')
		len--;
	if (n == -1 || len == 0 || len > SECRET_VALUE_MAX) {
		fprintf(stderr, "clawctl: the value must be 1 to %d bytes on "
		    "standard input\n", SECRET_VALUE_MAX);
		exit(1);
	}
	if ((sealed = malloc(len + crypto_box_SEALBYTES)) == NULL)
		exit(1);
	crypto_box_seal(sealed, val, len, pk);
	sodium_free(val);
	b64len = sodium_base64_ENCODED_LEN(len + crypto_box_SEALBYTES,
	    sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = malloc(b64len)) == NULL)
		exit(1);
	sodium_bin2base64(b64, b64len, sealed, len + crypto_box_SEALBYTES,
	    sodium_base64_VARIANT_ORIGINAL);
	free(sealed);
	cJSON_AddStringToObject(req, "sealed", b64);
	free(b64);
}

static void
print_secrets(const cJSON *res)
{
	const cJSON	*arr, *e, *u, *w, *t;
	char		 buf[32], uses[32];
	time_t		 when;

	arr = cJSON_GetObjectItemCaseSensitive(res, "stored");
	if (arr != NULL) {
		printf("VAULT\n%-32s %s\n", "NAME", "UPDATED");
		cJSON_ArrayForEach(e, arr) {
			t = cJSON_GetObjectItemCaseSensitive(e, "updated");
			when = cJSON_IsNumber(t) ? (time_t)t->valuedouble : 0;
			strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ",
			    gmtime(&when));
			printf("%-32s %s%s\n", jstr(e, "name"), buf,
			    cJSON_GetObjectItem(e, "error") ? " corrupt" : "");
		}
	}
	arr = cJSON_GetObjectItemCaseSensitive(res, "refs");
	printf("REFERENCES\n%-44s %-16s %-15s %s\n", "REF", "USE", "STATE",
	    "ERROR");
	cJSON_ArrayForEach(e, arr) {
		uses[0] = '\0';
		u = cJSON_GetObjectItemCaseSensitive(e, "use");
		cJSON_ArrayForEach(w, u)
			if (cJSON_IsString(w))
				snprintf(uses + strlen(uses), sizeof(uses) -
				    strlen(uses), "%s%s", uses[0] ? "," : "",
				    w->valuestring);
		printf("%-44s %-16s %-15s %s\n", jstr(e, "ref"), uses,
		    jstr(e, "state"), cJSON_GetObjectItem(e, "error") ?
		    jstr(e, "error") : "");
	}
}

/*
 * config get [key] | set key value | unset key | list [prefix] | keys |
 * export | import [--replace]; set, unset and import take --base-hash H.
 * A value is JSON if it parses as JSON, else a string.
 */
static cJSON *
parse_config(int argc, char *argv[], int *json, char *kind, size_t kindsz)
{
	const char	*sub, *args[2] = { NULL, NULL }, *base = NULL;
	int		 i, nargs = 0, want, replace = 0;
	cJSON		*req, *v;

	if (argc < 2)
		return NULL;
	sub = argv[1];
	if (strcmp(sub, "get") == 0 || strcmp(sub, "list") == 0)
		want = -1;		/* 0 or 1 */
	else if (strcmp(sub, "set") == 0)
		want = 2;
	else if (strcmp(sub, "unset") == 0)
		want = 1;
	else if (strcmp(sub, "keys") == 0 || strcmp(sub, "export") == 0 ||
	    strcmp(sub, "import") == 0)
		want = 0;
	else
		return NULL;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = 1;
		else if (strcmp(argv[i], "--base-hash") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (strcmp(argv[i], "--replace") == 0 &&
		    strcmp(sub, "import") == 0)
			replace = 1;
		else if (nargs < 2)
			args[nargs++] = argv[i];
		else
			return NULL;
	}
	if ((want >= 0 && nargs != want) || (want == -1 && nargs > 1))
		return NULL;
	req = cJSON_CreateObject();
	snprintf(kind, kindsz, "config.%s", strcmp(sub, "export") == 0 ?
	    "get" : sub);
	cJSON_AddStringToObject(req, "cmd", kind);
	if (strcmp(sub, "export") == 0)
		snprintf(kind, kindsz, "config.export");
	if (strcmp(sub, "list") == 0 && nargs == 1)
		cJSON_AddStringToObject(req, "prefix", args[0]);
	else if (nargs >= 1)
		cJSON_AddStringToObject(req, "key", args[0]);
	if (nargs == 2) {
		/* JSON if the whole of it is JSON ("5000ms" is a string) */
		if ((v = cJSON_ParseWithOpts(args[1], NULL, 1)) == NULL)
			v = cJSON_CreateString(args[1]);
		cJSON_AddItemToObject(req, "value", v);
	}
	if (base != NULL)
		cJSON_AddStringToObject(req, "baseHash", base);
	if (strcmp(sub, "import") == 0) {
		char	 buf[16384];
		size_t	 len = 0;
		ssize_t	 n;

		while (len < sizeof(buf) - 1 && (n = read(0, buf + len,
		    sizeof(buf) - 1 - len)) > 0)
			len += (size_t)n;
		buf[len] = '\0';
		if ((v = cJSON_Parse(buf)) == NULL || !cJSON_IsObject(v)) {
			fprintf(stderr, "clawctl: config import: standard "
			    "input is not a JSON object (at most %zu bytes)\n",
			    sizeof(buf) - 1);
			exit(1);
		}
		cJSON_AddItemToObject(req, "config", v);
		cJSON_AddBoolToObject(req, "replace", replace);
	}
	return req;
}

static void
print_json(const cJSON *v)
{
	char	*s;

	if ((s = cJSON_Print(v)) != NULL) {
		printf("%s\n", s);
		cJSON_free(s);
	}
}

static void
print_config(const char *kind, const cJSON *res)
{
	const cJSON	*arr, *e;
	char		*s;

	if (strcmp(kind, "config.get") == 0 &&
	    cJSON_GetObjectItem(res, "key") != NULL)
		print_json(cJSON_GetObjectItem(res, "value"));
	else if (strcmp(kind, "config.get") == 0 ||
	    strcmp(kind, "config.export") == 0)
		print_json(cJSON_GetObjectItem(res, "config"));
	else if (strcmp(kind, "config.list") == 0) {
		arr = cJSON_GetObjectItem(res, "entries");
		cJSON_ArrayForEach(e, arr) {
			s = cJSON_PrintUnformatted(cJSON_GetObjectItem(e,
			    "value"));
			printf("%s = %s\n", jstr(e, "key"), s ? s : "?");
			cJSON_free(s);
		}
	} else if (strcmp(kind, "config.keys") == 0) {
		arr = cJSON_GetObjectItem(res, "keys");
		cJSON_ArrayForEach(e, arr)
			if (cJSON_IsString(e))
				printf("%s\n", e->valuestring);
	} else
		printf("changed %d key%s; hash %s\n",
		    cJSON_GetObjectItem(res, "changed") ?
		    cJSON_GetObjectItem(res, "changed")->valueint : 0,
		    cJSON_GetObjectItem(res, "changed") &&
		    cJSON_GetObjectItem(res, "changed")->valueint == 1 ? "" :
		    "s", jstr(res, "hash"));
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
	const char	*path;
	char		 kind[32];
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
	if (argc >= 1 && strcmp(argv[0], "config") == 0)
		req = parse_config(argc, argv, &json, kind, sizeof(kind));
	else
		req = parse_command(argc, argv, &json, kind, sizeof(kind));
	if (req == NULL)
		usage(2);
	if (strcmp(kind, "secrets.set") == 0)
		seal_stdin(path, req);
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
	else if (strcmp(kind, "token.create") == 0) {
		/* the token alone on stdout: it is shown this once */
		printf("%s\n", jstr(res, "token"));
		fprintf(stderr, "clawctl: created %s (name %s, scopes %s); "
		    "the token is not stored and will not be shown again\n",
		    jstr(res, "id"), jstr(res, "name"), jstr(res, "scopes"));
	} else if (strcmp(kind, "token.list") == 0)
		print_tokens(res);
	else if (strcmp(kind, "token.revoke") == 0) {
		const cJSON	*n;

		n = cJSON_GetObjectItemCaseSensitive(res, "revoked");
		printf("revoked %d token%s\n", cJSON_IsNumber(n) ? n->valueint :
		    0, cJSON_IsNumber(n) && n->valueint == 1 ? "" : "s");
	} else if (strncmp(kind, "config.", 7) == 0)
		print_config(kind, res);
	else if (strcmp(kind, "secrets.list") == 0)
		print_secrets(res);
	else if (strcmp(kind, "secrets.set") == 0)
		printf("stored %s in the vault\n", jstr(res, "name"));
	else if (strcmp(kind, "secrets.rm") == 0)
		printf("removed %s from the vault\n", jstr(res, "name"));
	else if (strcmp(kind, "secrets.test") == 0)
		printf("%s: ok\n", jstr(res, "ref"));
	else if (strcmp(kind, "secrets.reload") == 0) {
		const cJSON	*f = cJSON_GetObjectItem(res, "failed");

		printf("reloaded; %d reference%s failed\n", cJSON_IsNumber(f) ?
		    f->valueint : 0, cJSON_IsNumber(f) && f->valueint == 1 ?
		    "" : "s");
		print_secrets(res);
	} else if (strcmp(kind, "device.pair.list") == 0)
		print_devices(res);
	else if (strcmp(kind, "device.pair.approve") == 0)
		printf("approved %s: device %s\n", jstr(res, "requestId"),
		    jstr(res, "deviceId"));
	else if (strcmp(kind, "device.pair.reject") == 0)
		printf("rejected %s: device %s\n", jstr(res, "requestId"),
		    jstr(res, "deviceId"));
	else if (strcmp(kind, "device.pair.remove") == 0)
		printf("removed device %s\n", jstr(res, "deviceId"));
	else if (strcmp(kind, "device.token.rotate") == 0)
		printf("rotated the token of device %s; it gets the new one "
		    "at its next connect with a shared token\n",
		    jstr(res, "deviceId"));
	else
		printf("revoked the token of device %s\n",
		    jstr(res, "deviceId"));
	cJSON_Delete(res);
	return 0;
}
