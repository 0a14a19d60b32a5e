/*
 * capability.h - capabilities minted by authd and checked by verifiers
 * (invariant 3; minted in authd, verified in agentd, execd and the parent,
 * forwarded unchanged by front, which cannot forge or widen one).
 *
 * A capability names a principal, a role, its scopes, a connector, when
 * it was issued and expires, the connection it is bound to and the boot it
 * belongs to, followed by a MAC (libsodium crypto_auth, HMAC-SHA512-256)
 * under a key that the parent generates at every boot.
 */
#ifndef CLAWGATE_CAPABILITY_H
#define CLAWGATE_CAPABILITY_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

#define CAP_VERSION	1
#define CAP_KEYLEN	32
#define CAP_BOOTIDLEN	16
#define CAP_MACLEN	32
#define CAP_MAXLEN	1024	/* encoded */

struct capkey {
	uint8_t	key[CAP_KEYLEN];
	uint8_t	bootid[CAP_BOOTIDLEN];
};

struct capability {
	uint8_t		bootid[CAP_BOOTIDLEN];
	char		principal[128];
	char		role[32];
	char		scopes[256];	/* space-separated */
	char		connector[64];
	uint64_t	issued;		/* unix seconds */
	uint64_t	expires;
	uint64_t	conn;		/* connection it is bound to */
};

enum cap_result {
	CAP_OK = 0,
	CAP_ERR_MALFORMED,
	CAP_ERR_MAC,
	CAP_ERR_BOOT,
	CAP_ERR_EXPIRED,
	CAP_ERR_CONN,
};

int		 capkey_generate(struct capkey *);
/* encodes cap with its MAC into out (cb_init'ed by the caller) */
int		 cap_mint(const struct capkey *, const struct capability *,
		    struct cbuf *out);
/* CAP_OK and *out filled, or a cap_result error */
int		 cap_verify(const struct capkey *, const uint8_t *, size_t,
		    uint64_t now, uint64_t conn, struct capability *out);
/* decode the fields without checking the MAC: for display only (front
 * echoes what authd granted); never a basis for a decision */
int		 cap_peek(const uint8_t *, size_t, struct capability *out);
int		 cap_has_scope(const struct capability *, const char *);
const char	*cap_strerror(int);

#endif
