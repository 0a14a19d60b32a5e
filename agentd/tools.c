/*
 * tools.c - the tool registry and tool policy of agentd (trust zone
 * "agentd").
 *
 * Every tool has a name, a description, a JSON schema for its arguments
 * and the scope a caller must hold.  A call is allowed when the tool
 * passes the policy of the agent (tools.allow / tools.deny, then
 * agents.<id>.tools.allow / .deny: shell globs, deny wins, no allow list
 * means all) and the caller's capability grants the tool's scope.  The
 * same check runs for every call, whether the model asked for it in a
 * turn (the capability of whoever started the turn) or a client called
 * POST /tools/invoke; a refusal is audited.  Arguments are checked
 * against the schema before the tool runs.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentd.h"
#include "log.h"
#include "scopes.h"
#include "sessionkey.h"

struct tool {
	const char	*name;
	const char	*scope;
	const char	*description;
	const char	*schema;	/* JSON */
	char		*(*run)(const struct tool_ctx *, const cJSON *, int *);
};

static int
iarg(const cJSON *a, const char *k, int def)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(a, k);

	return cJSON_IsNumber(v) ? (int)v->valuedouble : def;
}

static const char *
sarg(const cJSON *a, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(a, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *
json_out(cJSON *o)
{
	char	*s = cJSON_PrintUnformatted(o);

	cJSON_Delete(o);
	if (s == NULL)
		fatalx("out of memory");
	return s;
}

static char *
t_sessions_list(const struct tool_ctx *c, const cJSON *a, int *is_error)
{
	(void)c;
	*is_error = 0;
	return json_out(memory_sessions(iarg(a, "limit", 10)));
}

static char *
t_sessions_history(const struct tool_ctx *c, const cJSON *a, int *is_error)
{
	const char	*key = sarg(a, "sessionKey");

	(void)c;
	if (!session_key_ok(key)) {
		*is_error = 1;
		return strdup("sessionKey is not a valid session key");
	}
	*is_error = 0;
	return json_out(memory_history(key, iarg(a, "limit", 20)));
}

static char *
t_memory_search(const struct tool_ctx *c, const cJSON *a, int *is_error)
{
	(void)c;
	*is_error = 0;
	return json_out(memory_search(sarg(a, "query"), iarg(a, "limit", 5),
	    10000));
}

static char *
t_memory_get(const struct tool_ctx *c, const cJSON *a, int *is_error)
{
	cJSON		*h, *r, *hit = NULL;
	const cJSON	*seq;
	const char	*key = sarg(a, "sessionKey");
	int		 want = iarg(a, "seq", 0);

	(void)c;
	if (!session_key_ok(key)) {
		*is_error = 1;
		return strdup("sessionKey is not a valid session key");
	}
	h = memory_history(key, 500);
	cJSON_ArrayForEach(r, h) {
		seq = cJSON_GetObjectItemCaseSensitive(r, "seq");
		if (cJSON_IsNumber(seq) && (int)seq->valuedouble == want)
			hit = cJSON_Duplicate(r, 1);
	}
	cJSON_Delete(h);
	if (hit == NULL) {
		*is_error = 1;
		return strdup("no record with that seq in the last 500");
	}
	*is_error = 0;
	return json_out(hit);
}

/* post a message into another session, as a system event there */
static char *
t_sessions_send(const struct tool_ctx *c, const cJSON *a, int *is_error)
{
	const char	*key = sarg(a, "sessionKey"), *text = sarg(a, "text");
	cJSON		*rec, *o;
	uint64_t	 seq;

	if (!session_key_ok(key) || text == NULL) {
		*is_error = 1;
		return strdup("sessions_send needs a valid sessionKey and text");
	}
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "kind", "system_event");
	cJSON_AddStringToObject(rec, "text", text);
	cJSON_AddStringToObject(rec, "from", c->session ? c->session :
	    c->cap->principal);
	{
		struct session_key	 sk;
		const char		*e;

		/* a new session belongs to the agent its key names */
		if (sessionkey_parse(key, &sk, &e) == -1)
			sk.agent[0] = '\0';
		seq = memory_append(key, sk.agent[0] ? sk.agent : NULL, rec);
	}
	if (seq == 0) {
		*is_error = 1;
		return strdup("could not store the message");
	}
	*is_error = 0;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "sessionKey", key);
	cJSON_AddNumberToObject(o, "seq", (double)seq);
	return json_out(o);
}

/* channels come later: a message goes to the session it names */
static char *
t_message(const struct tool_ctx *c, const cJSON *a, int *is_error)
{
	return t_sessions_send(c, a, is_error);
}

