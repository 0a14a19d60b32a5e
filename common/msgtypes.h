/*
 * msgtypes.h - every internal message type of clawgate, the directed
 * edges that may carry it, whether a descriptor travels with it, and its
 * payload (all processes).
 *
 * A receiver checks each message with msg_check() against the edge it
 * arrived on (the sender is the edge, never a header field).  Payloads are
 * codec.h fields, listed here in order.
 */
#ifndef CLAWGATE_MSGTYPES_H
#define CLAWGATE_MSGTYPES_H

#include <stddef.h>
#include <stdint.h>

#define CTL_PROTO_VERSION	1	/* in peerid of every control message */

enum imsg_type {
	IMSG_NONE = 0,

	/* parent -> child (any), setup phase:  u32 n, n x (str key, str val) */
	IMSG_SETUP_CONFIG,
	/* parent -> authd, agentd, execd:  bytes key[32], bytes bootid[16] */
	IMSG_SETUP_KEY,
	/* parent -> child, fd:  u8 peer role, u32 generation.  Also sent after
	 * setup when a peer is restarted and the edge is rewired. */
	IMSG_SETUP_PEER,
	/* parent -> front, fd:  u8 kind (LISTENER_*), str name */
	IMSG_SETUP_LISTENER,
	/* parent -> child:  (empty) end of setup, drop privileges now */
	IMSG_SETUP_DONE,
	/* child -> parent:  (empty) privileges dropped, filter loaded */
	IMSG_READY,
	/* child -> parent:  u8 level, str line */
	IMSG_LOG,
	/* child -> parent:  str action, str principal, str object, str outcome,
	 * str detail */
	IMSG_AUDIT,
	/* child -> parent:  u8 peer role, str reason.  The child closed its
	 * edge to that peer because the peer broke the protocol. */
	IMSG_VIOLATION,
	/* parent -> front:  u8 n, n x (u8 role, u8 state) */
	IMSG_PROC_STATE,
	/* front -> parent:  u64 conn, bytes capability */
	IMSG_STATUS_REQ,
	/* parent -> front:  u64 conn, u8 ok, str json */
	IMSG_STATUS_RES,
	/* parent -> child:  same payload as SETUP_CONFIG, after SIGHUP */
	IMSG_CONFIG_UPDATE,

	/* front -> authd, fd (the accepted control connection):  u64 conn */
	IMSG_CTL_AUTH,
	/* authd -> front:  u64 conn, u8 ok, u32 uid, bytes capability,
	 * str reason */
	IMSG_CTL_AUTH_RES,

	/* front -> agentd:  u64 req, bytes capability, str method, str params
	 * (JSON; clawctl's whoami and config.*) */
	IMSG_AGENT_CALL,
	/* agentd -> front:  u64 req, u8 ok, str json */
	IMSG_AGENT_RESULT,

	/* clawctl -> front:  raw JSON request (not codec) */
	IMSG_CTL_REQUEST,
	/* front -> clawctl:  raw JSON reply (not codec) */
	IMSG_CTL_REPLY,

