/*
 * test_model.c - unit tests of the model wire formats (agentd/model_*.c,
 * trust zone "agentd"): request bodies for OpenAI Chat Completions and
 * Anthropic Messages compared whole and field by field, refused
 * conversations; the streaming examples of protocols.md 5.1 and 5.3
 * (text, tool-call deltas, input_json_delta, thinking, ping, usage) as
 * raw SSE bytes split at every position through agentd/sse.c;
 * non-streaming bodies; provider errors mid-stream, malformed events,
 * protocol violations; the bounds on calls, text, arguments and ids;
 * HTTP error bodies made into short messages that repeat no key, and
 * their classification.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cJSON.h>

#include "model.h"
#include "sse.h"

static cJSON *
J(const char *text)
{
	cJSON	*j = cJSON_Parse(text);

	if (j == NULL)
		fail_msg("bad test JSON: %s", text);
	return j;
}

/* got must be exactly the JSON of want */
static void
json_eq(const cJSON *got, const char *want)
{
	cJSON	*w = J(want);
	char	*g;

	if (!cJSON_Compare(got, w, 1)) {
		g = cJSON_PrintUnformatted(got);
		fail_msg("got  %s\nwant %s", g != NULL ? g : "(null)", want);
	}
	cJSON_Delete(w);
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static const cJSON *
item(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_non_null(v);
	return v;
}

/* one event, its data a C string */
static int
feed_ev(struct model_resp *r, const char *event, const char *data)
{
	return model_resp_event(r, event, data, strlen(data));
}

static int
feed_body(struct model_resp *r, const char *text)
{
	return model_resp_body(r, text, strlen(text));
}

/* ---- requests ---- */

static const char conversation[] =
    "[{\"role\":\"user\",\"content\":\"weather?\"},"
    " {\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
    "   {\"id\":\"call_1\",\"name\":\"get_weather\","
    "    \"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"},"
    "   {\"id\":\"call_2\",\"name\":\"get_time\",\"arguments\":\"\"}]},"
    " {\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"},"
    " {\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":\"no clock\","
    "  \"is_error\":true},"
    " {\"role\":\"assistant\",\"content\":\"18C in Paris.\"},"
    " {\"role\":\"system\",\"content\":\"Be brief.\"},"
    " {\"role\":\"user\",\"content\":\"thanks\"}]";

static const char tools[] =
    "[{\"name\":\"get_weather\",\"description\":\"The weather\","
    "  \"parameters\":{\"type\":\"object\",\"properties\":"
    "  {\"location\":{\"type\":\"string\"}},\"required\":[\"location\"]}},"
    " {\"name\":\"get_time\"}]";

static void
test_openai_request(void **state)
{
	struct model_req	 q;
	const char		*err = NULL;
	const cJSON		*m, *tc;
	cJSON			*msgs = J(conversation), *t = J(tools), *o;
	char			*body;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.api = MODEL_API_OPENAI;
	q.model = "gpt-4o-mini";
	q.system = "You are helpful.";
	q.messages = msgs;
	q.tools = t;
	q.max_tokens = 1024;
	q.stream = 1;
	if ((o = model_request(&q, &err)) == NULL)
		fail_msg("%s", err);
	json_eq(o, "{\"model\":\"gpt-4o-mini\",\"messages\":["
	    "{\"role\":\"system\",\"content\":\"You are helpful.\"},"
	    "{\"role\":\"user\",\"content\":\"weather?\"},"
	    "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
	    " {\"id\":\"call_1\",\"type\":\"function\",\"function\":"
	    "  {\"name\":\"get_weather\","
	    "   \"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"}},"
	    " {\"id\":\"call_2\",\"type\":\"function\",\"function\":"
	    "  {\"name\":\"get_time\",\"arguments\":\"{}\"}}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"call_2\","
	    " \"content\":\"no clock\"},"
	    "{\"role\":\"assistant\",\"content\":\"18C in Paris.\"},"
	    "{\"role\":\"system\",\"content\":\"Be brief.\"},"
	    "{\"role\":\"user\",\"content\":\"thanks\"}],"
	    "\"tools\":["
	    "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
	    " \"description\":\"The weather\",\"parameters\":{\"type\":"
	    " \"object\",\"properties\":{\"location\":{\"type\":\"string\"}},"
	    " \"required\":[\"location\"]}}},"
	    "{\"type\":\"function\",\"function\":{\"name\":\"get_time\","
	    " \"parameters\":{\"type\":\"object\",\"properties\":{}}}}],"
	    "\"tool_choice\":\"auto\",\"max_tokens\":1024,\"stream\":true,"
	    "\"stream_options\":{\"include_usage\":true}}");

	/* field by field: the shapes that differ between the APIs */
	m = cJSON_GetArrayItem(item(o, "messages"), 0);
	assert_string_equal(str(m, "role"), "system");
	m = cJSON_GetArrayItem(item(o, "messages"), 2);
	assert_true(cJSON_IsNull(item(m, "content")));
	tc = cJSON_GetArrayItem(item(m, "tool_calls"), 0);
	assert_string_equal(str(tc, "type"), "function");
	/* arguments is a JSON string, not an object */
	assert_string_equal(str(item(tc, "function"), "arguments"),
	    "{\"location\":\"Paris\"}");
	m = cJSON_GetArrayItem(item(o, "messages"), 3);
	assert_string_equal(str(m, "role"), "tool");
	assert_string_equal(str(m, "tool_call_id"), "call_1");
	assert_null(cJSON_GetObjectItemCaseSensitive(m, "is_error"));
	assert_true(cJSON_IsTrue(item(item(o, "stream_options"),
	    "include_usage")));
	assert_int_equal(item(o, "max_tokens")->valueint, 1024);
	cJSON_Delete(o);

	/* not streaming: no stream_options; the body is the same JSON */
	q.stream = 0;
	q.max_tokens = 0;
	q.system = NULL;
	assert_non_null(body = model_request_body(&q, &err));
	assert_non_null(o = J(body));
	assert_true(cJSON_IsFalse(item(o, "stream")));
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "stream_options"));
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "max_tokens"));
	assert_string_equal(str(cJSON_GetArrayItem(item(o, "messages"), 0),
	    "role"), "user");
	assert_int_equal(cJSON_GetArraySize(item(o, "messages")), 7);
	assert_null(strchr(body, '\n'));
	cJSON_free(body);
	cJSON_Delete(o);

	/* no tools: neither tools nor tool_choice */
	q.tools = NULL;
	assert_non_null(o = model_request(&q, &err));
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "tools"));
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "tool_choice"));
	cJSON_Delete(o);
	cJSON_Delete(msgs);
	cJSON_Delete(t);
}

