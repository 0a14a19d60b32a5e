/*
 * front.c - main of the front role (trust zone "front"), started by the
 * parent as `gatewayd -P front`: take the setup, open HTTP and control
 * listeners, drop privileges, load the filter, run.
 */
#include <stdlib.h>
#include <string.h>

#include "front.h"
#include "gatewayd.h"
#include "log.h"
#include "msgtypes.h"

uint8_t		 front_states[ROLE_MAX];
int		 front_states_known;
static struct child	 front;

static void
parent_msg(struct imsg *imsg)
{
	struct cbuf	 cb;
	uint8_t		 n, r, st, i;
	uint8_t		 states[ROLE_MAX];

	switch (imsg->hdr.type) {
	case IMSG_PROC_STATE:
		memset(states, 0, sizeof(states));
		cb_view(&cb, imsg->data, imsg->datalen);
		cb_get_u8(&cb, &n);
		for (i = 0; i < n && !cb.err; i++) {
			cb_get_u8(&cb, &r);
			cb_get_u8(&cb, &st);
			if (r < ROLE_MAX)
				states[r] = st;
		}
		if (cb_get_end(&cb) == -1)
			fatalx("bad PROC_STATE from parent");
		memcpy(front_states, states, sizeof(states));
		front_states_known = 1;
		break;
	case IMSG_STATUS_RES:
		control_status_result(imsg);
		break;
	default:
		log_warnx("ignoring %s from parent", msg_name(imsg->hdr.type));
	}
}

static void
peer_msg(struct imsgev *iev, struct imsg *imsg)
{
	switch (imsg->hdr.type) {
	case IMSG_CTL_AUTH_RES:
		control_auth_result(iev, imsg);
		break;
	case IMSG_AGENT_RESULT:
		control_agent_result(iev, imsg);
		break;
	case IMSG_AUTH_RESULT:
		api_auth_result(iev, imsg);
		break;
	case IMSG_AUTH_ADMIN_RES:
		control_admin_result(iev, imsg);
		break;
	case IMSG_RPC_RES:
		gw_rpc_result(iev, imsg);
		break;
	case IMSG_EVENT:
		gw_event(iev, imsg);
		break;
	case IMSG_AUTH_KICK:
		gw_kick(iev, imsg);
		break;
	default:
		imsgev_violation(iev, "unexpected message");
	}
}

static void
peer_down(int role)
{
	control_peer_down(role);
	api_peer_down(role);
	gw_peer_down(role);
}

int
front_main(void)
{
	struct event_config	*cfg;

	log_init("front", 1, LOG_LVL_INFO);
	child_setup(&front, ROLE_FRONT);
	/*
	 * epoll's changelist: the read/write interest a connection flips
	 * several times while serving a request costs one epoll_ctl per
	 * loop, not one per flip (it was the front's first cost under load).
	 * No descriptor front watches is ever dup'ed, which the changelist
	 * cannot tell apart.
	 */
	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) ==
	    -1 || (front.base = event_base_new_with_config(cfg)) == NULL)
		fatalx("event_base_new");
	event_config_free(cfg);
	http_init(&front);
	control_init(&front);
	api_init(&front);
	gw_init(&front);
	child_test_hooks();
	child_drop(&front, NULL, 0, 1, 1);
	front_seccomp();
	front.hooks.parent_msg = parent_msg;
	front.hooks.peer_msg = peer_msg;
	front.hooks.peer_down = peer_down;
	child_run(&front);
}
