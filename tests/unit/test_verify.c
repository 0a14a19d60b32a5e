/*
 * test_verify.c - unit tests of secretd's webhook verify oracle
 * (secretd/verify.c, trust zone "secretd"): Slack's published signing
 * example with an injected clock, the replay window and malformed
 * timestamps and signatures; Telegram secret tokens of every length and
 * charset; Discord with the RFC 8032 section 7.1 vectors (TESTs 1-3, the
 * message split into timestamp and body) and a fresh key pair; wrong
 * keys, flipped bits, bad hex and wrong lengths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "verify.h"

/* Slack's published example (protocols.md section 1.1) */
#define SL_SECRET	"8f742231b10e8888abcd99yyyzzz85a5"
#define SL_TS		"1531420618"
#define SL_NOW		1531420618ULL
#define SL_BODY		"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&" \
	"team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&" \
	"user_id=U2CERLKJA&user_name=roadrunner&" \
	"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2F" \
	"hooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F" \
	"96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121." \
	"803a0bc887a14d10d2c447fce8b6703c"
#define SL_SIG		"v0=a2114d57b48eac39b9ad189dd8316235" \
	"a7b4a8d21a10bd27519666489c69b503"

/* RFC 8032 section 7.1 */
#define T1_PK	"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define T1_SIG	"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155" \
		"5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
#define T2_PK	"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define T2_SIG	"92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da" \
		"085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
#define T3_PK	"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"
#define T3_SIG	"6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac" \
		"18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"

static int
slack(const char *secret, const char *ts, const char *body, const char *sig,
    uint64_t now)
{
	return verify_slack((const uint8_t *)secret, strlen(secret), ts,
	    (const uint8_t *)body, strlen(body), sig, now);
}

static int
tg(const char *secret, const char *presented)
{
	return verify_telegram((const uint8_t *)secret, strlen(secret),
	    presented);
}

static int
discord(const char *pk, const char *ts, const char *body, const char *sig)
{
	return verify_discord(pk, ts, (const uint8_t *)body, strlen(body), sig);
}

/* a copy of hex string `s' with the low bit of digit `off' flipped */
static void
flip(char *out, size_t outsz, const char *s, size_t off)
{
	static const char	 digits[] = "0123456789abcdef";
	int			 v;

	snprintf(out, outsz, "%s", s);
	v = (int)(strchr(digits, s[off]) - digits);
	out[off] = digits[v ^ 1];
}

static int
setup(void **state)
{
	(void)state;
	return sodium_init() == -1 ? -1 : 0;
}

static void
test_timestamp(void **state)
{
	(void)state;
	assert_int_equal(verify_timestamp("1000", 1000), 1);
	assert_int_equal(verify_timestamp("1000", 1300), 1);
	assert_int_equal(verify_timestamp("1300", 1000), 1);
	assert_int_equal(verify_timestamp("1000", 1301), 0);
	assert_int_equal(verify_timestamp("1301", 1000), 0);
	assert_int_equal(verify_timestamp("0", 0), 1);
	assert_int_equal(verify_timestamp("0001000", 1000), 1);
	assert_int_equal(verify_timestamp("9999999999999999999",
	    UINT64_C(9999999999999999999)), 1);
	assert_int_equal(verify_timestamp("18446744073709551616", 0), 0);
	assert_int_equal(verify_timestamp("00000000000000001000", 1000), 0);
	assert_int_equal(verify_timestamp("", 0), 0);
	assert_int_equal(verify_timestamp(NULL, 0), 0);
	assert_int_equal(verify_timestamp("+1000", 1000), 0);
	assert_int_equal(verify_timestamp("-1000", 1000), 0);
	assert_int_equal(verify_timestamp(" 1000", 1000), 0);
	assert_int_equal(verify_timestamp("1000 ", 1000), 0);
	assert_int_equal(verify_timestamp("1000.5", 1000), 0);
	assert_int_equal(verify_timestamp("1e3", 1000), 0);
	assert_int_equal(verify_timestamp("0x3e8", 1000), 0);
}

