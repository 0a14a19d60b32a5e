/*
 * test_msgtypes.c - unit tests for the message type table
 * (common/msgtypes.c): msg_check refuses unknown types, types on edges
 * that may not carry them, a missing or unexpected descriptor and
 * oversize payloads, and accepts each type on its own edges; msg_def,
 * msg_name and msg_edge_carries_fd agree with the table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "imsg.h"
#include "msgtypes.h"
#include "roles.h"

#define EDGE(a, b)	(1ULL << ((a) * 8 + (b)))

static int
check(uint32_t type, int from, int to, int has_fd, size_t len)
{
	const char	*why = NULL;
	int		 r;

	r = msg_check(type, from, to, has_fd, len, &why);
	if (r == -1) {
		assert_non_null(why);
		assert_true(strlen(why) > 0);
	}
	return r;
}

static const char *
reason(uint32_t type, int from, int to, int has_fd, size_t len)
{
	const char	*why = NULL;

	assert_int_equal(msg_check(type, from, to, has_fd, len, &why), -1);
	assert_non_null(why);
	return why;
}

static void
test_unknown_types(void **state)
{
	const uint32_t	 bad[] = { IMSG_NONE, IMSG_MAX, IMSG_MAX + 1, 1000,
	    0x7fffffff, 0x80000000u, UINT32_MAX };
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(msg_def(bad[i]));
		assert_string_equal(msg_name(bad[i]), "UNKNOWN");
		assert_int_equal(check(bad[i], ROLE_PARENT, ROLE_FRONT, 0, 0),
		    -1);
		assert_int_equal(check(bad[i], ROLE_FRONT, ROLE_PARENT, 0, 0),
		    -1);
		assert_string_equal(reason(bad[i], ROLE_PARENT, ROLE_FRONT, 0,
		    0), "unknown message type");
	}
}

static void
test_wrong_edge(void **state)
{
	(void)state;
	/* CTL_AUTH is front -> authd only */
	assert_int_equal(check(IMSG_CTL_AUTH, ROLE_FRONT, ROLE_AUTHD, 1, 8),
	    0);
	assert_int_equal(check(IMSG_CTL_AUTH, ROLE_AGENTD, ROLE_AUTHD, 1, 8),
	    -1);
	assert_string_equal(reason(IMSG_CTL_AUTH, ROLE_AGENTD, ROLE_AUTHD, 1,
	    8), "message type not allowed on this edge");
	assert_int_equal(check(IMSG_CTL_AUTH, ROLE_AUTHD, ROLE_FRONT, 1, 8),
	    -1);
	assert_int_equal(check(IMSG_CTL_AUTH, ROLE_PARENT, ROLE_AUTHD, 1, 8),
	    -1);
	assert_int_equal(check(IMSG_CTL_AUTH, ROLE_CTL, ROLE_FRONT, 1, 8),
	    -1);

	/* the boot key never goes to front (nor secretd) */
	assert_int_equal(check(IMSG_SETUP_KEY, ROLE_PARENT, ROLE_AUTHD, 0,
	    56), 0);
	assert_int_equal(check(IMSG_SETUP_KEY, ROLE_PARENT, ROLE_AGENTD, 0,
	    56), 0);
	assert_int_equal(check(IMSG_SETUP_KEY, ROLE_PARENT, ROLE_EXECD, 0,
	    56), 0);
	assert_int_equal(check(IMSG_SETUP_KEY, ROLE_PARENT, ROLE_FRONT, 0,
	    56), -1);
	assert_int_equal(check(IMSG_SETUP_KEY, ROLE_PARENT, ROLE_SECRETD, 0,
	    56), -1);
	/* and children do not send it */
	assert_int_equal(check(IMSG_SETUP_KEY, ROLE_AUTHD, ROLE_AGENTD, 0,
	    56), -1);

	/* setup messages come from the parent only */
	assert_int_equal(check(IMSG_SETUP_DONE, ROLE_FRONT, ROLE_AUTHD, 0, 0),
	    -1);
	assert_int_equal(check(IMSG_SETUP_CONFIG, ROLE_AUTHD, ROLE_PARENT, 0,
	    0), -1);
	/* READY goes up, never down */
	assert_int_equal(check(IMSG_READY, ROLE_AUTHD, ROLE_PARENT, 0, 0), 0);
	assert_int_equal(check(IMSG_READY, ROLE_PARENT, ROLE_AUTHD, 0, 0), -1);
	assert_int_equal(check(IMSG_READY, ROLE_CTL, ROLE_PARENT, 0, 0), -1);
	/* clawctl talks to front only, with CTL_REQUEST only */
	assert_int_equal(check(IMSG_CTL_REQUEST, ROLE_CTL, ROLE_FRONT, 0, 2),
	    0);
	assert_int_equal(check(IMSG_CTL_REQUEST, ROLE_CTL, ROLE_PARENT, 0, 2),
	    -1);
	assert_int_equal(check(IMSG_CTL_REQUEST, ROLE_CTL, ROLE_AUTHD, 0, 2),
	    -1);
	assert_int_equal(check(IMSG_STATUS_REQ, ROLE_CTL, ROLE_FRONT, 0, 8),
	    -1);
	assert_int_equal(check(IMSG_CTL_REPLY, ROLE_CTL, ROLE_FRONT, 0, 2),
	    -1);
	/* agent results come from agentd only */
	assert_int_equal(check(IMSG_AGENT_RESULT, ROLE_AGENTD, ROLE_FRONT, 0,
	    9), 0);
	assert_int_equal(check(IMSG_AGENT_RESULT, ROLE_EXECD, ROLE_FRONT, 0,
	    9), -1);

	/* pairing: front asks authd (and agentd) RPCs; only authd sends
	 * events and session kicks, to front only */
	assert_int_equal(check(IMSG_RPC, ROLE_FRONT, ROLE_AUTHD, 0, 64), 0);
	assert_int_equal(check(IMSG_RPC, ROLE_FRONT, ROLE_AGENTD, 0, 64), 0);
	assert_int_equal(check(IMSG_RPC, ROLE_AGENTD, ROLE_AUTHD, 0, 64), -1);
	assert_int_equal(check(IMSG_RPC, ROLE_FRONT, ROLE_SECRETD, 0, 64),
	    -1);
	assert_int_equal(check(IMSG_RPC_RES, ROLE_AUTHD, ROLE_FRONT, 0, 64),
	    0);
	assert_int_equal(check(IMSG_RPC_RES, ROLE_EXECD, ROLE_FRONT, 0, 64),
	    -1);
	assert_int_equal(check(IMSG_EVENT, ROLE_AUTHD, ROLE_FRONT, 0, 64), 0);
	assert_int_equal(check(IMSG_EVENT, ROLE_FRONT, ROLE_AUTHD, 0, 64), -1);
	assert_int_equal(check(IMSG_EVENT, ROLE_AGENTD, ROLE_FRONT, 0, 64),
	    0);
	assert_int_equal(check(IMSG_EVENT, ROLE_EXECD, ROLE_FRONT, 0, 64),
	    -1);
	assert_int_equal(check(IMSG_EVENT, ROLE_SECRETD, ROLE_FRONT, 0, 64),
	    -1);
	assert_int_equal(check(IMSG_AUTH_KICK, ROLE_AUTHD, ROLE_FRONT, 0, 64),
	    0);
	assert_int_equal(check(IMSG_AUTH_KICK, ROLE_FRONT, ROLE_AUTHD, 0, 64),
	    -1);
	assert_int_equal(check(IMSG_AUTH_KICK, ROLE_PARENT, ROLE_FRONT, 0,
	    64), -1);
	assert_int_equal(check(IMSG_AUTH_KICK, ROLE_AUTHD, ROLE_FRONT, 0,
	    4096), -1);
	assert_int_equal(check(IMSG_EVENT, ROLE_AUTHD, ROLE_FRONT, 1, 64), -1);

	/* secrets: values go to agentd only, verdicts to authd only; only
	 * the parent passes descriptors to secretd */
	assert_int_equal(check(IMSG_SECRET_FETCH, ROLE_AGENTD, ROLE_SECRETD,
	    0, 16), 0);
	assert_int_equal(check(IMSG_SECRET_FETCH, ROLE_AUTHD, ROLE_SECRETD,
	    0, 16), -1);
	assert_int_equal(check(IMSG_SECRET_FETCH, ROLE_FRONT, ROLE_AUTHD,
	    0, 16), -1);
	assert_int_equal(check(IMSG_SECRET_FETCH, ROLE_EXECD, ROLE_SECRETD,
	    0, 16), -1);
	assert_int_equal(check(IMSG_SECRET_VALUE, ROLE_SECRETD, ROLE_AGENTD,
	    0, 16), 0);
	assert_int_equal(check(IMSG_SECRET_VALUE, ROLE_SECRETD, ROLE_AUTHD,
	    0, 16), -1);
	assert_int_equal(check(IMSG_SECRET_VERIFY, ROLE_AUTHD, ROLE_SECRETD,
	    0, 16), 0);
	assert_int_equal(check(IMSG_SECRET_VERIFY, ROLE_AGENTD, ROLE_SECRETD,
	    0, 16), -1);
	assert_int_equal(check(IMSG_SECRET_VERDICT, ROLE_SECRETD, ROLE_AGENTD,
	    0, 16), -1);
	assert_int_equal(check(IMSG_SECRET_ADMIN, ROLE_AUTHD, ROLE_SECRETD,
	    0, 16), 0);
	assert_int_equal(check(IMSG_SECRET_ADMIN, ROLE_AGENTD, ROLE_SECRETD,
	    0, 16), -1);
	assert_int_equal(check(IMSG_SECRET_FD, ROLE_PARENT, ROLE_SECRETD,
	    1, 12), 0);
	assert_int_equal(check(IMSG_SECRET_FD, ROLE_PARENT, ROLE_SECRETD,
	    0, 12), -1);
	assert_int_equal(check(IMSG_SECRET_FD, ROLE_AUTHD, ROLE_SECRETD,
	    1, 12), -1);
	assert_int_equal(check(IMSG_SECRET_OPEN, ROLE_AGENTD, ROLE_PARENT,
	    0, 8), -1);
	assert_int_equal(check(IMSG_SECRET_KILL, ROLE_FRONT, ROLE_PARENT,
	    0, 4), -1);

	/* roles out of range */
	assert_int_equal(check(IMSG_READY, -1, ROLE_PARENT, 0, 0), -1);
	assert_int_equal(check(IMSG_READY, ROLE_MAX, ROLE_PARENT, 0, 0), -1);
	assert_int_equal(check(IMSG_READY, ROLE_AUTHD, -1, 0, 0), -1);
	assert_int_equal(check(IMSG_READY, ROLE_AUTHD, ROLE_MAX, 0, 0), -1);
	assert_int_equal(check(IMSG_READY, ROLE_AUTHD, 1000, 0, 0), -1);
	assert_int_equal(check(IMSG_SETUP_DONE, ROLE_PARENT, 64, 0, 0), -1);
}

