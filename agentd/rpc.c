/*
 * rpc.c - gateway methods served by agentd (trust zone "agentd").  Each
 * method declares the scope it needs; agentd checks it against the
 * capability it verified itself (front only forwards).  Missing scope:
 * FORBIDDEN with details.code MISSING_SCOPE; unknown method:
 * INVALID_REQUEST.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>

#include "agentd.h"
#include "capability.h"
#include "log.h"
#include "msgtypes.h"
#include "scopes.h"

typedef cJSON *(*rpc_fn)(const struct capability *, const cJSON *, int *);

static struct timespec	 started;

static cJSON *
m_health(const struct capability *cap, const cJSON *params, int *ok)
{
	cJSON		*o = cJSON_CreateObject();
	struct timespec	 now;

	(void)cap;
	(void)params;
	*ok = 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddNumberToObject(o, "ts", (double)time(NULL) * 1000);
	cJSON_AddNumberToObject(o, "uptimeMs", (double)((now.tv_sec -
	    started.tv_sec) * 1000 + (now.tv_nsec - started.tv_nsec) /
	    1000000));
	cJSON_AddNumberToObject(o, "durationMs", 0);
	cJSON_AddArrayToObject(o, "channels");
	cJSON_AddArrayToObject(o, "agents");
	return o;
}

static cJSON *
m_status(const struct capability *cap, const cJSON *params, int *ok)
{
	cJSON	*o = cJSON_CreateObject(), *s;

	(void)params;
	*ok = 1;
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddStringToObject(o, "version", "clawgate-0.1.0");
	s = cJSON_AddObjectToObject(o, "sessions");
	cJSON_AddNumberToObject(s, "count", 0);
	cJSON_AddArrayToObject(s, "recent");
	s = cJSON_AddObjectToObject(o, "caller");
	cJSON_AddStringToObject(s, "principal", cap->principal);
	cJSON_AddStringToObject(s, "role", cap->role);
	return o;
}

static const struct method {
	const char	*name;
	const char	*scope;
	rpc_fn		 fn;
} methods[] = {
	{ "health", "operator.read", m_health },
	{ "status", "operator.read", m_status },
	{ "config.get", "operator.read", m_config_get },
	{ "config.list", "operator.read", m_config_list },
	{ "config.keys", "operator.read", m_config_keys },
	{ "config.set", "operator.admin", m_config_set },
	{ "config.unset", "operator.admin", m_config_unset },
	{ "config.patch", "operator.admin", m_config_patch },
	{ "config.import", "operator.admin", m_config_import },
	{ "sessions.list", "operator.read", m_sessions_list },
	{ "sessions.preview", "operator.read", m_sessions_preview },
	{ "chat.history", "operator.read", m_chat_history },
	{ "sessions.reset", "operator.admin", m_sessions_reset },
	{ "chat.send", "operator.write", m_chat_send },
	{ "chat.abort", "operator.write", m_chat_abort },
	{ "agent.wait", "operator.write", m_agent_wait },
	{ "tools.invoke", "operator.write", m_tools_invoke },
	{ "tools.catalog", "operator.read", m_tools_catalog },
	{ "tools.effective", "operator.read", m_tools_effective },
	{ "models.list", "operator.read", m_models_list },
	{ "skills.list", "operator.read", m_skills_list },
	{ "v1.chat.completions", "operator.write", m_v1_chat },
};

/* the WebSocket request being served, for rpc_defer() */
struct rpc_deferred {
	struct imsgev	*iev;
	uint64_t	 conn, req;
	int		 ctl;		/* an AGENT_CALL: answer with ctl_answer */
};

static struct rpc_deferred	 current;
static int			 current_set;