static char *
t_exec(const struct tool_ctx *c, const cJSON *a, int *is_error)
{
	(void)c;
	(void)a;
	*is_error = 1;
	return strdup("code execution is disabled");
}

static const struct tool builtins[] = {
	{ "sessions_list", "operator.read",
	    "List recent conversation sessions with their last activity and "
	    "message counts.",
	    "{\"type\":\"object\",\"properties\":{\"limit\":{\"type\":"
	    "\"integer\",\"minimum\":1,\"maximum\":50}},"
	    "\"additionalProperties\":false}", t_sessions_list },
	{ "sessions_history", "operator.read",
	    "The last records of a session's transcript.",
	    "{\"type\":\"object\",\"properties\":{\"sessionKey\":{\"type\":"
	    "\"string\",\"minLength\":1,\"maxLength\":480},\"limit\":{"
	    "\"type\":\"integer\",\"minimum\":1,\"maximum\":100}},"
	    "\"required\":[\"sessionKey\"],\"additionalProperties\":false}",
	    t_sessions_history },
	{ "sessions_send", "operator.write",
	    "Post a message into another session; the next turn there sees "
	    "it.",
	    "{\"type\":\"object\",\"properties\":{\"sessionKey\":{\"type\":"
	    "\"string\",\"minLength\":1,\"maxLength\":480},\"text\":{"
	    "\"type\":\"string\",\"minLength\":1,\"maxLength\":8192}},"
	    "\"required\":[\"sessionKey\",\"text\"],"
	    "\"additionalProperties\":false}", t_sessions_send },
	{ "memory_search", "operator.read",
	    "Search earlier messages of every session for a phrase "
	    "(case-insensitive); returns the matching records.",
	    "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":"
	    "\"string\",\"minLength\":1,\"maxLength\":200},\"limit\":{"
	    "\"type\":\"integer\",\"minimum\":1,\"maximum\":20}},"
	    "\"required\":[\"query\"],\"additionalProperties\":false}",
	    t_memory_search },
	{ "memory_get", "operator.read",
	    "One record of a session's transcript, by its sequence number.",
	    "{\"type\":\"object\",\"properties\":{\"sessionKey\":{\"type\":"
	    "\"string\",\"minLength\":1,\"maxLength\":480},\"seq\":{\"type\":"
	    "\"integer\",\"minimum\":1}},\"required\":[\"sessionKey\","
	    "\"seq\"],\"additionalProperties\":false}", t_memory_get },
	{ "message", "operator.write",
	    "Send a text to a session (channel delivery comes later).",
	    "{\"type\":\"object\",\"properties\":{\"sessionKey\":{\"type\":"
	    "\"string\",\"minLength\":1,\"maxLength\":480},\"text\":{"
	    "\"type\":\"string\",\"minLength\":1,\"maxLength\":8192}},"
	    "\"required\":[\"sessionKey\",\"text\"],"
	    "\"additionalProperties\":false}", t_message },
	{ "exec", "operator.admin",
	    "Run a command in the sandbox (disabled until the boot "
	    "configuration enables code execution).",
	    "{\"type\":\"object\",\"properties\":{\"command\":{\"type\":"
	    "\"string\",\"minLength\":1,\"maxLength\":4096}},\"required\":["
	    "\"command\"],\"additionalProperties\":false}", t_exec },
	{ "skill_read", "operator.read",
	    "Load the instructions of a skill listed in the system prompt, "
	    "by its name.",
	    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
	    "\"string\",\"minLength\":1,\"maxLength\":64}},\"required\":["
	    "\"name\"],\"additionalProperties\":false}", skill_read },
};

#define NTOOLS	(sizeof(builtins) / sizeof(builtins[0]))

/* skill_read exists only when a skills-dir is configured */
static int
present(const struct tool *t)
{
	return t->run != skill_read || skills_configured();
}

static const struct tool *
find(const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && i < NTOOLS; i++)
		if (strcmp(builtins[i].name, name) == 0 &&
		    present(&builtins[i]))
			return &builtins[i];
	return NULL;
}

int
tool_known(const char *name)
{
	return find(name) != NULL;
}

/* does any glob of the config list at key match name? -1: no list */
static int
list_match(const char *key, const char *name)
{
	cJSON		*l = config_value(key);
	const cJSON	*g;
	int		 r;

	if (!cJSON_IsArray(l)) {
		cJSON_Delete(l);
		return -1;
	}
	r = 0;
	cJSON_ArrayForEach(g, l)
		if (cJSON_IsString(g) && fnmatch(g->valuestring, name, 0) == 0)
			r = 1;
	cJSON_Delete(l);
	return r;
}

