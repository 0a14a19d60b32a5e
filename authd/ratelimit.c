/*
 * ratelimit.c - the failed-authentication rate limiter (trust zone
 * "authd"; invariant 5 of the design).  See ratelimit.h.
 *
 * An entry is a bucket: its key (class, source), a ring holding the times
 * of its last max_failures failures, and, while locked, the end of its
 * lockout.  The failures within the window reach max_failures exactly when
 * the oldest time in a full ring is younger than window_ms, so the sliding
 * window is exact with max_failures timestamps.  Locking clears the ring;
 * an entry whose lockout has ended is forgotten on its next use, so the
 * source starts afresh.  rl_check() never creates an entry.
 *
 * Entries live in a hash table (SipHash-2-4 under a random key, so that
 * sources chosen by an attacker do not pile into one chain; at most one
 * entry per bucket on average) and in exactly one of two queues:
 *
 *	lru	unlocked entries, by their latest failure, oldest first
 *	locked	locked entries, by the end of their lockout, earliest first
 *
 * With max_entries entries present, a new one takes the place of, in this
 * order: the head of lru if it is idle (no failure within the window: if
 * any unlocked entry is idle, the head is), the head of locked if its
 * lockout has ended, the head of lru (the least recently used unlocked
 * entry), and only when no entry is unlocked the head of locked (the
 * lockout that ends first).  Each is O(1); a lock is inserted into its
 * queue from the tail, which is O(1) unless lockout_ms was lowered by a
 * reload.  So a flood of distinct sources never grows the table past
 * max_entries and never evicts a lockout while an unlocked entry exists.
 */
#include <sys/queue.h>
#include <sys/random.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ratelimit.h"

#define RL_MIN_BUCKETS	16

struct rl_entry {
	LIST_ENTRY(rl_entry)	 hlink;
	TAILQ_ENTRY(rl_entry)	 qlink;
	uint64_t		 hash;
	uint64_t		 locked_until;
	int			 locked;
	uint64_t		*ring;		/* max_failures times */
	unsigned		 head;		/* oldest */
	unsigned		 count;
	size_t			 cls_len;
	size_t			 src_len;
	char			 cls[RL_CLS_MAX + 1];
	char			 src[RL_SOURCE_MAX + 1];
};

LIST_HEAD(rl_chain, rl_entry);
TAILQ_HEAD(rl_queue, rl_entry);

struct ratelimit {
	struct rl_config	 cfg;
	struct rl_chain		*chains;
	size_t			 nchains;	/* a power of two */
	size_t			 nentries;
	struct rl_queue		 lru;
	struct rl_queue		 locked;
	uint64_t		 last_now;	/* latest now_ms seen */
	uint8_t			 key[16];
};

struct rl_key {
	const char	*cls;
	size_t		 cls_len;
	const char	*src;
	size_t		 src_len;
	uint64_t	 hash;
};

