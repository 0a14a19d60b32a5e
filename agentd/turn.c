/*
 * turn.c - the agent loop (trust zone "agentd").
 *
 * chat.send takes a message into a session and starts a run: the user
 * message is appended (durably) before the answer {runId, status:
 * "started"}; the run then builds the prompt (system prompt, the
 * session's transcript window, the tool list), fetches the provider's
 * API key from secretd, calls the model over HTTP(S) with a streaming
 * request, relays the text as it comes as OpenClaw `chat' and `agent'
 * events (operator.read), runs the tool calls, loops up to maxSteps, and
 * appends every message, call and result.  429, 5xx and 529 are retried
 * with backoff that honours Retry-After; 400 and 401 fail at once with
 * the provider's reason.  One run at a time per session; runs of other
 * sessions go on side by side, all on the event loop.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sodium.h>

#include "agentd.h"
#include "log.h"
#include "model.h"
#include "msgtypes.h"
#include "secretref.h"
#include "sessionkey.h"
#include "uuid.h"
#include "sse.h"

#define MSG_MAX		65536	/* a user message */
#define WINDOW		60	/* transcript records in a prompt */
#define STEPS_DEFAULT	8
#define RETRIES_DEFAULT	3
#define TIMEOUT_DEFAULT	60000
#define KEYCACHE_DEFAULT 30000
#define ERRBODY_MAX	65536
#define BACKOFF_MAX_MS	30000
#define WAITERS_MAX	64
#define EVENT_MAX	60000	/* IMSG_EVENT's payload */
#define DELTA_TEXT_MAX	16384	/* text carried by a delta event */
#define FINAL_TEXT_MAX	50000	/* text carried by the final event */

struct turn {
	TAILQ_ENTRY(turn)	 entry;
	char			 run[129];
	char			 session[SESSIONKEY_BUFSZ];
	char			 agent[SESSIONKEY_NAME_MAX + 1];
	int			 step, max_steps;
	int			 api;
	char			 model[200];
	char			 url[700];
	char			 key_ref[SECRETREF_SHORT_MAX];
	unsigned		 timeout_ms, key_cache_ms;
	int			 retries, attempt;
	char			*system;
	cJSON			*messages;
	cJSON			*tools;
	struct hc		*hc;
	struct sse		 sse;
	struct model_resp	 resp;
	int			 have_resp;
	size_t			 sent;		/* text relayed so far */
	int			 status;
	long			 retry_after_ms;
	char			*errbody;
	size_t			 errlen;
	struct event		*timer;
	int			 aborted;
	uint64_t		 seq;
	char			 neterr[160];	/* why no answer came */
	struct capability	 cap;	/* of whoever started the run */
	int			 pending;	/* callbacks still to come */
	int			 parse_failed;	/* the stream did not parse */
	int			 ended;		/* turn_end ran; free when
						 * pending drops to 0 */
};

static TAILQ_HEAD(, turn)	 turns = TAILQ_HEAD_INITIALIZER(turns);

struct waiter {
	TAILQ_ENTRY(waiter)	 entry;
	char			 run[129];
	char			 session[SESSIONKEY_BUFSZ];
	char			 model[80];	/* OpenAI's answer, or "" */
	struct rpc_deferred	*d;
	struct event		*timer;
};

static TAILQ_HEAD(, waiter)	 waiters = TAILQ_HEAD_INITIALIZER(waiters);

static void	turn_request(struct turn *);
static void	turn_end(struct turn *, const char *status, const char *err);

int
session_key_ok(const char *key)
{
	struct session_key	 k;
	const char		*err;

	return sessionkey_parse(key, &k, &err) == 0;
}

int
turn_active(const char *session)
{
	struct turn	*t;

	TAILQ_FOREACH(t, &turns, entry)
		if (strcmp(t->session, session) == 0)
			return 1;
	return 0;
}

/* ---- events to front, for sessions with operator.read ---- */

static void
emit(const char *event, cJSON *payload)
{
	struct cbuf	 cb;
	char		*s;

	s = cJSON_PrintUnformatted(payload);
	cJSON_Delete(payload);
	if (s == NULL)
		return;
	cb_init(&cb);
	cb_put_str(&cb, "operator.read");
	cb_put_str(&cb, event);
	cb_put_str(&cb, s);
	if (strlen(s) <= EVENT_MAX)
		child_send_peer(ROLE_FRONT, IMSG_EVENT, 0, -1, &cb);
	else
		log_warnx("%s event of %zu bytes not relayed", event, strlen(s));
	cb_free(&cb);
	cJSON_free(s);
}

/* the chat event with at most max bytes of text */
static cJSON *
chat_payload(struct turn *t, const char *state, const char *text,
    const char *error, size_t max)
{
	cJSON	*p = cJSON_CreateObject(), *m, *c, *part;
	char	*cut = NULL;

	cJSON_AddStringToObject(p, "runId", t->run);
	cJSON_AddStringToObject(p, "sessionKey", t->session);
	cJSON_AddNumberToObject(p, "seq", (double)t->seq);
	cJSON_AddStringToObject(p, "state", state);
	if (text != NULL) {
		if (strlen(text) > max) {
			/* the transcript has the whole text (memory_get) */
			cJSON_AddBoolToObject(p, "truncated", 1);
			if ((cut = strndup(text, max)) != NULL)
				text = cut;
		}
		m = cJSON_AddObjectToObject(p, "message");
		cJSON_AddStringToObject(m, "role", "assistant");
		c = cJSON_AddArrayToObject(m, "content");
		part = cJSON_CreateObject();
		cJSON_AddStringToObject(part, "type", "text");
		cJSON_AddStringToObject(part, "text", text);
		cJSON_AddItemToArray(c, part);
		free(cut);
	}
	if (error != NULL)
		cJSON_AddStringToObject(p, "errorMessage", error);
	return p;
}

