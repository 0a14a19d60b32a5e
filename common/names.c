/*
 * names.c - operator-chosen names (parent and authd).  See names.h.
 */
#include <string.h>

#include "names.h"

int
name_is_safe(const char *s, size_t maxlen)
{
	size_t	 i;

	if (s[0] == '\0' || strlen(s) > maxlen)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}
