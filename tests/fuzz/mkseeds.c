/*
 * mkseeds.c - writes the seed corpora of the fuzz harnesses into
 * tests/fuzz/seeds/fuzz_NAME/ (run from the top of the tree).  The seeds
 * are committed; rerun this only to regenerate them:
 *
 *	cc -std=c11 -D_GNU_SOURCE -Icommon -o /tmp/mkseeds \
 *	    tests/fuzz/mkseeds.c common/codec.c common/kv.c \
 *	    common/capability.c -lsodium
 *	/tmp/mkseeds
 *
 * It is not built by the Makefile (fuzz_*.c only).
 */
#include <sys/stat.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "capability.h"
#include "codec.h"
#include "imsg.h"
#include "kv.h"

#define SEEDS	"tests/fuzz/seeds"

static void
put(const char *harness, const char *name, const void *p, size_t n)
{
	char	 path[256];
	FILE	*f;

	snprintf(path, sizeof(path), SEEDS "/%s", harness);
	mkdir(SEEDS, 0755);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), SEEDS "/%s/%s", harness, name);
	if ((f = fopen(path, "wb")) == NULL)
		err(1, "%s", path);
	if (n && fwrite(p, 1, n, f) != n)
		err(1, "%s", path);
	if (fclose(f) != 0)
		err(1, "%s", path);
}

static void
put_cb(const char *harness, const char *name, struct cbuf *cb)
{
	if (cb->err)
		errx(1, "%s/%s: encoding failed", harness, name);
	put(harness, name, cb->data, cb->len);
	cb_free(cb);
}

static void
put_raw(struct cbuf *cb, const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < n; i++)
		cb_put_u8(cb, b[i]);
}

/* a frame: 16-byte header (host order) and payload */
static void
frame(struct cbuf *cb, uint32_t type, const void *p, size_t n, int fd)
{
	struct imsg_hdr	 h;

	h.type = type;
	h.len = (uint32_t)(IMSG_HDR_SIZE + n) | (fd ? IMSG_FD_MARK : 0);
	h.peerid = 1;
	h.pid = 4242;
	put_raw(cb, &h, sizeof(h));
	put_raw(cb, p, n);
}

static void
imsg_seeds(void)
{
	struct cbuf	 cb;
	uint8_t		 big[300];

	memset(big, 'b', sizeof(big));

	/* mode 0x00: no fds, default bound; chunk 1; no fd pattern */
	cb_init(&cb);
	cb_put_u8(&cb, 0x00); cb_put_u8(&cb, 0); cb_put_u8(&cb, 0);
	frame(&cb, 1, "hello", 5, 0);
	put_cb("fuzz_imsg", "one-bytewise", &cb);

	/* several frames, fed all at once */
	cb_init(&cb);
	cb_put_u8(&cb, 0x00); cb_put_u8(&cb, 255); cb_put_u8(&cb, 0);
	frame(&cb, 1, "a", 1, 0);
	frame(&cb, 2, "", 0, 0);
	frame(&cb, 3, "xyz", 3, 0);
	put_cb("fuzz_imsg", "three-at-once", &cb);

	/* allow_fd, fd before the first chunk, marked frame */
	cb_init(&cb);
	cb_put_u8(&cb, 0x01); cb_put_u8(&cb, 255); cb_put_u8(&cb, 0x01);
	frame(&cb, 4, "fd", 2, 1);
	frame(&cb, 5, "nofd", 4, 0);
	put_cb("fuzz_imsg", "fd-marked", &cb);

	/* allow_fd, descriptors taken, chunks of 7, fds before chunks 0,3 */
	cb_init(&cb);
	cb_put_u8(&cb, 0x11); cb_put_u8(&cb, 6); cb_put_u8(&cb, 0x09);
	frame(&cb, 4, "first", 5, 1);
	frame(&cb, 4, "second", 6, 1);
	put_cb("fuzz_imsg", "fd-two", &cb);

	/* bound 255 (index 5), a frame of exactly 255, then one too big */
	cb_init(&cb);
	cb_put_u8(&cb, 5 << 1); cb_put_u8(&cb, 63); cb_put_u8(&cb, 0);
	frame(&cb, 6, big, 255, 0);
	frame(&cb, 7, big, sizeof(big), 0);
	put_cb("fuzz_imsg", "bound-255", &cb);

	/* bound 16 (index 2), header-sized frames */
	cb_init(&cb);
	cb_put_u8(&cb, 2 << 1); cb_put_u8(&cb, 2); cb_put_u8(&cb, 0);
	frame(&cb, 8, big, 16, 0);
	frame(&cb, 9, big, 0, 0);
	put_cb("fuzz_imsg", "bound-16", &cb);
}

