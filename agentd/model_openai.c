/*
 * model_openai.c - the OpenAI Chat Completions wire format (trust zone
 * "agentd"), also spoken by Ollama's /v1, llama.cpp, vLLM and LM
 * Studio: request bodies, non-streaming answers and the chunks of a
 * streamed answer ("data: {...}" events, then "data: [DONE]").  See
 * model.h.
 */
#include <string.h>

#include <cJSON.h>

#include "model.h"

#define NOINDEX_BASE	2000000L	/* keys of calls sent without index */

#define E_NOMEM		"model: out of memory"
#define E_JSON		"model stream: malformed JSON in an event"
#define E_OBJECT	"model stream: an event is not a JSON object"
#define E_CHOICES	"model response: no choices in the answer"

static const struct {
	const char	*word;
	int		 finish;
} finishes[] = {
	{ "stop", MODEL_FINISH_STOP },
	{ "tool_calls", MODEL_FINISH_TOOL_CALLS },
	{ "function_call", MODEL_FINISH_TOOL_CALLS },
	{ "length", MODEL_FINISH_LENGTH },
	{ "content_filter", MODEL_FINISH_FILTER },
};

/* ---- requests ---- */

static int
put_str(cJSON *o, const char *key, const char *val)
{
	return cJSON_AddStringToObject(o, key, val) == NULL ? -1 : 0;
}

