/*
 * test_codec.c - unit tests for the typed payload codec (common/codec.c):
 * round trips of every field type, the wire encoding, bounds checks on
 * every reader (overrun, NUL in strings, length limits, exact lengths),
 * sticky errors, trailing bytes refused by cb_get_end, empty payloads and
 * the CB_MAXLEN bound on writers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"

/* a view over what was written, so the reader never sees the writer */
static void
view_of(struct cbuf *r, const struct cbuf *w)
{
	cb_view(r, w->data, w->len);
}

static void
test_roundtrip_all_types(void **state)
{
	struct cbuf	 w, r;
	uint8_t		 u8;
	uint32_t	 u32;
	uint64_t	 u64;
	char		 s[32], *dup = NULL;
	const uint8_t	 blob[5] = { 0x00, 0xff, 0x10, 0x00, 0x7f };
	const uint8_t	*bp;
	size_t		 blen;
	uint8_t		 fixed[4];

	(void)state;
	cb_init(&w);
	assert_int_equal(cb_put_u8(&w, 0), 0);
	assert_int_equal(cb_put_u8(&w, 0xff), 0);
	assert_int_equal(cb_put_u32(&w, 0), 0);
	assert_int_equal(cb_put_u32(&w, 0xdeadbeef), 0);
	assert_int_equal(cb_put_u32(&w, UINT32_MAX), 0);
	assert_int_equal(cb_put_u64(&w, 0), 0);
	assert_int_equal(cb_put_u64(&w, 0x0123456789abcdefULL), 0);
	assert_int_equal(cb_put_u64(&w, UINT64_MAX), 0);
	assert_int_equal(cb_put_str(&w, "hello"), 0);
	assert_int_equal(cb_put_str(&w, ""), 0);
	assert_int_equal(cb_put_bytes(&w, blob, sizeof(blob)), 0);
	assert_int_equal(cb_put_bytes(&w, NULL, 0), 0);
	assert_int_equal(cb_put_bytes(&w, "\x01\x02\x03\x04", 4), 0);
	assert_int_equal(cb_put_str(&w, "dup me"), 0);
	assert_int_equal(w.err, 0);

	view_of(&r, &w);
	assert_int_equal(cb_get_u8(&r, &u8), 0);
	assert_int_equal(u8, 0);
	assert_int_equal(cb_get_u8(&r, &u8), 0);
	assert_int_equal(u8, 0xff);
	assert_int_equal(cb_get_u32(&r, &u32), 0);
	assert_int_equal(u32, 0);
	assert_int_equal(cb_get_u32(&r, &u32), 0);
	assert_int_equal(u32, 0xdeadbeef);
	assert_int_equal(cb_get_u32(&r, &u32), 0);
	assert_int_equal(u32, UINT32_MAX);
	assert_int_equal(cb_get_u64(&r, &u64), 0);
	assert_true(u64 == 0);
	assert_int_equal(cb_get_u64(&r, &u64), 0);
	assert_true(u64 == 0x0123456789abcdefULL);
	assert_int_equal(cb_get_u64(&r, &u64), 0);
	assert_true(u64 == UINT64_MAX);
	assert_int_equal(cb_get_str(&r, s, sizeof(s)), 0);
	assert_string_equal(s, "hello");
	memset(s, 'x', sizeof(s));
	assert_int_equal(cb_get_str(&r, s, sizeof(s)), 0);
	assert_string_equal(s, "");
	assert_int_equal(cb_get_bytes(&r, &bp, &blen, 16), 0);
	assert_int_equal(blen, sizeof(blob));
	assert_memory_equal(bp, blob, sizeof(blob));
	assert_int_equal(cb_get_bytes(&r, &bp, &blen, 16), 0);
	assert_int_equal(blen, 0);
	assert_int_equal(cb_get_fixed(&r, fixed, sizeof(fixed)), 0);
	assert_memory_equal(fixed, "\x01\x02\x03\x04", 4);
	assert_int_equal(cb_get_strdup(&r, &dup, 64), 0);
	assert_non_null(dup);
	assert_string_equal(dup, "dup me");
	free(dup);
	assert_int_equal(cb_get_end(&r), 0);
	cb_free(&w);
	assert_null(w.data);
}

