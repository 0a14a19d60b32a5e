/*
 * test_ratelimit.c - unit tests for the failed-authentication rate limiter
 * of authd (trust zone "authd", authd/ratelimit.c): the OpenClaw-measured
 * sequence (attempts 1-10 wrong fail normally, attempt 11 and later are
 * refused even when right), lockout expiry to the millisecond,
 * Retry-After, reset on success, the sliding window, independent buckets,
 * the loopback exemption, the bounded table under a flood and its
 * eviction order, over-long keys refused, live reload (thresholds, the
 * table size, the most recent failures kept) and bad configs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ratelimit.h"

#define SS	"shared-secret"
#define T0	1000000ULL	/* an arbitrary start on the injected clock */

enum outcome { AUTH_OK, AUTH_FAIL, AUTH_LIMITED };

/*
 * One authentication attempt the way authd makes it: the limiter is asked
 * before the credential is looked at.  *retry gets the milliseconds left
 * when refused.
 */
static enum outcome
attempt(struct ratelimit *rl, const char *cls, const char *src, int right,
    uint64_t now, uint64_t *retry)
{
	uint64_t	ms;

	*retry = 0;
	if ((ms = rl_check(rl, cls, src, 0, now)) != 0) {
		*retry = ms;
		return AUTH_LIMITED;
	}
	if (right) {
		rl_success(rl, cls, src, now);
		return AUTH_OK;
	}
	rl_failure(rl, cls, src, 0, now);
	return AUTH_FAIL;
}

static struct ratelimit *
new_default(void)
{
	struct rl_config	 c;
	struct ratelimit	*rl;

	rl_config_defaults(&c);
	rl = rl_new(&c);
	assert_non_null(rl);
	return rl;
}

/* lock (cls, src) with max_failures failures at `now' */
static void
lock_out(struct ratelimit *rl, const char *cls, const char *src,
    unsigned n, uint64_t now)
{
	unsigned	i;

	for (i = 1; i < n; i++)
		assert_true(rl_failure(rl, cls, src, 0, now) == 0);
	assert_true(rl_failure(rl, cls, src, 0, now) != 0);
	assert_true(rl_check(rl, cls, src, 0, now) != 0);
}

static void
test_defaults(void **state)
{
	struct rl_config	c;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	rl_config_defaults(&c);
	assert_int_equal(c.max_failures, 10);
	assert_true(c.window_ms == 60000);
	assert_true(c.lockout_ms == 300000);
	assert_int_equal(c.max_entries, 4096);
	assert_int_equal(c.exempt_loopback, 0);
}

/* attempts 1-10 wrong: ordinary failure; 11 and 12: rate limited */
static void
test_ten_failures_then_locked(void **state)
{
	struct ratelimit	*rl = new_default();
	uint64_t		 retry, now = T0;
	int			 i;

	(void)state;
	for (i = 1; i <= 10; i++) {
		assert_int_equal(attempt(rl, SS, "127.0.0.1", 0, now, &retry),
		    AUTH_FAIL);
		assert_true(retry == 0);
		now += 100;
	}
	assert_int_equal(attempt(rl, SS, "127.0.0.1", 0, now, &retry),
	    AUTH_LIMITED);
	/* locked at the 10th failure, 100 ms ago */
	assert_true(retry == 300000 - 100);
	assert_int_equal(attempt(rl, SS, "127.0.0.1", 0, now, &retry),
	    AUTH_LIMITED);
	rl_free(rl);
}

/* rl_failure reports the lockout as rl_check would right after */
static void
test_failure_return_value(void **state)
{
	struct ratelimit	*rl = new_default();
	int			 i;

	(void)state;
	for (i = 1; i < 10; i++) {
		assert_true(rl_failure(rl, SS, "::1", 0, T0) == 0);
		assert_true(rl_check(rl, SS, "::1", 0, T0) == 0);
	}
	assert_true(rl_failure(rl, SS, "::1", 0, T0) == 300000);
	assert_true(rl_check(rl, SS, "::1", 0, T0) == 300000);
	/* a failure during the lockout neither counts nor extends it */
	assert_true(rl_failure(rl, SS, "::1", 0, T0 + 5000) == 295000);
	assert_true(rl_check(rl, SS, "::1", 0, T0 + 5000) == 295000);
	assert_int_equal(rl_entries(rl), 1);
	rl_free(rl);
}

