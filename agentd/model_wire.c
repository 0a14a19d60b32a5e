/*
 * model_wire.c - what the model wire formats share (trust zone
 * "agentd"): normalized messages and tools, the answer being gathered,
 * its bounds and errors, and HTTP error bodies made into short messages
 * that repeat nothing secret-looking.  The OpenAI and Anthropic shapes
 * are in model_openai.c and model_anthropic.c.  See model.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "model.h"

#define GROW_MIN	64
#define RAW_MAX		(4 * MODEL_DETAIL_MAX)	/* provider bytes looked at */
#define SECRET_RUN	24	/* a word this long with a digit: a token */
#define ERRBODY_MAX	65536	/* a longer error body is not parsed */

#define E_PFX		"model provider: "
#define E_ROLE		"model request: a message needs a role of system, " \
			"user, assistant or tool"
#define E_MSG		"model request: a message must be a JSON object"
#define E_CONTENT	"model request: a message's content must be a string"
#define E_CALLS		"model request: an assistant's tool_calls must be an " \
			"array"
#define E_CALL		"model request: a tool call needs a string id, name " \
			"and arguments"
#define E_TOOLID	"model request: a tool result needs a tool_call_id"
#define E_ISERR		"model request: a tool result's is_error must be a " \
			"boolean"
#define E_TOOL		"model request: a tool needs a name, a string " \
			"description and an object of parameters"
#define E_API		"model request: unknown API"
#define E_REQ		"model request: model and messages are required"
#define E_NOMEM		"model: out of memory"
#define E_TEXT		"model response: the text is longer than 4194304 bytes"
#define E_ARGS		"model response: a tool call's arguments are longer " \
			"than 1048576 bytes"
#define E_NCALLS	"model response: more than 64 tool calls"
#define E_IDLEN		"model response: a tool call's id or name is longer " \
			"than 256 bytes"
#define E_NONAME	"model response: a tool call has no name"
#define E_JSON		"model response: malformed JSON"
#define E_OBJECT	"model response: the answer is not a JSON object"
#define E_AGAIN		"model response: a body after the answer was complete"

/* ---- normalized messages and tools ---- */

static const char *
str_or_empty(const cJSON *v, int *ok)
{
	if (v == NULL || cJSON_IsNull(v))
		return "";
	if (cJSON_IsString(v) && v->valuestring != NULL)
		return v->valuestring;
	*ok = 0;
	return "";
}

static int
role_of(const cJSON *v)
{
	static const char	*names[] = { "system", "user", "assistant",
				    "tool" };
	size_t			 i;

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v->valuestring, names[i]) == 0)
			return (int)i + MODEL_ROLE_SYSTEM;
	return 0;
}

int
model_msg_get(const cJSON *m, struct model_msg *out, const char **errstr)
{
	const cJSON	*v;
	int		 ok = 1;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(m))
		return *errstr = E_MSG, -1;
	if ((out->role = role_of(cJSON_GetObjectItemCaseSensitive(m,
	    "role"))) == 0)
		return *errstr = E_ROLE, -1;
	out->content = str_or_empty(cJSON_GetObjectItemCaseSensitive(m,
	    "content"), &ok);
	if (!ok)
		return *errstr = E_CONTENT, -1;
	if (out->role == MODEL_ROLE_ASSISTANT) {
		v = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
		if (v != NULL && !cJSON_IsNull(v) && !cJSON_IsArray(v))
			return *errstr = E_CALLS, -1;
		out->calls = cJSON_GetArraySize(v) > 0 ? v : NULL;
	}
	if (out->role == MODEL_ROLE_TOOL) {
		v = cJSON_GetObjectItemCaseSensitive(m, "tool_call_id");
		if (!cJSON_IsString(v) || v->valuestring == NULL ||
		    v->valuestring[0] == '\0')
			return *errstr = E_TOOLID, -1;
		out->tool_call_id = v->valuestring;
		v = cJSON_GetObjectItemCaseSensitive(m, "is_error");
		if (v != NULL && !cJSON_IsNull(v) && !cJSON_IsBool(v))
			return *errstr = E_ISERR, -1;
		out->is_error = cJSON_IsTrue(v);
	}
	return 0;
}

static const char *
nonempty(const cJSON *v)
{
	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    v->valuestring[0] == '\0')
		return NULL;
	return v->valuestring;
}

