/*
 * skills.c - agent skills (trust zone "agentd"): directories holding a
 * SKILL.md, read from the skill roots of the boot configuration
 * (skills-dir, passed as skills-dir-0 ... skills-dir-7) when agentd
 * starts, as root and before its chroot, then kept in memory.
 *
 * Each root is read one level deep: ROOT/<skill>/SKILL.md.  Nothing
 * inside a root is followed: a skill directory or a SKILL.md that is a
 * symbolic link is refused, a SKILL.md must be a regular file with no
 * other hard link (so that a link cannot make root read a file from
 * elsewhere) of at most 64 KiB, and at most SKILLS_MAX skills are kept.
 * A skill that cannot be read or parsed, whose name is not its
 * directory's, or whose name was loaded from an earlier root, is logged
 * and kept only as a skipped entry for skills.list; nothing here is
 * fatal.  Messages never quote the file (skillmd.c).
 *
 * The skills for an agent (all, or those whose front matter names it in
 * agents) are listed by name and description in the system prompt of
 * its turns when the turn may call skill_read (scope operator.read, the
 * tool policy); skill_read returns the body.  skills.list shows every
 * entry with its root and status.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentd.h"
#include "log.h"
#include "skillmd.h"

#define SKILLS_ROOTS_MAX	8
#define SKILLS_MAX		256
#define SKILLS_PROMPT_MAX	32768	/* bytes of the list in a prompt */
#define SKILLS_LIST_MAX		48000	/* bytes of a skills.list page */

struct skill {
	int		 root;
	char		 dir[NAME_MAX + 1];	/* printable */
	char		 error[SKILLMD_ERR_MAX + 64];	/* "": loaded */
	struct skillmd	 md;
};

static char		 roots[SKILLS_ROOTS_MAX][PATH_MAX];
static char		 root_error[SKILLS_ROOTS_MAX][128];
static int		 nroots;
static struct skill	*skills[SKILLS_MAX];
static size_t		 nskills;

/* a directory name as it may be shown: bytes outside ASCII's printable
 * range become '?' */