static void
test_anthropic_request(void **state)
{
	struct model_req	 q;
	const char		*err = NULL;
	const cJSON		*m, *b;
	cJSON			*msgs = J(conversation), *t = J(tools), *o;

	(void)state;
	memset(&q, 0, sizeof(q));
	q.api = MODEL_API_ANTHROPIC;
	q.model = "claude-sonnet-4-5";
	q.system = "You are helpful.";
	q.messages = msgs;
	q.tools = t;
	q.max_tokens = 1024;
	q.stream = 1;
	if ((o = model_request(&q, &err)) == NULL)
		fail_msg("%s", err);
	json_eq(o, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
	    "\"system\":\"You are helpful.\\n\\nBe brief.\",\"messages\":["
	    "{\"role\":\"user\",\"content\":\"weather?\"},"
	    "{\"role\":\"assistant\",\"content\":["
	    " {\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\","
	    "  \"input\":{\"location\":\"Paris\"}},"
	    " {\"type\":\"tool_use\",\"id\":\"call_2\",\"name\":\"get_time\","
	    "  \"input\":{}}]},"
	    "{\"role\":\"user\",\"content\":["
	    " {\"type\":\"tool_result\",\"tool_use_id\":\"call_1\","
	    "  \"content\":\"18C\",\"is_error\":false},"
	    " {\"type\":\"tool_result\",\"tool_use_id\":\"call_2\","
	    "  \"content\":\"no clock\",\"is_error\":true}]},"
	    "{\"role\":\"assistant\",\"content\":\"18C in Paris.\"},"
	    "{\"role\":\"user\",\"content\":\"thanks\"}],"
	    "\"tools\":["
	    "{\"name\":\"get_weather\",\"description\":\"The weather\","
	    " \"input_schema\":{\"type\":\"object\",\"properties\":"
	    " {\"location\":{\"type\":\"string\"}},\"required\":[\"location\"]}},"
	    "{\"name\":\"get_time\",\"input_schema\":{\"type\":\"object\","
	    " \"properties\":{}}}],"
	    "\"stream\":true}");

	/* field by field */
	assert_int_equal(item(o, "max_tokens")->valueint, 1024);
	assert_string_equal(str(o, "system"), "You are helpful.\n\nBe brief.");
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "stream_options"));
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "tool_choice"));
	m = cJSON_GetArrayItem(item(o, "messages"), 1);
	b = cJSON_GetArrayItem(item(m, "content"), 0);
	/* input is an object, not a string */
	assert_true(cJSON_IsObject(item(b, "input")));
	assert_string_equal(str(item(b, "input"), "location"), "Paris");
	/* consecutive results: one user message */
	m = cJSON_GetArrayItem(item(o, "messages"), 2);
	assert_string_equal(str(m, "role"), "user");
	assert_int_equal(cJSON_GetArraySize(item(m, "content")), 2);
	assert_int_equal(cJSON_GetArraySize(item(o, "messages")), 5);
	cJSON_Delete(o);
	cJSON_Delete(msgs);

	/* text beside a tool call is a text block first */
	msgs = J("[{\"role\":\"user\",\"content\":\"hi\"},"
	    "{\"role\":\"assistant\",\"content\":\"Looking.\",\"tool_calls\":"
	    "[{\"id\":\"t1\",\"name\":\"n\",\"arguments\":\"{\\\"a\\\":[1]}\"}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"t1\",\"content\":\"r\"},"
	    "{\"role\":\"user\",\"content\":\"and?\"},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"t2\",\"content\":\"s\"}]");
	q.messages = msgs;
	q.system = "";
	q.tools = NULL;
	q.stream = 0;
	if ((o = model_request(&q, &err)) == NULL)
		fail_msg("%s", err);
	json_eq(o, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,"
	    "\"messages\":["
	    "{\"role\":\"user\",\"content\":\"hi\"},"
	    "{\"role\":\"assistant\",\"content\":["
	    " {\"type\":\"text\",\"text\":\"Looking.\"},"
	    " {\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"n\","
	    "  \"input\":{\"a\":[1]}}]},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
	    " \"tool_use_id\":\"t1\",\"content\":\"r\",\"is_error\":false}]},"
	    "{\"role\":\"user\",\"content\":\"and?\"},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
	    " \"tool_use_id\":\"t2\",\"content\":\"s\",\"is_error\":false}]}],"
	    "\"stream\":false}");
	cJSON_Delete(o);
	cJSON_Delete(msgs);
	cJSON_Delete(t);
}

static void
bad_request(int api, const char *messages, const char *tooltext,
    int max_tokens, const char *want)
{
	struct model_req	 q;
	const char		*err = NULL;
	cJSON			*msgs = J(messages), *t = NULL;

	if (tooltext != NULL)
		t = J(tooltext);
	memset(&q, 0, sizeof(q));
	q.api = api;
	q.model = "m";
	q.messages = msgs;
	q.tools = t;
	q.max_tokens = max_tokens;
	assert_null(model_request(&q, &err));
	assert_non_null(err);
	assert_string_equal(err, want);
	assert_null(strstr(err, "SECRET"));
	err = NULL;
	assert_null(model_request_body(&q, &err));
	assert_string_equal(err, want);
	cJSON_Delete(msgs);
	cJSON_Delete(t);
}

