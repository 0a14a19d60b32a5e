/*
 * store.c - what secretd answers, and to whom (trust zone "secretd").
 *
 *   agentd  SECRET_FETCH   the value of a reference the boot configuration
 *                          marks `outbound', and of no other
 *   authd   SECRET_VERIFY  yes or no for a signature checked with a
 *                          reference marked `verify'; never a value
 *   authd   SECRET_ADMIN   clawctl secrets list/set/rm/test/reload, for an
 *                          admin capability that authd has verified
 * The message table (common/msgtypes.c) lets each type arrive on its edge
 * only; anything else closes the edge.  Outbound and verify references
 * are resolved into a snapshot at start and on reload; a provider that
 * fails keeps the last good value.  Every fetch and verify is audited
 * with the reference and the outcome, never the value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "log.h"
#include "msgtypes.h"
#include "secretd.h"
#include "verify.h"

#define USE_OUTBOUND	1
#define USE_VERIFY	2

struct entry {
	char			 text[SECRETREF_SHORT_MAX];
	struct secretref	 ref;
	int			 uses;
	uint8_t			*val;	/* sodium_malloc'd, last good */
	size_t			 len;
	char			 err[160];	/* last failure */
	uint64_t		 ok_at;
	uint64_t		 tried_at;
};

static struct entry	 entries[SD_MAXREFS];
static int		 nentries;

/* a reload in progress */
static struct {
	int		 active;
	int		 waiting;
	void		(*done)(void *, cJSON *);
	void		*arg;
} rl;

static uint64_t
now_s(void)
{
	return (uint64_t)time(NULL);
}

static struct entry *
entry_find(const char *text)
{
	int	 i;

	for (i = 0; i < nentries; i++)
		if (strcmp(entries[i].text, text) == 0)
			return &entries[i];
	return NULL;
}

static void
add(const char *text, int use)
{
	struct entry	*e;
	const char	*err;

	if ((e = entry_find(text)) == NULL) {
		if (nentries == SD_MAXREFS)
			fatalx("too many secret references");
		e = &entries[nentries];
		memset(e, 0, sizeof(*e));
		if (secretref_parse(text, &e->ref, &err) == -1)
			fatalx("setup: %s", err);
		secretref_format(&e->ref, e->text, sizeof(e->text));
		nentries++;
	}
	e->uses |= use;
}

void
store_config(const struct kv *kv)
{
	const char	*v;
	char		 k[32];
	int		 i;

	for (i = 0; i < SD_MAXREFS; i++) {
		snprintf(k, sizeof(k), "out-%d", i);
		if ((v = kv_get(kv, k)) != NULL)
			add(v, USE_OUTBOUND);
		snprintf(k, sizeof(k), "ver-%d", i);
		if ((v = kv_get(kv, k)) != NULL)
			add(v, USE_VERIFY);
	}
}

static cJSON *
entries_json(void)
{
	cJSON	*arr = cJSON_CreateArray(), *o, *u;
	int	 i;

	for (i = 0; i < nentries; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "ref", entries[i].text);
		cJSON_AddStringToObject(o, "source",
		    secretref_source_name(entries[i].ref.source));
		u = cJSON_AddArrayToObject(o, "use");
		if (entries[i].uses & USE_OUTBOUND)
			cJSON_AddItemToArray(u, cJSON_CreateString("outbound"));
		if (entries[i].uses & USE_VERIFY)
			cJSON_AddItemToArray(u, cJSON_CreateString("verify"));
		if (entries[i].ref.source == SECRET_SRC_VAULT)
			cJSON_AddStringToObject(o, "state", "read when used");
		else {
			cJSON_AddStringToObject(o, "state", entries[i].val ?
			    (entries[i].err[0] ? "stale" : "ok") : "failed");
			if (entries[i].ok_at)
				cJSON_AddNumberToObject(o, "resolvedAt",
				    (double)entries[i].ok_at);
			if (entries[i].err[0])
				cJSON_AddStringToObject(o, "error",
				    entries[i].err);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static void
reload_check_done(void)
{
	cJSON	*o;
	int	 i, failed = 0;

	if (!rl.active || rl.waiting > 0)
		return;
	rl.active = 0;
	for (i = 0; i < nentries; i++)
		if (entries[i].ref.source != SECRET_SRC_VAULT && entries[i].err[0])
			failed++;
	if (rl.done == NULL)
		return;
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "failed", failed);
	cJSON_AddItemToObject(o, "refs", entries_json());
	rl.done(rl.arg, o);
}

static void
snap_cb(void *arg, const uint8_t *v, size_t len, const char *err)
{
	struct entry	*e = arg;

	e->tried_at = now_s();
	if (err != NULL) {
		/* the last good value stays */
		snprintf(e->err, sizeof(e->err), "%s", err);
		log_warnx("secret %s: %s%s", e->text, err, e->val ?
		    " (keeping the last good value)" : "");
		child_audit("secret-resolve", "secretd", e->text, "failed", err);
	} else {
		if (e->val != NULL)
			sodium_free(e->val);
		if ((e->val = sodium_malloc(len + 1)) == NULL)
			fatalx("sodium_malloc");
		memcpy(e->val, v, len);
		e->val[len] = '\0';
		e->len = len;
		e->err[0] = '\0';
		e->ok_at = e->tried_at;
		sodium_mprotect_readonly(e->val);
	}
	rl.waiting--;
	reload_check_done();
}

void
store_reload(void (*done)(void *, cJSON *), void *arg)
{
	int	 i;

	if (rl.active) {
		/* one at a time: the newcomer is told */
		cJSON	*o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "error", "a reload is in progress");
		if (done != NULL)
			done(arg, o);
		else
			cJSON_Delete(o);
		return;
	}
	rl.active = 1;
	rl.done = done;
	rl.arg = arg;
	rl.waiting = 1;		/* held until every resolve has started */
	for (i = 0; i < nentries; i++) {
		if (entries[i].ref.source == SECRET_SRC_VAULT)
			continue;
		rl.waiting++;
		resolve(&entries[i].ref, snap_cb, &entries[i]);
	}
	rl.waiting--;
	reload_check_done();
}

