/*
 * keys.c - model and channel credentials fetched from secretd (trust
 * zone "agentd").  agentd asks secretd for the value of a reference on
 * its agentd edge (SECRET_FETCH); secretd answers only for references
 * the boot configuration marks `outbound'.  A value is kept in
 * sodium_malloc'd memory for at most models.keyCacheMs, then wiped; it
 * is never logged, never put in an error, never in the transcript.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agentd.h"
#include "log.h"
#include "msgtypes.h"

#define KEYS_MAX	32
#define WAIT_MAX	64

struct cached {
	char		 ref[400];
	char		*val;		/* sodium_malloc'd */
	size_t		 len;
	uint64_t	 until;
};

struct waiter {
	TAILQ_ENTRY(waiter)	 entry;
	uint64_t		 id;
	char			 ref[400];
	unsigned		 cache_ms;
	key_cb			 cb;
	void			*arg;
};

static struct cached		 cache[KEYS_MAX];
static TAILQ_HEAD(, waiter)	 waiters = TAILQ_HEAD_INITIALIZER(waiters);
static uint64_t			 next_id;

static struct cached *
cache_find(const char *ref, uint64_t now)
{
	int	 i;

	for (i = 0; i < KEYS_MAX; i++) {
		if (cache[i].val != NULL && cache[i].until <= now) {
			sodium_free(cache[i].val);
			cache[i].val = NULL;
		}
		if (cache[i].val != NULL && strcmp(cache[i].ref, ref) == 0)
			return &cache[i];
	}
	return NULL;
}

static void
cache_put(const char *ref, const uint8_t *v, size_t len, unsigned ms)
{
	struct cached	*c = NULL;
	int		 i;

	if (ms == 0)
		return;
	for (i = 0; i < KEYS_MAX && c == NULL; i++)
		if (cache[i].val == NULL)
			c = &cache[i];
	if (c == NULL)
		return;		/* full: fetch next time */
	if ((c->val = sodium_malloc(len + 1)) == NULL)
		fatalx("sodium_malloc");
	memcpy(c->val, v, len);
	c->val[len] = '\0';
	c->len = len;
	snprintf(c->ref, sizeof(c->ref), "%s", ref);
	c->until = now_ms() + ms;
	sodium_mprotect_readonly(c->val);
}

void
keys_fetch(const char *ref, unsigned cache_ms, key_cb cb, void *arg)
{
	struct cached	*c;
	struct waiter	*w;
	struct cbuf	 out;
	int		 n = 0;

	if ((c = cache_find(ref, now_ms())) != NULL) {
		cb(arg, c->val, c->len, NULL);
		return;
	}
	TAILQ_FOREACH(w, &waiters, entry)
		n++;
	if (n >= WAIT_MAX || strlen(ref) >= sizeof(w->ref)) {
		cb(arg, NULL, 0, "too many credential requests in flight");
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		fatalx("out of memory");
	w->id = ++next_id;
	snprintf(w->ref, sizeof(w->ref), "%s", ref);
	w->cache_ms = cache_ms;
	w->cb = cb;
	w->arg = arg;
	TAILQ_INSERT_TAIL(&waiters, w, entry);
	cb_init(&out);
	cb_put_u64(&out, w->id);
	cb_put_str(&out, ref);
	if (child_send_peer(ROLE_SECRETD, IMSG_SECRET_FETCH, 0, -1, &out) ==
	    -1) {
		TAILQ_REMOVE(&waiters, w, entry);
		free(w);
		cb(arg, NULL, 0, "secretd is not available");
	}
	cb_free(&out);
}

/* IMSG_SECRET_VALUE: u64 id, u8 ok, bytes value | str error */
void
keys_value(struct imsg *imsg)
{
	struct waiter	*w;
	struct cbuf	 cb;
	const uint8_t	*v = NULL;
	char		*copy, err[256];
	uint64_t	 id;
	uint8_t		 ok;
	size_t		 len = 0;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &id);
	cb_get_u8(&cb, &ok);
	if (ok == 1)
		cb_get_bytes(&cb, &v, &len, 65536);
	else
		cb_get_str(&cb, err, sizeof(err));
	if (cb_get_end(&cb) == -1 || ok > 1)
		fatalx("malformed SECRET_VALUE from secretd");
	TAILQ_FOREACH(w, &waiters, entry)
		if (w->id == id)
			break;
	if (w == NULL) {
		sodium_memzero(imsg->data, imsg->datalen);
		return;
	}
	TAILQ_REMOVE(&waiters, w, entry);
	if (ok) {
		if ((copy = sodium_malloc(len + 1)) == NULL)
			fatalx("sodium_malloc");
		memcpy(copy, v, len);
		copy[len] = '\0';
		cache_put(w->ref, v, len, w->cache_ms);
		w->cb(w->arg, copy, len, NULL);
		sodium_free(copy);
	} else
		w->cb(w->arg, NULL, 0, err);
	/* the received frame held it too */
	sodium_memzero(imsg->data, imsg->datalen);
	free(w);
}

void
keys_peer_down(void)
{
	struct waiter	*w;

	while ((w = TAILQ_FIRST(&waiters)) != NULL) {
		TAILQ_REMOVE(&waiters, w, entry);
		w->cb(w->arg, NULL, 0, "secretd restarted");
		free(w);
	}
}
