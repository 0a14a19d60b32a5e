/*
 * test_secretref.c - unit tests of secret references, JSON pointers and
 * the exec-provider protocol (common/secretref.c; the parent parses
 * references, trust zone "secretd" resolves them): the provider and id
 * rules of each source with good and bad cases, the JSON, short and
 * shorthand forms, round trips, errors that never repeat their input,
 * RFC 6901 lookups with escapes, and the edge cases of an exec
 * provider's response (missing values, errors, versions, types, sizes,
 * duplicate keys, trailing data, bytes passed through).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cJSON.h>
#include <sodium.h>

#include "secretref.h"

#define E_ENV	"secret reference: id must match ^[A-Z][A-Z0-9_]{0,127}$ " \
		"for source env"
#define E_VAULT	"secret reference: id must match ^[A-Z][A-Z0-9_]{0,127}$ " \
		"for source vault"
#define E_EXEC	"secret reference: id must match " \
		"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$ for source exec"
#define E_DOTS	"secret reference: id must not have a \".\" or \"..\" " \
		"segment for source exec"
#define E_FILE	"secret reference: id must be an absolute JSON pointer (at " \
		"most 256 bytes, no control character, ~0 and ~1 the only " \
		"escapes) or \"value\" for source file"
#define E_PROV	"secret reference: provider must match ^[a-z][a-z0-9_-]{0,63}$"
#define E_SRC	"secret reference: source must be env, file, exec or vault"
#define E_FORM	"secret reference: expected source:provider:id, ${NAME}, " \
		"$NAME or a JSON object"

/* a string of n copies of c after prefix, in a static buffer */
static const char *
rep(const char *prefix, char c, size_t n)
{
	static char	 buf[2][8192];
	static int	 which;
	size_t		 plen = strlen(prefix);
	char		*b = buf[which ^= 1];

	assert_true(plen + n < sizeof(buf[0]));
	memcpy(b, prefix, plen);
	memset(b + plen, c, n);
	b[plen + n] = '\0';
	return b;
}

static void
parse_ok(const char *text, int source, const char *provider, const char *id)
{
	struct secretref	 r;
	const char		*err = NULL;

	if (secretref_parse(text, &r, &err) != 0)
		fail_msg("refused \"%s\": %s", text, err);
	assert_int_equal(r.source, source);
	assert_string_equal(r.provider, provider);
	assert_string_equal(r.id, id);
	assert_int_equal(secretref_check(&r, &err), 0);
}

static void
parse_bad(const char *text, const char *want)
{
	struct secretref	 r;
	const char		*err = NULL;

	memset(&r, 'x', sizeof(r));
	if (secretref_parse(text, &r, &err) != -1)
		fail_msg("accepted \"%s\"", text);
	assert_non_null(err);
	assert_true(strncmp(err, "secret reference: ", 18) == 0);
	if (want != NULL && strcmp(err, want) != 0)
		fail_msg("\"%s\": got \"%s\", want \"%s\"", text, err, want);
	/* nothing of a refused reference is left behind */
	assert_int_equal(r.source, 0);
	assert_int_equal(r.provider[0], '\0');
	assert_int_equal(r.id[0], '\0');
}

static void
id_ok(const char *source, const char *id, int src)
{
	char	 text[1024];

	snprintf(text, sizeof(text), "%s:p:%s", source, id);
	parse_ok(text, src, "p", id);
}

static void
id_bad(const char *source, const char *id, const char *want)
{
	char	 text[1024];

	snprintf(text, sizeof(text), "%s:p:%s", source, id);
	parse_bad(text, want);
}

static void
test_provider_alias(void **state)
{
	char	 text[256];

	(void)state;
	parse_ok("env:a:X", SECRET_SRC_ENV, "a", "X");
	parse_ok("env:a0_-z:X", SECRET_SRC_ENV, "a0_-z", "X");
	snprintf(text, sizeof(text), "env:%s:X", rep("", 'a', 64));
	parse_ok(text, SECRET_SRC_ENV, rep("", 'a', 64), "X");
	snprintf(text, sizeof(text), "env:%s:X", rep("", 'a', 65));
	parse_bad(text, E_PROV);
	parse_bad("env::X", E_PROV);
	parse_bad("env:A:X", E_PROV);
	parse_bad("env:0a:X", E_PROV);
	parse_bad("env:_a:X", E_PROV);
	parse_bad("env:-a:X", E_PROV);
	parse_bad("env:a.b:X", E_PROV);
	parse_bad("env:a b:X", E_PROV);
	parse_bad("env:aB:X", E_PROV);
	parse_bad("env:a\xc3\xa9:X", E_PROV);
}

static void
test_env_and_vault_ids(void **state)
{
	(void)state;
	id_ok("env", "A", SECRET_SRC_ENV);
	id_ok("env", "OPENAI_API_KEY", SECRET_SRC_ENV);
	id_ok("env", "A_1_", SECRET_SRC_ENV);
	id_ok("env", rep("", 'Z', 128), SECRET_SRC_ENV);
	id_ok("vault", "TELEGRAM_BOT_TOKEN", SECRET_SRC_VAULT);
	id_bad("env", "", E_ENV);
	id_bad("env", "a", E_ENV);
	id_bad("env", "Ab", E_ENV);
	id_bad("env", "1A", E_ENV);
	id_bad("env", "_A", E_ENV);
	id_bad("env", "A-B", E_ENV);
	id_bad("env", "A B", E_ENV);
	id_bad("env", "A:B", E_ENV);
	id_bad("env", "A\n", E_ENV);
	id_bad("env", rep("", 'Z', 129), E_ENV);
	id_bad("vault", "lower", E_VAULT);
	id_bad("vault", "/a/b", E_VAULT);
	id_bad("store", "a", E_VAULT);
}

