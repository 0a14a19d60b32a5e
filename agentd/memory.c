/*
 * memory.c - sessions, transcripts and runs of agentd (trust zone
 * "agentd").
 *
 * LMDB, three databases:
 *   sessions    session key -> metadata (agent, created, last activity,
 *               message count, next sequence number, token counts)
 *   transcript  session key NUL u64be seq -> one record: a user message,
 *               an assistant message, a tool call, a tool result or a
 *               system event, as JSON
 *   runs        run id -> the run's session, status (running, done,
 *               failed, aborted), times and error
 * A record and the session's metadata change in one transaction, so a
 * record is either whole or absent: nothing acknowledged is lost, nothing
 * half-written is read.  A run still marked running when agentd starts
 * was cut short by a crash: it is marked failed and the session gets a
 * system event that says so.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentd.h"
#include "log.h"

#define REC_MAX		(1024 * 1024)

static MDB_env	*env;
static MDB_dbi	 dbi_sess, dbi_tr, dbi_runs;

uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
tr_key(const char *session, uint64_t seq, char *k, size_t *klen)
{
	size_t	 n = strlen(session);
	int	 i;

	memcpy(k, session, n);
	k[n] = '\0';
	for (i = 0; i < 8; i++)
		k[n + 1 + i] = (char)(seq >> (56 - 8 * i));
	*klen = n + 9;
}

static cJSON *
get_json(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen)
{
	MDB_val	 k, v;

	k.mv_data = (void *)key;
	k.mv_size = klen;
	if (mdb_get(t, dbi, &k, &v) != 0)
		return NULL;
	return cJSON_ParseWithLength(v.mv_data, v.mv_size);
}

static int
put_json(MDB_txn *t, MDB_dbi dbi, const void *key, size_t klen,
    const cJSON *o)
{
	MDB_val	 k, v;
	char	*s;
	int	 r;

	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		return -1;
	k.mv_data = (void *)key;
	k.mv_size = klen;
	v.mv_data = s;
	v.mv_size = strlen(s);
	r = v.mv_size > REC_MAX ? -1 : mdb_put(t, dbi, &k, &v, 0);
	cJSON_free(s);
	return r == 0 ? 0 : -1;
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void
setnum(cJSON *o, const char *k, double v)
{
	cJSON	*it = cJSON_GetObjectItemCaseSensitive(o, k);

	if (it != NULL)
		cJSON_SetNumberValue(it, v);
	else
		cJSON_AddNumberToObject(o, k, v);
}

/* append rec (consumed) to the session's transcript; its seq, or 0 */
static uint64_t
append_txn(MDB_txn *t, const char *session, const char *agent, cJSON *rec)
{
	cJSON		*meta;
	char		 k[600];
	size_t		 klen;
	uint64_t	 seq, now = now_ms();

	if (strlen(session) > 512) {
		cJSON_Delete(rec);
		return 0;
	}
	if ((meta = get_json(t, dbi_sess, session, strlen(session))) == NULL) {
		meta = cJSON_CreateObject();
		cJSON_AddStringToObject(meta, "key", session);
		cJSON_AddStringToObject(meta, "agentId", agent ? agent :
		    "main");
		cJSON_AddNumberToObject(meta, "createdAtMs", (double)now);
		cJSON_AddNumberToObject(meta, "nextSeq", 1);
	}
	seq = (uint64_t)num(meta, "nextSeq");
	if (seq == 0)
		seq = 1;
	setnum(meta, "nextSeq", (double)(seq + 1));
	setnum(meta, "messages", num(meta, "messages") + 1);
	setnum(meta, "lastActivityMs", (double)now);
	if (num(rec, "inputTokens") > 0)
		setnum(meta, "inputTokens", num(meta, "inputTokens") +
		    num(rec, "inputTokens"));
	if (num(rec, "outputTokens") > 0)
		setnum(meta, "outputTokens", num(meta, "outputTokens") +
		    num(rec, "outputTokens"));
	setnum(rec, "seq", (double)seq);
	if (!cJSON_HasObjectItem(rec, "ts"))
		cJSON_AddNumberToObject(rec, "ts", (double)now);
	tr_key(session, seq, k, &klen);
	if (put_json(t, dbi_tr, k, klen, rec) == -1 ||
	    put_json(t, dbi_sess, session, strlen(session), meta) == -1)
		seq = 0;
	cJSON_Delete(meta);
	cJSON_Delete(rec);
	return seq;
}

uint64_t
memory_append(const char *session, const char *agent, cJSON *rec)
{
	MDB_txn		*t;
	uint64_t	 seq;

	if (mdb_txn_begin(env, NULL, 0, &t) != 0) {
		cJSON_Delete(rec);
		return 0;
	}
	if ((seq = append_txn(t, session, agent, rec)) == 0) {
		mdb_txn_abort(t);
		return 0;
	}
	/* acknowledged only once durable */
	return mdb_txn_commit(t) == 0 ? seq : 0;
}