static void
test_request_errors(void **state)
{
	const int	 O = MODEL_API_OPENAI, A = MODEL_API_ANTHROPIC;

	(void)state;
	bad_request(O, "[{\"role\":\"SECRET\",\"content\":\"x\"}]", NULL, 0,
	    "model request: a message needs a role of system, user, "
	    "assistant or tool");
	bad_request(A, "[{\"content\":\"x\"}]", NULL, 10,
	    "model request: a message needs a role of system, user, "
	    "assistant or tool");
	bad_request(O, "[\"SECRET\"]", NULL, 0,
	    "model request: a message must be a JSON object");
	bad_request(O, "[{\"role\":\"user\",\"content\":[\"SECRET\"]}]", NULL,
	    0, "model request: a message's content must be a string");
	bad_request(A, "[{\"role\":\"tool\",\"content\":\"x\"}]", NULL, 10,
	    "model request: a tool result needs a tool_call_id");
	bad_request(O, "[{\"role\":\"tool\",\"tool_call_id\":\"\"}]", NULL, 0,
	    "model request: a tool result needs a tool_call_id");
	bad_request(A, "[{\"role\":\"tool\",\"tool_call_id\":\"a\","
	    "\"is_error\":\"yes\"}]", NULL, 10,
	    "model request: a tool result's is_error must be a boolean");
	bad_request(O, "[{\"role\":\"assistant\",\"tool_calls\":{}}]", NULL, 0,
	    "model request: an assistant's tool_calls must be an array");
	bad_request(O, "[{\"role\":\"assistant\",\"tool_calls\":"
	    "[{\"id\":\"a\",\"arguments\":\"{}\"}]}]", NULL, 0,
	    "model request: a tool call needs a string id, name and "
	    "arguments");
	bad_request(A, "[{\"role\":\"assistant\",\"tool_calls\":"
	    "[{\"id\":\"a\",\"name\":\"n\",\"arguments\":{}}]}]", NULL, 10,
	    "model request: a tool call needs a string id, name and "
	    "arguments");
	/* Anthropic needs arguments that are a JSON object */
	bad_request(A, "[{\"role\":\"assistant\",\"tool_calls\":"
	    "[{\"id\":\"a\",\"name\":\"n\",\"arguments\":\"{SECRET\"}]}]",
	    NULL, 10, "model request: a tool call's arguments must be a JSON "
	    "object");
	bad_request(A, "[{\"role\":\"assistant\",\"tool_calls\":"
	    "[{\"id\":\"a\",\"name\":\"n\",\"arguments\":\"[1]\"}]}]",
	    NULL, 10, "model request: a tool call's arguments must be a JSON "
	    "object");
	bad_request(A, "[]", NULL, 0,
	    "model request: max_tokens must be above 0 for anthropic");
	bad_request(O, "[]", "[{\"description\":\"x\"}]", 0,
	    "model request: a tool needs a name, a string description and "
	    "an object of parameters");
	bad_request(A, "[]", "[{\"name\":\"x\",\"parameters\":\"SECRET\"}]",
	    10, "model request: a tool needs a name, a string description "
	    "and an object of parameters");
	bad_request(3, "[]", NULL, 10, "model request: unknown API");
	bad_request(O, "{}", NULL, 10,
	    "model request: model and messages are required");
}

/* ---- answers ---- */

struct feeder {
	struct model_resp	*r;
	int			 rv;
};

/* raw SSE bytes through the parser into r, cut at the offset cut */
static int
feed_sse(struct model_resp *r, const char *s, size_t len, size_t cut)
{
	struct sse	 p;
	int		 rv;

	sse_init(&p);
	rv = sse_feed(&p, s, cut, model_resp_sse, r);
	if (rv == 0)
		rv = sse_feed(&p, s + cut, len - cut, model_resp_sse, r);
	sse_free(&p);
	return rv;
}

/* protocols.md 5.1, a text answer, streamed */
static const char openai_text[] =
    "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
    "\"finish_reason\":null}]}\n\n"
    "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"content\":\"Hi there, friend.\"},"
    "\"finish_reason\":null}]}\n\n"
    "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
    "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
    "data: [DONE]\n\n";

static void
test_openai_stream_text(void **state)
{
	struct model_resp	 r;
	size_t			 cut, len = sizeof(openai_text) - 1, n;

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		model_resp_init(&r, MODEL_API_OPENAI);
		assert_int_equal(feed_sse(&r, openai_text, len, cut), 0);
		assert_null(model_resp_error(&r));
		assert_string_equal(model_resp_text(&r, &n),
		    "Hi there, friend.");
		assert_int_equal(n, 17);
		assert_int_equal(r.finish, MODEL_FINISH_STOP);
		assert_string_equal(r.reason, "stop");
		assert_string_equal(model_finish_name(r.finish), "stop");
		assert_int_equal(r.ncalls, 0);
		assert_true(r.done);
		assert_int_equal(r.input_tokens, -1);
		assert_int_equal(r.output_tokens, -1);
		model_resp_free(&r);
	}
}

/* protocols.md 5.1, tool-call deltas keyed by index, two calls */
static const char openai_tools[] =
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
    "\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_2w2i\","
    "\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
    "\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
    "[{\"index\":0,\"function\":{\"arguments\":\"{\\\"loca\"}}]},"
    "\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
    "[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":"
    "{\"name\":\"get_time\",\"arguments\":\"\"}}]},"
    "\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
    "[{\"index\":0,\"function\":{\"arguments\":\"tion\\\":\\\"Paris\\\"}\"}}]},"
    "\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
    "[{\"index\":1,\"function\":{\"arguments\":\"{\\\"tz\\\":\\\"UTC\\\"}\"}}]},"
    "\"finish_reason\":null}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},"
    "\"finish_reason\":\"tool_calls\"}],\"usage\":null}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,"
    "\"completion_tokens\":8,\"total_tokens\":10}}\n\n"
    "data: [DONE]\n\n";

static void
check_openai_tools(const struct model_resp *r)
{
	cJSON	*m;

	assert_null(model_resp_error(r));
	assert_true(r->done);
	assert_string_equal(model_resp_text(r, NULL), "");
	assert_int_equal(r->ncalls, 2);
	assert_string_equal(r->calls[0].id.s, "call_2w2i");
	assert_string_equal(r->calls[0].name.s, "get_weather");
	assert_string_equal(r->calls[0].args.s, "{\"location\":\"Paris\"}");
	assert_string_equal(r->calls[1].id.s, "call_b");
	assert_string_equal(r->calls[1].name.s, "get_time");
	assert_string_equal(r->calls[1].args.s, "{\"tz\":\"UTC\"}");
	assert_int_equal(r->finish, MODEL_FINISH_TOOL_CALLS);
	assert_int_equal(r->input_tokens, 2);
	assert_int_equal(r->output_tokens, 8);
	assert_non_null(m = model_resp_message(r));
	json_eq(m, "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
	    "{\"id\":\"call_2w2i\",\"name\":\"get_weather\","
	    " \"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"},"
	    "{\"id\":\"call_b\",\"name\":\"get_time\","
	    " \"arguments\":\"{\\\"tz\\\":\\\"UTC\\\"}\"}]}");
	cJSON_Delete(m);
}

static void
test_openai_stream_tools(void **state)
{
	struct model_resp	 r;
	size_t			 cut, len = sizeof(openai_tools) - 1;

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		model_resp_init(&r, MODEL_API_OPENAI);
		assert_int_equal(feed_sse(&r, openai_tools, len, cut), 0);
		check_openai_tools(&r);
		model_resp_free(&r);
	}
	/* the stream is not done before [DONE] */
	model_resp_init(&r, MODEL_API_OPENAI);
	assert_int_equal(feed_sse(&r, openai_tools, len - 14, 0), 0);
	assert_false(r.done);
	/* after it, anything is ignored */
	assert_int_equal(feed_sse(&r, openai_tools + len - 14, 14, 0), 0);
	assert_true(r.done);
	assert_int_equal(feed_ev(&r, "", "{\"choices\":[{\"delta\":"
	    "{\"content\":\"late\"}}]}"), 0);
	assert_int_equal(feed_ev(&r, "", "garbage"), 0);
	check_openai_tools(&r);
	model_resp_free(&r);
}

