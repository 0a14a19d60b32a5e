/*
 * test_skillmd.c - unit tests of the SKILL.md parser (agentd/skillmd.c,
 * trust zone "agentd"): good files (plain, quoted, block and continued
 * values, ignored keys with nested values, agents lists), missing and
 * bad fields, bad front matter, the size limits, CRLF line ends, a
 * UTF-8 BOM, bytes that are not UTF-8, the body, and errors that name
 * the line and never repeat the input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "skillmd.h"

#define E_NAME	"the name must be 1 to 64 characters of a-z, 0-9 and '-', " \
		"neither starting nor ending with '-', without \"--\""

/* parses a NUL-terminated text that must be good */
static void
good(const char *text, struct skillmd *sm)
{
	char	 err[SKILLMD_ERR_MAX];

	if (skillmd_parse(text, strlen(text), sm, err, sizeof(err)) != 0)
		fail_msg("refused (%s): %s", err, text);
	assert_string_equal(err, "");
	assert_non_null(sm->body);
	assert_int_equal(strlen(sm->body), sm->bodylen);
}

/* parses len bytes that must be refused with exactly msg; sm is zeroed */
static void
bad_len(const char *text, size_t len, const char *msg)
{
	static const struct skillmd	 zero;
	struct skillmd			 sm;
	char				 err[SKILLMD_ERR_MAX];

	memset(&sm, 0xa5, sizeof(sm));
	if (skillmd_parse(text, len, &sm, err, sizeof(err)) != -1)
		fail_msg("accepted: %.*s", (int)len, text);
	assert_string_equal(err, msg);
	assert_memory_equal(&sm, &zero, sizeof(sm));
}

static void
bad(const char *text, const char *msg)
{
	bad_len(text, strlen(text), msg);
}

static void
test_minimal(void **state)
{
	struct skillmd	 sm;

	(void)state;
	good("---\nname: pdf\ndescription: Work with PDF files.\n---\n"
	    "# PDF\n\nUse pdftotext.\n", &sm);
	assert_string_equal(sm.name, "pdf");
	assert_string_equal(sm.description, "Work with PDF files.");
	assert_string_equal(sm.body, "# PDF\n\nUse pdftotext.\n");
	assert_int_equal(sm.nagents, 0);
	assert_true(skillmd_for_agent(&sm, "main"));
	assert_true(skillmd_for_agent(&sm, "ops"));
	skillmd_free(&sm);
	assert_null(sm.body);

	/* no body at all, and no newline after the closing line */
	good("---\nname: a\ndescription: b\n---", &sm);
	assert_string_equal(sm.body, "");
	skillmd_free(&sm);
	/* blank lines at the start of the body go, the rest stays */
	good("---\nname: a\ndescription: b\n---\n\n  \n\n  indented\n\nend",
	    &sm);
	assert_string_equal(sm.body, "  indented\n\nend");
	skillmd_free(&sm);
	/* markers with trailing blanks, keys in any order */
	good("--- \ndescription: d\nname: x-1\n---\t\nbody", &sm);
	assert_string_equal(sm.name, "x-1");
	assert_string_equal(sm.body, "body");
	skillmd_free(&sm);
}

static void
test_values(void **state)
{
	struct skillmd	 sm;

	(void)state;
	/* quoted, with escapes; comments; a colon inside a plain value */
	good("---\n# a comment\nname: \"web-search\"   # trailing\n"
	    "description: 'It''s for: searching \"the\" web'\n---\n", &sm);
	assert_string_equal(sm.name, "web-search");
	assert_string_equal(sm.description,
	    "It's for: searching \"the\" web");
	skillmd_free(&sm);
	good("---\nname: a\ndescription: \"x \\\"y\\\" \\\\ \\/ a\\tb\\nc\"\n"
	    "---\n", &sm);
	assert_string_equal(sm.description, "x \"y\" \\ / a b c");
	skillmd_free(&sm);
	good("---\nname: a\ndescription: see http://x.test/#frag # note\n"
	    "---\n", &sm);
	assert_string_equal(sm.description, "see http://x.test/#frag");
	skillmd_free(&sm);
	/* folded and literal block scalars, with chomping indicators */
	good("---\nname: a\ndescription: >-\n  Line one,\n\n  line two.\n"
	    "  # not a comment here\n---\n", &sm);
	assert_string_equal(sm.description,
	    "Line one, line two. # not a comment here");
	skillmd_free(&sm);
	good("---\nname: a\ndescription: |2+\n    keep\n\tthis\n---\n", &sm);
	assert_string_equal(sm.description, "keep this");
	skillmd_free(&sm);
	/* a plain value continued on indented lines; an empty first line */
	good("---\nname: a\ndescription: first\n  second\n   third\n---\n",
	    &sm);
	assert_string_equal(sm.description, "first second third");
	skillmd_free(&sm);
	good("---\nname:\n  a\ndescription:\n  # c\n  later\n---\n", &sm);
	assert_string_equal(sm.name, "a");
	assert_string_equal(sm.description, "later");
	skillmd_free(&sm);
	/* tabs are spaces, the description is trimmed */
	good("---\nname: a\ndescription: \"  x\ty  \"\n---\n", &sm);
	assert_string_equal(sm.description, "x y");
	skillmd_free(&sm);
}