static void
test_slack_vector(void **state)
{
	char	 up[VERIFY_SLACK_SIGLEN + 1];
	size_t	 i;

	(void)state;
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, SL_SIG, SL_NOW), 1);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, SL_SIG,
	    SL_NOW + VERIFY_SKEW_S), 1);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, SL_SIG,
	    SL_NOW - VERIFY_SKEW_S), 1);
	/* hex digits of either case */
	snprintf(up, sizeof(up), "%s", SL_SIG);
	for (i = 3; up[i] != '\0'; i++)
		if (up[i] >= 'a' && up[i] <= 'f')
			up[i] -= 32;
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, up, SL_NOW), 1);
}

static void
test_slack_replay(void **state)
{
	(void)state;
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, SL_SIG,
	    SL_NOW + VERIFY_SKEW_S + 1), 0);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, SL_SIG,
	    SL_NOW - VERIFY_SKEW_S - 1), 0);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, SL_SIG, 0), 0);
	/* the same instant, spelt otherwise, is not what was signed */
	assert_int_equal(slack(SL_SECRET, "0" SL_TS, SL_BODY, SL_SIG, SL_NOW),
	    0);
	assert_int_equal(slack(SL_SECRET, "+" SL_TS, SL_BODY, SL_SIG, SL_NOW),
	    0);
	assert_int_equal(slack(SL_SECRET, SL_TS ".0", SL_BODY, SL_SIG, SL_NOW),
	    0);
	assert_int_equal(slack(SL_SECRET, "", SL_BODY, SL_SIG, SL_NOW), 0);
}

static void
test_slack_refusals(void **state)
{
	char	 bad[VERIFY_SLACK_SIGLEN + 8], body[sizeof(SL_BODY)];
	size_t	 i;

	(void)state;
	/* every hex digit of the signature, and the body, matter */
	for (i = 3; i < VERIFY_SLACK_SIGLEN; i++) {
		flip(bad, sizeof(bad), SL_SIG, i);
		assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, bad, SL_NOW),
		    0);
	}
	snprintf(body, sizeof(body), "%s", SL_BODY);
	body[sizeof(body) - 2] ^= 1;
	assert_int_equal(slack(SL_SECRET, SL_TS, body, SL_SIG, SL_NOW), 0);
	assert_int_equal(slack(SL_SECRET, SL_TS, "", SL_SIG, SL_NOW), 0);
	assert_int_equal(slack("8f742231b10e8888abcd99yyyzzz85a6", SL_TS,
	    SL_BODY, SL_SIG, SL_NOW), 0);
	assert_int_equal(slack("8f742231b10e8888abcd99yyyzzz85a", SL_TS,
	    SL_BODY, SL_SIG, SL_NOW), 0);
	/* the body is bound byte for byte, not as a C string */
	assert_int_equal(verify_slack((const uint8_t *)SL_SECRET,
	    strlen(SL_SECRET), SL_TS, (const uint8_t *)SL_BODY,
	    sizeof(SL_BODY), SL_SIG, SL_NOW), 0);

	/* shape: prefix, length, hex */
	snprintf(bad, sizeof(bad), "v1=%s", SL_SIG + 3);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, bad, SL_NOW), 0);
	snprintf(bad, sizeof(bad), "%s", SL_SIG + 3);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, bad, SL_NOW), 0);
	snprintf(bad, sizeof(bad), "%.66s", SL_SIG);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, bad, SL_NOW), 0);
	snprintf(bad, sizeof(bad), "%s0", SL_SIG);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, bad, SL_NOW), 0);
	snprintf(bad, sizeof(bad), "%s\n", SL_SIG);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, bad, SL_NOW), 0);
	snprintf(bad, sizeof(bad), "%s", SL_SIG);
	bad[10] = 'g';
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, bad, SL_NOW), 0);
	bad[10] = ' ';
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, bad, SL_NOW), 0);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, "", SL_NOW), 0);
	assert_int_equal(slack(SL_SECRET, SL_TS, SL_BODY, "v0=", SL_NOW), 0);

	/* arguments */
	assert_int_equal(verify_slack(NULL, 0, SL_TS, (const uint8_t *)SL_BODY,
	    strlen(SL_BODY), SL_SIG, SL_NOW), 0);
	assert_int_equal(verify_slack((const uint8_t *)SL_SECRET, 0, SL_TS,
	    (const uint8_t *)SL_BODY, strlen(SL_BODY), SL_SIG, SL_NOW), 0);
	assert_int_equal(verify_slack((const uint8_t *)SL_SECRET,
	    strlen(SL_SECRET), NULL, (const uint8_t *)SL_BODY,
	    strlen(SL_BODY), SL_SIG, SL_NOW), 0);
	assert_int_equal(verify_slack((const uint8_t *)SL_SECRET,
	    strlen(SL_SECRET), SL_TS, NULL, 1, SL_SIG, SL_NOW), 0);
	assert_int_equal(verify_slack((const uint8_t *)SL_SECRET,
	    strlen(SL_SECRET), SL_TS, (const uint8_t *)SL_BODY,
	    VERIFY_BODY_MAX + 1, SL_SIG, SL_NOW), 0);
	assert_int_equal(verify_slack((const uint8_t *)SL_SECRET,
	    strlen(SL_SECRET), SL_TS, (const uint8_t *)SL_BODY,
	    strlen(SL_BODY), NULL, SL_NOW), 0);
}

