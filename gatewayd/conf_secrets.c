/*
 * conf_secrets.c - the `secrets' statements of the boot configuration
 * (trust zone "parent": parsed as root before any child exists).  See
 * clawgate.conf(5):
 *
 *	secrets vault-key "/etc/clawgate/vault.key"
 *	secrets vault-key credential NAME	systemd's LoadCredential=
 *	secrets provider NAME env [allow NAME ...]
 *	secrets provider NAME file "PATH" [single-value] [max-bytes N]
 *	secrets provider NAME exec "COMMAND" [arg "A" ...] [timeout MS]
 *	    [no-output-timeout MS] [max-output N] [pass-env NAME ...]
 *	secrets outbound "REF"		agentd may fetch its value
 *	secrets verify "REF"		authd may have signatures checked with it
 *
 * The configuration holds references only, never a value.  Paths and
 * commands stay with the parent, which opens files and runs commands for
 * secretd by provider index; secretd gets names, kinds and limits.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatewayd.h"
#include "kv.h"
#include "secretref.h"

#define SEC_MAXBYTES_DEFAULT	(1024 * 1024)
#define SEC_TIMEOUT_DEFAULT	5000

static int
num(const char *s, unsigned max, unsigned *out)
{
	char		*end;
	unsigned long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < 1 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int
env_name_ok(const char *s)
{
	size_t	 i;

	if (s[0] < 'A' || s[0] > 'Z' || strlen(s) > 127)
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static struct conf_secprov *
find_provider(struct gwconf *c, const char *name)
{
	int	 i;

	for (i = 0; i < c->nsecprov; i++)
		if (strcmp(c->secprov[i].name, name) == 0)
			return &c->secprov[i];
	return NULL;
}

/* provider options after the kind (and path) */
static int
provider_opts(struct conf_secprov *p, char **tok, int i, int n,
    const char *file, int line)
{
	for (; i < n; i++) {
		if (p->kind == SECRET_SRC_FILE &&
		    strcmp(tok[i], "single-value") == 0)
			p->single = 1;
		else if (p->kind == SECRET_SRC_FILE &&
		    strcmp(tok[i], "max-bytes") == 0 && i + 1 < n) {
			if (num(tok[++i], 16 * 1024 * 1024, &p->max_bytes))
				return conf_perr(file, line, "max-bytes: "
				    "expected 1 to 16777216");
		} else if (p->kind == SECRET_SRC_EXEC &&
		    strcmp(tok[i], "arg") == 0 && i + 1 < n) {
			if (p->nargs == CONF_MAXSECARGS ||
			    strlen(tok[i + 1]) >= sizeof(p->args[0]))
				return conf_perr(file, line, "arg: at most %d "
				    "arguments of 255 bytes", CONF_MAXSECARGS);
			snprintf(p->args[p->nargs++], sizeof(p->args[0]), "%s",
			    tok[++i]);
		} else if (p->kind == SECRET_SRC_EXEC &&
		    strcmp(tok[i], "timeout") == 0 && i + 1 < n) {
			if (num(tok[++i], 120000, &p->timeout_ms))
				return conf_perr(file, line, "timeout: expected "
				    "1 to 120000 ms");
		} else if (p->kind == SECRET_SRC_EXEC &&
		    strcmp(tok[i], "no-output-timeout") == 0 && i + 1 < n) {
			if (num(tok[++i], 120000, &p->noout_ms))
				return conf_perr(file, line, "no-output-timeout: "
				    "expected 1 to 120000 ms");
		} else if (p->kind == SECRET_SRC_EXEC &&
		    strcmp(tok[i], "max-output") == 0 && i + 1 < n) {
			if (num(tok[++i], 16 * 1024 * 1024, &p->max_bytes))
				return conf_perr(file, line, "max-output: "
				    "expected 1 to 16777216");
		} else if ((p->kind == SECRET_SRC_ENV &&
		    strcmp(tok[i], "allow") == 0) || (p->kind ==
		    SECRET_SRC_EXEC && strcmp(tok[i], "pass-env") == 0)) {
			if (i + 1 >= n)
				return conf_perr(file, line, "%s: expected "
				    "variable names", tok[i]);
			while (i + 1 < n && env_name_ok(tok[i + 1])) {
				if (p->nnames == CONF_MAXSECNAMES)
					return conf_perr(file, line, "at most %d "
					    "names", CONF_MAXSECNAMES);
				snprintf(p->names[p->nnames++],
				    sizeof(p->names[0]), "%s", tok[++i]);
			}
		} else
			return conf_perr(file, line, "secrets provider %s: "
			    "unknown or incomplete option \"%s\"", p->name,
			    tok[i]);
	}
	if (p->noout_ms == 0)
		p->noout_ms = p->timeout_ms;
	return 0;
}