static void
test_ignored_keys(void **state)
{
	struct skillmd	 sm;

	(void)state;
	/* Anthropic's and OpenClaw's other keys, nested values included */
	good("---\nname: pdf\nlicense: Complete terms in LICENSE.txt\n"
	    "metadata:\n  author: example\n  version: \"1.0\"\n"
	    "  nested:\n    - [x, {y: z}]\n"
	    "allowed-tools:\n- Bash\n- Read\n"
	    "homepage: https://example.test/pdf\n"
	    "metadata.openclaw: {\"requires\": {\"bins\": [\"pdftotext\"]}}\n"
	    "x: 'unterminated\n"
	    "description: PDF things.\n---\nbody\n", &sm);
	assert_string_equal(sm.name, "pdf");
	assert_string_equal(sm.description, "PDF things.");
	skillmd_free(&sm);
}

static void
test_agents(void **state)
{
	struct skillmd	 sm;

	(void)state;
	good("---\nname: a\ndescription: d\nagents: [main, \"ops\", 'a_b-2',]"
	    " # c\n---\n", &sm);
	assert_int_equal(sm.nagents, 3);
	assert_string_equal(sm.agents[0], "main");
	assert_string_equal(sm.agents[1], "ops");
	assert_string_equal(sm.agents[2], "a_b-2");
	assert_true(skillmd_for_agent(&sm, "ops"));
	assert_false(skillmd_for_agent(&sm, "other"));
	assert_false(skillmd_for_agent(&sm, "mai"));
	skillmd_free(&sm);
	good("---\nname: a\nagents:\n  - main\n  # c\n  - \"ops\"\n"
	    "description: d\n---\n", &sm);
	assert_int_equal(sm.nagents, 2);
	assert_string_equal(sm.agents[1], "ops");
	skillmd_free(&sm);
	good("---\nname: a\nagents:\n- main\ndescription: d\n---\n", &sm);
	assert_int_equal(sm.nagents, 1);
	skillmd_free(&sm);
	good("---\nname: a\nagents: main\ndescription: d\n---\n", &sm);
	assert_int_equal(sm.nagents, 1);
	assert_string_equal(sm.agents[0], "main");
	skillmd_free(&sm);

	bad("---\nname: a\ndescription: d\nagents: []\n---\n",
	    "agents is an empty list (leave it out for every agent)");
	bad("---\nname: a\ndescription: d\nagents:\n---\n",
	    "agents is an empty list (leave it out for every agent)");
	bad("---\nname: a\ndescription: d\nagents: [Main]\n---\n",
	    "line 4: an agent id must match ^[a-z0-9][a-z0-9_-]{0,63}$");
	bad("---\nname: a\ndescription: d\nagents: main, ops\n---\n",
	    "line 4: an agent id must match ^[a-z0-9][a-z0-9_-]{0,63}$");
	bad("---\nname: a\ndescription: d\nagents: [a, b\n---\n",
	    "line 4: a list must end on its line");
	bad("---\nname: a\ndescription: d\nagents: [a] b\n---\n",
	    "line 4: text after a list");
	bad("---\nname: a\ndescription: d\nagents: |\n  a\n---\n",
	    "line 4: agents must be a list of agent ids");
	bad("---\nname: a\ndescription: d\nagents:\n  main\n---\n",
	    "line 5: expected \"- agent\" lines in the agents list");
	bad("---\nname: a\ndescription: d\nagents: [\"a\" x]\n---\n",
	    "line 4: text after a quoted value");
	bad("---\nname: a\ndescription: d\nagents: [a]\nagents: [b]\n---\n",
	    "line 5: agents given twice");
	bad("---\nname: a\ndescription: d\nagents: [a,b,c,d,e,f,g,h,i,j,k,l,"
	    "m,n,o,p,q]\n---\n", "line 4: more than 16 agents");
}

