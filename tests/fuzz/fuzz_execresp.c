/*
 * fuzz_execresp.c - libFuzzer harness for the exec-provider protocol
 * (common/secretref.c, trust zone "secretd"): the response is whatever
 * an operator's program prints, so it is read as hostile bytes.
 *
 * The whole input is a response read for the fixed id "a"; then its
 * first line is the id and the rest the response.  A value handed back
 * must be a non-empty NUL-terminated string of at most 64 KiB, equal to
 * the value cJSON sees for the id; a refusal must leave *value NULL and
 * give a message of ours that carries no input byte except an error code
 * of [A-Z_]{1,32}.  When the id is a valid exec id, the request built
 * for it must parse back to {"protocolVersion":1,"provider":...,
 * "ids":[id]}.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <sodium.h>

#include "secretref.h"

#define CODE_PFX	"exec provider: the provider reported an error for " \
			"the id: "

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* the refusal message: ours, and a copied code only if it is safe */
static void
check_err(const char *err, const char *buf, size_t len)
{
	const char	*code;
	size_t		 n;

	if (err == NULL || (err >= buf && err <= buf + len) ||
	    strncmp(err, "exec provider: ", 15) != 0 || strlen(err) > 128)
		abort();
	if (strncmp(err, CODE_PFX, strlen(CODE_PFX)) != 0)
		return;
	code = err + strlen(CODE_PFX);
	n = strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
	if (n == 0 || n > 32 || code[n] != '\0')
		abort();
}

/* what cJSON itself finds for the id */
static const char *
oracle(const char *buf, size_t len, const char *id, cJSON **root)
{
	const cJSON	*v;

	if ((*root = cJSON_ParseWithLength(buf, len)) == NULL)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(*root, "values");
	v = cJSON_GetObjectItemCaseSensitive(v, id);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
check_response(const char *buf, size_t len, const char *id)
{
	char		*value = (char *)1;
	const char	*err = NULL, *want;
	size_t		 vlen = 1;
	cJSON		*root;

	if (secret_exec_response(buf, len, id, &value, &vlen, &err) == -1) {
		if (value != NULL || vlen != 0)
			abort();
		check_err(err, buf, len);
		return;
	}
	if (err != NULL || value == NULL || vlen == 0 ||
	    vlen > SECRET_EXEC_VALUE_MAX || value[vlen] != '\0' ||
	    strlen(value) != vlen)
		abort();
	want = oracle(buf, len, id, &root);
	if (want == NULL || strcmp(want, value) != 0)
		abort();
	cJSON_Delete(root);
	sodium_free(value);
}

static void
check_request(const char *id)
{
	const char	*ids[2] = { id, "second/id" };
	const cJSON	*v;
	cJSON		*o;
	char		 out[1024];
	int		 n;

	if ((n = secret_exec_request("fuzz", ids, 2, out, sizeof(out))) == -1)
		return;
	if ((size_t)n != strlen(out) || (o = cJSON_Parse(out)) == NULL)
		abort();
	v = cJSON_GetObjectItemCaseSensitive(o, "protocolVersion");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1.0)
		abort();
	v = cJSON_GetObjectItemCaseSensitive(o, "provider");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "fuzz") != 0)
		abort();
	v = cJSON_GetObjectItemCaseSensitive(o, "ids");
	if (cJSON_GetArraySize(v) != 2 ||
	    !cJSON_IsString(cJSON_GetArrayItem(v, 0)) ||
	    strcmp(cJSON_GetArrayItem(v, 0)->valuestring, id) != 0)
		abort();
	cJSON_Delete(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*buf = (const char *)data, *nl;
	char		 id[512];
	size_t		 n;

	check_response(buf, size, "a");
	if ((nl = memchr(buf, '\n', size)) == NULL)
		return 0;
	n = (size_t)(nl - buf);
	if (n >= sizeof(id))
		return 0;
	memcpy(id, buf, n);
	id[n] = '\0';
	check_response(nl + 1, size - n - 1, id);
	check_request(id);
	return 0;
}