static void
test_file_ids(void **state)
{
	char	 id[300];

	(void)state;
	id_ok("file", "value", SECRET_SRC_FILE);
	id_ok("file", "/", SECRET_SRC_FILE);
	id_ok("file", "//", SECRET_SRC_FILE);
	id_ok("file", "/providers/openai/apiKey", SECRET_SRC_FILE);
	id_ok("file", "/a~0b/c~1d", SECRET_SRC_FILE);
	id_ok("file", "/~01", SECRET_SRC_FILE);
	id_ok("file", "/a b/0/-", SECRET_SRC_FILE);
	id_ok("file", "/x:y", SECRET_SRC_FILE);
	id_ok("file", "/caf\xc3\xa9", SECRET_SRC_FILE);
	id_ok("file", "/\xff", SECRET_SRC_FILE);
	id_ok("file", rep("/", 'k', 255), SECRET_SRC_FILE);
	id_bad("file", "", E_FILE);
	id_bad("file", "a/b", E_FILE);
	id_bad("file", "values", E_FILE);
	id_bad("file", "Value", E_FILE);
	id_bad("file", "value/", E_FILE);
	id_bad("file", "~0", E_FILE);
	id_bad("file", "/a~", E_FILE);
	id_bad("file", "/a~2", E_FILE);
	id_bad("file", "/~x/b", E_FILE);
	id_bad("file", "/a~/b", E_FILE);
	id_bad("file", "/a\tb", E_FILE);
	id_bad("file", "/a\x1b[31m", E_FILE);
	id_bad("file", "/\x7f", E_FILE);
	id_bad("file", rep("/", 'k', 256), E_FILE);
	snprintf(id, sizeof(id), "%s~", rep("/", 'k', 200));
	id_bad("file", id, E_FILE);
}

static void
test_exec_ids(void **state)
{
	(void)state;
	id_ok("exec", "a", SECRET_SRC_EXEC);
	id_ok("exec", "0", SECRET_SRC_EXEC);
	id_ok("exec", "providers/openai/apiKey", SECRET_SRC_EXEC);
	id_ok("exec", "vault/openai/api-key", SECRET_SRC_EXEC);
	id_ok("exec", "op:item#field", SECRET_SRC_EXEC);
	id_ok("exec", "a.b/c..d/e...", SECRET_SRC_EXEC);
	id_ok("exec", "a/.../b", SECRET_SRC_EXEC);
	id_ok("exec", "a/..b/.c", SECRET_SRC_EXEC);
	id_ok("exec", "a//b/", SECRET_SRC_EXEC);
	id_ok("exec", "a:b:c", SECRET_SRC_EXEC);
	id_ok("exec", rep("A", 'z', 255), SECRET_SRC_EXEC);
	id_bad("exec", "", E_EXEC);
	id_bad("exec", ".a", E_EXEC);
	id_bad("exec", "/a", E_EXEC);
	id_bad("exec", "-a", E_EXEC);
	id_bad("exec", "#a", E_EXEC);
	id_bad("exec", "a b", E_EXEC);
	id_bad("exec", "a$b", E_EXEC);
	id_bad("exec", "a\"b", E_EXEC);
	id_bad("exec", "a\\b", E_EXEC);
	id_bad("exec", "a~b", E_EXEC);
	id_bad("exec", "a\xc3\xa9", E_EXEC);
	id_bad("exec", rep("A", 'z', 256), E_EXEC);
	id_bad("exec", "a/./b", E_DOTS);
	id_bad("exec", "a/../b", E_DOTS);
	id_bad("exec", "a/.", E_DOTS);
	id_bad("exec", "a/..", E_DOTS);
	id_bad("exec", "a/../../etc/passwd", E_DOTS);
}

static void
json_ok(const char *text, int source, const char *provider, const char *id)
{
	struct secretref	 r;
	const char		*err = NULL;
	cJSON			*o;

	/* as text and as a parsed object */
	parse_ok(text, source, provider, id);
	assert_non_null(o = cJSON_Parse(text));
	if (secretref_from_json(o, &r, &err) != 0)
		fail_msg("refused %s: %s", text, err);
	assert_int_equal(r.source, source);
	assert_string_equal(r.provider, provider);
	assert_string_equal(r.id, id);
	cJSON_Delete(o);
}

static void
json_bad(const char *text, const char *want)
{
	struct secretref	 r;
	const char		*err = NULL;
	cJSON			*o;

	parse_bad(text, want);
	if ((o = cJSON_Parse(text)) == NULL)
		return;
	/* the few cJSON accepts but the text form refuses stop here */
	if (strstr(text, "\\u0000") != NULL) {
		cJSON_Delete(o);
		return;
	}
	memset(&r, 'x', sizeof(r));
	assert_int_equal(secretref_from_json(o, &r, &err), -1);
	assert_string_equal(err, want);
	assert_int_equal(r.source, 0);
	cJSON_Delete(o);
}