static void
emit_chat(struct turn *t, const char *state, const char *text,
    const char *error)
{
	size_t	 max = strcmp(state, "final") == 0 ? FINAL_TEXT_MAX :
		    DELTA_TEXT_MAX;
	cJSON	*p;
	char	*s;

	t->seq++;
	/* escaping can grow text sixfold: cut until the event fits, so a
	 * final event always goes out */
	for (;;) {
		p = chat_payload(t, state, text, error, max);
		s = cJSON_PrintUnformatted(p);
		if (s == NULL || strlen(s) <= EVENT_MAX || max < 1024) {
			cJSON_free(s);
			break;
		}
		cJSON_free(s);
		cJSON_Delete(p);
		max /= 2;
	}
	emit("chat", p);
}

static void
emit_agent(struct turn *t, const char *stream, cJSON *data)
{
	cJSON	*p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "runId", t->run);
	cJSON_AddStringToObject(p, "sessionKey", t->session);
	cJSON_AddNumberToObject(p, "seq", (double)++t->seq);
	cJSON_AddStringToObject(p, "stream", stream);
	cJSON_AddNumberToObject(p, "ts", (double)now_ms());
	cJSON_AddItemToObject(p, "data", data);
	emit("agent", p);
}

/* ---- the configuration of a run ---- */

static const char *
cstr(const char *key, char *buf, size_t bufsz)
{
	cJSON	*v = config_value(key);

	buf[0] = '\0';
	if (cJSON_IsString(v))
		snprintf(buf, bufsz, "%s", v->valuestring);
	cJSON_Delete(v);
	return buf[0] ? buf : NULL;
}

static long
cnum(const char *key, long def)
{
	cJSON	*v = config_value(key);
	long	 n = cJSON_IsNumber(v) ? (long)v->valuedouble : def;

	cJSON_Delete(v);
	return n;
}

/* localhost, or an address in 127.0.0.0/8 or ::1; names are not trusted */
static int
host_is_loopback(const char *host)
{
	unsigned char	 a[16];

	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, host, a) == 1)
		return memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
	return 0;
}

