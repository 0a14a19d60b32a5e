/*
 * codec.h - the one typed payload codec of clawgate's internal messages
 * (shared by every trust zone).
 *
 * A payload is a sequence of fields written with cb_put_* and read back in
 * the same order with cb_get_*, then closed with cb_get_end(), which fails
 * if bytes remain.  Integers are fixed-width little-endian; strings and
 * byte strings carry a u32 length prefix.  Strings never contain NUL.
 * Every reader is bounds-checked: once a read fails the buffer is poisoned
 * and every later read fails too, so a decoder checks the result once.
 */
#ifndef CLAWGATE_CODEC_H
#define CLAWGATE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define CB_MAXLEN	(1024 * 1024)	/* largest payload we ever build */

struct cbuf {
	uint8_t	*data;
	size_t	 len;		/* bytes written / available */
	size_t	 cap;		/* allocated (writer only) */
	size_t	 pos;		/* read cursor */
	int	 err;		/* sticky error */
	int	 owned;		/* data is ours to free */
};

/* writer */
void	cb_init(struct cbuf *);
void	cb_free(struct cbuf *);
int	cb_put_u8(struct cbuf *, uint8_t);
int	cb_put_u32(struct cbuf *, uint32_t);
int	cb_put_u64(struct cbuf *, uint64_t);
int	cb_put_str(struct cbuf *, const char *);
int	cb_put_bytes(struct cbuf *, const void *, size_t);

/* reader over borrowed memory */
void	cb_view(struct cbuf *, const void *, size_t);
int	cb_get_u8(struct cbuf *, uint8_t *);
int	cb_get_u32(struct cbuf *, uint32_t *);
int	cb_get_u64(struct cbuf *, uint64_t *);
/* copies into buf (size bufsz, NUL-terminated); fails if it does not fit */
int	cb_get_str(struct cbuf *, char *buf, size_t bufsz);
/* allocates; fails if longer than maxlen */
int	cb_get_strdup(struct cbuf *, char **out, size_t maxlen);
/* exact-length byte string */
int	cb_get_fixed(struct cbuf *, void *buf, size_t len);
/* variable byte string, pointer into the view, at most maxlen */
int	cb_get_bytes(struct cbuf *, const uint8_t **p, size_t *len,
	    size_t maxlen);
int	cb_get_end(struct cbuf *);

#endif