/* our own signature over an empty body and over binary bytes */
static void
test_slack_round_trip(void **state)
{
	crypto_auth_hmacsha256_state	 st;
	uint8_t				 key[32], mac[32], body[300];
	char				 sig[VERIFY_SLACK_SIGLEN + 1];
	size_t				 i;

	(void)state;
	randombytes_buf(key, sizeof(key));
	for (i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)i;
	crypto_auth_hmacsha256_init(&st, key, sizeof(key));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)"v0:1700000000:",
	    14);
	crypto_auth_hmacsha256_update(&st, body, sizeof(body));
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(sig, "v0=", 3);
	sodium_bin2hex(sig + 3, sizeof(sig) - 3, mac, sizeof(mac));
	assert_int_equal(verify_slack(key, sizeof(key), "1700000000", body,
	    sizeof(body), sig, 1700000000), 1);
	assert_int_equal(verify_slack(key, sizeof(key), "1700000000", body,
	    sizeof(body) - 1, sig, 1700000000), 0);

	crypto_auth_hmacsha256(mac, (const uint8_t *)"v0:1700000000:", 14,
	    key);
	sodium_bin2hex(sig + 3, sizeof(sig) - 3, mac, sizeof(mac));
	assert_int_equal(verify_slack(key, sizeof(key), "1700000000", NULL, 0,
	    sig, 1700000000), 1);
	key[0] ^= 1;
	assert_int_equal(verify_slack(key, sizeof(key), "1700000000", NULL, 0,
	    sig, 1700000000), 0);
}

static void
test_telegram(void **state)
{
	char	 max[VERIFY_TELEGRAM_MAX + 2], other[VERIFY_TELEGRAM_MAX + 2];
	size_t	 i;

	(void)state;
	assert_int_equal(tg("s3cr3t_T0ken-abc", "s3cr3t_T0ken-abc"), 1);
	assert_int_equal(tg("A", "A"), 1);
	assert_int_equal(tg("A", "a"), 0);
	assert_int_equal(tg("s3cr3t_T0ken-abc", "s3cr3t_T0ken-ab"), 0);
	assert_int_equal(tg("s3cr3t_T0ken-abc", "s3cr3t_T0ken-abcd"), 0);
	assert_int_equal(tg("s3cr3t_T0ken-abc", "s3cr3t_T0ken-abd"), 0);
	assert_int_equal(tg("s3cr3t_T0ken-abc", "t3cr3t_T0ken-abc"), 0);
	assert_int_equal(tg("s3cr3t_T0ken-abc", ""), 0);
	assert_int_equal(verify_telegram((const uint8_t *)"abc", 3, NULL), 0);
	assert_int_equal(verify_telegram(NULL, 0, "abc"), 0);
	assert_int_equal(verify_telegram((const uint8_t *)"abc", 0, ""), 0);

	/* 256 characters is the most */
	for (i = 0; i < VERIFY_TELEGRAM_MAX; i++)
		max[i] = "abcdefghijklmnopqrstuvwxyz0123456789_-"[i % 38];
	max[VERIFY_TELEGRAM_MAX] = '\0';
	assert_int_equal(tg(max, max), 1);
	snprintf(other, sizeof(other), "%s", max);
	other[VERIFY_TELEGRAM_MAX - 1] ^= 1;
	assert_int_equal(tg(max, other), 0);
	snprintf(other, sizeof(other), "%sa", max);
	assert_int_equal(tg(max, other), 0);
	assert_int_equal(tg(other, other), 0);

	/* outside [A-Za-z0-9_-], presented or configured: no */
	assert_int_equal(tg("abc", "abc!"), 0);
	assert_int_equal(tg("abc!", "abc!"), 0);
	assert_int_equal(tg("a b", "a b"), 0);
	assert_int_equal(tg("a.b", "a.b"), 0);
	assert_int_equal(tg("a\xc3\xa9", "a\xc3\xa9"), 0);
	assert_int_equal(tg("ab=", "ab="), 0);
	/* a NUL in the configured secret never matches */
	assert_int_equal(verify_telegram((const uint8_t *)"ab\0", 3, "ab"), 0);
	assert_int_equal(verify_telegram((const uint8_t *)"a\0b", 3, "a"), 0);
}