/* the 11th attempt carries the right credential and is still refused */
static void
test_correct_refused_during_lockout(void **state)
{
	struct ratelimit	*rl = new_default();
	uint64_t		 retry;
	int			 i;

	(void)state;
	for (i = 1; i <= 10; i++)
		assert_int_equal(attempt(rl, SS, "127.0.0.1", 0, T0, &retry),
		    AUTH_FAIL);
	assert_int_equal(attempt(rl, SS, "127.0.0.1", 1, T0 + 1, &retry),
	    AUTH_LIMITED);
	assert_true(retry == 299999);
	/* a success reported during the lockout does not lift it */
	rl_success(rl, SS, "127.0.0.1", T0 + 2);
	assert_true(rl_check(rl, SS, "127.0.0.1", 0, T0 + 2) == 299998);
	assert_int_equal(attempt(rl, SS, "127.0.0.1", 1, T0 + 3, &retry),
	    AUTH_LIMITED);
	rl_free(rl);
}

static void
test_lockout_expiry_exact(void **state)
{
	struct ratelimit	*rl = new_default();
	uint64_t		 retry, t;
	int			 i;

	(void)state;
	lock_out(rl, SS, "127.0.0.1", 10, T0);
	assert_true(rl_check(rl, SS, "127.0.0.1", 0, T0 + 300000 - 1) == 1);
	assert_true(rl_check(rl, SS, "127.0.0.1", 0, T0 + 300000) == 0);
	/* the right credential now works */
	t = T0 + 300000;
	assert_int_equal(attempt(rl, SS, "127.0.0.1", 1, t, &retry),
	    AUTH_OK);
	assert_int_equal(rl_entries(rl), 0);

	/* after an expiry without success the count starts afresh */
	lock_out(rl, SS, "127.0.0.1", 10, t);
	t += 300000;
	for (i = 1; i <= 9; i++)
		assert_true(rl_failure(rl, SS, "127.0.0.1", 0, t) == 0);
	assert_true(rl_failure(rl, SS, "127.0.0.1", 0, t) == 300000);
	rl_free(rl);
}

static void
test_retry_after(void **state)
{
	struct ratelimit	*rl = new_default();

	(void)state;
	lock_out(rl, SS, "127.0.0.1", 10, T0);
	assert_true(rl_retry_after_sec(rl_check(rl, SS, "127.0.0.1", 0,
	    T0)) == 300);
	assert_true(rl_retry_after_sec(rl_check(rl, SS, "127.0.0.1", 0,
	    T0 + 1)) == 300);
	assert_true(rl_retry_after_sec(rl_check(rl, SS, "127.0.0.1", 0,
	    T0 + 1000)) == 299);
	assert_true(rl_retry_after_sec(rl_check(rl, SS, "127.0.0.1", 0,
	    T0 + 299999)) == 1);

	assert_true(rl_retry_after_sec(0) == 1);
	assert_true(rl_retry_after_sec(1) == 1);
	assert_true(rl_retry_after_sec(999) == 1);
	assert_true(rl_retry_after_sec(1000) == 1);
	assert_true(rl_retry_after_sec(1001) == 2);
	assert_true(rl_retry_after_sec(300000) == 300);
	assert_true(rl_retry_after_sec(UINT64_MAX) ==
	    UINT64_MAX / 1000 + 1);
	rl_free(rl);
}

static void
test_success_resets(void **state)
{
	struct ratelimit	*rl = new_default();
	uint64_t		 retry, now = T0;
	int			 i;

	(void)state;
	for (i = 1; i <= 9; i++)
		assert_int_equal(attempt(rl, SS, "127.0.0.1", 0, now++, &retry),
		    AUTH_FAIL);
	assert_int_equal(rl_entries(rl), 1);
	assert_int_equal(attempt(rl, SS, "127.0.0.1", 1, now++, &retry),
	    AUTH_OK);
	assert_int_equal(rl_entries(rl), 0);
	/* nine more do not lock: the first nine were forgotten */
	for (i = 1; i <= 9; i++)
		assert_int_equal(attempt(rl, SS, "127.0.0.1", 0, now++, &retry),
		    AUTH_FAIL);
	assert_int_equal(attempt(rl, SS, "127.0.0.1", 0, now++, &retry),
	    AUTH_FAIL);
	assert_int_equal(attempt(rl, SS, "127.0.0.1", 0, now, &retry),
	    AUTH_LIMITED);
	rl_free(rl);
}

