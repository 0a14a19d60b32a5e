/*
 * front_tls.c - TLS on the front's listeners (trust zone "front").
 * TLS 1.2 and 1.3 only, forward-secret AEAD ciphers, no compression, no
 * renegotiation.  The certificate and key are loaded while front is still
 * root, before its chroot; the key then lives in front's memory (DESIGN,
 * invariant 4's stated exception: moving signing into secretd is planned).
 */
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>

#include "front.h"
#include "log.h"

#define TLS12_CIPHERS	"ECDHE-ECDSA-AES128-GCM-SHA256:" \
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:" \
	"ECDHE-RSA-CHACHA20-POLY1305"

static void
tls_fatal(const char *what, const char *file)
{
	char	 buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	fatalx("tls: %s %s: %s", what, file, buf);
}

void *
tls_ctx_new(const char *cert, const char *key)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		tls_fatal("context", "");
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS) != 1)
		tls_fatal("protocol settings", "");
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		tls_fatal("certificate", cert);
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		tls_fatal("key", key);
	if (SSL_CTX_check_private_key(ctx) != 1)
		tls_fatal("key does not match the certificate", cert);
	return ctx;
}

/* evhttp's per-connection bufferevent for a TLS listener */
struct bufferevent *
tls_bevcb(struct event_base *base, void *arg)
{
	SSL	*ssl;

	if ((ssl = SSL_new(arg)) == NULL)
		return NULL;
	return bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}