static void
test_json_form(void **state)
{
	struct secretref	 r;
	const char		*err;
	cJSON			*o;

	(void)state;
	json_ok("{\"source\":\"env\",\"provider\":\"default\","
	    "\"id\":\"OPENAI_API_KEY\"}", SECRET_SRC_ENV, "default",
	    "OPENAI_API_KEY");
	json_ok("{\"id\":\"/a/b\",\"source\":\"file\",\"provider\":\"fm\"}",
	    SECRET_SRC_FILE, "fm", "/a/b");
	json_ok(" \n{ \"source\" : \"exec\" , \"id\" : \"vault/x\" }\n ",
	    SECRET_SRC_EXEC, "default", "vault/x");
	json_ok("{\"source\":\"env\",\"id\":\"X\"}", SECRET_SRC_ENV,
	    "default", "X");
	/* vault: default provider "vault"; OpenClaw's "store" is vault */
	json_ok("{\"source\":\"vault\",\"id\":\"X\"}", SECRET_SRC_VAULT,
	    "vault", "X");
	json_ok("{\"source\":\"store\",\"id\":\"X\"}", SECRET_SRC_VAULT,
	    "vault", "X");
	json_ok("{\"source\":\"store\",\"provider\":\"s\",\"id\":\"X\"}",
	    SECRET_SRC_VAULT, "s", "X");

	/* only an object is taken for JSON */
	parse_bad("[{\"source\":\"env\",\"id\":\"X\"}]", E_SRC);
	parse_bad("\"env:default:X\"", E_SRC);
	parse_bad("[]", E_FORM);
	json_bad("{}", "secret reference: source is missing");
	json_bad("{\"source\":\"env\",\"id\":\"X\",\"provider\":{}}",
	    "secret reference: provider must be a string");
	json_bad("{\"source\":\"env\"}", "secret reference: id is missing");
	json_bad("{\"id\":\"X\"}", "secret reference: source is missing");
	json_bad("{\"source\":\"env\",\"id\":\"X\",\"extra\":1}",
	    "secret reference: unknown key (allowed: source, provider, id)");
	json_bad("{\"source\":\"env\",\"id\":\"X\",\"Source\":\"env\"}",
	    "secret reference: unknown key (allowed: source, provider, id)");
	json_bad("{\"source\":\"env\",\"id\":\"X\",\"id\":\"Y\"}",
	    "secret reference: duplicate key");
	json_bad("{\"source\":\"env\",\"source\":\"env\",\"id\":\"X\"}",
	    "secret reference: duplicate key");
	json_bad("{\"source\":1,\"id\":\"X\"}",
	    "secret reference: source must be a string");
	json_bad("{\"source\":\"env\",\"provider\":null,\"id\":\"X\"}",
	    "secret reference: provider must be a string");
	json_bad("{\"source\":\"env\",\"id\":[\"X\"]}",
	    "secret reference: id must be a string");
	json_bad("{\"source\":\"env\",\"id\":{\"id\":\"X\"}}",
	    "secret reference: id must be a string");
	json_bad("{\"source\":\"ENV\",\"id\":\"X\"}", E_SRC);
	json_bad("{\"source\":\"\",\"id\":\"X\"}", E_SRC);
	json_bad("{\"source\":\"keychain\",\"id\":\"X\"}", E_SRC);
	json_bad("{\"source\":\"env\",\"provider\":\"\",\"id\":\"X\"}",
	    E_PROV);
	json_bad("{\"source\":\"env\",\"id\":\"x\"}", E_ENV);
	json_bad("{\"source\":\"file\",\"id\":\"a\"}", E_FILE);
	json_bad("{\"source\":\"exec\",\"id\":\"a/../b\"}", E_DOTS);
	/* text only */
	parse_bad("{\"source\":\"env\",\"id\":\"X\"} x",
	    "secret reference: not valid JSON");
	parse_bad("{\"source\":\"env\",\"id\":\"X\"}{}",
	    "secret reference: not valid JSON");
	parse_bad("{\"source\":\"env\",\"id\":\"X\"",
	    "secret reference: not valid JSON");
	parse_bad("{source:\"env\",id:\"X\"}",
	    "secret reference: not valid JSON");
	parse_bad("{\"source\":\"env\",\"id\":\"X\\u0000Y\"}",
	    "secret reference: a string holds \\u0000");
	json_bad("{\"source\":\"env\\u0000junk\",\"id\":\"X\"}",
	    "secret reference: a string holds \\u0000");
	/* not an object, as a parsed value */
	assert_non_null(o = cJSON_Parse("[{\"source\":\"env\",\"id\":\"X\"}]"));
	assert_int_equal(secretref_from_json(o, &r, &err), -1);
	assert_string_equal(err, "secret reference: must be an object "
	    "{source, provider, id}");
	cJSON_Delete(o);
	assert_non_null(o = cJSON_CreateString("env:default:X"));
	assert_int_equal(secretref_from_json(o, &r, &err), -1);
	cJSON_Delete(o);
	assert_int_equal(secretref_from_json(NULL, &r, &err), -1);
}

static void
test_short_and_shorthand(void **state)
{
	(void)state;
	parse_ok("env:default:OPENAI_API_KEY", SECRET_SRC_ENV, "default",
	    "OPENAI_API_KEY");
	parse_ok("file:fm:/a/b", SECRET_SRC_FILE, "fm", "/a/b");
	parse_ok("file:single:value", SECRET_SRC_FILE, "single", "value");
	/* split on the first two ':' only */
	parse_ok("exec:op:a:b:c", SECRET_SRC_EXEC, "op", "a:b:c");
	parse_ok("file:fm:/x:y", SECRET_SRC_FILE, "fm", "/x:y");
	parse_ok("vault:vault:SLACK", SECRET_SRC_VAULT, "vault", "SLACK");
	parse_ok("store:vault:SLACK", SECRET_SRC_VAULT, "vault", "SLACK");
	/* OpenClaw's env shorthand */
	parse_ok("${OPENAI_API_KEY}", SECRET_SRC_ENV, "default",
	    "OPENAI_API_KEY");
	parse_ok("$OPENAI_API_KEY", SECRET_SRC_ENV, "default",
	    "OPENAI_API_KEY");
	parse_ok("${A}", SECRET_SRC_ENV, "default", "A");
	parse_ok("$A", SECRET_SRC_ENV, "default", "A");
	parse_ok(rep("$", 'Q', 128), SECRET_SRC_ENV, "default",
	    rep("", 'Q', 128));

	parse_bad("", E_FORM);
	parse_bad("OPENAI_API_KEY", E_FORM);
	parse_bad("env", E_FORM);
	parse_bad("env:X", E_FORM);
	parse_bad("env:default", E_FORM);
	parse_bad("env:default:", E_ENV);
	parse_bad("Env:default:X", E_SRC);
	parse_bad(" env:default:X", E_SRC);
	parse_bad(":default:X", E_SRC);
	parse_bad("keychain:default:X", E_SRC);
	parse_bad("env:default:X ", E_ENV);
	parse_bad("$", "secret reference: the NAME of ${NAME} or $NAME must "
	    "match ^[A-Z][A-Z0-9_]{0,127}$");
	parse_bad("${}", "secret reference: the NAME of ${NAME} or $NAME "
	    "must match ^[A-Z][A-Z0-9_]{0,127}$");
	parse_bad("${", "secret reference: ${NAME} is missing its '}'");
	parse_bad("${A", "secret reference: ${NAME} is missing its '}'");
	parse_bad("${A}x", "secret reference: ${NAME} is missing its '}'");
	parse_bad("${a}", NULL);
	parse_bad("$a", NULL);
	parse_bad("$A-B", NULL);
	parse_bad("${A B}", NULL);
	parse_bad("${{A}}", NULL);
	parse_bad("$${A}", NULL);
	parse_bad("$A}", NULL);
	parse_bad(rep("$", 'Q', 129), NULL);
	parse_bad(rep("env:default:", 'A', 5000),
	    "secret reference: longer than 4096 bytes");
}