static void
answer(struct imsgev *iev, uint64_t conn, uint64_t req, int ok, cJSON *o)
{
	struct cbuf	 cb;
	char		*s;

	if (o == NULL || (s = cJSON_PrintUnformatted(o)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(o);
	if (strlen(s) > 60000) {
		cJSON_free(s);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", "UNAVAILABLE");
		cJSON_AddStringToObject(o, "message", "answer too large");
		s = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		ok = 0;
	}
	cb_init(&cb);
	cb_put_u64(&cb, conn);
	cb_put_u64(&cb, req);
	cb_put_u8(&cb, (uint8_t)ok);
	cb_put_str(&cb, s);
	if (imsgev_compose_cb(iev, IMSG_RPC_RES, 0, -1, &cb) == -1)
		log_warn("RPC_RES");
	cb_free(&cb);
	cJSON_free(s);
}

static cJSON *
error_obj(const char *code, const char *msg, const char *detail)
{
	cJSON	*e = cJSON_CreateObject(), *d;

	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	if (detail != NULL) {
		d = cJSON_AddObjectToObject(e, "details");
		cJSON_AddStringToObject(d, "code", detail);
	}
	return e;
}

void
rpc_handle(struct imsgev *iev, struct imsg *imsg)
{
	struct cbuf		 cb;
	struct capability	 cap;
	const uint8_t		*cp;
	size_t			 clen;
	uint64_t		 conn, req;
	char			 method[128], *params = NULL;
	cJSON			*p, *o;
	int			 r, ok;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &conn);
	cb_get_u64(&cb, &req);
	cb_get_bytes(&cb, &cp, &clen, CAP_MAXLEN);
	cb_get_str(&cb, method, sizeof(method));
	cb_get_strdup(&cb, &params, 49152);
	if (cb_get_end(&cb) == -1) {
		free(params);
		imsgev_violation(iev, "malformed RPC");
		return;
	}
	r = cap_verify(&self->key, cp, clen, (uint64_t)time(NULL), conn, &cap);
	if (r == CAP_ERR_EXPIRED) {
		free(params);
		answer(iev, conn, req, 0, error_obj("INVALID_REQUEST",
		    "unauthorized: session expired", "AUTH_EXPIRED"));
		return;
	}
	if (r != CAP_OK) {
		free(params);
		log_warnx("RPC %s: %s", method, cap_strerror(r));
		child_audit("rpc", "front", method, "refused", cap_strerror(r));
		imsgev_violation(iev, cap_strerror(r));
		return;
	}
	p = cJSON_Parse(params);
	free(params);
	rpc_context(iev, conn, req, 0);
	o = rpc_call(&cap, method, p, &ok);
	rpc_context(NULL, 0, 0, 0);
	cJSON_Delete(p);
	if (ok == -1)
		return;		/* the method answers later */
	answer(iev, conn, req, ok, o);
}

void
rpc_context(struct imsgev *iev, uint64_t conn, uint64_t req, int ctl)
{
	current.iev = iev;
	current.conn = conn;
	current.req = req;
	current.ctl = ctl;
	current_set = iev != NULL;
}

struct rpc_deferred *
rpc_defer(void)
{
	struct rpc_deferred	*d;

	if (!current_set)
		return NULL;
	if ((d = malloc(sizeof(*d))) == NULL)
		fatalx("out of memory");
	*d = current;
	return d;
}

void
rpc_reply(struct rpc_deferred *d, int ok, cJSON *o)
{
	/* front may have been restarted meanwhile: then nobody waits */
	if (self->peers[ROLE_FRONT] != d->iev)
		cJSON_Delete(o);
	else if (d->ctl)
		ctl_answer(d->iev, d->req, ok, o);
	else
		answer(d->iev, d->conn, d->req, ok, o);
	free(d);
}

cJSON *
rpc_call(const struct capability *cap, const char *method,
    const cJSON *params, int *ok)
{
	const struct method	*m = NULL;
	char			 msg[200];
	cJSON			*e, *d, *arr;
	size_t			 i;

	*ok = 0;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, method) == 0)
			m = &methods[i];
	if (m == NULL) {
		snprintf(msg, sizeof(msg), "unknown method: %s", method);
		return error_obj("INVALID_REQUEST", msg, NULL);
	}
	if (!scope_granted(cap, m->scope)) {
		snprintf(msg, sizeof(msg), "missing scope: %s", m->scope);
		e = error_obj("FORBIDDEN", msg, "MISSING_SCOPE");
		d = cJSON_GetObjectItem(e, "details");
		cJSON_AddStringToObject(d, "missingScope", m->scope);
		arr = cJSON_AddArrayToObject(d, "requiredScopes");
		cJSON_AddItemToArray(arr, cJSON_CreateString(m->scope));
		child_audit("rpc", cap->principal, method, "refused",
		    "missing scope");
		return e;
	}
	if (params != NULL && !cJSON_IsObject(params))
		return error_obj("INVALID_REQUEST", "params must be an object",
		    NULL);
	return m->fn(cap, params, ok);
}

void
rpc_init(void)
{
	clock_gettime(CLOCK_MONOTONIC, &started);
}
