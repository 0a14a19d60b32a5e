/*
 * authmsg.h - the payload of IMSG_AUTH_TOKEN (front -> authd): one
 * encoder for front (and the test double of a compromised front), one
 * decoder for authd.  Field order is msgtypes.h's.
 */
#ifndef CLAWGATE_AUTHMSG_H
#define CLAWGATE_AUTHMSG_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

#define AUTH_CRED_SHARED	0	/* a shared token or password */
#define AUTH_CRED_DEVICE	1	/* a device token */

struct auth_req {
	uint64_t	req;
	char		cls[32];
	char		src[256];
	uint8_t		loopback;
	uint8_t		forwarded;
	uint8_t		cred[512];
	size_t		credlen;
	char		connector[16];
	char		want[256];	/* "*": all the credential allows */
	/* what a reverse proxy says (authd trusts it only from a trusted
	 * proxy address) */
	char		xff[256];	/* X-Forwarded-For */
	char		proxy_user[128];	/* the configured user header */
	uint8_t		proxy_required_ok;	/* required headers non-blank */
	uint8_t		has_device;
	struct {
		char		id[80];
		char		public_key[96];
		char		signature[128];
		uint64_t	signed_at;
		char		nonce[64];
		char		challenge[64];
		char		client_id[64];
		char		client_mode[32];
		char		role[16];
		char		scopes[256];
		char		token[512];
		char		platform[64];
		char		device_family[64];
		char		display_name[64];
	} dev;
	uint8_t		cred_kind;	/* AUTH_CRED_* */
};

int	auth_req_encode(const struct auth_req *, struct cbuf *);
/* 0, or -1 if malformed (wrong lengths, flags not 0/1, trailing bytes) */
int	auth_req_decode(struct auth_req *, const void *, size_t);

#endif