static void
round_trip(const char *text, const char *want)
{
	struct secretref	 a, b;
	const char		*err;
	char			 out[SECRETREF_SHORT_MAX];
	char			 again[SECRETREF_SHORT_MAX];
	int			 n;

	assert_int_equal(secretref_parse(text, &a, &err), 0);
	n = secretref_format(&a, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(out));
	assert_string_equal(out, want);
	assert_int_equal(secretref_parse(out, &b, &err), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(secretref_format(&b, again, sizeof(again)), n);
	assert_string_equal(again, out);
	/* exactly enough room, and one byte less */
	assert_int_equal(secretref_format(&a, again, (size_t)n + 1), n);
	assert_int_equal(secretref_format(&a, again, (size_t)n), -1);
	assert_string_equal(again, "");
}

static void
test_round_trips(void **state)
{
	struct secretref	 r;
	char			 text[SECRETREF_SHORT_MAX + 16];
	char			 out[SECRETREF_SHORT_MAX];

	(void)state;
	round_trip("env:default:OPENAI_API_KEY", "env:default:OPENAI_API_KEY");
	round_trip("${OPENAI_API_KEY}", "env:default:OPENAI_API_KEY");
	round_trip("$A", "env:default:A");
	round_trip("store:vault:SLACK", "vault:vault:SLACK");
	round_trip("{\"source\":\"store\",\"id\":\"SLACK\"}",
	    "vault:vault:SLACK");
	round_trip("{\"source\":\"file\",\"provider\":\"fm\",\"id\":"
	    "\"/a~1b/c~0d\"}", "file:fm:/a~1b/c~0d");
	round_trip("file:fm:value", "file:fm:value");
	round_trip("exec:op:a:b/c#d", "exec:op:a:b/c#d");
	round_trip("file:fm:/caf\xc3\xa9/x y", "file:fm:/caf\xc3\xa9/x y");

	/* the longest reference fits SECRETREF_SHORT_MAX */
	snprintf(text, sizeof(text), "vault:%s:%s", rep("", 'p', 64),
	    rep("", 'I', 128));
	round_trip(text, text);
	snprintf(text, sizeof(text), "file:%s:%s", rep("", 'p', 64),
	    rep("/", 'i', 255));
	round_trip(text, text);
	snprintf(text, sizeof(text), "exec:%s:%s", rep("", 'p', 64),
	    rep("E", 'e', 255));
	round_trip(text, text);

	/* an invalid reference is not formatted */
	memset(&r, 0, sizeof(r));
	assert_int_equal(secretref_format(&r, out, sizeof(out)), -1);
	r.source = SECRET_SRC_ENV;
	snprintf(r.provider, sizeof(r.provider), "default");
	snprintf(r.id, sizeof(r.id), "lower");
	assert_int_equal(secretref_format(&r, out, sizeof(out)), -1);
	snprintf(r.id, sizeof(r.id), "UPPER");
	assert_int_equal(secretref_format(&r, out, sizeof(out)), 17);
	r.source = 99;
	assert_int_equal(secretref_format(&r, out, sizeof(out)), -1);
	assert_int_equal(secretref_format(&r, out, 0), -1);
}

static void
test_check(void **state)
{
	struct secretref	 r;
	const char		*err;

	(void)state;
	assert_string_equal(secretref_source_name(SECRET_SRC_ENV), "env");
	assert_string_equal(secretref_source_name(SECRET_SRC_FILE), "file");
	assert_string_equal(secretref_source_name(SECRET_SRC_EXEC), "exec");
	assert_string_equal(secretref_source_name(SECRET_SRC_VAULT), "vault");
	assert_null(secretref_source_name(0));
	assert_null(secretref_source_name(5));

	memset(&r, 0, sizeof(r));
	r.source = SECRET_SRC_EXEC;
	snprintf(r.provider, sizeof(r.provider), "op");
	snprintf(r.id, sizeof(r.id), "a/b");
	assert_int_equal(secretref_check(&r, &err), 0);
	/* not terminated */
	memset(r.provider, 'a', sizeof(r.provider));
	assert_int_equal(secretref_check(&r, &err), -1);
	snprintf(r.provider, sizeof(r.provider), "op");
	memset(r.id, 'a', sizeof(r.id));
	assert_int_equal(secretref_check(&r, &err), -1);
	snprintf(r.id, sizeof(r.id), "a/./b");
	assert_int_equal(secretref_check(&r, &err), -1);
	assert_string_equal(err, E_DOTS);
}

/* a secret pasted where a reference belongs never shows in the error */
static void
test_errors_do_not_echo(void **state)
{
	static const char *bad[] = {
		"sk-s3cr3t", "env:default:s3cr3t", "env:S3cr3t:X",
		"s3cr3t:default:X", "${s3cr3t}", "$s3cr3t", "${S3CR3T",
		"exec:op:s3cr3t/../x", "file:fm:s3cr3t",
		"{\"source\":\"s3cr3t\",\"id\":\"X\"}",
		"{\"source\":\"env\",\"id\":\"s3cr3t\"}",
		"{\"s3cr3t\":1}", "{\"source\":\"env\",\"id\":\"s3cr3t\"",
		"{\"source\":\"env\",\"provider\":\"s3cr3t!\",\"id\":\"X\"}",
	};
	struct secretref	 r;
	const char		*err;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		assert_int_equal(secretref_parse(bad[i], &r, &err), -1);
		assert_non_null(err);
		if (strstr(err, "s3cr3t") != NULL ||
		    strstr(err, "S3CR3T") != NULL)
			fail_msg("error for input %zu echoes it: %s", i, err);
	}
}