static void
codec_seeds(void)
{
	struct cbuf	 cb;
	struct kv	 kv;

	/* schema: u8, u32, u64, str(<=15), bytes(<=80), fixed(4) */
	cb_init(&cb);
	cb_put_u8(&cb, 5);
	cb_put_u8(&cb, 0); cb_put_u8(&cb, 1); cb_put_u8(&cb, 2);
	cb_put_u8(&cb, (15 << 3) | 3); cb_put_u8(&cb, (10 << 3) | 6);
	cb_put_u8(&cb, (4 << 3) | 5);
	cb_put_u8(&cb, 7);
	cb_put_u32(&cb, 0xdeadbeef);
	cb_put_u64(&cb, 0x0102030405060708ULL);
	cb_put_str(&cb, "hello");
	cb_put_bytes(&cb, "\0\1\2\3", 4);
	cb_put_bytes(&cb, "abcd", 4);
	put_cb("fuzz_codec", "all-types", &cb);

	/* schema: strdup(<=31), strdup(<=8), u8 */
	cb_init(&cb);
	cb_put_u8(&cb, 2);
	cb_put_u8(&cb, (31 << 3) | 4); cb_put_u8(&cb, (8 << 3) | 4);
	cb_put_u8(&cb, 0);
	cb_put_str(&cb, "strdup this");
	cb_put_str(&cb, "");
	cb_put_u8(&cb, 1);
	put_cb("fuzz_codec", "strdup", &cb);

	/* schema: one u32 field; payload is also a kv list */
	kv_init(&kv);
	kv_set(&kv, "listen", "127.0.0.1:18789");
	kv_set(&kv, "port", "18789");
	kv_set(&kv, "name", "");
	cb_init(&cb);
	cb_put_u8(&cb, 0);
	cb_put_u8(&cb, 1);
	if (kv_encode(&kv, &cb) == -1)
		errx(1, "kv_encode");
	put_cb("fuzz_codec", "kv", &cb);
	kv_clear(&kv);

	/* a kv list with a duplicate key */
	cb_init(&cb);
	cb_put_u8(&cb, 0);
	cb_put_u8(&cb, 1);
	cb_put_u32(&cb, 2);
	cb_put_str(&cb, "k"); cb_put_str(&cb, "v1");
	cb_put_str(&cb, "k"); cb_put_str(&cb, "v2");
	put_cb("fuzz_codec", "kv-dup", &cb);
}

static void
capability_seeds(void)
{
	struct capkey		 key;
	struct capability	 c;
	struct cbuf		 cb, cap;
	size_t			 i;

	/* the harness's fixed key */
	for (i = 0; i < CAP_KEYLEN; i++)
		key.key[i] = (uint8_t)i;
	for (i = 0; i < CAP_BOOTIDLEN; i++)
		key.bootid[i] = (uint8_t)(0xb0 + i);
	if (sodium_init() == -1)
		errx(1, "sodium_init");

	/* a capability valid at the harness's time and connection */
	memset(&c, 0, sizeof(c));
	memcpy(c.bootid, key.bootid, CAP_BOOTIDLEN);
	snprintf(c.principal, sizeof(c.principal), "alice");
	snprintf(c.role, sizeof(c.role), "operator");
	snprintf(c.scopes, sizeof(c.scopes), "operator.read operator.admin");
	snprintf(c.connector, sizeof(c.connector), "slack");
	c.issued = 1700000000ULL - 60;
	c.expires = 1700000000ULL + 3600;
	c.conn = 77;
	cb_init(&cap);
	if (cap_mint(&key, &c, &cap) == -1)
		errx(1, "cap_mint");
	cb_init(&cb);
	cb_put_u8(&cb, 0);
	put_raw(&cb, cap.data, cap.len);
	put_cb("fuzz_capability", "valid", &cb);

	/* expired, and on another connection */
	cb_free(&cap);
	c.expires = 1700000000ULL;
	c.conn = 78;
	cb_init(&cap);
	if (cap_mint(&key, &c, &cap) == -1)
		errx(1, "cap_mint");
	cb_init(&cb);
	cb_put_u8(&cb, 0);
	put_raw(&cb, cap.data, cap.len);
	put_cb("fuzz_capability", "expired", &cb);
	cb_free(&cap);

	/* mint mode: issued, span, conn, now, then four strings */
	cb_init(&cb);
	cb_put_u8(&cb, 1);
	cb_put_u64(&cb, 2 * 1700000000ULL);
	cb_put_u64(&cb, 4 * 3600ULL);
	cb_put_u64(&cb, 77);
	cb_put_u64(&cb, 10);
	cb_put_u8(&cb, 5);
	put_raw(&cb, "alice", 5);
	cb_put_u8(&cb, 2);
	put_raw(&cb, "op", 2);
	cb_put_u8(&cb, 9);
	put_raw(&cb, "read exec", 9);
	cb_put_u8(&cb, 0);
	put_cb("fuzz_capability", "mint", &cb);
}

int
main(void)
{
	imsg_seeds();
	codec_seeds();
	capability_seeds();
	return 0;
}
