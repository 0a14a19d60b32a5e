/*
 * http_auth.h - parsing of credentials and forwarding headers in HTTP
 * requests (trust zone "front": these bytes come from the network).
 * front only extracts; authd decides.
 */
#ifndef CLAWGATE_HTTP_AUTH_H
#define CLAWGATE_HTTP_AUTH_H

#include <stddef.h>

#define HTTP_CRED_MAX	512

/*
 * Authorization header value -> bearer credential.
 * 1: tok and len point into hdr; 0: no header or another scheme;
 * -1: a Bearer header that is malformed (empty, bad characters, too long).
 */
int	http_bearer(const char *hdr, const char **tok, size_t *len);
/* 1 if a header of this name attributes the request to another client */
int	http_is_forwarding_header(const char *name);
/* 1 if the numeric address string is a loopback address */
int	http_addr_is_loopback(const char *addr);

#endif