/* the run record; status: running, done, failed, aborted */
int
memory_run_set(const char *run, const char *session, const char *status,
    const char *error)
{
	MDB_txn	*t;
	cJSON	*o;
	int	 r;

	if (strlen(run) > 128 || mdb_txn_begin(env, NULL, 0, &t) != 0)
		return -1;
	if ((o = get_json(t, dbi_runs, run, strlen(run))) == NULL) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "runId", run);
		cJSON_AddStringToObject(o, "sessionKey", session);
		cJSON_AddNumberToObject(o, "startedAtMs", (double)now_ms());
	}
	cJSON_DeleteItemFromObjectCaseSensitive(o, "status");
	cJSON_AddStringToObject(o, "status", status);
	if (strcmp(status, "running") != 0)
		setnum(o, "endedAtMs", (double)now_ms());
	if (error != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, "error");
		cJSON_AddStringToObject(o, "error", error);
	}
	r = put_json(t, dbi_runs, run, strlen(run), o);
	cJSON_Delete(o);
	if (r == -1) {
		mdb_txn_abort(t);
		return -1;
	}
	return mdb_txn_commit(t) == 0 ? 0 : -1;
}

/* the run record, or NULL */
cJSON *
memory_run_get(const char *run)
{
	MDB_txn	*t;
	cJSON	*o;

	if (strlen(run) > 128 || mdb_txn_begin(env, NULL, MDB_RDONLY, &t) != 0)
		return NULL;
	o = get_json(t, dbi_runs, run, strlen(run));
	mdb_txn_abort(t);
	return o;
}

/* runs cut short by a crash: failed, and said so in their session */
static void
recover(void)
{
	MDB_txn		*t;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	cJSON		*o, *ev;
	const cJSON	*st, *sk;
	char		 run[160];
	int		 n = 0;

	if (mdb_txn_begin(env, NULL, 0, &t) != 0)
		fatalx("memory: cannot begin a transaction");
	if (mdb_cursor_open(t, dbi_runs, &cur) != 0)
		fatalx("memory: cursor");
	while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
		if ((o = cJSON_ParseWithLength(v.mv_data, v.mv_size)) == NULL)
			continue;
		st = cJSON_GetObjectItemCaseSensitive(o, "status");
		sk = cJSON_GetObjectItemCaseSensitive(o, "sessionKey");
		if (!cJSON_IsString(st) || strcmp(st->valuestring,
		    "running") != 0 || !cJSON_IsString(sk)) {
			cJSON_Delete(o);
			continue;
		}
		snprintf(run, sizeof(run), "%.*s", (int)(k.mv_size < 128 ?
		    k.mv_size : 128), (const char *)k.mv_data);
		cJSON_DeleteItemFromObjectCaseSensitive(o, "status");
		cJSON_AddStringToObject(o, "status", "failed");
		cJSON_AddStringToObject(o, "error", "agentd restarted during "
		    "the turn");
		setnum(o, "endedAtMs", (double)now_ms());
		ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "kind", "system_event");
		cJSON_AddStringToObject(ev, "text", "The previous turn was "
		    "interrupted (agentd restarted) and did not finish.");
		cJSON_AddStringToObject(ev, "runId", run);
		if (append_txn(t, sk->valuestring, NULL, ev) == 0 ||
		    put_json(t, dbi_runs, k.mv_data, k.mv_size, o) == -1)
			log_warnx("memory: cannot mark run %s failed", run);
		else
			n++;
		cJSON_Delete(o);
	}
	mdb_cursor_close(cur);
	if (mdb_txn_commit(t) != 0)
		fatalx("memory: cannot commit the recovery");
	if (n > 0)
		log_warnx("%d turn%s interrupted by a restart marked failed", n,
		    n == 1 ? "" : "s");
}

void
memory_init(MDB_env *e)
{
	MDB_txn	*t;
	int	 r;

	env = e;
	if ((r = mdb_txn_begin(env, NULL, 0, &t)) != 0 ||
	    (r = mdb_dbi_open(t, "sessions", MDB_CREATE, &dbi_sess)) != 0 ||
	    (r = mdb_dbi_open(t, "transcript", MDB_CREATE, &dbi_tr)) != 0 ||
	    (r = mdb_dbi_open(t, "runs", MDB_CREATE, &dbi_runs)) != 0 ||
	    (r = mdb_txn_commit(t)) != 0)
		fatalx("memory: %s", mdb_strerror(r));
	recover();
}

