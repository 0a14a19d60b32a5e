/*
 * test_pairing.c - unit tests of authd's paired-device store
 * (authd/pairing.c) on a real LMDB environment in a temporary directory:
 * pending requests (reuse, replacement, expiry, the bound), approval
 * rules, device tokens (derivation, rotation, revocation), upgrades, and
 * a corrupt record that is reported and left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "child.h"
#include "pairing.h"
#include "state.h"

static int	 nevents, nkicks;
static char	 last_event[64], last_kick[160];

/* authd's relays, counted instead of sent */
void
authd_event(const char *event, const char *scope, cJSON *payload)
{
	(void)scope;
	nevents++;
	snprintf(last_event, sizeof(last_event), "%s", event);
	cJSON_Delete(payload);
}

void
authd_kick(const char *principal, const char *why)
{
	(void)why;
	nkicks++;
	snprintf(last_kick, sizeof(last_kick), "%s", principal);
}

void
child_audit(const char *action, const char *principal, const char *object,
    const char *outcome, const char *detail)
{
	(void)action; (void)principal; (void)object; (void)outcome;
	(void)detail;
}

static MDB_env	*env;
static char	 dir[64];
static uint64_t	 now;

static int
setup(void **state)
{
	struct kv	 kv;

	struct timespec	 ts;

	(void)state;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	snprintf(dir, sizeof(dir), "/tmp/clawgate-pairing.XXXXXX");
	assert_non_null(mkdtemp(dir));
	env = state_open(dir, 16 * 1024 * 1024);
	pairing_init(env);
	memset(&kv, 0, sizeof(kv));
	pairing_config(&kv);
	nevents = nkicks = 0;
	return 0;
}

static int
teardown(void **state)
{
	char	 cmd[128];

	(void)state;
	mdb_env_close(env);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
in_for(struct pair_in *in, const char *id, const char *want)
{
	memset(in, 0, sizeof(*in));
	in->device_id = id;
	in->public_key = "pk";
	in->role = "operator";
	in->want = want;
	in->ceiling = "operator.admin";
	in->display_name = "";
	in->platform = "linux";
	in->client_id = "cli";
	in->client_mode = "cli";
	in->now_ms = now;
}

static void
cap_for(struct capability *c, const char *principal, const char *scopes)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->principal, sizeof(c->principal), "%s", principal);
	snprintf(c->scopes, sizeof(c->scopes), "%s", scopes);
}

/* call a method; returns ok, the result in *res (caller frees) */
static int
call(const char *scopes, const char *method, const char *params, cJSON **res)
{
	struct capability	 c;
	cJSON			*p = cJSON_Parse(params);
	int			 ok;

	cap_for(&c, "token:tok_test", scopes);
	*res = pairing_call(&c, method, p, &ok);
	cJSON_Delete(p);
	return ok;
}

static void
approve(const char *reqid)
{
	char	 params[128];
	cJSON	*r;

	snprintf(params, sizeof(params), "{\"requestId\":\"%s\"}", reqid);
	assert_int_equal(call("operator.admin", "device.pair.approve", params,
	    &r), 1);
	cJSON_Delete(r);
}

static void
test_pending_then_approved(void **state)
{
	struct pair_in	 in;
	struct pair_out	 out, out2;
	char		 tok[PAIR_TOKEN_LEN];

	(void)state;
	in_for(&in, "dev1", "operator.read");
	assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
	assert_string_equal(out.reason, "not-paired");
	assert_int_equal(strlen(out.request_id), 36);
	assert_int_equal(nevents, 1);
	assert_string_equal(last_event, "device.pair.requested");
	/* the same ask: the same request, no second event */
	assert_int_equal(pairing_connect(&in, &out2), PAIR_PENDING);
	assert_string_equal(out.request_id, out2.request_id);
	assert_int_equal(nevents, 1);
	approve(out.request_id);
	assert_int_equal(nevents, 2);
	assert_string_equal(last_event, "device.pair.resolved");
	assert_int_equal(pairing_connect(&in, &out), PAIR_OK);
	assert_string_equal(out.scopes, "operator.read");
	assert_string_equal(out.role, "operator");
	assert_memory_equal(out.token, "cgd_", 4);
	assert_int_equal(strlen(out.token), 47);
	/* the token is stable until rotated, and works alone */
	snprintf(tok, sizeof(tok), "%s", out.token);
	in.ceiling = NULL;
	in.device_token = tok;
	assert_int_equal(pairing_connect(&in, &out2), PAIR_OK);
	assert_string_equal(out2.token, tok);
	/* a token of one device is not another's */
	in.device_id = "dev2";
	assert_int_equal(pairing_connect(&in, &out2), PAIR_TOKEN_MISMATCH);
	in.device_id = "dev1";
	tok[10] ^= 1;
	assert_int_equal(pairing_connect(&in, &out2), PAIR_TOKEN_MISMATCH);
}

