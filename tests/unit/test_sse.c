/*
 * test_sse.c - unit tests of the server-sent events parser (agentd/sse.c,
 * trust zone "agentd"): a stream of many events split at every byte
 * position (and at every pair of positions) gives the same events as
 * when fed whole or byte by byte; LF, CRLF and CR line ends, a CRLF
 * split between chunks; comments, fields without a colon, the one space
 * dropped, multi-line data, event names and their reset, id and retry
 * ignored, the BOM; events without data or without their blank line
 * never dispatched; a callback that stops the parser; the line and
 * event limits, exact and one byte over, sticky.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sse.h"

#define EV_MAX	32

struct ev {
	char	*name;
	char	*data;
	size_t	 len;
};

struct evs {
	struct ev	 ev[EV_MAX];
	size_t		 n;
	size_t		 stop_at;	/* stop at this event; 0: never */
};

static int
collect(const char *name, const char *data, size_t len, void *arg)
{
	struct evs	*e = arg;
	struct ev	*v;

	assert_true(e->n < EV_MAX);
	assert_non_null(name);
	assert_non_null(data);
	assert_int_equal(data[len], '\0');
	v = &e->ev[e->n++];
	assert_non_null(v->name = strdup(name));
	assert_non_null(v->data = malloc(len + 1));
	memcpy(v->data, data, len + 1);
	v->len = len;
	if (e->stop_at != 0 && e->n == e->stop_at)
		return -1;
	return 0;
}

static void
evs_free(struct evs *e)
{
	size_t	 i;

	for (i = 0; i < e->n; i++) {
		free(e->ev[i].name);
		free(e->ev[i].data);
	}
	memset(e, 0, sizeof(*e));
}

static void
evs_equal(const struct evs *a, const struct evs *b)
{
	size_t	 i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->ev[i].name, b->ev[i].name);
		assert_int_equal(a->ev[i].len, b->ev[i].len);
		assert_memory_equal(a->ev[i].data, b->ev[i].data, a->ev[i].len);
	}
}

/* the events of s fed in pieces cut at the sorted offsets cuts[] */
static int
feed_cut(const char *s, size_t len, const size_t *cuts, size_t ncuts,
    struct evs *e)
{
	struct sse	 p;
	size_t		 i, at = 0;
	int		 rv = 0;

	sse_init(&p);
	for (i = 0; i <= ncuts && rv == 0; i++) {
		size_t	 end = i < ncuts ? cuts[i] : len;

		rv = sse_feed(&p, s + at, end - at, collect, e);
		at = end;
	}
	sse_free(&p);
	return rv;
}

static int
feed_all(const char *s, size_t len, struct evs *e)
{
	return feed_cut(s, len, NULL, 0, e);
}

static void
expect(const struct evs *e, size_t i, const char *name, const char *data)
{
	assert_true(i < e->n);
	assert_string_equal(e->ev[i].name, name);
	assert_int_equal(e->ev[i].len, strlen(data));
	assert_memory_equal(e->ev[i].data, data, strlen(data));
}

static const char stream[] =
    "\xef\xbb\xbf"
    ": a comment\r\n"
    "event: message_start\r\n"
    "data: {\"type\":\"message_start\"}\r\n"
    "\r\n"
    "event: ping\n"
    "data: {\"type\": \"ping\"}\n"
    "\n"
    "id: 7\r"
    "retry: 1000\r"
    "data:first\r"
    "data:  second\r"
    "data\r"
    "\r"
    "event: unused\n"
    "\n"
    "data: [DONE]\n"
    ": trailing comment\r\n"
    "\r\n"
    "data: x\n"
    "unknown: field\n"
    "event:last\n"
    "\n"
    "data: never dispatched\n";

static void
check_stream(const struct evs *e)
{
	assert_int_equal(e->n, 5);
	expect(e, 0, "message_start", "{\"type\":\"message_start\"}");
	expect(e, 1, "ping", "{\"type\": \"ping\"}");
	expect(e, 2, "", "first\n second\n");
	expect(e, 3, "", "[DONE]");
	expect(e, 4, "last", "x");
}

