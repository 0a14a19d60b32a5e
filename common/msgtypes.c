/*
 * msgtypes.c - the table of message types and the edges that may carry
 * them (all processes).  See msgtypes.h.
 */
#include "msgtypes.h"
#include "roles.h"

#define E(a, b)		(1ULL << ((a) * 8 + (b)))
#define TO_ALL_CHILDREN	(E(ROLE_PARENT, ROLE_FRONT) | \
	E(ROLE_PARENT, ROLE_AUTHD) | E(ROLE_PARENT, ROLE_SECRETD) | \
	E(ROLE_PARENT, ROLE_AGENTD) | E(ROLE_PARENT, ROLE_EXECD))
#define FROM_ALL_CHILDREN	(E(ROLE_FRONT, ROLE_PARENT) | \
	E(ROLE_AUTHD, ROLE_PARENT) | E(ROLE_SECRETD, ROLE_PARENT) | \
	E(ROLE_AGENTD, ROLE_PARENT) | E(ROLE_EXECD, ROLE_PARENT))

static const struct msgdef defs[IMSG_MAX] = {
	[IMSG_SETUP_CONFIG] = { "SETUP_CONFIG", TO_ALL_CHILDREN, FD_NONE,
	    16384 },
	[IMSG_SETUP_KEY] = { "SETUP_KEY", E(ROLE_PARENT, ROLE_AUTHD) |
	    E(ROLE_PARENT, ROLE_AGENTD) | E(ROLE_PARENT, ROLE_EXECD),
	    FD_NONE, 4 + 32 + 4 + 16 },
	[IMSG_SETUP_PEER] = { "SETUP_PEER", TO_ALL_CHILDREN, FD_REQUIRED,
	    1 + 4 },
	[IMSG_SETUP_LISTENER] = { "SETUP_LISTENER", E(ROLE_PARENT, ROLE_FRONT),
	    FD_REQUIRED, 1 + 4 + 256 },
	[IMSG_SETUP_DONE] = { "SETUP_DONE", TO_ALL_CHILDREN, FD_NONE, 0 },
	[IMSG_READY] = { "READY", FROM_ALL_CHILDREN, FD_NONE, 0 },
	[IMSG_LOG] = { "LOG", FROM_ALL_CHILDREN, FD_NONE, 1 + 4 + 1024 },
	[IMSG_AUDIT] = { "AUDIT", FROM_ALL_CHILDREN, FD_NONE, 5 * (4 + 512) },
	[IMSG_VIOLATION] = { "VIOLATION", FROM_ALL_CHILDREN, FD_NONE,
	    1 + 4 + 256 },
	[IMSG_PROC_STATE] = { "PROC_STATE", E(ROLE_PARENT, ROLE_FRONT),
	    FD_NONE, 1 + 2 * ROLE_MAX },
	[IMSG_STATUS_REQ] = { "STATUS_REQ", E(ROLE_FRONT, ROLE_PARENT),
	    FD_NONE, 8 + 4 + 1024 },
	[IMSG_STATUS_RES] = { "STATUS_RES", E(ROLE_PARENT, ROLE_FRONT),
	    FD_NONE, 8 + 1 + 4 + 16384 },
	[IMSG_CONFIG_UPDATE] = { "CONFIG_UPDATE", TO_ALL_CHILDREN, FD_NONE,
	    16384 },
	[IMSG_CTL_AUTH] = { "CTL_AUTH", E(ROLE_FRONT, ROLE_AUTHD),
	    FD_REQUIRED, 8 },
	[IMSG_CTL_AUTH_RES] = { "CTL_AUTH_RES", E(ROLE_AUTHD, ROLE_FRONT),
	    FD_NONE, 8 + 1 + 4 + 4 + 1024 + 4 + 256 },
	[IMSG_AGENT_CALL] = { "AGENT_CALL", E(ROLE_FRONT, ROLE_AGENTD),
	    FD_NONE, 8 + 4 + 1024 + 4 + 128 + 4 + 16384 },
	[IMSG_AGENT_RESULT] = { "AGENT_RESULT", E(ROLE_AGENTD, ROLE_FRONT),
	    FD_NONE, 8 + 1 + 4 + 60000 },
	[IMSG_AUTH_TOKEN] = { "AUTH_TOKEN", E(ROLE_FRONT, ROLE_AUTHD),
	    FD_NONE, 8 + 4 + 32 + 4 + 256 + 1 + 1 + 4 + 512 + 4 + 16 +
	    4 + 256 + 1 + 4 + 80 + 4 + 96 + 4 + 128 + 8 + 4 + 64 + 4 + 64 +
	    4 + 64 + 4 + 32 + 4 + 16 + 4 + 256 + 4 + 512 + 4 + 64 + 4 + 64 +
	    4 + 256 + 4 + 128 + 1 + 4 + 64 + 1 },
	[IMSG_AUTH_RESULT] = { "AUTH_RESULT", E(ROLE_AUTHD, ROLE_FRONT),
	    FD_NONE, 8 + 4 + 8 + 4 + 1024 + 4 + 256 + 4 + 128 },
	[IMSG_AUTH_ADMIN] = { "AUTH_ADMIN", E(ROLE_FRONT, ROLE_AUTHD),
	    FD_NONE, 8 + 4 + 1024 + 4 + 16384 },
	[IMSG_AUTH_ADMIN_RES] = { "AUTH_ADMIN_RES", E(ROLE_AUTHD, ROLE_FRONT),
	    FD_NONE, 8 + 1 + 4 + 60000 },
	[IMSG_RPC] = { "RPC", E(ROLE_FRONT, ROLE_AGENTD) |
	    E(ROLE_FRONT, ROLE_AUTHD), FD_NONE,
	    8 + 8 + 4 + 1024 + 4 + 128 + 4 + 49152 },
	[IMSG_RPC_RES] = { "RPC_RES", E(ROLE_AGENTD, ROLE_FRONT) |
	    E(ROLE_AUTHD, ROLE_FRONT), FD_NONE, 8 + 8 + 1 + 4 + 60000 },
	[IMSG_EVENT] = { "EVENT", E(ROLE_AUTHD, ROLE_FRONT) |
	    E(ROLE_AGENTD, ROLE_FRONT), FD_NONE,
	    4 + 64 + 4 + 64 + 4 + 60000 },
	[IMSG_AUTH_KICK] = { "AUTH_KICK", E(ROLE_AUTHD, ROLE_FRONT), FD_NONE,
	    4 + 128 + 4 + 128 },
	[IMSG_SECRET_OPEN] = { "SECRET_OPEN", E(ROLE_SECRETD, ROLE_PARENT),
	    FD_NONE, 4 + 4 },
	[IMSG_SECRET_FD] = { "SECRET_FD", E(ROLE_PARENT, ROLE_SECRETD),
	    FD_REQUIRED, 4 + 4 + 4 },
	[IMSG_SECRET_FAIL] = { "SECRET_FAIL", E(ROLE_PARENT, ROLE_SECRETD),
	    FD_NONE, 4 + 4 + 4 + 256 },
	[IMSG_SECRET_PUBKEY] = { "SECRET_PUBKEY", E(ROLE_SECRETD, ROLE_PARENT),
	    FD_NONE, 4 + 32 },
	[IMSG_SECRET_ADMIN] = { "SECRET_ADMIN", E(ROLE_AUTHD, ROLE_SECRETD),
	    FD_NONE, 8 + 4 + 128 + 4 + 16384 },
	[IMSG_SECRET_ADMIN_RES] = { "SECRET_ADMIN_RES",
	    E(ROLE_SECRETD, ROLE_AUTHD), FD_NONE, 8 + 1 + 4 + 60000 },
	[IMSG_SECRET_FETCH] = { "SECRET_FETCH", E(ROLE_AGENTD, ROLE_SECRETD),
	    FD_NONE, 8 + 4 + 320 },
	[IMSG_SECRET_VALUE] = { "SECRET_VALUE", E(ROLE_SECRETD, ROLE_AGENTD),
	    FD_NONE, 8 + 1 + 4 + 32768 },
	[IMSG_SECRET_VERIFY] = { "SECRET_VERIFY", E(ROLE_AUTHD, ROLE_SECRETD),
	    FD_NONE, 8 + 1 + 4 + 320 + 4 + 64 + 4 + 49152 + 4 + 256 },
	[IMSG_SECRET_KILL] = { "SECRET_KILL", E(ROLE_SECRETD, ROLE_PARENT),
	    FD_NONE, 4 },
	[IMSG_SECRET_VERDICT] = { "SECRET_VERDICT",
	    E(ROLE_SECRETD, ROLE_AUTHD), FD_NONE, 8 + 1 + 4 + 128 },
	[IMSG_CTL_REQUEST] = { "CTL_REQUEST", E(ROLE_CTL, ROLE_FRONT),
	    FD_NONE, 16384 },
	[IMSG_CTL_REPLY] = { "CTL_REPLY", E(ROLE_FRONT, ROLE_CTL),
	    FD_NONE, 65536 },
};

