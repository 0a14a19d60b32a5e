/*
 * roles.h - the trust zones of clawgate and the edges between them
 * (shared by every process).  The edge list is DESIGN.md's table: these
 * are the only socketpairs the parent ever creates.
 */
#ifndef CLAWGATE_ROLES_H
#define CLAWGATE_ROLES_H

enum role {
	ROLE_PARENT = 0,
	ROLE_FRONT,
	ROLE_AUTHD,
	ROLE_SECRETD,
	ROLE_AGENTD,
	ROLE_EXECD,
	ROLE_CTL,		/* a clawctl client on the control socket */
	ROLE_MAX
};

#define ROLE_FIRST_CHILD	ROLE_FRONT
#define ROLE_LAST_CHILD		ROLE_EXECD
#define NCHILDREN		(ROLE_LAST_CHILD - ROLE_FIRST_CHILD + 1)

const char	*role_name(int);
int		 role_from_name(const char *);
int		 role_is_child(int);
/* 1 if the DESIGN table has an edge between children a and b */
int		 role_edge(int a, int b);

#endif