static void
test_fd_rules(void **state)
{
	(void)state;
	/* required and missing */
	assert_int_equal(check(IMSG_CTL_AUTH, ROLE_FRONT, ROLE_AUTHD, 0, 8),
	    -1);
	assert_string_equal(reason(IMSG_CTL_AUTH, ROLE_FRONT, ROLE_AUTHD, 0,
	    8), "descriptor missing");
	assert_int_equal(check(IMSG_SETUP_PEER, ROLE_PARENT, ROLE_AGENTD, 0,
	    5), -1);
	assert_int_equal(check(IMSG_SETUP_LISTENER, ROLE_PARENT, ROLE_FRONT,
	    0, 5), -1);
	/* present and unexpected */
	assert_int_equal(check(IMSG_CTL_AUTH_RES, ROLE_AUTHD, ROLE_FRONT, 1,
	    8), -1);
	assert_string_equal(reason(IMSG_CTL_AUTH_RES, ROLE_AUTHD, ROLE_FRONT,
	    1, 8), "unexpected descriptor");
	assert_int_equal(check(IMSG_SETUP_KEY, ROLE_PARENT, ROLE_AUTHD, 1,
	    56), -1);
	assert_int_equal(check(IMSG_CTL_REQUEST, ROLE_CTL, ROLE_FRONT, 1, 2),
	    -1);
	assert_int_equal(check(IMSG_READY, ROLE_FRONT, ROLE_PARENT, 1, 0), -1);
	/* and the right way round */
	assert_int_equal(check(IMSG_SETUP_PEER, ROLE_PARENT, ROLE_AGENTD, 1,
	    5), 0);
	assert_int_equal(check(IMSG_SETUP_LISTENER, ROLE_PARENT, ROLE_FRONT,
	    1, 5), 0);
	assert_int_equal(check(IMSG_CTL_AUTH_RES, ROLE_AUTHD, ROLE_FRONT, 0,
	    8), 0);

	/* which edges carry descriptors at all */
	assert_true(msg_edge_carries_fd(ROLE_FRONT, ROLE_AUTHD));
	assert_true(msg_edge_carries_fd(ROLE_PARENT, ROLE_FRONT));
	assert_true(msg_edge_carries_fd(ROLE_PARENT, ROLE_SECRETD));
	assert_false(msg_edge_carries_fd(ROLE_AUTHD, ROLE_FRONT));
	assert_false(msg_edge_carries_fd(ROLE_FRONT, ROLE_AGENTD));
	assert_false(msg_edge_carries_fd(ROLE_AGENTD, ROLE_FRONT));
	assert_false(msg_edge_carries_fd(ROLE_CTL, ROLE_FRONT));
	assert_false(msg_edge_carries_fd(ROLE_FRONT, ROLE_CTL));
	assert_false(msg_edge_carries_fd(ROLE_AUTHD, ROLE_PARENT));
	assert_false(msg_edge_carries_fd(-1, ROLE_FRONT));
	assert_false(msg_edge_carries_fd(ROLE_PARENT, ROLE_MAX));
}

