/*
 * capability.c - mint and verify MAC'd capabilities (authd mints; agentd,
 * execd and the parent verify).  See capability.h.
 */
#include <string.h>

#include <sodium.h>

#include "capability.h"

int
capkey_generate(struct capkey *k)
{
	if (sodium_init() == -1)
		return -1;
	crypto_auth_keygen(k->key);
	randombytes_buf(k->bootid, sizeof(k->bootid));
	return 0;
}

static int
encode_body(const struct capability *c, struct cbuf *cb)
{
	cb_put_u8(cb, CAP_VERSION);
	cb_put_bytes(cb, c->bootid, CAP_BOOTIDLEN);
	cb_put_str(cb, c->principal);
	cb_put_str(cb, c->role);
	cb_put_str(cb, c->scopes);
	cb_put_str(cb, c->connector);
	cb_put_u64(cb, c->issued);
	cb_put_u64(cb, c->expires);
	cb_put_u64(cb, c->conn);
	return cb->err ? -1 : 0;
}

int
cap_mint(const struct capkey *k, const struct capability *c, struct cbuf *out)
{
	uint8_t	 mac[CAP_MACLEN];

	if (encode_body(c, out) == -1)
		return -1;
	crypto_auth(mac, out->data, out->len, k->key);
	cb_put_bytes(out, mac, sizeof(mac));
	sodium_memzero(mac, sizeof(mac));
	return out->err ? -1 : 0;
}

int
cap_verify(const struct capkey *k, const uint8_t *p, size_t len, uint64_t now,
    uint64_t conn, struct capability *out)
{
	struct cbuf		 cb;
	struct capability	 c;
	uint8_t			 ver, mac[CAP_MACLEN];
	size_t			 bodylen;

	memset(&c, 0, sizeof(c));
	if (len > CAP_MAXLEN)
		return CAP_ERR_MALFORMED;
	cb_view(&cb, p, len);
	cb_get_u8(&cb, &ver);
	cb_get_fixed(&cb, c.bootid, CAP_BOOTIDLEN);
	cb_get_str(&cb, c.principal, sizeof(c.principal));
	cb_get_str(&cb, c.role, sizeof(c.role));
	cb_get_str(&cb, c.scopes, sizeof(c.scopes));
	cb_get_str(&cb, c.connector, sizeof(c.connector));
	cb_get_u64(&cb, &c.issued);
	cb_get_u64(&cb, &c.expires);
	cb_get_u64(&cb, &c.conn);
	bodylen = cb.pos;
	cb_get_fixed(&cb, mac, sizeof(mac));
	if (cb_get_end(&cb) == -1 || ver != CAP_VERSION)
		return CAP_ERR_MALFORMED;
	if (crypto_auth_verify(mac, p, bodylen, k->key) != 0)
		return CAP_ERR_MAC;
	if (sodium_memcmp(c.bootid, k->bootid, CAP_BOOTIDLEN) != 0)
		return CAP_ERR_BOOT;
	/* expired, or issued more than 5 s in the future (no overflow) */
	if (now >= c.expires || (c.issued > now && c.issued - now > 5))
		return CAP_ERR_EXPIRED;
	if (c.conn != conn)
		return CAP_ERR_CONN;
	if (out != NULL)
		*out = c;
	return CAP_OK;
}

int
cap_peek(const uint8_t *p, size_t len, struct capability *out)
{
	struct cbuf	 cb;
	uint8_t		 ver, mac[CAP_MACLEN];

	memset(out, 0, sizeof(*out));
	if (len > CAP_MAXLEN)
		return -1;
	cb_view(&cb, p, len);
	cb_get_u8(&cb, &ver);
	cb_get_fixed(&cb, out->bootid, CAP_BOOTIDLEN);
	cb_get_str(&cb, out->principal, sizeof(out->principal));
	cb_get_str(&cb, out->role, sizeof(out->role));
	cb_get_str(&cb, out->scopes, sizeof(out->scopes));
	cb_get_str(&cb, out->connector, sizeof(out->connector));
	cb_get_u64(&cb, &out->issued);
	cb_get_u64(&cb, &out->expires);
	cb_get_u64(&cb, &out->conn);
	cb_get_fixed(&cb, mac, sizeof(mac));
	if (cb_get_end(&cb) == -1 || ver != CAP_VERSION) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

int
cap_has_scope(const struct capability *c, const char *scope)
{
	const char	*p = c->scopes;
	size_t		 n = strlen(scope);

	if (n == 0 || strchr(scope, ' ') != NULL)
		return 0;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (strncmp(p, scope, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		while (*p != ' ' && *p != '\0')
			p++;
	}
	return 0;
}

const char *
cap_strerror(int e)
{
	switch (e) {
	case CAP_OK:
		return "ok";
	case CAP_ERR_MALFORMED:
		return "malformed capability";
	case CAP_ERR_MAC:
		return "capability MAC does not verify";
	case CAP_ERR_BOOT:
		return "capability from another boot";
	case CAP_ERR_EXPIRED:
		return "capability expired";
	case CAP_ERR_CONN:
		return "capability bound to another connection";
	default:
		return "capability error";
	}
}
