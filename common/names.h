/*
 * names.h - the one check for operator-chosen names (users, groups, token
 * names) that clawgate stores, prints and logs (parent and authd).
 */
#ifndef CLAWGATE_NAMES_H
#define CLAWGATE_NAMES_H

#include <stddef.h>

/* 1 if s is 1..maxlen characters of A-Z a-z 0-9 . _ - */
int	name_is_safe(const char *s, size_t maxlen);

#endif