static void
test_oversize(void **state)
{
	uint32_t		 t;
	const struct msgdef	*d;

	(void)state;
	assert_string_equal(reason(IMSG_SETUP_DONE, ROLE_PARENT, ROLE_AUTHD,
	    0, 1), "payload too long for its type");
	assert_int_equal(check(IMSG_SETUP_KEY, ROLE_PARENT, ROLE_AUTHD, 0,
	    4 + 32 + 4 + 16), 0);
	assert_int_equal(check(IMSG_SETUP_KEY, ROLE_PARENT, ROLE_AUTHD, 0,
	    4 + 32 + 4 + 16 + 1), -1);
	assert_int_equal(check(IMSG_CTL_AUTH, ROLE_FRONT, ROLE_AUTHD, 1, 9),
	    -1);
	assert_int_equal(check(IMSG_CTL_REQUEST, ROLE_CTL, ROLE_FRONT, 0,
	    SIZE_MAX), -1);

	/* every type is in the table and fits a default channel */
	for (t = 1; t < IMSG_MAX; t++) {
		assert_non_null(d = msg_def(t));
		assert_ptr_equal(msg_name(t), d->name);
		assert_true(d->edges != 0);
		assert_true(d->fd == FD_NONE || d->fd == FD_REQUIRED);
		assert_true(d->maxlen <= IMSG_MAXSIZE);
	}
}