/* {"role":role,"content":content} appended to msgs */
static cJSON *
new_message(cJSON *msgs, const char *role)
{
	cJSON	*m;

	if ((m = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddItemToArray(msgs, m);
	if (put_str(m, "role", role) == -1)
		return NULL;
	return m;
}

static int
add_call(cJSON *arr, const struct model_tcall *t)
{
	cJSON	*c, *f;

	if ((c = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddItemToArray(arr, c);
	if (put_str(c, "id", t->id) == -1 ||
	    put_str(c, "type", "function") == -1 ||
	    (f = cJSON_AddObjectToObject(c, "function")) == NULL ||
	    put_str(f, "name", t->name) == -1 ||
	    put_str(f, "arguments", t->arguments[0] != '\0' ?
	    t->arguments : "{}") == -1)
		return -1;
	return 0;
}

/* assistant: content, or null beside tool calls; tool_calls */
static int
add_assistant(cJSON *msgs, const struct model_msg *m, const char **errstr)
{
	struct model_tcall	 t;
	const cJSON		*it;
	cJSON			*o, *arr;

	if ((o = new_message(msgs, "assistant")) == NULL)
		return *errstr = E_NOMEM, -1;
	if (m->calls != NULL && m->content[0] == '\0') {
		if (cJSON_AddNullToObject(o, "content") == NULL)
			return *errstr = E_NOMEM, -1;
	} else if (put_str(o, "content", m->content) == -1)
		return *errstr = E_NOMEM, -1;
	if (m->calls == NULL)
		return 0;
	if ((arr = cJSON_AddArrayToObject(o, "tool_calls")) == NULL)
		return *errstr = E_NOMEM, -1;
	cJSON_ArrayForEach(it, m->calls) {
		if (model_tcall_get(it, &t, errstr) == -1)
			return -1;
		if (add_call(arr, &t) == -1)
			return *errstr = E_NOMEM, -1;
	}
	return 0;
}

static int
add_message(cJSON *msgs, const cJSON *in, const char **errstr)
{
	struct model_msg	 m;
	cJSON			*o;

	if (model_msg_get(in, &m, errstr) == -1)
		return -1;
	switch (m.role) {
	case MODEL_ROLE_ASSISTANT:
		return add_assistant(msgs, &m, errstr);
	case MODEL_ROLE_TOOL:
		if ((o = new_message(msgs, "tool")) == NULL ||
		    put_str(o, "tool_call_id", m.tool_call_id) == -1 ||
		    put_str(o, "content", m.content) == -1)
			return *errstr = E_NOMEM, -1;
		return 0;
	}
	if ((o = new_message(msgs, m.role == MODEL_ROLE_SYSTEM ? "system" :
	    "user")) == NULL || put_str(o, "content", m.content) == -1)
		return *errstr = E_NOMEM, -1;
	return 0;
}

static int
add_tool(cJSON *tools, const cJSON *in, const char **errstr)
{
	struct model_tool	 t;
	cJSON			*o, *f, *schema;

	if (model_tool_get(in, &t, errstr) == -1)
		return -1;
	if ((o = cJSON_CreateObject()) == NULL)
		return *errstr = E_NOMEM, -1;
	cJSON_AddItemToArray(tools, o);
	if (put_str(o, "type", "function") == -1 ||
	    (f = cJSON_AddObjectToObject(o, "function")) == NULL ||
	    put_str(f, "name", t.name) == -1 ||
	    (t.description != NULL &&
	    put_str(f, "description", t.description) == -1) ||
	    (schema = model_schema(t.parameters)) == NULL)
		return *errstr = E_NOMEM, -1;
	cJSON_AddItemToObject(f, "parameters", schema);
	return 0;
}

static int
add_tools(cJSON *root, const cJSON *in, const char **errstr)
{
	const cJSON	*it;
	cJSON		*tools;

	if (cJSON_GetArraySize(in) == 0)
		return 0;
	if ((tools = cJSON_AddArrayToObject(root, "tools")) == NULL)
		return *errstr = E_NOMEM, -1;
	cJSON_ArrayForEach(it, in)
		if (add_tool(tools, it, errstr) == -1)
			return -1;
	if (put_str(root, "tool_choice", "auto") == -1)
		return *errstr = E_NOMEM, -1;
	return 0;
}

static int
add_stream(cJSON *root, int stream)
{
	cJSON	*o;

	if (cJSON_AddBoolToObject(root, "stream", stream != 0) == NULL)
		return -1;
	if (!stream)
		return 0;
	if ((o = cJSON_AddObjectToObject(root, "stream_options")) == NULL ||
	    cJSON_AddTrueToObject(o, "include_usage") == NULL)
		return -1;
	return 0;
}

cJSON *
model_openai_request(const struct model_req *q, const char **errstr)
{
	const cJSON	*it;
	cJSON		*root, *msgs, *m;

	if ((root = cJSON_CreateObject()) == NULL)
		return *errstr = E_NOMEM, NULL;
	if (put_str(root, "model", q->model) == -1 ||
	    (msgs = cJSON_AddArrayToObject(root, "messages")) == NULL)
		goto nomem;
	if (q->system != NULL && q->system[0] != '\0' &&
	    ((m = new_message(msgs, "system")) == NULL ||
	    put_str(m, "content", q->system) == -1))
		goto nomem;
	cJSON_ArrayForEach(it, q->messages)
		if (add_message(msgs, it, errstr) == -1)
			goto fail;
	if (q->tools != NULL && add_tools(root, q->tools, errstr) == -1)
		goto fail;
	if (q->max_tokens > 0 &&
	    cJSON_AddNumberToObject(root, "max_tokens", q->max_tokens) == NULL)
		goto nomem;
	if (add_stream(root, q->stream) == -1)
		goto nomem;
	return root;
 nomem:
	*errstr = E_NOMEM;
 fail:
	cJSON_Delete(root);
	return NULL;
}

/* ---- answers ---- */

static void
set_finish(struct model_resp *r, const cJSON *v)
{
	size_t	 i;

	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    v->valuestring[0] == '\0')
		return;
	for (i = 0; i < sizeof(finishes) / sizeof(finishes[0]); i++)
		if (strcmp(v->valuestring, finishes[i].word) == 0) {
			model_set_finish(r, v->valuestring,
			    finishes[i].finish);
			return;
		}
	model_set_finish(r, v->valuestring, MODEL_FINISH_OTHER);
}

static void
set_usage(struct model_resp *r, const cJSON *u)
{
	if (!cJSON_IsObject(u))
		return;
	model_count(cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens"),
	    &r->input_tokens);
	model_count(cJSON_GetObjectItemCaseSensitive(u, "completion_tokens"),
	    &r->output_tokens);
}

/* content and refusal: both are what the model says */
static int
add_text(struct model_resp *r, const cJSON *o)
{
	const cJSON	*v;

	v = cJSON_GetObjectItemCaseSensitive(o, "content");
	if (cJSON_IsString(v) && v->valuestring != NULL &&
	    model_text_add(r, v->valuestring) == -1)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(o, "refusal");
	if (cJSON_IsString(v) && v->valuestring != NULL &&
	    model_text_add(r, v->valuestring) == -1)
		return -1;
	return 0;
}

/* arguments: a string to append (or, off-spec, an object) */
static int
add_args(struct model_resp *r, struct model_call *c, const cJSON *v)
{
	char	*s;
	int	 rv;

	if (cJSON_IsString(v) && v->valuestring != NULL)
		return model_args_add(r, c, v->valuestring,
		    strlen(v->valuestring));
	if (!cJSON_IsObject(v))
		return 0;
	if ((s = cJSON_PrintUnformatted(v)) == NULL)
		return model_fail(r, E_NOMEM);
	rv = model_args_add(r, c, s, strlen(s));
	cJSON_free(s);
	return rv;
}

/* the call a delta without an index belongs to: by id, else the last */
static struct model_call *
call_noindex(struct model_resp *r, const cJSON *tc)
{
	const cJSON		*id;
	struct model_call	*c;
	size_t			 i;

	id = cJSON_GetObjectItemCaseSensitive(tc, "id");
	if (cJSON_IsString(id) && id->valuestring != NULL &&
	    id->valuestring[0] != '\0') {
		for (i = 0; i < r->ncalls; i++) {
			c = &r->calls[i];
			if (c->id.s != NULL &&
			    strcmp(c->id.s, id->valuestring) == 0)
				return c;
		}
	} else if (r->ncalls > 0)
		return &r->calls[r->ncalls - 1];
	return model_call_new(r, NOINDEX_BASE + (long)r->ncalls);
}

/* one tool_calls[] item of a delta or of a message */
static int
add_call_delta(struct model_resp *r, const cJSON *tc, long pos)
{
	struct model_call	*c;
	const cJSON		*f;
	long			 key;

	if (!cJSON_IsObject(tc))
		return 0;
	if (pos >= 0)
		key = pos;
	else if (model_index(cJSON_GetObjectItemCaseSensitive(tc, "index"),
	    &key) == -1) {
		if ((c = call_noindex(r, tc)) == NULL)
			return -1;
		key = c->key;
	}
	if ((c = model_call_find(r, key)) == NULL &&
	    (c = model_call_new(r, key)) == NULL)
		return -1;
	if (model_call_set(r, &c->id,
	    cJSON_GetObjectItemCaseSensitive(tc, "id")) == -1)
		return -1;
	f = cJSON_GetObjectItemCaseSensitive(tc, "function");
	if (!cJSON_IsObject(f))
		return 0;
	if (model_call_set(r, &c->name,
	    cJSON_GetObjectItemCaseSensitive(f, "name")) == -1)
		return -1;
	return add_args(r, c, cJSON_GetObjectItemCaseSensitive(f,
	    "arguments"));
}

static int
add_calls(struct model_resp *r, const cJSON *arr, int body)
{
	const cJSON	*it;
	long		 pos = 0;

	if (!cJSON_IsArray(arr))
		return 0;
	cJSON_ArrayForEach(it, arr) {
		if (add_call_delta(r, it, body ? pos : -1) == -1)
			return -1;
		pos++;
	}
	return 0;
}

/* the first choice, the only one asked for */
static const cJSON *
first_choice(const cJSON *j)
{
	const cJSON	*it;
	long		 idx;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j,
	    "choices")) {
		if (!cJSON_IsObject(it))
			continue;
		if (model_index(cJSON_GetObjectItemCaseSensitive(it, "index"),
		    &idx) == -1 || idx == 0)
			return it;
	}
	return NULL;
}

static const cJSON *
error_of(const cJSON *j)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(j, "error");

	return e != NULL && !cJSON_IsNull(e) ? e : NULL;
}

