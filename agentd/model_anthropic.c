/*
 * model_anthropic.c - the Anthropic Messages wire format (trust zone
 * "agentd"): request bodies, non-streaming answers and the typed events
 * of a streamed answer (message_start, content_block_start/delta/stop,
 * message_delta, message_stop, ping, error).  See model.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "model.h"

#define E_NOMEM		"model: out of memory"
#define E_MAXTOK	"model request: max_tokens must be above 0 for " \
			"anthropic"
#define E_INPUT		"model request: a tool call's arguments must be a " \
			"JSON object"
#define E_JSON		"model stream: malformed JSON in an event"
#define E_OBJECT	"model stream: an event is not a JSON object"
#define E_INDEX		"model stream: a content block event without a " \
			"valid index"
#define E_DUP		"model stream: a content block started twice"
#define E_NOCALL	"model stream: input_json_delta outside a tool_use " \
			"block"
#define E_CALLJSON	"model response: a tool call's input is not a JSON " \
			"object"
#define E_CONTENT	"model response: content must be an array"

static const struct {
	const char	*word;
	int		 finish;
} finishes[] = {
	{ "end_turn", MODEL_FINISH_STOP },
	{ "stop_sequence", MODEL_FINISH_STOP },
	{ "tool_use", MODEL_FINISH_TOOL_CALLS },
	{ "max_tokens", MODEL_FINISH_LENGTH },
	{ "model_context_window_exceeded", MODEL_FINISH_LENGTH },
	{ "refusal", MODEL_FINISH_FILTER },
	{ "pause_turn", MODEL_FINISH_PAUSE },
};

/* ---- requests ---- */

static int
put_str(cJSON *o, const char *key, const char *val)
{
	return cJSON_AddStringToObject(o, key, val) == NULL ? -1 : 0;
}

static cJSON *
new_object(cJSON *arr)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddItemToArray(arr, o);
	return o;
}

/* the system prompt and every system message, a blank line between */
static int
add_system(cJSON *root, const struct model_req *q, const char **errstr)
{
	struct model_buf	 b = { NULL, 0, 0 };
	struct model_msg	 m;
	const cJSON		*it;
	const char		*s;
	int			 rv = -1;

	if (q->system != NULL && q->system[0] != '\0' &&
	    model_buf_add(&b, q->system, strlen(q->system), SIZE_MAX / 2) != 0)
		goto nomem;
	cJSON_ArrayForEach(it, q->messages) {
		if (model_msg_get(it, &m, errstr) == -1)
			goto out;
		if (m.role != MODEL_ROLE_SYSTEM || m.content[0] == '\0')
			continue;
		s = m.content;
		if ((b.len > 0 && model_buf_add(&b, "\n\n", 2,
		    SIZE_MAX / 2) != 0) ||
		    model_buf_add(&b, s, strlen(s), SIZE_MAX / 2) != 0)
			goto nomem;
	}
	if (b.len == 0 || put_str(root, "system", b.s) == 0)
		rv = 0;
	else
		*errstr = E_NOMEM;
	goto out;
 nomem:
	*errstr = E_NOMEM;
 out:
	free(b.s);
	return rv;
}

/* {"type":"tool_use","id","name","input":{...}} */
static int
add_tool_use(cJSON *content, const struct model_tcall *t,
    const char **errstr)
{
	cJSON	*o, *input;

	if (t->arguments[0] == '\0')
		input = cJSON_CreateObject();
	else if ((input = model_json_parse(t->arguments,
	    strlen(t->arguments))) == NULL || !cJSON_IsObject(input)) {
		cJSON_Delete(input);
		return *errstr = E_INPUT, -1;
	}
	if (input == NULL || (o = new_object(content)) == NULL) {
		cJSON_Delete(input);
		return *errstr = E_NOMEM, -1;
	}
	if (put_str(o, "type", "tool_use") == -1 ||
	    put_str(o, "id", t->id) == -1 ||
	    put_str(o, "name", t->name) == -1) {
		cJSON_Delete(input);
		return *errstr = E_NOMEM, -1;
	}
	cJSON_AddItemToObject(o, "input", input);
	return 0;
}

