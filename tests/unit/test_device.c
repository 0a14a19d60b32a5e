/*
 * test_device.c - unit tests of OpenClaw device proofs (authd/device.c,
 * trust zone "authd"): real Ed25519 keys and signatures from libsodium.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "device.h"

#define NOW	1795479673295ULL

static unsigned char	 pk[crypto_sign_PUBLICKEYBYTES];
static unsigned char	 sk[crypto_sign_SECRETKEYBYTES];

static void
make_proof(struct device_proof *dp, int version)
{
	unsigned char	 h[32], sig[64];
	char		 payload[DEVICE_PAYLOAD_MAX];
	int		 n;

	memset(dp, 0, sizeof(*dp));
	crypto_hash_sha256(h, pk, sizeof(pk));
	sodium_bin2hex(dp->id, sizeof(dp->id), h, sizeof(h));
	sodium_bin2base64(dp->public_key, sizeof(dp->public_key), pk,
	    sizeof(pk), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	dp->signed_at = NOW;
	snprintf(dp->nonce, sizeof(dp->nonce), "27e88d13-bdbb-47b6-a723-b2fa8bec259c");
	snprintf(dp->client_id, sizeof(dp->client_id), "cli");
	snprintf(dp->client_mode, sizeof(dp->client_mode), "cli");
	snprintf(dp->role, sizeof(dp->role), "operator");
	snprintf(dp->scopes, sizeof(dp->scopes), "operator.read,operator.write");
	snprintf(dp->token, sizeof(dp->token), "cg_token");
	snprintf(dp->platform, sizeof(dp->platform), "Linux");
	snprintf(dp->device_family, sizeof(dp->device_family), "Desktop");
	n = device_payload(dp, version, payload, sizeof(payload));
	assert_true(n > 0);
	crypto_sign_detached(sig, NULL, (unsigned char *)payload, (size_t)n, sk);
	sodium_bin2base64(dp->signature, sizeof(dp->signature), sig,
	    sizeof(sig), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() == -1)
		return -1;
	crypto_sign_keypair(pk, sk);
	return 0;
}

static void
test_payload_format(void **state)
{
	struct device_proof	 dp;
	char			 buf[DEVICE_PAYLOAD_MAX], want[DEVICE_PAYLOAD_MAX];

	(void)state;
	make_proof(&dp, 3);
	assert_true(device_payload(&dp, 3, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "v3|%s|cli|cli|operator|"
	    "operator.read,operator.write|1795479673295|cg_token|"
	    "27e88d13-bdbb-47b6-a723-b2fa8bec259c|linux|desktop", dp.id);
	assert_string_equal(buf, want);
	assert_true(device_payload(&dp, 2, buf, sizeof(buf)) > 0);
	snprintf(want, sizeof(want), "v2|%s|cli|cli|operator|"
	    "operator.read,operator.write|1795479673295|cg_token|"
	    "27e88d13-bdbb-47b6-a723-b2fa8bec259c", dp.id);
	assert_string_equal(buf, want);
	assert_int_equal(device_payload(&dp, 1, buf, sizeof(buf)), -1);
	assert_int_equal(device_payload(&dp, 3, buf, 10), -1);
}

static void
test_good_v3_and_v2(void **state)
{
	struct device_proof	 dp;
	const char		*code = NULL;
	int			 v = 0;

	(void)state;
	make_proof(&dp, 3);
	assert_int_equal(device_verify(&dp, dp.nonce, NOW + 1000, &v, &code), 0);
	assert_int_equal(v, 3);
	make_proof(&dp, 2);
	assert_int_equal(device_verify(&dp, dp.nonce, NOW - 119000, &v, &code),
	    0);
	assert_int_equal(v, 2);
}

static void
expect(const struct device_proof *dp, const char *nonce, uint64_t now,
    const char *want)
{
	const char	*code = NULL;
	int		 v = 0;

	assert_int_equal(device_verify(dp, nonce, now, &v, &code), -1);
	assert_non_null(code);
	assert_string_equal(code, want);
}

static void
test_refusals(void **state)
{
	struct device_proof	 dp, bad;

	(void)state;
	make_proof(&dp, 3);
	expect(&dp, "another-nonce", NOW, "DEVICE_AUTH_NONCE_MISMATCH");
	expect(&dp, "", NOW, "DEVICE_AUTH_NONCE_MISMATCH");
	expect(&dp, dp.nonce, NOW + 300000, "DEVICE_AUTH_SIGNATURE_EXPIRED");
	expect(&dp, dp.nonce, NOW - 120001, "DEVICE_AUTH_SIGNATURE_EXPIRED");
	bad = dp;
	bad.signature[5] = bad.signature[5] == 'A' ? 'B' : 'A';
	expect(&bad, dp.nonce, NOW, "DEVICE_AUTH_SIGNATURE_INVALID");
	bad = dp;
	snprintf(bad.signature, sizeof(bad.signature), "short");
	expect(&bad, dp.nonce, NOW, "DEVICE_AUTH_SIGNATURE_INVALID");
	bad = dp;
	bad.id[0] = bad.id[0] == '0' ? '1' : '0';
	expect(&bad, dp.nonce, NOW, "DEVICE_AUTH_DEVICE_ID_MISMATCH");
	bad = dp;
	snprintf(bad.public_key, sizeof(bad.public_key), "not*base64");
	expect(&bad, dp.nonce, NOW, "DEVICE_AUTH_PUBLIC_KEY_INVALID");
	/* any field the signature covers, changed: invalid */
	bad = dp;
	snprintf(bad.scopes, sizeof(bad.scopes), "operator.admin");
	expect(&bad, dp.nonce, NOW, "DEVICE_AUTH_SIGNATURE_INVALID");
	bad = dp;
	snprintf(bad.role, sizeof(bad.role), "node");
	expect(&bad, dp.nonce, NOW, "DEVICE_AUTH_SIGNATURE_INVALID");
	bad = dp;
	bad.signed_at++;
	expect(&bad, dp.nonce, NOW, "DEVICE_AUTH_SIGNATURE_INVALID");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload_format),
		cmocka_unit_test(test_good_v3_and_v2),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