int
model_tcall_get(const cJSON *c, struct model_tcall *out, const char **errstr)
{
	int	 ok = 1;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(c) ||
	    (out->id = nonempty(cJSON_GetObjectItemCaseSensitive(c, "id")))
	    == NULL ||
	    (out->name = nonempty(cJSON_GetObjectItemCaseSensitive(c,
	    "name"))) == NULL)
		return *errstr = E_CALL, -1;
	out->arguments = str_or_empty(cJSON_GetObjectItemCaseSensitive(c,
	    "arguments"), &ok);
	if (!ok)
		return *errstr = E_CALL, -1;
	return 0;
}

int
model_tool_get(const cJSON *t, struct model_tool *out, const char **errstr)
{
	const cJSON	*v;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(t) ||
	    (out->name = nonempty(cJSON_GetObjectItemCaseSensitive(t,
	    "name"))) == NULL)
		return *errstr = E_TOOL, -1;
	v = cJSON_GetObjectItemCaseSensitive(t, "description");
	if (cJSON_IsString(v) && v->valuestring != NULL)
		out->description = v->valuestring;
	else if (v != NULL && !cJSON_IsNull(v))
		return *errstr = E_TOOL, -1;
	v = cJSON_GetObjectItemCaseSensitive(t, "parameters");
	if (cJSON_IsObject(v))
		out->parameters = v;
	else if (v != NULL && !cJSON_IsNull(v))
		return *errstr = E_TOOL, -1;
	return 0;
}

/* a copy of the tool's schema, or an object without properties */
cJSON *
model_schema(const cJSON *params)
{
	cJSON	*o;

	if (params != NULL)
		return cJSON_Duplicate(params, 1);
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "type", "object") == NULL ||
	    cJSON_AddObjectToObject(o, "properties") == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
model_request(const struct model_req *q, const char **errstr)
{
	if (q->model == NULL || q->model[0] == '\0' ||
	    !cJSON_IsArray(q->messages))
		return *errstr = E_REQ, NULL;
	switch (q->api) {
	case MODEL_API_OPENAI:
		return model_openai_request(q, errstr);
	case MODEL_API_ANTHROPIC:
		return model_anthropic_request(q, errstr);
	}
	*errstr = E_API;
	return NULL;
}

char *
model_request_body(const struct model_req *q, const char **errstr)
{
	cJSON	*o;
	char	*s;

	if ((o = model_request(q, errstr)) == NULL)
		return NULL;
	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		*errstr = E_NOMEM;
	cJSON_Delete(o);
	return s;
}

/* ---- the answer being gathered ---- */

/* append n bytes, keeping a NUL after them; -1 past max, -2 no memory */
int
model_buf_add(struct model_buf *b, const char *s, size_t n, size_t max)
{
	size_t	 ncap;
	char	*p;

	if (n > max - b->len)
		return -1;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap < GROW_MIN ? GROW_MIN : b->cap;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if (ncap > max + 1)
			ncap = max + 1;
		if ((p = realloc(b->s, ncap)) == NULL)
			return -2;
		b->s = p;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static void
buf_free(struct model_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

void
model_resp_init(struct model_resp *r, int api)
{
	memset(r, 0, sizeof(*r));
	r->api = api;
	r->input_tokens = -1;
	r->output_tokens = -1;
}

void
model_resp_free(struct model_resp *r)
{
	size_t	 i;

	buf_free(&r->text);
	for (i = 0; i < r->ncalls; i++) {
		buf_free(&r->calls[i].id);
		buf_free(&r->calls[i].name);
		buf_free(&r->calls[i].args);
	}
	model_resp_init(r, r->api);
}

const char *
model_resp_error(const struct model_resp *r)
{
	return r->err[0] != '\0' ? r->err : NULL;
}

const char *
model_resp_text(const struct model_resp *r, size_t *len)
{
	if (len != NULL)
		*len = r->text.len;
	return r->text.s != NULL ? r->text.s : "";
}

/* fail the answer with a static message; the first failure stays */
int
model_fail(struct model_resp *r, const char *msg)
{
	if (r->err[0] == '\0')
		snprintf(r->err, sizeof(r->err), "%s", msg);
	return -1;
}

int
model_text_add(struct model_resp *r, const char *s)
{
	switch (model_buf_add(&r->text, s, strlen(s), MODEL_TEXT_MAX)) {
	case -1:
		return model_fail(r, E_TEXT);
	case -2:
		return model_fail(r, E_NOMEM);
	}
	return 0;
}

struct model_call *
model_call_find(struct model_resp *r, long key)
{
	size_t	 i;

	for (i = 0; i < r->ncalls; i++)
		if (r->calls[i].key == key)
			return &r->calls[i];
	return NULL;
}

struct model_call *
model_call_new(struct model_resp *r, long key)
{
	struct model_call	*c;

	if (r->ncalls == MODEL_CALLS_MAX) {
		model_fail(r, E_NCALLS);
		return NULL;
	}
	c = &r->calls[r->ncalls++];
	memset(c, 0, sizeof(*c));
	c->key = key;
	return c;
}

/* an id or a name: the first non-empty string is kept */
int
model_call_set(struct model_resp *r, struct model_buf *b, const cJSON *v)
{
	size_t	 n;

	if (!cJSON_IsString(v) || v->valuestring == NULL || b->len > 0)
		return 0;
	if ((n = strlen(v->valuestring)) == 0)
		return 0;
	switch (model_buf_add(b, v->valuestring, n, MODEL_ID_MAX)) {
	case -1:
		return model_fail(r, E_IDLEN);
	case -2:
		return model_fail(r, E_NOMEM);
	}
	return 0;
}

int
model_args_add(struct model_resp *r, struct model_call *c, const char *s,
    size_t n)
{
	switch (model_buf_add(&c->args, s, n, MODEL_ARGS_MAX)) {
	case -1:
		return model_fail(r, E_ARGS);
	case -2:
		return model_fail(r, E_NOMEM);
	}
	return 0;
}

/* a token count: 0 and *out set, or -1 */
int
model_count(const cJSON *v, long long *out)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) ||
	    v->valuedouble > 1e15)
		return -1;
	*out = (long long)v->valuedouble;
	return 0;
}

