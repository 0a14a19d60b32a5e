/*
 * tokens.h - shared gateway tokens (trust zone "authd").  authd stores
 * only a keyed hash (HMAC-SHA256 under a key of its own, kept in its LMDB
 * environment) of each token, with an id, a name, scopes and a time.
 */
#ifndef CLAWGATE_TOKENS_H
#define CLAWGATE_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include <cJSON.h>

#define TOKEN_MAXLEN	256

struct token_rec {
	char		id[32];
	char		name[64];
	char		scopes[256];
	uint64_t	created;
};

void	tokens_init(MDB_env *);
/* 0 and the token (printed once, never stored) in out, or -1 */
int	tokens_create(const char *name, const char *scopes, uint64_t now,
	    char *out, size_t outsz, struct token_rec *rec);
/* 1 and the record if the token is known, 0 if not, -1 on error */
int	tokens_verify(const uint8_t *tok, size_t len, struct token_rec *rec);
cJSON	*tokens_list(void);
/* number of tokens removed whose id or name is `which' */
int	tokens_revoke(const char *which);

#endif
