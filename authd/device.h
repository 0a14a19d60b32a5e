/*
 * device.h - OpenClaw device identity proofs (trust zone "authd"):
 * Ed25519 keys, device.id = hex SHA-256 of the raw public key, the v3
 * signed payload (v2 accepted), nonce bound to the challenge, +-120 s
 * skew.  Pure functions (libsodium only), unit-tested and fuzzed.
 */
#ifndef CLAWGATE_DEVICE_H
#define CLAWGATE_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#define DEVICE_SKEW_MS		120000
#define DEVICE_PAYLOAD_MAX	2048

struct device_proof {
	char		id[80];		/* hex sha256 of the key */
	char		public_key[96];	/* raw 32 bytes, base64url */
	char		signature[128];	/* 64 bytes, base64url */
	uint64_t	signed_at;	/* ms */
	char		nonce[64];
	/* what the signature covers besides the above */
	char		client_id[64];
	char		client_mode[32];
	char		role[16];
	char		scopes[256];	/* comma-separated, as signed */
	char		token[512];
	char		platform[64];
	char		device_family[64];
};

/* the signed payload of `version' (2 or 3); -1 if it does not fit */
int	device_payload(const struct device_proof *, int version, char *out,
	    size_t outsz);
/*
 * 0 if the proof is good (*version set to 3 or 2); otherwise -1 and
 * *code is the OpenClaw details code: DEVICE_AUTH_DEVICE_ID_MISMATCH,
 * DEVICE_AUTH_PUBLIC_KEY_INVALID, DEVICE_AUTH_NONCE_MISMATCH,
 * DEVICE_AUTH_SIGNATURE_EXPIRED, DEVICE_AUTH_SIGNATURE_INVALID.
 */
int	device_verify(const struct device_proof *, const char *challenge_nonce,
	    uint64_t now_ms, int *version, const char **code);

#endif
