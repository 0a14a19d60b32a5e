/*
 * verify.h - the webhook verify oracle of secretd (trust zone "secretd"):
 * Slack request signatures (HMAC-SHA256), Telegram secret tokens and
 * Discord interaction signatures (Ed25519).  Pure functions (libsodium
 * only; the caller has run sodium_init()).  Each answers 1 (good) or 0
 * (anything else, including bad arguments); none stores, copies out or
 * logs the secret, and none returns early on how closely a presented
 * signature or token matches: only the length and syntax of what was
 * presented and the age of the timestamp (all public) can end the work
 * sooner.
 */
#ifndef CLAWGATE_VERIFY_H
#define CLAWGATE_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#define VERIFY_SKEW_S		300		/* Slack's replay window */
#define VERIFY_TS_MAX		19		/* digits; fits in uint64_t */
#define VERIFY_BODY_MAX		(1024 * 1024)	/* raw body, both HMAC and Ed25519 */
#define VERIFY_SLACK_SIGLEN	67		/* "v0=" + 64 hex */
#define VERIFY_TELEGRAM_MAX	256		/* secret_token, [A-Za-z0-9_-] */
#define VERIFY_DISCORD_PKLEN	64		/* hex of a 32-byte key */
#define VERIFY_DISCORD_SIGLEN	128		/* hex of a 64-byte signature */

/*
 * 1 if `ts' is a plain decimal number of 1 to VERIFY_TS_MAX digits (no
 * sign, no space) within VERIFY_SKEW_S seconds of `now_s', either way.
 * verify_slack applies it itself; Discord's signature covers the
 * timestamp but states no window, so its caller applies it to
 * X-Signature-Timestamp.
 */
int	verify_timestamp(const char *ts, uint64_t now_s);

/*
 * Slack: 1 if `sig' (X-Slack-Signature) is "v0=" and the 64 hex digits
 * of HMAC-SHA256(secret, "v0:" ts ":" body), `ts'
 * (X-Slack-Request-Timestamp, verbatim) passes verify_timestamp and
 * bodylen <= VERIFY_BODY_MAX.  Hex digits may be of either case.
 */
int	verify_slack(const uint8_t *secret, size_t secretlen, const char *ts,
	    const uint8_t *body, size_t bodylen, const char *sig,
	    uint64_t now_s);

/*
 * Telegram: 1 if `presented' (X-Telegram-Bot-Api-Secret-Token) equals
 * the configured secret token.  Both must be 1 to VERIFY_TELEGRAM_MAX
 * characters of [A-Za-z0-9_-].  The comparison always covers
 * VERIFY_TELEGRAM_MAX bytes, whatever the two lengths.
 */
int	verify_telegram(const uint8_t *secret, size_t secretlen,
	    const char *presented);

/*
 * Discord: 1 if `sig_hex' (X-Signature-Ed25519, 128 hex digits) is an
 * Ed25519 signature of ts || body (X-Signature-Timestamp, verbatim, then
 * the raw body) under `pubkey_hex' (the application's public key, 64 hex
 * digits), with strlen(ts) <= VERIFY_TS_MAX and bodylen <=
 * VERIFY_BODY_MAX.  No secret is involved; the freshness of `ts' is the
 * caller's (see verify_timestamp).
 */
int	verify_discord(const char *pubkey_hex, const char *ts,
	    const uint8_t *body, size_t bodylen, const char *sig_hex);

#endif