/* an index: a whole number from 0 to 1000000 */
int
model_index(const cJSON *v, long *out)
{
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) ||
	    v->valuedouble > 1e6 || v->valuedouble != (double)v->valueint)
		return -1;
	*out = v->valueint;
	return 0;
}

/* the provider's word, printable, and what it means */
void
model_set_finish(struct model_resp *r, const char *word, int finish)
{
	size_t	 i;

	for (i = 0; word[i] != '\0' && i + 1 < sizeof(r->reason); i++)
		r->reason[i] = word[i] > ' ' && word[i] < 0x7f ? word[i] : '?';
	r->reason[i] = '\0';
	r->finish = finish;
}

static int
args_fix(struct model_resp *r, struct model_call *c)
{
	if (c->args.len > 0)
		return 0;
	return model_args_add(r, c, "{}", 2);
}

/* the answer is complete: check and complete its calls */
int
model_done(struct model_resp *r)
{
	struct model_call	*c;
	char			 id[32];
	size_t			 i;
	int			 n;

	for (i = 0; i < r->ncalls; i++) {
		c = &r->calls[i];
		if (c->name.len == 0)
			return model_fail(r, E_NONAME);
		if (c->id.len == 0) {
			n = snprintf(id, sizeof(id), "call_%zu", i);
			if (model_buf_add(&c->id, id, (size_t)n,
			    MODEL_ID_MAX) != 0)
				return model_fail(r, E_NOMEM);
		}
		if (args_fix(r, c) == -1)
			return -1;
	}
	if (r->ncalls > 0 && r->finish == MODEL_FINISH_STOP)
		r->finish = MODEL_FINISH_TOOL_CALLS;
	r->done = 1;
	return 0;
}

/* len bytes of JSON text and nothing after it but white space */
cJSON *
model_json_parse(const char *s, size_t len)
{
	const char	*end = NULL;
	cJSON		*j;
	size_t		 i;

	if (len == 0 ||
	    (j = cJSON_ParseWithLengthOpts(s, len, &end, 0)) == NULL)
		return NULL;
	if (end == NULL || end < s || end > s + len) {
		cJSON_Delete(j);
		return NULL;
	}
	for (i = (size_t)(end - s); i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r') {
			cJSON_Delete(j);
			return NULL;
		}
	return j;
}

int
model_resp_body(struct model_resp *r, const char *body, size_t len)
{
	cJSON	*j;
	int	 rv = -1;

	if (r->err[0] != '\0')
		return -1;
	if (r->done)
		return model_fail(r, E_AGAIN);
	if ((j = model_json_parse(body, len)) == NULL)
		return model_fail(r, E_JSON);
	if (!cJSON_IsObject(j))
		model_fail(r, E_OBJECT);
	else if (r->api == MODEL_API_OPENAI)
		rv = model_openai_body(r, j);
	else if (r->api == MODEL_API_ANTHROPIC)
		rv = model_anthropic_body(r, j);
	else
		model_fail(r, E_API);
	cJSON_Delete(j);
	if (rv == -1)
		return model_fail(r, E_JSON);	/* keeps an earlier message */
	return 0;
}

