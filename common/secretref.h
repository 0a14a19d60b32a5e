/*
 * secretref.h - OpenClaw-compatible secret references, JSON pointer
 * lookup and the exec-provider wire protocol, as pure code: no I/O, no
 * logging, no global state except the buffer behind one error message.
 *
 * Who uses it: the parent parses and checks the references in the
 * configuration (which holds references only, never a value); secretd
 * resolves them: it looks up file ids with secret_json_pointer(), builds
 * the request for an exec provider with secret_exec_request() and reads
 * the provider's answer with secret_exec_response() (trust zone
 * "secretd").
 *
 * A reference is {source, provider, id}:
 *
 *	{"source":"env","provider":"default","id":"OPENAI_API_KEY"}
 *	env:default:OPENAI_API_KEY		the short form (ours)
 *	${OPENAI_API_KEY}  $OPENAI_API_KEY	OpenClaw's env shorthand
 *
 * with the rules of OpenClaw's ref-contract: the provider alias matches
 * ^[a-z][a-z0-9_-]{0,63}$; env and vault ids ^[A-Z][A-Z0-9_]{0,127}$;
 * file ids are an absolute JSON pointer (RFC 6901: "~0" and "~1" are
 * the only escapes) or "value" (single-value files); exec ids match
 * ^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$ with no "." or ".." segment.
 * Narrower than OpenClaw on purpose: a file id holds no control
 * character (ids are logged and audited) and is at most 256 bytes.
 * OpenClaw's source "store" is read as "vault" (our sealed store).
 *
 * Error messages are static strings that name the field at fault; none
 * repeats any part of its input, so that a secret pasted where a
 * reference belongs never reaches a log.
 *
 * Secrets and cJSON: secret_exec_response() parses a buffer that holds
 * secret values, and cJSON copies every string it parses into memory of
 * its own (the values of every id, not only the one asked for).  The
 * process that calls it (secretd) must install cJSON hooks
 * (cJSON_InitHooks) whose free wipes the memory before releasing it,
 * and must wipe the raw buffer itself; the value handed back is in
 * sodium_malloc'ed memory (guard pages, mlock'ed, wiped by sodium_free).
 * Neither the buffer nor a value is ever copied into an error message;
 * do not log them.
 */
#ifndef CLAWGATE_SECRETREF_H
#define CLAWGATE_SECRETREF_H

#include <stddef.h>

#include <cJSON.h>

#define SECRET_SRC_ENV		1
#define SECRET_SRC_FILE		2
#define SECRET_SRC_EXEC		3
#define SECRET_SRC_VAULT	4	/* OpenClaw's "store" */

#define SECRETREF_PROVIDER_MAX	64	/* bytes, without the NUL */
#define SECRETREF_ID_MAX	256
#define SECRETREF_TEXT_MAX	4096	/* a reference as text, any form */
/* "source:provider:id" and its NUL always fit in this */
#define SECRETREF_SHORT_MAX	(5 + 1 + SECRETREF_PROVIDER_MAX + 1 + \
				    SECRETREF_ID_MAX + 1)

#define SECRET_EXEC_VALUE_MAX	(64 * 1024)	/* a value, in bytes */
/* a response; the caller's max-output (1 MiB by default, as OpenClaw's
 * maxOutputBytes) is the real limit, this is only its ceiling */
#define SECRET_EXEC_RESPONSE_MAX (16 * 1024 * 1024)

struct secretref {
	int	 source;			/* SECRET_SRC_* */
	char	 provider[SECRETREF_PROVIDER_MAX + 1];
	char	 id[SECRETREF_ID_MAX + 1];
};

/* "env", "file", "exec", "vault", or NULL for an unknown source */
const char	*secretref_source_name(int source);

/* 0 if the reference follows every rule above, else -1 and *err */
int	secretref_check(const struct secretref *, const char **err);

/*
 * A reference from a JSON object {"source","provider","id"}: source and
 * id are required strings; provider is an optional string ("default",
 * or "vault" for source vault, if absent); no other key, and no key
 * twice.  0, or -1 with *err set and *ref zeroed.
 */
int	secretref_from_json(const cJSON *, struct secretref *,
	    const char **err);

/*
 * A reference from text: that JSON object as text, the short form
 * "source:provider:id" (split on the first two ':' only, so the id may
 * hold ':'), "${NAME}" or "$NAME" (env:default:NAME).  0, or -1 with
 * *err set and *ref zeroed.
 */
int	secretref_parse(const char *text, struct secretref *,
	    const char **err);

/*
 * The short form "source:provider:id" of a valid reference into out
 * (which SECRETREF_SHORT_MAX bytes always suffice for): its length, or
 * -1 if the reference is invalid or out too small.  Parsing the output
 * gives back the same reference.
 */
int	secretref_format(const struct secretref *, char *out, size_t outsz);

/*
 * 1 if a configuration value where a reference belongs is a plain
 * string that does not even look like a reference: not "${...}", not
 * "$" and a name, not "source:..." with a known source, not "{...".
 * A string that looks like one but is not valid is for
 * secretref_parse() to refuse with a precise message.  0 for anything
 * else (an object, a reference, NULL, a non-string).
 */
int	secretref_looks_plaintext(const cJSON *);

/*
 * RFC 6901 lookup: *out is the value ptr designates in root.  "" is
 * root itself; array indexes are decimal without leading zeros ("-" is
 * refused).  A key that appears twice in an object is ambiguous (parsers
 * disagree on which one wins) and is refused.  0, or -1 (malformed
 * pointer, no such value) with *out NULL.
 */
int	secret_json_pointer(const cJSON *root, const char *ptr,
	    const cJSON **out);

/*
 * The request for an exec provider, as one line of JSON without the
 * newline: {"protocolVersion":1,"provider":"<alias>","ids":["..."]}.
 * The provider must be a valid alias and every id a valid exec id
 * (which need no JSON escaping); nids at least 1.  Its length, or -1.
 */
int	secret_exec_request(const char *provider, const char *const *ids,
	    size_t nids, char *out, size_t outsz);

/*
 * The value for one id in an exec provider's response (len bytes, not
 * necessarily NUL-terminated, at most SECRET_EXEC_RESPONSE_MAX):
 *
 *	{"protocolVersion":1,"values":{"<id>":"<value>"},
 *	 "errors":{"<id>":{"code":"NOT_FOUND","message":"..."}}}
 *
 * One JSON object, nothing but white space after it; protocolVersion 1;
 * values an object; errors, if present and not null, an object; no
 * duplicate key among these nor for the id in values or errors; no
 * "\u0000" anywhere (C strings would cut it).  An error for the id wins
 * over a value.  The value must be a non-empty string of at most
 * SECRET_EXEC_VALUE_MAX bytes; its bytes are passed through as they are
 * (no UTF-8 check).
 *
 * 0 with *value (sodium_malloc'ed, NUL-terminated: sodium_free it) and
 * *vlen, or -1 with *value NULL and *err a message that names what was
 * wrong.  The provider's error code is copied into the message only if
 * it matches ^[A-Z_]{1,32}$, and then *err points to a per-thread
 * buffer valid until the next call; any other *err is static.
 */
int	secret_exec_response(const char *buf, size_t len, const char *id,
	    char **value, size_t *vlen, const char **err);

#endif