static void
test_upgrades_stay_pending(void **state)
{
	struct pair_in	 in;
	struct pair_out	 out;

	(void)state;
	in_for(&in, "dev1", "operator.read");
	assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
	approve(out.request_id);
	/* more scopes: an upgrade request, nothing granted */
	in.want = "operator.read operator.write";
	assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
	assert_string_equal(out.reason, "scope-upgrade");
	assert_string_equal(out.scopes, "");
	/* another role: a role upgrade */
	in.want = "";
	in.role = "node";
	assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
	assert_string_equal(out.reason, "role-upgrade");
	/* asking nothing: all approved, within the shared token */
	in.role = "operator";
	in.ceiling = "operator.pairing";
	assert_int_equal(pairing_connect(&in, &out), PAIR_OK);
	assert_string_equal(out.scopes, "");
	in.ceiling = "operator.write";
	assert_int_equal(pairing_connect(&in, &out), PAIR_OK);
	assert_string_equal(out.scopes, "operator.read");
}

static void
test_approval_rules(void **state)
{
	struct pair_in	 in;
	struct pair_out	 out;
	char		 params[128];
	cJSON		*r, *d;

	(void)state;
	in_for(&in, "dev1", "operator.read operator.write");
	assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
	snprintf(params, sizeof(params), "{\"requestId\":\"%s\"}",
	    out.request_id);
	/* no pairing scope at all */
	assert_int_equal(call("operator.read", "device.pair.approve", params,
	    &r), 0);
	d = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "details"), "code");
	assert_string_equal(d->valuestring, "MISSING_SCOPE");
	cJSON_Delete(r);
	/* pairing, but not the scopes the request asks for */
	assert_int_equal(call("operator.pairing operator.read",
	    "device.pair.approve", params, &r), 0);
	assert_string_equal(cJSON_GetObjectItem(r, "code")->valuestring,
	    "FORBIDDEN");
	cJSON_Delete(r);
	/* still pending after refusals */
	assert_int_equal(call("operator.pairing", "device.pair.list", "{}",
	    &r), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r,
	    "pending")), 1);
	cJSON_Delete(r);
	/* write implies read: this approver holds both */
	assert_int_equal(call("operator.pairing operator.write",
	    "device.pair.approve", params, &r), 1);
	cJSON_Delete(r);
	/* a node takes admin */
	in_for(&in, "node1", "");
	in.role = "node";
	assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
	snprintf(params, sizeof(params), "{\"requestId\":\"%s\"}",
	    out.request_id);
	assert_int_equal(call("operator.pairing", "device.pair.approve",
	    params, &r), 0);
	assert_non_null(strstr(cJSON_GetObjectItem(r, "message")->valuestring,
	    "operator.admin"));
	cJSON_Delete(r);
	/* malformed params are refused */
	assert_int_equal(call("operator.admin", "device.pair.approve", "[]",
	    &r), 0);
	cJSON_Delete(r);
	assert_int_equal(call("operator.admin", "device.pair.approve",
	    "{\"requestId\":5}", &r), 0);
	cJSON_Delete(r);
	assert_int_equal(call("operator.admin", "device.pair.nope", "{}", &r),
	    0);
	cJSON_Delete(r);
}

