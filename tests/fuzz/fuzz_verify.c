/*
 * fuzz_verify.c - libFuzzer harness for secretd's webhook verify oracle
 * (secretd/verify.c, trust zone "secretd").  The input is split on '|'
 * into secret, timestamp, now, Slack signature, Telegram token, Discord
 * public key and Discord signature; the rest, raw, is the body.  As
 * given: no crash, and a yes only when it is right (Slack: the presented
 * hex is the real MAC; Telegram: a plain comparison agrees).  Genuinely
 * signed (Slack with the given secret, Discord with a fixed key): yes
 * when the timestamp allows, and no once one bit of the signature flips.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "verify.h"

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

/* what verify_telegram must answer, the plain way */
static int
telegram_ref(const char *secret, const char *presented)
{
	size_t	 n = strlen(secret);

	if (n == 0 || n > VERIFY_TELEGRAM_MAX ||
	    strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") != n)
		return 0;
	return strcmp(secret, presented) == 0;
}

static void
slack(const char *secret, const char *ts, uint64_t now, const char *sig,
    const uint8_t *body, size_t bodylen)
{
	crypto_auth_hmacsha256_state	 st;
	uint8_t				 mac[crypto_auth_hmacsha256_BYTES];
	char				 good[VERIFY_SLACK_SIGLEN + 1];
	size_t				 slen = strlen(secret);
	int				 want;

	crypto_auth_hmacsha256_init(&st, (const uint8_t *)secret, slen);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)"v0:", 3);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)":", 1);
	crypto_auth_hmacsha256_update(&st, body, bodylen);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(good, "v0=", 3);
	sodium_bin2hex(good + 3, sizeof(good) - 3, mac, sizeof(mac));

	/* as presented: yes only for the real MAC, in either case */
	if (verify_slack((const uint8_t *)secret, slen, ts, body, bodylen, sig,
	    now) == 1 && (strlen(sig) != VERIFY_SLACK_SIGLEN ||
	    strncmp(sig, "v0=", 3) != 0 || strcasecmp(sig + 3, good + 3) != 0))
		abort();

	want = slen > 0 && bodylen <= VERIFY_BODY_MAX &&
	    verify_timestamp(ts, now);
	if (verify_slack((const uint8_t *)secret, slen, ts, body, bodylen,
	    good, now) != want)
		abort();
	good[3 + (mac[0] & 63)] ^= 1;	/* another hex digit, or not hex */
	if (verify_slack((const uint8_t *)secret, slen, ts, body, bodylen,
	    good, now) != 0)
		abort();
}

static void
discord(const char *pk, const char *ts, const char *sig, const uint8_t *body,
    size_t bodylen)
{
	static uint8_t	 dpk[32], dsk[64];
	static int	 init;
	uint8_t		*msg, s[64];
	char		 pkhex[VERIFY_DISCORD_PKLEN + 1];
	char		 sighex[VERIFY_DISCORD_SIGLEN + 1];
	size_t		 tslen = strlen(ts);
	int		 r;

	if (!init) {
		crypto_sign_seed_keypair(dpk, dsk, (const uint8_t *)
		    "clawgate-fuzz-verify-seed-32byte");
		init = 1;
	}
	/* as presented: any answer, but the same one twice */
	r = verify_discord(pk, ts, body, bodylen, sig);
	if (r != 0 && r != 1)
		abort();
	if (verify_discord(pk, ts, body, bodylen, sig) != r)
		abort();

	if (tslen > VERIFY_TS_MAX)
		return;
	if ((msg = malloc(tslen + bodylen + 1)) == NULL)
		abort();
	memcpy(msg, ts, tslen);
	memcpy(msg + tslen, body, bodylen);
	crypto_sign_detached(s, NULL, msg, tslen + bodylen, dsk);
	free(msg);
	sodium_bin2hex(pkhex, sizeof(pkhex), dpk, sizeof(dpk));
	sodium_bin2hex(sighex, sizeof(sighex), s, sizeof(s));
	if (verify_discord(pkhex, ts, body, bodylen, sighex) != 1)
		abort();
	if (verify_discord(pk, ts, body, bodylen, sighex) == 1 &&
	    strcasecmp(pk, pkhex) != 0)
		abort();
	sighex[s[0] & 127] ^= 1;
	if (verify_discord(pkhex, ts, body, bodylen, sighex) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 init;
	const char	*p = (const char *)data, *end = p + size;
	char		 secret[300], ts[32], num[24], ssig[80], token[300];
	char		 pk[80], dsig[140];
	uint64_t	 now;

	if (!init) {
		if (sodium_init() == -1)
			abort();
		init = 1;
	}
	field(&p, end, secret, sizeof(secret));
	field(&p, end, ts, sizeof(ts));
	field(&p, end, num, sizeof(num));
	field(&p, end, ssig, sizeof(ssig));
	field(&p, end, token, sizeof(token));
	field(&p, end, pk, sizeof(pk));
	field(&p, end, dsig, sizeof(dsig));
	/* no `now': the timestamp's own value, so that it is fresh */
	now = strtoull(num[0] != '\0' ? num : ts, NULL, 10);

	slack(secret, ts, now, ssig, (const uint8_t *)p, (size_t)(end - p));
	if (verify_telegram((const uint8_t *)secret, strlen(secret), token) !=
	    telegram_ref(secret, token) ||
	    verify_telegram((const uint8_t *)secret, strlen(secret), secret) !=
	    telegram_ref(secret, secret))
		abort();
	discord(pk, ts, dsig, (const uint8_t *)p, (size_t)(end - p));
	return 0;
}
