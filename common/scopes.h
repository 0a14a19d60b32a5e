/*
 * scopes.h - the closed set of operator scopes (OpenClaw's) and what each
 * implies (every verifier: authd when it mints, agentd/execd/parent when
 * they check a method's required scope against a capability).
 */
#ifndef CLAWGATE_SCOPES_H
#define CLAWGATE_SCOPES_H

#include "capability.h"

/* 1 if s is one of the known operator scopes */
int	scope_known(const char *s);
/* 1 if every word of a space-separated list is a known scope, and there
 * is at least one; normalizes separators (commas or spaces) into out */
int	scope_list_valid(const char *list, char *out, size_t outsz);
/* does the capability grant `need' (admin implies all, write implies
 * read and talk)? */
int	scope_granted(const struct capability *, const char *need);

/* the words of `want' (or all of `allowed' if want is "*") that
 * `allowed' grants, space-separated, into out */
void	scope_intersect(const char *want, const char *allowed, char *out,
	    size_t outsz);

/* 1 if `allowed' grants every word of `want' (an empty want too) */
int	scope_subset(const char *want, const char *allowed);

#endif