static int
provider(struct gwconf *c, char **tok, int n, const char *file, int line)
{
	struct conf_secprov	*p;
	struct secretref	 r;
	const char		*err;
	char			 probe[128];
	int			 i = 4;

	if (n < 4)
		return conf_perr(file, line, "usage: secrets provider name "
		    "env|file|exec ...");
	/* the provider name follows the reference rules */
	snprintf(probe, sizeof(probe), "env:%s:PROBE", tok[2]);
	if (strlen(tok[2]) > 64 || secretref_parse(probe, &r, &err) == -1)
		return conf_perr(file, line, "secrets provider: the name must "
		    "match ^[a-z][a-z0-9_-]{0,63}$");
	if (strcmp(tok[2], "vault") == 0)
		return conf_perr(file, line, "secrets provider: \"vault\" is "
		    "the built-in vault (see secrets vault-key)");
	if (strcmp(tok[2], "default") == 0 && strcmp(tok[3], "env") != 0)
		return conf_perr(file, line, "secrets provider: \"default\" "
		    "is the environment's; name this one otherwise");
	if (find_provider(c, tok[2]) != NULL)
		return conf_perr(file, line, "secrets provider %s given twice",
		    tok[2]);
	if (c->nsecprov == CONF_MAXSECPROV)
		return conf_perr(file, line, "at most %d secret providers",
		    CONF_MAXSECPROV);
	p = &c->secprov[c->nsecprov];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", tok[2]);
	p->max_bytes = SEC_MAXBYTES_DEFAULT;
	p->timeout_ms = SEC_TIMEOUT_DEFAULT;
	if (strcmp(tok[3], "env") == 0)
		p->kind = SECRET_SRC_ENV;
	else if (strcmp(tok[3], "file") == 0 || strcmp(tok[3], "exec") == 0) {
		p->kind = strcmp(tok[3], "file") == 0 ? SECRET_SRC_FILE :
		    SECRET_SRC_EXEC;
		if (n < 5 || tok[4][0] != '/' ||
		    strlen(tok[4]) >= sizeof(p->path))
			return conf_perr(file, line, "secrets provider %s: "
			    "expected an absolute path", p->name);
		snprintf(p->path, sizeof(p->path), "%s", tok[4]);
		i = 5;
	} else
		return conf_perr(file, line, "secrets provider %s: unknown kind "
		    "\"%s\" (env, file or exec)", p->name, tok[3]);
	if (provider_opts(p, tok, i, n, file, line) == -1)
		return -1;
	if (p->noout_ms > p->timeout_ms)
		return conf_perr(file, line, "secrets provider %s: "
		    "no-output-timeout is longer than timeout", p->name);
	if (strstr(p->path, "/../") != NULL || strstr(p->path, "/./") != NULL)
		return conf_perr(file, line, "secrets provider %s: the path "
		    "must not hold . or .. components", p->name);
	c->nsecprov++;
	return 0;
}

