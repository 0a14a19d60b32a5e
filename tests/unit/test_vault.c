/*
 * test_vault.c - unit tests of secretd's vault (secretd/vault.c) on a
 * real LMDB environment: values round-trip; a record altered on disk,
 * moved to another name, or opened with another master key is reported
 * as corrupt and never returned; the key file's rules.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "secretd.h"
#include "state.h"

static MDB_env	*env;
static char	 dir[64], key[96];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/clawgate-vault.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(key, sizeof(key), "%s/vault.key", dir);
	env = state_open(dir, 16 * 1024 * 1024);
	/* no key file yet: the vault makes one, root-only */
	vault_init(env, key);
	return 0;
}

static int
teardown(void **state)
{
	char	 cmd[128];

	(void)state;
	mdb_env_close(env);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
test_round_trip(void **state)
{
	struct stat	 st;
	uint8_t		*v;
	size_t		 len;
	const char	*err = NULL;

	(void)state;
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	assert_true(vault_enabled());
	assert_int_equal(vault_put("API_KEY", (const uint8_t *)"sk-123", 6,
	    &err), 0);
	assert_int_equal(vault_get("API_KEY", &v, &len, &err), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(v, "sk-123", 6);
	sodium_free(v);
	assert_int_equal(vault_get("NOPE", &v, &len, &err), 1);
	assert_int_equal(vault_del("API_KEY"), 1);
	assert_int_equal(vault_del("API_KEY"), 0);
	assert_int_equal(vault_get("API_KEY", &v, &len, &err), 1);
}

/* overwrite the stored record of `name' with `rec' */
static void
poke(const char *name, const void *rec, size_t len)
{
	MDB_txn	*t;
	MDB_dbi	 dbi;
	MDB_val	 k, v;

	assert_int_equal(mdb_txn_begin(env, NULL, 0, &t), 0);
	assert_int_equal(mdb_dbi_open(t, "vault", 0, &dbi), 0);
	k.mv_data = (void *)name;
	k.mv_size = strlen(name);
	v.mv_data = (void *)rec;
	v.mv_size = len;
	assert_int_equal(mdb_put(t, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(t), 0);
}

static size_t
peek(const char *name, uint8_t *out, size_t outsz)
{
	MDB_txn	*t;
	MDB_dbi	 dbi;
	MDB_val	 k, v;

	assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &t), 0);
	assert_int_equal(mdb_dbi_open(t, "vault", 0, &dbi), 0);
	k.mv_data = (void *)name;
	k.mv_size = strlen(name);
	assert_int_equal(mdb_get(t, dbi, &k, &v), 0);
	assert_true(v.mv_size <= outsz);
	memcpy(out, v.mv_data, v.mv_size);
	mdb_txn_abort(t);
	return v.mv_size;
}

static void
test_tampered(void **state)
{
	uint8_t		 rec[256], *v;
	size_t		 n, len, i;
	const char	*err = NULL;

	(void)state;
	assert_int_equal(vault_put("TOKEN", (const uint8_t *)"secret-value",
	    12, &err), 0);
	n = peek("TOKEN", rec, sizeof(rec));
	/* every byte of the ciphertext and tag, and the nonce, matters */
	for (i = 17; i < n; i++) {
		rec[i] ^= 0x01;
		poke("TOKEN", rec, n);
		err = NULL;
		assert_int_equal(vault_get("TOKEN", &v, &len, &err), -1);
		assert_null(v);
		assert_string_equal(err, "the vault record is corrupt");
		rec[i] ^= 0x01;
	}
	poke("TOKEN", rec, n);
	assert_int_equal(vault_get("TOKEN", &v, &len, &err), 0);
	sodium_free(v);
	/* a record moved under another name does not open there */
	poke("OTHER", rec, n);
	assert_int_equal(vault_get("OTHER", &v, &len, &err), -1);
	/* truncated, or of an unknown version */
	poke("SHORT", rec, 20);
	assert_int_equal(vault_get("SHORT", &v, &len, &err), -1);
	rec[0] = 9;
	poke("VERSION", rec, n);
	assert_int_equal(vault_get("VERSION", &v, &len, &err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tampered, setup, teardown),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
