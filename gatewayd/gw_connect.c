/*
 * gw_connect.c - validation of `connect' parameters (trust zone "front").
 * See gw_connect.h.  Every field is checked for type and length; unknown
 * scopes are refused, not dropped silently.
 */
#include <stdio.h>
#include <string.h>

#include "gw_connect.h"
#include "scopes.h"

static int
get_string(const cJSON *o, const char *k, char *out, size_t outsz,
    int required)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	out[0] = '\0';
	if (v == NULL || cJSON_IsNull(v))
		return required ? -1 : 0;
	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    strlen(v->valuestring) >= outsz)
		return -1;
	snprintf(out, outsz, "%s", v->valuestring);
	return 0;
}

static int
get_int(const cJSON *o, const char *k, int *out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > 1000 || v->valuedouble != (int)v->valuedouble)
		return -1;
	*out = (int)v->valuedouble;
	return 0;
}

int
connect_validate(const cJSON *params, struct connect_req *cr,
    const char **code, const char **detail, const char **msg)
{
	const cJSON	*client, *auth, *scopes, *s, *device, *at, *tokv;
	size_t		 len = 0;
	int		 n = 0;

	memset(cr, 0, sizeof(*cr));
	*code = "INVALID_REQUEST";
	*detail = NULL;
	if (!cJSON_IsObject(params)) {
		*msg = "invalid connect params: expected an object";
		return -1;
	}
	if (get_int(params, "minProtocol", &cr->min) == -1 ||
	    get_int(params, "maxProtocol", &cr->max) == -1 ||
	    cr->min > cr->max) {
		*msg = "invalid connect params: minProtocol/maxProtocol";
		return -1;
	}
	if (cr->max < GW_PROTOCOL_MIN || cr->min > GW_PROTOCOL) {
		*detail = "PROTOCOL_MISMATCH";
		*msg = "protocol mismatch";
		return -1;
	}
	cr->protocol = cr->max > GW_PROTOCOL ? GW_PROTOCOL : cr->max;

	client = cJSON_GetObjectItemCaseSensitive(params, "client");
	if (!cJSON_IsObject(client) ||
	    get_string(client, "id", cr->client_id, sizeof(cr->client_id),
	    1) == -1 || cr->client_id[0] == '\0' ||
	    get_string(client, "mode", cr->client_mode,
	    sizeof(cr->client_mode), 1) == -1) {
		*msg = "invalid connect params: client.id and client.mode";
		return -1;
	}
	if (get_string(params, "role", cr->role, sizeof(cr->role), 0) == -1) {
		*msg = "invalid connect params: role";
		return -1;
	}
	if (cr->role[0] == '\0')
		snprintf(cr->role, sizeof(cr->role), "operator");
	if (strcmp(cr->role, "operator") != 0 && strcmp(cr->role, "node") != 0) {
		*msg = "invalid connect params: unknown role";
		return -1;
	}
	scopes = cJSON_GetObjectItemCaseSensitive(params, "scopes");
	if (scopes != NULL && !cJSON_IsNull(scopes)) {
		if (!cJSON_IsArray(scopes)) {
			*msg = "invalid connect params: scopes";
			return -1;
		}
		cJSON_ArrayForEach(s, scopes) {
			if (!cJSON_IsString(s) || !scope_known(s->valuestring) ||
			    ++n > 16 || len + strlen(s->valuestring) + 2 >
			    sizeof(cr->scopes)) {
				*msg = "invalid connect params: unknown scope";
				return -1;
			}
			len += (size_t)snprintf(cr->scopes + len,
			    sizeof(cr->scopes) - len, "%s%s", len ? " " : "",
			    s->valuestring);
		}
	}
	auth = cJSON_GetObjectItemCaseSensitive(params, "auth");
	if (auth != NULL && !cJSON_IsNull(auth)) {
		if (!cJSON_IsObject(auth) ||
		    get_string(auth, "token", cr->credential,
		    sizeof(cr->credential), 0) == -1) {
			*msg = "invalid connect params: auth";
			return -1;
		}
		if (cr->credential[0] == '\0' && get_string(auth, "password",
		    cr->credential, sizeof(cr->credential), 0) == -1) {
			*msg = "invalid connect params: auth";
			return -1;
		}
		if (cr->credential[0] == '\0') {
			if (get_string(auth, "deviceToken", cr->credential,
			    sizeof(cr->credential), 0) == -1) {
				*msg = "invalid connect params: auth";
				return -1;
			}
			cr->cred_device = cr->credential[0] != '\0';
		}
	}
	/* the device signs auth.token ?? auth.deviceToken, never the
	 * password */
	tokv = cJSON_GetObjectItemCaseSensitive(auth, "token");
	if (!cJSON_IsString(tokv) || tokv->valuestring[0] == '\0')
		tokv = cJSON_GetObjectItemCaseSensitive(auth, "deviceToken");
	if (cJSON_IsString(tokv) && strlen(tokv->valuestring) <
	    sizeof(cr->signed_token))
		snprintf(cr->signed_token, sizeof(cr->signed_token), "%s",
		    tokv->valuestring);
	if (get_string(client, "platform", cr->platform, sizeof(cr->platform),
	    0) == -1 || get_string(client, "deviceFamily", cr->device_family,
	    sizeof(cr->device_family), 0) == -1 || get_string(client,
	    "displayName", cr->display_name, sizeof(cr->display_name),
	    0) == -1) {
		*msg = "invalid connect params: client.platform";
		return -1;
	}
	if (cJSON_IsArray(scopes)) {
		len = 0;
		cJSON_ArrayForEach(s, scopes)
			len += (size_t)snprintf(cr->signed_scopes + len,
			    sizeof(cr->signed_scopes) - len, "%s%s",
			    len ? "," : "", s->valuestring);
	}
	device = cJSON_GetObjectItemCaseSensitive(params, "device");
	if (device == NULL || cJSON_IsNull(device))
		return 0;
	at = cJSON_GetObjectItemCaseSensitive(device, "signedAt");
	if (!cJSON_IsObject(device) ||
	    get_string(device, "id", cr->dev_id, sizeof(cr->dev_id), 1) == -1 ||
	    get_string(device, "publicKey", cr->dev_public_key,
	    sizeof(cr->dev_public_key), 1) == -1 ||
	    get_string(device, "signature", cr->dev_signature,
	    sizeof(cr->dev_signature), 1) == -1 ||
	    get_string(device, "nonce", cr->dev_nonce, sizeof(cr->dev_nonce),
	    1) == -1 || !cJSON_IsNumber(at) || at->valuedouble < 0 ||
	    at->valuedouble > 1e15) {
		*msg = "invalid connect params: device";
		return -1;
	}
	cr->dev_signed_at = at->valuedouble;
	cr->has_device = 1;
	return 0;
}
