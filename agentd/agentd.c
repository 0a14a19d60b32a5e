/*
 * agentd.c - agentd (trust zone "agentd": uid _clawagent, no capabilities,
 * chrooted to its state directory).  The agent core comes later; for now
 * it keeps its LMDB environment and verifies the capabilities that front
 * forwards with each call (a verifier of invariant 3).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <sodium.h>

#include "agentd.h"
#include "capability.h"
#include "log.h"
#include "msgtypes.h"
#include "state.h"

static struct child	 agentd;

static void
result(struct imsgev *iev, uint64_t req, int ok, const char *json)
{
	struct cbuf	 cb;

	cb_init(&cb);
	cb_put_u64(&cb, req);
	cb_put_u8(&cb, (uint8_t)ok);
	cb_put_str(&cb, json);
	if (imsgev_compose_cb(iev, IMSG_AGENT_RESULT, 0, -1, &cb) == -1)
		log_warn("AGENT_RESULT");
	cb_free(&cb);
}

static void
add_scopes(cJSON *o, const char *list)
{
	cJSON		*arr = cJSON_AddArrayToObject(o, "scopes");
	char		 word[64];
	size_t		 n;

	while (arr != NULL && *list != '\0') {
		while (*list == ' ')
			list++;
		n = strcspn(list, " ");
		if (n > 0 && n < sizeof(word)) {
			memcpy(word, list, n);
			word[n] = '\0';
			cJSON_AddItemToArray(arr, cJSON_CreateString(word));
		}
		list += n;
	}
}

static void
whoami(struct imsgev *iev, uint64_t req, const struct capability *cap)
{
	cJSON	*o;
	char	*s;

	if ((o = cJSON_CreateObject()) == NULL)
		fatalx("out of memory");
	cJSON_AddBoolToObject(o, "ok", 1);
	cJSON_AddStringToObject(o, "principal", cap->principal);
	cJSON_AddStringToObject(o, "role", cap->role);
	add_scopes(o, cap->scopes);
	cJSON_AddStringToObject(o, "connector", cap->connector);
	cJSON_AddNumberToObject(o, "expires", (double)cap->expires);
	cJSON_AddStringToObject(o, "verified_by", "agentd");
	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(o);
	result(iev, req, 1, s);
	cJSON_free(s);
}

/*
 * The answer to an AGENT_CALL (clawctl, or front's HTTP API) in their
 * shape: the payload and "ok":true, or "ok":false, "error" and "code".
 */
void
ctl_answer(struct imsgev *iev, uint64_t req, int ok, cJSON *o)
{
	cJSON	*p, *m, *c, *d;
	char	*s;

	if (!ok) {
		m = cJSON_GetObjectItem(o, "message");
		c = cJSON_GetObjectItem(o, "code");
		d = cJSON_GetObjectItem(o, "details");
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "error", cJSON_IsString(m) ?
		    m->valuestring : "error");
		cJSON_AddStringToObject(p, "code", cJSON_IsString(c) ?
		    c->valuestring : "ERROR");
		if (d != NULL)
			cJSON_AddItemToObject(p, "details",
			    cJSON_DetachItemViaPointer(o, d));
		cJSON_Delete(o);
		o = p;
	}
	if (!cJSON_HasObjectItem(o, "ok"))
		cJSON_AddBoolToObject(o, "ok", ok);
	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(o);
	if (strlen(s) > 60000) {
		cJSON_free(s);
		result(iev, req, 0, "{\"ok\":false,\"error\":\"answer too "
		    "long; ask for less (a prefix, a limit)\"}");
		return;
	}
	result(iev, req, ok, s);
	cJSON_free(s);
}

/* a gateway method for clawctl or the HTTP API: same method, same scope
 * check */
static void
ctl_method(struct imsgev *iev, uint64_t req, const struct capability *cap,
    const char *method, const char *params)
{
	cJSON	*p = params ? cJSON_Parse(params) : NULL, *o;
	int	 ok;

	rpc_context(iev, req, req, 1);
	o = rpc_call(cap, method, p, &ok);
	rpc_context(NULL, 0, 0, 0);
	cJSON_Delete(p);
	if (ok == -1)
		return;		/* answered later */
	ctl_answer(iev, req, ok, o);
}

static void
agent_call(struct imsgev *iev, struct imsg *imsg)
{
	struct cbuf		 cb;
	struct capability	 cap;
	const uint8_t		*cp;
	size_t			 clen;
	uint64_t		 req;
	char			 method[128], *params = NULL;
	int			 r;

	cb_view(&cb, imsg->data, imsg->datalen);
	cb_get_u64(&cb, &req);
	cb_get_bytes(&cb, &cp, &clen, CAP_MAXLEN);
	cb_get_str(&cb, method, sizeof(method));
	cb_get_strdup(&cb, &params, 16384);
	if (cb_get_end(&cb) == -1) {
		free(params);
		imsgev_violation(iev, "malformed AGENT_CALL");
		return;
	}
	/* the capability is bound to front's connection id, sent as req */
	r = cap_verify(&self->key, cp, clen, (uint64_t)time(NULL), req, &cap);
	if (r == CAP_ERR_EXPIRED) {
		free(params);
		result(iev, req, 0, "{\"ok\":false,\"error\":"
		    "\"capability expired\"}");
		return;
	}
	if (r != CAP_OK) {
		/* forged, tampered or from another boot: front is lying */
		free(params);
		log_warnx("AGENT_CALL %s: %s", method, cap_strerror(r));
		child_audit("agent-call", "front", method, "refused",
		    cap_strerror(r));
		imsgev_violation(iev, cap_strerror(r));
		return;
	}
	if (strcmp(method, "whoami") == 0)
		whoami(iev, req, &cap);
	else
		ctl_method(iev, req, &cap, method, params);
	free(params);
}

static void
peer_msg(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.type) {
	case IMSG_AGENT_CALL:
		agent_call(iev, imsg);
		break;
	case IMSG_RPC:
		rpc_handle(iev, imsg);
		break;
	case IMSG_SECRET_VALUE:
		keys_value(imsg);
		break;
	default:
		imsgev_violation(iev, "unexpected message");
	}
}

static void
peer_down(int role)
{
	if (role == ROLE_SECRETD)
		keys_peer_down();
}

int
main(void)
{

	log_init("agentd", 1, LOG_LVL_INFO);
	/* sodium_malloc'd credentials need it, and it opens no file later */
	if (sodium_init() == -1)
		fatalx("sodium_init");
	child_setup(&agentd, ROLE_AGENTD);
	if (!agentd.have_key)
		fatalx("no capability key from the parent");
	/* opened before the chroot: LMDB keeps its descriptors */
	agentd.db = state_open_child(&agentd.config, 64 * 1024 * 1024);
	config_init(agentd.db);
	memory_init(agentd.db);
	rpc_init();
	/* the skill roots are read before the chroot, as root */
	skills_init(&agentd.config);
	if ((agentd.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	/* the resolver and the CA file are read before the chroot */
	http_client_init(agentd.base, kv_get(&agentd.config, "model-ca-file"));
	child_test_hooks();
	child_drop(&agentd, NULL, 0, 1, 1);
	agentd_seccomp();
	agentd.hooks.peer_msg = peer_msg;
	agentd.hooks.peer_down = peer_down;
	child_run(&agentd);
}
