/*
 * log.h - logging for every clawgate process (all trust zones).
 *
 * The parent logs to stderr (-d) or syslog.  Children hand each line to a
 * sink installed by child.c that forwards it to the parent over the parent
 * edge (IMSG_LOG); before that sink exists they write to stderr.  No log
 * function is ever called from a signal handler.
 */
#ifndef CLAWGATE_LOG_H
#define CLAWGATE_LOG_H

#include <stdarg.h>

#define LOG_LVL_WARN	0
#define LOG_LVL_INFO	1
#define LOG_LVL_DEBUG	2

typedef void (*log_sink_fn)(int level, const char *line);

void	log_init(const char *procname, int to_stderr, int level);
void	log_setlevel(int level);
int	log_getlevel(void);
void	log_setsink(log_sink_fn);
const char *log_procname(void);
int	log_level_parse(const char *);
const char *log_level_name(int);
void	log_emit(int level, const char *line);	/* already formatted */

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
