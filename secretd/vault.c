/*
 * vault.c - secretd's encrypted vault and its sealing keys (trust zone
 * "secretd").  See secretd.h.
 *
 * A record is  u8 version | u64 created | u64 updated | 24-byte nonce |
 * XChaCha20-Poly1305 ciphertext, keyed by the name, with
 * "clawgate-vault-v1|<name>" as associated data: a record moved to
 * another name, or altered, does not open, and is reported as corrupt,
 * never returned.  The master key is 32 bytes (raw, or 64 hex digits) in
 * a root-owned file that nobody else may read; secretd reads it at start,
 * before it drops privileges, and creates it if it does not exist (or
 * from systemd's credential directory, which it never writes).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "codec.h"
#include "log.h"
#include "msgtypes.h"
#include "secretd.h"

#define VAULT_VERSION	1
#define VAULT_AD	"clawgate-vault-v1|"
#define HDRLEN		(1 + 8 + 8 + \
			crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)

static MDB_env	*env;
static MDB_dbi	 dbi;
static uint8_t	*mkey;		/* sodium_malloc'd, read-only */
static uint8_t	*box_sk;	/* sodium_malloc'd */
static uint8_t	 box_pk[crypto_box_PUBLICKEYBYTES];

static int
read_key(int fd, uint8_t *key)
{
	char	 buf[80];
	ssize_t	 n;
	size_t	 len;

	n = read(fd, buf, sizeof(buf));
	if (n == crypto_aead_xchacha20poly1305_ietf_KEYBYTES) {
		memcpy(key, buf, (size_t)n);
		sodium_memzero(buf, sizeof(buf));
		return 0;
	}
	len = n > 0 ? (size_t)n : 0;
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len != 2 * crypto_aead_xchacha20poly1305_ietf_KEYBYTES ||
	    sodium_hex2bin(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	    buf, len, NULL, NULL, NULL) != 0) {
		sodium_memzero(buf, sizeof(buf));
		return -1;
	}
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

static void
create_key(const char *path, uint8_t *key)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		fatal("vault key %s", path);
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	if (write(fd, key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES) !=
	    crypto_aead_xchacha20poly1305_ietf_KEYBYTES || fsync(fd) == -1 ||
	    close(fd) == -1)
		fatal("vault key %s", path);
	log_info("vault: created a new master key in %s", path);
}

void
vault_init(MDB_env *e, const char *keyfile)
{
	struct stat	 st;
	MDB_txn		*t;
	const char	*cred;
	char		 path[PATH_MAX];
	int		 fd, r;

	env = e;
	if (keyfile == NULL)
		return;
	if ((mkey = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES))
	    == NULL)
		fatalx("sodium_malloc");
	if (strncmp(keyfile, "credential:", 11) == 0) {
		/* systemd made it; it is never created here */
		cred = getenv("CREDENTIALS_DIRECTORY");
		if (cred == NULL || (size_t)snprintf(path, sizeof(path),
		    "%s/%s", cred, keyfile + 11) >= sizeof(path))
			fatalx("vault key: credential %s: no "
			    "$CREDENTIALS_DIRECTORY", keyfile + 11);
		keyfile = path;
		if ((fd = open(keyfile, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC)) == -1)
			fatal("vault key %s", keyfile);
	} else
		fd = open(keyfile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT)
			fatal("vault key %s", keyfile);
		create_key(keyfile, mkey);
	} else {
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
		    st.st_uid != 0 || (st.st_mode & 077))
			fatalx("vault key %s: refused: must be a regular file "
			    "owned by root that nobody else may read", keyfile);
		if (read_key(fd, mkey) == -1)
			fatalx("vault key %s: expected 32 bytes or 64 hex "
			    "digits", keyfile);
		close(fd);
	}
	sodium_mprotect_readonly(mkey);
	if ((r = mdb_txn_begin(env, NULL, 0, &t)) != 0 ||
	    (r = mdb_dbi_open(t, "vault", MDB_CREATE, &dbi)) != 0 ||
	    (r = mdb_txn_commit(t)) != 0)
		fatalx("vault: %s", mdb_strerror(r));
}

