/*
 * ratelimit.h - the failed-authentication rate limiter (trust zone
 * "authd"; invariant 5 of the design).
 *
 * Failures are counted per bucket, a bucket being a (credential class,
 * source) pair such as ("shared-secret", "127.0.0.1"), ("browser-origin",
 * "http://localhost:18789") or ("control-uid", "1000").  max_failures
 * failures within window_ms (a sliding window) lock the bucket out for
 * lockout_ms; during the lockout every attempt is refused, including one
 * that carries the correct credential, so a caller asks rl_check() BEFORE
 * verifying anything.  A success outside a lockout forgets the bucket.
 *
 * Intended use, with the defaults (10 / 60 s / 300 s), matching OpenClaw
 * with its loopback exemption off:
 *
 *	if ((ms = rl_check(rl, cls, src, lo, now)) != 0)
 *		refuse: rate limited, Retry-After rl_retry_after_sec(ms)
 *	else if (credential is correct)
 *		rl_success(rl, cls, src, now), accept
 *	else
 *		rl_failure(rl, cls, src, lo, now), ordinary auth failure
 *
 * so attempts 1-10 that are wrong fail normally, and attempt 11 and later,
 * right or wrong, are refused with the time left (HTTP 429 Retry-After:
 * 300, or retryAfterMs on the WebSocket).  rl_failure() returning non-zero
 * where the previous call returned 0 is the moment a lockout starts; the
 * caller logs it, this module does not.
 *
 * Keys: cls is at most RL_CLS_MAX bytes and source at most RL_SOURCE_MAX
 * bytes.  A NULL or longer key is never truncated (two distinct sources
 * must never share a bucket); rl_check() and rl_failure() fail closed on
 * it and return the full lockout_ms, and rl_success() ignores it.
 *
 * Memory is bounded by max_entries whatever the number of sources; see
 * ratelimit.c for the eviction order.  No clock is read: every time is the
 * caller's now_ms, in milliseconds on any monotonic clock.  The table is
 * not thread-safe (authd is single-threaded).
 */
#ifndef CLAWGATE_RATELIMIT_H
#define CLAWGATE_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define RL_CLS_MAX		31	/* bytes, without the NUL */
#define RL_SOURCE_MAX		255	/* bytes, without the NUL */

/* what rl_new() and rl_set_config() accept */
#define RL_MAX_FAILURES_LIMIT	1000
#define RL_MAX_ENTRIES_LIMIT	(1U << 20)
#define RL_MAX_DURATION_MS	(30ULL * 24 * 60 * 60 * 1000)	/* 30 days */

struct rl_config {
	unsigned	max_failures;	/* 1 .. RL_MAX_FAILURES_LIMIT */
	uint64_t	window_ms;	/* 1 .. RL_MAX_DURATION_MS */
	uint64_t	lockout_ms;	/* 1 .. RL_MAX_DURATION_MS */
	size_t		max_entries;	/* 1 .. RL_MAX_ENTRIES_LIMIT */
	int		exempt_loopback; /* 0 (default) or not */
};

struct ratelimit;

/* 10, 60000, 300000, 4096, 0 */
void	rl_config_defaults(struct rl_config *);
/* NULL on a bad config, ENOMEM or no randomness for the hash key */
struct ratelimit *rl_new(const struct rl_config *);
void	rl_free(struct ratelimit *);
/*
 * Live reload: existing entries are kept (their most recent failures, up
 * to the new max_failures, and their lockouts with the end they had).  A
 * smaller max_entries evicts down to it.  The new thresholds apply from
 * the next failure.  -1 if the config is invalid or on ENOMEM, and then
 * nothing has changed.
 */
int	rl_set_config(struct ratelimit *, const struct rl_config *);
/*
 * 0 = may try; otherwise the milliseconds left in the lockout (>= 1).
 * loopback: the source is a loopback address (only matters with
 * exempt_loopback, which then makes this return 0).  Never creates an
 * entry.
 */
uint64_t rl_check(struct ratelimit *, const char *cls, const char *source,
	    int loopback, uint64_t now_ms);
/*
 * Record a failed attempt; returns the same as rl_check() would right
 * after.  A failure during a lockout is not recorded and does not extend
 * it.  With exempt_loopback and loopback set nothing is recorded.  If no
 * entry can be allocated (and none can be evicted) it fails closed and
 * returns lockout_ms.
 */
uint64_t rl_failure(struct ratelimit *, const char *cls, const char *source,
	    int loopback, uint64_t now_ms);
/* a successful attempt: forget the bucket, unless it is locked out */
void	rl_success(struct ratelimit *, const char *cls, const char *source,
	    uint64_t now_ms);
size_t	rl_entries(const struct ratelimit *);
/* ceil(ms / 1000), at least 1: the HTTP Retry-After value */
uint64_t rl_retry_after_sec(uint64_t ms);

#endif