static void
test_sliding_window(void **state)
{
	struct ratelimit	*rl = new_default();
	uint64_t		 t;
	int			 i;

	(void)state;
	/* one failure every 6667 ms: ten span 60003 ms, never ten in 60 s */
	for (i = 0, t = T0; i < 200; i++, t += 6667) {
		assert_true(rl_check(rl, SS, "10.0.0.1", 0, t) == 0);
		assert_true(rl_failure(rl, SS, "10.0.0.1", 0, t) == 0);
	}

	/* ten within window_ms - 1 lock ... */
	for (i = 0; i < 9; i++)
		assert_true(rl_failure(rl, SS, "10.0.0.2", 0,
		    T0 + i) == 0);
	assert_true(rl_failure(rl, SS, "10.0.0.2", 0,
	    T0 + 60000 - 1) == 300000);

	/* ... ten across exactly window_ms do not: the first has expired */
	assert_true(rl_failure(rl, SS, "10.0.0.3", 0, T0) == 0);
	for (i = 1; i < 9; i++)
		assert_true(rl_failure(rl, SS, "10.0.0.3", 0,
		    T0 + 30000) == 0);
	assert_true(rl_failure(rl, SS, "10.0.0.3", 0, T0 + 60000) == 0);
	/* the window slides: the eight at +30000 and the one at +60000
	 * plus one more make ten within 60 s */
	assert_true(rl_failure(rl, SS, "10.0.0.3", 0,
	    T0 + 60000 + 29999) == 300000);
	rl_free(rl);
}

static void
test_independent_buckets(void **state)
{
	struct ratelimit	*rl = new_default();
	const char		*origin = "http://localhost:18789";

	(void)state;
	lock_out(rl, SS, "127.0.0.1", 10, T0);
	/* same class, another source; same source, other classes */
	assert_true(rl_check(rl, SS, "::1", 0, T0) == 0);
	assert_true(rl_check(rl, "browser-origin", "127.0.0.1", 0, T0) == 0);
	assert_true(rl_check(rl, "control-uid", "1000", 0, T0) == 0);
	assert_true(rl_check(rl, "browser-origin", origin, 0, T0) == 0);

	/* failures elsewhere lock nothing else */
	assert_true(rl_failure(rl, SS, "::1", 0, T0) == 0);
	assert_true(rl_failure(rl, "browser-origin", origin, 0, T0) == 0);
	assert_true(rl_failure(rl, "control-uid", "1000", 0, T0) == 0);
	assert_true(rl_check(rl, SS, "::1", 0, T0) == 0);

	/* each already has one failure: nine more lock it */
	lock_out(rl, "browser-origin", origin, 9, T0 + 10);
	lock_out(rl, "control-uid", "1000", 9, T0 + 20);
	assert_true(rl_check(rl, SS, "::1", 0, T0 + 20) == 0);
	assert_true(rl_check(rl, "control-uid", "1001", 0, T0 + 20) == 0);
	assert_true(rl_check(rl, SS, "127.0.0.1", 0, T0 + 20) ==
	    300000 - 20);
	assert_true(rl_check(rl, "browser-origin", origin, 0, T0 + 20) ==
	    300000 - 10);
	assert_true(rl_check(rl, "control-uid", "1000", 0, T0 + 20) ==
	    300000);

	/* the key is (class, source), not their concatenation */
	lock_out(rl, "ab", "c", 10, T0);
	assert_true(rl_check(rl, "a", "bc", 0, T0) == 0);
	assert_true(rl_check(rl, "abc", "", 0, T0) == 0);
	assert_true(rl_check(rl, "", "abc", 0, T0) == 0);
	rl_free(rl);
}