/* the documented wire format: LE integers, u32 length prefixes */
static void
test_wire_format(void **state)
{
	struct cbuf	 w;
	const uint8_t	 want[] = {
		0xab,
		0x04, 0x03, 0x02, 0x01,
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		0x02, 0x00, 0x00, 0x00, 'h', 'i',
	};

	(void)state;
	cb_init(&w);
	cb_put_u8(&w, 0xab);
	cb_put_u32(&w, 0x01020304);
	cb_put_u64(&w, 0x0102030405060708ULL);
	cb_put_str(&w, "hi");
	assert_int_equal(w.err, 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(w.data, want, sizeof(want));
	cb_free(&w);
}

/* a big write forces the buffer to grow several times */
static void
test_roundtrip_large(void **state)
{
	struct cbuf	 w, r;
	uint8_t		*big, *back;
	const uint8_t	*bp;
	size_t		 blen, i, n = 100000;
	uint32_t	 u32;

	(void)state;
	assert_non_null(big = malloc(n));
	assert_non_null(back = malloc(n));
	for (i = 0; i < n; i++)
		big[i] = (uint8_t)(i * 7 + 3);
	cb_init(&w);
	for (i = 0; i < 1000; i++)
		assert_int_equal(cb_put_u32(&w, (uint32_t)i), 0);
	assert_int_equal(cb_put_bytes(&w, big, n), 0);
	view_of(&r, &w);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(cb_get_u32(&r, &u32), 0);
		assert_int_equal(u32, i);
	}
	assert_int_equal(cb_get_bytes(&r, &bp, &blen, n), 0);
	assert_int_equal(blen, n);
	assert_memory_equal(bp, big, n);
	assert_int_equal(cb_get_end(&r), 0);

	/* the same bytes again, as an exact-length field */
	view_of(&r, &w);
	for (i = 0; i < 1000; i++)
		cb_get_u32(&r, &u32);
	assert_int_equal(cb_get_fixed(&r, back, n), 0);
	assert_memory_equal(back, big, n);
	assert_int_equal(cb_get_end(&r), 0);
	cb_free(&w);
	free(big);
	free(back);
}