/* a reference in the short form, checked and normalized */
static int
ref(struct gwconf *c, const char *text, char *out, size_t outsz,
    const char *file, int line)
{
	struct secretref	 r;
	const char		*err;

	(void)c;
	if (secretref_parse(text, &r, &err) == -1)
		return conf_perr(file, line, "%s", err);
	if (r.source == SECRET_SRC_VAULT && strcmp(r.provider, "vault") != 0)
		return conf_perr(file, line, "secret reference: the vault's "
		    "provider is \"vault\"");
	if (secretref_format(&r, out, outsz) == -1)
		return conf_perr(file, line, "secret reference too long");
	return 0;
}

int
conf_secrets(struct gwconf *c, char **tok, int n, const char *file, int line)
{
	if (n >= 2 && strcmp(tok[1], "provider") == 0)
		return provider(c, tok, n, file, line);
	if (n == 4 && strcmp(tok[1], "vault-key") == 0 &&
	    strcmp(tok[2], "credential") == 0) {
		/* systemd's LoadCredential=: $CREDENTIALS_DIRECTORY/NAME */
		if (tok[3][0] == '\0' || strchr(tok[3], '/') != NULL ||
		    strlen(tok[3]) > 64)
			return conf_perr(file, line, "secrets vault-key "
			    "credential: expected a credential name");
		snprintf(c->vault_key, sizeof(c->vault_key), "credential:%s",
		    tok[3]);
		return 0;
	}
	if (n == 3 && strcmp(tok[1], "vault-key") == 0) {
		if (tok[2][0] != '/' || strlen(tok[2]) >= sizeof(c->vault_key))
			return conf_perr(file, line, "secrets vault-key: "
			    "expected an absolute path");
		snprintf(c->vault_key, sizeof(c->vault_key), "%s", tok[2]);
		return 0;
	}
	if (n == 3 && strcmp(tok[1], "outbound") == 0) {
		if (c->nsec_outbound == CONF_MAXSECREF)
			return conf_perr(file, line, "at most %d outbound "
			    "references", CONF_MAXSECREF);
		if (ref(c, tok[2], c->sec_outbound[c->nsec_outbound],
		    sizeof(c->sec_outbound[0]), file, line) == -1)
			return -1;
		c->nsec_outbound++;
		return 0;
	}
	if (n == 3 && strcmp(tok[1], "verify") == 0) {
		if (c->nsec_verify == CONF_MAXSECVERIFY)
			return conf_perr(file, line, "at most %d verify "
			    "references", CONF_MAXSECVERIFY);
		if (ref(c, tok[2], c->sec_verify[c->nsec_verify],
		    sizeof(c->sec_verify[0]), file, line) == -1)
			return -1;
		c->nsec_verify++;
		return 0;
	}
	return conf_perr(file, line, "usage: secrets vault-key path | "
	    "secrets provider name kind ... | secrets outbound ref | "
	    "secrets verify ref");
}

static const char *
kind_name(int k)
{
	switch (k) {
	case SECRET_SRC_ENV:
		return "env";
	case SECRET_SRC_FILE:
		return "file";
	case SECRET_SRC_EXEC:
		return "exec";
	default:
		return "vault";
	}
}

void
conf_print_secrets(FILE *f, const struct gwconf *c)
{
	const struct conf_secprov	*p;
	int				 i, j;

	if (strncmp(c->vault_key, "credential:", 11) == 0)
		fprintf(f, "secrets vault-key credential \"%s\"\n",
		    c->vault_key + 11);
	else if (c->vault_key[0] != '\0')
		fprintf(f, "secrets vault-key \"%s\"\n", c->vault_key);
	for (i = 0; i < c->nsecprov; i++) {
		p = &c->secprov[i];
		fprintf(f, "secrets provider %s %s", p->name,
		    kind_name(p->kind));
		if (p->kind != SECRET_SRC_ENV)
			fprintf(f, " \"%s\"", p->path);
		if (p->kind == SECRET_SRC_FILE)
			fprintf(f, "%s max-bytes %u", p->single ?
			    " single-value" : "", p->max_bytes);
		for (j = 0; j < p->nargs; j++)
			fprintf(f, " arg \"%s\"", p->args[j]);
		if (p->kind == SECRET_SRC_EXEC)
			fprintf(f, " timeout %u no-output-timeout %u "
			    "max-output %u", p->timeout_ms, p->noout_ms,
			    p->max_bytes);
		if (p->nnames > 0)
			fprintf(f, " %s", p->kind == SECRET_SRC_ENV ? "allow" :
			    "pass-env");
		for (j = 0; j < p->nnames; j++)
			fprintf(f, " %s", p->names[j]);
		fputc('\n', f);
	}
	for (i = 0; i < c->nsec_outbound; i++)
		fprintf(f, "secrets outbound \"%s\"\n", c->sec_outbound[i]);
	for (i = 0; i < c->nsec_verify; i++)
		fprintf(f, "secrets verify \"%s\"\n", c->sec_verify[i]);
}