/* ------------------------------------------------------------ fetch */

struct getctx {
	uint8_t		*val;	/* sodium_malloc'd copy */
	size_t		 len;
	char		 err[160];
};

static void
get_cb(void *arg, const uint8_t *v, size_t len, const char *err)
{
	struct getctx	*g = arg;

	if (err != NULL) {
		snprintf(g->err, sizeof(g->err), "%s", err);
		return;
	}
	if ((g->val = sodium_malloc(len + 1)) == NULL)
		fatalx("sodium_malloc");
	memcpy(g->val, v, len);
	g->len = len;
}

/* the value of an entry now: vault entries are read, others snapped */
static int
entry_value(struct entry *e, struct getctx *g)
{
	memset(g, 0, sizeof(*g));
	if (e->ref.source == SECRET_SRC_VAULT) {
		resolve(&e->ref, get_cb, g);	/* synchronous */
		return g->val ? 0 : -1;
	}
	if (e->val == NULL) {
		snprintf(g->err, sizeof(g->err), "%s", e->err[0] ? e->err :
		    "not resolved yet");
		return -1;
	}
	if ((g->val = sodium_malloc(e->len + 1)) == NULL)
		fatalx("sodium_malloc");
	memcpy(g->val, e->val, e->len);
	g->len = e->len;
	return 0;
}

void
store_fetch(struct imsgev *iev, struct imsg *imsg)
{
	struct secretref	 r;
	struct entry		*e = NULL;
	struct getctx		 g;
	struct cbuf		 cb, out;
	uint64_t		 id;
	char			 text[SECRETREF_SHORT_MAX + 64], norm[SECRETREF_SHORT_MAX];
	const char		*err = NULL;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &id);
	cb_get_str(&cb, text, sizeof(text));
	if (cb_get_end(&cb) == -1) {
		imsgev_violation(iev, "malformed SECRET_FETCH");
		return;
	}
	memset(&g, 0, sizeof(g));
	norm[0] = '\0';
	if (secretref_parse(text, &r, &err) == -1 ||
	    secretref_format(&r, norm, sizeof(norm)) == -1) {
		err = "malformed reference";
		norm[0] = '\0';
	} else if ((e = entry_find(norm)) == NULL ||
	    !(e->uses & USE_OUTBOUND))
		err = "reference not marked for outbound use";
	else if (entry_value(e, &g) == -1)
		err = g.err;
	cb_init(&out);
	cb_put_u64(&out, id);
	cb_put_u8(&out, err == NULL);
	if (err == NULL)
		cb_put_bytes(&out, g.val, g.len);
	else
		cb_put_str(&out, err);
	if (imsgev_compose_cb(iev, IMSG_SECRET_VALUE, 0, -1, &out) == -1)
		log_warn("SECRET_VALUE");
	sodium_memzero(out.data, out.len);
	cb_free(&out);
	if (g.val != NULL)
		sodium_free(g.val);
	child_audit("secret-fetch", "agentd", e != NULL ? e->text :
	    norm[0] != '\0' ? norm : "(malformed)",
	    err == NULL ? "ok" : "refused", err == NULL ? "" : err);
}