int
model_openai_body(struct model_resp *r, const cJSON *j)
{
	const cJSON	*e, *ch, *msg;

	if ((e = error_of(j)) != NULL)
		return model_provider_error(r, e);
	if ((ch = first_choice(j)) == NULL)
		return model_fail(r, E_CHOICES);
	msg = cJSON_GetObjectItemCaseSensitive(ch, "message");
	if (cJSON_IsObject(msg) && (add_text(r, msg) == -1 ||
	    add_calls(r, cJSON_GetObjectItemCaseSensitive(msg, "tool_calls"),
	    1) == -1))
		return -1;
	set_finish(r, cJSON_GetObjectItemCaseSensitive(ch, "finish_reason"));
	set_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	return model_done(r);
}

/* a chunk: the first choice's delta and finish_reason, usage */
static int
chunk(struct model_resp *r, const cJSON *j)
{
	const cJSON	*ch, *delta;

	if ((ch = first_choice(j)) != NULL) {
		delta = cJSON_GetObjectItemCaseSensitive(ch, "delta");
		if (cJSON_IsObject(delta) && (add_text(r, delta) == -1 ||
		    add_calls(r, cJSON_GetObjectItemCaseSensitive(delta,
		    "tool_calls"), 0) == -1))
			return -1;
		set_finish(r, cJSON_GetObjectItemCaseSensitive(ch,
		    "finish_reason"));
	}
	set_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	return 0;
}

/* "[DONE]", white space around it allowed */
static int
is_done(const char *d, size_t n)
{
	while (n > 0 && (d[0] == ' ' || d[0] == '\t' || d[0] == '\n' ||
	    d[0] == '\r')) {
		d++;
		n--;
	}
	while (n > 0 && (d[n - 1] == ' ' || d[n - 1] == '\t' ||
	    d[n - 1] == '\n' || d[n - 1] == '\r'))
		n--;
	return n == 6 && memcmp(d, "[DONE]", 6) == 0;
}

int
model_openai_event(struct model_resp *r, const char *event, const char *data,
    size_t datalen)
{
	const cJSON	*e;
	cJSON		*j;
	int		 rv;

	if (r->done)
		return 0;
	if (is_done(data, datalen))
		return model_done(r);
	if ((j = model_json_parse(data, datalen)) == NULL)
		return model_fail(r, E_JSON);
	if (!cJSON_IsObject(j))
		rv = model_fail(r, E_OBJECT);
	else if ((e = error_of(j)) != NULL)
		rv = model_provider_error(r, e);
	else if (strcmp(event, "error") == 0)
		rv = model_provider_error(r, j);
	else
		rv = chunk(r, j);
	cJSON_Delete(j);
	return rv;
}