static void
test_missing_fields(void **state)
{
	(void)state;
	bad("---\ndescription: d\n---\n", "no name in the front matter");
	bad("---\nname: a\n---\n", "no description in the front matter");
	bad("---\n---\nbody", "no name in the front matter");
	bad("---\nname: a\ndescription:\n---\n", "the description is empty");
	bad("---\nname: a\ndescription: \"  \"\n---\n",
	    "the description is empty");
	bad("---\nname: \"\"\ndescription: d\n---\n", E_NAME);
	bad("---\nname:\ndescription: d\n---\n", E_NAME);
}

static void
test_bad_names(void **state)
{
	static const char	*names[] = {
		"PDF", "-pdf", "pdf-", "pdf--x", "pdf_x", "pdf x", "pdf.x",
		"\xc3\xa9t\xc3\xa9", "a/b",
	};
	char			 buf[256];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(buf, sizeof(buf), "---\nname: %s\ndescription: d\n"
		    "---\n", names[i]);
		bad(buf, E_NAME);
		assert_false(skillmd_name_ok(names[i]));
	}
	assert_true(skillmd_name_ok("a"));
	assert_true(skillmd_name_ok("0-9-z"));
	assert_false(skillmd_name_ok(""));
	bad("---\nname: [a]\ndescription: d\n---\n",
	    "line 2: the name must be a string");
	bad("---\nname: a\ndescription: [d]\n---\n",
	    "line 3: the description must be a string");
	bad("---\nname: a\ndescription:\n  - d\n---\n",
	    "line 4: the description must be a string");
	bad("---\nname: {a: b}\ndescription: d\n---\n", "line 2: anchors, "
	    "aliases, tags, flow mappings and reserved indicators are not "
	    "supported in name, description and agents");
	bad("---\nname: a\ndescription: &x d\n---\n", "line 3: anchors, "
	    "aliases, tags, flow mappings and reserved indicators are not "
	    "supported in name, description and agents");
	bad("---\nname: !!str a\ndescription: d\n---\n", "line 2: anchors, "
	    "aliases, tags, flow mappings and reserved indicators are not "
	    "supported in name, description and agents");
}

static void
test_bad_front_matter(void **state)
{
	(void)state;
	bad("", "no front matter: the file must start with a \"---\" line");
	bad("# Title\n---\nname: a\n",
	    "no front matter: the file must start with a \"---\" line");
	bad("\n---\nname: a\ndescription: d\n---\n",
	    "no front matter: the file must start with a \"---\" line");
	bad("----\nname: a\n", "no front matter: the file must start with a "
	    "\"---\" line");
	bad(" ---\nname: a\n", "no front matter: the file must start with a "
	    "\"---\" line");
	bad("---\nname: a\ndescription: d\n",
	    "the front matter does not end: no second \"---\" line");
	bad("---", "the front matter does not end: no second \"---\" line");
	bad("---\n  name: a\ndescription: d\n---\n",
	    "line 2: an indented line before the first key");
	bad("---\nname a\n---\n", "line 2: expected \"key: value\"");
	bad("---\n: a\n---\n", "line 2: expected \"key: value\"");
	bad("---\n\"name\": a\n---\n", "line 2: expected \"key: value\"");
	bad("---\nname:a\n---\n", "line 2: expected a blank after the colon");
	bad("---\nname: a\nname: b\ndescription: d\n---\n",
	    "line 3: name given twice");
	bad("---\nname: a\ndescription: d\ndescription: e\n---\n",
	    "line 4: description given twice");
	bad("---\nname: \"a\ndescription: d\n---\n",
	    "line 2: a quoted value must end on its line");
	bad("---\nname: 'a''\ndescription: d\n---\n",
	    "line 2: a quoted value must end on its line");
	bad("---\nname: a\ndescription: \"bad \\x41 escape\"\n---\n",
	    "line 3: an escape other than \\\" \\\\ \\/ \\t \\n in a "
	    "double-quoted value");
	bad("---\nname: a\ndescription: \"d\\\"\n---\n",
	    "line 3: a quoted value must end on its line");
	bad("---\nname: \"a\" b\ndescription: d\n---\n",
	    "line 2: text after a quoted value");
	bad("---\nname: \"a\"\n  more\ndescription: d\n---\n",
	    "line 3: an indented line after a complete value");
	bad("---\nname: a\ndescription: >x\n  d\n---\n",
	    "line 3: a bad block scalar header");
	bad("---\nname: a\ndescription: |--\n  d\n---\n",
	    "line 3: a bad block scalar header");
	bad("---\nname: a\n- x\ndescription: d\n---\n",
	    "line 3: expected \"key: value\"");
	bad("---\nname: a\ndescription: a\x01z\n---\n",
	    "line 3: a control character in a value");
	bad("---\nname: a\ndescription: \"a\rz\"\n---\n",
	    "line 3: a control character in a value");
}