void
store_verify(struct imsgev *iev, struct imsg *imsg)
{
	struct secretref	 r;
	struct entry		*e = NULL;
	struct getctx		 g;
	struct cbuf		 cb, out;
	const uint8_t		*body;
	size_t			 blen;
	uint64_t		 id;
	uint8_t			 kind, good = 0;
	char			 text[SECRETREF_SHORT_MAX + 64], norm[SECRETREF_SHORT_MAX];
	char			 ts[64], sig[256];
	const char		*err = NULL;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &id);
	cb_get_u8(&cb, &kind);
	cb_get_str(&cb, text, sizeof(text));
	cb_get_str(&cb, ts, sizeof(ts));
	cb_get_bytes(&cb, &body, &blen, 49152);
	cb_get_str(&cb, sig, sizeof(sig));
	if (cb_get_end(&cb) == -1 || kind < VERIFY_KIND_SLACK ||
	    kind > VERIFY_KIND_DISCORD) {
		imsgev_violation(iev, "malformed SECRET_VERIFY");
		return;
	}
	memset(&g, 0, sizeof(g));
	norm[0] = '\0';
	if (secretref_parse(text, &r, &err) == -1 ||
	    secretref_format(&r, norm, sizeof(norm)) == -1) {
		err = "malformed reference";
		norm[0] = '\0';
	} else if ((e = entry_find(norm)) == NULL || !(e->uses & USE_VERIFY))
		err = "reference not marked for verification";
	else if (entry_value(e, &g) == -1)
		err = g.err;
	else if (kind == VERIFY_KIND_SLACK)
		good = (uint8_t)verify_slack(g.val, g.len, ts, body, blen, sig,
		    now_s());
	else if (kind == VERIFY_KIND_TELEGRAM)
		good = (uint8_t)verify_telegram(g.val, g.len, sig);
	else
		good = (uint8_t)(verify_timestamp(ts, now_s()) &&
		    verify_discord((const char *)g.val, ts, body, blen, sig));
	if (g.val != NULL)
		sodium_free(g.val);
	cb_init(&out);
	cb_put_u64(&out, id);
	cb_put_u8(&out, good);
	cb_put_str(&out, err ? err : good ? "good" : "bad signature");
	if (imsgev_compose_cb(iev, IMSG_SECRET_VERDICT, 0, -1, &out) == -1)
		log_warn("SECRET_VERDICT");
	cb_free(&out);
	child_audit("secret-verify", "authd", e != NULL ? e->text :
	    norm[0] != '\0' ? norm : "(malformed)",
	    err ? "refused" : good ? "good" : "bad", err ? err : "");
}

/* ------------------------------------------------------------ admin */

struct adminctx {
	struct imsgev	*iev;
	uint64_t	 conn;
	char		 principal[128];
	char		 ref[SECRETREF_SHORT_MAX];
};

static void
admin_reply(struct imsgev *iev, uint64_t conn, int ok, cJSON *o)
{
	struct cbuf	 cb;
	char		*s;

	cJSON_AddBoolToObject(o, "ok", ok);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL)
		fatalx("out of memory");
	cb_init(&cb);
	cb_put_u64(&cb, conn);
	cb_put_u8(&cb, (uint8_t)ok);
	cb_put_str(&cb, strlen(s) <= 60000 ? s :
	    "{\"ok\":false,\"error\":\"answer too long\"}");
	if (imsgev_compose_cb(iev, IMSG_SECRET_ADMIN_RES, 0, -1, &cb) == -1)
		log_warn("SECRET_ADMIN_RES");
	cb_free(&cb);
	cJSON_free(s);
}

static void
admin_error(struct imsgev *iev, uint64_t conn, const char *msg)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", msg);
	admin_reply(iev, conn, 0, o);
}

static void
test_cb(void *arg, const uint8_t *v, size_t len, const char *err)
{
	struct adminctx	*a = arg;
	cJSON		*o = cJSON_CreateObject();

	(void)v;
	cJSON_AddStringToObject(o, "ref", a->ref);
	if (err != NULL)
		cJSON_AddStringToObject(o, "error", err);
	else
		cJSON_AddNumberToObject(o, "length", (double)len);
	child_audit("secret-test", a->principal, a->ref, err ? "failed" : "ok",
	    err ? err : "");
	/* the edge may have gone while a command ran */
	if (self->peers[ROLE_AUTHD] == a->iev)
		admin_reply(a->iev, a->conn, err == NULL, o);
	else
		cJSON_Delete(o);
	free(a);
}

