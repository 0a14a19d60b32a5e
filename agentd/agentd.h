/*
 * agentd.h - agentd (trust zone "agentd"): the agent core.
 */
#ifndef CLAWGATE_AGENTD_H
#define CLAWGATE_AGENTD_H

#include <cJSON.h>

#include "child.h"

struct capability;

/* agentd.c */
void	ctl_answer(struct imsgev *, uint64_t req, int ok, cJSON *);

/* rpc.c: the gateway methods, for front's WebSockets and for clawctl */
void	rpc_init(void);
void	rpc_handle(struct imsgev *, struct imsg *);
/* the method's answer for the holder of cap (scope checked here): the
 * payload with *ok 1, or an OpenClaw error object with *ok 0 */
cJSON	*rpc_call(const struct capability *, const char *method,
	    const cJSON *params, int *ok);

/* answering later (agent.wait): rpc_defer() inside a method, which
 * then sets *ok to -1 and returns NULL; rpc_reply() once, later */
struct rpc_deferred;
void	rpc_context(struct imsgev *, uint64_t conn, uint64_t req, int ctl);
struct rpc_deferred *rpc_defer(void);
void	rpc_reply(struct rpc_deferred *, int ok, cJSON *);

/* config.c: the config KV store */
void	config_init(MDB_env *);
cJSON	*config_value(const char *key);		/* a copy, or NULL */
cJSON	*config_entries(const char *prefix);	/* [{key, value}] */
cJSON	*m_config_get(const struct capability *, const cJSON *, int *);
cJSON	*m_config_list(const struct capability *, const cJSON *, int *);
cJSON	*m_config_keys(const struct capability *, const cJSON *, int *);
cJSON	*m_config_set(const struct capability *, const cJSON *, int *);
cJSON	*m_config_unset(const struct capability *, const cJSON *, int *);
cJSON	*m_config_patch(const struct capability *, const cJSON *, int *);
cJSON	*m_config_import(const struct capability *, const cJSON *, int *);

/* memory.c: sessions, transcripts, runs */
uint64_t now_ms(void);
void	memory_init(MDB_env *);
uint64_t memory_append(const char *session, const char *agent, cJSON *rec);
int	memory_run_set(const char *run, const char *session,
	    const char *status, const char *error);
cJSON	*memory_run_get(const char *run);
cJSON	*memory_history(const char *session, int limit);
cJSON	*memory_sessions(int limit);
cJSON	*memory_search(const char *query, int limit, int scan);
int	memory_reset(const char *session);

/* http_client.c: outbound HTTP(S) to model providers */
struct evkeyvalq;
struct url {
	int	 tls;
	char	 host[256];
	int	 port;
	char	 path[1024];
};
struct hc_header {
	const char	*name;
	const char	*value;
};
struct hc;
typedef void	(*hc_head_cb)(void *, int status, struct evkeyvalq *);
typedef int	(*hc_chunk_cb)(void *, const char *, size_t);
typedef void	(*hc_done_cb)(void *, int status, const char *err);
void	 http_client_init(struct event_base *, const char *cafile);
int	 url_split(const char *, struct url *);
/* a POST whose answer streams to chunk; done once, then hc_free it
 * (not from inside a callback) */
struct hc *hc_post(const char *url, const struct hc_header *, size_t,
	    const char *body, size_t len, unsigned timeout_ms, hc_head_cb,
	    hc_chunk_cb, hc_done_cb, void *arg, const char **err);
void	 hc_free(struct hc *);

/* keys.c: secret values from secretd, cached briefly */
typedef void (*key_cb)(void *arg, const char *value, size_t len,
    const char *err);
void	 keys_fetch(const char *ref, unsigned cache_ms, key_cb, void *arg);
void	 keys_value(struct imsg *);	/* SECRET_VALUE */
void	 keys_peer_down(void);

/* sessions.c: sessions, history, the built-in tools */
cJSON	*m_sessions_list(const struct capability *, const cJSON *, int *);
cJSON	*m_sessions_preview(const struct capability *, const cJSON *, int *);
cJSON	*m_sessions_reset(const struct capability *, const cJSON *, int *);
cJSON	*m_chat_history(const struct capability *, const cJSON *, int *);
cJSON	*m_tools_invoke(const struct capability *, const cJSON *, int *);
cJSON	*m_models_list(const struct capability *, const cJSON *, int *);

/* tools.c: the tool registry and policy; schema.c: argument checks */
struct tool_ctx {
	const struct capability	*cap;		/* whose call it is */
	const char		*agent;
	const char		*session;	/* or NULL */
};
int	 tool_known(const char *);
int	 tool_policy_allows(const char *agent, const char *name);
const char *tool_refusal(const struct tool_ctx *, const char *name);
cJSON	*tools_effective(const struct tool_ctx *);
char	*tool_call(const struct tool_ctx *, const char *name,
	    const char *args_json, int *is_error);
cJSON	*m_tools_catalog(const struct capability *, const cJSON *, int *);
cJSON	*m_tools_effective(const struct capability *, const cJSON *, int *);
int	 schema_check(const cJSON *schema, const cJSON *value, char *msg,
	    size_t msgsz);

/* skills.c: agent skills (SKILL.md), read from the skill roots at start */
void	 skills_init(const struct kv *);
int	 skills_configured(void);
char	*skills_system(const char *system, const struct tool_ctx *);
char	*skill_read(const struct tool_ctx *, const cJSON *, int *);
cJSON	*m_skills_list(const struct capability *, const cJSON *, int *);

/* turn.c: the agent loop */
int	 session_key_ok(const char *);
int	 turn_active(const char *session);
cJSON	*m_chat_send(const struct capability *, const cJSON *, int *);
cJSON	*m_chat_abort(const struct capability *, const cJSON *, int *);
cJSON	*m_agent_wait(const struct capability *, const cJSON *, int *);
cJSON	*m_v1_chat(const struct capability *, const cJSON *, int *);

/* seccomp.c */
void	agentd_seccomp(void);

#endif
