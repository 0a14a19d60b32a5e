/*
 * front.h - internals of the network front end (trust zone "front":
 * uid _clawgw, no capabilities, chrooted to an empty directory).  It
 * parses every untrusted byte, holds no secret and mints no identity.
 */
#ifndef CLAWGATE_FRONT_H
#define CLAWGATE_FRONT_H

#include "child.h"

struct evhttp_request;

extern uint8_t	front_states[ROLE_MAX];
extern int	front_states_known;

/* front_http.c */
void	http_init(struct child *);

/* front_control.c */
void	control_init(struct child *);
void	control_auth_result(struct imsgev *, struct imsg *);
void	control_status_result(struct imsg *);
void	control_agent_result(struct imsgev *, struct imsg *);
void	control_peer_down(int role);
void	control_admin_result(struct imsgev *, struct imsg *);

/* front_api.c */
void	api_init(struct child *);
struct evkeyvalq;
void	api_proxy_facts(struct evkeyvalq *, char *, size_t, char *, size_t,
	    uint8_t *);
void	api_whoami(struct evhttp_request *);
void	api_tools_invoke(struct evhttp_request *);
void	api_models(struct evhttp_request *);
void	api_chat_completions(struct evhttp_request *);
void	api_call(struct evhttp_request *, const char *method, char *params);
void	api_auth_result(struct imsgev *, struct imsg *);
int	api_agent_result(uint64_t, int, const char *);
void	api_peer_down(int role);

/* gw.c */
void	gw_init(struct child *);
int	gw_auth_result(uint64_t, uint32_t, uint64_t, const uint8_t *, size_t,
	    const char *, const char *aux);
void	gw_rpc_result(struct imsgev *, struct imsg *);
void	gw_event(struct imsgev *, struct imsg *);
void	gw_kick(struct imsgev *, struct imsg *);
void	gw_peer_down(int role);

/* front_tls.c */
struct bufferevent;
struct event_base;
void	*tls_ctx_new(const char *cert, const char *key);
struct bufferevent *tls_bevcb(struct event_base *, void *);

/* front_seccomp.c */
void	front_seccomp(void);

#endif