/* ---- SipHash-2-4 ---- */

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
le64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t
siphash24(const uint8_t key[16], const uint8_t *in, size_t len)
{
	uint64_t	 k0 = le64(key), k1 = le64(key + 8), m, b;
	uint64_t	 v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t	 v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t	 v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t	 v3 = 0x7465646279746573ULL ^ k1;
	const uint8_t	*end = in + (len - len % 8);
	size_t		 i;

	for (; in != end; in += 8) {
		m = le64(in);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	b = (uint64_t)len << 56;
	for (i = 0; i < len % 8; i++)
		b |= (uint64_t)in[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- helpers ---- */

static int
config_valid(const struct rl_config *c)
{
	if (c == NULL)
		return 0;
	if (c->max_failures == 0 || c->max_failures > RL_MAX_FAILURES_LIMIT)
		return 0;
	if (c->window_ms == 0 || c->window_ms > RL_MAX_DURATION_MS)
		return 0;
	if (c->lockout_ms == 0 || c->lockout_ms > RL_MAX_DURATION_MS)
		return 0;
	if (c->max_entries == 0 || c->max_entries > RL_MAX_ENTRIES_LIMIT)
		return 0;
	return 1;
}

static size_t
chains_for(size_t max_entries)
{
	size_t	n = RL_MIN_BUCKETS;

	while (n < max_entries)
		n <<= 1;
	return n;
}

/* how long ago t was; a time in the future counts as now */
static uint64_t
age(uint64_t t, uint64_t now)
{
	return now > t ? now - t : 0;
}

static void
seen(struct ratelimit *rl, uint64_t now)
{
	if (now > rl->last_now)
		rl->last_now = now;
}

/* -1 on a NULL or over-long key: the callers fail closed */
static int
key_make(const struct ratelimit *rl, const char *cls, const char *src,
    struct rl_key *k)
{
	uint8_t	buf[RL_CLS_MAX + 1 + RL_SOURCE_MAX];

	if (cls == NULL || src == NULL)
		return -1;
	if ((k->cls_len = strnlen(cls, RL_CLS_MAX + 1)) > RL_CLS_MAX)
		return -1;
	if ((k->src_len = strnlen(src, RL_SOURCE_MAX + 1)) > RL_SOURCE_MAX)
		return -1;
	k->cls = cls;
	k->src = src;
	/* the class holds no NUL, so "cls\0src" is unambiguous */
	memcpy(buf, cls, k->cls_len);
	buf[k->cls_len] = '\0';
	memcpy(buf + k->cls_len + 1, src, k->src_len);
	k->hash = siphash24(rl->key, buf, k->cls_len + 1 + k->src_len);
	return 0;
}

static struct rl_entry *
lookup(const struct ratelimit *rl, const struct rl_key *k)
{
	struct rl_entry	*e;

	LIST_FOREACH(e, &rl->chains[k->hash & (rl->nchains - 1)], hlink) {
		if (e->hash == k->hash && e->cls_len == k->cls_len &&
		    e->src_len == k->src_len &&
		    memcmp(e->cls, k->cls, k->cls_len) == 0 &&
		    memcmp(e->src, k->src, k->src_len) == 0)
			return e;
	}
	return NULL;
}

static void
entry_unlink(struct ratelimit *rl, struct rl_entry *e)
{
	LIST_REMOVE(e, hlink);
	if (e->locked)
		TAILQ_REMOVE(&rl->locked, e, qlink);
	else
		TAILQ_REMOVE(&rl->lru, e, qlink);
	rl->nentries--;
}

static void
entry_drop(struct ratelimit *rl, struct rl_entry *e)
{
	entry_unlink(rl, e);
	free(e->ring);
	free(e);
}

static int
entry_idle(const struct ratelimit *rl, const struct rl_entry *e,
    uint64_t now)
{
	unsigned	newest;

	if (e->count == 0)
		return 1;
	newest = (e->head + e->count - 1) % rl->cfg.max_failures;
	return age(e->ring[newest], now) >= rl->cfg.window_ms;
}

/* the entry to give up when the table is full; see the top of the file */
static struct rl_entry *
victim(const struct ratelimit *rl, uint64_t now)
{
	struct rl_entry	*u, *l;

	u = TAILQ_FIRST(&rl->lru);
	l = TAILQ_FIRST(&rl->locked);
	if (u != NULL && entry_idle(rl, u, now))
		return u;
	if (l != NULL && l->locked_until <= now)
		return l;
	if (u != NULL)
		return u;
	return l;
}

/* a fresh unlocked entry at the tail of lru, or NULL on ENOMEM */
static struct rl_entry *
entry_new(struct ratelimit *rl, const struct rl_key *k, uint64_t now)
{
	struct rl_entry	*e = NULL;

	if (rl->nentries < rl->cfg.max_entries) {
		if ((e = calloc(1, sizeof(*e))) != NULL &&
		    (e->ring = calloc(rl->cfg.max_failures,
		    sizeof(*e->ring))) == NULL) {
			free(e);
			e = NULL;
		}
		if (e == NULL && rl->nentries == 0)
			return NULL;
		if (e == NULL)
			log_warnx("ratelimit: out of memory, evicting");
	}
	if (e == NULL) {
		/* reuse the victim; its ring has max_failures slots */
		e = victim(rl, now);
		entry_unlink(rl, e);
	}
	e->hash = k->hash;
	e->locked = 0;
	e->locked_until = 0;
	e->head = e->count = 0;
	e->cls_len = k->cls_len;
	e->src_len = k->src_len;
	memcpy(e->cls, k->cls, k->cls_len);
	e->cls[k->cls_len] = '\0';
	memcpy(e->src, k->src, k->src_len);
	e->src[k->src_len] = '\0';
	LIST_INSERT_HEAD(&rl->chains[k->hash & (rl->nchains - 1)], e, hlink);
	TAILQ_INSERT_TAIL(&rl->lru, e, qlink);
	rl->nentries++;
	return e;
}

static void
ring_push(const struct ratelimit *rl, struct rl_entry *e, uint64_t now)
{
	unsigned	cap = rl->cfg.max_failures;

	if (e->count < cap)
		e->ring[(e->head + e->count++) % cap] = now;
	else {
		e->ring[e->head] = now;
		e->head = (e->head + 1) % cap;
	}
}

static void
entry_lock(struct ratelimit *rl, struct rl_entry *e, uint64_t now)
{
	struct rl_entry	*p;

	TAILQ_REMOVE(&rl->lru, e, qlink);
	e->locked = 1;
	if (now > UINT64_MAX - rl->cfg.lockout_ms)
		e->locked_until = UINT64_MAX;
	else
		e->locked_until = now + rl->cfg.lockout_ms;
	e->head = e->count = 0;
	/* keep the queue sorted by end; new locks usually end last */
	p = TAILQ_LAST(&rl->locked, rl_queue);
	while (p != NULL && p->locked_until > e->locked_until)
		p = TAILQ_PREV(p, rl_queue, qlink);
	if (p != NULL)
		TAILQ_INSERT_AFTER(&rl->locked, p, e, qlink);
	else
		TAILQ_INSERT_HEAD(&rl->locked, e, qlink);
}

/* ---- API ---- */

void
rl_config_defaults(struct rl_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_failures = 10;
	c->window_ms = 60000;
	c->lockout_ms = 300000;
	c->max_entries = 4096;
	c->exempt_loopback = 0;
}

struct ratelimit *
rl_new(const struct rl_config *cfg)
{
	struct ratelimit	*rl;
	ssize_t			 n;
	size_t			 i;

	if (!config_valid(cfg))
		return NULL;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return NULL;
	do
		n = getrandom(rl->key, sizeof(rl->key), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(rl->key)) {
		log_warn("ratelimit: getrandom");
		free(rl);
		return NULL;
	}
	rl->nchains = chains_for(cfg->max_entries);
	if ((rl->chains = calloc(rl->nchains, sizeof(*rl->chains))) == NULL) {
		free(rl);
		return NULL;
	}
	for (i = 0; i < rl->nchains; i++)
		LIST_INIT(&rl->chains[i]);
	TAILQ_INIT(&rl->lru);
	TAILQ_INIT(&rl->locked);
	rl->cfg = *cfg;
	rl->cfg.exempt_loopback = cfg->exempt_loopback != 0;
	return rl;
}

void
rl_free(struct ratelimit *rl)
{
	struct rl_entry	*e;

	if (rl == NULL)
		return;
	while ((e = TAILQ_FIRST(&rl->lru)) != NULL)
		entry_drop(rl, e);
	while ((e = TAILQ_FIRST(&rl->locked)) != NULL)
		entry_drop(rl, e);
	free(rl->chains);
	explicit_bzero(rl->key, sizeof(rl->key));
	free(rl);
}

/* copy the newest min(count, cap) times of e into ring, oldest first */
static void
ring_move(const struct ratelimit *rl, struct rl_entry *e, uint64_t *ring,
    unsigned cap)
{
	unsigned	oldcap = rl->cfg.max_failures, keep, skip, i;

	keep = e->count < cap ? e->count : cap;
	skip = e->count - keep;
	for (i = 0; i < keep; i++)
		ring[i] = e->ring[(e->head + skip + i) % oldcap];
	free(e->ring);
	e->ring = ring;
	e->head = 0;
	e->count = keep;
}

int
rl_set_config(struct ratelimit *rl, const struct rl_config *cfg)
{
	struct rl_chain	*chains = NULL;
	struct rl_entry	*e;
	uint64_t	**rings = NULL;
	size_t		  nchains, n = 0, i;

	if (rl == NULL || !config_valid(cfg))
		return -1;

	/* allocate everything first, so that a failure changes nothing */
	nchains = chains_for(cfg->max_entries);
	if (nchains != rl->nchains) {
		if ((chains = calloc(nchains, sizeof(*chains))) == NULL)
			return -1;
	}
	if (cfg->max_failures != rl->cfg.max_failures && rl->nentries > 0) {
		if ((rings = calloc(rl->nentries, sizeof(*rings))) == NULL)
			goto fail;
		for (n = 0; n < rl->nentries; n++) {
			if ((rings[n] = calloc(cfg->max_failures,
			    sizeof(**rings))) == NULL)
				goto fail;
		}
	}

	if (rings != NULL) {
		i = 0;
		TAILQ_FOREACH(e, &rl->lru, qlink)
			ring_move(rl, e, rings[i++], cfg->max_failures);
		TAILQ_FOREACH(e, &rl->locked, qlink)
			ring_move(rl, e, rings[i++], cfg->max_failures);
		while (i < n)		/* none: n == nentries */
			free(rings[i++]);
		free(rings);
	}
	rl->cfg = *cfg;
	rl->cfg.exempt_loopback = cfg->exempt_loopback != 0;
	while (rl->nentries > rl->cfg.max_entries)
		entry_drop(rl, victim(rl, rl->last_now));
	if (chains != NULL) {
		for (i = 0; i < nchains; i++)
			LIST_INIT(&chains[i]);
		/* the old chains are dropped whole, not unlinked */
		TAILQ_FOREACH(e, &rl->lru, qlink)
			LIST_INSERT_HEAD(&chains[e->hash & (nchains - 1)], e,
			    hlink);
		TAILQ_FOREACH(e, &rl->locked, qlink)
			LIST_INSERT_HEAD(&chains[e->hash & (nchains - 1)], e,
			    hlink);
		free(rl->chains);
		rl->chains = chains;
		rl->nchains = nchains;
	}
	return 0;

 fail:
	if (rings != NULL) {
		for (i = 0; i < n; i++)
			free(rings[i]);
		free(rings);
	}
	free(chains);
	return -1;
}

uint64_t
rl_check(struct ratelimit *rl, const char *cls, const char *source,
    int loopback, uint64_t now_ms)
{
	struct rl_key	 k;
	struct rl_entry	*e;

	if (key_make(rl, cls, source, &k) == -1)
		return rl->cfg.lockout_ms;
	seen(rl, now_ms);
	if (rl->cfg.exempt_loopback && loopback)
		return 0;
	if ((e = lookup(rl, &k)) == NULL || !e->locked)
		return 0;
	if (now_ms < e->locked_until)
		return e->locked_until - now_ms;
	entry_drop(rl, e);	/* the lockout is over: start afresh */
	return 0;
}

uint64_t
rl_failure(struct ratelimit *rl, const char *cls, const char *source,
    int loopback, uint64_t now_ms)
{
	struct rl_key	 k;
	struct rl_entry	*e;

	if (key_make(rl, cls, source, &k) == -1)
		return rl->cfg.lockout_ms;
	seen(rl, now_ms);
	if (rl->cfg.exempt_loopback && loopback)
		return 0;
	if ((e = lookup(rl, &k)) != NULL && e->locked) {
		if (now_ms < e->locked_until)
			return e->locked_until - now_ms;
		entry_drop(rl, e);
		e = NULL;
	}
	if (e == NULL) {
		if ((e = entry_new(rl, &k, now_ms)) == NULL) {
			log_warnx("ratelimit: out of memory, refusing");
			return rl->cfg.lockout_ms;
		}
	} else {
		TAILQ_REMOVE(&rl->lru, e, qlink);
		TAILQ_INSERT_TAIL(&rl->lru, e, qlink);
	}
	ring_push(rl, e, now_ms);
	if (e->count == rl->cfg.max_failures &&
	    age(e->ring[e->head], now_ms) < rl->cfg.window_ms)
		entry_lock(rl, e, now_ms);
	if (e->locked && now_ms < e->locked_until)
		return e->locked_until - now_ms;
	return 0;
}

void
rl_success(struct ratelimit *rl, const char *cls, const char *source,
    uint64_t now_ms)
{
	struct rl_key	 k;
	struct rl_entry	*e;

	if (key_make(rl, cls, source, &k) == -1)
		return;
	seen(rl, now_ms);
	if ((e = lookup(rl, &k)) == NULL)
		return;
	if (e->locked && now_ms < e->locked_until)
		return;		/* no reset during a lockout */
	entry_drop(rl, e);
}

size_t
rl_entries(const struct ratelimit *rl)
{
	return rl->nentries;
}

uint64_t
rl_retry_after_sec(uint64_t ms)
{
	uint64_t	s = ms / 1000 + (ms % 1000 != 0);

	return s > 0 ? s : 1;
}
