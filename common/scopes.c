/*
 * scopes.c - operator scopes and their implications (every verifier).
 */
#include <stdio.h>
#include <string.h>

#include "scopes.h"

static const char *known[] = {
	"operator.admin", "operator.read", "operator.write",
	"operator.approvals", "operator.questions", "operator.pairing",
	"operator.talk", "operator.talk.secrets", "operator.sessions.read",
	"operator.sessions.write",
};

int
scope_known(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(s, known[i]) == 0)
			return 1;
	return 0;
}

int
scope_list_valid(const char *list, char *out, size_t outsz)
{
	char	 word[64];
	size_t	 n, olen = 0;
	int	 count = 0;

	if (outsz == 0)
		return 0;
	out[0] = '\0';
	while (*list != '\0') {
		while (*list == ' ' || *list == ',')
			list++;
		if (*list == '\0')
			break;
		n = strcspn(list, " ,");
		if (n >= sizeof(word))
			return 0;
		memcpy(word, list, n);
		word[n] = '\0';
		list += n;
		if (!scope_known(word))
			return 0;
		if (olen + n + 2 > outsz)
			return 0;
		olen += (size_t)snprintf(out + olen, outsz - olen, "%s%s",
		    count ? " " : "", word);
		count++;
	}
	return count > 0;
}

static int
list_grants(const char *allowed, const char *need)
{
	struct capability	 c;

	memset(&c, 0, sizeof(c));
	snprintf(c.scopes, sizeof(c.scopes), "%s", allowed);
	return scope_granted(&c, need);
}

void
scope_intersect(const char *want, const char *allowed, char *out,
    size_t outsz)
{
	char	 word[64];
	size_t	 n, olen = 0;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (strcmp(want, "*") == 0) {
		snprintf(out, outsz, "%s", allowed);
		return;
	}
	while (*want != '\0') {
		while (*want == ' ' || *want == ',')
			want++;
		n = strcspn(want, " ,");
		if (n == 0)
			break;
		if (n < sizeof(word)) {
			memcpy(word, want, n);
			word[n] = '\0';
			if (scope_known(word) && list_grants(allowed, word) &&
			    olen + n + 2 <= outsz)
				olen += (size_t)snprintf(out + olen,
				    outsz - olen, "%s%s", olen ? " " : "",
				    word);
		}
		want += n;
	}
}

int
scope_granted(const struct capability *c, const char *need)
{
	if (cap_has_scope(c, need) || cap_has_scope(c, "operator.admin"))
		return 1;
	if ((strcmp(need, "operator.read") == 0 ||
	    strcmp(need, "operator.talk") == 0) &&
	    cap_has_scope(c, "operator.write"))
		return 1;
	return 0;
}

int
scope_subset(const char *want, const char *allowed)
{
	char	 word[64];
	size_t	 n;

	while (*want != '\0') {
		while (*want == ' ' || *want == ',')
			want++;
		n = strcspn(want, " ,");
		if (n == 0)
			break;
		if (n >= sizeof(word))
			return 0;
		memcpy(word, want, n);
		word[n] = '\0';
		if (!scope_known(word) || !list_grants(allowed, word))
			return 0;
		want += n;
	}
	return 1;
}