/* OpenAI-compatible servers: no index, repeated ids, "stop" with calls */
static void
test_openai_compat(void **state)
{
	static const char	*evs[] = {
	    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"c1\","
	    "\"function\":{\"name\":\"a\",\"arguments\":\"{\\\"x\\\":\"}}]}}]}",
	    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"c1\","
	    "\"function\":{\"arguments\":\"1}\"}}]}}]}",
	    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,"
	    "\"function\":{\"name\":\"b\",\"arguments\":{\"y\":2}}}]}}]}",
	    "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"other\"}},"
	    "{\"index\":0,\"delta\":{\"content\":\"ok\"},"
	    "\"finish_reason\":\"stop\"}]}",
	    " [DONE] ",
	};
	struct model_resp	 r;
	size_t			 i;

	(void)state;
	model_resp_init(&r, MODEL_API_OPENAI);
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		assert_int_equal(feed_ev(&r, "", evs[i]), 0);
	assert_true(r.done);
	assert_string_equal(model_resp_text(&r, NULL), "ok");
	assert_int_equal(r.ncalls, 2);
	assert_string_equal(r.calls[0].id.s, "c1");
	assert_string_equal(r.calls[0].args.s, "{\"x\":1}");
	assert_string_equal(r.calls[1].name.s, "b");
	/* no id: one is made up; off-spec object arguments printed */
	assert_string_equal(r.calls[1].id.s, "call_1");
	assert_string_equal(r.calls[1].args.s, "{\"y\":2}");
	assert_int_equal(r.finish, MODEL_FINISH_TOOL_CALLS);
	assert_string_equal(r.reason, "stop");
	model_resp_free(&r);
}

/* protocols.md 5.1, the non-streaming tool call */
static void
test_openai_body(void **state)
{
	static const char	 body[] =
	    "{\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion\","
	    "\"created\":1795479664,\"model\":\"gpt-4o-mini\","
	    "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
	    "\"content\":null,\"refusal\":null,\"tool_calls\":["
	    "{\"id\":\"call_2w2i\",\"type\":\"function\",\"function\":"
	    "{\"name\":\"get_weather\","
	    "\"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"}}]},"
	    "\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],"
	    "\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":8,"
	    "\"total_tokens\":10}}\n";
	static const char	 text[] =
	    "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
	    "\"content\":\"Hello\"},\"finish_reason\":\"length\"}]}";
	struct model_resp	 r;

	(void)state;
	model_resp_init(&r, MODEL_API_OPENAI);
	assert_int_equal(model_resp_body(&r, body, sizeof(body) - 1), 0);
	assert_true(r.done);
	assert_int_equal(r.ncalls, 1);
	assert_string_equal(r.calls[0].id.s, "call_2w2i");
	assert_string_equal(r.calls[0].name.s, "get_weather");
	assert_string_equal(r.calls[0].args.s, "{\"location\":\"Paris\"}");
	assert_int_equal(r.finish, MODEL_FINISH_TOOL_CALLS);
	assert_int_equal(r.input_tokens, 2);
	assert_int_equal(r.output_tokens, 8);
	assert_string_equal(model_resp_text(&r, NULL), "");
	/* one body per answer */
	assert_int_equal(model_resp_body(&r, body, sizeof(body) - 1), -1);
	assert_string_equal(model_resp_error(&r),
	    "model response: a body after the answer was complete");
	model_resp_free(&r);

	model_resp_init(&r, MODEL_API_OPENAI);
	assert_int_equal(model_resp_body(&r, text, sizeof(text) - 1), 0);
	assert_string_equal(model_resp_text(&r, NULL), "Hello");
	assert_int_equal(r.finish, MODEL_FINISH_LENGTH);
	assert_string_equal(model_finish_name(r.finish), "length");
	model_resp_free(&r);

	model_resp_init(&r, MODEL_API_OPENAI);
	assert_int_equal(feed_body(&r, "{\"choices\":[]}"), -1);
	assert_string_equal(model_resp_error(&r),
	    "model response: no choices in the answer");
	model_resp_free(&r);
}

/* protocols.md 5.3, streamed: thinking, text, ping, a tool call */
static const char anthropic_stream[] =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
    "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
    "\"model\":\"claude-x\",\"stop_reason\":null,\"stop_sequence\":null,"
    "\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,"
    "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
    "{\"type\":\"thinking_delta\",\"thinking\":\"Hmm.\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
    "{\"type\":\"signature_delta\",\"signature\":\"EqQB\"}}\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: content_block_start\r\n"
    "data: {\"type\":\"content_block_start\",\"index\":1,"
    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\r\n\r\n"
    "event: ping\n"
    "data: {\"type\": \"ping\"}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
    "{\"type\":\"text_delta\",\"text\":\"Let me check\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
    "{\"type\":\"text_delta\",\"text\":\" the weather.\"}}\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":2,"
    "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01\","
    "\"name\":\"get_weather\",\"input\":{}}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":"
    "{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":"
    "{\"type\":\"input_json_delta\",\"partial_json\":"
    "\"{\\\"location\\\":\"}}\n\n"
    "event: ping\n"
    "data: {\"type\": \"ping\"}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":"
    "{\"type\":\"input_json_delta\",\"partial_json\":\" \\\"Paris\\\"}\"}}"
    "\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":2}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":3,"
    "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_02\","
    "\"name\":\"get_time\",\"input\":{}}}\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":3}\n\n"
    "event: some_future_event\n"
    "data: {\"type\":\"some_future_event\"}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
    "\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":89}}"
    "\n\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n\n";

static void
check_anthropic(const struct model_resp *r)
{
	assert_null(model_resp_error(r));
	assert_true(r->done);
	assert_string_equal(model_resp_text(r, NULL),
	    "Let me check the weather.");
	assert_int_equal(r->ncalls, 2);
	assert_string_equal(r->calls[0].id.s, "toolu_01");
	assert_string_equal(r->calls[0].name.s, "get_weather");
	assert_string_equal(r->calls[0].args.s, "{\"location\": \"Paris\"}");
	assert_string_equal(r->calls[1].id.s, "toolu_02");
	assert_string_equal(r->calls[1].args.s, "{}");
	assert_int_equal(r->finish, MODEL_FINISH_TOOL_CALLS);
	assert_string_equal(r->reason, "tool_use");
	assert_int_equal(r->input_tokens, 25);
	assert_int_equal(r->output_tokens, 89);
}

static void
test_anthropic_stream(void **state)
{
	struct model_resp	 r;
	size_t			 cut, len = sizeof(anthropic_stream) - 1;

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		model_resp_init(&r, MODEL_API_ANTHROPIC);
		assert_int_equal(feed_sse(&r, anthropic_stream, len, cut), 0);
		check_anthropic(&r);
		model_resp_free(&r);
	}
}