int
vault_enabled(void)
{
	return mkey != NULL;
}

static void
ad_of(const char *name, char *ad, size_t adsz)
{
	snprintf(ad, adsz, "%s%s", VAULT_AD, name);
}

int
vault_get(const char *name, uint8_t **value, size_t *len, const char **err)
{
	MDB_txn			*t;
	MDB_val			 k, v;
	char			 ad[200];
	const uint8_t		*p;
	unsigned long long	 mlen;
	int			 r;

	*value = NULL;
	*len = 0;
	if (mkey == NULL) {
		*err = "the vault is not configured (secrets vault-key)";
		return -1;
	}
	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &t) != 0) {
		*err = "vault unavailable";
		return -1;
	}
	k.mv_data = (void *)name;
	k.mv_size = strlen(name);
	if ((r = mdb_get(t, dbi, &k, &v)) == MDB_NOTFOUND) {
		mdb_txn_abort(t);
		return 1;
	}
	p = v.mv_data;
	if (r != 0 || v.mv_size < HDRLEN +
	    crypto_aead_xchacha20poly1305_ietf_ABYTES ||
	    p[0] != VAULT_VERSION || v.mv_size - HDRLEN > SD_VALUE_MAX +
	    crypto_aead_xchacha20poly1305_ietf_ABYTES) {
		mdb_txn_abort(t);
		*err = "the vault record is corrupt";
		log_warnx("vault: record %s is corrupt; left alone", name);
		return -1;
	}
	if ((*value = sodium_malloc(v.mv_size - HDRLEN + 1)) == NULL)
		fatalx("sodium_malloc");
	ad_of(name, ad, sizeof(ad));
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(*value, &mlen, NULL,
	    p + HDRLEN, v.mv_size - HDRLEN, (const uint8_t *)ad, strlen(ad),
	    p + 17, mkey) != 0) {
		mdb_txn_abort(t);
		sodium_free(*value);
		*value = NULL;
		*err = "the vault record is corrupt";
		log_warnx("vault: record %s does not open (altered, or another "
		    "key); left alone", name);
		return -1;
	}
	mdb_txn_abort(t);
	(*value)[mlen] = '\0';
	*len = (size_t)mlen;
	return 0;
}

