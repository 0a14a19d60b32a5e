/*
 * sse.h - an incremental parser of server-sent events (text/event-stream)
 * for the streamed answers of model providers (trust zone "agentd").
 *
 * Pure code: no I/O, no logging, no global state.  Bytes are fed in
 * chunks split anywhere (inside a field, between the CR and the LF of a
 * CRLF, inside the BOM); each complete event reaches a callback.  The
 * rules are WHATWG HTML's "Interpreting an event stream":
 *
 *	- a line ends with LF, CRLF or CR; a leading UTF-8 BOM is dropped;
 *	- a line starting with ':' is a comment;
 *	- "name:value" is a field, one space after the colon is dropped; a
 *	  line without a colon is a field with an empty value;
 *	- "data" appends its value and a LF to the event's data; "event"
 *	  sets the event's name; "id", "retry" and unknown fields are
 *	  ignored;
 *	- a blank line dispatches the event, without the last LF of its
 *	  data, if any data field was seen; otherwise it only resets the
 *	  name.  An event not ended by a blank line is never dispatched.
 *
 * The callback gets the name ("" when there was no event field; the
 * WHATWG default "message" is not substituted) and the data with its
 * length; both are NUL-terminated, the data may also hold NUL bytes.
 * They are valid only during the call.  A callback that returns -1
 * stops the parser: sse_feed() returns -1 and so does every later call.
 *
 * Memory is bounded: a line longer than SSE_LINE_MAX bytes (without its
 * end of line) or an event whose data is longer than SSE_EVENT_MAX bytes
 * fails the parser.  Errors are sticky; sse_error() says what happened
 * with a static string that never repeats the input.
 */
#ifndef CLAWGATE_SSE_H
#define CLAWGATE_SSE_H

#include <stddef.h>

#define SSE_LINE_MAX	(64 * 1024)
#define SSE_EVENT_MAX	(1024 * 1024)

/* event is "" or the name, data has datalen bytes; 0 goes on, -1 stops */
typedef int	(*sse_cb)(const char *event, const char *data, size_t datalen,
		    void *arg);

/* the fields are private; the struct is public to live on the stack */
struct sse {
	char		*line;		/* the line being read */
	size_t		 linelen, linecap;
	char		*data;		/* data lines, each ended by LF */
	size_t		 datalen, datacap;
	char		*name;		/* the event field's value */
	size_t		 namelen, namecap;
	int		 bom;		/* BOM bytes matched; 3: done */
	int		 cr;		/* the last byte was a CR */
	const char	*err;		/* NULL or a static message */
};

void		 sse_init(struct sse *);
void		 sse_free(struct sse *);	/* then sse_init() to reuse */
int		 sse_feed(struct sse *, const char *, size_t, sse_cb, void *);
const char	*sse_error(const struct sse *);	/* NULL if none */

#endif /* CLAWGATE_SSE_H */
