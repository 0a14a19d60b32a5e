/*
 * verify.c - the webhook verify oracle of secretd (trust zone "secretd").
 * See verify.h.  Timing: every early return is on a public fact - a NULL
 * or over-long argument, the length or prefix of what was presented, the
 * syntax or age of a timestamp.  Once a Slack signature or a Telegram
 * token has the right shape, the whole MAC or the whole padded buffer is
 * computed and compared (sodium_memcmp) and the partial answers are
 * combined without a branch, so the time does not depend on the secret
 * nor on how much of a forgery is right.  Buffers that held the secret
 * are wiped before returning.  Discord's check involves no secret.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "verify.h"

/* 1 if lo <= c <= hi, 0 otherwise, without a branch (all below 256) */
static unsigned
ct_range(unsigned c, unsigned lo, unsigned hi)
{
	return (((c - lo) | (hi - c)) >> (sizeof(unsigned) * 8 - 1)) ^ 1;
}

/* 1 if a == b, 0 otherwise, without a branch */
static unsigned
ct_size_eq(size_t a, size_t b)
{
	uint64_t	 d = (uint64_t)(a ^ b);

	return (unsigned)(((d | (0 - d)) >> 63) ^ 1);
}

/* 1 if `c' may appear in a Telegram secret token, or is padding (0) */
static unsigned
tg_char(uint8_t c)
{
	return ct_range(c, 'A', 'Z') | ct_range(c, 'a', 'z') |
	    ct_range(c, '0', '9') | ct_range(c, '_', '_') |
	    ct_range(c, '-', '-') | ct_range(c, 0, 0);
}

/*
 * Exactly `hexlen' hex digits (either case) into exactly `outlen'
 * bytes: 1, or 0 with `out' zeroed.  sodium_hex2bin decodes the digits
 * without a branch on their value; it stops at the first non-hex
 * character, which depends on the syntax of the input only.
 */
static unsigned
hex_decode(uint8_t *out, size_t outlen, const char *hex, size_t hexlen)
{
	size_t	 binlen = 0;

	if (sodium_hex2bin(out, outlen, hex, hexlen, NULL, &binlen,
	    NULL) != 0 || binlen != outlen) {
		memset(out, 0, outlen);
		return 0;
	}
	return 1;
}

int
verify_timestamp(const char *ts, uint64_t now_s)
{
	uint64_t	 t = 0, skew;
	size_t		 i;

	if (ts == NULL)
		return 0;
	for (i = 0; ts[i] != '\0'; i++) {
		if (i >= VERIFY_TS_MAX || ts[i] < '0' || ts[i] > '9')
			return 0;
		t = t * 10 + (uint64_t)(ts[i] - '0');
	}
	if (i == 0)
		return 0;
	skew = t > now_s ? t - now_s : now_s - t;
	return skew <= VERIFY_SKEW_S;
}

/* HMAC-SHA256(secret, "v0:" ts ":" body) */
static void
slack_mac(uint8_t mac[crypto_auth_hmacsha256_BYTES], const uint8_t *secret,
    size_t secretlen, const char *ts, const uint8_t *body, size_t bodylen)
{
	crypto_auth_hmacsha256_state	 st;

	crypto_auth_hmacsha256_init(&st, secret, secretlen);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)"v0:", 3);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)":", 1);
	if (bodylen > 0)
		crypto_auth_hmacsha256_update(&st, body, bodylen);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

int
verify_slack(const uint8_t *secret, size_t secretlen, const char *ts,
    const uint8_t *body, size_t bodylen, const char *sig, uint64_t now_s)
{
	uint8_t		 mac[crypto_auth_hmacsha256_BYTES];
	uint8_t		 got[crypto_auth_hmacsha256_BYTES];
	unsigned	 ok;

	if (secret == NULL || secretlen == 0 || sig == NULL ||
	    (body == NULL && bodylen > 0) || bodylen > VERIFY_BODY_MAX)
		return 0;
	if (!verify_timestamp(ts, now_s))
		return 0;
	if (strnlen(sig, VERIFY_SLACK_SIGLEN + 1) != VERIFY_SLACK_SIGLEN ||
	    memcmp(sig, "v0=", 3) != 0)
		return 0;

	ok = hex_decode(got, sizeof(got), sig + 3, VERIFY_SLACK_SIGLEN - 3);
	slack_mac(mac, secret, secretlen, ts, body, bodylen);
	ok &= (unsigned)(sodium_memcmp(mac, got, sizeof(mac)) + 1);
	sodium_memzero(mac, sizeof(mac));
	return (int)ok;
}

int
verify_telegram(const uint8_t *secret, size_t secretlen,
    const char *presented)
{
	uint8_t		 want[VERIFY_TELEGRAM_MAX], got[VERIFY_TELEGRAM_MAX];
	size_t		 n, i;
	unsigned	 ok;

	if (secret == NULL || secretlen == 0 ||
	    secretlen > VERIFY_TELEGRAM_MAX || presented == NULL)
		return 0;
	n = strnlen(presented, VERIFY_TELEGRAM_MAX + 1);
	if (n == 0 || n > VERIFY_TELEGRAM_MAX)
		return 0;

	/*
	 * Both zero-padded to the full size.  A NUL inside the secret
	 * passes tg_char but can never match: `presented' has none in its
	 * first n bytes and the lengths must agree.
	 */
	memset(want, 0, sizeof(want));
	memset(got, 0, sizeof(got));
	memcpy(want, secret, secretlen);
	memcpy(got, presented, n);
	ok = ct_size_eq(n, secretlen);
	for (i = 0; i < sizeof(want); i++)
		ok &= tg_char(want[i]) & tg_char(got[i]);
	ok &= (unsigned)(sodium_memcmp(want, got, sizeof(want)) + 1);
	sodium_memzero(want, sizeof(want));
	sodium_memzero(got, sizeof(got));
	return (int)ok;
}

int
verify_discord(const char *pubkey_hex, const char *ts, const uint8_t *body,
    size_t bodylen, const char *sig_hex)
{
	uint8_t		 pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t		 sig[crypto_sign_BYTES];
	uint8_t		*msg;
	size_t		 tslen;
	int		 ok;

	if (pubkey_hex == NULL || ts == NULL || sig_hex == NULL ||
	    (body == NULL && bodylen > 0) || bodylen > VERIFY_BODY_MAX)
		return 0;
	if ((tslen = strnlen(ts, VERIFY_TS_MAX + 1)) > VERIFY_TS_MAX)
		return 0;
	if (strnlen(pubkey_hex, VERIFY_DISCORD_PKLEN + 1) !=
	    VERIFY_DISCORD_PKLEN ||
	    strnlen(sig_hex, VERIFY_DISCORD_SIGLEN + 1) !=
	    VERIFY_DISCORD_SIGLEN)
		return 0;
	if (!hex_decode(pk, sizeof(pk), pubkey_hex, VERIFY_DISCORD_PKLEN) ||
	    !hex_decode(sig, sizeof(sig), sig_hex, VERIFY_DISCORD_SIGLEN))
		return 0;

	/* Ed25519 (not Ed25519ph) needs the message in one piece */
	if ((msg = malloc(tslen + bodylen + 1)) == NULL)
		return 0;
	memcpy(msg, ts, tslen);
	if (bodylen > 0)
		memcpy(msg + tslen, body, bodylen);
	ok = crypto_sign_verify_detached(sig, msg, tslen + bodylen, pk) == 0;
	free(msg);
	return ok;
}