static void
test_discord_rfc8032(void **state)
{
	char	 up[VERIFY_DISCORD_SIGLEN + 1];
	size_t	 i;

	(void)state;
	/* TEST 1: the empty message */
	assert_int_equal(verify_discord(T1_PK, "", NULL, 0, T1_SIG), 1);
	assert_int_equal(discord(T1_PK, "", "", T1_SIG), 1);
	/* TEST 2: 0x72, as timestamp or as body */
	assert_int_equal(discord(T2_PK, "r", "", T2_SIG), 1);
	assert_int_equal(discord(T2_PK, "", "r", T2_SIG), 1);
	/* TEST 3: 0xaf 0x82, split each way */
	assert_int_equal(discord(T3_PK, "\xaf", "\x82", T3_SIG), 1);
	assert_int_equal(discord(T3_PK, "", "\xaf\x82", T3_SIG), 1);
	assert_int_equal(discord(T3_PK, "\xaf\x82", "", T3_SIG), 1);
	/* hex digits of either case */
	snprintf(up, sizeof(up), "%s", T2_SIG);
	for (i = 0; up[i] != '\0'; i++)
		if (up[i] >= 'a' && up[i] <= 'f')
			up[i] -= 32;
	assert_int_equal(discord(T2_PK, "r", "", up), 1);

	/* wrong key, wrong message */
	assert_int_equal(discord(T2_PK, "", "", T1_SIG), 0);
	assert_int_equal(discord(T1_PK, "r", "", T2_SIG), 0);
	assert_int_equal(discord(T3_PK, "r", "", T2_SIG), 0);
	assert_int_equal(discord(T2_PK, "s", "", T2_SIG), 0);
	assert_int_equal(discord(T2_PK, "r", "r", T2_SIG), 0);
	assert_int_equal(discord(T1_PK, "", "x", T1_SIG), 0);
	assert_int_equal(discord(T3_PK, "\x82", "\xaf", T3_SIG), 0);
}