int
model_resp_event(struct model_resp *r, const char *event, const char *data,
    size_t datalen)
{
	int	 rv = -1;

	if (r->err[0] != '\0')
		return -1;
	if (r->api == MODEL_API_OPENAI)
		rv = model_openai_event(r, event, data, datalen);
	else if (r->api == MODEL_API_ANTHROPIC)
		rv = model_anthropic_event(r, event, data, datalen);
	else
		model_fail(r, E_API);
	if (rv == -1)
		return model_fail(r, E_JSON);	/* keeps an earlier message */
	return 0;
}

int
model_resp_sse(const char *event, const char *data, size_t datalen,
    void *resp)
{
	return model_resp_event(resp, event, data, datalen);
}

/* the normalized assistant message of the answer */
cJSON *
model_resp_message(const struct model_resp *r)
{
	const struct model_call	*c;
	cJSON			*m, *calls, *o;
	size_t			 i;

	if ((m = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(m, "role", "assistant") == NULL ||
	    cJSON_AddStringToObject(m, "content", model_resp_text(r, NULL))
	    == NULL)
		goto fail;
	if (r->ncalls == 0)
		return m;
	if ((calls = cJSON_AddArrayToObject(m, "tool_calls")) == NULL)
		goto fail;
	for (i = 0; i < r->ncalls; i++) {
		c = &r->calls[i];
		if ((o = cJSON_CreateObject()) == NULL)
			goto fail;
		cJSON_AddItemToArray(calls, o);
		if (cJSON_AddStringToObject(o, "id",
		    c->id.s != NULL ? c->id.s : "") == NULL ||
		    cJSON_AddStringToObject(o, "name",
		    c->name.s != NULL ? c->name.s : "") == NULL ||
		    cJSON_AddStringToObject(o, "arguments",
		    c->args.s != NULL ? c->args.s : "{}") == NULL)
			goto fail;
	}
	return m;
 fail:
	cJSON_Delete(m);
	return NULL;
}

const char *
model_finish_name(int finish)
{
	static const char	*names[] = { "none", "stop", "tool_calls",
				    "length", "content_filter", "pause",
				    "error", "other" };

	if (finish < 0 || (size_t)finish >= sizeof(names) / sizeof(names[0]))
		return "other";
	return names[finish];
}

/* ---- errors ---- */

static int
is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+' ||
	    c == '/' || c == '=' || c == '.' || c == '*' || c == '~';
}

/* a key, a token or anything alike: never repeat it */
static int
secret_like(const char *w, size_t n)
{
	static const char	*pfx[] = { "sk-", "sk_", "pk_", "rk_", "xox",
				    "ghp_", "gho_", "ghs_", "github_pat_",
				    "AKIA", "AIza", "eyJ", "key-" };
	size_t			 i, plen;
	int			 digit = 0, alpha = 0;

	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		plen = strlen(pfx[i]);
		if (n >= plen && memcmp(w, pfx[i], plen) == 0)
			return 1;
	}
	if (n < SECRET_RUN)
		return 0;
	for (i = 0; i < n; i++) {
		if (w[i] >= '0' && w[i] <= '9')
			digit = 1;
		else if ((w[i] >= 'a' && w[i] <= 'z') ||
		    (w[i] >= 'A' && w[i] <= 'Z'))
			alpha = 1;
	}
	return (digit && alpha) || n >= 2 * SECRET_RUN;
}

struct out {
	char	*s;
	size_t	 len, max;
	int	 cut;
};

static void
out_put(struct out *o, const char *s, size_t n)
{
	if (n > o->max - o->len) {
		n = o->max - o->len;
		o->cut = 1;
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
}

/*
 * n raw bytes of the provider into o: words that look secret become
 * [redacted], white space a space, other unprintable bytes one '?'.
 */
static void
out_clean(struct out *o, const char *raw, size_t n)
{
	size_t	 i = 0, j;
	int	 c;

	while (i < n && !o->cut) {
		c = (unsigned char)raw[i];
		if (is_word(c)) {
			for (j = i; j < n && is_word((unsigned char)raw[j]);)
				j++;
			if (secret_like(raw + i, j - i))
				out_put(o, "[redacted]", 10);
			else
				out_put(o, raw + i, j - i);
			i = j;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			out_put(o, " ", 1);
			i++;
		} else if (c >= 0x20 && c < 0x7f) {
			out_put(o, raw + i, 1);
			i++;
		} else {
			out_put(o, "?", 1);
			while (i < n && ((unsigned char)raw[i] < 0x20 ||
			    (unsigned char)raw[i] >= 0x7f) && raw[i] != '\n' &&
			    raw[i] != '\r' && raw[i] != '\t')
				i++;
		}
	}
}

static const char *
str_item(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    v->valuestring[0] == '\0')
		return NULL;
	return v->valuestring;
}

