/*
 * model.h - the wire formats of the model providers that agentd's model
 * client calls (trust zone "agentd"): request bodies, answers (one JSON
 * body or a stream of server-sent events) and HTTP error bodies, for
 *
 *	MODEL_API_OPENAI	OpenAI Chat Completions, which Ollama (/v1),
 *				llama.cpp, vLLM and LM Studio also speak
 *	MODEL_API_ANTHROPIC	Anthropic Messages
 *
 * Pure code: no I/O, no logging, no global state.  Everything a provider
 * sends is untrusted: sizes are bounded, malformed JSON is an error, and
 * an error message copies at most MODEL_DETAIL_MAX printable bytes of
 * the provider's message, with any word that looks like a key or token
 * replaced by "[redacted]".
 *
 * The conversation is a cJSON array of normalized messages, the form in
 * which agentd keeps transcripts:
 *
 *	{"role":"system","content":"..."}
 *	{"role":"user","content":"..."}
 *	{"role":"assistant","content":"...",		content may be "",
 *	 "tool_calls":[{"id":"call_1","name":"get_weather",  null or absent
 *			"arguments":"{\"location\":\"Paris\"}"}]}
 *	{"role":"tool","tool_call_id":"call_1","content":"...",
 *	 "is_error":false}				is_error optional
 *
 * "arguments" is JSON text, as OpenAI sends it; "" or absent means {}.
 * Tools are a cJSON array of {"name","description","parameters"}, the
 * parameters a JSON schema (absent: an object without properties).
 *
 * Request bodies (model_request): OpenAI gets the system prompt as its
 * first message, system messages where they are, tools as
 * {"type":"function","function":{...}} with "tool_choice":"auto",
 * tool calls with their arguments as a string, tool results as role
 * "tool" (is_error cannot be said), "max_tokens" when above 0 and, when
 * streaming, "stream_options":{"include_usage":true}.  Anthropic gets
 * the system prompt and the system messages joined by a blank line as
 * the top-level "system", max_tokens (required, > 0), tool calls as
 * tool_use blocks whose input is the parsed arguments (an object, or the
 * request is refused), tool results as tool_result blocks of a user
 * message, consecutive results in one message, and tools with
 * "input_schema".
 *
 * Answers (struct model_resp): feed one non-streaming body to
 * model_resp_body() (a second one is an error), or each event of a
 * stream to model_resp_event()
 * (model_resp_sse() is the same as an sse_cb, see sse.h).  The response
 * gathers the text (deltas concatenated; thinking is dropped), the tool
 * calls (OpenAI: deltas keyed by tool_calls[].index, the first with id
 * and name, the others appending arguments; Anthropic: tool_use blocks,
 * input_json_delta concatenated and checked to be a JSON object at the
 * block's stop), the finish reason normalized (MODEL_FINISH_*, and the
 * provider's own word), token counts, and done (OpenAI "data: [DONE]",
 * Anthropic message_stop, or the end of a body).  Events after done,
 * pings and unknown events are ignored.  At done, a call without a name
 * is an error, a call without an id gets "call_<n>", empty arguments
 * become "{}", and a "stop" with tool calls (some OpenAI-compatible
 * servers) becomes MODEL_FINISH_TOOL_CALLS.  OpenAI arguments are kept
 * as the model wrote them, valid JSON or not: the tool runner says so
 * to the model.  A stream that ends before done was cut short.
 *
 * Errors are sticky: once a call returns -1, every later call does, and
 * model_resp_error() says why.  A provider's own error (Anthropic "event:
 * error", an OpenAI {"error":{...}} chunk, or such a body) sets finish to
 * MODEL_FINISH_ERROR, and retryable when it is worth another try.
 */
#ifndef CLAWGATE_MODEL_H
#define CLAWGATE_MODEL_H

#include <stddef.h>

#include <cJSON.h>

#define MODEL_API_OPENAI	1
#define MODEL_API_ANTHROPIC	2

#define MODEL_CALLS_MAX		64		/* tool calls in an answer */
#define MODEL_TEXT_MAX		(4 * 1024 * 1024)	/* bytes of text */
#define MODEL_ARGS_MAX		(1024 * 1024)	/* bytes of one call's args */
#define MODEL_ID_MAX		256		/* a call's id or name */
#define MODEL_DETAIL_MAX	200		/* provider's words in a message */
#define MODEL_ERR_MAX		320		/* an error message and its NUL */
#define MODEL_REASON_MAX	32		/* the provider's finish word */

#define MODEL_FINISH_NONE	0	/* not known (yet) */
#define MODEL_FINISH_STOP	1	/* stop, end_turn, stop_sequence */
#define MODEL_FINISH_TOOL_CALLS	2	/* tool_calls, tool_use */
#define MODEL_FINISH_LENGTH	3	/* length, max_tokens */
#define MODEL_FINISH_FILTER	4	/* content_filter, refusal */
#define MODEL_FINISH_PAUSE	5	/* pause_turn */
#define MODEL_FINISH_ERROR	6	/* the provider reported an error */
#define MODEL_FINISH_OTHER	7	/* any other word */

#define MODEL_ERR_FATAL		0	/* model_http_error(): do not retry */
#define MODEL_ERR_RETRY		1	/* 408, 429, 5xx, 529, overloaded */