/* the answer, made a message, goes back in the next request */
static void
test_roundtrip(void **state)
{
	struct model_resp	 r;
	struct model_req	 q;
	const char		*err = NULL;
	cJSON			*msgs, *o;

	(void)state;
	model_resp_init(&r, MODEL_API_ANTHROPIC);
	assert_int_equal(feed_sse(&r, anthropic_stream,
	    sizeof(anthropic_stream) - 1, 0), 0);
	msgs = J("[{\"role\":\"user\",\"content\":\"weather?\"}]");
	cJSON_AddItemToArray(msgs, model_resp_message(&r));
	cJSON_AddItemToArray(msgs, J("{\"role\":\"tool\",\"tool_call_id\":"
	    "\"toolu_01\",\"content\":\"18C\"}"));
	memset(&q, 0, sizeof(q));
	q.api = MODEL_API_ANTHROPIC;
	q.model = "m";
	q.messages = msgs;
	q.max_tokens = 100;
	if ((o = model_request(&q, &err)) == NULL)
		fail_msg("%s", err);
	json_eq(item(o, "messages"), "["
	    "{\"role\":\"user\",\"content\":\"weather?\"},"
	    "{\"role\":\"assistant\",\"content\":["
	    " {\"type\":\"text\",\"text\":\"Let me check the weather.\"},"
	    " {\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\","
	    "  \"input\":{\"location\":\"Paris\"}},"
	    " {\"type\":\"tool_use\",\"id\":\"toolu_02\",\"name\":\"get_time\","
	    "  \"input\":{}}]},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
	    " \"tool_use_id\":\"toolu_01\",\"content\":\"18C\","
	    " \"is_error\":false}]}]");
	cJSON_Delete(o);
	q.api = MODEL_API_OPENAI;
	if ((o = model_request(&q, &err)) == NULL)
		fail_msg("%s", err);
	json_eq(cJSON_GetArrayItem(item(o, "messages"), 1),
	    "{\"role\":\"assistant\",\"content\":\"Let me check the weather.\","
	    "\"tool_calls\":[{\"id\":\"toolu_01\",\"type\":\"function\","
	    "\"function\":{\"name\":\"get_weather\","
	    "\"arguments\":\"{\\\"location\\\": \\\"Paris\\\"}\"}},"
	    "{\"id\":\"toolu_02\",\"type\":\"function\",\"function\":"
	    "{\"name\":\"get_time\",\"arguments\":\"{}\"}}]}");
	cJSON_Delete(o);
	cJSON_Delete(msgs);
	model_resp_free(&r);
}

/* protocols.md 5.3, the non-streaming answer */
static void
test_anthropic_body(void **state)
{
	static const char	 body[] =
	    "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
	    "\"content\":[{\"type\":\"text\",\"text\":\"Checking.\"},"
	    "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\","
	    "\"input\":{\"location\":\"Paris\"}}],\"model\":\"claude-x\","
	    "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
	    "\"usage\":{\"input_tokens\":12,\"output_tokens\":34}}";
	static const char	 text[] =
	    "{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"Hi\"},{\"type\":\"thinking\",\"thinking\":\"x\"},{\"type\":"
	    "\"text\",\"text\":\" there\"}],\"stop_reason\":\"max_tokens\"}";
	struct model_resp	 r;

	(void)state;
	model_resp_init(&r, MODEL_API_ANTHROPIC);
	assert_int_equal(model_resp_body(&r, body, sizeof(body) - 1), 0);
	assert_true(r.done);
	assert_string_equal(model_resp_text(&r, NULL), "Checking.");
	assert_int_equal(r.ncalls, 1);
	assert_string_equal(r.calls[0].id.s, "toolu_01");
	assert_string_equal(r.calls[0].name.s, "get_weather");
	assert_string_equal(r.calls[0].args.s, "{\"location\":\"Paris\"}");
	assert_int_equal(r.finish, MODEL_FINISH_TOOL_CALLS);
	assert_int_equal(r.input_tokens, 12);
	assert_int_equal(r.output_tokens, 34);
	model_resp_free(&r);

	model_resp_init(&r, MODEL_API_ANTHROPIC);
	assert_int_equal(model_resp_body(&r, text, sizeof(text) - 1), 0);
	assert_string_equal(model_resp_text(&r, NULL), "Hi there");
	assert_int_equal(r.finish, MODEL_FINISH_LENGTH);
	assert_int_equal(r.input_tokens, -1);
	model_resp_free(&r);

	model_resp_init(&r, MODEL_API_ANTHROPIC);
	assert_int_equal(feed_body(&r, "{\"type\":\"message\","
	    "\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\","
	    "\"input\":[1]}]}"), -1);
	assert_string_equal(model_resp_error(&r),
	    "model response: a tool call's input is not a JSON object");
	model_resp_free(&r);
}

static void
test_stop_reasons(void **state)
{
	static const struct {
		int		 api;
		const char	*word;
		int		 finish;
	} t[] = {
		{ MODEL_API_ANTHROPIC, "end_turn", MODEL_FINISH_STOP },
		{ MODEL_API_ANTHROPIC, "stop_sequence", MODEL_FINISH_STOP },
		{ MODEL_API_ANTHROPIC, "max_tokens", MODEL_FINISH_LENGTH },
		{ MODEL_API_ANTHROPIC, "refusal", MODEL_FINISH_FILTER },
		{ MODEL_API_ANTHROPIC, "pause_turn", MODEL_FINISH_PAUSE },
		{ MODEL_API_ANTHROPIC, "new_one", MODEL_FINISH_OTHER },
		{ MODEL_API_OPENAI, "stop", MODEL_FINISH_STOP },
		{ MODEL_API_OPENAI, "length", MODEL_FINISH_LENGTH },
		{ MODEL_API_OPENAI, "content_filter", MODEL_FINISH_FILTER },
		{ MODEL_API_OPENAI, "function_call", MODEL_FINISH_TOOL_CALLS },
		{ MODEL_API_OPENAI, "new\001one", MODEL_FINISH_OTHER },
	};
	struct model_resp	 r;
	char			 body[256];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].api == MODEL_API_OPENAI)
			snprintf(body, sizeof(body), "{\"choices\":[{\"message\":"
			    "{\"content\":\"x\"},\"finish_reason\":\"%s\"}]}",
			    t[i].word[3] == 1 ? "new\\u0001one" : t[i].word);
		else
			snprintf(body, sizeof(body), "{\"content\":[],"
			    "\"stop_reason\":\"%s\"}", t[i].word);
		model_resp_init(&r, t[i].api);
		assert_int_equal(model_resp_body(&r, body, strlen(body)), 0);
		assert_int_equal(r.finish, t[i].finish);
		if (t[i].word[3] == 1)
			assert_string_equal(r.reason, "new?one");
		else
			assert_string_equal(r.reason, t[i].word);
		model_resp_free(&r);
	}
}