	/* numbers above stay fixed: clawctl speaks CTL_REQUEST/CTL_REPLY */
	/* front -> authd:  u64 req, str class, str source, u8 loopback,
	 * u8 forwarded (a forwarding header was present), bytes credential,
	 * str connector ("http", "ws"), str scopes requested ("*": all that
	 * the credential allows), str X-Forwarded-For, str proxy user header,
	 * u8 required proxy headers present, u8 has_device, then the device
	 * proof:
	 * str id, str public key, str signature, u64 signed_at, str nonce,
	 * str challenge nonce, str client id, str client mode, str role,
	 * str scopes as signed, str token as signed, str platform,
	 * str device family, str display name (all empty without a device),
	 * u8 credential kind (0 shared token or password, 1 device token) */
	IMSG_AUTH_TOKEN,
	/* authd -> front:  u64 req, u32 code (AUTH_*), u64 retry_after_ms,
	 * bytes capability, str message, str aux (AUTH_OK: the device
	 * token; AUTH_NOT_PAIRED: the pairing request id, then a space and
	 * the reason) */
	IMSG_AUTH_RESULT,
	/* front -> authd:  u64 conn, bytes capability, str json request */
	IMSG_AUTH_ADMIN,
	/* authd -> front:  u64 conn, u8 ok, str json */
	IMSG_AUTH_ADMIN_RES,
	/* front -> agentd (front -> authd for device.pair.* and
	 * device.token.*):  u64 conn, u64 req, bytes capability, str method,
	 * str params (JSON) */
	IMSG_RPC,
	/* agentd or authd -> front:  u64 conn, u64 req, u8 ok, str json
	 * (payload if ok, else an error object) */
	IMSG_RPC_RES,
	/* authd or agentd -> front:  str scope needed to see it, str event name,
	 * str payload (JSON); front relays it to open WebSocket sessions
	 * whose capability shows that scope */
	IMSG_EVENT,
	/* authd -> front:  str principal, str reason; front closes the
	 * sessions of that principal (revoked or removed credential) */
	IMSG_AUTH_KICK,
	/* secretd -> parent:  u32 provider index, u32 serial: open the file
	 * or run the command of that provider of the boot configuration */
	IMSG_SECRET_OPEN,
	/* parent -> secretd (fd):  u32 index, u32 serial, u32 pid (exec) */
	IMSG_SECRET_FD,
	/* parent -> secretd:  u32 index, u32 serial, str why it was refused */
	IMSG_SECRET_FAIL,
	/* secretd -> parent:  bytes (32), its sealing public key */
	IMSG_SECRET_PUBKEY,
	/* authd -> secretd:  u64 conn, str principal, str json (clawctl
	 * secrets; authd checked the admin capability) */
	IMSG_SECRET_ADMIN,
	/* secretd -> authd:  u64 conn, u8 ok, str json */
	IMSG_SECRET_ADMIN_RES,
	/* agentd -> secretd:  u64 id, str reference (short form) */
	IMSG_SECRET_FETCH,
	/* secretd -> agentd:  u64 id, u8 ok, bytes value (ok) or error */
	IMSG_SECRET_VALUE,
	/* authd -> secretd:  u64 id, u8 kind (VERIFY_*), str reference,
	 * str timestamp, bytes body, str signature */
	IMSG_SECRET_VERIFY,
	/* secretd -> authd:  u64 id, u8 good, str reason */
	IMSG_SECRET_VERDICT,
	/* secretd -> parent:  u32 pid of a provider command it gave up on */
	IMSG_SECRET_KILL,


	IMSG_MAX
};

/* process states carried by IMSG_PROC_STATE */
enum proc_state {
	PS_STOPPED = 0,
	PS_STARTING,
	PS_RUNNING,
	PS_RESTARTING,
	PS_THROTTLED,
};

/* outcome of IMSG_AUTH_TOKEN */
enum auth_code {
	AUTH_OK = 0,
	AUTH_MISSING,			/* no credential */
	AUTH_MISMATCH,			/* wrong credential */
	AUTH_RATE_LIMITED,		/* locked out; retry_after_ms set */
	AUTH_PROXY_REQUIRED,		/* forwarding header, untrusted peer */
	AUTH_DEVICE_FAIL,		/* bad device proof; message = code */
	AUTH_NOT_PAIRED,		/* good proof, device not paired */
	AUTH_DEVICE_TOKEN_MISMATCH,	/* wrong device token */
	AUTH_UNAVAILABLE,		/* store error, too many requests */
	AUTH_CODE_MAX
};

/* the signature kinds of IMSG_SECRET_VERIFY */
enum verify_kind {
	VERIFY_KIND_SLACK = 1,		/* HMAC-SHA256, "v0=" hex */
	VERIFY_KIND_TELEGRAM,		/* secret token, constant time */
	VERIFY_KIND_DISCORD,		/* Ed25519 of timestamp || body */
};

enum listener_kind {
	LISTENER_HTTP = 1,
	LISTENER_CONTROL = 2,
};

#define FD_NONE		0
#define FD_REQUIRED	1

struct msgdef {
	const char	*name;
	uint64_t	 edges;		/* bit (from * 8 + to) */
	int		 fd;		/* FD_NONE or FD_REQUIRED */
	size_t		 maxlen;	/* payload bound */
};

const struct msgdef *msg_def(uint32_t type);
const char	*msg_name(uint32_t type);
/*
 * 0 if `type' may arrive from role `from' at role `to' with (has_fd) or
 * without a descriptor and a payload of `len' bytes; otherwise -1 with a
 * static reason in *why.
 */
int		 msg_check(uint32_t type, int from, int to, int has_fd,
		    size_t len, const char **why);

/* 1 if some message type from `from' to `to' carries a descriptor */
int		 msg_edge_carries_fd(int from, int to);

#endif