/* 0, or -1 with why in err */
static int
turn_config(struct turn *t, char *err, size_t errsz)
{
	struct secretref	 r;
	const char		*e;
	char			 k[256], model[256], prov[80], base[600], api[32];
	char			 sys[256];
	cJSON			*key;
	char			*slash;

	snprintf(k, sizeof(k), "agents.%s.model", t->agent);
	if (cstr(k, model, sizeof(model)) == NULL &&
	    cstr("agents.defaults.model", model, sizeof(model)) == NULL) {
		snprintf(err, errsz, "no model configured for agent %s: set "
		    "agents.%s.model (or agents.defaults.model) to "
		    "\"provider/model\"", t->agent, t->agent);
		return -1;
	}
	slash = strchr(model, '/');
	snprintf(prov, sizeof(prov), "%.*s", (int)(slash - model), model);
	snprintf(t->model, sizeof(t->model), "%s", slash + 1);
	snprintf(k, sizeof(k), "models.providers.%s.baseUrl", prov);
	if (cstr(k, base, sizeof(base)) == NULL) {
		snprintf(err, errsz, "model provider %s has no baseUrl: set "
		    "models.providers.%s.baseUrl", prov, prov);
		return -1;
	}
	snprintf(k, sizeof(k), "models.providers.%s.api", prov);
	if (cstr(k, api, sizeof(api)) == NULL)
		snprintf(api, sizeof(api), "%s", strcmp(prov, "anthropic") ==
		    0 ? "anthropic" : "openai");
	t->api = strcmp(api, "anthropic") == 0 ? MODEL_API_ANTHROPIC :
	    MODEL_API_OPENAI;
	/* base URLs end at /v1, as OpenAI's and Anthropic's do */
	while (strlen(base) > 0 && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
	snprintf(t->url, sizeof(t->url), "%s%s", base,
	    t->api == MODEL_API_ANTHROPIC ? "/messages" : "/chat/completions");
	snprintf(k, sizeof(k), "models.providers.%s.apiKey", prov);
	key = config_value(k);
	t->key_ref[0] = '\0';
	if (key != NULL) {
		if ((cJSON_IsObject(key) ? secretref_from_json(key, &r, &e) :
		    cJSON_IsString(key) ? secretref_parse(key->valuestring, &r,
		    &e) : -1) == -1 || secretref_format(&r, t->key_ref,
		    sizeof(t->key_ref)) == -1) {
			cJSON_Delete(key);
			snprintf(err, errsz, "models.providers.%s.apiKey is not "
			    "a valid reference", prov);
			return -1;
		}
		cJSON_Delete(key);
	}
	/* an API key never crosses the network in clear */
	if (t->key_ref[0] != '\0') {
		struct url	 u;

		if (url_split(t->url, &u) == -1) {
			snprintf(err, errsz, "models.providers.%s.baseUrl is "
			    "not a valid URL", prov);
			return -1;
		}
		if (!u.tls && !host_is_loopback(u.host)) {
			snprintf(err, errsz, "models.providers.%s: an API key "
			    "is sent over https only (http:// is for loopback "
			    "servers)", prov);
			return -1;
		}
	}
	snprintf(k, sizeof(k), "models.providers.%s.timeoutMs", prov);
	t->timeout_ms = (unsigned)cnum(k, TIMEOUT_DEFAULT);
	snprintf(k, sizeof(k), "models.providers.%s.maxRetries", prov);
	t->retries = (int)cnum(k, RETRIES_DEFAULT);
	t->key_cache_ms = (unsigned)cnum("models.keyCacheMs",
	    KEYCACHE_DEFAULT);
	snprintf(k, sizeof(k), "agents.%s.maxSteps", t->agent);
	t->max_steps = (int)cnum(k, STEPS_DEFAULT);
	snprintf(k, sizeof(k), "agents.%s.systemPrompt", t->agent);
	{
		cJSON	*v = config_value(k);

		t->system = strdup(cJSON_IsString(v) ? v->valuestring :
		    "You are a helpful assistant running inside clawgate.");
		cJSON_Delete(v);
	}
	{
		/* the skills the run may load with skill_read */
		struct tool_ctx	 tc = { .cap = &t->cap, .agent = t->agent,
				    .session = t->session };
		char		*s;

		if (t->system != NULL &&
		    (s = skills_system(t->system, &tc)) != NULL) {
			free(t->system);
			t->system = s;
		}
	}
	(void)sys;
	return 0;
}

/* the transcript window as normalized messages */
static cJSON *
window(const char *session)
{
	cJSON		*hist = memory_history(session, WINDOW), *out, *m, *r;
	const cJSON	*kind, *text, *calls, *id;
	char		 buf[1200];

	out = cJSON_CreateArray();
	cJSON_ArrayForEach(r, hist) {
		kind = cJSON_GetObjectItemCaseSensitive(r, "kind");
		text = cJSON_GetObjectItemCaseSensitive(r, "text");
		if (!cJSON_IsString(kind))
			continue;
		m = cJSON_CreateObject();
		if (strcmp(kind->valuestring, "user") == 0) {
			cJSON_AddStringToObject(m, "role", "user");
			cJSON_AddStringToObject(m, "content", cJSON_IsString(
			    text) ? text->valuestring : "");
		} else if (strcmp(kind->valuestring, "assistant") == 0) {
			cJSON_AddStringToObject(m, "role", "assistant");
			cJSON_AddStringToObject(m, "content", cJSON_IsString(
			    text) ? text->valuestring : "");
			calls = cJSON_GetObjectItemCaseSensitive(r,
			    "tool_calls");
			if (cJSON_IsArray(calls) && cJSON_GetArraySize(calls))
				cJSON_AddItemToObject(m, "tool_calls",
				    cJSON_Duplicate(calls, 1));
		} else if (strcmp(kind->valuestring, "tool_result") == 0) {
			id = cJSON_GetObjectItemCaseSensitive(r,
			    "tool_call_id");
			cJSON_AddStringToObject(m, "role", "tool");
			cJSON_AddStringToObject(m, "tool_call_id",
			    cJSON_IsString(id) ? id->valuestring : "");
			cJSON_AddStringToObject(m, "content", cJSON_IsString(
			    text) ? text->valuestring : "");
			cJSON_AddBoolToObject(m, "is_error", cJSON_IsTrue(
			    cJSON_GetObjectItemCaseSensitive(r, "is_error")));
		} else if (strcmp(kind->valuestring, "system_event") == 0) {
			snprintf(buf, sizeof(buf), "[system event] %.1100s",
			    cJSON_IsString(text) ? text->valuestring : "");
			cJSON_AddStringToObject(m, "role", "system");
			cJSON_AddStringToObject(m, "content", buf);
		} else {
			cJSON_Delete(m);
			continue;
		}
		cJSON_AddItemToArray(out, m);
	}
	cJSON_Delete(hist);
	/* a window cut inside a tool exchange must not start with results */
	while ((m = cJSON_GetArrayItem(out, 0)) != NULL &&
	    strcmp(cJSON_GetObjectItem(m, "role")->valuestring, "tool") == 0)
		cJSON_DeleteItemFromArray(out, 0);
	return out;
}

/* ---- the model call ---- */

/* the struct goes once no callback can reach it any more */
static void
turn_reap(struct turn *t)
{
	if (t->ended && t->pending == 0)
		free(t);
}

/* after turn_end: callbacks that still come find t->ended set */
static void
turn_free(struct turn *t)
{
	TAILQ_REMOVE(&turns, t, entry);
	t->ended = 1;
	/* freeing the connection drops its request without a callback;
	 * freeing the timer cancels a retry */
	if (t->hc != NULL)
		hc_free(t->hc);
	t->hc = NULL;
	if (t->timer != NULL)
		event_free(t->timer);
	t->timer = NULL;
	if (t->have_resp) {
		model_resp_free(&t->resp);
		sse_free(&t->sse);
	}
	t->have_resp = 0;
	free(t->errbody);
	t->errbody = NULL;
	free(t->system);
	t->system = NULL;
	cJSON_Delete(t->messages);
	t->messages = NULL;
	cJSON_Delete(t->tools);
	t->tools = NULL;
	turn_reap(t);
}

static void
on_head(void *arg, int status, struct evkeyvalq *h)
{
	struct turn	*t = arg;
	const char	*ra;

	t->status = status;
	t->retry_after_ms = -1;
	if ((ra = evhttp_find_header(h, "retry-after")) != NULL &&
	    *ra >= '0' && *ra <= '9')
		t->retry_after_ms = strtol(ra, NULL, 10) * 1000;
}

static int
on_chunk(void *arg, const char *p, size_t n)
{
	struct turn	*t = arg;
	const char	*txt;
	size_t		 len;

	if (t->status != 200) {
		/* an error body: keep the start of it */
		if (t->errlen + n > ERRBODY_MAX)
			n = ERRBODY_MAX - t->errlen;
		if ((t->errbody = realloc(t->errbody, t->errlen + n + 1)) ==
		    NULL)
			fatalx("out of memory");
		memcpy(t->errbody + t->errlen, p, n);
		t->errlen += n;
		t->errbody[t->errlen] = '\0';
		return 0;
	}
	if (sse_feed(&t->sse, p, n, model_resp_sse, &t->resp) == -1) {
		/* a provider's error event, a limit, malformed JSON: say
		 * which, not "stopped" */
		t->parse_failed = 1;
		return -1;
	}
	txt = model_resp_text(&t->resp, &len);
	if (len > t->sent) {
		cJSON	*d = cJSON_CreateObject();
		char	*delta = strndup(txt + t->sent, len - t->sent);

		cJSON_AddStringToObject(d, "delta", delta ? delta : "");
		emit_agent(t, "assistant", d);
		if (len <= DELTA_TEXT_MAX)
			emit_chat(t, "delta", txt, NULL);
		free(delta);
		t->sent = len;
	}
	return 0;
}

static void
retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	turn_request(arg);
}

