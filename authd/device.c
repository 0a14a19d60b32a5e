/*
 * device.c - verification of OpenClaw device proofs (trust zone "authd").
 * See device.h.  Order of checks as the real gateway reports them: the
 * key and its id, the nonce, the time, then the signature (v3, then v2).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "device.h"

static void
lower(const char *in, char *out, size_t outsz)
{
	size_t	 i;

	for (i = 0; in[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i];
	out[i] = '\0';
}

int
device_payload(const struct device_proof *dp, int version, char *out,
    size_t outsz)
{
	char	 plat[64], fam[64];
	int	 n;

	if (version == 3) {
		lower(dp->platform, plat, sizeof(plat));
		lower(dp->device_family, fam, sizeof(fam));
		n = snprintf(out, outsz, "v3|%s|%s|%s|%s|%s|%llu|%s|%s|%s|%s",
		    dp->id, dp->client_id, dp->client_mode, dp->role,
		    dp->scopes, (unsigned long long)dp->signed_at, dp->token,
		    dp->nonce, plat, fam);
	} else if (version == 2)
		n = snprintf(out, outsz, "v2|%s|%s|%s|%s|%s|%llu|%s|%s",
		    dp->id, dp->client_id, dp->client_mode, dp->role,
		    dp->scopes, (unsigned long long)dp->signed_at, dp->token,
		    dp->nonce);
	else
		return -1;
	if (n < 0 || (size_t)n >= outsz)
		return -1;
	return n;
}

static int
b64url_decode(const char *s, unsigned char *out, size_t want)
{
	size_t	 len;

	if (sodium_base642bin(out, want, s, strlen(s), NULL, &len, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || len != want)
		return -1;
	return 0;
}

int
device_verify(const struct device_proof *dp, const char *challenge_nonce,
    uint64_t now_ms, int *version, const char **code)
{
	unsigned char	 pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char	 sig[crypto_sign_BYTES];
	unsigned char	 h[crypto_hash_sha256_BYTES];
	char		 hex[crypto_hash_sha256_BYTES * 2 + 1];
	char		 payload[DEVICE_PAYLOAD_MAX];
	uint64_t	 skew;
	int		 v, n;

	if (b64url_decode(dp->public_key, pk, sizeof(pk)) == -1) {
		*code = "DEVICE_AUTH_PUBLIC_KEY_INVALID";
		return -1;
	}
	crypto_hash_sha256(h, pk, sizeof(pk));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (strcasecmp(hex, dp->id) != 0) {
		*code = "DEVICE_AUTH_DEVICE_ID_MISMATCH";
		return -1;
	}
	if (challenge_nonce[0] == '\0' ||
	    strcmp(dp->nonce, challenge_nonce) != 0) {
		*code = "DEVICE_AUTH_NONCE_MISMATCH";
		return -1;
	}
	skew = dp->signed_at > now_ms ? dp->signed_at - now_ms :
	    now_ms - dp->signed_at;
	if (skew > DEVICE_SKEW_MS) {
		*code = "DEVICE_AUTH_SIGNATURE_EXPIRED";
		return -1;
	}
	if (b64url_decode(dp->signature, sig, sizeof(sig)) == -1) {
		*code = "DEVICE_AUTH_SIGNATURE_INVALID";
		return -1;
	}
	for (v = 3; v >= 2; v--) {
		if ((n = device_payload(dp, v, payload, sizeof(payload))) < 0)
			continue;
		if (crypto_sign_verify_detached(sig, (unsigned char *)payload,
		    (size_t)n, pk) == 0) {
			*version = v;
			return 0;
		}
	}
	*code = "DEVICE_AUTH_SIGNATURE_INVALID";
	return -1;
}