static void
test_provider_errors(void **state)
{
	static const char	 anth[] =
	    "event: message_start\n"
	    "data: {\"type\":\"message_start\",\"message\":{\"usage\":"
	    "{\"input_tokens\":3}}}\n\n"
	    "event: content_block_start\n"
	    "data: {\"type\":\"content_block_start\",\"index\":0,"
	    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
	    "event: content_block_delta\n"
	    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
	    "{\"type\":\"text_delta\",\"text\":\"part\"}}\n\n"
	    "event: error\n"
	    "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
	    "\"message\":\"Overloaded\"}}\n\n"
	    "event: message_stop\n"
	    "data: {\"type\":\"message_stop\"}\n\n";
	static const char	 oai[] =
	    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}"
	    "\n\n"
	    "data: {\"error\":{\"message\":\"The server had an error while "
	    "processing your request.\",\"type\":\"server_error\","
	    "\"param\":null,\"code\":null}}\n\n"
	    "data: [DONE]\n\n";
	static const char	 bad[] = "{\"error\":{\"message\":\"Invalid "
	    "model\",\"type\":\"invalid_request_error\"}}";
	struct model_resp	 r;

	(void)state;
	model_resp_init(&r, MODEL_API_ANTHROPIC);
	assert_int_equal(feed_sse(&r, anth, sizeof(anth) - 1, 0), -1);
	assert_string_equal(model_resp_error(&r),
	    "model provider: overloaded_error: Overloaded");
	assert_int_equal(r.finish, MODEL_FINISH_ERROR);
	assert_string_equal(model_finish_name(r.finish), "error");
	assert_true(r.retryable);
	assert_false(r.done);
	assert_string_equal(model_resp_text(&r, NULL), "part");
	assert_int_equal(r.input_tokens, 3);
	/* sticky */
	assert_int_equal(feed_ev(&r, "message_stop",
	    "{\"type\":\"message_stop\"}"), -1);
	assert_false(r.done);
	model_resp_free(&r);

	model_resp_init(&r, MODEL_API_OPENAI);
	assert_int_equal(feed_sse(&r, oai, sizeof(oai) - 1, 0), -1);
	assert_string_equal(model_resp_error(&r),
	    "model provider: server_error: The server had an error while "
	    "processing your request.");
	assert_int_equal(r.finish, MODEL_FINISH_ERROR);
	assert_true(r.retryable);
	assert_false(r.done);
	model_resp_free(&r);

	/* an error body with 200, and an "error" event of a compat server */
	model_resp_init(&r, MODEL_API_OPENAI);
	assert_int_equal(model_resp_body(&r, bad, sizeof(bad) - 1), -1);
	assert_string_equal(model_resp_error(&r),
	    "model provider: invalid_request_error: Invalid model");
	assert_false(r.retryable);
	model_resp_free(&r);
	model_resp_init(&r, MODEL_API_OPENAI);
	assert_int_equal(feed_ev(&r, "error",
	    "{\"message\":\"boom\"}"), -1);
	assert_string_equal(model_resp_error(&r), "model provider: boom");
	model_resp_free(&r);
	model_resp_init(&r, MODEL_API_ANTHROPIC);
	assert_int_equal(feed_body(&r, "{\"type\":\"error\",\"error\":"
	    "{\"type\":\"not_found_error\",\"message\":\"model: x\"}}"),
	    -1);
	assert_string_equal(model_resp_error(&r),
	    "model provider: not_found_error: model: x");
	assert_false(r.retryable);
	model_resp_free(&r);
}

static void
bad_event(int api, const char *event, const char *data, const char *want)
{
	struct model_resp	 r;

	model_resp_init(&r, api);
	assert_int_equal(model_resp_event(&r, event, data, strlen(data)), -1);
	assert_non_null(model_resp_error(&r));
	assert_string_equal(model_resp_error(&r), want);
	assert_int_equal(feed_ev(&r, "", "{}"), -1);
	model_resp_free(&r);
}

static void
test_malformed(void **state)
{
	const int		 O = MODEL_API_OPENAI, A = MODEL_API_ANTHROPIC;
	struct model_resp	 r;
	const char		*bad = "model stream: malformed JSON in an event";

	(void)state;
	bad_event(O, "", "{\"choices\":", bad);
	bad_event(O, "", "{} x", bad);
	bad_event(O, "", "", bad);
	bad_event(O, "", "[DONE", bad);
	bad_event(A, "content_block_delta", "{bad", bad);
	bad_event(A, "message_stop", "", bad);
	bad_event(O, "", "[1]", "model stream: an event is not a JSON object");
	bad_event(A, "x", "\"s\"", "model stream: an event is not a JSON "
	    "object");
	bad_event(A, "content_block_delta", "{\"type\":\"content_block_delta\","
	    "\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}",
	    "model stream: a content block event without a valid index");
	bad_event(A, "content_block_stop", "{\"type\":\"content_block_stop\","
	    "\"index\":-1}", "model stream: a content block event without a "
	    "valid index");
	bad_event(A, "content_block_delta", "{\"type\":\"content_block_delta\","
	    "\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
	    "\"partial_json\":\"{}\"}}",
	    "model stream: input_json_delta outside a tool_use block");

	/* ignored: pings even malformed, unknown events, unknown deltas */
	model_resp_init(&r, A);
	assert_int_equal(feed_ev(&r, "ping", "{bad"), 0);
	assert_int_equal(feed_ev(&r, "new", "{\"type\":\"new\"}"),
	    0);
	assert_int_equal(feed_ev(&r, "", "{\"type\":\"ping\"}"),
	    0);
	assert_int_equal(feed_ev(&r, "content_block_delta",
	    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
	    "{\"type\":\"citations_delta\"}}"), 0);
	assert_null(model_resp_error(&r));
	model_resp_free(&r);

	/* a tool call's input must end as a JSON object */
	model_resp_init(&r, A);
	assert_int_equal(feed_ev(&r, "content_block_start",
	    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
	    "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{}}}"), 0);
	assert_int_equal(feed_ev(&r, "content_block_start",
	    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
	    "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{}}}"), -1);
	assert_string_equal(model_resp_error(&r),
	    "model stream: a content block started twice");
	model_resp_free(&r);
	model_resp_init(&r, A);
	assert_int_equal(feed_ev(&r, "content_block_start",
	    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
	    "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{}}}"), 0);
	assert_int_equal(feed_ev(&r, "content_block_delta",
	    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
	    "{\"type\":\"input_json_delta\",\"partial_json\":\"[1,\"}}"),
	    0);
	assert_int_equal(feed_ev(&r, "content_block_stop",
	    "{\"type\":\"content_block_stop\",\"index\":0}"), -1);
	assert_string_equal(model_resp_error(&r),
	    "model response: a tool call's input is not a JSON object");
	model_resp_free(&r);

	/* a call without a name */
	model_resp_init(&r, O);
	assert_int_equal(feed_ev(&r, "", "{\"choices\":[{\"delta\":"
	    "{\"tool_calls\":[{\"index\":0,\"id\":\"x\"}]}}]}"), 0);
	assert_int_equal(feed_ev(&r, "", "[DONE]"), -1);
	assert_string_equal(model_resp_error(&r),
	    "model response: a tool call has no name");
	model_resp_free(&r);

	model_resp_init(&r, O);
	assert_int_equal(feed_body(&r, "{\"choices\":[]} {}"), -1);
	assert_string_equal(model_resp_error(&r),
	    "model response: malformed JSON");
	model_resp_free(&r);
	model_resp_init(&r, A);
	assert_int_equal(feed_body(&r, "[]"), -1);
	assert_string_equal(model_resp_error(&r),
	    "model response: the answer is not a JSON object");
	model_resp_free(&r);
	model_resp_init(&r, A);
	assert_int_equal(feed_body(&r, "{\"content\":{}}"), -1);
	assert_string_equal(model_resp_error(&r),
	    "model response: content must be an array");
	model_resp_free(&r);
}