static void
test_exempt_loopback(void **state)
{
	struct rl_config	 c;
	struct ratelimit	*rl;
	int			 i;

	(void)state;
	/* off (the default): loopback counts like any source */
	rl = new_default();
	for (i = 1; i < 10; i++)
		assert_true(rl_failure(rl, SS, "127.0.0.1", 1, T0) == 0);
	assert_true(rl_failure(rl, SS, "127.0.0.1", 1, T0) == 300000);
	assert_true(rl_check(rl, SS, "127.0.0.1", 1, T0) == 300000);
	rl_free(rl);

	/* on: loopback is never limited nor recorded */
	rl_config_defaults(&c);
	c.exempt_loopback = 1;
	assert_non_null(rl = rl_new(&c));
	for (i = 0; i < 50; i++) {
		assert_true(rl_check(rl, SS, "::1", 1, T0) == 0);
		assert_true(rl_failure(rl, SS, "::1", 1, T0) == 0);
	}
	assert_int_equal(rl_entries(rl), 0);
	/* the exemption goes by the flag, not by the name */
	lock_out(rl, SS, "::1", 10, T0);
	assert_true(rl_check(rl, SS, "::1", 1, T0) == 0);
	assert_true(rl_check(rl, SS, "::1", 0, T0) == 300000);
	rl_free(rl);
}

/*
 * 100 000 distinct sources each fail once within the window: the table
 * never grows past max_entries and the locked entry is never evicted,
 * since unlocked ones exist.  Checks alone never create an entry.
 */
static void
test_flood_bounded(void **state)
{
	struct ratelimit	*rl = new_default();
	char			 src[64];
	size_t			 maxseen = 0;
	int			 i;

	(void)state;
	lock_out(rl, SS, "192.0.2.1", 10, T0);
	for (i = 0; i < 100000; i++) {
		snprintf(src, sizeof(src), "198.51.%d.%d", i / 256, i % 256);
		rl_failure(rl, SS, src, 0, T0 + (uint64_t)i / 10);
		if (rl_entries(rl) > maxseen)
			maxseen = rl_entries(rl);
		assert_true(rl_entries(rl) <= 4096);
	}
	assert_int_equal(maxseen, 4096);
	assert_true(rl_check(rl, SS, "192.0.2.1", 0, T0 + 10000) ==
	    300000 - 10000);
	/* the most recent sources were kept: their first failure counts */
	for (i = 100000 - 10; i < 100000; i++) {
		snprintf(src, sizeof(src), "198.51.%d.%d", i / 256, i % 256);
		lock_out(rl, SS, src, 9, T0 + 10000);
	}
	/* the oldest was not: nine more failures do not lock it */
	snprintf(src, sizeof(src), "198.51.%d.%d", 0, 0);
	for (i = 0; i < 9; i++)
		assert_true(rl_failure(rl, SS, src, 0, T0 + 10000) == 0);

	/* checks never create entries */
	for (i = 0; i < 100000; i++) {
		snprintf(src, sizeof(src), "203.0.%d.%d", i / 256, i % 256);
		assert_true(rl_check(rl, SS, src, 0, T0 + 10000) == 0);
	}
	assert_int_equal(rl_entries(rl), 4096);
	rl_free(rl);
}

/* a flood of sources that each get locked: still bounded */
static void
test_flood_of_lockouts(void **state)
{
	struct rl_config	 c;
	struct ratelimit	*rl;
	char			 src[64];
	int			 i;

	(void)state;
	rl_config_defaults(&c);
	c.max_failures = 1;
	c.max_entries = 64;
	assert_non_null(rl = rl_new(&c));
	for (i = 0; i < 10000; i++) {
		snprintf(src, sizeof(src), "src%d", i);
		assert_true(rl_failure(rl, SS, src, 0, T0 + (uint64_t)i) ==
		    300000);
		assert_true(rl_entries(rl) <= 64);
	}
	/* the 64 latest lockouts are the ones kept */
	assert_true(rl_check(rl, SS, "src9999", 0, T0 + 10000) != 0);
	assert_true(rl_check(rl, SS, "src9936", 0, T0 + 10000) != 0);
	assert_true(rl_check(rl, SS, "src9935", 0, T0 + 10000) == 0);
	rl_free(rl);
}

