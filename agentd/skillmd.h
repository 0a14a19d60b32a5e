/*
 * skillmd.h - the SKILL.md format of agent skills as pure code (trust
 * zone "agentd").  No I/O, no logging, no global state; an error message
 * names the line and what is wrong, and never repeats the input.
 *
 * A SKILL.md (Anthropic's Agent Skills, as OpenClaw uses them) is YAML
 * front matter between two "---" lines, then the body: the skill's
 * instructions, in Markdown.  The front matter is read as a subset of
 * YAML, one mapping of "key: value" lines:
 *
 *	- a value is plain (the rest of the line, a " #" comment removed,
 *	  trimmed; indented lines that follow continue it), single-quoted
 *	  ('' is a quote), double-quoted (escapes \" \\ \/ \t \n, the last
 *	  two read as a space), a block scalar ("|" or ">", with an
 *	  optional chomping indicator, then indented lines), or, for
 *	  agents, a list: "[a, b]" on the line, or "- a" lines below it;
 *	  a quoted value ends on its line;
 *	- a value is folded to one line: the lines of a continued or block
 *	  value are joined with one space, and a tab is a space;
 *	- blank lines and "#" comments are ignored; a key of another name
 *	  (license, metadata, allowed-tools, ...) is accepted and ignored,
 *	  with any indented lines below it; name, description and agents
 *	  may appear once each;
 *	- anchors, aliases, tags and flow mappings are not supported in the
 *	  three keys read.
 *
 * The keys read:
 *
 *	name		required: 1 to 64 characters of a-z, 0-9 and '-',
 *			not starting or ending with '-', without "--"
 *	description	required: 1 to 1024 characters, no control character
 *	agents		optional: the agent ids (^[a-z0-9][a-z0-9_-]{0,63}$,
 *			at most 16) the skill is for; absent, every agent
 *
 * The file must be valid UTF-8 without NUL bytes, at most SKILLMD_MAX
 * bytes; it may start with a UTF-8 BOM, and its lines may end in CRLF.
 * The body is what follows the closing "---" line, the lines of blanks
 * and CRs at its start removed, and the CRs at the end of its lines too
 * (CRLF becomes LF); it may be empty.
 */
#ifndef CLAWGATE_SKILLMD_H
#define CLAWGATE_SKILLMD_H

#include <stddef.h>

#define SKILLMD_MAX		(64 * 1024)	/* bytes of a SKILL.md */
#define SKILLMD_NAME_MAX	64
#define SKILLMD_DESC_MAX	1024		/* characters */
#define SKILLMD_DESC_BUFSZ	(4 * SKILLMD_DESC_MAX + 1)
#define SKILLMD_AGENTS_MAX	16
#define SKILLMD_AGENT_MAX	64
#define SKILLMD_ERR_MAX		160		/* enough for any message */

struct skillmd {
	char	 name[SKILLMD_NAME_MAX + 1];
	char	 description[SKILLMD_DESC_BUFSZ];
	char	 agents[SKILLMD_AGENTS_MAX][SKILLMD_AGENT_MAX + 1];
	int	 nagents;		/* 0: every agent */
	char	*body;			/* NUL-terminated, malloc'd */
	size_t	 bodylen;
};

/*
 * Parses len bytes of buf into sm: 0, or -1 with the reason in err (at
 * most errsz bytes) and sm zeroed.  On success skillmd_free() releases
 * the body.
 */
int	 skillmd_parse(const char *buf, size_t len, struct skillmd *sm,
	    char *err, size_t errsz);
void	 skillmd_free(struct skillmd *);
/* 1 if s is a valid skill name */
int	 skillmd_name_ok(const char *s);
/* 1 if the skill is for that agent */
int	 skillmd_for_agent(const struct skillmd *, const char *agent);

#endif
