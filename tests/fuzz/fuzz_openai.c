/*
 * fuzz_openai.c - libFuzzer harness for the OpenAI Chat Completions wire
 * format (agentd/model_openai.c and model_wire.c, behind agentd/sse.c;
 * agentd parses model providers' answers, trust zone "agentd").
 * fuzz_anthropic.c includes this file with FUZZ_API set to Anthropic.
 *
 * The first byte picks what the rest is:
 *
 *	0	an SSE stream: through the parser into an answer, fed whole
 *		and cut at a point the second byte picks, which must agree;
 *	1	a whole non-streaming body;
 *	2	a conversation ({"system","messages","tools"} or an array of
 *		messages) made into request bodies for both APIs;
 *	3	an HTTP status (two bytes) and an error body.
 *
 * Answers must stay within their bounds, fail with a printable message
 * and stay failed, and, when done, have calls with an id, a name and
 * arguments (Anthropic: a JSON object), and make a message that goes
 * back into a request.  Error messages must start with "model
 * provider: ", be printable, short, and repeat no key-like word.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "model.h"
#include "sse.h"

#ifndef FUZZ_API
#define FUZZ_API	MODEL_API_OPENAI
#endif

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_msg(const char *m, const char *pfx)
{
	size_t	 i, n;

	if (m == NULL || strncmp(m, pfx, strlen(pfx)) != 0 ||
	    (n = strlen(m)) >= MODEL_ERR_MAX)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)m[i] < 0x20 || (unsigned char)m[i] >= 0x7f)
			abort();
}

static int
alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* no run of 24 letters and digits with a digit, no word "sk-..." */
static void
check_redacted(const char *m)
{
	size_t	 i, run = 0;
	int	 digit = 0, alpha = 0;
	const char *p;

	for (i = 0; m[i] != '\0'; i++) {
		if (!alnum((unsigned char)m[i])) {
			run = 0;
			digit = alpha = 0;
			continue;
		}
		run++;
		if (m[i] >= '0' && m[i] <= '9')
			digit = 1;
		else
			alpha = 1;
		if (run >= 24 && digit && alpha)
			abort();
	}
	for (p = m; (p = strstr(p, "sk-")) != NULL; p++)
		if (p == m || !(alnum((unsigned char)p[-1]) ||
		    strchr("_-+/=.*~", p[-1]) != NULL))
			abort();
}

static void
check_resp(struct model_resp *r, int rv)
{
	const struct model_call	*c;
	cJSON			*m;
	size_t			 i;

	if (rv == -1) {
		check_msg(model_resp_error(r), "model ");
		if (model_resp_event(r, "", "{}", 2) != -1 ||
		    model_resp_body(r, "{}", 2) != -1)
			abort();
		if (r->finish == MODEL_FINISH_ERROR)
			check_redacted(r->err);
	} else if (rv != 0 || model_resp_error(r) != NULL)
		abort();
	if (r->text.len > MODEL_TEXT_MAX || r->ncalls > MODEL_CALLS_MAX ||
	    r->finish < MODEL_FINISH_NONE || r->finish > MODEL_FINISH_OTHER ||
	    strlen(r->reason) >= MODEL_REASON_MAX ||
	    strlen(model_resp_text(r, NULL)) > r->text.len)
		abort();
	for (i = 0; i < r->ncalls; i++) {
		c = &r->calls[i];
		if (c->args.len > MODEL_ARGS_MAX || c->id.len > MODEL_ID_MAX ||
		    c->name.len > MODEL_ID_MAX)
			abort();
		if (rv == 0 && r->done && (c->id.len == 0 ||
		    c->name.len == 0 || c->args.len == 0))
			abort();
	}
	if ((m = model_resp_message(r)) == NULL)
		abort();
	cJSON_Delete(m);
}

/* a done answer goes back into a request */
static void
check_again(const struct model_resp *r)
{
	struct model_req	 q;
	const char		*err = NULL;
	cJSON			*msgs, *o;

	if (!r->done || model_resp_error(r) != NULL)
		return;
	if ((msgs = cJSON_CreateArray()) == NULL)
		abort();
	cJSON_AddItemToArray(msgs, model_resp_message(r));
	memset(&q, 0, sizeof(q));
	q.api = MODEL_API_ANTHROPIC;
	q.model = "m";
	q.messages = msgs;
	q.max_tokens = 1;
	o = model_request(&q, &err);
	if (o == NULL && (r->api == MODEL_API_ANTHROPIC ||
	    strcmp(err, "model request: a tool call's arguments must be a "
	    "JSON object") != 0))
		abort();
	cJSON_Delete(o);
	q.api = MODEL_API_OPENAI;
	if ((o = model_request(&q, &err)) == NULL)
		abort();
	cJSON_Delete(o);
	cJSON_Delete(msgs);
}