/* expired and idle entries go first, then LRU, then the earliest lock */
static void
test_eviction_order(void **state)
{
	struct rl_config	 c;
	struct ratelimit	*rl;

	(void)state;
	rl_config_defaults(&c);
	c.max_failures = 3;
	c.window_ms = 1000;
	c.lockout_ms = 100;
	c.max_entries = 2;
	assert_non_null(rl = rl_new(&c));

	/* an expired lockout goes before a busy unlocked entry (LRU) */
	lock_out(rl, SS, "L", 3, 0);			/* until 100 */
	assert_true(rl_failure(rl, SS, "U", 0, 150) == 0);
	assert_true(rl_failure(rl, SS, "N", 0, 200) == 0);
	assert_int_equal(rl_entries(rl), 2);
	assert_true(rl_failure(rl, SS, "U", 0, 210) == 0);
	assert_true(rl_failure(rl, SS, "U", 0, 220) == 100);	/* kept */
	rl_free(rl);

	/* an unlocked LRU entry goes before a running lockout */
	c.lockout_ms = 100000;
	assert_non_null(rl = rl_new(&c));
	lock_out(rl, SS, "L", 3, 0);
	assert_true(rl_failure(rl, SS, "A", 0, 10) == 0);
	assert_true(rl_failure(rl, SS, "B", 0, 20) == 0);	/* evicts A */
	assert_int_equal(rl_entries(rl), 2);
	assert_true(rl_check(rl, SS, "L", 0, 20) == 100000 - 20);
	assert_true(rl_failure(rl, SS, "B", 0, 30) == 0);
	assert_true(rl_failure(rl, SS, "B", 0, 40) == 100000);	/* kept */

	/* all locked: the lockout that ends first goes */
	lock_out(rl, SS, "C", 3, 50);			/* evicts L */
	assert_true(rl_check(rl, SS, "L", 0, 50) == 0);
	assert_true(rl_check(rl, SS, "B", 0, 50) == 100000 - 10);
	assert_true(rl_check(rl, SS, "C", 0, 50) == 100000);
	assert_int_equal(rl_entries(rl), 2);
	rl_free(rl);

	/* an idle entry (no failure in the window) goes */
	c.lockout_ms = 100;
	assert_non_null(rl = rl_new(&c));
	assert_true(rl_failure(rl, SS, "old", 0, 0) == 0);
	assert_true(rl_failure(rl, SS, "new", 0, 500) == 0);
	assert_true(rl_failure(rl, SS, "x", 0, 1200) == 0);	/* evicts old */
	assert_true(rl_failure(rl, SS, "new", 0, 1210) == 0);
	assert_true(rl_failure(rl, SS, "new", 0, 1220) == 100);
	rl_free(rl);
}

static void
test_overlong_keys(void **state)
{
	struct rl_config	 c;
	struct ratelimit	*rl;
	char			 cls[RL_CLS_MAX + 2], src[RL_SOURCE_MAX + 2];

	(void)state;
	rl_config_defaults(&c);
	c.exempt_loopback = 1;
	assert_non_null(rl = rl_new(&c));

	memset(cls, 'c', sizeof(cls) - 1);
	cls[sizeof(cls) - 1] = '\0';			/* 32 bytes */
	memset(src, 's', sizeof(src) - 1);
	src[sizeof(src) - 1] = '\0';			/* 256 bytes */

	/* one byte too long: refused with the full lockout, even loopback */
	assert_true(rl_check(rl, cls, "x", 0, T0) == 300000);
	assert_true(rl_check(rl, cls, "x", 1, T0) == 300000);
	assert_true(rl_failure(rl, cls, "x", 0, T0) == 300000);
	assert_true(rl_check(rl, SS, src, 0, T0) == 300000);
	assert_true(rl_failure(rl, SS, src, 1, T0) == 300000);
	assert_true(rl_check(rl, NULL, "x", 0, T0) == 300000);
	assert_true(rl_check(rl, SS, NULL, 0, T0) == 300000);
	assert_true(rl_failure(rl, SS, NULL, 0, T0) == 300000);
	rl_success(rl, cls, src, T0);
	rl_success(rl, NULL, NULL, T0);
	assert_int_equal(rl_entries(rl), 0);

	/* at the limit: accepted, and not confused with each other */
	cls[RL_CLS_MAX] = '\0';
	src[RL_SOURCE_MAX] = '\0';
	assert_true(rl_check(rl, cls, src, 0, T0) == 0);
	lock_out(rl, cls, src, 10, T0);
	src[RL_SOURCE_MAX - 1] = '\0';
	assert_true(rl_check(rl, cls, src, 0, T0) == 0);
	assert_int_equal(rl_entries(rl), 1);
	rl_free(rl);
}