const struct msgdef *
msg_def(uint32_t type)
{
	if (type == IMSG_NONE || type >= IMSG_MAX || defs[type].name == NULL)
		return NULL;
	return &defs[type];
}

const char *
msg_name(uint32_t type)
{
	const struct msgdef	*d = msg_def(type);

	return d ? d->name : "UNKNOWN";
}

int
msg_check(uint32_t type, int from, int to, int has_fd, size_t len,
    const char **why)
{
	const struct msgdef	*d;

	if ((d = msg_def(type)) == NULL) {
		*why = "unknown message type";
		return -1;
	}
	if (from < 0 || from >= ROLE_MAX || to < 0 || to >= ROLE_MAX ||
	    (d->edges & E(from, to)) == 0) {
		*why = "message type not allowed on this edge";
		return -1;
	}
	if (d->fd == FD_REQUIRED && !has_fd) {
		*why = "descriptor missing";
		return -1;
	}
	if (d->fd == FD_NONE && has_fd) {
		*why = "unexpected descriptor";
		return -1;
	}
	if (len > d->maxlen) {
		*why = "payload too long for its type";
		return -1;
	}
	return 0;
}

int
msg_edge_carries_fd(int from, int to)
{
	uint32_t	 t;

	if (from < 0 || from >= ROLE_MAX || to < 0 || to >= ROLE_MAX)
		return 0;
	for (t = 1; t < IMSG_MAX; t++)
		if (defs[t].name != NULL && defs[t].fd == FD_REQUIRED &&
		    (defs[t].edges & E(from, to)))
			return 1;
	return 0;
}
