/*
 * roles.c - names of the trust zones and the edge table (all processes).
 */
#include <string.h>

#include "roles.h"

static const char *names[ROLE_MAX] = {
	"parent", "front", "authd", "secretd", "agentd", "execd", "clawctl"
};

/* Undirected edges between children, from DESIGN.md "may talk to". */
static const int edges[][2] = {
	{ ROLE_FRONT, ROLE_AUTHD },
	{ ROLE_FRONT, ROLE_AGENTD },
	{ ROLE_AUTHD, ROLE_SECRETD },
	{ ROLE_AUTHD, ROLE_AGENTD },
	{ ROLE_AUTHD, ROLE_EXECD },
	{ ROLE_SECRETD, ROLE_AGENTD },
	{ ROLE_AGENTD, ROLE_EXECD },
};

const char *
role_name(int r)
{
	if (r < 0 || r >= ROLE_MAX)
		return "unknown";
	return names[r];
}

int
role_from_name(const char *s)
{
	int	 r;

	for (r = 0; r < ROLE_MAX; r++)
		if (strcmp(names[r], s) == 0)
			return r;
	return -1;
}

int
role_is_child(int r)
{
	return r >= ROLE_FIRST_CHILD && r <= ROLE_LAST_CHILD;
}

int
role_edge(int a, int b)
{
	size_t	 i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		if ((edges[i][0] == a && edges[i][1] == b) ||
		    (edges[i][0] == b && edges[i][1] == a))
			return 1;
	return 0;
}
