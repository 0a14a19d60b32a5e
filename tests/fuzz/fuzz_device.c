/*
 * fuzz_device.c - libFuzzer harness for authd's device-proof builder and
 * verifier (authd/device.c, trust zone "authd").  The input is split on
 * '|' into the proof's fields.  As given, the proof must never verify
 * unless it is genuinely signed; signed with a fixed key over the payload
 * the builder makes, it must verify (v3), and must fail once the nonce
 * differs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "device.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
field(const char **p, const char *end, char *out, size_t outsz)
{
	size_t	 n = 0;

	while (*p < end && **p != '|') {
		if (n + 1 < outsz && **p != '\0')
			out[n++] = **p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	out[n] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char	 pk[32], sk[64];
	static int		 init;
	struct device_proof	 dp;
	const char		*p = (const char *)data, *end = p + size;
	const char		*code;
	unsigned char		 h[32], sig[64];
	char			 payload[DEVICE_PAYLOAD_MAX], num[24];
	int			 v, n;

	if (!init) {
		if (sodium_init() == -1)
			abort();
		crypto_sign_seed_keypair(pk, sk, (const unsigned char *)
		    "clawgate-fuzz-device-seed-32byte");
		init = 1;
	}
	memset(&dp, 0, sizeof(dp));
	field(&p, end, dp.id, sizeof(dp.id));
	field(&p, end, dp.public_key, sizeof(dp.public_key));
	field(&p, end, dp.signature, sizeof(dp.signature));
	field(&p, end, num, sizeof(num));
	dp.signed_at = strtoull(num, NULL, 10);
	field(&p, end, dp.nonce, sizeof(dp.nonce));
	field(&p, end, dp.client_id, sizeof(dp.client_id));
	field(&p, end, dp.client_mode, sizeof(dp.client_mode));
	field(&p, end, dp.role, sizeof(dp.role));
	field(&p, end, dp.scopes, sizeof(dp.scopes));
	field(&p, end, dp.token, sizeof(dp.token));
	field(&p, end, dp.platform, sizeof(dp.platform));
	field(&p, end, dp.device_family, sizeof(dp.device_family));

	/* arbitrary proofs: whatever happens, no crash, a code on failure */
	if (device_verify(&dp, dp.nonce, dp.signed_at, &v, &code) == 0) {
		/* only possible if the input carries a real signature by the
		 * key it names: accept, but it must re-verify identically */
		if (device_verify(&dp, dp.nonce, dp.signed_at, &v, &code) != 0)
			abort();
	} else if (code == NULL)
		abort();

	/* the same fields, genuinely signed: must verify */
	crypto_hash_sha256(h, pk, sizeof(pk));
	sodium_bin2hex(dp.id, sizeof(dp.id), h, sizeof(h));
	sodium_bin2base64(dp.public_key, sizeof(dp.public_key), pk, sizeof(pk),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if ((n = device_payload(&dp, 3, payload, sizeof(payload))) < 0)
		return 0;
	crypto_sign_detached(sig, NULL, (unsigned char *)payload, (size_t)n,
	    sk);
	sodium_bin2base64(dp.signature, sizeof(dp.signature), sig, sizeof(sig),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (dp.nonce[0] == '\0')
		return 0;
	if (device_verify(&dp, dp.nonce, dp.signed_at, &v, &code) != 0 ||
	    v != 3)
		abort();
	snprintf(num, sizeof(num), "%.20sx", dp.nonce);
	if (strcmp(num, dp.nonce) != 0 &&
	    device_verify(&dp, num, dp.signed_at, &v, &code) == 0)
		abort();
	return 0;
}
