/*
 * pairing.h - the paired-device store (trust zone "authd").  Paired
 * devices (public key, role, approved scopes, client metadata, token
 * generation) and pending pairing requests live in authd's LMDB
 * environment; device tokens are never stored: each is an HMAC, under a
 * key of authd's own, of the device id, its role and a generation that
 * rotation and revocation advance.
 */
#ifndef CLAWGATE_PAIRING_H
#define CLAWGATE_PAIRING_H

#include <stdint.h>

#include <lmdb.h>

#include <cJSON.h>

#include "capability.h"
#include "kv.h"

#define PAIR_TTL_MS		300000	/* pending requests expire (5 min) */
#define PAIR_MAX_PENDING	128
#define PAIR_TOKEN_LEN		64

/* what a connect with a verified device proof presents */
struct pair_in {
	const char	*device_id;
	const char	*public_key;
	const char	*role;
	const char	*want;		/* space-separated; "" = all approved */
	const char	*ceiling;	/* shared token's scopes, or NULL */
	const char	*device_token;	/* presented device token, or NULL */
	const char	*display_name;
	const char	*platform;
	const char	*client_id;
	const char	*client_mode;
	int		 local;		/* direct loopback, no proxy/origin */
	uint64_t	 now_ms;
};

struct pair_out {
	char		role[16];
	char		scopes[256];
	char		token[PAIR_TOKEN_LEN];	/* the device token */
	char		request_id[40];		/* PAIR_PENDING */
	const char	*reason;	/* not-paired, scope-upgrade, ... */
	int		silent;		/* paired just now, automatically */
};

enum {
	PAIR_OK = 0,
	PAIR_PENDING,		/* a pending request holds it */
	PAIR_TOKEN_MISMATCH,	/* the device token is not this device's */
	PAIR_FULL,		/* too many pending requests */
	PAIR_ERROR,		/* store error or corrupt record */
};

void	 pairing_init(MDB_env *);
void	 pairing_config(const struct kv *);
int	 pairing_connect(const struct pair_in *, struct pair_out *);
/*
 * A device.pair.* or device.token.* method for the holder of `cap':
 * the result object, *ok set; on error an OpenClaw error object.
 */
cJSON	*pairing_call(const struct capability *cap, const char *method,
	    const cJSON *params, int *ok);
/* 1 if method is one of pairing_call's */
int	 pairing_method(const char *method);

/* implemented by authd (auth.c): tell front */
void	 authd_event(const char *event, const char *scope, cJSON *payload);
void	 authd_kick(const char *principal, const char *why);

#endif
