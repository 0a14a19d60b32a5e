/*
 * sessions.c - the session and history methods, POST /tools/invoke and
 * GET /v1/models (trust zone "agentd").
 *
 *   sessions.list, sessions.preview, chat.history	operator.read
 *   sessions.reset					operator.admin
 *   tools.invoke		operator.write, then the tool's own scope
 *   models.list		operator.read
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentd.h"
#include "log.h"

#define LIST_MAX	200
#define HISTORY_MAX	500
#define HISTORY_TEXT_MAX	8192	/* of one record, in an answer */
#define HISTORY_BYTES_MAX	50000	/* of all records, in an answer */

static int
pint(const cJSON *p, const char *k, int def, int max)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(p, k);

	if (!cJSON_IsNumber(v) || v->valuedouble < 1)
		return def;
	return v->valuedouble > max ? max : (int)v->valuedouble;
}

static const char *
pstr(const cJSON *p, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(p, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *
missing_scope(int *ok, const char *scope)
{
	cJSON	*e = cJSON_CreateObject(), *d, *arr;
	char	 msg[96];

	*ok = 0;
	snprintf(msg, sizeof(msg), "missing scope: %s", scope);
	cJSON_AddStringToObject(e, "code", "FORBIDDEN");
	cJSON_AddStringToObject(e, "message", msg);
	d = cJSON_AddObjectToObject(e, "details");
	cJSON_AddStringToObject(d, "code", "MISSING_SCOPE");
	cJSON_AddStringToObject(d, "missingScope", scope);
	arr = cJSON_AddArrayToObject(d, "requiredScopes");
	cJSON_AddItemToArray(arr, cJSON_CreateString(scope));
	return e;
}

static cJSON *
err(int *ok, const char *code, const char *msg)
{
	cJSON	*e = cJSON_CreateObject();

	*ok = 0;
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	return e;
}

cJSON *
m_sessions_list(const struct capability *cap, const cJSON *params, int *ok)
{
	cJSON	*o = cJSON_CreateObject();

	(void)cap;
	cJSON_AddItemToObject(o, "sessions", memory_sessions(pint(params,
	    "limit", 50, LIST_MAX)));
	*ok = 1;
	return o;
}

/*
 * Records as an answer carries them: a text over HISTORY_TEXT_MAX is cut
 * (and marked), and records stop before the answer would outgrow one
 * message; the oldest go first.
 */
static cJSON *
bounded(cJSON *recs)
{
	cJSON	*r, *t;
	char	*s;
	size_t	 total = 0;
	int	 n;

	cJSON_ArrayForEach(r, recs) {
		t = cJSON_GetObjectItemCaseSensitive(r, "text");
		if (cJSON_IsString(t) && strlen(t->valuestring) >
		    HISTORY_TEXT_MAX) {
			t->valuestring[HISTORY_TEXT_MAX] = '\0';
			cJSON_AddBoolToObject(r, "truncated", 1);
		}
	}
	/* newest last: drop from the front until it fits */
	for (;;) {
		total = 0;
		cJSON_ArrayForEach(r, recs) {
			if ((s = cJSON_PrintUnformatted(r)) != NULL) {
				total += strlen(s);
				cJSON_free(s);
			}
		}
		n = cJSON_GetArraySize(recs);
		if (total <= HISTORY_BYTES_MAX || n == 0)
			break;
		cJSON_DeleteItemFromArray(recs, 0);
	}
	return recs;
}

cJSON *
m_chat_history(const struct capability *cap, const cJSON *params, int *ok)
{
	const char	*key = pstr(params, "sessionKey");
	cJSON		*o;

	(void)cap;
	if (key == NULL || !session_key_ok(key))
		return err(ok, "INVALID_REQUEST", "chat.history needs a valid "
		    "sessionKey");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "sessionKey", key);
	cJSON_AddItemToObject(o, "messages", bounded(memory_history(key,
	    pint(params, "limit", 100, HISTORY_MAX))));
	*ok = 1;
	return o;
}

cJSON *
m_sessions_preview(const struct capability *cap, const cJSON *params,
    int *ok)
{
	const cJSON	*keys = cJSON_GetObjectItemCaseSensitive(params,
			    "keys"), *k;
	cJSON		*o, *arr, *it;
	int		 n = 0, lim = pint(params, "limit", 5, 20);

	(void)cap;
	if (!cJSON_IsArray(keys) || cJSON_GetArraySize(keys) > 50)
		return err(ok, "INVALID_REQUEST", "sessions.preview needs keys "
		    "(at most 50)");
	o = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(o, "previews");
	cJSON_ArrayForEach(k, keys) {
		if (!cJSON_IsString(k) || !session_key_ok(k->valuestring) ||
		    ++n > 50)
			continue;
		it = cJSON_CreateObject();
		cJSON_AddStringToObject(it, "key", k->valuestring);
		cJSON_AddItemToObject(it, "items", bounded(memory_history(
		    k->valuestring, lim)));
		cJSON_AddItemToArray(arr, it);
	}
	*ok = 1;
	return o;
}

cJSON *
m_sessions_reset(const struct capability *cap, const cJSON *params, int *ok)
{
	const char	*key = pstr(params, "key");
	cJSON		*o;
	int		 n;

	if (key == NULL)
		key = pstr(params, "sessionKey");
	if (key == NULL || !session_key_ok(key))
		return err(ok, "INVALID_REQUEST", "sessions.reset needs a valid "
		    "key");
	if (turn_active(key))
		return err(ok, "UNAVAILABLE", "a turn is running in that "
		    "session");
	if ((n = memory_reset(key)) == -1)
		return err(ok, "UNAVAILABLE", "could not reset the session");
	child_audit("session-reset", cap->principal, key, "ok", "");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "key", key);
	cJSON_AddNumberToObject(o, "removed", n);
	*ok = 1;
	return o;
}