/* text alone as a string, with tool calls as blocks */
static int
add_assistant(cJSON *msgs, const struct model_msg *m, const char **errstr)
{
	struct model_tcall	 t;
	const cJSON		*it;
	cJSON			*o, *content, *b;

	if ((o = new_object(msgs)) == NULL ||
	    put_str(o, "role", "assistant") == -1)
		return *errstr = E_NOMEM, -1;
	if (m->calls == NULL)
		return put_str(o, "content", m->content) == -1 ?
		    (*errstr = E_NOMEM, -1) : 0;
	if ((content = cJSON_AddArrayToObject(o, "content")) == NULL)
		return *errstr = E_NOMEM, -1;
	if (m->content[0] != '\0' && ((b = new_object(content)) == NULL ||
	    put_str(b, "type", "text") == -1 ||
	    put_str(b, "text", m->content) == -1))
		return *errstr = E_NOMEM, -1;
	cJSON_ArrayForEach(it, m->calls) {
		if (model_tcall_get(it, &t, errstr) == -1 ||
		    add_tool_use(content, &t, errstr) == -1)
			return -1;
	}
	return 0;
}

/* a tool_result block, in the user message of the results before it */
static int
add_result(cJSON *msgs, cJSON **results, const struct model_msg *m)
{
	cJSON	*o, *b;

	if (*results == NULL) {
		if ((o = new_object(msgs)) == NULL ||
		    put_str(o, "role", "user") == -1 ||
		    (*results = cJSON_AddArrayToObject(o, "content")) == NULL)
			return -1;
	}
	if ((b = new_object(*results)) == NULL ||
	    put_str(b, "type", "tool_result") == -1 ||
	    put_str(b, "tool_use_id", m->tool_call_id) == -1 ||
	    put_str(b, "content", m->content) == -1 ||
	    cJSON_AddBoolToObject(b, "is_error", m->is_error) == NULL)
		return -1;
	return 0;
}

static int
add_messages(cJSON *root, const cJSON *in, const char **errstr)
{
	struct model_msg	 m;
	const cJSON		*it;
	cJSON			*msgs, *results = NULL, *o;

	if ((msgs = cJSON_AddArrayToObject(root, "messages")) == NULL)
		return *errstr = E_NOMEM, -1;
	cJSON_ArrayForEach(it, in) {
		if (model_msg_get(it, &m, errstr) == -1)
			return -1;
		switch (m.role) {
		case MODEL_ROLE_SYSTEM:
			break;
		case MODEL_ROLE_TOOL:
			if (add_result(msgs, &results, &m) == -1)
				return *errstr = E_NOMEM, -1;
			break;
		case MODEL_ROLE_ASSISTANT:
			results = NULL;
			if (add_assistant(msgs, &m, errstr) == -1)
				return -1;
			break;
		default:
			results = NULL;
			if ((o = new_object(msgs)) == NULL ||
			    put_str(o, "role", "user") == -1 ||
			    put_str(o, "content", m.content) == -1)
				return *errstr = E_NOMEM, -1;
		}
	}
	return 0;
}

static int
add_tools(cJSON *root, const cJSON *in, const char **errstr)
{
	struct model_tool	 t;
	const cJSON		*it;
	cJSON			*tools, *o, *schema;

	if (cJSON_GetArraySize(in) == 0)
		return 0;
	if ((tools = cJSON_AddArrayToObject(root, "tools")) == NULL)
		return *errstr = E_NOMEM, -1;
	cJSON_ArrayForEach(it, in) {
		if (model_tool_get(it, &t, errstr) == -1)
			return -1;
		if ((o = new_object(tools)) == NULL ||
		    put_str(o, "name", t.name) == -1 ||
		    (t.description != NULL &&
		    put_str(o, "description", t.description) == -1) ||
		    (schema = model_schema(t.parameters)) == NULL)
			return *errstr = E_NOMEM, -1;
		cJSON_AddItemToObject(o, "input_schema", schema);
	}
	return 0;
}

cJSON *
model_anthropic_request(const struct model_req *q, const char **errstr)
{
	cJSON	*root;

	if (q->max_tokens <= 0)
		return *errstr = E_MAXTOK, NULL;
	if ((root = cJSON_CreateObject()) == NULL)
		return *errstr = E_NOMEM, NULL;
	if (put_str(root, "model", q->model) == -1 ||
	    cJSON_AddNumberToObject(root, "max_tokens", q->max_tokens) == NULL) {
		*errstr = E_NOMEM;
		goto fail;
	}
	if (add_system(root, q, errstr) == -1 ||
	    add_messages(root, q->messages, errstr) == -1 ||
	    (q->tools != NULL && add_tools(root, q->tools, errstr) == -1))
		goto fail;
	if (cJSON_AddBoolToObject(root, "stream", q->stream != 0) == NULL) {
		*errstr = E_NOMEM;
		goto fail;
	}
	return root;
 fail:
	cJSON_Delete(root);
	return NULL;
}