/* try again later if the budget allows: 1 if scheduled */
static int
retry(struct turn *t, long after_ms)
{
	struct timeval	 tv;
	long		 ms;

	if (t->attempt >= t->retries || t->aborted)
		return 0;
	ms = after_ms >= 0 ? after_ms : 500L << t->attempt;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	t->attempt++;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (t->timer == NULL && (t->timer = evtimer_new(self->base, retry_cb,
	    t)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(t->timer, &tv);
	log_info("run %s: model provider busy; retry %d in %ld ms", t->run,
	    t->attempt, ms);
	return 1;
}

static void
tools_step(struct turn *t)
{
	const struct model_call	*c;
	struct tool_ctx		 tc;
	cJSON			*rec, *calls, *call, *d;
	char			*out;
	size_t			 i;
	int			 is_error;

	memset(&tc, 0, sizeof(tc));
	tc.cap = &t->cap;
	tc.agent = t->agent;
	tc.session = t->session;

	/* the assistant's message with its calls, then each result */
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "kind", "assistant");
	cJSON_AddStringToObject(rec, "runId", t->run);
	cJSON_AddStringToObject(rec, "text", t->resp.text.s ? t->resp.text.s :
	    "");
	calls = cJSON_AddArrayToObject(rec, "tool_calls");
	for (i = 0; i < t->resp.ncalls; i++) {
		c = &t->resp.calls[i];
		call = cJSON_CreateObject();
		cJSON_AddStringToObject(call, "id", c->id.s ? c->id.s : "");
		cJSON_AddStringToObject(call, "name", c->name.s ? c->name.s :
		    "");
		cJSON_AddStringToObject(call, "arguments", c->args.s ?
		    c->args.s : "{}");
		cJSON_AddItemToArray(calls, call);
	}
	if (memory_append(t->session, t->agent, rec) == 0) {
		turn_end(t, "failed", "could not store the transcript");
		return;
	}
	for (i = 0; i < t->resp.ncalls; i++) {
		c = &t->resp.calls[i];
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "phase", "start");
		cJSON_AddStringToObject(d, "name", c->name.s);
		cJSON_AddStringToObject(d, "toolCallId", c->id.s ? c->id.s :
		    "");
		emit_agent(t, "tool", d);
		/* the same check as for a client: policy and the scope of
		 * whoever started the turn */
		out = tool_call(&tc, c->name.s, c->args.s, &is_error);
		rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "kind", "tool_result");
		cJSON_AddStringToObject(rec, "runId", t->run);
		cJSON_AddStringToObject(rec, "name", c->name.s);
		cJSON_AddStringToObject(rec, "tool_call_id", c->id.s ?
		    c->id.s : "");
		cJSON_AddStringToObject(rec, "text", out ? out : "");
		cJSON_AddBoolToObject(rec, "is_error", is_error);
		free(out);
		if (memory_append(t->session, t->agent, rec) == 0) {
			turn_end(t, "failed", "could not store the transcript");
			return;
		}
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "phase", "result");
		cJSON_AddStringToObject(d, "name", c->name.s);
		cJSON_AddBoolToObject(d, "isError", is_error);
		emit_agent(t, "tool", d);
	}
	if (++t->step >= t->max_steps) {
		turn_end(t, "failed", "the run reached its step limit "
		    "(agents.<id>.maxSteps)");
		return;
	}
	t->attempt = 0;
	turn_request(t);
}

