/*
 * fuzz_httpauth.c - libFuzzer harness for front's HTTP credential and
 * forwarding-header parsing (gatewayd/http_auth.c): arbitrary header
 * values and names; a bearer token found must lie inside the input, be
 * non-empty, bounded, and made of token characters only.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_auth.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s;
	const char	*tok;
	size_t		 len, i;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (http_bearer(s, &tok, &len) == 1) {
		if (len == 0 || len > HTTP_CRED_MAX || tok < s ||
		    tok + len > s + strlen(s))
			abort();
		for (i = 0; i < len; i++)
			if (tok[i] == ' ' || tok[i] == '\t' || tok[i] == '"' ||
			    tok[i] == ',' || tok[i] == '\0')
				abort();
	}
	(void)http_is_forwarding_header(s);
	(void)http_addr_is_loopback(s);
	free(s);
	return 0;
}