static void
plain(const char *s, int want)
{
	cJSON	*v = cJSON_CreateString(s);

	assert_non_null(v);
	if (secretref_looks_plaintext(v) != want)
		fail_msg("looks_plaintext(\"%s\") != %d", s, want);
	cJSON_Delete(v);
}

static void
test_looks_plaintext(void **state)
{
	cJSON	*v;

	(void)state;
	plain("sk-proj-abcdef0123456789", 1);
	plain("xoxb-1234-5678-abcdef", 1);
	plain("", 1);
	plain("hunter2", 1);
	plain("$ecret!", 1);
	plain("$ 1", 1);
	plain("https://user:pass@example.com", 1);
	plain("Bearer:abc:def", 1);
	plain("envx:default:X", 1);
	plain("[1,2]", 1);
	/* references, valid or not: parse decides */
	plain("${OPENAI_API_KEY}", 0);
	plain("${lower}", 0);
	plain("$OPENAI_API_KEY", 0);
	plain("$lower_case", 0);
	plain("env:default:X", 0);
	plain("env:", 0);
	plain("file:fm:/a", 0);
	plain("exec:op:a/b", 0);
	plain("vault:vault:X", 0);
	plain("store:vault:X", 0);
	plain("{\"source\":\"env\",\"id\":\"X\"}", 0);
	plain("  {", 0);
	/* not a string at all */
	assert_int_equal(secretref_looks_plaintext(NULL), 0);
	assert_non_null(v = cJSON_Parse("{\"source\":\"env\",\"id\":\"X\"}"));
	assert_int_equal(secretref_looks_plaintext(v), 0);
	cJSON_Delete(v);
	assert_non_null(v = cJSON_CreateNumber(42));
	assert_int_equal(secretref_looks_plaintext(v), 0);
	cJSON_Delete(v);
	assert_non_null(v = cJSON_CreateNull());
	assert_int_equal(secretref_looks_plaintext(v), 0);
	cJSON_Delete(v);
	assert_non_null(v = cJSON_CreateTrue());
	assert_int_equal(secretref_looks_plaintext(v), 0);
	cJSON_Delete(v);
}

static cJSON	*doc;

static const cJSON *
ptr_ok(const char *ptr)
{
	const cJSON	*v = NULL;

	if (secret_json_pointer(doc, ptr, &v) != 0)
		fail_msg("pointer \"%s\" not found", ptr);
	assert_non_null(v);
	return v;
}

static void
ptr_num(const char *ptr, int want)
{
	const cJSON	*v = ptr_ok(ptr);

	assert_true(cJSON_IsNumber(v));
	assert_int_equal(v->valueint, want);
}

static void
ptr_bad(const char *ptr)
{
	const cJSON	*v = (const cJSON *)1;

	if (secret_json_pointer(doc, ptr, &v) != -1)
		fail_msg("pointer \"%s\" found", ptr);
	assert_null(v);
}

static void
test_json_pointer(void **state)
{
	const cJSON	*v;

	(void)state;
	/* RFC 6901, section 5 */
	doc = cJSON_Parse("{\"foo\":[\"bar\",\"baz\"],\"\":0,\"a/b\":1,"
	    "\"c%d\":2,\"e^f\":3,\"g|h\":4,\"i\\\\j\":5,\"k\\\"l\":6,"
	    "\" \":7,\"m~n\":8}");
	assert_non_null(doc);
	assert_ptr_equal(ptr_ok(""), doc);
	v = ptr_ok("/foo");
	assert_true(cJSON_IsArray(v));
	assert_string_equal(ptr_ok("/foo/0")->valuestring, "bar");
	assert_string_equal(ptr_ok("/foo/1")->valuestring, "baz");
	ptr_num("/", 0);
	ptr_num("/a~1b", 1);
	ptr_num("/c%d", 2);
	ptr_num("/e^f", 3);
	ptr_num("/g|h", 4);
	ptr_num("/i\\j", 5);
	ptr_num("/k\"l", 6);
	ptr_num("/ ", 7);
	ptr_num("/m~0n", 8);
	ptr_bad("/foo/2");
	ptr_bad("/foo/-");
	ptr_bad("/foo/01");
	ptr_bad("/foo/00");
	ptr_bad("/foo/+1");
	ptr_bad("/foo/-1");
	ptr_bad("/foo/1e0");
	ptr_bad("/foo/ 1");
	ptr_bad("/foo/");
	ptr_bad("/foo/9999999999");
	ptr_bad("/foo/0/x");
	ptr_bad("/a/b");
	ptr_bad("/m~n");
	ptr_bad("/m~");
	ptr_bad("/m~2n");
	ptr_bad("/ab");
	ptr_bad("foo");
	ptr_bad("#/foo");
	ptr_bad("/FOO");
	ptr_bad("//");
	cJSON_Delete(doc);

	/* escapes decode once, in order: "~01" is "~1", not "/" */
	doc = cJSON_Parse("{\"~1\":1,\"/\":2,\"~\":3,\"~0\":4,\"a\":{\"\":"
	    "{\"\":5}},\"dup\":1,\"dup\":2,\"n\":{\"x\":[[0,[1,2]],{}]},"
	    "\"s\":\"str\",\"t\":true,\"z\":null}");
	assert_non_null(doc);
	ptr_num("/~01", 1);
	ptr_num("/~1", 2);
	ptr_num("/~0", 3);
	ptr_num("/~00", 4);
	ptr_num("/a//", 5);
	ptr_num("/n/x/0/1/1", 2);
	ptr_ok("/n/x/1");
	assert_true(cJSON_IsNull(ptr_ok("/z")));
	assert_true(cJSON_IsTrue(ptr_ok("/t")));
	/* a key given twice is ambiguous */
	ptr_bad("/dup");
	ptr_bad("/s/0");
	ptr_bad("/t/x");
	ptr_bad("/z/x");
	ptr_bad("/n/x/1/0");
	assert_true(cJSON_IsObject(ptr_ok("/a/")));
	ptr_bad("/a///");
	cJSON_Delete(doc);
	doc = NULL;
	assert_int_equal(secret_json_pointer(NULL, "", &v), -1);
}

