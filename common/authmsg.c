/*
 * authmsg.c - encode and decode IMSG_AUTH_TOKEN (front encodes, authd
 * decodes).  See authmsg.h.
 */
#include <string.h>

#include "authmsg.h"

int
auth_req_encode(const struct auth_req *a, struct cbuf *cb)
{
	cb_put_u64(cb, a->req);
	cb_put_str(cb, a->cls);
	cb_put_str(cb, a->src);
	cb_put_u8(cb, a->loopback);
	cb_put_u8(cb, a->forwarded);
	cb_put_bytes(cb, a->cred, a->credlen);
	cb_put_str(cb, a->connector);
	cb_put_str(cb, a->want);
	cb_put_str(cb, a->xff);
	cb_put_str(cb, a->proxy_user);
	cb_put_u8(cb, a->proxy_required_ok);
	cb_put_u8(cb, a->has_device);
	cb_put_str(cb, a->dev.id);
	cb_put_str(cb, a->dev.public_key);
	cb_put_str(cb, a->dev.signature);
	cb_put_u64(cb, a->dev.signed_at);
	cb_put_str(cb, a->dev.nonce);
	cb_put_str(cb, a->dev.challenge);
	cb_put_str(cb, a->dev.client_id);
	cb_put_str(cb, a->dev.client_mode);
	cb_put_str(cb, a->dev.role);
	cb_put_str(cb, a->dev.scopes);
	cb_put_str(cb, a->dev.token);
	cb_put_str(cb, a->dev.platform);
	cb_put_str(cb, a->dev.device_family);
	cb_put_str(cb, a->dev.display_name);
	cb_put_u8(cb, a->cred_kind);
	return cb->err ? -1 : 0;
}

int
auth_req_decode(struct auth_req *a, const void *p, size_t len)
{
	struct cbuf	 cb;
	const uint8_t	*cred;

	memset(a, 0, sizeof(*a));
	cb_view(&cb, p, len);
	cb_get_u64(&cb, &a->req);
	cb_get_str(&cb, a->cls, sizeof(a->cls));
	cb_get_str(&cb, a->src, sizeof(a->src));
	cb_get_u8(&cb, &a->loopback);
	cb_get_u8(&cb, &a->forwarded);
	if (cb_get_bytes(&cb, &cred, &a->credlen, sizeof(a->cred)) == 0)
		memcpy(a->cred, cred, a->credlen);
	cb_get_str(&cb, a->connector, sizeof(a->connector));
	cb_get_str(&cb, a->want, sizeof(a->want));
	cb_get_str(&cb, a->xff, sizeof(a->xff));
	cb_get_str(&cb, a->proxy_user, sizeof(a->proxy_user));
	cb_get_u8(&cb, &a->proxy_required_ok);
	cb_get_u8(&cb, &a->has_device);
	cb_get_str(&cb, a->dev.id, sizeof(a->dev.id));
	cb_get_str(&cb, a->dev.public_key, sizeof(a->dev.public_key));
	cb_get_str(&cb, a->dev.signature, sizeof(a->dev.signature));
	cb_get_u64(&cb, &a->dev.signed_at);
	cb_get_str(&cb, a->dev.nonce, sizeof(a->dev.nonce));
	cb_get_str(&cb, a->dev.challenge, sizeof(a->dev.challenge));
	cb_get_str(&cb, a->dev.client_id, sizeof(a->dev.client_id));
	cb_get_str(&cb, a->dev.client_mode, sizeof(a->dev.client_mode));
	cb_get_str(&cb, a->dev.role, sizeof(a->dev.role));
	cb_get_str(&cb, a->dev.scopes, sizeof(a->dev.scopes));
	cb_get_str(&cb, a->dev.token, sizeof(a->dev.token));
	cb_get_str(&cb, a->dev.platform, sizeof(a->dev.platform));
	cb_get_str(&cb, a->dev.device_family, sizeof(a->dev.device_family));
	cb_get_str(&cb, a->dev.display_name, sizeof(a->dev.display_name));
	cb_get_u8(&cb, &a->cred_kind);
	if (cb_get_end(&cb) == -1 || a->loopback > 1 || a->forwarded > 1 ||
	    a->cred_kind > AUTH_CRED_DEVICE ||
	    a->has_device > 1 || a->proxy_required_ok > 1)
		return -1;
	return 0;
}