/* the answer is complete (or failed): from the event loop, not evhttp */
static void
answered(evutil_socket_t fd, short ev, void *arg)
{
	struct turn	*t = arg;
	const char	*err;
	char		 msg[MODEL_ERR_MAX];
	cJSON		*rec;
	int		 kind;

	(void)fd;
	(void)ev;
	t->pending--;
	if (t->ended) {
		turn_reap(t);
		return;
	}
	hc_free(t->hc);
	t->hc = NULL;
	if (t->status == 0) {
		if (!retry(t, -1))
			turn_end(t, "failed", t->neterr[0] ? t->neterr :
			    "model provider unreachable");
		return;
	}
	if (t->status != 200) {
		kind = model_http_error(t->api, t->status, t->errbody ?
		    t->errbody : "", t->errlen, msg, sizeof(msg));
		if (kind == MODEL_ERR_RETRY && retry(t, t->retry_after_ms))
			return;
		turn_end(t, "failed", msg);
		return;
	}
	if ((err = model_resp_error(&t->resp)) != NULL ||
	    (err = sse_error(&t->sse)) != NULL) {
		if (t->resp.retryable && retry(t, -1))
			return;
		turn_end(t, "failed", err);
		return;
	}
	if (!t->resp.done) {
		turn_end(t, "failed", "model provider: the stream ended before "
		    "the answer did");
		return;
	}
	if (t->resp.finish == MODEL_FINISH_TOOL_CALLS && t->resp.ncalls > 0) {
		tools_step(t);
		return;
	}
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "kind", "assistant");
	cJSON_AddStringToObject(rec, "runId", t->run);
	cJSON_AddStringToObject(rec, "text", t->resp.text.s ? t->resp.text.s :
	    "");
	cJSON_AddStringToObject(rec, "finish", model_finish_name(
	    t->resp.finish));
	if (t->resp.input_tokens > 0)
		cJSON_AddNumberToObject(rec, "inputTokens",
		    (double)t->resp.input_tokens);
	if (t->resp.output_tokens > 0)
		cJSON_AddNumberToObject(rec, "outputTokens",
		    (double)t->resp.output_tokens);
	if (memory_append(t->session, t->agent, rec) == 0) {
		turn_end(t, "failed", "could not store the transcript");
		return;
	}
	emit_chat(t, "final", t->resp.text.s ? t->resp.text.s : "", NULL);
	turn_end(t, "done", NULL);
}

static void
on_done(void *arg, int status, const char *err)
{
	struct turn	*t = arg;
	struct timeval	 zero = { 0, 0 };

	t->neterr[0] = '\0';
	if (t->parse_failed) {
		/* answered() reads why from the parser */
		t->status = 200;
	} else if (err != NULL) {
		/* no answer, or cut off mid-stream */
		snprintf(t->neterr, sizeof(t->neterr), "%s", err);
		t->status = 0;
	} else
		t->status = status;
	t->pending++;
	if (event_base_once(self->base, -1, EV_TIMEOUT, answered, t, &zero) ==
	    -1)
		fatalx("event_base_once");
}

static void
send_request(struct turn *t, const char *key, size_t keylen)
{
	struct model_req	 req;
	struct hc_header	 h[2];
	char			*body, auth[600];
	const char		*err;
	size_t			 nh = 0;

	memset(&req, 0, sizeof(req));
	req.api = t->api;
	req.model = t->model;
	req.system = t->system;
	req.messages = t->messages;
	req.tools = cJSON_GetArraySize(t->tools) > 0 ? t->tools : NULL;
	req.max_tokens = 1024;
	req.stream = 1;
	if ((body = model_request_body(&req, &err)) == NULL) {
		turn_end(t, "failed", err);
		return;
	}
	if (key != NULL && keylen + 8 < sizeof(auth)) {
		if (t->api == MODEL_API_ANTHROPIC) {
			snprintf(auth, sizeof(auth), "%s", key);
			h[nh].name = "x-api-key";
		} else {
			snprintf(auth, sizeof(auth), "Bearer %s", key);
			h[nh].name = "Authorization";
		}
		h[nh++].value = auth;
	}
	if (t->api == MODEL_API_ANTHROPIC) {
		h[nh].name = "anthropic-version";
		h[nh++].value = "2023-06-01";
	}
	if (t->have_resp) {
		model_resp_free(&t->resp);
		sse_free(&t->sse);
	}
	model_resp_init(&t->resp, t->api);
	sse_init(&t->sse);
	t->have_resp = 1;
	t->sent = 0;
	t->status = 0;
	t->parse_failed = 0;
	free(t->errbody);
	t->errbody = NULL;
	t->errlen = 0;
	t->hc = hc_post(t->url, h, nh, body, strlen(body), t->timeout_ms,
	    on_head, on_chunk, on_done, t, &err);
	sodium_memzero(auth, sizeof(auth));
	cJSON_free(body);
	if (t->hc == NULL)
		turn_end(t, "failed", err);
}

static void
got_key(void *arg, const char *value, size_t len, const char *err)
{
	struct turn	*t = arg;
	char		 msg[400];

	t->pending--;
	if (t->ended) {
		turn_reap(t);
		return;
	}
	if (err != NULL) {
		snprintf(msg, sizeof(msg), "the model provider's API key: %s",
		    err);
		turn_end(t, "failed", msg);
		return;
	}
	send_request(t, value, len);
}