static void
test_discord_refusals(void **state)
{
	char	 bad[VERIFY_DISCORD_SIGLEN + 8];
	char	 ts[VERIFY_TS_MAX + 2];
	size_t	 i;

	(void)state;
	/* one flipped bit anywhere in the signature or the key */
	for (i = 0; i < VERIFY_DISCORD_SIGLEN; i++) {
		flip(bad, sizeof(bad), T2_SIG, i);
		assert_int_equal(discord(T2_PK, "r", "", bad), 0);
	}
	for (i = 0; i < VERIFY_DISCORD_PKLEN; i++) {
		flip(bad, sizeof(bad), T2_PK, i);
		assert_int_equal(discord(bad, "r", "", T2_SIG), 0);
	}

	/* bad hex */
	snprintf(bad, sizeof(bad), "%s", T2_SIG);
	bad[0] = 'g';
	assert_int_equal(discord(T2_PK, "r", "", bad), 0);
	snprintf(bad, sizeof(bad), "%s", T2_SIG);
	bad[VERIFY_DISCORD_SIGLEN - 1] = ' ';
	assert_int_equal(discord(T2_PK, "r", "", bad), 0);
	snprintf(bad, sizeof(bad), "%s", T2_PK);
	bad[31] = 'x';
	assert_int_equal(discord(bad, "r", "", T2_SIG), 0);

	/* wrong lengths */
	snprintf(bad, sizeof(bad), "%.127s", T2_SIG);
	assert_int_equal(discord(T2_PK, "r", "", bad), 0);
	snprintf(bad, sizeof(bad), "%.126s", T2_SIG);
	assert_int_equal(discord(T2_PK, "r", "", bad), 0);
	snprintf(bad, sizeof(bad), "%s00", T2_SIG);
	assert_int_equal(discord(T2_PK, "r", "", bad), 0);
	snprintf(bad, sizeof(bad), "%s0", T2_SIG);
	assert_int_equal(discord(T2_PK, "r", "", bad), 0);
	snprintf(bad, sizeof(bad), "%.63s", T2_PK);
	assert_int_equal(discord(bad, "r", "", T2_SIG), 0);
	snprintf(bad, sizeof(bad), "%.62s", T2_PK);
	assert_int_equal(discord(bad, "r", "", T2_SIG), 0);
	snprintf(bad, sizeof(bad), "%s00", T2_PK);
	assert_int_equal(discord(bad, "r", "", T2_SIG), 0);
	assert_int_equal(discord("", "r", "", T2_SIG), 0);
	assert_int_equal(discord(T2_PK, "r", "", ""), 0);

	/* arguments */
	memset(ts, '1', VERIFY_TS_MAX + 1);
	ts[VERIFY_TS_MAX + 1] = '\0';
	assert_int_equal(discord(T1_PK, ts, "", T1_SIG), 0);
	assert_int_equal(verify_discord(NULL, "", NULL, 0, T1_SIG), 0);
	assert_int_equal(verify_discord(T1_PK, NULL, NULL, 0, T1_SIG), 0);
	assert_int_equal(verify_discord(T1_PK, "", NULL, 0, NULL), 0);
	assert_int_equal(verify_discord(T1_PK, "", NULL, 1, T1_SIG), 0);
	assert_int_equal(verify_discord(T1_PK, "", (const uint8_t *)"",
	    VERIFY_BODY_MAX + 1, T1_SIG), 0);
}

/* a fresh key pair, a real-looking interaction */
static void
test_discord_round_trip(void **state)
{
	static const char	 ts[] = "1700000000";
	static const char	 body[] = "{\"type\":1,\"id\":\"1\"}";
	uint8_t			 pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t			 sk[crypto_sign_SECRETKEYBYTES];
	uint8_t			 other[crypto_sign_PUBLICKEYBYTES];
	uint8_t			 osk[crypto_sign_SECRETKEYBYTES];
	uint8_t			 msg[sizeof(ts) + sizeof(body)];
	uint8_t			 sig[crypto_sign_BYTES];
	char			 pkhex[VERIFY_DISCORD_PKLEN + 1];
	char			 ohex[VERIFY_DISCORD_PKLEN + 1];
	char			 sighex[VERIFY_DISCORD_SIGLEN + 1];

	(void)state;
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(other, osk);
	memcpy(msg, ts, sizeof(ts) - 1);
	memcpy(msg + sizeof(ts) - 1, body, sizeof(body) - 1);
	crypto_sign_detached(sig, NULL, msg, sizeof(ts) + sizeof(body) - 2,
	    sk);
	sodium_bin2hex(pkhex, sizeof(pkhex), pk, sizeof(pk));
	sodium_bin2hex(ohex, sizeof(ohex), other, sizeof(other));
	sodium_bin2hex(sighex, sizeof(sighex), sig, sizeof(sig));

	assert_int_equal(discord(pkhex, ts, body, sighex), 1);
	assert_int_equal(verify_timestamp(ts, 1700000000 + 60), 1);
	assert_int_equal(discord(ohex, ts, body, sighex), 0);
	assert_int_equal(discord(pkhex, "1700000001", body, sighex), 0);
	assert_int_equal(discord(pkhex, ts, "{\"type\":2,\"id\":\"1\"}",
	    sighex), 0);
	assert_int_equal(discord(pkhex, "", body, sighex), 0);
	assert_int_equal(discord(pkhex, ts, "", sighex), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_slack_vector),
		cmocka_unit_test(test_slack_replay),
		cmocka_unit_test(test_slack_refusals),
		cmocka_unit_test(test_slack_round_trip),
		cmocka_unit_test(test_telegram),
		cmocka_unit_test(test_discord_rfc8032),
		cmocka_unit_test(test_discord_refusals),
		cmocka_unit_test(test_discord_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