static void
test_exec_request(void **state)
{
	const char	*one[] = { "providers/openai/apiKey" };
	const char	*two[] = { "a", "op:item#field" };
	const char	*bad1[] = { "a", "a/../b" };
	const char	*bad2[] = { "a\"b" };
	const char	*bad3[] = { "" };
	const char	*bad4[] = { NULL };
	char		 out[256];
	const char	*want;
	int		 n;

	(void)state;
	want = "{\"protocolVersion\":1,\"provider\":\"vault\","
	    "\"ids\":[\"providers/openai/apiKey\"]}";
	n = secret_exec_request("vault", one, 1, out, sizeof(out));
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(out, want);
	n = secret_exec_request("op", two, 2, out, sizeof(out));
	assert_string_equal(out, "{\"protocolVersion\":1,\"provider\":\"op\","
	    "\"ids\":[\"a\",\"op:item#field\"]}");
	/* exactly enough room, and one byte less */
	assert_int_equal(secret_exec_request("op", two, 2, out, (size_t)n + 1),
	    n);
	assert_int_equal(secret_exec_request("op", two, 2, out, (size_t)n), -1);
	assert_string_equal(out, "");
	assert_int_equal(secret_exec_request("op", two, 2, out, 0), -1);
	assert_int_equal(secret_exec_request("op", two, 0, out, sizeof(out)),
	    -1);
	assert_int_equal(secret_exec_request("Op", two, 2, out, sizeof(out)),
	    -1);
	assert_int_equal(secret_exec_request("o\"p", two, 2, out,
	    sizeof(out)), -1);
	assert_int_equal(secret_exec_request(NULL, two, 2, out, sizeof(out)),
	    -1);
	assert_int_equal(secret_exec_request("op", NULL, 1, out, sizeof(out)),
	    -1);
	assert_int_equal(secret_exec_request("op", bad1, 2, out, sizeof(out)),
	    -1);
	assert_int_equal(secret_exec_request("op", bad2, 1, out, sizeof(out)),
	    -1);
	assert_int_equal(secret_exec_request("op", bad3, 1, out, sizeof(out)),
	    -1);
	assert_int_equal(secret_exec_request("op", bad4, 1, out, sizeof(out)),
	    -1);
}

static void
resp_ok_len(const char *buf, size_t len, const char *id, const char *want,
    size_t wantlen)
{
	char		*value = NULL;
	size_t		 vlen = 0;
	const char	*err = NULL;

	if (secret_exec_response(buf, len, id, &value, &vlen, &err) != 0)
		fail_msg("refused: %s", err);
	assert_non_null(value);
	assert_int_equal(vlen, wantlen);
	assert_memory_equal(value, want, wantlen);
	assert_int_equal(value[vlen], '\0');
	sodium_free(value);
}

static void
resp_ok(const char *buf, const char *id, const char *want)
{
	resp_ok_len(buf, strlen(buf), id, want, strlen(want));
}

static void
resp_bad_len(const char *buf, size_t len, const char *id, const char *want)
{
	char		*value = (char *)1;
	size_t		 vlen = 7;
	const char	*err = NULL;

	assert_int_equal(secret_exec_response(buf, len, id, &value, &vlen,
	    &err), -1);
	assert_null(value);
	assert_int_equal(vlen, 0);
	assert_non_null(err);
	assert_true(strncmp(err, "exec provider: ", 15) == 0);
	/* no value of the response ever reaches the message */
	assert_null(strstr(err, "s3cr3t"));
	if (want != NULL && strcmp(err, want) != 0)
		fail_msg("got \"%s\", want \"%s\"", err, want);
}

static void
resp_bad(const char *buf, const char *id, const char *want)
{
	resp_bad_len(buf, strlen(buf), id, want);
}

#define V1	"{\"protocolVersion\":1,"

static void
test_exec_response_good(void **state)
{
	char	 buf[128];

	(void)state;
	resp_ok(V1 "\"values\":{\"a/b\":\"s3cr3t\"}}", "a/b", "s3cr3t");
	resp_ok(V1 "\"values\":{\"x\":\"1\",\"a\":\"2\",\"y\":\"3\"}}", "a",
	    "2");
	/* white space around, as a program prints it */
	resp_ok(" \r\n\t" V1 "\"values\":{\"a\":\"v\"}}\n\n", "a", "v");
	resp_ok("{\n  \"protocolVersion\": 1,\n  \"values\": {\n    \"a\": "
	    "\"v\"\n  }\n}\n", "a", "v");
	/* key order, errors for other ids, errors null, unknown keys */
	resp_ok("{\"values\":{\"a\":\"v\"},\"protocolVersion\":1}", "a", "v");
	resp_ok(V1 "\"values\":{\"a\":\"v\"},\"errors\":{\"b\":{\"code\":"
	    "\"NOT_FOUND\"}}}", "a", "v");
	resp_ok(V1 "\"values\":{\"a\":\"v\"},\"errors\":{}}", "a", "v");
	resp_ok(V1 "\"values\":{\"a\":\"v\"},\"errors\":null}", "a", "v");
	resp_ok(V1 "\"values\":{\"a\":\"v\"},\"meta\":{\"x\":[1]}}", "a",
	    "v");
	resp_ok("{\"protocolVersion\":1.0,\"values\":{\"a\":\"v\"}}", "a",
	    "v");
	/* other ids' values need not be strings */
	resp_ok(V1 "\"values\":{\"a\":\"v\",\"b\":42,\"c\":null}}", "a", "v");
	/* the id is matched exactly */
	resp_ok(V1 "\"values\":{\"A\":\"1\",\"a\":\"2\",\"a \":\"3\"}}", "a",
	    "2");
	/* escapes are decoded; bytes pass through unchecked */
	resp_ok(V1 "\"values\":{\"a\":\"q\\\"b\\\\n\\n\\/\\u00e9\"}}", "a",
	    "q\"b\\n\n/\xc3\xa9");
	resp_ok(V1 "\"values\":{\"a\":\"\\ud83d\\ude00\"}}", "a",
	    "\xf0\x9f\x98\x80");
	resp_ok(V1 "\"values\":{\"a\":\"\xff\xfe\xc3(\"}}", "a",
	    "\xff\xfe\xc3(");
	/* the buffer need not be terminated: len counts */
	snprintf(buf, sizeof(buf), "%s", V1 "\"values\":{\"a\":\"v\"}}GARBAGE");
	resp_ok_len(buf, strlen(buf) - 7, "a", "v", 1);
}