static void
turn_request(struct turn *t)
{
	cJSON_Delete(t->messages);
	t->messages = window(t->session);
	if (t->key_ref[0] != '\0') {
		t->pending++;
		keys_fetch(t->key_ref, t->key_cache_ms, got_key, t);
	}
	else
		send_request(t, NULL, 0);
}

/* ---- runs: start, end, wait, abort ---- */

/* the run's answer as an OpenAI chat.completion (o: the run, consumed) */
static void
openai_reply(struct waiter *w, cJSON *o)
{
	const cJSON	*st = cJSON_GetObjectItem(o, "status"), *e, *r;
	cJSON		*hist, *a, *ch, *c, *m;
	const char	*text = NULL;

	if (!cJSON_IsString(st) || strcmp(st->valuestring, "done") != 0) {
		e = cJSON_GetObjectItem(o, "error");
		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "code", "UNAVAILABLE");
		cJSON_AddStringToObject(a, "message", cJSON_IsString(e) ?
		    e->valuestring : "the run did not finish");
		cJSON_Delete(o);
		rpc_reply(w->d, 0, a);
		return;
	}
	cJSON_Delete(o);
	hist = memory_history(w->session, 20);
	cJSON_ArrayForEach(r, hist) {
		e = cJSON_GetObjectItem(r, "runId");
		if (cJSON_IsString(e) && strcmp(e->valuestring, w->run) == 0 &&
		    strcmp(cJSON_GetObjectItem(r, "kind")->valuestring,
		    "assistant") == 0 && cJSON_IsString(cJSON_GetObjectItem(r,
		    "text")))
			text = cJSON_GetObjectItem(r, "text")->valuestring;
	}
	a = cJSON_CreateObject();
	{
		char	 id[160];

		snprintf(id, sizeof(id), "chatcmpl-%s", w->run);
		cJSON_AddStringToObject(a, "id", id);
	}
	cJSON_AddStringToObject(a, "object", "chat.completion");
	cJSON_AddNumberToObject(a, "created", (double)(now_ms() / 1000));
	cJSON_AddStringToObject(a, "model", w->model);
	ch = cJSON_AddArrayToObject(a, "choices");
	c = cJSON_CreateObject();
	cJSON_AddNumberToObject(c, "index", 0);
	m = cJSON_AddObjectToObject(c, "message");
	cJSON_AddStringToObject(m, "role", "assistant");
	cJSON_AddStringToObject(m, "content", text ? text : "");
	cJSON_AddStringToObject(c, "finish_reason", "stop");
	cJSON_AddItemToArray(ch, c);
	cJSON_Delete(hist);
	rpc_reply(w->d, 1, a);
}

static void
wake_waiters(const char *run)
{
	struct waiter	*w, *next;
	cJSON		*o;

	for (w = TAILQ_FIRST(&waiters); w != NULL; w = next) {
		next = TAILQ_NEXT(w, entry);
		if (strcmp(w->run, run) != 0)
			continue;
		TAILQ_REMOVE(&waiters, w, entry);
		o = memory_run_get(run);
		if (w->model[0] != '\0')
			openai_reply(w, o);
		else
			rpc_reply(w->d, 1, o ? o : cJSON_CreateObject());
		event_free(w->timer);
		free(w);
	}
}

static void
turn_end(struct turn *t, const char *status, const char *err)
{
	cJSON	*rec;
	char	 run[129];

	if (err != NULL) {
		log_info("run %s failed: %s", t->run, err);
		rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "kind", "system_event");
		cJSON_AddStringToObject(rec, "runId", t->run);
		cJSON_AddStringToObject(rec, "text", err);
		memory_append(t->session, t->agent, rec);
		emit_chat(t, strcmp(status, "aborted") == 0 ? "aborted" :
		    "error", NULL, err);
	}
	memory_run_set(t->run, t->session, status, err);
	{
		cJSON	*d = cJSON_CreateObject();

		cJSON_AddStringToObject(d, "phase", "end");
		cJSON_AddStringToObject(d, "status", status);
		emit_agent(t, "lifecycle", d);
	}
	snprintf(run, sizeof(run), "%s", t->run);
	turn_free(t);
	wake_waiters(run);
}

static void
start_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct turn	*t = arg;
	char		 err[400];
	cJSON		*d;

	(void)fd;
	(void)ev;
	t->pending--;
	if (t->ended) {
		turn_reap(t);
		return;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "phase", "start");
	emit_agent(t, "lifecycle", d);
	if (turn_config(t, err, sizeof(err)) == -1) {
		turn_end(t, "failed", err);
		return;
	}
	turn_request(t);
}

