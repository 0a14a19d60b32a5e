/*
 * kv.h - the key/value list that carries each child's part of the boot
 * configuration in IMSG_SETUP_CONFIG (parent builds, children read).
 */
#ifndef CLAWGATE_KV_H
#define CLAWGATE_KV_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

#define KV_MAX		128
#define KV_MAXSTR	1024

struct kv {
	size_t	 n;
	char	*key[KV_MAX];
	char	*val[KV_MAX];
};

void		 kv_init(struct kv *);
void		 kv_clear(struct kv *);
int		 kv_set(struct kv *, const char *, const char *);
int		 kv_setu(struct kv *, const char *, unsigned long long);
const char	*kv_get(const struct kv *, const char *);
/* numeric value, or -1 if missing or not a number in [0, max] */
long long	 kv_getnum(const struct kv *, const char *, long long max);
int		 kv_encode(const struct kv *, struct cbuf *);
int		 kv_decode(struct kv *, const void *, size_t);

#endif