/* ---- answers ---- */

static const char *
str_of(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring != NULL ?
	    v->valuestring : NULL;
}

static void
set_finish(struct model_resp *r, const char *word)
{
	size_t	 i;

	if (word == NULL || word[0] == '\0')
		return;
	for (i = 0; i < sizeof(finishes) / sizeof(finishes[0]); i++)
		if (strcmp(word, finishes[i].word) == 0) {
			model_set_finish(r, word, finishes[i].finish);
			return;
		}
	model_set_finish(r, word, MODEL_FINISH_OTHER);
}

static void
set_usage(struct model_resp *r, const cJSON *u)
{
	if (!cJSON_IsObject(u))
		return;
	model_count(cJSON_GetObjectItemCaseSensitive(u, "input_tokens"),
	    &r->input_tokens);
	model_count(cJSON_GetObjectItemCaseSensitive(u, "output_tokens"),
	    &r->output_tokens);
}

static int
add_text(struct model_resp *r, const char *s)
{
	return s != NULL ? model_text_add(r, s) : 0;
}

/* a tool call's input is complete: it must be a JSON object */
static int
close_call(struct model_resp *r, struct model_call *c)
{
	cJSON	*j;
	int	 ok;

	c->open = 0;
	if (c->args.len == 0)
		return model_args_add(r, c, "{}", 2);
	j = model_json_parse(c->args.s, c->args.len);
	ok = cJSON_IsObject(j);
	cJSON_Delete(j);
	return ok ? 0 : model_fail(r, E_CALLJSON);
}

/* a tool_use block of a body: input is an object already */
static int
body_call(struct model_resp *r, const cJSON *b, long pos)
{
	struct model_call	*c;
	const cJSON		*in;
	char			*s;
	int			 rv;

	if ((c = model_call_new(r, pos)) == NULL ||
	    model_call_set(r, &c->id,
	    cJSON_GetObjectItemCaseSensitive(b, "id")) == -1 ||
	    model_call_set(r, &c->name,
	    cJSON_GetObjectItemCaseSensitive(b, "name")) == -1)
		return -1;
	in = cJSON_GetObjectItemCaseSensitive(b, "input");
	if (in == NULL || cJSON_IsNull(in))
		return 0;
	if (!cJSON_IsObject(in))
		return model_fail(r, E_CALLJSON);
	if ((s = cJSON_PrintUnformatted(in)) == NULL)
		return model_fail(r, E_NOMEM);
	rv = model_args_add(r, c, s, strlen(s));
	cJSON_free(s);
	return rv;
}

static const cJSON *
error_of(const cJSON *j)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(j, "error");

	return e != NULL && !cJSON_IsNull(e) ? e : j;
}

static int
is_error(const cJSON *j, const char *type)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(j, "error");

	return (type != NULL && strcmp(type, "error") == 0) ||
	    cJSON_IsObject(e);
}

int
model_anthropic_body(struct model_resp *r, const cJSON *j)
{
	const cJSON	*content, *b;
	const char	*type;
	long		 pos = 0;

	if (is_error(j, str_of(j, "type")))
		return model_provider_error(r, error_of(j));
	content = cJSON_GetObjectItemCaseSensitive(j, "content");
	if (!cJSON_IsArray(content))
		return model_fail(r, E_CONTENT);
	cJSON_ArrayForEach(b, content) {
		if ((type = str_of(b, "type")) == NULL)
			type = "";
		if (strcmp(type, "text") == 0 &&
		    add_text(r, str_of(b, "text")) == -1)
			return -1;
		if (strcmp(type, "tool_use") == 0 &&
		    body_call(r, b, pos) == -1)
			return -1;
		pos++;
	}
	set_finish(r, str_of(j, "stop_reason"));
	set_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	return model_done(r);
}

static int
block_index(struct model_resp *r, const cJSON *j, long *idx)
{
	if (model_index(cJSON_GetObjectItemCaseSensitive(j, "index"),
	    idx) == -1)
		return model_fail(r, E_INDEX);
	return 0;
}

