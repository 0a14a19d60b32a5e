/*
 * agentd.h - agentd (trust zone "agentd"): the agent core.
 */
#ifndef CLAWGATE_AGENTD_H
#define CLAWGATE_AGENTD_H

#include <cJSON.h>

#include "child.h"

struct capability;

/* rpc.c: the gateway methods, for front's WebSockets and for clawctl */
void	rpc_init(void);
void	rpc_handle(struct imsgev *, struct imsg *);
/* the method's answer for the holder of cap (scope checked here): the
 * payload with *ok 1, or an OpenClaw error object with *ok 0 */
cJSON	*rpc_call(const struct capability *, const char *method,
	    const cJSON *params, int *ok);

/* config.c: the config KV store */
void	config_init(MDB_env *);
cJSON	*m_config_get(const struct capability *, const cJSON *, int *);
cJSON	*m_config_list(const struct capability *, const cJSON *, int *);
cJSON	*m_config_keys(const struct capability *, const cJSON *, int *);
cJSON	*m_config_set(const struct capability *, const cJSON *, int *);
cJSON	*m_config_unset(const struct capability *, const cJSON *, int *);
cJSON	*m_config_patch(const struct capability *, const cJSON *, int *);
cJSON	*m_config_import(const struct capability *, const cJSON *, int *);

/* seccomp.c */
void	agentd_seccomp(void);

#endif