static void
test_whole(void **state)
{
	struct evs	 e = { 0 };

	(void)state;
	assert_int_equal(feed_all(stream, sizeof(stream) - 1, &e), 0);
	check_stream(&e);
	evs_free(&e);
}

static void
test_split_every_byte(void **state)
{
	struct evs	 whole = { 0 }, e;
	size_t		 len = sizeof(stream) - 1, cut;

	(void)state;
	assert_int_equal(feed_all(stream, len, &whole), 0);
	for (cut = 0; cut <= len; cut++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(feed_cut(stream, len, &cut, 1, &e), 0);
		evs_equal(&whole, &e);
		evs_free(&e);
	}
	evs_free(&whole);
}

static void
test_split_every_pair(void **state)
{
	struct evs	 whole = { 0 }, e;
	size_t		 len = sizeof(stream) - 1, cuts[2];

	(void)state;
	assert_int_equal(feed_all(stream, len, &whole), 0);
	for (cuts[0] = 0; cuts[0] <= len; cuts[0]++)
		for (cuts[1] = cuts[0]; cuts[1] <= len; cuts[1]++) {
			memset(&e, 0, sizeof(e));
			assert_int_equal(feed_cut(stream, len, cuts, 2, &e),
			    0);
			evs_equal(&whole, &e);
			evs_free(&e);
		}
	evs_free(&whole);
}

static void
test_byte_by_byte(void **state)
{
	struct evs	 whole = { 0 }, e = { 0 };
	struct sse	 p;
	size_t		 len = sizeof(stream) - 1, i;

	(void)state;
	assert_int_equal(feed_all(stream, len, &whole), 0);
	sse_init(&p);
	for (i = 0; i < len; i++)
		assert_int_equal(sse_feed(&p, stream + i, 1, collect, &e), 0);
	assert_null(sse_error(&p));
	sse_free(&p);
	evs_equal(&whole, &e);
	evs_free(&whole);
	evs_free(&e);
}

/* the same two events with each kind of line end */
static void
test_line_ends(void **state)
{
	static const char	*ends[] = { "\n", "\r\n", "\r" };
	char			 buf[256];
	struct evs		 e;
	size_t			 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		const char	*n = ends[i];

		snprintf(buf, sizeof(buf),
		    "event: a%sdata: 1%sdata: 2%s%sdata: 3%s%s",
		    n, n, n, n, n, n);
		memset(&e, 0, sizeof(e));
		assert_int_equal(feed_all(buf, strlen(buf), &e), 0);
		assert_int_equal(e.n, 2);
		expect(&e, 0, "a", "1\n2");
		expect(&e, 1, "", "3");
		evs_free(&e);
	}
}