static int
ev_block_start(struct model_resp *r, const cJSON *j)
{
	struct model_call	*c;
	const cJSON		*b;
	const char		*type;
	long			 idx;

	if (block_index(r, j, &idx) == -1)
		return -1;
	b = cJSON_GetObjectItemCaseSensitive(j, "content_block");
	if ((type = str_of(b, "type")) == NULL)
		return 0;
	if (strcmp(type, "text") == 0)
		return add_text(r, str_of(b, "text"));
	if (strcmp(type, "tool_use") != 0)
		return 0;	/* thinking, server tools, ... */
	if (model_call_find(r, idx) != NULL)
		return model_fail(r, E_DUP);
	if ((c = model_call_new(r, idx)) == NULL)
		return -1;
	c->open = 1;
	if (model_call_set(r, &c->id,
	    cJSON_GetObjectItemCaseSensitive(b, "id")) == -1 ||
	    model_call_set(r, &c->name,
	    cJSON_GetObjectItemCaseSensitive(b, "name")) == -1)
		return -1;
	return 0;
}

static int
ev_block_delta(struct model_resp *r, const cJSON *j)
{
	struct model_call	*c;
	const cJSON		*d;
	const char		*type, *s;
	long			 idx;

	if (block_index(r, j, &idx) == -1)
		return -1;
	d = cJSON_GetObjectItemCaseSensitive(j, "delta");
	if ((type = str_of(d, "type")) == NULL)
		return 0;
	if (strcmp(type, "text_delta") == 0)
		return add_text(r, str_of(d, "text"));
	if (strcmp(type, "input_json_delta") != 0)
		return 0;	/* thinking_delta, signature_delta, ... */
	if ((c = model_call_find(r, idx)) == NULL || !c->open)
		return model_fail(r, E_NOCALL);
	if ((s = str_of(d, "partial_json")) == NULL)
		return 0;
	return model_args_add(r, c, s, strlen(s));
}

static int
ev_block_stop(struct model_resp *r, const cJSON *j)
{
	struct model_call	*c;
	long			 idx;

	if (block_index(r, j, &idx) == -1)
		return -1;
	if ((c = model_call_find(r, idx)) != NULL && c->open)
		return close_call(r, c);
	return 0;
}

static int
ev_message_start(struct model_resp *r, const cJSON *j)
{
	set_usage(r, cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(j, "message"), "usage"));
	return 0;
}

static int
ev_message_delta(struct model_resp *r, const cJSON *j)
{
	set_finish(r, str_of(cJSON_GetObjectItemCaseSensitive(j, "delta"),
	    "stop_reason"));
	set_usage(r, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	return 0;
}

/* the end: blocks left open are closed */
static int
ev_message_stop(struct model_resp *r, const cJSON *j)
{
	size_t	 i;

	(void)j;
	for (i = 0; i < r->ncalls; i++)
		if (r->calls[i].open && close_call(r, &r->calls[i]) == -1)
			return -1;
	return model_done(r);
}

static const struct {
	const char	*type;
	int		(*fn)(struct model_resp *, const cJSON *);
} events[] = {
	{ "message_start", ev_message_start },
	{ "content_block_start", ev_block_start },
	{ "content_block_delta", ev_block_delta },
	{ "content_block_stop", ev_block_stop },
	{ "message_delta", ev_message_delta },
	{ "message_stop", ev_message_stop },
};

static int
event_json(struct model_resp *r, const char *event, const cJSON *j)
{
	const char	*type;
	size_t		 i;

	if ((type = str_of(j, "type")) == NULL)
		type = event;
	if (strcmp(event, "error") == 0 || is_error(j, type))
		return model_provider_error(r, error_of(j));
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (strcmp(type, events[i].type) == 0)
			return events[i].fn(r, j);
	return 0;	/* ping, and types yet to come */
}

int
model_anthropic_event(struct model_resp *r, const char *event,
    const char *data, size_t datalen)
{
	cJSON	*j;
	int	 rv;

	if (r->done || strcmp(event, "ping") == 0)
		return 0;
	if ((j = model_json_parse(data, datalen)) == NULL)
		return model_fail(r, E_JSON);
	if (!cJSON_IsObject(j))
		rv = model_fail(r, E_OBJECT);
	else
		rv = event_json(r, event, j);
	cJSON_Delete(j);
	return rv;
}