static void
test_live_reconfig(void **state)
{
	struct rl_config	 c, bad;
	struct ratelimit	*rl = new_default();
	char			 src[32];
	int			 i;

	(void)state;
	/* lower max_failures with 5 failures recorded: the next one locks */
	for (i = 0; i < 5; i++)
		assert_true(rl_failure(rl, SS, "a", 0, T0) == 0);
	rl_config_defaults(&c);
	c.max_failures = 3;
	assert_int_equal(rl_set_config(rl, &c), 0);
	assert_true(rl_check(rl, SS, "a", 0, T0) == 0);
	assert_true(rl_failure(rl, SS, "a", 0, T0) == 300000);

	/* raise it: 2 recorded + 17 more do not lock, the 20th does */
	for (i = 0; i < 2; i++)
		assert_true(rl_failure(rl, SS, "b", 0, T0) == 0);
	c.max_failures = 20;
	assert_int_equal(rl_set_config(rl, &c), 0);
	for (i = 0; i < 17; i++)
		assert_true(rl_failure(rl, SS, "b", 0, T0) == 0);
	assert_true(rl_failure(rl, SS, "b", 0, T0) == 300000);
	/* the lockout of "a" survived both reloads */
	assert_true(rl_check(rl, SS, "a", 0, T0) == 300000);

	/* a new lockout_ms applies to new lockouts only */
	c.max_failures = 1;
	c.lockout_ms = 5000;
	assert_int_equal(rl_set_config(rl, &c), 0);
	assert_true(rl_failure(rl, SS, "c", 0, T0) == 5000);
	assert_true(rl_check(rl, SS, "a", 0, T0 + 1) == 299999);

	/* exempt_loopback switched on live */
	c.exempt_loopback = 1;
	assert_int_equal(rl_set_config(rl, &c), 0);
	assert_true(rl_check(rl, SS, "a", 1, T0) == 0);
	assert_true(rl_check(rl, SS, "a", 0, T0) == 300000);

	/* a smaller max_entries evicts down to it, unlocked ones first */
	c.max_failures = 10;
	c.exempt_loopback = 0;
	assert_int_equal(rl_set_config(rl, &c), 0);
	for (i = 0; i < 20; i++) {
		snprintf(src, sizeof(src), "u%d", i);
		assert_true(rl_failure(rl, SS, src, 0, T0 + 10) == 0);
	}
	assert_int_equal(rl_entries(rl), 23);
	c.max_entries = 4;
	assert_int_equal(rl_set_config(rl, &c), 0);
	assert_int_equal(rl_entries(rl), 4);
	assert_true(rl_check(rl, SS, "a", 0, T0 + 10) != 0);
	assert_true(rl_check(rl, SS, "b", 0, T0 + 10) != 0);
	assert_true(rl_check(rl, SS, "c", 0, T0 + 10) != 0);
	/* and the table still works after the rehash */
	/* u19, the most recent, survived: 1 + 9 failures lock it */
	for (i = 0; i < 8; i++)
		assert_true(rl_failure(rl, SS, "u19", 0, T0 + 10) == 0);
	assert_true(rl_failure(rl, SS, "u19", 0, T0 + 10) == 5000);
	assert_true(rl_check(rl, SS, "u19", 0, T0 + 10) != 0);
	assert_int_equal(rl_entries(rl), 4);
	c.max_entries = 100000;
	assert_int_equal(rl_set_config(rl, &c), 0);
	assert_true(rl_check(rl, SS, "u19", 0, T0 + 10) != 0);
	assert_true(rl_check(rl, SS, "a", 0, T0 + 10) != 0);

	/* an invalid reload is refused and changes nothing */
	bad = c;
	bad.max_failures = 0;
	assert_int_equal(rl_set_config(rl, &bad), -1);
	bad = c;
	bad.max_entries = 0;
	assert_int_equal(rl_set_config(rl, &bad), -1);
	assert_int_equal(rl_set_config(rl, NULL), -1);
	for (i = 0; i < 9; i++)
		assert_true(rl_failure(rl, SS, "d", 0, T0 + 20) == 0);
	assert_true(rl_failure(rl, SS, "d", 0, T0 + 20) == 5000);
	rl_free(rl);
}

