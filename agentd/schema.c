/*
 * schema.c - tool arguments checked against the tool's JSON schema
 * (trust zone "agentd": arguments come from a model or a client).
 *
 * The subset tools use: type (object, array, string, integer, number,
 * boolean), properties, required, additionalProperties false, minLength
 * and maxLength, minimum and maximum, enum of strings, items.  A keyword
 * outside the subset is ignored; depth is bounded.  Pure: no I/O.
 */
#include <stdio.h>
#include <string.h>

#include "agentd.h"

#define DEPTH_MAX	16

static int
check(const cJSON *s, const cJSON *v, const char *path, char *msg,
    size_t msgsz, int depth);

static int
bad(char *msg, size_t msgsz, const char *path, const char *what)
{
	snprintf(msg, msgsz, "argument %s: %s", *path ? path : "(root)", what);
	return -1;
}

static int
type_ok(const char *t, const cJSON *v)
{
	if (strcmp(t, "object") == 0)
		return cJSON_IsObject(v);
	if (strcmp(t, "array") == 0)
		return cJSON_IsArray(v);
	if (strcmp(t, "string") == 0)
		return cJSON_IsString(v);
	if (strcmp(t, "boolean") == 0)
		return cJSON_IsBool(v);
	if (strcmp(t, "number") == 0)
		return cJSON_IsNumber(v);
	if (strcmp(t, "integer") == 0)
		return cJSON_IsNumber(v) &&
		    v->valuedouble == (double)(long long)v->valuedouble;
	if (strcmp(t, "null") == 0)
		return cJSON_IsNull(v);
	return 1;
}

static int
check_object(const cJSON *s, const cJSON *v, const char *path, char *msg,
    size_t msgsz, int depth)
{
	const cJSON	*props, *req, *r, *p, *sub, *ap;
	char		 sp[200];

	props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	req = cJSON_GetObjectItemCaseSensitive(s, "required");
	ap = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
	cJSON_ArrayForEach(r, req)
		if (cJSON_IsString(r) && !cJSON_HasObjectItem(v,
		    r->valuestring)) {
			snprintf(sp, sizeof(sp), "%s%s%s", path, *path ? "." : "",
			    r->valuestring);
			return bad(msg, msgsz, sp, "required");
		}
	cJSON_ArrayForEach(p, v) {
		snprintf(sp, sizeof(sp), "%s%s%.64s", path, *path ? "." : "",
		    p->string);
		sub = cJSON_IsObject(props) ?
		    cJSON_GetObjectItemCaseSensitive(props, p->string) : NULL;
		if (sub == NULL) {
			if (cJSON_IsFalse(ap))
				return bad(msg, msgsz, sp, "not allowed");
			continue;
		}
		if (check(sub, p, sp, msg, msgsz, depth + 1) == -1)
			return -1;
	}
	return 0;
}

static int
check(const cJSON *s, const cJSON *v, const char *path, char *msg,
    size_t msgsz, int depth)
{
	const cJSON	*t, *k, *e;
	size_t		 len;
	int		 n, hit;
	char		 sp[200];

	if (depth > DEPTH_MAX)
		return bad(msg, msgsz, path, "nested too deeply");
	if (!cJSON_IsObject(s))
		return 0;
	t = cJSON_GetObjectItemCaseSensitive(s, "type");
	if (cJSON_IsString(t) && !type_ok(t->valuestring, v)) {
		snprintf(sp, sizeof(sp), "expected %s", t->valuestring);
		return bad(msg, msgsz, path, sp);
	}
	if (cJSON_IsString(v)) {
		len = strlen(v->valuestring);
		k = cJSON_GetObjectItemCaseSensitive(s, "minLength");
		if (cJSON_IsNumber(k) && (double)len < k->valuedouble)
			return bad(msg, msgsz, path, "too short");
		k = cJSON_GetObjectItemCaseSensitive(s, "maxLength");
		if (cJSON_IsNumber(k) && (double)len > k->valuedouble)
			return bad(msg, msgsz, path, "too long");
		k = cJSON_GetObjectItemCaseSensitive(s, "enum");
		if (cJSON_IsArray(k)) {
			hit = 0;
			cJSON_ArrayForEach(e, k)
				if (cJSON_IsString(e) && strcmp(e->valuestring,
				    v->valuestring) == 0)
					hit = 1;
			if (!hit)
				return bad(msg, msgsz, path, "not one of the "
				    "allowed values");
		}
	}
	if (cJSON_IsNumber(v)) {
		k = cJSON_GetObjectItemCaseSensitive(s, "minimum");
		if (cJSON_IsNumber(k) && v->valuedouble < k->valuedouble)
			return bad(msg, msgsz, path, "below the minimum");
		k = cJSON_GetObjectItemCaseSensitive(s, "maximum");
		if (cJSON_IsNumber(k) && v->valuedouble > k->valuedouble)
			return bad(msg, msgsz, path, "above the maximum");
	}
	if (cJSON_IsObject(v))
		return check_object(s, v, path, msg, msgsz, depth);
	if (cJSON_IsArray(v) && (k = cJSON_GetObjectItemCaseSensitive(s,
	    "items")) != NULL) {
		n = 0;
		cJSON_ArrayForEach(e, v) {
			snprintf(sp, sizeof(sp), "%s[%d]", path, n++);
			if (check(k, e, sp, msg, msgsz, depth + 1) == -1)
				return -1;
		}
	}
	return 0;
}

int
schema_check(const cJSON *schema, const cJSON *value, char *msg,
    size_t msgsz)
{
	msg[0] = '\0';
	return check(schema, value, "", msg, msgsz, 0);
}
