/*
 * authd.c - main of authd (trust zone "authd"): setup from the parent,
 * its LMDB environment, privilege drop into its state directory, seccomp,
 * then serve front's authentication requests.
 */
#include <limits.h>
#include <stdio.h>

#include "authd.h"
#include "log.h"
#include "msgtypes.h"
#include "pairing.h"
#include "state.h"
#include "tokens.h"

static struct child	 authd;

static void
peer_msg(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.type) {
	case IMSG_CTL_AUTH:
		control_auth(iev, imsg);
		break;
	case IMSG_AUTH_TOKEN:
		auth_token(iev, imsg);
		break;
	case IMSG_AUTH_ADMIN:
		auth_admin(iev, imsg);
		break;
	case IMSG_RPC:
		auth_rpc(iev, imsg);
		break;
	case IMSG_SECRET_ADMIN_RES:
		auth_secrets_result(iev, imsg);
		break;
	default:
		imsgev_violation(iev, "unexpected message");
	}
}

static void
config_update(const struct kv *kv)
{
	control_config(kv);
	auth_config(kv);
	pairing_config(kv);
}

int
main(void)
{

	log_init("authd", 1, LOG_LVL_INFO);
	child_setup(&authd, ROLE_AUTHD);
	if (!authd.have_key)
		fatalx("no capability key from the parent");
	/* opened before the chroot: LMDB keeps its descriptors */
	authd.db = state_open_child(&authd.config, 16 * 1024 * 1024);
	tokens_init(authd.db);
	pairing_init(authd.db);
	control_config(&authd.config);
	auth_config(&authd.config);
	pairing_config(&authd.config);
	if ((authd.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	child_test_hooks();
	child_drop(&authd, NULL, 0, 1, 1);
	authd_seccomp();
	authd.hooks.peer_msg = peer_msg;
	authd.hooks.config_update = config_update;
	child_run(&authd);
}