/* a SKILL.md of exactly len bytes: front matter, then a body of 'x' */
static char *
sized(size_t len, size_t *outlen)
{
	static const char	 head[] = "---\nname: big\ndescription: d\n---\n";
	char			*s;

	assert_true(len > sizeof(head));
	s = malloc(len + 1);
	assert_non_null(s);
	memcpy(s, head, sizeof(head) - 1);
	memset(s + sizeof(head) - 1, 'x', len - (sizeof(head) - 1));
	s[len] = '\0';
	*outlen = len;
	return s;
}

static void
test_limits(void **state)
{
	struct skillmd	 sm;
	char		 buf[8192], err[SKILLMD_ERR_MAX];
	char		*s, name[80], desc[2100];
	size_t		 len, i;

	(void)state;
	s = sized(SKILLMD_MAX, &len);
	assert_int_equal(skillmd_parse(s, len, &sm, err, sizeof(err)), 0);
	assert_int_equal(sm.bodylen, SKILLMD_MAX - 33);
	skillmd_free(&sm);
	free(s);
	s = sized(SKILLMD_MAX + 1, &len);
	bad_len(s, len, "larger than 64 KiB");
	free(s);

	/* the name: 64 characters, not 65 */
	memset(name, 'n', 64);
	name[64] = '\0';
	snprintf(buf, sizeof(buf), "---\nname: %s\ndescription: d\n---\n",
	    name);
	good(buf, &sm);
	assert_string_equal(sm.name, name);
	skillmd_free(&sm);
	snprintf(buf, sizeof(buf), "---\nname: %sn\ndescription: d\n---\n",
	    name);
	bad(buf, "line 2: the name is longer than 64 characters");

	/* the description: 1024 characters, of one byte or of two */
	memset(desc, 'd', 1024);
	desc[1024] = '\0';
	snprintf(buf, sizeof(buf), "---\nname: a\ndescription: %s\n---\n",
	    desc);
	good(buf, &sm);
	assert_int_equal(strlen(sm.description), 1024);
	skillmd_free(&sm);
	snprintf(buf, sizeof(buf), "---\nname: a\ndescription: %sd\n---\n",
	    desc);
	bad(buf, "the description is longer than 1024 characters");
	for (i = 0; i < 1024; i++)
		memcpy(desc + 2 * i, "\xc3\xa9", 2);
	desc[2048] = '\0';
	snprintf(buf, sizeof(buf), "---\nname: a\ndescription: %s\n---\n",
	    desc);
	good(buf, &sm);
	assert_int_equal(strlen(sm.description), 2048);
	skillmd_free(&sm);
	snprintf(buf, sizeof(buf), "---\nname: a\ndescription: %s\xc3\xa9\n"
	    "---\n", desc);
	bad(buf, "the description is longer than 1024 characters");
	/* more than the buffer holds, over continued lines */
	len = strlen(strcpy(buf, "---\nname: a\ndescription:\n"));
	for (i = 0; i < 45; i++) {
		memcpy(buf + len, "  ", 2);
		memset(buf + len + 2, 'd', 98);
		buf[len + 100] = '\n';
		len += 101;
	}
	strcpy(buf + len, "---\n");
	bad(buf, "line 45: the description is longer than 1024 characters");
}