static void
test_exec_response_sizes(void **state)
{
	char		*big, *value;
	size_t		 n, h, vlen;
	const char	*err;

	(void)state;
	n = SECRET_EXEC_VALUE_MAX + 64;
	assert_non_null(big = malloc(n + 64));
	/* exactly 64 KiB: accepted */
	memset(big, 0, n + 64);
	h = strlen(V1 "\"values\":{\"a\":\"");
	memcpy(big, V1 "\"values\":{\"a\":\"", h);
	memset(big + h, 'x', SECRET_EXEC_VALUE_MAX);
	memcpy(big + h + SECRET_EXEC_VALUE_MAX, "\"}}", 4);
	assert_int_equal(secret_exec_response(big, strlen(big), "a", &value,
	    &vlen, &err), 0);
	assert_int_equal(vlen, SECRET_EXEC_VALUE_MAX);
	assert_int_equal(value[vlen], '\0');
	sodium_free(value);
	/* one byte more: refused */
	memset(big + h, 'x', SECRET_EXEC_VALUE_MAX + 1);
	memcpy(big + h + SECRET_EXEC_VALUE_MAX + 1, "\"}}", 4);
	resp_bad(big, "a", "exec provider: the value for the id is over "
	    "64 KiB");
	free(big);

	/* a response over 16 MiB is not even parsed */
	n = SECRET_EXEC_RESPONSE_MAX + 1;
	assert_non_null(big = malloc(n));
	memset(big, ' ', n);
	h = strlen(V1 "\"values\":{\"a\":\"v\"}}");
	memcpy(big, V1 "\"values\":{\"a\":\"v\"}}", h);
	resp_bad_len(big, n, "a", "exec provider: response is over 16 MiB");
	resp_ok_len(big, n - 1, "a", "v", 1);
	free(big);
}

