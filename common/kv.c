/*
 * kv.c - encode and decode a child's configuration part (parent and every
 * child).  See kv.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

void
kv_init(struct kv *kv)
{
	memset(kv, 0, sizeof(*kv));
}

void
kv_clear(struct kv *kv)
{
	size_t	 i;

	for (i = 0; i < kv->n; i++) {
		free(kv->key[i]);
		free(kv->val[i]);
	}
	kv->n = 0;
}

int
kv_set(struct kv *kv, const char *k, const char *v)
{
	size_t	 i;
	char	*nv;

	if (strlen(k) >= KV_MAXSTR || strlen(v) >= KV_MAXSTR)
		return -1;
	for (i = 0; i < kv->n; i++)
		if (strcmp(kv->key[i], k) == 0) {
			if ((nv = strdup(v)) == NULL)
				return -1;
			free(kv->val[i]);
			kv->val[i] = nv;
			return 0;
		}
	if (kv->n >= KV_MAX)
		return -1;
	if ((kv->key[kv->n] = strdup(k)) == NULL)
		return -1;
	if ((kv->val[kv->n] = strdup(v)) == NULL) {
		free(kv->key[kv->n]);
		return -1;
	}
	kv->n++;
	return 0;
}

int
kv_setu(struct kv *kv, const char *k, unsigned long long v)
{
	char	 buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	return kv_set(kv, k, buf);
}

const char *
kv_get(const struct kv *kv, const char *k)
{
	size_t	 i;

	for (i = 0; i < kv->n; i++)
		if (strcmp(kv->key[i], k) == 0)
			return kv->val[i];
	return NULL;
}

long long
kv_getnum(const struct kv *kv, const char *k, long long max)
{
	const char	*s = kv_get(kv, k);
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > max)
		return -1;
	return v;
}

int
kv_encode(const struct kv *kv, struct cbuf *cb)
{
	size_t	 i;

	cb_put_u32(cb, (uint32_t)kv->n);
	for (i = 0; i < kv->n; i++) {
		cb_put_str(cb, kv->key[i]);
		cb_put_str(cb, kv->val[i]);
	}
	return cb->err ? -1 : 0;
}

int
kv_decode(struct kv *kv, const void *p, size_t len)
{
	struct cbuf	 cb;
	uint32_t	 n, i;
	char		 k[KV_MAXSTR], v[KV_MAXSTR];

	kv_init(kv);
	cb_view(&cb, p, len);
	if (cb_get_u32(&cb, &n) == -1 || n > KV_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (cb_get_str(&cb, k, sizeof(k)) == -1 ||
		    cb_get_str(&cb, v, sizeof(v)) == -1 ||
		    kv_set(kv, k, v) == -1) {
			kv_clear(kv);
			return -1;
		}
	}
	if (cb_get_end(&cb) == -1) {
		kv_clear(kv);
		return -1;
	}
	return 0;
}