static void
test_rotate_revoke_remove(void **state)
{
	struct pair_in	 in;
	struct pair_out	 out;
	char		 tok[PAIR_TOKEN_LEN];
	cJSON		*r;

	(void)state;
	in_for(&in, "dev1", "operator.read");
	assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
	approve(out.request_id);
	assert_int_equal(pairing_connect(&in, &out), PAIR_OK);
	snprintf(tok, sizeof(tok), "%s", out.token);
	/* an operator without admin cannot rotate another's token */
	assert_int_equal(call("operator.pairing", "device.token.rotate",
	    "{\"deviceId\":\"dev1\"}", &r), 0);
	cJSON_Delete(r);
	assert_int_equal(call("operator.admin", "device.token.rotate",
	    "{\"deviceId\":\"dev1\"}", &r), 1);
	/* the new token goes to the device itself only */
	assert_null(cJSON_GetObjectItem(r, "token"));
	cJSON_Delete(r);
	in.ceiling = NULL;
	in.device_token = tok;
	assert_int_equal(pairing_connect(&in, &out), PAIR_TOKEN_MISMATCH);
	in.ceiling = "operator.admin";
	in.device_token = NULL;
	assert_int_equal(pairing_connect(&in, &out), PAIR_OK);
	assert_string_not_equal(out.token, tok);
	snprintf(tok, sizeof(tok), "%s", out.token);
	/* revoke: the token stops, the sessions are kicked */
	assert_int_equal(call("operator.admin", "device.token.revoke",
	    "{\"deviceId\":\"dev1\"}", &r), 1);
	cJSON_Delete(r);
	assert_int_equal(nkicks, 1);
	assert_string_equal(last_kick, "device:dev1");
	in.ceiling = NULL;
	in.device_token = tok;
	assert_int_equal(pairing_connect(&in, &out), PAIR_TOKEN_MISMATCH);
	/* a shared-token connect issues a fresh one */
	in.ceiling = "operator.admin";
	in.device_token = NULL;
	assert_int_equal(pairing_connect(&in, &out), PAIR_OK);
	assert_string_not_equal(out.token, tok);
	/* remove: must pair again */
	assert_int_equal(call("operator.pairing", "device.pair.remove",
	    "{\"deviceId\":\"dev1\"}", &r), 1);
	cJSON_Delete(r);
	assert_int_equal(nkicks, 2);
	assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
	assert_int_equal(call("operator.pairing", "device.pair.remove",
	    "{\"deviceId\":\"dev1\"}", &r), 0);
	cJSON_Delete(r);
}

static void
test_pending_bounded_and_expiring(void **state)
{
	struct pair_in	 in;
	struct pair_out	 out;
	char		 id[32], first[40];
	int		 i;

	(void)state;
	for (i = 0; i < PAIR_MAX_PENDING; i++) {
		snprintf(id, sizeof(id), "dev%d", i);
		in_for(&in, id, "operator.read");
		assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", out.request_id);
	}
	in_for(&in, "one-too-many", "operator.read");
	assert_int_equal(pairing_connect(&in, &out), PAIR_FULL);
	/* a device that already waits may change its ask */
	in_for(&in, "dev0", "operator.write");
	assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
	assert_string_not_equal(out.request_id, first);
	/* after the TTL the old requests go, and room is made */
	in_for(&in, "one-too-many", "operator.read");
	in.now_ms = now + PAIR_TTL_MS + 1;
	assert_int_equal(pairing_connect(&in, &out), PAIR_PENDING);
	approve(out.request_id);
}

static void
test_corrupt_record_left_alone(void **state)
{
	struct pair_in	 in;
	struct pair_out	 out;
	MDB_txn		*t;
	MDB_dbi		 dbi;
	MDB_val		 k, v;
	cJSON		*r, *paired;

	(void)state;
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &t), 0);
	assert_int_equal(mdb_dbi_open(t, "devices", 0, &dbi), 0);
	k.mv_data = "devX";
	k.mv_size = 4;
	v.mv_data = "\x07garbage";
	v.mv_size = 8;
	assert_int_equal(mdb_put(t, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(t), 0);
	in_for(&in, "devX", "operator.read");
	assert_int_equal(pairing_connect(&in, &out), PAIR_ERROR);
	assert_int_equal(call("operator.admin", "device.token.revoke",
	    "{\"deviceId\":\"devX\"}", &r), 0);
	cJSON_Delete(r);
	assert_int_equal(call("operator.pairing", "device.pair.list", "{}",
	    &r), 1);
	paired = cJSON_GetObjectItem(r, "paired");
	assert_int_equal(cJSON_GetArraySize(paired), 1);
	assert_non_null(cJSON_GetObjectItem(cJSON_GetArrayItem(paired, 0),
	    "error"));
	cJSON_Delete(r);
	/* the bytes are what they were */
	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &t), 0);
	assert_int_equal(mdb_get(t, dbi, &k, &v), 0);
	assert_int_equal(v.mv_size, 8);
	assert_memory_equal(v.mv_data, "\x07garbage", 8);
	mdb_txn_abort(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pending_then_approved,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrades_stay_pending,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_approval_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rotate_revoke_remove,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_pending_bounded_and_expiring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_record_left_alone,
		    setup, teardown),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