/* reading past the end fails, and every later read fails too */
static void
test_overrun_sticky(void **state)
{
	const uint8_t	 three[3] = { 1, 2, 3 };
	const uint8_t	 nine[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct cbuf	 r;
	uint8_t		 u8;
	uint32_t	 u32;
	uint64_t	 u64;

	(void)state;
	/* u32 out of 3 bytes */
	cb_view(&r, three, sizeof(three));
	assert_int_equal(cb_get_u32(&r, &u32), -1);
	assert_int_not_equal(r.err, 0);
	/* sticky: a u8 would fit but must fail now */
	assert_int_equal(cb_get_u8(&r, &u8), -1);
	assert_int_equal(cb_get_end(&r), -1);

	/* u64 out of 3 bytes */
	cb_view(&r, three, sizeof(three));
	assert_int_equal(cb_get_u64(&r, &u64), -1);
	assert_int_equal(cb_get_u8(&r, &u8), -1);

	/* exact consumption, then one more */
	cb_view(&r, nine, sizeof(nine));
	assert_int_equal(cb_get_u64(&r, &u64), 0);
	assert_int_equal(cb_get_u8(&r, &u8), 0);
	assert_int_equal(u8, 9);
	assert_int_equal(cb_get_end(&r), 0);
	assert_int_equal(cb_get_u8(&r, &u8), -1);
	assert_int_equal(cb_get_end(&r), -1);

	/* an overrun in the middle poisons the rest */
	cb_view(&r, nine, sizeof(nine));
	assert_int_equal(cb_get_u32(&r, &u32), 0);
	assert_int_equal(cb_get_u64(&r, &u64), -1);
	assert_int_equal(cb_get_u32(&r, &u32), -1);
	assert_int_equal(cb_get_u8(&r, &u8), -1);
	assert_int_equal(cb_get_end(&r), -1);
}

/* a length prefix that claims more than is there */
static void
test_bytes_overrun(void **state)
{
	const uint8_t	 msg[] = { 0x05, 0, 0, 0, 'a', 'b', 'c', 'd' };
	const uint8_t	 huge[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
	struct cbuf	 r;
	const uint8_t	*bp;
	size_t		 blen;
	char		 s[64], *dup = NULL;
	uint8_t		 u8;

	(void)state;
	cb_view(&r, msg, sizeof(msg));
	assert_int_equal(cb_get_bytes(&r, &bp, &blen, 64), -1);
	assert_int_equal(cb_get_u8(&r, &u8), -1);

	cb_view(&r, msg, sizeof(msg));
	assert_int_equal(cb_get_str(&r, s, sizeof(s)), -1);

	cb_view(&r, msg, sizeof(msg));
	assert_int_equal(cb_get_strdup(&r, &dup, 64), -1);
	assert_null(dup);

	/* 4 GiB claimed, huge maxlen: must not wrap */
	cb_view(&r, huge, sizeof(huge));
	assert_int_equal(cb_get_bytes(&r, &bp, &blen, SIZE_MAX), -1);
	cb_view(&r, huge, sizeof(huge));
	assert_int_equal(cb_get_strdup(&r, &dup, SIZE_MAX), -1);
	assert_null(dup);
}

static void
test_trailing_bytes(void **state)
{
	struct cbuf	 w, r;
	uint32_t	 u32;

	(void)state;
	cb_init(&w);
	cb_put_u32(&w, 7);
	cb_put_u8(&w, 0);
	view_of(&r, &w);
	assert_int_equal(cb_get_u32(&r, &u32), 0);
	assert_int_equal(u32, 7);
	assert_int_equal(cb_get_end(&r), -1);
	assert_int_not_equal(r.err, 0);
	cb_free(&w);
}

static void
test_str_with_nul_refused(void **state)
{
	const uint8_t	 msg[] = { 0x03, 0, 0, 0, 'a', '\0', 'b' };
	const uint8_t	 lead[] = { 0x01, 0, 0, 0, '\0' };
	struct cbuf	 r;
	const uint8_t	*bp;
	size_t		 blen;
	char		 s[16], *dup = NULL;

	(void)state;
	cb_view(&r, msg, sizeof(msg));
	assert_int_equal(cb_get_str(&r, s, sizeof(s)), -1);
	assert_int_equal(cb_get_end(&r), -1);

	cb_view(&r, msg, sizeof(msg));
	assert_int_equal(cb_get_strdup(&r, &dup, 16), -1);
	assert_null(dup);
	assert_int_equal(cb_get_end(&r), -1);

	cb_view(&r, lead, sizeof(lead));
	assert_int_equal(cb_get_str(&r, s, sizeof(s)), -1);

	/* a byte string may contain NUL */
	cb_view(&r, msg, sizeof(msg));
	assert_int_equal(cb_get_bytes(&r, &bp, &blen, 16), 0);
	assert_int_equal(blen, 3);
	assert_int_equal(cb_get_end(&r), 0);
}

/* cb_get_str needs room for the terminator too */
static void
test_str_too_long(void **state)
{
	struct cbuf	 w, r;
	char		 s[6], *dup = NULL;

	(void)state;
	cb_init(&w);
	cb_put_str(&w, "abcde");	/* 5 chars: fits in 6 */
	cb_put_str(&w, "abcdef");	/* 6 chars: does not */

	view_of(&r, &w);
	memset(s, 'x', sizeof(s));
	assert_int_equal(cb_get_str(&r, s, sizeof(s)), 0);
	assert_string_equal(s, "abcde");
	assert_int_equal(cb_get_str(&r, s, sizeof(s)), -1);
	assert_int_equal(cb_get_end(&r), -1);

	/* bufsz 0 never fits */
	view_of(&r, &w);
	assert_int_equal(cb_get_str(&r, s, 0), -1);
	assert_int_not_equal(r.err, 0);

	/* the same limits for strdup: maxlen counts characters */
	view_of(&r, &w);
	assert_int_equal(cb_get_strdup(&r, &dup, 5), 0);
	assert_string_equal(dup, "abcde");
	free(dup);
	dup = NULL;
	assert_int_equal(cb_get_strdup(&r, &dup, 5), -1);
	assert_null(dup);
	assert_int_equal(cb_get_end(&r), -1);
	cb_free(&w);
}

static void
test_bytes_maxlen(void **state)
{
	struct cbuf	 w, r;
	const uint8_t	*bp = NULL;
	size_t		 blen = 0;
	uint8_t		 u8;

	(void)state;
	cb_init(&w);
	cb_put_bytes(&w, "0123456789", 10);
	cb_put_u8(&w, 1);

	view_of(&r, &w);
	assert_int_equal(cb_get_bytes(&r, &bp, &blen, 10), 0);
	assert_int_equal(blen, 10);
	assert_memory_equal(bp, "0123456789", 10);

	view_of(&r, &w);
	assert_int_equal(cb_get_bytes(&r, &bp, &blen, 9), -1);
	assert_int_equal(cb_get_u8(&r, &u8), -1);
	assert_int_equal(cb_get_end(&r), -1);

	view_of(&r, &w);
	assert_int_equal(cb_get_bytes(&r, &bp, &blen, 0), -1);
	cb_free(&w);
}

static void
test_fixed_wrong_length(void **state)
{
	struct cbuf	 w, r;
	uint8_t		 buf[16], canary[16];

	(void)state;
	cb_init(&w);
	cb_put_bytes(&w, "12345678", 8);
	cb_put_bytes(&w, "12345678", 8);

	/* shorter than wanted */
	memset(buf, 0xaa, sizeof(buf));
	memset(canary, 0xaa, sizeof(canary));
	view_of(&r, &w);
	assert_int_equal(cb_get_fixed(&r, buf, 9), -1);
	assert_memory_equal(buf, canary, sizeof(buf));
	assert_int_equal(cb_get_end(&r), -1);

	/* longer than wanted */
	view_of(&r, &w);
	assert_int_equal(cb_get_fixed(&r, buf, 7), -1);
	assert_memory_equal(buf, canary, sizeof(buf));
	assert_int_equal(cb_get_fixed(&r, buf, 8), -1);	/* sticky */

	/* exact */
	view_of(&r, &w);
	assert_int_equal(cb_get_fixed(&r, buf, 8), 0);
	assert_int_equal(cb_get_fixed(&r, buf + 8, 8), 0);
	assert_memory_equal(buf, "1234567812345678", 16);
	assert_int_equal(cb_get_end(&r), 0);
	cb_free(&w);
}

static void
test_empty_payload(void **state)
{
	struct cbuf	 w, r;
	uint8_t		 u8;
	const uint8_t	 zero[4] = { 0 };
	const uint8_t	*bp = NULL;
	size_t		 blen = 99;
	char		 s[4];

	(void)state;
	/* a writer that wrote nothing, read back */
	cb_init(&w);
	assert_int_equal(w.len, 0);
	view_of(&r, &w);
	assert_int_equal(cb_get_end(&r), 0);
	view_of(&r, &w);
	assert_int_equal(cb_get_u8(&r, &u8), -1);
	assert_int_equal(cb_get_end(&r), -1);
	cb_free(&w);

	/* a view over NULL, 0 */
	cb_view(&r, NULL, 0);
	assert_int_equal(cb_get_end(&r), 0);

	/* an empty string and empty bytes are a bare zero length */
	cb_view(&r, zero, sizeof(zero));
	assert_int_equal(cb_get_str(&r, s, sizeof(s)), 0);
	assert_string_equal(s, "");
	assert_int_equal(cb_get_end(&r), 0);
	cb_view(&r, zero, sizeof(zero));
	assert_int_equal(cb_get_bytes(&r, &bp, &blen, 0), 0);
	assert_int_equal(blen, 0);
	assert_int_equal(cb_get_end(&r), 0);
}

static void
test_maxlen_on_write(void **state)
{
	struct cbuf	 w;
	uint8_t		*big;

	(void)state;
	assert_non_null(big = calloc(1, CB_MAXLEN + 1));

	/* exactly CB_MAXLEN in total is fine */
	cb_init(&w);
	assert_int_equal(cb_put_bytes(&w, big, CB_MAXLEN - 4), 0);
	assert_int_equal(w.len, CB_MAXLEN);
	/* one byte more is not, and the error sticks */
	assert_int_equal(cb_put_u8(&w, 0), -1);
	assert_int_not_equal(w.err, 0);
	assert_int_equal(w.len, CB_MAXLEN);
	cb_free(&w);

	/* a byte string whose prefix pushes it over */
	cb_init(&w);
	assert_int_equal(cb_put_bytes(&w, big, CB_MAXLEN), -1);
	assert_int_not_equal(w.err, 0);
	assert_true(w.len <= CB_MAXLEN);
	cb_free(&w);

	/* longer than CB_MAXLEN by itself */
	cb_init(&w);
	assert_int_equal(cb_put_bytes(&w, big, CB_MAXLEN + 1), -1);
	assert_int_not_equal(w.err, 0);
	/* sticky on the writer too */
	assert_int_equal(cb_put_u8(&w, 0), -1);
	assert_int_equal(cb_put_u32(&w, 0), -1);
	assert_int_equal(cb_put_u64(&w, 0), -1);
	assert_int_equal(cb_put_str(&w, ""), -1);
	cb_free(&w);

	/* many small writes reach the bound too */
	cb_init(&w);
	while (cb_put_u64(&w, 0) == 0)
		assert_true(w.len <= CB_MAXLEN);
	assert_int_not_equal(w.err, 0);
	assert_int_equal(w.len, CB_MAXLEN);
	cb_free(&w);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_all_types),
		cmocka_unit_test(test_wire_format),
		cmocka_unit_test(test_roundtrip_large),
		cmocka_unit_test(test_overrun_sticky),
		cmocka_unit_test(test_bytes_overrun),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_str_with_nul_refused),
		cmocka_unit_test(test_str_too_long),
		cmocka_unit_test(test_bytes_maxlen),
		cmocka_unit_test(test_fixed_wrong_length),
		cmocka_unit_test(test_empty_payload),
		cmocka_unit_test(test_maxlen_on_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
