/*
 * test_http_auth.c - unit tests of front's HTTP credential and
 * forwarding-header parsing (gatewayd/http_auth.c, trust zone "front").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "http_auth.h"

static void
test_bearer_ok(void **state)
{
	const char	*tok;
	size_t		 len;

	(void)state;
	assert_int_equal(http_bearer("Bearer abc.DEF-123_~+/=", &tok, &len), 1);
	assert_int_equal(len, strlen("abc.DEF-123_~+/="));
	assert_memory_equal(tok, "abc.DEF-123_~+/=", len);
	assert_int_equal(http_bearer("bearer   xyz  ", &tok, &len), 1);
	assert_int_equal(len, 3);
	assert_int_equal(http_bearer("  BEARER\tq", &tok, &len), 1);
	assert_int_equal(len, 1);
}

static void
test_bearer_absent_or_other(void **state)
{
	const char	*tok = NULL;
	size_t		 len = 0;

	(void)state;
	assert_int_equal(http_bearer(NULL, &tok, &len), 0);
	assert_int_equal(http_bearer("", &tok, &len), 0);
	assert_int_equal(http_bearer("Basic dXNlcjpwdw==", &tok, &len), 0);
	assert_int_equal(http_bearer("Bearerx abc", &tok, &len), 0);
	assert_null(tok);
}

static void
test_bearer_malformed(void **state)
{
	const char	*tok = NULL;
	size_t		 len = 0;
	char		 big[600];

	(void)state;
	assert_int_equal(http_bearer("Bearer", &tok, &len), -1);
	assert_int_equal(http_bearer("Bearer    ", &tok, &len), -1);
	assert_int_equal(http_bearer("Bearer a b", &tok, &len), -1);
	assert_int_equal(http_bearer("Bearer a\"b", &tok, &len), -1);
	assert_int_equal(http_bearer("Bearer a,b", &tok, &len), -1);
	memset(big, 'a', sizeof(big));
	memcpy(big, "Bearer ", 7);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(http_bearer(big, &tok, &len), -1);
	assert_null(tok);
}

static void
test_forwarding_headers(void **state)
{
	(void)state;
	assert_true(http_is_forwarding_header("Forwarded"));
	assert_true(http_is_forwarding_header("x-forwarded-for"));
	assert_true(http_is_forwarding_header("X-Forwarded-Proto"));
	assert_true(http_is_forwarding_header("X-Real-IP"));
	assert_false(http_is_forwarding_header("X-Forwarded"));
	assert_false(http_is_forwarding_header("Forward"));
	assert_false(http_is_forwarding_header("Authorization"));
}

static void
test_loopback(void **state)
{
	(void)state;
	assert_true(http_addr_is_loopback("127.0.0.1"));
	assert_true(http_addr_is_loopback("127.255.0.9"));
	assert_true(http_addr_is_loopback("::1"));
	assert_true(http_addr_is_loopback("::ffff:127.0.0.1"));
	assert_false(http_addr_is_loopback("128.0.0.1"));
	assert_false(http_addr_is_loopback("::ffff:10.0.0.1"));
	assert_false(http_addr_is_loopback("localhost"));
	assert_false(http_addr_is_loopback(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bearer_ok),
		cmocka_unit_test(test_bearer_absent_or_other),
		cmocka_unit_test(test_bearer_malformed),
		cmocka_unit_test(test_forwarding_headers),
		cmocka_unit_test(test_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
