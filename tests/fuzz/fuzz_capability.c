/*
 * fuzz_capability.c - libFuzzer harness for capabilities
 * (common/capability.c: cap_verify, cap_mint, cap_has_scope).
 *
 * Byte 0 picks the mode.
 *  even: the rest is an encoded capability, verified under a fixed key at
 *        a fixed time and connection.  Whatever verifies must be exactly
 *        what cap_mint makes of the fields it decoded to (a capability has
 *        one encoding), and must satisfy the time and connection checks.
 *  odd:  the rest chooses the fields (issued, expires, conn, a point in
 *        time between issued and expires, and four strings); the minted
 *        capability must verify as CAP_OK with those fields, and no longer
 *        verify on another connection, after expiry, or with another key.
 *
 * The odd mode keeps "now" below 2^63: see the KNOWN BUG note in
 * tests/unit/test_capability.c about now + 5 wrapping near UINT64_MAX.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capability.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FNOW	1700000000ULL
#define FCONN	77ULL

static struct capkey	 key, other;
static int		 inited;

static void
init(void)
{
	size_t	 i;

	/* fixed, so that the corpus can hold valid capabilities */
	for (i = 0; i < CAP_KEYLEN; i++)
		key.key[i] = (uint8_t)i;
	for (i = 0; i < CAP_BOOTIDLEN; i++)
		key.bootid[i] = (uint8_t)(0xb0 + i);
	/* another key for the same boot; this also runs sodium_init() */
	if (capkey_generate(&other) == -1)
		abort();
	memcpy(other.bootid, key.bootid, CAP_BOOTIDLEN);
	inited = 1;
}

static uint64_t
get_u64(const uint8_t **p, size_t *n)
{
	uint64_t	 v = 0;
	size_t		 i;

	for (i = 0; i < 8 && *n > 0; i++, (*p)++, (*n)--)
		v |= (uint64_t)**p << (8 * i);
	return v;
}

/* a string of at most bufsz-1 bytes, no NUL, from the input */
static void
get_str(const uint8_t **p, size_t *n, char *buf, size_t bufsz)
{
	size_t	 len = 0, want;

	if (*n == 0) {
		buf[0] = '\0';
		return;
	}
	want = **p % bufsz;
	(*p)++;
	(*n)--;
	while (len < want && *n > 0) {
		buf[len++] = **p ? (char)**p : ' ';
		(*p)++;
		(*n)--;
	}
	buf[len] = '\0';
}

static void
verify_arbitrary(const uint8_t *data, size_t size)
{
	struct capability	 c;
	struct cbuf		 cb;
	int			 r;

	r = cap_verify(&key, data, size, FNOW, FCONN, &c);
	if (r < CAP_OK || r > CAP_ERR_CONN)
		abort();
	(void)cap_strerror(r);
	if (r != CAP_OK)
		return;
	if (c.expires <= FNOW || c.issued > FNOW + 5 || c.conn != FCONN ||
	    memcmp(c.bootid, key.bootid, CAP_BOOTIDLEN) != 0)
		abort();
	cb_init(&cb);
	if (cap_mint(&key, &c, &cb) == -1 || cb.len != size ||
	    memcmp(cb.data, data, size) != 0)
		abort();
	cb_free(&cb);
	(void)cap_has_scope(&c, "operator.admin");
}

static void
mint_and_verify(const uint8_t *data, size_t size)
{
	struct capability	 c, out;
	struct cbuf		 cb;
	uint64_t		 now, span;
	int			 r;

	memset(&c, 0, sizeof(c));
	memcpy(c.bootid, key.bootid, CAP_BOOTIDLEN);
	c.issued = get_u64(&data, &size) >> 1;
	span = get_u64(&data, &size) >> 2;
	c.expires = c.issued + span;
	c.conn = get_u64(&data, &size);
	now = get_u64(&data, &size);
	get_str(&data, &size, c.principal, sizeof(c.principal));
	get_str(&data, &size, c.role, sizeof(c.role));
	get_str(&data, &size, c.scopes, sizeof(c.scopes));
	get_str(&data, &size, c.connector, sizeof(c.connector));
	if (span == 0)
		return;
	now = c.issued + now % span;	/* issued <= now < expires < 2^63 */

	cb_init(&cb);
	if (cap_mint(&key, &c, &cb) == -1 || cb.len > CAP_MAXLEN)
		abort();
	memset(&out, 0, sizeof(out));
	if ((r = cap_verify(&key, cb.data, cb.len, now, c.conn, &out)) !=
	    CAP_OK) {
		fprintf(stderr, "minted capability refused: %s\n",
		    cap_strerror(r));
		abort();
	}
	if (memcmp(&out.bootid, &c.bootid, CAP_BOOTIDLEN) != 0 ||
	    strcmp(out.principal, c.principal) != 0 ||
	    strcmp(out.role, c.role) != 0 ||
	    strcmp(out.scopes, c.scopes) != 0 ||
	    strcmp(out.connector, c.connector) != 0 ||
	    out.issued != c.issued || out.expires != c.expires ||
	    out.conn != c.conn)
		abort();
	if (cap_verify(&key, cb.data, cb.len, now, c.conn + 1, NULL) !=
	    CAP_ERR_CONN)
		abort();
	if (cap_verify(&key, cb.data, cb.len, c.expires, c.conn, NULL) !=
	    CAP_ERR_EXPIRED)
		abort();
	if (cap_verify(&other, cb.data, cb.len, now, c.conn, NULL) !=
	    CAP_ERR_MAC)
		abort();
	if (cb.len > 0 &&
	    cap_verify(&key, cb.data, cb.len - 1, now, c.conn, NULL) !=
	    CAP_ERR_MALFORMED)
		abort();
	/* every scope word of the capability is found */
	if (c.scopes[0] != '\0' && c.scopes[0] != ' ') {
		char	 w[sizeof(c.scopes)];
		size_t	 n = strcspn(c.scopes, " ");

		memcpy(w, c.scopes, n);
		w[n] = '\0';
		if (!cap_has_scope(&out, w))
			abort();
	}
	cb_free(&cb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!inited)
		init();
	if (size < 1)
		return 0;
	if (data[0] & 1)
		mint_and_verify(data + 1, size - 1);
	else
		verify_arbitrary(data + 1, size - 1);
	return 0;
}