/* every type on every edge: accepted exactly where the table says */
static void
test_matrix(void **state)
{
	const struct msgdef	*d;
	uint32_t		 t;
	int			 from, to, fd, nok = 0;

	(void)state;
	for (t = 1; t < IMSG_MAX; t++) {
		d = msg_def(t);
		for (from = 0; from < ROLE_MAX; from++)
			for (to = 0; to < ROLE_MAX; to++)
				for (fd = 0; fd <= 1; fd++) {
					int	 want;

					want = (d->edges & EDGE(from, to)) &&
					    fd == (d->fd == FD_REQUIRED);
					assert_int_equal(check(t, from, to, fd,
					    d->maxlen), want ? 0 : -1);
					assert_int_equal(check(t, from, to, fd,
					    0), want ? 0 : -1);
					if (want) {
						nok++;
						assert_int_equal(check(t, from,
						    to, fd, d->maxlen + 1), -1);
					}
				}
	}
	/* nothing ever flows between a role and itself */
	for (t = 1; t < IMSG_MAX; t++)
		for (from = 0; from < ROLE_MAX; from++)
			for (fd = 0; fd <= 1; fd++)
				assert_int_equal(check(t, from, from, fd, 0),
				    -1);
	assert_true(nok > 0);
}

/* the directions the design relies on, spelled out */
static void
test_accepts(void **state)
{
	int	 r;

	(void)state;
	for (r = ROLE_FIRST_CHILD; r <= ROLE_LAST_CHILD; r++) {
		assert_int_equal(check(IMSG_SETUP_CONFIG, ROLE_PARENT, r, 0,
		    100), 0);
		assert_int_equal(check(IMSG_SETUP_PEER, ROLE_PARENT, r, 1, 5),
		    0);
		assert_int_equal(check(IMSG_SETUP_DONE, ROLE_PARENT, r, 0, 0),
		    0);
		assert_int_equal(check(IMSG_CONFIG_UPDATE, ROLE_PARENT, r, 0,
		    100), 0);
		assert_int_equal(check(IMSG_READY, r, ROLE_PARENT, 0, 0), 0);
		assert_int_equal(check(IMSG_LOG, r, ROLE_PARENT, 0, 10), 0);
		assert_int_equal(check(IMSG_AUDIT, r, ROLE_PARENT, 0, 10), 0);
		assert_int_equal(check(IMSG_VIOLATION, r, ROLE_PARENT, 0, 10),
		    0);
	}
	assert_int_equal(check(IMSG_PROC_STATE, ROLE_PARENT, ROLE_FRONT, 0,
	    1 + 2 * ROLE_MAX), 0);
	assert_int_equal(check(IMSG_STATUS_REQ, ROLE_FRONT, ROLE_PARENT, 0,
	    8 + 4 + 100), 0);
	assert_int_equal(check(IMSG_STATUS_RES, ROLE_PARENT, ROLE_FRONT, 0,
	    8 + 1 + 4 + 2), 0);
	assert_int_equal(check(IMSG_AGENT_CALL, ROLE_FRONT, ROLE_AGENTD, 0,
	    100), 0);
	assert_int_equal(check(IMSG_CTL_REPLY, ROLE_FRONT, ROLE_CTL, 0,
	    65536), 0);
	assert_string_equal(msg_name(IMSG_CTL_AUTH), "CTL_AUTH");
	assert_string_equal(msg_name(IMSG_SETUP_KEY), "SETUP_KEY");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_wrong_edge),
		cmocka_unit_test(test_fd_rules),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_accepts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
