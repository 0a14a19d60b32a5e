/*
 * authd.h - authd (trust zone "authd": uid _clawauth, no capabilities,
 * chrooted to its state directory, no network).  Decides who is who and
 * mints capabilities under the boot MAC key.
 */
#ifndef CLAWGATE_AUTHD_H
#define CLAWGATE_AUTHD_H

#include "child.h"

/* control.c */
void	control_auth(struct imsgev *, struct imsg *);
void	control_config(const struct kv *);

/* auth.c */
struct ratelimit;
void	auth_config(const struct kv *);
struct ratelimit *auth_limiter(void);
void	auth_token(struct imsgev *, struct imsg *);
void	auth_admin(struct imsgev *, struct imsg *);
void	auth_rpc(struct imsgev *, struct imsg *);
void	auth_secrets_result(struct imsgev *, struct imsg *);

/* seccomp.c */
void	authd_seccomp(void);

#endif
