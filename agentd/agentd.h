/*
 * agentd.h - agentd (trust zone "agentd"): the agent core.
 */
#ifndef CLAWGATE_AGENTD_H
#define CLAWGATE_AGENTD_H

#include "child.h"

/* seccomp.c */
void	agentd_seccomp(void);

#endif