/* the last `limit' records of a session, oldest first */
cJSON *
memory_history(const char *session, int limit)
{
	MDB_txn		*t;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	cJSON		*arr = cJSON_CreateArray(), *o;
	char		 kb[600];
	size_t		 klen, slen = strlen(session);
	int		 r, n = 0;

	if (slen > 512 || limit <= 0 ||
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &t) != 0)
		return arr;
	if (mdb_cursor_open(t, dbi_tr, &cur) != 0) {
		mdb_txn_abort(t);
		return arr;
	}
	/* from just past the session's last possible key, backwards */
	tr_key(session, UINT64_MAX, kb, &klen);
	k.mv_data = kb;
	k.mv_size = klen;
	r = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	r = r == 0 ? mdb_cursor_get(cur, &k, &v, MDB_PREV) :
	    mdb_cursor_get(cur, &k, &v, MDB_LAST);
	for (; r == 0 && n < limit; r = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
		if (k.mv_size != slen + 9 || memcmp(k.mv_data, session,
		    slen) != 0 || ((const char *)k.mv_data)[slen] != '\0')
			break;
		if ((o = cJSON_ParseWithLength(v.mv_data, v.mv_size)) == NULL)
			continue;
		cJSON_InsertItemInArray(arr, 0, o);
		n++;
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(t);
	return arr;
}

/* session metadata, most recent first, at most limit */
cJSON *
memory_sessions(int limit)
{
	MDB_txn		*t;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	cJSON		*arr = cJSON_CreateArray(), *o, *it;
	int		 i, n;

	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &t) != 0)
		return arr;
	if (mdb_cursor_open(t, dbi_sess, &cur) == 0) {
		while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
			if ((o = cJSON_ParseWithLength(v.mv_data,
			    v.mv_size)) == NULL)
				continue;
			cJSON_DeleteItemFromObjectCaseSensitive(o, "nextSeq");
			/* insertion sort by last activity, newest first */
			n = cJSON_GetArraySize(arr);
			for (i = 0; i < n; i++) {
				it = cJSON_GetArrayItem(arr, i);
				if (num(it, "lastActivityMs") <
				    num(o, "lastActivityMs"))
					break;
			}
			if (i >= limit) {
				cJSON_Delete(o);
				continue;
			}
			cJSON_InsertItemInArray(arr, i, o);
			if (cJSON_GetArraySize(arr) > limit)
				cJSON_DeleteItemFromArray(arr, limit);
		}
		mdb_cursor_close(cur);
	}
	mdb_txn_abort(t);
	return arr;
}

static int
contains_ci(const char *hay, const char *needle)
{
	size_t	 n = strlen(needle), i, j;

	if (n == 0)
		return 1;
	for (i = 0; hay[i] != '\0'; i++) {
		for (j = 0; j < n && hay[i + j] != '\0' &&
		    tolower((unsigned char)hay[i + j]) ==
		    tolower((unsigned char)needle[j]); j++)
			;
		if (j == n)
			return 1;
	}
	return 0;
}

/* records whose text contains query (any case), newest sessions first,
 * at most limit hits, looking at no more than scan records */
cJSON *
memory_search(const char *query, int limit, int scan)
{
	MDB_txn		*t;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	cJSON		*arr = cJSON_CreateArray(), *o, *hit;
	const cJSON	*txt;
	int		 seen = 0;

	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &t) != 0)
		return arr;
	if (mdb_cursor_open(t, dbi_tr, &cur) == 0) {
		while (cJSON_GetArraySize(arr) < limit && seen++ < scan &&
		    mdb_cursor_get(cur, &k, &v, MDB_PREV) == 0) {
			if ((o = cJSON_ParseWithLength(v.mv_data,
			    v.mv_size)) == NULL)
				continue;
			txt = cJSON_GetObjectItemCaseSensitive(o, "text");
			if (cJSON_IsString(txt) && contains_ci(txt->valuestring,
			    query)) {
				hit = cJSON_CreateObject();
				cJSON_AddStringToObject(hit, "sessionKey",
				    (const char *)k.mv_data);
				cJSON_AddItemToObject(hit, "record", o);
				cJSON_AddItemToArray(arr, hit);
			} else
				cJSON_Delete(o);
		}
		mdb_cursor_close(cur);
	}
	mdb_txn_abort(t);
	return arr;
}

/* forget a session's transcript and metadata; records removed, or -1 */
int
memory_reset(const char *session)
{
	MDB_txn		*t;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	char		 kb[600];
	size_t		 klen, slen = strlen(session);
	int		 r, n = 0;

	if (slen > 512 || mdb_txn_begin(env, NULL, 0, &t) != 0)
		return -1;
	if (mdb_cursor_open(t, dbi_tr, &cur) != 0) {
		mdb_txn_abort(t);
		return -1;
	}
	tr_key(session, 0, kb, &klen);
	k.mv_data = kb;
	k.mv_size = klen;
	for (r = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); r == 0;
	    r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != slen + 9 || memcmp(k.mv_data, session,
		    slen) != 0 || ((const char *)k.mv_data)[slen] != '\0')
			break;
		if (mdb_cursor_del(cur, 0) != 0)
			break;
		n++;
	}
	mdb_cursor_close(cur);
	k.mv_data = (void *)session;
	k.mv_size = slen;
	mdb_del(t, dbi_sess, &k, NULL);
	return mdb_txn_commit(t) == 0 ? n : -1;
}
