/*
 * sessions.c - the session and history methods, and the built-in
 * read-only tools over the same store (trust zone "agentd").
 *
 *   sessions.list, sessions.preview, chat.history	operator.read
 *   sessions.reset					operator.admin
 *   tools: sessions_list, memory_search		(read-only)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentd.h"
#include "log.h"

#define LIST_MAX	200
#define HISTORY_MAX	500

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
	cJSON_AddItemToObject(o, "messages", memory_history(key, pint(params,
	    "limit", 100, HISTORY_MAX)));
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
		cJSON_AddItemToObject(it, "items", memory_history(
		    k->valuestring, lim));
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

/* ---- the built-in tools: name, description, schema, handler ---- */

static const char *tool_names[] = { "sessions_list", "memory_search" };

cJSON *
tools_schema(void)
{
	cJSON	*arr = cJSON_CreateArray();

	cJSON_AddItemToArray(arr, cJSON_Parse(
	    "{\"name\":\"sessions_list\",\"description\":\"List recent "
	    "conversation sessions with their last activity and message "
	    "counts.\",\"parameters\":{\"type\":\"object\",\"properties\":{"
	    "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":50}},"
	    "\"additionalProperties\":false}}"));
	cJSON_AddItemToArray(arr, cJSON_Parse(
	    "{\"name\":\"memory_search\",\"description\":\"Search earlier "
	    "messages of every session for a phrase (case-insensitive); "
	    "returns the matching records.\",\"parameters\":{\"type\":"
	    "\"object\",\"properties\":{\"query\":{\"type\":\"string\","
	    "\"minLength\":1,\"maxLength\":200},\"limit\":{\"type\":"
	    "\"integer\",\"minimum\":1,\"maximum\":20}},\"required\":["
	    "\"query\"],\"additionalProperties\":false}}"));
	return arr;
}

int
tool_known(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(tool_names) / sizeof(tool_names[0]); i++)
		if (strcmp(name, tool_names[i]) == 0)
			return 1;
	return 0;
}

/* run a tool: its result text (malloc'd), *is_error set */
char *
tool_run(const char *name, const char *args_json, int *is_error)
{
	cJSON		*args, *res;
	const cJSON	*q;
	char		*s;

	*is_error = 0;
	args = cJSON_Parse(args_json && *args_json ? args_json : "{}");
	if (!cJSON_IsObject(args)) {
		cJSON_Delete(args);
		*is_error = 1;
		return strdup("arguments are not a JSON object");
	}
	if (strcmp(name, "sessions_list") == 0)
		res = memory_sessions(pint(args, "limit", 10, 50));
	else if (strcmp(name, "memory_search") == 0) {
		q = cJSON_GetObjectItemCaseSensitive(args, "query");
		if (!cJSON_IsString(q) || q->valuestring[0] == '\0' ||
		    strlen(q->valuestring) > 200) {
			cJSON_Delete(args);
			*is_error = 1;
			return strdup("memory_search needs a query string");
		}
		res = memory_search(q->valuestring, pint(args, "limit", 5, 20),
		    10000);
	} else {
		cJSON_Delete(args);
		*is_error = 1;
		return strdup("unknown tool");
	}
	cJSON_Delete(args);
	s = cJSON_PrintUnformatted(res);
	cJSON_Delete(res);
	if (s == NULL)
		fatalx("out of memory");
	return s;
}

/* POST /tools/invoke, as OpenClaw: {"tool","args"} -> {"ok","result"} */
cJSON *
m_tools_invoke(const struct capability *cap, const cJSON *params, int *ok)
{
	const char	*tool = pstr(params, "tool");
	const cJSON	*args = cJSON_GetObjectItemCaseSensitive(params, "args");
	char		*a, *out;
	cJSON		*o, *res;
	int		 is_error;

	if (tool == NULL || (args != NULL && !cJSON_IsObject(args)))
		return err(ok, "INVALID_REQUEST", "tools.invoke needs a tool "
		    "name and an args object");
	if (!tool_known(tool))
		return err(ok, "NOT_FOUND", "no such tool");
	a = args ? cJSON_PrintUnformatted(args) : NULL;
	out = tool_run(tool, a ? a : "{}", &is_error);
	cJSON_free(a);
	if (is_error) {
		o = err(ok, "INVALID_REQUEST", out ? out : "tool failed");
		free(out);
		return o;
	}
	child_audit("tool-invoke", cap->principal, tool, "ok", "http");
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