static void
reload_done(void *arg, cJSON *o)
{
	struct adminctx	*a = arg;
	cJSON		*f = cJSON_GetObjectItem(o, "failed");

	child_audit("secret-reload", a->principal, "secrets", "done",
	    cJSON_IsNumber(f) && f->valueint ? "some failed" : "");
	if (self->peers[ROLE_AUTHD] == a->iev)
		admin_reply(a->iev, a->conn, cJSON_GetObjectItem(o, "error") ==
		    NULL, o);
	else
		cJSON_Delete(o);
	free(a);
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
admin_set(struct imsgev *iev, uint64_t conn, const char *who,
    const cJSON *req)
{
	struct secretref	 r = { SECRET_SRC_VAULT, "vault", "" };
	const char		*name = jstr(req, "name");
	const char		*sealed = jstr(req, "sealed"), *err;
	uint8_t			*v;
	size_t			 len;
	cJSON			*o;

	if (name == NULL || strlen(name) >= sizeof(r.id)) {
		admin_error(iev, conn, "secrets set: a name is required");
		return;
	}
	snprintf(r.id, sizeof(r.id), "%s", name);
	if (secretref_check(&r, &err) == -1) {
		admin_error(iev, conn, "secrets set: the name must match "
		    "^[A-Z][A-Z0-9_]{0,127}$");
		return;
	}
	if (sealed == NULL || seal_open(sealed, &v, &len, &err) == -1) {
		admin_error(iev, conn, sealed == NULL ? "secrets set: no "
		    "sealed value" : err);
		return;
	}
	if (len == 0 || vault_put(name, v, len, &err) == -1) {
		sodium_free(v);
		admin_error(iev, conn, len == 0 ? "the value is empty" : err);
		return;
	}
	sodium_free(v);
	child_audit("secret-set", who, name, "ok", "vault");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddBoolToObject(o, "stored", 1);
	admin_reply(iev, conn, 1, o);
}

void
store_admin(struct imsgev *iev, struct imsg *imsg)
{
	struct cbuf		 cb;
	struct adminctx		*a;
	struct secretref	 r;
	uint64_t		 conn;
	char			 who[128], *json = NULL;
	const char		*cmd, *name, *err;
	cJSON			*req, *o;
	int			 n;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &conn);
	cb_get_str(&cb, who, sizeof(who));
	cb_get_strdup(&cb, &json, 16384);
	if (cb_get_end(&cb) == -1) {
		free(json);
		imsgev_violation(iev, "malformed SECRET_ADMIN");
		return;
	}
	req = cJSON_Parse(json);
	sodium_memzero(json, strlen(json));
	free(json);
	if ((cmd = jstr(req, "cmd")) == NULL) {
		cJSON_Delete(req);
		admin_error(iev, conn, "malformed request");
		return;
	}
	if (strcmp(cmd, "secrets.set") == 0)
		admin_set(iev, conn, who, req);
	else if (strcmp(cmd, "secrets.list") == 0) {
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "vault", vault_enabled());
		cJSON_AddItemToObject(o, "stored", vault_list());
		cJSON_AddItemToObject(o, "refs", entries_json());
		admin_reply(iev, conn, 1, o);
	} else if (strcmp(cmd, "secrets.rm") == 0) {
		if ((name = jstr(req, "name")) == NULL ||
		    (n = vault_del(name)) == -1)
			admin_error(iev, conn, name == NULL ? "which name?" :
			    "could not remove it");
		else if (n == 0)
			admin_error(iev, conn, "no such name in the vault");
		else {
			child_audit("secret-rm", who, name, "ok", "vault");
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", name);
			cJSON_AddBoolToObject(o, "removed", 1);
			admin_reply(iev, conn, 1, o);
		}
	} else if (strcmp(cmd, "secrets.test") == 0) {
		if (jstr(req, "ref") == NULL ||
		    secretref_parse(jstr(req, "ref"), &r, &err) == -1)
			admin_error(iev, conn, jstr(req, "ref") == NULL ?
			    "which reference?" : err);
		else {
			if ((a = calloc(1, sizeof(*a))) == NULL)
				fatalx("out of memory");
			a->iev = iev;
			a->conn = conn;
			snprintf(a->principal, sizeof(a->principal), "%s", who);
			secretref_format(&r, a->ref, sizeof(a->ref));
			resolve(&r, test_cb, a);
		}
	} else if (strcmp(cmd, "secrets.reload") == 0) {
		if ((a = calloc(1, sizeof(*a))) == NULL)
			fatalx("out of memory");
		a->iev = iev;
		a->conn = conn;
		snprintf(a->principal, sizeof(a->principal), "%s", who);
		store_reload(reload_done, a);
	} else
		admin_error(iev, conn, "unknown command");
	cJSON_Delete(req);
}