/*
 * secretd's part: "sp-N" = "name kind single max timeout noout names...",
 * "out-N" and "ver-N" the references, "vault-key" the key file.
 */
void
conf_secrets_kv(const struct gwconf *c, struct kv *kv)
{
	const struct conf_secprov	*p;
	char				 k[32], v[KV_MAXSTR];
	size_t				 len;
	int				 i, j;

	if (c->vault_key[0] != '\0')
		kv_set(kv, "vault-key", c->vault_key);
	kv_setu(kv, "sp-count", (unsigned long long)c->nsecprov);
	for (i = 0; i < c->nsecprov; i++) {
		p = &c->secprov[i];
		len = (size_t)snprintf(v, sizeof(v), "%s %s %d %u %u %u",
		    p->name, kind_name(p->kind), p->single, p->max_bytes,
		    p->timeout_ms, p->noout_ms);
		for (j = 0; j < p->nnames && len < sizeof(v); j++)
			len += (size_t)snprintf(v + len, sizeof(v) - len, " %s",
			    p->names[j]);
		snprintf(k, sizeof(k), "sp-%d", i);
		kv_set(kv, k, v);
	}
	for (i = 0; i < c->nsec_outbound; i++) {
		snprintf(k, sizeof(k), "out-%d", i);
		kv_set(kv, k, c->sec_outbound[i]);
	}
	for (i = 0; i < c->nsec_verify; i++) {
		snprintf(k, sizeof(k), "ver-%d", i);
		kv_set(kv, k, c->sec_verify[i]);
	}
}

/* every reference names a provider of its kind: 0, or -1 (reported) */
static int
check_ref(const struct gwconf *c, const char *text, const char *file)
{
	struct secretref	 r;
	const char		*err;
	int			 i;

	if (secretref_parse(text, &r, &err) == -1)
		return conf_perr(file, 0, "%s", err);
	if (r.source == SECRET_SRC_VAULT) {
		if (c->vault_key[0] == '\0')
			return conf_perr(file, 0, "secret reference %s: the "
			    "vault needs secrets vault-key", text);
		return 0;
	}
	/* the env provider "default" exists unless declared otherwise */
	if (r.source == SECRET_SRC_ENV && strcmp(r.provider, "default") == 0)
		return 0;
	for (i = 0; i < c->nsecprov; i++)
		if (strcmp(c->secprov[i].name, r.provider) == 0) {
			if (c->secprov[i].kind != r.source)
				return conf_perr(file, 0, "secret reference %s: "
				    "provider %s is not of source %s", text,
				    r.provider, kind_name(r.source));
			return 0;
		}
	return conf_perr(file, 0, "secret reference %s: no provider named %s",
	    text, r.provider);
}

int
conf_secrets_check(const struct gwconf *c, const char *file)
{
	int	 i, errors = 0;

	for (i = 0; i < c->nsec_outbound; i++)
		errors += -check_ref(c, c->sec_outbound[i], file);
	for (i = 0; i < c->nsec_verify; i++)
		errors += -check_ref(c, c->sec_verify[i], file);
	return errors ? -1 : 0;
}