static int
type_retryable(int status, const char *type)
{
	static const char	*again[] = { "overloaded_error",
				    "rate_limit_error", "api_error",
				    "server_error", "timeout_error" };
	size_t			 i;

	if (type == NULL)
		return 0;
	if (strcmp(type, "overloaded_error") == 0)
		return 1;
	if (status > 0)
		return 0;
	for (i = 0; i < sizeof(again) / sizeof(again[0]); i++)
		if (strcmp(type, again[i]) == 0)
			return 1;
	return 0;
}

static int
status_retryable(int status)
{
	return status == 408 || status == 429 ||
	    (status >= 500 && status <= 599);
}

static const char *
status_text(int status)
{
	static const struct {
		int		 status;
		const char	*text;
	} texts[] = {
		{ 400, "bad request" }, { 401, "unauthorized" },
		{ 403, "forbidden" }, { 404, "not found" },
		{ 408, "request timeout" }, { 413, "request too large" },
		{ 429, "too many requests" }, { 500, "internal server error" },
		{ 502, "bad gateway" }, { 503, "service unavailable" },
		{ 504, "gateway timeout" }, { 529, "overloaded" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].status == status)
			return texts[i].text;
	return "error";
}

/* the bytes of s looked at: bounded, so a huge message costs nothing */
static size_t
raw_len(const char *s)
{
	return strnlen(s, RAW_MAX);
}

/*
 * The message for an error value ({"type","message","code"} or a bare
 * string) after a status (0: none, mid-stream) into msg; retryable?
 */
static int
error_format(int status, const cJSON *err, char *msg, size_t msgsz)
{
	char		 detail[MODEL_DETAIL_MAX + 1];
	struct out	 o = { detail, 0, MODEL_DETAIL_MAX, 0 };
	const char	*type = NULL, *text = NULL;
	int		 retry;

	if (cJSON_IsObject(err)) {
		if ((type = str_item(err, "type")) == NULL)
			type = str_item(err, "code");
		text = str_item(err, "message");
	} else if (cJSON_IsString(err) && err->valuestring != NULL &&
	    err->valuestring[0] != '\0')
		text = err->valuestring;
	if (type != NULL)
		out_clean(&o, type, raw_len(type));
	if (type != NULL && text != NULL)
		out_put(&o, ": ", 2);
	if (text != NULL)
		out_clean(&o, text, raw_len(text));
	if (o.len == 0)
		out_put(&o, status > 0 ? status_text(status) : "error",
		    strlen(status > 0 ? status_text(status) : "error"));
	detail[o.len] = '\0';
	retry = status_retryable(status) || type_retryable(status, type);
	if (msgsz == 0)
		return retry;
	if (status > 0)
		snprintf(msg, msgsz, E_PFX "%d %s%s", status, detail,
		    o.cut ? "..." : "");
	else
		snprintf(msg, msgsz, E_PFX "%s%s", detail, o.cut ? "..." : "");
	return retry;
}

/* the error value of a body: "error" of either shape, or "message" */
static const cJSON *
error_value(const cJSON *j)
{
	const cJSON	*e;

	if (!cJSON_IsObject(j))
		return NULL;
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsObject(e) || cJSON_IsString(e))
		return e;
	if (str_item(j, "message") != NULL)
		return j;
	return NULL;
}

int
model_http_error(int api, int status, const char *body, size_t bodylen,
    char *msg, size_t msgsz)
{
	cJSON	*j = NULL;
	int	 retry;

	(void)api;	/* both put {"type","message"} under "error" */
	if (status <= 0 || status > 999)
		status = 0;
	if (body != NULL && bodylen > 0 && bodylen <= ERRBODY_MAX)
		j = model_json_parse(body, bodylen);
	retry = error_format(status, error_value(j), msg, msgsz);
	cJSON_Delete(j);
	return retry ? MODEL_ERR_RETRY : MODEL_ERR_FATAL;
}

/* the provider said error mid-answer: err is its error value */
int
model_provider_error(struct model_resp *r, const cJSON *err)
{
	r->finish = MODEL_FINISH_ERROR;
	snprintf(r->reason, sizeof(r->reason), "error");
	r->retryable = error_format(0, err, r->err, sizeof(r->err));
	return -1;
}
