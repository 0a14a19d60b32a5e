/*
 * uuid.c - random version 4 UUIDs (all processes).  See uuid.h.
 */
#include <stdio.h>

#include <sodium.h>

#include "uuid.h"

void
uuid_v4(char *out, size_t outsz)
{
	unsigned char	 u[16];

	randombytes_buf(u, sizeof(u));
	u[6] = (u[6] & 0x0f) | 0x40;	/* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	snprintf(out, outsz, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
	    u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
	sodium_memzero(u, sizeof(u));
}