/* POST /tools/invoke, as OpenClaw: {"tool","args"} -> {"ok","result"} */
cJSON *
m_tools_invoke(const struct capability *cap, const cJSON *params, int *ok)
{
	struct tool_ctx	 c;
	const char	*tool = pstr(params, "tool"), *why;
	const char	*agent = pstr(params, "agentId");
	const cJSON	*args = cJSON_GetObjectItemCaseSensitive(params, "args");
	char		*a, *out;
	cJSON		*o, *res;
	int		 is_error;

	if (agent == NULL || strlen(agent) > 64)
		agent = "main";

	if (tool == NULL || (args != NULL && !cJSON_IsObject(args)))
		return err(ok, "INVALID_REQUEST", "tools.invoke needs a tool "
		    "name and an args object");
	if (!tool_known(tool))
		return err(ok, "NOT_FOUND", "no such tool");
	memset(&c, 0, sizeof(c));
	c.cap = cap;
	c.agent = agent;
	if ((why = tool_refusal(&c, tool)) != NULL) {
		child_audit("tool-call", cap->principal, tool, "refused",
		    strncmp(why, "operator.", 9) == 0 ? "missing scope" : why);
		if (strncmp(why, "operator.", 9) == 0)
			return missing_scope(ok, why);
		return err(ok, "FORBIDDEN", why);
	}
	a = args ? cJSON_PrintUnformatted(args) : NULL;
	out = tool_call(&c, tool, a ? a : "{}", &is_error);
	cJSON_free(a);
	if (is_error) {
		o = err(ok, "INVALID_REQUEST", out ? out : "tool failed");
		free(out);
		return o;
	}
	child_audit("tool-invoke", cap->principal, tool, "ok",
	    cap->connector);
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", 1);
	if ((res = cJSON_Parse(out ? out : "null")) == NULL)
		res = cJSON_CreateString(out ? out : "");
	cJSON_AddItemToObject(o, "result", res);
	free(out);
	*ok = 1;
	return o;
}

/* GET /v1/models: one model per configured agent, "openclaw/<id>" */
cJSON *
m_models_list(const struct capability *cap, const cJSON *params, int *ok)
{
	cJSON		*o, *data, *e, *m, *ents;
	const cJSON	*k;
	char		 id[160];
	const char	*s, *dot;

	(void)cap;
	(void)params;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "object", "list");
	data = cJSON_AddArrayToObject(o, "data");
	ents = config_entries("agents");
	cJSON_ArrayForEach(e, ents) {
		k = cJSON_GetObjectItemCaseSensitive(e, "key");
		if (!cJSON_IsString(k))
			continue;
		s = k->valuestring + strlen("agents.");
		if ((dot = strchr(s, '.')) == NULL || strcmp(dot, ".model") != 0 ||
		    strncmp(s, "defaults.", 9) == 0)
			continue;
		snprintf(id, sizeof(id), "openclaw/%.*s", (int)(dot - s), s);
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "id", id);
		cJSON_AddStringToObject(m, "object", "model");
		cJSON_AddNumberToObject(m, "created", 0);
		cJSON_AddStringToObject(m, "owned_by", "clawgate");
		cJSON_AddItemToArray(data, m);
	}
	cJSON_Delete(ents);
	*ok = 1;
	return o;
}