static const char *
pstr(const cJSON *p, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(p, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *
fail(int *ok, const char *code, const char *msg, const char *detail)
{
	cJSON	*e = cJSON_CreateObject(), *d;

	*ok = 0;
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	if (detail != NULL) {
		d = cJSON_AddObjectToObject(e, "details");
		cJSON_AddStringToObject(d, "code", detail);
	}
	return e;
}

cJSON *
m_chat_send(const struct capability *cap, const cJSON *params, int *ok)
{
	struct session_key	 sk;
	struct turn		*t;
	struct timeval		 zero = { 0, 0 };
	const char		*key = pstr(params, "sessionKey");
	const char		*msg = pstr(params, "message");
	const char		*idem = pstr(params, "idempotencyKey"), *err;
	char			 run[129];
	cJSON			*o, *prev, *rec;

	if (key == NULL)
		return fail(ok, "INVALID_REQUEST", "chat.send needs a "
		    "sessionKey", "SESSION_MUTATION_TARGET_REQUIRED");
	if (sessionkey_parse(key, &sk, &err) == -1)
		return fail(ok, "INVALID_REQUEST", err, NULL);
	if (msg == NULL || msg[0] == '\0' || strlen(msg) > MSG_MAX)
		return fail(ok, "INVALID_REQUEST", "chat.send needs a message "
		    "(at most 64 KiB)", NULL);
	if (idem != NULL && (idem[0] == '\0' || strlen(idem) > 128))
		return fail(ok, "INVALID_REQUEST", "idempotencyKey: 1 to 128 "
		    "characters", NULL);
	if (idem != NULL)
		snprintf(run, sizeof(run), "%s", idem);
	else
		uuid_v4(run, sizeof(run));
	/* the same request again: the same run, not a second one */
	if ((prev = memory_run_get(run)) != NULL) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "runId", run);
		cJSON_AddStringToObject(o, "status", cJSON_IsString(
		    cJSON_GetObjectItem(prev, "status")) ?
		    cJSON_GetObjectItem(prev, "status")->valuestring : "started");
		cJSON_Delete(prev);
		*ok = 1;
		return o;
	}
	if (turn_active(key)) {
		o = fail(ok, "UNAVAILABLE", "a turn is running in this "
		    "session; wait for it or abort it", NULL);
		cJSON_AddBoolToObject(o, "retryable", 1);
		return o;
	}
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "kind", "user");
	cJSON_AddStringToObject(rec, "runId", run);
	cJSON_AddStringToObject(rec, "text", msg);
	cJSON_AddStringToObject(rec, "from", cap->principal);
	if (memory_run_set(run, key, "running", NULL) == -1 ||
	    memory_append(key, sk.agent[0] ? sk.agent : "main", rec) == 0)
		return fail(ok, "UNAVAILABLE", "could not store the message",
		    NULL);
	if ((t = calloc(1, sizeof(*t))) == NULL)
		fatalx("out of memory");
	snprintf(t->run, sizeof(t->run), "%s", run);
	snprintf(t->session, sizeof(t->session), "%s", key);
	snprintf(t->agent, sizeof(t->agent), "%s", sk.agent[0] ? sk.agent :
	    "main");
	t->cap = *cap;
	{
		struct tool_ctx	 tc;

		memset(&tc, 0, sizeof(tc));
		tc.cap = &t->cap;
		tc.agent = t->agent;
		tc.session = t->session;
		/* the model is offered only what this caller may call */
		t->tools = tools_effective(&tc);
	}
	TAILQ_INSERT_TAIL(&turns, t, entry);
	t->pending++;
	if (event_base_once(self->base, -1, EV_TIMEOUT, start_cb, t,
	    &zero) == -1)
		fatalx("event_base_once");
	child_audit("chat-send", cap->principal, key, "started", run);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "runId", run);
	cJSON_AddStringToObject(o, "status", "started");
	*ok = 1;
	return o;
}

cJSON *
m_chat_abort(const struct capability *cap, const cJSON *params, int *ok)
{
	struct turn	*t;
	const char	*key = pstr(params, "sessionKey");
	const char	*run = pstr(params, "runId");
	cJSON		*o;

	TAILQ_FOREACH(t, &turns, entry)
		if ((run != NULL && strcmp(t->run, run) == 0) ||
		    (run == NULL && key != NULL && strcmp(t->session, key) == 0))
			break;
	o = cJSON_CreateObject();
	if (t == NULL) {
		cJSON_AddBoolToObject(o, "aborted", 0);
		*ok = 1;
		return o;
	}
	cJSON_AddStringToObject(o, "runId", t->run);
	cJSON_AddBoolToObject(o, "aborted", 1);
	child_audit("chat-abort", cap->principal, t->session, "ok", t->run);
	t->aborted = 1;
	turn_end(t, "aborted", "aborted by the operator");
	*ok = 1;
	return o;
}

static void
wait_timeout(evutil_socket_t fd, short ev, void *arg)
{
	struct waiter	*w = arg;
	cJSON		*o;

	(void)fd;
	(void)ev;
	TAILQ_REMOVE(&waiters, w, entry);
	o = cJSON_CreateObject();
	if (w->model[0] != '\0') {
		cJSON_AddStringToObject(o, "code", "UNAVAILABLE");
		cJSON_AddStringToObject(o, "message", "the run is still going; "
		    "see chat.history");
		rpc_reply(w->d, 0, o);
	} else {
		cJSON_AddStringToObject(o, "runId", w->run);
		cJSON_AddStringToObject(o, "status", "timeout");
		rpc_reply(w->d, 1, o);
	}
	event_free(w->timer);
	free(w);
}

