/*
 * state.c - open a daemon's LMDB environment and keep its start counter
 * (authd, secretd, agentd, execd).  Values are typed: an 8-byte
 * little-endian counter; anything else is reported as corrupt and left
 * untouched.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "state.h"

MDB_env *
state_open(const char *dir, size_t mapsize)
{
	MDB_env	*e;
	int	 r;

	if ((r = mdb_env_create(&e)) != 0)
		fatalx("mdb_env_create: %s", mdb_strerror(r));
	if ((r = mdb_env_set_mapsize(e, mapsize)) != 0 ||
	    (r = mdb_env_set_maxdbs(e, 16)) != 0)
		fatalx("mdb_env_set: %s", mdb_strerror(r));
	if ((r = mdb_env_open(e, dir, MDB_NOTLS, 0600)) != 0)
		fatalx("mdb_env_open %s: %s", dir, mdb_strerror(r));
	return e;
}

MDB_env *
state_open_child(const struct kv *kv, size_t mapsize)
{
	char		 path[1024];
	const char	*root, *db;
	MDB_env		*e;

	root = kv_get(kv, "chroot");
	db = kv_get(kv, "db");
	if (db == NULL || (size_t)snprintf(path, sizeof(path), "%s%s",
	    root ? root : "", db) >= sizeof(path))
		fatalx("no state directory in the configuration");
	e = state_open(path, mapsize);
	log_debug("start %llu", (unsigned long long)state_count_start(e));
	return e;
}

uint64_t
state_count_start(MDB_env *e)
{
	MDB_txn		*t;
	MDB_dbi		 dbi;
	MDB_val		 k, v;
	uint8_t		 b[8];
	uint64_t	 n = 0;
	int		 r, i;

	if ((r = mdb_txn_begin(e, NULL, 0, &t)) != 0)
		fatalx("mdb_txn_begin: %s", mdb_strerror(r));
	if ((r = mdb_dbi_open(t, "meta", MDB_CREATE, &dbi)) != 0)
		fatalx("mdb_dbi_open: %s", mdb_strerror(r));
	k.mv_data = "starts";
	k.mv_size = 6;
	r = mdb_get(t, dbi, &k, &v);
	if (r == 0 && v.mv_size == 8) {
		for (i = 7; i >= 0; i--)
			n = (n << 8) | ((const uint8_t *)v.mv_data)[i];
	} else if (r == 0) {
		log_warnx("state: corrupt start counter (%zu bytes); "
		    "leaving it alone", v.mv_size);
		mdb_txn_abort(t);
		return 0;
	} else if (r != MDB_NOTFOUND)
		fatalx("mdb_get: %s", mdb_strerror(r));
	n++;
	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(n >> (8 * i));
	v.mv_data = b;
	v.mv_size = sizeof(b);
	if ((r = mdb_put(t, dbi, &k, &v, 0)) != 0)
		fatalx("mdb_put: %s", mdb_strerror(r));
	if ((r = mdb_txn_commit(t)) != 0)
		fatalx("mdb_txn_commit: %s", mdb_strerror(r));
	return n;
}

/*
 * A random key of len bytes kept under name in the "meta" database of an
 * open write transaction: read if there, made if not.  A value of another
 * size is corruption: fatal, rather than replace the key and lose
 * everything it protects.
 */
void
state_key(MDB_txn *t, const char *name, uint8_t *key, size_t len)
{
	MDB_dbi	 meta;
	MDB_val	 k, v;
	int	 r;

	if ((r = mdb_dbi_open(t, "meta", MDB_CREATE, &meta)) != 0)
		fatalx("state: %s", mdb_strerror(r));
	k.mv_data = (void *)name;
	k.mv_size = strlen(name);
	r = mdb_get(t, meta, &k, &v);
	if (r == 0 && v.mv_size == len)
		memcpy(key, v.mv_data, len);
	else if (r == MDB_NOTFOUND) {
		randombytes_buf(key, len);
		v.mv_data = key;
		v.mv_size = len;
		if ((r = mdb_put(t, meta, &k, &v, 0)) != 0)
			fatalx("state: %s", mdb_strerror(r));
	} else
		fatalx("state: the %s in the database is corrupt; refusing to "
		    "start rather than lose what it protects", name);
}
