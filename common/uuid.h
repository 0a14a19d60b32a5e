/*
 * uuid.h - random version 4 UUIDs in text (every process that names
 * things: front's challenge nonces, authd's pairing requests, agentd's
 * run ids).
 */
#ifndef CLAWGATE_UUID_H
#define CLAWGATE_UUID_H

#include <stddef.h>

#define UUID_TEXTLEN	37	/* 36 characters and the NUL */

/* a fresh random UUID into out (at least UUID_TEXTLEN bytes) */
void	uuid_v4(char *out, size_t outsz);

#endif
