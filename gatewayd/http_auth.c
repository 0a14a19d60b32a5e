/*
 * http_auth.c - credential and forwarding-header parsing for HTTP requests
 * (trust zone "front").  See http_auth.h.  Credentials are accepted only
 * from the Authorization header, never from the query string.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>
#include <strings.h>

#include "http_auth.h"

/* RFC 6750 b64token characters */
static int
b64token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/' || c == '=';
}

int
http_bearer(const char *hdr, const char **tok, size_t *len)
{
	const char	*p;
	size_t		 n;

	if (hdr == NULL)
		return 0;
	while (*hdr == ' ' || *hdr == '\t')
		hdr++;
	if (strncasecmp(hdr, "Bearer", 6) != 0 ||
	    (hdr[6] != ' ' && hdr[6] != '\t' && hdr[6] != '\0'))
		return 0;
	p = hdr + 6;
	while (*p == ' ' || *p == '\t')
		p++;
	for (n = 0; p[n] != '\0' && b64token_char((unsigned char)p[n]); n++)
		;
	if (n == 0 || n > HTTP_CRED_MAX)
		return -1;
	/* only trailing blanks may follow */
	for (hdr = p + n; *hdr == ' ' || *hdr == '\t'; hdr++)
		;
	if (*hdr != '\0')
		return -1;
	*tok = p;
	*len = n;
	return 1;
}

int
http_is_forwarding_header(const char *name)
{
	return strcasecmp(name, "Forwarded") == 0 ||
	    strncasecmp(name, "X-Forwarded-", 12) == 0 ||
	    strcasecmp(name, "X-Real-IP") == 0;
}

int
http_addr_is_loopback(const char *addr)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return 1;
		if (IN6_IS_ADDR_V4MAPPED(&a6))
			return a6.s6_addr[12] == 127;
	}
	return 0;
}