static void
test_exec_response_bad(void **state)
{
	char		 buf[64];
	const char	*err;
	char		*value;
	size_t		 vlen;

	(void)state;
	resp_bad("", "a", "exec provider: response is empty");
	resp_bad("s3cr3t", "a", "exec provider: response is not JSON");
	resp_bad("{\"protocolVersion\":1,\"values\":{\"a\":\"s3cr3t\"}",
	    "a", "exec provider: response is not JSON");
	resp_bad(" ", "a", "exec provider: response is not JSON");
	resp_bad("{'protocolVersion':1}", "a",
	    "exec provider: response is not JSON");
	resp_bad("[]", "a", "exec provider: response is not a JSON object");
	resp_bad("\"s3cr3t\"", "a",
	    "exec provider: response is not a JSON object");
	resp_bad("null", "a", "exec provider: response is not a JSON object");
	/* trailing data */
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\"}} x", "a",
	    "exec provider: trailing data after the JSON response");
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\"}}{}", "a",
	    "exec provider: trailing data after the JSON response");
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\"}}\n" V1 "\"values\":{}}",
	    "a", "exec provider: trailing data after the JSON response");
	snprintf(buf, sizeof(buf), V1 "\"values\":{\"a\":\"v\"}}");
	resp_bad_len(buf, strlen(buf) + 1, "a",
	    "exec provider: trailing data after the JSON response");
	/* version */
	resp_bad("{\"values\":{\"a\":\"s3cr3t\"}}", "a",
	    "exec provider: protocolVersion must be 1");
	resp_bad("{\"protocolVersion\":2,\"values\":{\"a\":\"s3cr3t\"}}", "a",
	    "exec provider: protocolVersion must be 1");
	resp_bad("{\"protocolVersion\":0,\"values\":{\"a\":\"s3cr3t\"}}", "a",
	    "exec provider: protocolVersion must be 1");
	resp_bad("{\"protocolVersion\":1.5,\"values\":{\"a\":\"s3cr3t\"}}",
	    "a", "exec provider: protocolVersion must be 1");
	resp_bad("{\"protocolVersion\":\"1\",\"values\":{\"a\":\"s3cr3t\"}}",
	    "a", "exec provider: protocolVersion must be 1");
	resp_bad("{\"protocolVersion\":true,\"values\":{\"a\":\"s3cr3t\"}}",
	    "a", "exec provider: protocolVersion must be 1");
	resp_bad("{\"protocolVersion\":[1],\"values\":{\"a\":\"s3cr3t\"}}",
	    "a", "exec provider: protocolVersion must be 1");
	/* values */
	resp_bad(V1 "\"errors\":{}}", "a", "exec provider: response has no "
	    "values");
	resp_bad(V1 "\"values\":[\"s3cr3t\"]}", "a",
	    "exec provider: values must be an object");
	resp_bad(V1 "\"values\":\"s3cr3t\"}", "a",
	    "exec provider: values must be an object");
	resp_bad(V1 "\"values\":null}", "a",
	    "exec provider: values must be an object");
	resp_bad(V1 "\"values\":{}}", "a", "exec provider: no value for the "
	    "id");
	resp_bad(V1 "\"values\":{\"b\":\"s3cr3t\"}}", "a",
	    "exec provider: no value for the id");
	resp_bad(V1 "\"values\":{\"A\":\"s3cr3t\"}}", "a",
	    "exec provider: no value for the id");
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\"}}", "",
	    "exec provider: no value for the id");
	/* values must be non-empty strings */
	resp_bad(V1 "\"values\":{\"a\":42}}", "a",
	    "exec provider: the value for the id is not a string");
	resp_bad(V1 "\"values\":{\"a\":null}}", "a",
	    "exec provider: the value for the id is not a string");
	resp_bad(V1 "\"values\":{\"a\":true}}", "a",
	    "exec provider: the value for the id is not a string");
	resp_bad(V1 "\"values\":{\"a\":[\"s3cr3t\"]}}", "a",
	    "exec provider: the value for the id is not a string");
	resp_bad(V1 "\"values\":{\"a\":{\"v\":\"s3cr3t\"}}}", "a",
	    "exec provider: the value for the id is not a string");
	resp_bad(V1 "\"values\":{\"a\":\"\"}}", "a",
	    "exec provider: the value for the id is empty");
	/* a NUL would silently cut the value */
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\\u0000tail\"}}", "a",
	    "exec provider: response holds \\u0000");
	resp_bad(V1 "\"values\":{\"a\\u0000b\":\"s3cr3t\"}}", "a",
	    "exec provider: response holds \\u0000");
	resp_ok(V1 "\"values\":{\"a\":\"x\\\\u0000\"}}", "a", "x\\u0000");
	/* errors */
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"code\":\"NOT_FOUND\","
	    "\"message\":\"no such s3cr3t\"}}}", "a",
	    "exec provider: the provider reported an error for the id: "
	    "NOT_FOUND");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"code\":\"A_B\"}}}",
	    "a", "exec provider: the provider reported an error for the id: "
	    "A_B");
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\"},\"errors\":{\"a\":{\"code\""
	    ":\"DENIED\"}}}", "a", "exec provider: the provider reported an "
	    "error for the id: DENIED");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"message\":"
	    "\"s3cr3t\"}}}",
	    "a", "exec provider: the provider reported an error for the id");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"code\":\"s3cr3t\"}}}",
	    "a", "exec provider: the provider reported an error for the id");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"code\":"
	    "\"NOT FOUND\"}}}",
	    "a", "exec provider: the provider reported an error for the id");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"code\":\"A\\nB\"}}}",
	    "a", "exec provider: the provider reported an error for the id");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"code\":\"\"}}}",
	    "a", "exec provider: the provider reported an error for the id");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"code\":404}}}",
	    "a", "exec provider: the provider reported an error for the id");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"code\":\"A\","
	    "\"code\":\"B\"}}}", "a",
	    "exec provider: the provider reported an error for the id");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":\"s3cr3t\"}}",
	    "a", "exec provider: the provider reported an error for the id");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":null}}",
	    "a", "exec provider: the provider reported an error for the id");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"code\":\""
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDEF\"}}}", "a",
	    "exec provider: the provider reported an error for the id");
	resp_bad(V1 "\"values\":{},\"errors\":{\"a\":{\"code\":\""
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDE\"}}}", "a",
	    "exec provider: the provider reported an error for the id: "
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDE");
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\"},\"errors\":[]}", "a",
	    "exec provider: errors must be an object");
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\"},\"errors\":\"x\"}", "a",
	    "exec provider: errors must be an object");
	/* duplicate keys: refuse what parsers disagree on */
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\",\"a\":\"other\"}}", "a",
	    "exec provider: duplicate value for the id");
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\"},\"errors\":{\"a\":{},"
	    "\"a\":{}}}", "a", "exec provider: duplicate error for the id");
	resp_bad(V1 "\"protocolVersion\":1,\"values\":{\"a\":\"s3cr3t\"}}",
	    "a", "exec provider: duplicate key in the response");
	resp_bad(V1 "\"values\":{},\"values\":{\"a\":\"s3cr3t\"}}", "a",
	    "exec provider: duplicate key in the response");
	resp_bad(V1 "\"values\":{\"a\":\"s3cr3t\"},\"errors\":{},"
	    "\"errors\":{}}", "a", "exec provider: duplicate key in the "
	    "response");
	/* only the id asked for counts: a duplicate of another is fine */
	resp_ok(V1 "\"values\":{\"a\":\"v\",\"b\":\"1\",\"b\":\"2\"}}", "a",
	    "v");
	/* no buffer, no id */
	value = (char *)1;
	assert_int_equal(secret_exec_response(NULL, 3, "a", &value, &vlen,
	    &err), -1);
	assert_null(value);
	assert_int_equal(secret_exec_response("{}", 2, NULL, &value, &vlen,
	    &err), -1);
}

/* the error message with a code lives until the next call */
static void
test_exec_response_errcode_buffer(void **state)
{
	const char	*r1 = V1 "\"values\":{},\"errors\":{\"a\":{\"code\":"
			    "\"FIRST\"}}}";
	const char	*r2 = V1 "\"values\":{\"a\":\"v\"}}";
	const char	*e1 = NULL, *e2 = NULL;
	char		*value;
	size_t		 vlen;
	char		 copy[128];

	(void)state;
	assert_int_equal(secret_exec_response(r1, strlen(r1), "a", &value,
	    &vlen, &e1), -1);
	snprintf(copy, sizeof(copy), "%s", e1);
	assert_string_equal(copy, "exec provider: the provider reported an "
	    "error for the id: FIRST");
	assert_int_equal(secret_exec_response(r2, strlen(r2), "a", &value,
	    &vlen, &e2), 0);
	assert_null(e2);
	sodium_free(value);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_provider_alias),
		cmocka_unit_test(test_env_and_vault_ids),
		cmocka_unit_test(test_file_ids),
		cmocka_unit_test(test_exec_ids),
		cmocka_unit_test(test_json_form),
		cmocka_unit_test(test_short_and_shorthand),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_errors_do_not_echo),
		cmocka_unit_test(test_looks_plaintext),
		cmocka_unit_test(test_json_pointer),
		cmocka_unit_test(test_exec_request),
		cmocka_unit_test(test_exec_response_good),
		cmocka_unit_test(test_exec_response_sizes),
		cmocka_unit_test(test_exec_response_bad),
		cmocka_unit_test(test_exec_response_errcode_buffer),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
