/*
 * secretd.h - secretd (trust zone "secretd": uid _clawsec, no
 * capabilities, not dumpable, chrooted to its state directory, no
 * network, no exec).  Invariant 4 of DESIGN: secret values live here.
 *
 * Design:
 *  - References ({"source","provider","id"}, or "source:provider:id")
 *    name values; the boot configuration lists which ones agentd may
 *    fetch (outbound) and which authd may have signatures checked with
 *    (verify).  Nothing else ever leaves: not to front, execd or authd.
 *  - Providers: env (the environment the parent passed to secretd alone,
 *    with an optional allowlist), file and exec (the parent opens the
 *    file or runs the command as _clawsec and passes a descriptor, since
 *    secretd cannot reach either from its chroot), and the vault (LMDB,
 *    every value sealed with XChaCha20-Poly1305 under a master key read
 *    from a root-only key file at start, the record name as associated
 *    data).
 *  - Outbound and verify references are resolved eagerly at start and on
 *    `clawctl secrets reload' into a snapshot; a failing provider keeps
 *    the last good value and is reported.  Vault references are read
 *    from the vault when used.
 *  - clawctl seals a new vault value to secretd's own public key
 *    (crypto_box_seal); front and authd carry only the sealed bytes.
 *  - Values live in sodium_malloc'd memory (guard pages, mlock) and are
 *    wiped after use; cJSON's hooks wipe what it frees.  Every fetch and
 *    verify is audited, never with the value.
 */
#ifndef CLAWGATE_SECRETD_H
#define CLAWGATE_SECRETD_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "child.h"
#include "secretref.h"

#define SD_MAXPROV	16
#define SD_MAXREFS	48
#define SD_VALUE_MAX	32768	/* fits one SECRET_VALUE message */

struct provider {
	char		name[65];
	int		kind;		/* SECRET_SRC_* */
	int		single;		/* file: single-value mode */
	unsigned	max_bytes;
	unsigned	timeout_ms;
	unsigned	noout_ms;
	char		allow[1024];	/* env: space-separated, "" = all */
	uint32_t	idx;		/* in the boot configuration */
};

/* resolve.c: a value, or an error; the value is the callee's to keep
 * only for the call (it is wiped and freed after) */
typedef void (*resolve_cb)(void *arg, const uint8_t *value, size_t len,
    const char *err);

void	providers_config(const struct kv *);
const struct provider *provider_find(const char *name);
void	resolve(const struct secretref *, resolve_cb, void *arg);
void	resolve_fd(struct imsg *);	/* SECRET_FD from the parent */
void	resolve_fail(struct imsg *);	/* SECRET_FAIL */

/* vault.c */
void	vault_init(MDB_env *, const char *keyfile);
int	vault_enabled(void);
/* 0 and a sodium_malloc'd value (caller sodium_free's), 1 absent,
 * -1 error (err set) */
int	vault_get(const char *name, uint8_t **value, size_t *len,
	    const char **err);
int	vault_put(const char *name, const uint8_t *value, size_t len,
	    const char **err);
int	vault_del(const char *name);
cJSON	*vault_list(void);
/* the sealing keys: clawctl seals values to the public key */
void	seal_init(void);
int	seal_open(const char *b64, uint8_t **value, size_t *len,
	    const char **err);

/* store.c: the snapshot, the ACL, fetch, verify, administration */
void	store_config(const struct kv *);
void	store_reload(void (*done)(void *, cJSON *), void *);
void	store_fetch(struct imsgev *, struct imsg *);
void	store_verify(struct imsgev *, struct imsg *);
void	store_admin(struct imsgev *, struct imsg *);

/* seccomp.c */
void	secretd_seccomp(void);

#endif