static int
feed(struct model_resp *r, const char *s, size_t len, size_t cut)
{
	struct sse	 p;
	int		 rv;

	sse_init(&p);
	rv = sse_feed(&p, s, cut, model_resp_sse, r);
	if (rv == 0)
		rv = sse_feed(&p, s + cut, len - cut, model_resp_sse, r);
	if (rv == -1 && sse_error(&p) == NULL)
		abort();
	sse_free(&p);
	return rv;
}

static int
same_call(const struct model_call *a, const struct model_call *b)
{
	return a->id.len == b->id.len && a->name.len == b->name.len &&
	    a->args.len == b->args.len &&
	    (a->args.len == 0 || memcmp(a->args.s, b->args.s,
	    a->args.len) == 0);
}

static void
stream(const char *s, size_t len, size_t cut)
{
	struct model_resp	 a, b;
	size_t			 i;
	int			 ra, rb;

	model_resp_init(&a, FUZZ_API);
	model_resp_init(&b, FUZZ_API);
	ra = feed(&a, s, len, 0);
	rb = feed(&b, s, len, cut > len ? len : cut);
	check_resp(&a, model_resp_error(&a) != NULL ? -1 : 0);
	check_resp(&b, model_resp_error(&b) != NULL ? -1 : 0);
	if (ra != rb || a.done != b.done || a.finish != b.finish ||
	    a.ncalls != b.ncalls || a.text.len != b.text.len ||
	    strcmp(a.err, b.err) != 0 || a.input_tokens != b.input_tokens ||
	    a.output_tokens != b.output_tokens)
		abort();
	for (i = 0; i < a.ncalls; i++)
		if (!same_call(&a.calls[i], &b.calls[i]))
			abort();
	check_again(&a);
	model_resp_free(&a);
	model_resp_free(&b);
}

static void
body(const char *s, size_t len)
{
	struct model_resp	 r;

	model_resp_init(&r, FUZZ_API);
	check_resp(&r, model_resp_body(&r, s, len));
	if (model_resp_error(&r) == NULL && !r.done)
		abort();
	check_again(&r);
	model_resp_free(&r);
}

static void
request(const char *s, size_t len, int stream_flag)
{
	struct model_req	 q;
	const char		*err = NULL;
	const cJSON		*sys;
	cJSON			*j, *o;
	char			*out;
	int			 api;

	if ((j = cJSON_ParseWithLength(s, len)) == NULL)
		return;
	memset(&q, 0, sizeof(q));
	q.model = "m";
	q.max_tokens = stream_flag ? 0 : 100;
	q.stream = stream_flag;
	if (cJSON_IsArray(j))
		q.messages = j;
	else {
		q.messages = cJSON_GetObjectItemCaseSensitive(j, "messages");
		q.tools = cJSON_GetObjectItemCaseSensitive(j, "tools");
		sys = cJSON_GetObjectItemCaseSensitive(j, "system");
		if (cJSON_IsString(sys))
			q.system = sys->valuestring;
	}
	for (api = MODEL_API_OPENAI; api <= MODEL_API_ANTHROPIC; api++) {
		q.api = api;
		err = NULL;
		if ((out = model_request_body(&q, &err)) == NULL) {
			check_msg(err, "model");
			if (strstr(err, "model request: ") != err &&
			    strcmp(err, "model: out of memory") != 0)
				abort();
			continue;
		}
		if ((o = cJSON_Parse(out)) == NULL || !cJSON_IsObject(o) ||
		    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o,
		    "messages")))
			abort();
		cJSON_Delete(o);
		cJSON_free(out);
	}
	cJSON_Delete(j);
}

static void
http(const uint8_t *d, size_t len)
{
	char	 msg[MODEL_ERR_MAX];
	int	 status, rv;

	if (len < 2)
		return;
	status = d[0] << 8 | d[1];
	rv = model_http_error(FUZZ_API, status, (const char *)d + 2, len - 2,
	    msg, sizeof(msg));
	if (rv != MODEL_ERR_FATAL && rv != MODEL_ERR_RETRY)
		abort();
	check_msg(msg, "model provider: ");
	check_redacted(msg);
	if (status == 429 || (status >= 500 && status <= 599))
		if (rv != MODEL_ERR_RETRY)
			abort();
	if (status == 401 || status == 403 || status == 404)
		if (rv != MODEL_ERR_FATAL && strstr(msg, "overloaded_error") ==
		    NULL)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data + 1;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		if (size >= 2)
			stream(s + 1, size - 2, data[1] * 7);
		break;
	case 1:
		body(s, size - 1);
		break;
	case 2:
		request(s, size - 1, data[0] & 4);
		break;
	default:
		http(data + 1, size - 1);
	}
	return 0;
}