static uint64_t
get_u64le(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void
put_u64le(uint8_t *p, uint64_t v)
{
	int	 i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int
vault_put(const char *name, const uint8_t *value, size_t len,
    const char **err)
{
	MDB_txn		*t;
	MDB_val		 k, v, old;
	uint8_t		*rec;
	char		 ad[200];
	uint64_t	 now = (uint64_t)time(NULL), created = now;
	size_t		 reclen;
	int		 r;

	if (mkey == NULL) {
		*err = "the vault is not configured (secrets vault-key)";
		return -1;
	}
	if (len > SD_VALUE_MAX) {
		*err = "value too long (32 KiB at most)";
		return -1;
	}
	reclen = HDRLEN + len + crypto_aead_xchacha20poly1305_ietf_ABYTES;
	if ((rec = malloc(reclen)) == NULL)
		fatalx("out of memory");
	if (mdb_txn_begin(env, NULL, 0, &t) != 0) {
		free(rec);
		*err = "vault unavailable";
		return -1;
	}
	k.mv_data = (void *)name;
	k.mv_size = strlen(name);
	if (mdb_get(t, dbi, &k, &old) == 0 && old.mv_size >= HDRLEN &&
	    ((const uint8_t *)old.mv_data)[0] == VAULT_VERSION)
		created = get_u64le((const uint8_t *)old.mv_data + 1);
	rec[0] = VAULT_VERSION;
	put_u64le(rec + 1, created);
	put_u64le(rec + 9, now);
	randombytes_buf(rec + 17, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	ad_of(name, ad, sizeof(ad));
	crypto_aead_xchacha20poly1305_ietf_encrypt(rec + HDRLEN, NULL, value,
	    len, (const uint8_t *)ad, strlen(ad), NULL, rec + 17, mkey);
	v.mv_data = rec;
	v.mv_size = reclen;
	r = mdb_put(t, dbi, &k, &v, 0);
	free(rec);
	if (r != 0) {
		mdb_txn_abort(t);
		*err = "could not store the value";
		return -1;
	}
	/* acknowledged only once durable */
	if (mdb_txn_commit(t) != 0) {
		*err = "could not store the value";
		return -1;
	}
	return 0;
}

int
vault_del(const char *name)
{
	MDB_txn	*t;
	MDB_val	 k;
	int	 r;

	if (mkey == NULL || mdb_txn_begin(env, NULL, 0, &t) != 0)
		return -1;
	k.mv_data = (void *)name;
	k.mv_size = strlen(name);
	if ((r = mdb_del(t, dbi, &k, NULL)) != 0) {
		mdb_txn_abort(t);
		return r == MDB_NOTFOUND ? 0 : -1;
	}
	return mdb_txn_commit(t) == 0 ? 1 : -1;
}

cJSON *
vault_list(void)
{
	MDB_txn		*t;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	cJSON		*arr = cJSON_CreateArray(), *o;
	char		 name[200];
	const uint8_t	*p;

	if (mkey == NULL || mdb_txn_begin(env, NULL, MDB_RDONLY, &t) != 0)
		return arr;
	if (mdb_cursor_open(t, dbi, &cur) == 0) {
		while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
			o = cJSON_CreateObject();
			snprintf(name, sizeof(name), "%.*s", (int)(k.mv_size <
			    128 ? k.mv_size : 128), (const char *)k.mv_data);
			cJSON_AddStringToObject(o, "name", name);
			cJSON_AddStringToObject(o, "source", "vault");
			p = v.mv_data;
			if (v.mv_size >= HDRLEN && p[0] == VAULT_VERSION) {
				cJSON_AddNumberToObject(o, "created",
				    (double)get_u64le(p + 1));
				cJSON_AddNumberToObject(o, "updated",
				    (double)get_u64le(p + 9));
			} else
				cJSON_AddStringToObject(o, "error",
				    "corrupt record");
			cJSON_AddItemToArray(arr, o);
		}
		mdb_cursor_close(cur);
	}
	mdb_txn_abort(t);
	return arr;
}

void
seal_init(void)
{
	struct cbuf	 cb;

	if ((box_sk = sodium_malloc(crypto_box_SECRETKEYBYTES)) == NULL)
		fatalx("sodium_malloc");
	crypto_box_keypair(box_pk, box_sk);
	cb_init(&cb);
	cb_put_bytes(&cb, box_pk, sizeof(box_pk));
	if (child_send_parent(IMSG_SECRET_PUBKEY, 0, &cb) == -1)
		log_warnx("cannot publish the sealing key");
	cb_free(&cb);
}

int
seal_open(const char *b64, uint8_t **value, size_t *len, const char **err)
{
	uint8_t	*sealed;
	size_t	 slen, blen = strlen(b64);

	*value = NULL;
	if (blen > 2 * SD_VALUE_MAX || (sealed = malloc(blen)) == NULL) {
		*err = "sealed value too long";
		return -1;
	}
	if (sodium_base642bin(sealed, blen, b64, blen, NULL, &slen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    slen < crypto_box_SEALBYTES) {
		free(sealed);
		*err = "the value is not sealed (base64 of crypto_box_seal)";
		return -1;
	}
	if ((*value = sodium_malloc(slen - crypto_box_SEALBYTES + 1)) == NULL)
		fatalx("sodium_malloc");
	if (crypto_box_seal_open(*value, sealed, slen, box_pk, box_sk) != 0) {
		free(sealed);
		sodium_free(*value);
		*value = NULL;
		*err = "the sealed value does not open with secretd's key "
		    "(secretd restarted since? run the command again)";
		return -1;
	}
	free(sealed);
	*len = slen - crypto_box_SEALBYTES;
	(*value)[*len] = '\0';
	return 0;
}
