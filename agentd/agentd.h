/*
 * agentd.h - agentd (trust zone "agentd"): the agent core.
 */
#ifndef CLAWGATE_AGENTD_H
#define CLAWGATE_AGENTD_H

#include "child.h"

/* rpc.c */
void	rpc_init(void);
void	rpc_handle(struct imsgev *, struct imsg *);

/* seccomp.c */
void	agentd_seccomp(void);

#endif