cJSON *
m_agent_wait(const struct capability *cap, const cJSON *params, int *ok)
{
	struct waiter	*w;
	struct timeval	 tv;
	const char	*run = pstr(params, "runId");
	const cJSON	*to = cJSON_GetObjectItemCaseSensitive(params,
			    "timeoutMs");
	cJSON		*o, *st;
	long		 ms = cJSON_IsNumber(to) ? (long)to->valuedouble : 30000;
	int		 n = 0;

	(void)cap;
	if (run == NULL || strlen(run) > 128)
		return fail(ok, "INVALID_REQUEST", "agent.wait needs a runId",
		    NULL);
	if ((o = memory_run_get(run)) == NULL)
		return fail(ok, "INVALID_REQUEST", "unknown runId", NULL);
	st = cJSON_GetObjectItem(o, "status");
	if (!cJSON_IsString(st) || strcmp(st->valuestring, "running") != 0) {
		*ok = 1;
		return o;
	}
	cJSON_Delete(o);
	TAILQ_FOREACH(w, &waiters, entry)
		n++;
	if (n >= WAITERS_MAX || ms <= 0 || ms > 600000)
		return fail(ok, "INVALID_REQUEST", n >= WAITERS_MAX ? "too "
		    "many waiters" : "timeoutMs: 1 to 600000", NULL);
	if ((w = calloc(1, sizeof(*w))) == NULL)
		fatalx("out of memory");
	snprintf(w->run, sizeof(w->run), "%s", run);
	if ((w->d = rpc_defer()) == NULL) {
		free(w);
		return fail(ok, "INVALID_REQUEST", "agent.wait is for the "
		    "WebSocket", NULL);
	}
	if ((w->timer = evtimer_new(self->base, wait_timeout, w)) == NULL)
		fatalx("evtimer_new");
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(w->timer, &tv);
	TAILQ_INSERT_TAIL(&waiters, w, entry);
	*ok = -1;	/* answered later */
	return NULL;
}

/*
 * POST /v1/chat/completions (opt-in: config http.chatCompletions): the
 * last user message of an OpenAI request becomes a turn of the agent
 * that "openclaw/<agentId>" names, in its session agent:<id>:openai;
 * the answer comes when the run ends.  Not streamed.
 */
cJSON *
m_v1_chat(const struct capability *cap, const cJSON *params, int *ok)
{
	struct waiter	*w;
	struct timeval	 tv = { 110, 0 };
	const cJSON	*msgs, *m, *role, *content, *model, *st;
	cJSON		*on, *p, *r;
	char		 agent[SESSIONKEY_NAME_MAX + 1], key[SESSIONKEY_BUFSZ];
	const char	*text = NULL;

	on = config_value("http.chatCompletions");
	if (!cJSON_IsTrue(on)) {
		cJSON_Delete(on);
		return fail(ok, "NOT_FOUND", "the OpenAI-compatible endpoint is "
		    "off (clawctl config set http.chatCompletions true)", NULL);
	}
	cJSON_Delete(on);
	st = cJSON_GetObjectItemCaseSensitive(params, "stream");
	if (cJSON_IsTrue(st))
		return fail(ok, "INVALID_REQUEST", "stream: true is not "
		    "supported here; use the WebSocket chat events", NULL);
	model = cJSON_GetObjectItemCaseSensitive(params, "model");
	if (!cJSON_IsString(model) || strncmp(model->valuestring, "openclaw",
	    8) != 0 || (model->valuestring[8] != '\0' &&
	    model->valuestring[8] != '/') || strlen(model->valuestring) > 70)
		return fail(ok, "INVALID_REQUEST", "model must be "
		    "\"openclaw/<agentId>\"", NULL);
	snprintf(agent, sizeof(agent), "%s", model->valuestring[8] == '/' ?
	    model->valuestring + 9 : "main");
	msgs = cJSON_GetObjectItemCaseSensitive(params, "messages");
	cJSON_ArrayForEach(m, msgs) {
		role = cJSON_GetObjectItemCaseSensitive(m, "role");
		content = cJSON_GetObjectItemCaseSensitive(m, "content");
		if (cJSON_IsString(role) && strcmp(role->valuestring,
		    "user") == 0 && cJSON_IsString(content))
			text = content->valuestring;
	}
	if (text == NULL)
		return fail(ok, "INVALID_REQUEST", "messages needs a user "
		    "message with text content", NULL);
	/* one session per caller: callers do not share transcripts */
	{
		unsigned char	 h[crypto_generichash_BYTES_MIN];
		char		 hex[2 * sizeof(h) + 1];

		crypto_generichash(h, sizeof(h), (const unsigned char *)
		    cap->principal, strlen(cap->principal), NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		snprintf(key, sizeof(key), "agent:%s:openai-%.16s", agent, hex);
	}
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "sessionKey", key);
	cJSON_AddStringToObject(p, "message", text);
	r = m_chat_send(cap, p, ok);
	cJSON_Delete(p);
	if (!*ok)
		return r;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		fatalx("out of memory");
	snprintf(w->run, sizeof(w->run), "%s",
	    cJSON_GetObjectItem(r, "runId")->valuestring);
	snprintf(w->session, sizeof(w->session), "%s", key);
	snprintf(w->model, sizeof(w->model), "%s", model->valuestring);
	cJSON_Delete(r);
	if ((w->d = rpc_defer()) == NULL) {
		free(w);
		return fail(ok, "INVALID_REQUEST", "not here", NULL);
	}
	if ((w->timer = evtimer_new(self->base, wait_timeout, w)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(w->timer, &tv);
	TAILQ_INSERT_TAIL(&waiters, w, entry);
	*ok = -1;
	return NULL;
}