static void
test_crlf(void **state)
{
	struct skillmd	 sm;

	(void)state;
	good("---\r\nname: a\r\ndescription: \"quoted\"\r\nagents: [main]\r\n"
	    "---\r\n\r\n# Title\r\n\r\nStep one.\r\nA bare\rCR stays.\r\n",
	    &sm);
	assert_string_equal(sm.name, "a");
	assert_string_equal(sm.description, "quoted");
	assert_string_equal(sm.agents[0], "main");
	assert_string_equal(sm.body, "# Title\n\nStep one.\nA bare\rCR "
	    "stays.\n");
	skillmd_free(&sm);
	good("---\r\nname: a\r\ndescription: >\r\n  one\r\n  two\r\n---\r\n",
	    &sm);
	assert_string_equal(sm.description, "one two");
	assert_string_equal(sm.body, "");
	skillmd_free(&sm);
	good("---\nname: a\ndescription: d\n---\nx\r\r\ny\r\n\r\r\r\n", &sm);
	assert_string_equal(sm.body, "x\ny\n\n");
	skillmd_free(&sm);
	/* a CR alone does not end a line */
	bad("---\rname: a\rdescription: d\r---\r",
	    "no front matter: the file must start with a \"---\" line");
}

static void
test_bom_and_encoding(void **state)
{
	static const char	 nul1[] = "---\nname: a\0\ndescription: d\n"
				    "---\n";
	static const char	 nul2[] = "---\nname: a\ndescription: d\n"
				    "---\nbody\0";
	struct skillmd		 sm;

	(void)state;
	good("\xef\xbb\xbf---\nname: a\ndescription: caf\xc3\xa9 "
	    "\xf0\x9f\x93\x84\n---\nbody \xef\xbb\xbf kept\n", &sm);
	assert_string_equal(sm.description, "caf\xc3\xa9 \xf0\x9f\x93\x84");
	assert_string_equal(sm.body, "body \xef\xbb\xbf kept\n");
	skillmd_free(&sm);
	good("\xef\xbb\xbf---\r\nname: a\r\ndescription: d\r\n---\r\n", &sm);
	skillmd_free(&sm);
	bad("\xef\xbb\xbf\xef\xbb\xbf---\nname: a\ndescription: d\n---\n",
	    "no front matter: the file must start with a \"---\" line");
	bad("\xef\xbb---\nname: a\ndescription: d\n---\n", "not valid UTF-8");
	bad("---\nname: a\ndescription: \xff\n---\n", "not valid UTF-8");
	bad("---\nname: a\ndescription: \xc0\xaf\n---\n", "not valid UTF-8");
	bad("---\nname: a\ndescription: \xe0\x80\xaf\n---\n",
	    "not valid UTF-8");
	bad("---\nname: a\ndescription: \xed\xa0\x80\n---\n",
	    "not valid UTF-8");
	bad("---\nname: a\ndescription: \xf4\x90\x80\x80\n---\n",
	    "not valid UTF-8");
	bad("---\nname: a\ndescription: d\n---\ncut \xe2\x82",
	    "not valid UTF-8");
	bad_len(nul1, sizeof(nul1) - 1, "a NUL byte in the file");
	bad_len(nul2, sizeof(nul2) - 1, "a NUL byte in the file");
}

static void
test_errors_do_not_echo(void **state)
{
	static const char	*bad_files[] = {
		"SECRETVALUE\n",
		"---\nSECRETVALUE\n---\n",
		"---\nname: SECRETVALUE\ndescription: d\n---\n",
		"---\nname: a\ndescription: \"SECRETVALUE\\q\"\n---\n",
		"---\nname: a\ndescription: d\nagents: [SECRETVALUE]\n---\n",
		"---\nname: a\nSECRETVALUE: x\n",
		"---\nname: a\ndescription: \"d\"\n  SECRETVALUE\n---\n",
	};
	struct skillmd		 sm;
	char			 err[SKILLMD_ERR_MAX], tiny[8];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		assert_int_equal(skillmd_parse(bad_files[i],
		    strlen(bad_files[i]), &sm, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		assert_null(strstr(err, "SECRETVALUE"));
		assert_null(strstr(err, "secretvalue"));
	}
	/* a short buffer is cut, never overrun */
	memset(tiny, 'z', sizeof(tiny));
	assert_int_equal(skillmd_parse("x", 1, &sm, tiny, 5), -1);
	assert_string_equal(tiny, "no f");
	assert_int_equal(tiny[5], 'z');
	assert_int_equal(skillmd_parse("x", 1, &sm, NULL, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_ignored_keys),
		cmocka_unit_test(test_agents),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_bad_front_matter),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_bom_and_encoding),
		cmocka_unit_test(test_errors_do_not_echo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