/* an OpenAI chunk: prefix, a JSON string of n bytes, suffix */
static char *
big_chunk(const char *tc_prefix, size_t n, const char *suffix)
{
	cJSON	*o, *s;
	char	*text, *out;
	size_t	 plen = strlen(tc_prefix);

	assert_non_null(text = malloc(n + 1));
	memset(text, 'x', n);
	text[n] = '\0';
	assert_non_null(s = cJSON_CreateString(text));
	free(text);
	assert_non_null(text = cJSON_PrintUnformatted(s));
	cJSON_Delete(s);
	/* tc_prefix ends where the string goes; close the rest */
	assert_non_null(out = malloc(plen + strlen(text) + 64));
	snprintf(out, plen + strlen(text) + 64, "%s%s%s", tc_prefix, text,
	    suffix);
	cJSON_free(text);
	assert_non_null(o = J(out));
	cJSON_Delete(o);
	return out;
}

static int
feed_str(struct model_resp *r, const char *s)
{
	return model_resp_event(r, "", s, strlen(s));
}

static void
test_bounds(void **state)
{
	static const char	 text_pfx[] =
	    "{\"choices\":[{\"delta\":{\"content\":";
	static const char	 args_pfx[] =
	    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
	    "\"function\":{\"arguments\":";
	struct model_resp	 r;
	char			*c, buf[512];
	size_t			 i;

	(void)state;
	/* text: 4 MiB exactly, then one byte more */
	model_resp_init(&r, MODEL_API_OPENAI);
	c = big_chunk(text_pfx, MODEL_TEXT_MAX / 4, "}}]}");
	for (i = 0; i < 4; i++)
		assert_int_equal(feed_str(&r, c), 0);
	free(c);
	assert_int_equal(r.text.len, MODEL_TEXT_MAX);
	c = big_chunk(text_pfx, 1, "}}]}");
	assert_int_equal(feed_str(&r, c), -1);
	free(c);
	assert_string_equal(model_resp_error(&r),
	    "model response: the text is longer than 4194304 bytes");
	model_resp_free(&r);

	/* arguments: 1 MiB exactly, then one byte more */
	model_resp_init(&r, MODEL_API_OPENAI);
	assert_int_equal(feed_str(&r, "{\"choices\":[{\"delta\":{\"tool_calls\":"
	    "[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"n\"}}]}}]}"), 0);
	c = big_chunk(args_pfx, MODEL_ARGS_MAX / 2, "}}]}}]}");
	assert_int_equal(feed_str(&r, c), 0);
	assert_int_equal(feed_str(&r, c), 0);
	free(c);
	assert_int_equal(r.calls[0].args.len, MODEL_ARGS_MAX);
	c = big_chunk(args_pfx, 1, "}}]}}]}");
	assert_int_equal(feed_str(&r, c), -1);
	free(c);
	assert_string_equal(model_resp_error(&r),
	    "model response: a tool call's arguments are longer than "
	    "1048576 bytes");
	model_resp_free(&r);

	/* 64 calls, not 65 */
	model_resp_init(&r, MODEL_API_OPENAI);
	for (i = 0; i < MODEL_CALLS_MAX; i++) {
		snprintf(buf, sizeof(buf), "{\"choices\":[{\"delta\":"
		    "{\"tool_calls\":[{\"index\":%zu,\"id\":\"c%zu\","
		    "\"function\":{\"name\":\"n\"}}]}}]}", i, i);
		assert_int_equal(feed_str(&r, buf), 0);
	}
	snprintf(buf, sizeof(buf), "{\"choices\":[{\"delta\":{\"tool_calls\":"
	    "[{\"index\":%d,\"id\":\"x\"}]}}]}", MODEL_CALLS_MAX);
	assert_int_equal(feed_str(&r, buf), -1);
	assert_string_equal(model_resp_error(&r),
	    "model response: more than 64 tool calls");
	model_resp_free(&r);
	model_resp_init(&r, MODEL_API_ANTHROPIC);
	for (i = 0; i <= MODEL_CALLS_MAX; i++) {
		snprintf(buf, sizeof(buf), "{\"type\":\"content_block_start\","
		    "\"index\":%zu,\"content_block\":{\"type\":\"tool_use\","
		    "\"id\":\"t%zu\",\"name\":\"n\",\"input\":{}}}", i, i);
		assert_int_equal(model_resp_event(&r, "content_block_start",
		    buf, strlen(buf)), i < MODEL_CALLS_MAX ? 0 : -1);
	}
	assert_string_equal(model_resp_error(&r),
	    "model response: more than 64 tool calls");
	model_resp_free(&r);

	/* an id of 256 bytes, then 257 */
	for (i = MODEL_ID_MAX; i <= MODEL_ID_MAX + 1; i++) {
		model_resp_init(&r, MODEL_API_OPENAI);
		snprintf(buf, sizeof(buf), "{\"choices\":[{\"delta\":"
		    "{\"tool_calls\":[{\"index\":0,\"id\":\"%0*d\"}]}}]}",
		    (int)i, 0);
		assert_int_equal(feed_str(&r, buf),
		    i == MODEL_ID_MAX ? 0 : -1);
		model_resp_free(&r);
	}
	/* token counts that make no sense are not taken */
	model_resp_init(&r, MODEL_API_OPENAI);
	assert_int_equal(feed_str(&r, "{\"choices\":[],\"usage\":"
	    "{\"prompt_tokens\":-1,\"completion_tokens\":1e300}}"), 0);
	assert_int_equal(r.input_tokens, -1);
	assert_int_equal(r.output_tokens, -1);
	model_resp_free(&r);
}