static void
printable(char *dst, size_t dstsz, const char *src)
{
	size_t	 i;

	for (i = 0; i + 1 < dstsz && src[i] != '\0'; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

static struct skill *
entry(int root, const char *dir)
{
	struct skill	*s;

	if (nskills >= SKILLS_MAX)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatalx("out of memory");
	s->root = root;
	printable(s->dir, sizeof(s->dir), dir);
	skills[nskills++] = s;
	return s;
}

/* a skipped skill: logged, and listed with why */
static void
skip(int root, const char *dir, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
skip(int root, const char *dir, const char *fmt, ...)
{
	struct skill	*s;
	va_list		 ap;

	if ((s = entry(root, dir)) == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	log_warnx("skill %s/%s skipped: %s", roots[root], s->dir, s->error);
}

static const struct skill *
find(const char *name, const char *agent)
{
	size_t	 i;

	for (i = 0; i < nskills; i++)
		if (skills[i]->error[0] == '\0' &&
		    strcmp(skills[i]->md.name, name) == 0)
			return agent == NULL || skillmd_for_agent(&skills[i]->md,
			    agent) ? skills[i] : NULL;
	return NULL;
}

/* the whole file, at most SKILLMD_MAX bytes: its length, or -1 */
static ssize_t
slurp(int fd, char *buf)
{
	size_t	 have = 0;
	ssize_t	 n;

	while (have <= SKILLMD_MAX) {
		n = read(fd, buf + have, SKILLMD_MAX + 1 - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	return (ssize_t)have;
}

/* SKILL.md, opened (was: what fstatat saw): checked, read, parsed, kept */
static void
load_file(int root, const char *dir, int fd, const struct stat *was)
{
	struct skillmd	 md;
	struct stat	 st;
	struct skill	*s;
	const struct skill *dup;
	char		 err[SKILLMD_ERR_MAX], *buf;
	ssize_t		 n;

	if (fstat(fd, &st) == -1) {
		skip(root, dir, "SKILL.md: %s", strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != was->st_dev ||
	    st.st_ino != was->st_ino) {
		skip(root, dir, "SKILL.md was replaced while it was read");
		return;
	}
	if (st.st_nlink != 1) {
		skip(root, dir, "SKILL.md has other hard links (refused)");
		return;
	}
	if (st.st_size > SKILLMD_MAX) {
		skip(root, dir, "SKILL.md is larger than 64 KiB");
		return;
	}
	if ((buf = malloc(SKILLMD_MAX + 1)) == NULL)
		fatalx("out of memory");
	if ((n = slurp(fd, buf)) == -1)
		skip(root, dir, "SKILL.md: %s", strerror(errno));
	else if (skillmd_parse(buf, (size_t)n, &md, err, sizeof(err)) == -1)
		skip(root, dir, "SKILL.md: %s", err);
	else if (strcmp(md.name, dir) != 0) {
		skip(root, dir, "SKILL.md: the name is not the directory's");
		skillmd_free(&md);
	} else if ((dup = find(md.name, NULL)) != NULL) {
		skip(root, dir, "a skill of this name was loaded from %s",
		    roots[dup->root]);
		skillmd_free(&md);
	} else if ((s = entry(root, dir)) == NULL)
		skillmd_free(&md);
	else
		s->md = md;
	free(buf);
}

/* a skill directory: its SKILL.md is opened only if it is a regular
 * file, so that opening it cannot act on a device or wait on a FIFO */
static void
load(int root, int rfd, const char *dir)
{
	struct stat	 st;
	int		 dfd, fd;

	dfd = openat(rfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (dfd == -1) {
		skip(root, dir, "%s", strerror(errno));
		return;
	}
	if (fstatat(dfd, "SKILL.md", &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			log_debug("skills: %s/%s has no SKILL.md", roots[root],
			    dir);
		else
			skip(root, dir, "SKILL.md: %s", strerror(errno));
	} else if (S_ISLNK(st.st_mode))
		skip(root, dir, "SKILL.md is a symbolic link (refused)");
	else if (!S_ISREG(st.st_mode))
		skip(root, dir, "SKILL.md is not a regular file");
	else if ((fd = openat(dfd, "SKILL.md", O_RDONLY | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) == -1)
		skip(root, dir, "SKILL.md: %s", strerror(errno));
	else {
		load_file(root, dir, fd, &st);
		close(fd);
	}
	close(dfd);
}

static int
visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* an entry of a root: a skill directory, or something to pass over */
static void
scan_entry(int root, int rfd, const char *name)
{
	struct stat	 st;

	if (fstatat(rfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		skip(root, name, "%s", strerror(errno));
	else if (S_ISDIR(st.st_mode))
		load(root, rfd, name);
	else if (S_ISLNK(st.st_mode) && fstatat(rfd, name, &st, 0) == 0 &&
	    S_ISDIR(st.st_mode))
		skip(root, name, "the skill directory is a symbolic link "
		    "(refused)");
	/* a file beside the skills (a README, say) is not one */
}

/* ROOT/<skill>/SKILL.md, in the order of the names */
static void
scan(int root)
{
	static int	  full;
	struct dirent	**ents;
	int		  rfd, n, i;

	rfd = open(roots[root], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd == -1 || (n = scandirat(rfd, ".", &ents, visible,
	    alphasort)) == -1) {
		snprintf(root_error[root], sizeof(root_error[root]), "%s",
		    strerror(errno));
		log_warnx("skills-dir %s: %s", roots[root], root_error[root]);
		if (rfd != -1)
			close(rfd);
		return;
	}
	for (i = 0; i < n; i++) {
		if (nskills < SKILLS_MAX)
			scan_entry(root, rfd, ents[i]->d_name);
		else if (full++ == 0)
			log_warnx("skills-dir %s: more than %d skills in all; "
			    "the rest are not read", roots[root], SKILLS_MAX);
		free(ents[i]);
	}
	free(ents);
	close(rfd);
}

void
skills_init(const struct kv *config)
{
	const char	*v;
	char		 k[32];
	size_t		 i, ok = 0;
	int		 r;

	for (r = 0; r < SKILLS_ROOTS_MAX; r++) {
		snprintf(k, sizeof(k), "skills-dir-%d", r);
		if ((v = kv_get(config, k)) == NULL)
			break;
		snprintf(roots[nroots++], sizeof(roots[0]), "%s", v);
	}
	for (r = 0; r < nroots; r++)
		scan(r);
	for (i = 0; i < nskills; i++)
		ok += skills[i]->error[0] == '\0';
	if (nroots > 0)
		log_info("skills: %zu loaded, %zu skipped, from %d "
		    "director%s", ok, nskills - ok, nroots,
		    nroots == 1 ? "y" : "ies");
}

int
skills_configured(void)
{
	return nroots > 0;
}

/*
 * The system prompt with the skills the turn may load appended, or
 * NULL when there is nothing to add (no skill for the agent, or the turn
 * may not call skill_read).
 */
char *
skills_system(const char *system, const struct tool_ctx *c)
{
	char	*out;
	size_t	 i, len, cap, more = 0;
	int	 n, listed = 0;

	if (nroots == 0 || tool_refusal(c, "skill_read") != NULL)
		return NULL;
	cap = strlen(system) + SKILLS_PROMPT_MAX + 512;
	if ((out = malloc(cap)) == NULL)
		fatalx("out of memory");
	len = (size_t)snprintf(out, cap, "%s\n\n## Skills\n\nSkills hold "
	    "instructions for particular tasks.  When a task matches the "
	    "description of a skill below, call the skill_read tool with "
	    "the skill's name to load its instructions, then follow them.\n"
	    "\n", system);
	for (i = 0; i < nskills; i++) {
		if (skills[i]->error[0] != '\0' ||
		    !skillmd_for_agent(&skills[i]->md, c->agent))
			continue;
		if (more > 0 || strlen(skills[i]->md.name) +
		    strlen(skills[i]->md.description) + 8 + len >
		    cap - 256 - 1) {
			more++;
			continue;
		}
		n = snprintf(out + len, cap - len, "- %s: %s\n",
		    skills[i]->md.name, skills[i]->md.description);
		len += (size_t)n;
		listed++;
	}
	if (more > 0)
		snprintf(out + len, cap - len, "- (%zu more skills, not "
		    "listed here for want of room)\n", more);
	if (listed == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* the tool skill_read {name}: the skill's instructions */
char *
skill_read(const struct tool_ctx *c, const cJSON *args, int *is_error)
{
	const cJSON		*n = cJSON_GetObjectItemCaseSensitive(args,
				    "name");
	const struct skill	*s;
	cJSON			*o;
	char			*out;

	*is_error = 1;
	if (!cJSON_IsString(n) || (s = find(n->valuestring, c->agent)) ==
	    NULL)
		return strdup("no skill of that name for this agent (the "
		    "system prompt lists them)");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", s->md.name);
	cJSON_AddStringToObject(o, "instructions", s->md.body);
	if ((out = cJSON_PrintUnformatted(o)) == NULL)
		fatalx("out of memory");
	cJSON_Delete(o);
	*is_error = 0;
	return out;
}

static cJSON *
entry_json(const struct skill *s)
{
	cJSON	*o = cJSON_CreateObject(), *a;
	int	 i;

	cJSON_AddStringToObject(o, "name", s->error[0] ? s->dir :
	    s->md.name);
	if (s->error[0] == '\0')
		cJSON_AddStringToObject(o, "description", s->md.description);
	cJSON_AddStringToObject(o, "root", roots[s->root]);
	cJSON_AddStringToObject(o, "status", s->error[0] ? "skipped" : "ok");
	if (s->error[0] != '\0')
		cJSON_AddStringToObject(o, "error", s->error);
	if (s->md.nagents > 0) {
		a = cJSON_AddArrayToObject(o, "agents");
		for (i = 0; i < s->md.nagents; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(
			    s->md.agents[i]));
	}
	return o;
}

static cJSON *
roots_json(void)
{
	cJSON	*arr = cJSON_CreateArray(), *o;
	size_t	 i, n;
	int	 r;

	for (r = 0; r < nroots; r++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "path", roots[r]);
		for (i = n = 0; i < nskills; i++)
			n += skills[i]->root == r && skills[i]->error[0] == '\0';
		cJSON_AddNumberToObject(o, "skills", (double)n);
		if (root_error[r][0] != '\0')
			cJSON_AddStringToObject(o, "error", root_error[r]);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/*
 * skills.list {agentId?, offset?}: the roots and every entry, loaded or
 * skipped; with agentId, only the skills loaded for that agent.  A page
 * holds what fits in SKILLS_LIST_MAX bytes; "next" is the offset of the
 * next page.
 */
cJSON *
m_skills_list(const struct capability *cap, const cJSON *params, int *ok)
{
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(params, "agentId");
	const cJSON	*off = cJSON_GetObjectItemCaseSensitive(params, "offset");
	cJSON		*o, *arr, *e;
	char		*s;
	size_t		 i, used = 0, start = 0;

	(void)cap;
	if ((a != NULL && (!cJSON_IsString(a) || strlen(a->valuestring) >
	    SKILLMD_AGENT_MAX)) || (off != NULL && (!cJSON_IsNumber(off) ||
	    off->valuedouble < 0 || off->valuedouble > SKILLS_MAX))) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", "INVALID_REQUEST");
		cJSON_AddStringToObject(o, "message", "skills.list takes an "
		    "agentId (a string) and an offset (0 to 256)");
		*ok = 0;
		return o;
	}
	if (off != NULL)
		start = (size_t)off->valuedouble;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "roots", roots_json());
	arr = cJSON_AddArrayToObject(o, "skills");
	for (i = start; i < nskills; i++) {
		if (a != NULL && (skills[i]->error[0] != '\0' ||
		    !skillmd_for_agent(&skills[i]->md, a->valuestring)))
			continue;
		e = entry_json(skills[i]);
		if ((s = cJSON_PrintUnformatted(e)) == NULL)
			fatalx("out of memory");
		used += strlen(s) + 1;
		cJSON_free(s);
		if (used > SKILLS_LIST_MAX) {
			cJSON_Delete(e);
			cJSON_AddNumberToObject(o, "next", (double)i);
			break;
		}
		cJSON_AddItemToArray(arr, e);
	}
	*ok = 1;
	return o;
}