struct model_req {
	int		 api;		/* MODEL_API_* */
	const char	*model;
	const char	*system;	/* NULL or "": none */
	const cJSON	*messages;	/* normalized, see above */
	const cJSON	*tools;		/* NULL: none */
	int		 max_tokens;	/* OpenAI: 0 leaves it out */
	int		 stream;
};

/* a string being built; s is NULL or NUL-terminated */
struct model_buf {
	char		*s;
	size_t		 len, cap;
};

struct model_call {
	struct model_buf id, name;
	struct model_buf args;		/* JSON text */
	long		 key;		/* OpenAI index, Anthropic block */
	int		 open;		/* Anthropic: block not stopped */
};

struct model_resp {
	int			 api;
	struct model_buf	 text;
	struct model_call	 calls[MODEL_CALLS_MAX];
	size_t			 ncalls;
	int			 finish;	/* MODEL_FINISH_* */
	char			 reason[MODEL_REASON_MAX];	/* or "" */
	long long		 input_tokens;	/* -1: not reported */
	long long		 output_tokens;	/* -1: not reported */
	int			 done;
	int			 retryable;	/* after a provider's error */
	char			 err[MODEL_ERR_MAX];	/* "" or why it failed */
};

/* request bodies; errstr gets a static message on failure */
cJSON		*model_request(const struct model_req *, const char **errstr);
char		*model_request_body(const struct model_req *,
		    const char **errstr);	/* free with cJSON_free() */

/* answers */
void		 model_resp_init(struct model_resp *, int api);
void		 model_resp_free(struct model_resp *);
int		 model_resp_body(struct model_resp *, const char *, size_t);
int		 model_resp_event(struct model_resp *, const char *event,
		    const char *data, size_t datalen);
int		 model_resp_sse(const char *event, const char *data,
		    size_t datalen, void *resp);
const char	*model_resp_error(const struct model_resp *);	/* or NULL */
const char	*model_resp_text(const struct model_resp *, size_t *);
cJSON		*model_resp_message(const struct model_resp *);
const char	*model_finish_name(int);

/*
 * An HTTP error status and its body as "model provider: 401
 * authentication_error: invalid x-api-key" in msg (at most msgsz bytes,
 * MODEL_ERR_MAX is enough): {"error":{"type","message"}} of either API,
 * "code" for a missing type, {"error":"text"} or {"message":"text"};
 * otherwise (HTML, more than 64 KiB) the status alone, "503 service
 * unavailable".  MODEL_ERR_RETRY for 408, 429, 5xx (529 included) and
 * overloaded_error, else MODEL_ERR_FATAL.  The api is for messages to
 * come; both APIs are read alike today.
 */
int		 model_http_error(int api, int status, const char *body,
		    size_t bodylen, char *msg, size_t msgsz);

/* ---- shared by model_wire.c, model_openai.c, model_anthropic.c ---- */

#define MODEL_ROLE_SYSTEM	1
#define MODEL_ROLE_USER		2
#define MODEL_ROLE_ASSISTANT	3
#define MODEL_ROLE_TOOL		4

/* a checked normalized message; pointers into the cJSON */
struct model_msg {
	int		 role;
	const char	*content;	/* never NULL, may be "" */
	const cJSON	*calls;		/* assistant: array or NULL */
	const char	*tool_call_id;	/* tool */
	int		 is_error;	/* tool */
};

struct model_tool {
	const char	*name;
	const char	*description;	/* or NULL */
	const cJSON	*parameters;	/* or NULL */
};

struct model_tcall {
	const char	*id;
	const char	*name;
	const char	*arguments;	/* never NULL, "" for none */
};

int		 model_msg_get(const cJSON *, struct model_msg *,
		    const char **);
int		 model_tool_get(const cJSON *, struct model_tool *,
		    const char **);
int		 model_tcall_get(const cJSON *, struct model_tcall *,
		    const char **);
cJSON		*model_schema(const cJSON *);
int		 model_buf_add(struct model_buf *, const char *, size_t,
		    size_t);
cJSON		*model_json_parse(const char *, size_t);
int		 model_fail(struct model_resp *, const char *);
int		 model_provider_error(struct model_resp *, const cJSON *);
int		 model_text_add(struct model_resp *, const char *);
struct model_call *model_call_find(struct model_resp *, long);
struct model_call *model_call_new(struct model_resp *, long);
int		 model_call_set(struct model_resp *, struct model_buf *,
		    const cJSON *);
int		 model_args_add(struct model_resp *, struct model_call *,
		    const char *, size_t);
int		 model_count(const cJSON *, long long *);
int		 model_index(const cJSON *, long *);
void		 model_set_finish(struct model_resp *, const char *, int);
int		 model_done(struct model_resp *);

cJSON		*model_openai_request(const struct model_req *,
		    const char **);
int		 model_openai_body(struct model_resp *, const cJSON *);
int		 model_openai_event(struct model_resp *, const char *,
		    const char *, size_t);
cJSON		*model_anthropic_request(const struct model_req *,
		    const char **);
int		 model_anthropic_body(struct model_resp *, const cJSON *);
int		 model_anthropic_event(struct model_resp *, const char *,
		    const char *, size_t);

#endif /* CLAWGATE_MODEL_H */
