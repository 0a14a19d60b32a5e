/*
 * fuzz_schema.c - libFuzzer harness for the check of tool arguments
 * against a tool's JSON schema (agentd/schema.c, trust zone "agentd":
 * arguments come from a model or a client).
 *
 * The input is cut at its first NUL into a schema and a value, each
 * parsed as JSON; the check must never crash or read out of bounds, must
 * accept a value it accepted twice the same way, and must say why when it
 * refuses (a message that names an argument).  With one byte, the input
 * is checked against each built-in tool's real schema too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *schemas[] = {
	"{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\","
	"\"minLength\":1,\"maxLength\":200},\"limit\":{\"type\":\"integer\","
	"\"minimum\":1,\"maximum\":20}},\"required\":[\"query\"],"
	"\"additionalProperties\":false}",
	"{\"type\":\"object\",\"properties\":{\"sessionKey\":{\"type\":"
	"\"string\",\"minLength\":1,\"maxLength\":480},\"text\":{\"type\":"
	"\"string\",\"minLength\":1,\"maxLength\":8192}},\"required\":["
	"\"sessionKey\",\"text\"],\"additionalProperties\":false}",
	"{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
	"\"a\":{\"enum\":[\"x\",\"y\"]}}}}",
};

static void
one(const cJSON *schema, const cJSON *value)
{
	char	 m1[200], m2[200];
	int	 r1, r2;

	r1 = schema_check(schema, value, m1, sizeof(m1));
	r2 = schema_check(schema, value, m2, sizeof(m2));
	if (r1 != r2 || (r1 == -1 && (strncmp(m1, "argument ", 9) != 0 ||
	    strcmp(m1, m2) != 0)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nul = memchr(data, 0, size);
	cJSON		*s, *v;
	size_t		 i;

	if (nul == NULL) {
		if ((v = cJSON_ParseWithLength((const char *)data, size)) ==
		    NULL)
			return 0;
		for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
			s = cJSON_Parse(schemas[i]);
			one(s, v);
			cJSON_Delete(s);
		}
		cJSON_Delete(v);
		return 0;
	}
	s = cJSON_ParseWithLength((const char *)data, (size_t)(nul - data));
	v = cJSON_ParseWithLength((const char *)nul + 1,
	    size - (size_t)(nul - data) - 1);
	if (s != NULL && v != NULL)
		one(s, v);
	cJSON_Delete(s);
	cJSON_Delete(v);
	return 0;
}
