/*
 * secretd.c - main of secretd (trust zone "secretd": uid _clawsec, no
 * capabilities, not dumpable, chrooted to its state directory, no
 * network, no exec).  See secretd.h for the design.  Setup from the
 * parent; the vault key read while still root; privilege drop; the
 * filter; then, in the loop, the sealing keys made and published and the
 * snapshot of outbound and verify references resolved; then serve
 * agentd, authd and the parent.
 */
#include <malloc.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "msgtypes.h"
#include "secretd.h"
#include "state.h"

static struct child	 secretd;

/* everything cJSON frees may have held a value: wipe it first */
static void
wiping_free(void *p)
{
	if (p != NULL)
		sodium_memzero(p, malloc_usable_size(p));
	free(p);
}

static void
parent_msg(struct imsg *imsg)
{
	switch (imsg->hdr.type) {
	case IMSG_SECRET_FD:
		resolve_fd(imsg);
		break;
	case IMSG_SECRET_FAIL:
		resolve_fail(imsg);
		break;
	default:
		log_warnx("ignoring %s from the parent",
		    msg_name(imsg->hdr.type));
	}
}

static void
peer_msg(struct imsgev *iev, struct imsg *imsg)
{
	/* msg_check has already refused a type on the wrong edge */
	switch (imsg->hdr.type) {
	case IMSG_SECRET_FETCH:
		store_fetch(iev, imsg);
		break;
	case IMSG_SECRET_VERIFY:
		store_verify(iev, imsg);
		break;
	case IMSG_SECRET_ADMIN:
		store_admin(iev, imsg);
		break;
	default:
		imsgev_violation(iev, "unexpected message");
	}
}

static void
started(void *arg, cJSON *o)
{
	const cJSON	*f = cJSON_GetObjectItem(o, "failed");

	(void)arg;
	if (cJSON_IsNumber(f) && f->valueint > 0)
		log_warnx("%d secret reference%s did not resolve (clawctl "
		    "secrets list)", f->valueint, f->valueint == 1 ? "" : "s");
	cJSON_Delete(o);
}

static void
first_run(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	seal_init();
	store_reload(started, NULL);
}

int
main(void)
{
	cJSON_Hooks	 hooks = { malloc, wiping_free };
	struct timeval	 zero = { 0, 0 };

	log_init("secretd", 1, LOG_LVL_INFO);
	if (sodium_init() == -1)
		fatalx("sodium_init");
	cJSON_InitHooks(&hooks);
	child_setup(&secretd, ROLE_SECRETD);
	if (secretd.have_key)
		fatalx("secretd must not hold the capability key");
	/* opened before the chroot: LMDB keeps its descriptors */
	secretd.db = state_open_child(&secretd.config, 64 * 1024 * 1024);
	vault_init(secretd.db, kv_get(&secretd.config, "vault-key"));
	providers_config(&secretd.config);
	store_config(&secretd.config);
	if ((secretd.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	child_test_hooks();
	child_drop(&secretd, NULL, 0, 0, 1);
	secretd_seccomp();
	secretd.hooks.parent_msg = parent_msg;
	secretd.hooks.peer_msg = peer_msg;
	/* the edges are up once the loop runs */
	if (event_base_once(secretd.base, -1, EV_TIMEOUT, first_run, NULL,
	    &zero) == -1)
		fatalx("event_base_once");
	child_run(&secretd);
}
