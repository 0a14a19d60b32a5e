/*
 * fuzz_codec.c - libFuzzer harness for the payload codec (common/codec.c)
 * and the configuration key/value list decoder (common/kv.c).
 *
 * Input: byte 0 gives the number of fields (1-16), the next bytes are the
 * "schema", one byte per field: the low 3 bits pick the reader (u8, u32,
 * u64, str, strdup, fixed, bytes), the high 5 bits its size limit.  The
 * rest is the payload, decoded field by field and closed with cb_get_end.
 * The whole payload is then given to kv_decode as well.
 *
 * Checked: errors are sticky; the cursor never passes the end; strings
 * have no NUL and fit their limit; re-encoding what was decoded gives back
 * exactly the bytes consumed; a kv list that decodes re-encodes to bytes
 * that decode to the same list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "kv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAXFIELDS	16

static void
check_kv(const uint8_t *data, size_t size)
{
	struct kv	 kv, kv2;
	struct cbuf	 w;
	size_t		 i;

	if (kv_decode(&kv, data, size) == -1) {
		if (kv.n != 0)
			abort();
		return;
	}
	if (kv.n > KV_MAX)
		abort();
	for (i = 0; i < kv.n; i++) {
		if (strlen(kv.key[i]) >= KV_MAXSTR ||
		    strlen(kv.val[i]) >= KV_MAXSTR)
			abort();
		/* keys are unique: a later duplicate replaced the value */
		if (kv_get(&kv, kv.key[i]) != kv.val[i])
			abort();
	}
	(void)kv_getnum(&kv, "port", 65535);
	cb_init(&w);
	if (kv_encode(&kv, &w) == -1)
		abort();
	if (kv_decode(&kv2, w.data, w.len) == -1 || kv2.n != kv.n)
		abort();
	for (i = 0; i < kv.n; i++)
		if (strcmp(kv.key[i], kv2.key[i]) != 0 ||
		    strcmp(kv.val[i], kv2.val[i]) != 0)
			abort();
	/* without duplicate keys the encoding is the input itself */
	if (w.len > size)
		abort();
	cb_free(&w);
	kv_clear(&kv);
	kv_clear(&kv2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbuf	 r, w;
	const uint8_t	*schema, *bp;
	uint8_t		 u8, fixed[32];
	uint32_t	 u32;
	uint64_t	 u64;
	char		 str[33], *dup;
	size_t		 nfields, i, lim, blen, before;
	int		 failed = 0, rv;

	if (size < 1)
		return 0;
	nfields = (data[0] & (MAXFIELDS - 1)) + 1;
	if (size < 1 + nfields)
		return 0;
	schema = data + 1;
	data += 1 + nfields;
	size -= 1 + nfields;

	cb_view(&r, data, size);
	cb_init(&w);
	for (i = 0; i < nfields; i++) {
		lim = schema[i] >> 3;		/* 0..31 */
		before = r.pos;
		dup = NULL;
		switch (schema[i] & 7) {
		case 0:
			if ((rv = cb_get_u8(&r, &u8)) == 0)
				cb_put_u8(&w, u8);
			break;
		case 1:
			if ((rv = cb_get_u32(&r, &u32)) == 0)
				cb_put_u32(&w, u32);
			break;
		case 2:
			if ((rv = cb_get_u64(&r, &u64)) == 0)
				cb_put_u64(&w, u64);
			break;
		case 3:
			/* bufsz 0 included: must always fail */
			if ((rv = cb_get_str(&r, str, lim + 1 == 32 ? 0 :
			    lim + 1)) == 0) {
				if (lim + 1 == 32 || strlen(str) > lim)
					abort();
				cb_put_str(&w, str);
			}
			break;
		case 4:
			if ((rv = cb_get_strdup(&r, &dup, lim)) == 0) {
				if (dup == NULL || strlen(dup) > lim)
					abort();
				/* no NUL inside: the whole field was text */
				if (r.pos - before != 4 + strlen(dup))
					abort();
				cb_put_str(&w, dup);
				free(dup);
			}
			break;
		case 5:
			if ((rv = cb_get_fixed(&r, fixed, lim)) == 0)
				cb_put_bytes(&w, fixed, lim);
			break;
		default:
			if ((rv = cb_get_bytes(&r, &bp, &blen, lim * 8)) == 0) {
				if (blen > lim * 8 || bp < data ||
				    bp + blen > data + size)
					abort();
				cb_put_bytes(&w, bp, blen);
			}
			break;
		}
		if (rv != 0 && rv != -1)
			abort();
		if (rv == -1) {
			if (!r.err)
				abort();
			failed = 1;
		} else if (failed)
			abort();	/* errors are sticky */
		if (r.pos > r.len || r.pos < before)
			abort();
	}
	rv = cb_get_end(&r);
	if (rv == 0 && (failed || r.pos != size))
		abort();
	if (rv == -1 && !failed && r.pos == size)
		abort();
	/* what was decoded encodes back to the bytes it came from */
	if (!failed && (w.err || w.len != r.pos ||
	    (w.len && memcmp(w.data, data, w.len) != 0)))
		abort();
	cb_free(&w);

	check_kv(data, size);
	return 0;
}
