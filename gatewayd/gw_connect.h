/*
 * gw_connect.h - validation of the OpenClaw `connect' request parameters
 * (trust zone "front": these come from the network).  Pure: no I/O, so
 * it can be fuzzed.  What it extracts is forwarded to authd; front does
 * not decide on it.
 */
#ifndef CLAWGATE_GW_CONNECT_H
#define CLAWGATE_GW_CONNECT_H

#include <cJSON.h>

#define GW_PROTOCOL		4	/* current */
#define GW_PROTOCOL_MIN		3	/* N-1, as nodes and probes use */

struct connect_req {
	int	 protocol;		/* negotiated */
	int	 min, max;		/* as asked */
	char	 client_id[64];
	char	 client_mode[32];
	char	 role[16];
	char	 scopes[256];		/* space-separated, known scopes */
	char	 credential[512];	/* auth.token, .password or .deviceToken */
	int	 cred_device;		/* credential is auth.deviceToken */
	char	 signed_token[512];	/* token ?? deviceToken, as signed */
	char	 signed_scopes[256];	/* scopes joined by ",", as signed */
	char	 platform[64];
	char	 device_family[64];
	char	 display_name[64];
	int	 has_device;
	char	 dev_id[80];
	char	 dev_public_key[96];
	char	 dev_signature[128];
	double	 dev_signed_at;
	char	 dev_nonce[64];
};

/*
 * 0 on success; otherwise -1 with an OpenClaw error code (e.g.
 * "INVALID_REQUEST"), a details code (e.g. "PROTOCOL_MISMATCH") or NULL,
 * and a message, all static strings.
 */
int	connect_validate(const cJSON *params, struct connect_req *,
	    const char **code, const char **detail, const char **msg);

#endif