/* the policy alone: 1 if the agent may use the tool */
int
tool_policy_allows(const char *agent, const char *name)
{
	char	 k[160];
	int	 a, b;

	snprintf(k, sizeof(k), "agents.%s.tools.deny", agent);
	if (list_match("tools.deny", name) == 1 || list_match(k, name) == 1)
		return 0;
	a = list_match("tools.allow", name);
	snprintf(k, sizeof(k), "agents.%s.tools.allow", agent);
	b = list_match(k, name);
	if (a == 0 || b == 0)
		return 0;	/* a list exists and does not name it */
	return 1;
}

/* NULL if the caller may call the tool for the agent, else why not */
const char *
tool_refusal(const struct tool_ctx *c, const char *name)
{
	const struct tool	*t = find(name);

	if (t == NULL)
		return "unknown tool";
	if (!tool_policy_allows(c->agent, name))
		return "tool not allowed by the tool policy";
	if (!scope_granted(c->cap, t->scope))
		return t->scope;	/* the missing scope */
	return NULL;
}

/* the tools the model may call in a turn: [{name, description,
 * parameters}] */
cJSON *
tools_effective(const struct tool_ctx *c)
{
	cJSON	*arr = cJSON_CreateArray(), *o;
	size_t	 i;

	for (i = 0; i < NTOOLS; i++) {
		if (!present(&builtins[i]) ||
		    tool_refusal(c, builtins[i].name) != NULL)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", builtins[i].name);
		cJSON_AddStringToObject(o, "description",
		    builtins[i].description);
		cJSON_AddItemToObject(o, "parameters",
		    cJSON_Parse(builtins[i].schema));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

char *
tool_call(const struct tool_ctx *c, const char *name, const char *args_json,
    int *is_error)
{
	const struct tool	*t = find(name);
	const char		*why;
	cJSON			*args, *schema;
	char			 msg[200];
	char			*out;

	*is_error = 1;
	if ((why = tool_refusal(c, name)) != NULL) {
		child_audit("tool-call", c->cap->principal, name, "refused",
		    t != NULL && strncmp(why, "operator.", 9) == 0 ?
		    "missing scope" : why);
		if (t != NULL && strncmp(why, "operator.", 9) == 0) {
			snprintf(msg, sizeof(msg), "missing scope: %s", why);
			return strdup(msg);
		}
		return strdup(why);
	}
	args = cJSON_Parse(args_json && *args_json ? args_json : "{}");
	schema = cJSON_Parse(t->schema);
	if (!cJSON_IsObject(args) || schema_check(schema, args, msg,
	    sizeof(msg)) == -1) {
		if (!cJSON_IsObject(args))
			snprintf(msg, sizeof(msg), "arguments are not a JSON "
			    "object");
		cJSON_Delete(args);
		cJSON_Delete(schema);
		return strdup(msg);
	}
	cJSON_Delete(schema);
	out = t->run(c, args, is_error);
	cJSON_Delete(args);
	return out;
}

/* tools.catalog: every tool, with its scope and schema */
cJSON *
m_tools_catalog(const struct capability *cap, const cJSON *params, int *ok)
{
	cJSON	*o = cJSON_CreateObject(), *arr, *t;
	size_t	 i;

	(void)cap;
	(void)params;
	arr = cJSON_AddArrayToObject(o, "tools");
	for (i = 0; i < NTOOLS; i++) {
		if (!present(&builtins[i]))
			continue;
		t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "name", builtins[i].name);
		cJSON_AddStringToObject(t, "description",
		    builtins[i].description);
		cJSON_AddStringToObject(t, "scope", builtins[i].scope);
		cJSON_AddStringToObject(t, "source", "builtin");
		cJSON_AddItemToObject(t, "parameters",
		    cJSON_Parse(builtins[i].schema));
		cJSON_AddItemToArray(arr, t);
	}
	*ok = 1;
	return o;
}

/* tools.effective {agentId}: what the caller may call for that agent */
cJSON *
m_tools_effective(const struct capability *cap, const cJSON *params, int *ok)
{
	struct tool_ctx	 c;
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(params, "agentId");
	cJSON		*o, *eff, *names, *t;

	memset(&c, 0, sizeof(c));
	c.cap = cap;
	c.agent = cJSON_IsString(a) ? a->valuestring : "main";
	if (strlen(c.agent) > 64) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", "INVALID_REQUEST");
		cJSON_AddStringToObject(o, "message", "agentId too long");
		*ok = 0;
		return o;
	}
	eff = tools_effective(&c);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "agentId", c.agent);
	names = cJSON_AddArrayToObject(o, "tools");
	cJSON_ArrayForEach(t, eff)
		cJSON_AddItemToArray(names, cJSON_CreateString(
		    cJSON_GetObjectItem(t, "name")->valuestring));
	cJSON_Delete(eff);
	*ok = 1;
	return o;
}
