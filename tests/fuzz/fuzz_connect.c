/*
 * fuzz_connect.c - libFuzzer harness for the validation of OpenClaw
 * `connect' parameters (gatewayd/gw_connect.c), a decoder of trust zone
 * "front": the input is network JSON.  It is validated both as the bare
 * params object and as the params of a full request frame, the way
 * gw_message() hands it over.  On success the extracted request must be
 * sane (protocol 3 or 4, a known role, a client id, only known scopes,
 * every string terminated inside its array, fields equal to the JSON's);
 * on failure there must be an error code and a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "gw_connect.h"
#include "scopes.h"

#define FRAME_HEAD	"{\"type\":\"req\",\"id\":\"x\",\"method\":\"connect\"," \
			"\"params\":"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_str(const char *s, size_t sz)
{
	if (memchr(s, '\0', sz) == NULL)
		abort();
}

/* the JSON string o.k, or NULL */
static const char *
json_str(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
check_scopes(const char *list)
{
	char		 word[64];
	const char	*p = list;
	size_t		 n;
	int		 count = 0;

	if (*p == '\0')
		return 0;
	for (;;) {
		n = strcspn(p, " ");
		/* no empty words: no leading, trailing or double spaces */
		if (n == 0 || n >= sizeof(word))
			abort();
		memcpy(word, p, n);
		word[n] = '\0';
		if (!scope_known(word))
			abort();
		if (++count > 16)
			abort();
		p += n;
		if (*p == '\0')
			break;
		p++;
	}
	return count;
}

static void
check(const cJSON *params)
{
	struct connect_req	 cr;
	const cJSON		*client, *auth, *scopes;
	const char		*code, *detail, *msg, *s;

	code = detail = msg = NULL;
	if (connect_validate(params, &cr, &code, &detail, &msg) == -1) {
		if (code == NULL || *code == '\0' || msg == NULL ||
		    *msg == '\0')
			abort();
		if (detail != NULL && *detail == '\0')
			abort();
		return;
	}

	/* only an object is accepted */
	if (!cJSON_IsObject(params))
		abort();
	check_str(cr.client_id, sizeof(cr.client_id));
	check_str(cr.client_mode, sizeof(cr.client_mode));
	check_str(cr.role, sizeof(cr.role));
	check_str(cr.scopes, sizeof(cr.scopes));
	check_str(cr.credential, sizeof(cr.credential));

	if (cr.protocol != 3 && cr.protocol != 4)
		abort();
	if (cr.min > cr.max || cr.protocol < cr.min ||
	    cr.protocol > cr.max)
		abort();
	if (strcmp(cr.role, "operator") != 0 && strcmp(cr.role, "node") != 0)
		abort();
	if (cr.client_id[0] == '\0')
		abort();
	/* every scope asked for, each known, none dropped */
	scopes = cJSON_GetObjectItemCaseSensitive(params, "scopes");
	if (check_scopes(cr.scopes) !=
	    (cJSON_IsArray(scopes) ? cJSON_GetArraySize(scopes) : 0))
		abort();

	/* what was extracted is what the client sent, not truncated */
	client = cJSON_GetObjectItemCaseSensitive(params, "client");
	if ((s = json_str(client, "id")) == NULL ||
	    strcmp(s, cr.client_id) != 0)
		abort();
	if ((s = json_str(client, "mode")) == NULL ||
	    strcmp(s, cr.client_mode) != 0)
		abort();
	if ((s = json_str(params, "role")) != NULL && *s != '\0' &&
	    strcmp(s, cr.role) != 0)
		abort();
	auth = cJSON_GetObjectItemCaseSensitive(params, "auth");
	if (cr.credential[0] != '\0') {
		if (!cJSON_IsObject(auth))
			abort();
		if (((s = json_str(auth, "token")) == NULL ||
		    strcmp(s, cr.credential) != 0) &&
		    ((s = json_str(auth, "password")) == NULL ||
		    strcmp(s, cr.credential) != 0))
			abort();
	} else if (cJSON_IsObject(auth) &&
	    (((s = json_str(auth, "token")) != NULL && *s != '\0') ||
	    ((s = json_str(auth, "password")) != NULL && *s != '\0')))
		abort();	/* a credential was dropped */
	if (cr.has_device != cJSON_IsObject(
	    cJSON_GetObjectItemCaseSensitive(params, "device")))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON		*j;
	char		*frame;
	size_t		 hlen = sizeof(FRAME_HEAD) - 1;

	/* the params object alone */
	if ((j = cJSON_ParseWithLength((const char *)data, size)) != NULL) {
		check(j);
		cJSON_Delete(j);
	}

	/* the same as the params of a connect request frame */
	if ((frame = malloc(hlen + size + 1)) == NULL)
		return 0;
	memcpy(frame, FRAME_HEAD, hlen);
	memcpy(frame + hlen, data, size);
	frame[hlen + size] = '}';
	if ((j = cJSON_ParseWithLength(frame, hlen + size + 1)) != NULL) {
		/* as gw_message: params may be absent or of any type */
		check(cJSON_GetObjectItemCaseSensitive(j, "params"));
		cJSON_Delete(j);
	}
	free(frame);
	return 0;
}