/* strcat that fails the test rather than overflow */
static void
strlcat_(char *dst, const char *src, size_t size)
{
	assert_true(strlen(dst) + strlen(src) < size);
	strcat(dst, src);
}

static void
http_error(int api, int status, const char *body, const char *want,
    int retry)
{
	char	 msg[MODEL_ERR_MAX];

	memset(msg, 'Z', sizeof(msg));
	assert_int_equal(model_http_error(api, status, body,
	    body != NULL ? strlen(body) : 0, msg, sizeof(msg)), retry);
	assert_string_equal(msg, want);
}

static void
test_http_errors(void **state)
{
	const int	 O = MODEL_API_OPENAI, A = MODEL_API_ANTHROPIC;
	const int	 F = MODEL_ERR_FATAL, R = MODEL_ERR_RETRY;
	char		 body[2048], want[512], msg[MODEL_ERR_MAX];
	size_t		 i;

	(void)state;
	http_error(A, 401, "{\"type\":\"error\",\"error\":{\"type\":"
	    "\"authentication_error\",\"message\":\"invalid x-api-key\"}}",
	    "model provider: 401 authentication_error: invalid x-api-key", F);
	http_error(A, 400, "{\"type\":\"error\",\"error\":{\"type\":"
	    "\"invalid_request_error\",\"message\":\"max_tokens: Field "
	    "required\"}}", "model provider: 400 invalid_request_error: "
	    "max_tokens: Field required", F);
	http_error(A, 403, "{\"type\":\"error\",\"error\":{\"type\":"
	    "\"permission_error\",\"message\":\"no\"}}",
	    "model provider: 403 permission_error: no", F);
	http_error(A, 404, "{\"type\":\"error\",\"error\":{\"type\":"
	    "\"not_found_error\",\"message\":\"model: claude-x\"}}",
	    "model provider: 404 not_found_error: model: claude-x", F);
	http_error(A, 413, "{\"type\":\"error\",\"error\":{\"type\":"
	    "\"request_too_large\",\"message\":\"Request exceeds the maximum "
	    "allowed number of bytes.\"}}", "model provider: 413 "
	    "request_too_large: Request exceeds the maximum allowed number of "
	    "bytes.", F);
	http_error(A, 429, "{\"type\":\"error\",\"error\":{\"type\":"
	    "\"rate_limit_error\",\"message\":\"slow down\"}}",
	    "model provider: 429 rate_limit_error: slow down", R);
	http_error(A, 500, "{\"type\":\"error\",\"error\":{\"type\":"
	    "\"api_error\",\"message\":\"Internal server error\"}}",
	    "model provider: 500 api_error: Internal server error", R);
	http_error(A, 529, "{\"type\":\"error\",\"error\":{\"type\":"
	    "\"overloaded_error\",\"message\":\"Overloaded\"}}",
	    "model provider: 529 overloaded_error: Overloaded", R);
	/* OpenAI echoes a masked key: none of it is repeated */
	http_error(O, 401, "{\"error\":{\"message\":\"Incorrect API key "
	    "provided: sk-proj-abc1***************************wxyz. You can "
	    "find your API key at https://platform.openai.com/account/"
	    "api-keys.\",\"type\":\"invalid_request_error\",\"param\":null,"
	    "\"code\":\"invalid_api_key\"}}",
	    "model provider: 401 invalid_request_error: Incorrect API key "
	    "provided: [redacted] You can find your API key at "
	    "https://platform.openai.com/account/api-keys.", F);
	http_error(O, 401, "{\"error\":{\"message\":\"bad token "
	    "AbCdEf0123456789AbCdEf0123 and sk_live_x and "
	    "0123456789abcdef0123456789abcdef01234567\",\"type\":null,"
	    "\"code\":\"invalid_api_key\"}}",
	    "model provider: 401 invalid_api_key: bad token [redacted] and "
	    "[redacted] and [redacted]", F);
	http_error(O, 429, "{\"error\":{\"message\":\"Rate limit reached\","
	    "\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}",
	    "model provider: 429 requests: Rate limit reached", R);
	http_error(O, 503, "<html><body>Service Unavailable</body></html>",
	    "model provider: 503 service unavailable", R);
	http_error(O, 502, NULL, "model provider: 502 bad gateway", R);
	http_error(O, 418, "", "model provider: 418 error", F);
	http_error(O, 404, "{\"error\":\"model \\\"llama3\\\" not found, try "
	    "pulling it first\"}", "model provider: 404 model \"llama3\" not "
	    "found, try pulling it first", F);
	http_error(O, 400, "{\"detail\":\"x\",\"message\":\"top-level\"}",
	    "model provider: 400 top-level", F);
	/* control bytes and non-ASCII become one '?', white space a space */
	http_error(O, 400, "{\"error\":{\"message\":\"a\\u0001b\\u001b[31mc"
	    "\\nd\\u00e9\\u4e16e\"}}", "model provider: 400 a?b?[31mc d?e", F);
	http_error(O, 408, "{}", "model provider: 408 request timeout", R);
	http_error(O, 0, "{}", "model provider: error", F);

	/* at most MODEL_DETAIL_MAX bytes of the provider's words */
	snprintf(body, sizeof(body), "{\"error\":{\"message\":\"");
	for (i = 0; i < 300; i++)
		strlcat_(body, "abc ", sizeof(body));
	strlcat_(body, "\"}}", sizeof(body));
	snprintf(want, sizeof(want), "model provider: 400 ");
	for (i = 0; i < MODEL_DETAIL_MAX / 4; i++)
		strlcat_(want, "abc ", sizeof(want));
	strlcat_(want, "...", sizeof(want));
	http_error(O, 400, body, want, F);

	/* a small buffer is cut, NUL-terminated */
	assert_int_equal(model_http_error(A, 529, "{}", 2, msg, 10), R);
	assert_string_equal(msg, "model pro");
	assert_int_equal(model_http_error(A, 400, "{}", 2, msg, 0), F);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openai_request),
		cmocka_unit_test(test_anthropic_request),
		cmocka_unit_test(test_request_errors),
		cmocka_unit_test(test_openai_stream_text),
		cmocka_unit_test(test_openai_stream_tools),
		cmocka_unit_test(test_openai_compat),
		cmocka_unit_test(test_openai_body),
		cmocka_unit_test(test_anthropic_stream),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_anthropic_body),
		cmocka_unit_test(test_stop_reasons),
		cmocka_unit_test(test_provider_errors),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_http_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