/* a CR at the end of a chunk, its LF at the start of the next */
static void
test_crlf_split(void **state)
{
	struct sse	 p;
	struct evs	 e = { 0 };

	(void)state;
	sse_init(&p);
	assert_int_equal(sse_feed(&p, "data: a\r", 8, collect, &e), 0);
	assert_int_equal(sse_feed(&p, "\ndata: b\r", 9, collect, &e), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(sse_feed(&p, "\n", 1, collect, &e), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(sse_feed(&p, "\r", 1, collect, &e), 0);
	assert_int_equal(e.n, 1);
	expect(&e, 0, "", "a\nb");
	/* CR CR: two line ends, the second dispatches */
	assert_int_equal(sse_feed(&p, "data: c\r\r", 9, collect, &e), 0);
	assert_int_equal(e.n, 2);
	expect(&e, 1, "", "c");
	/* LF CR: two line ends too */
	assert_int_equal(sse_feed(&p, "data: d\n\r", 9, collect, &e), 0);
	assert_int_equal(e.n, 3);
	expect(&e, 2, "", "d");
	sse_free(&p);
	evs_free(&e);
}

static void
test_fields(void **state)
{
	static const char	 s[] =
	    ":comment only\n\n"			/* nothing */
	    "event: named\n\n"			/* no data: nothing */
	    "data: after reset\n\n"		/* the name was reset */
	    "data\n\n"				/* an empty data line */
	    "data:\n\n"				/* the same */
	    "data:  two\n\n"			/* one space dropped */
	    "data:\tx\n\n"			/* a tab is kept */
	    "DATA: case\n\n"			/* names are case-sensitive */
	    "data : spaced\n\n"			/* "data " is not "data" */
	    "event\ndata: e\n\n"		/* event without value: "" */
	    "data: a:b: c\n\n"			/* the first colon splits */
	    "event: x\nevent: y\ndata: z\n\n";	/* the last name wins */
	struct evs		 e = { 0 };

	(void)state;
	assert_int_equal(feed_all(s, sizeof(s) - 1, &e), 0);
	assert_int_equal(e.n, 8);
	expect(&e, 0, "", "after reset");
	expect(&e, 1, "", "");
	expect(&e, 2, "", "");
	expect(&e, 3, "", " two");
	expect(&e, 4, "", "\tx");
	expect(&e, 5, "", "e");
	expect(&e, 6, "", "a:b: c");
	expect(&e, 7, "y", "z");
	evs_free(&e);
}

static void
test_nul_in_data(void **state)
{
	static const char	 s[] = "data: a\0b\n\n";
	struct evs		 e = { 0 };

	(void)state;
	assert_int_equal(feed_all(s, sizeof(s) - 1, &e), 0);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.ev[0].len, 3);
	assert_memory_equal(e.ev[0].data, "a\0b", 3);
	evs_free(&e);
}

static void
test_bom(void **state)
{
	static const char	 twice[] =
	    "\xef\xbb\xbf" "data: 1\n\n" "\xef\xbb\xbf" "data: 2\n\n";
	static const char	 partial[] = "\xef\xbb" "data: 3\n\n"
	    "data: 4\n\n";
	struct evs		 e = { 0 };
	size_t			 cut;

	(void)state;
	/* only the leading BOM is dropped: the second makes a field name */
	assert_int_equal(feed_all(twice, sizeof(twice) - 1, &e), 0);
	assert_int_equal(e.n, 1);
	expect(&e, 0, "", "1");
	evs_free(&e);
	for (cut = 0; cut <= 4; cut++) {
		assert_int_equal(feed_cut(twice, sizeof(twice) - 1, &cut, 1,
		    &e), 0);
		assert_int_equal(e.n, 1);
		expect(&e, 0, "", "1");
		evs_free(&e);
	}
	/* half a BOM stays in the line */
	assert_int_equal(feed_all(partial, sizeof(partial) - 1, &e), 0);
	assert_int_equal(e.n, 1);
	expect(&e, 0, "", "4");
	evs_free(&e);
}

static void
test_unterminated(void **state)
{
	struct evs	 e = { 0 };

	(void)state;
	assert_int_equal(feed_all("data: a\n", 8, &e), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(feed_all("data: a", 7, &e), 0);
	assert_int_equal(e.n, 0);
	assert_int_equal(feed_all("", 0, &e), 0);
	assert_int_equal(e.n, 0);
}

static void
test_stop(void **state)
{
	static const char	 s[] = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
	struct sse		 p;
	struct evs		 e = { 0 };

	(void)state;
	e.stop_at = 2;
	sse_init(&p);
	assert_int_equal(sse_feed(&p, s, sizeof(s) - 1, collect, &e), -1);
	assert_int_equal(e.n, 2);
	assert_non_null(sse_error(&p));
	assert_string_equal(sse_error(&p), "sse: stopped by the callback");
	/* sticky */
	assert_int_equal(sse_feed(&p, "data: 4\n\n", 9, collect, &e), -1);
	assert_int_equal(sse_feed(&p, "", 0, collect, &e), -1);
	assert_int_equal(e.n, 2);
	sse_free(&p);
	evs_free(&e);
}

/* "data: " and n bytes of c, without end of line, in a malloc'ed buffer */
static char *
long_line(const char *field, size_t n, size_t *len)
{
	size_t	 flen = strlen(field);
	char	*b;

	assert_non_null(b = malloc(flen + n + 1));
	memcpy(b, field, flen);
	memset(b + flen, 'x', n);
	b[flen + n] = '\0';
	*len = flen + n;
	return b;
}

static void
test_line_limit(void **state)
{
	struct sse	 p;
	struct evs	 e = { 0 };
	size_t		 len;
	char		*b;

	(void)state;
	/* exactly SSE_LINE_MAX bytes: fine */
	b = long_line("data:", SSE_LINE_MAX - 5, &len);
	assert_int_equal(len, SSE_LINE_MAX);
	sse_init(&p);
	assert_int_equal(sse_feed(&p, b, len, collect, &e), 0);
	assert_int_equal(sse_feed(&p, "\n\n", 2, collect, &e), 0);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.ev[0].len, SSE_LINE_MAX - 5);
	sse_free(&p);
	free(b);
	evs_free(&e);

	/* one more, fed in two pieces: refused, sticky */
	b = long_line("data:", SSE_LINE_MAX - 4, &len);
	sse_init(&p);
	assert_int_equal(sse_feed(&p, b, len - 1, collect, &e), 0);
	assert_int_equal(sse_feed(&p, b + len - 1, 1, collect, &e), -1);
	assert_string_equal(sse_error(&p),
	    "sse: a line is longer than 65536 bytes");
	assert_int_equal(sse_feed(&p, "\n\ndata: y\n\n", 11, collect, &e),
	    -1);
	assert_int_equal(e.n, 0);
	sse_free(&p);
	free(b);

	/* a long comment counts too */
	b = long_line(":", SSE_LINE_MAX, &len);
	sse_init(&p);
	assert_int_equal(sse_feed(&p, b, len, collect, &e), -1);
	assert_non_null(sse_error(&p));
	sse_free(&p);
	free(b);
}

/* data lines whose data adds up to total bytes, then a blank line */
static int
feed_event(struct sse *p, size_t total, struct evs *e)
{
	const size_t	 chunk = 60000;
	size_t		 len, n;
	char		*b;
	int		 rv = 0, last = 0;

	/* lines of chunk bytes and their LF, then what is left */
	while (rv == 0 && !last) {
		if (total > chunk) {
			n = chunk;
			total -= chunk + 1;
		} else {
			n = total;
			last = 1;
		}
		b = long_line("data:", n, &len);
		rv = sse_feed(p, b, len, collect, e);
		if (rv == 0)
			rv = sse_feed(p, "\n", 1, collect, e);
		free(b);
	}
	if (rv == 0)
		rv = sse_feed(p, "\n", 1, collect, e);
	return rv;
}

static void
test_event_limit(void **state)
{
	struct sse	 p;
	struct evs	 e = { 0 };

	(void)state;
	sse_init(&p);
	assert_int_equal(feed_event(&p, SSE_EVENT_MAX, &e), 0);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.ev[0].len, SSE_EVENT_MAX);
	/* the parser goes on after a big event */
	assert_int_equal(sse_feed(&p, "data: ok\n\n", 10, collect, &e), 0);
	assert_int_equal(e.n, 2);
	expect(&e, 1, "", "ok");
	sse_free(&p);
	evs_free(&e);

	sse_init(&p);
	assert_int_equal(feed_event(&p, SSE_EVENT_MAX + 1, &e), -1);
	assert_int_equal(e.n, 0);
	assert_string_equal(sse_error(&p),
	    "sse: an event's data is longer than 1048576 bytes");
	assert_int_equal(sse_feed(&p, "data: ok\n\n", 10, collect, &e), -1);
	sse_free(&p);
	evs_free(&e);
}

/* an event name is bounded by the line limit only */
static void
test_long_name(void **state)
{
	struct sse	 p;
	struct evs	 e = { 0 };
	size_t		 len;
	char		*b;

	(void)state;
	b = long_line("event:", SSE_LINE_MAX - 6, &len);
	sse_init(&p);
	assert_int_equal(sse_feed(&p, b, len, collect, &e), 0);
	assert_int_equal(sse_feed(&p, "\ndata: d\n\n", 10, collect, &e), 0);
	assert_int_equal(e.n, 1);
	assert_int_equal(strlen(e.ev[0].name), SSE_LINE_MAX - 6);
	sse_free(&p);
	free(b);
	evs_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole),
		cmocka_unit_test(test_split_every_byte),
		cmocka_unit_test(test_split_every_pair),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_crlf_split),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_nul_in_data),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_event_limit),
		cmocka_unit_test(test_long_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