/* a smaller max_failures keeps the most recent failures, not the oldest */
static void
test_reload_keeps_newest(void **state)
{
	struct rl_config	 c;
	struct ratelimit	*rl = new_default();

	(void)state;
	assert_true(rl_failure(rl, SS, "e", 0, T0) == 0);
	assert_true(rl_failure(rl, SS, "e", 0, T0 + 1) == 0);
	assert_true(rl_failure(rl, SS, "e", 0, T0 + 50000) == 0);
	assert_true(rl_failure(rl, SS, "e", 0, T0 + 50001) == 0);
	rl_config_defaults(&c);
	c.max_failures = 3;
	assert_int_equal(rl_set_config(rl, &c), 0);
	/*
	 * kept: + 1, + 50000, + 50001; one more at + 65000 makes the
	 * newest three + 50000 .. + 65000, within 60 s: locked.  Had the
	 * oldest been kept, the three would span + 1 .. + 65000.
	 */
	assert_true(rl_failure(rl, SS, "e", 0, T0 + 65000) == 300000);
	rl_free(rl);
}

static void
test_bad_config(void **state)
{
	struct rl_config	 c;
	struct ratelimit	*rl;

	(void)state;
	assert_null(rl_new(NULL));
	rl_config_defaults(&c);
	c.max_failures = 0;
	assert_null(rl_new(&c));
	rl_config_defaults(&c);
	c.max_entries = 0;
	assert_null(rl_new(&c));
	rl_config_defaults(&c);
	c.window_ms = 0;
	assert_null(rl_new(&c));
	rl_config_defaults(&c);
	c.lockout_ms = 0;
	assert_null(rl_new(&c));
	rl_config_defaults(&c);
	c.max_failures = RL_MAX_FAILURES_LIMIT + 1;
	assert_null(rl_new(&c));
	rl_config_defaults(&c);
	c.max_entries = (size_t)RL_MAX_ENTRIES_LIMIT + 1;
	assert_null(rl_new(&c));
	rl_config_defaults(&c);
	c.lockout_ms = RL_MAX_DURATION_MS + 1;
	assert_null(rl_new(&c));

	/* the limits themselves are fine */
	rl_config_defaults(&c);
	c.max_failures = 1;
	c.max_entries = 1;
	c.window_ms = 1;
	c.lockout_ms = 1;
	assert_non_null(rl = rl_new(&c));
	assert_true(rl_failure(rl, SS, "x", 0, T0) == 1);
	assert_true(rl_check(rl, SS, "x", 0, T0 + 1) == 0);
	c.max_entries = 0;
	assert_int_equal(rl_set_config(rl, &c), -1);
	rl_free(rl);
	rl_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_ten_failures_then_locked),
		cmocka_unit_test(test_failure_return_value),
		cmocka_unit_test(test_correct_refused_during_lockout),
		cmocka_unit_test(test_lockout_expiry_exact),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_success_resets),
		cmocka_unit_test(test_sliding_window),
		cmocka_unit_test(test_independent_buckets),
		cmocka_unit_test(test_exempt_loopback),
		cmocka_unit_test(test_flood_bounded),
		cmocka_unit_test(test_flood_of_lockouts),
		cmocka_unit_test(test_eviction_order),
		cmocka_unit_test(test_overlong_keys),
		cmocka_unit_test(test_live_reconfig),
		cmocka_unit_test(test_reload_keeps_newest),
		cmocka_unit_test(test_bad_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
