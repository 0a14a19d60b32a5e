/*
 * state.h - each daemon's own LMDB environment (invariant 7), opened in
 * its state directory before the privilege drop (authd, secretd, agentd,
 * execd).  For now it records how often the daemon started.
 */
#ifndef CLAWGATE_STATE_H
#define CLAWGATE_STATE_H

#include <stdint.h>

#include <lmdb.h>

#include "kv.h"

MDB_env	*state_open(const char *dir, size_t mapsize);
/* the "db" directory of the configuration, under "chroot" if set; also
 * counts the start */
MDB_env	*state_open_child(const struct kv *, size_t mapsize);
/* increments and returns the "starts" counter; committed durably */
uint64_t state_count_start(MDB_env *);
void	state_key(MDB_txn *, const char *name, uint8_t *key, size_t len);

#endif
