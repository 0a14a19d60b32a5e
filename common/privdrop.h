/*
 * privdrop.h - the one privilege drop every child runs (invariant 1), and
 * the seccomp allow-list loader (all child processes).
 *
 * Order: chroot, capability bounding and ambient sets, securebits,
 * setgroups, setresgid, setresuid, verify that root cannot be regained,
 * not dumpable, RLIMIT_CORE 0 (and RLIMIT_NPROC 0 for processes that never
 * fork), no_new_privs; then seccomp_install() as the very last step.
 * Every failure is fatal.
 */
#ifndef CLAWGATE_PRIVDROP_H
#define CLAWGATE_PRIVDROP_H

#include <sys/types.h>
#include <stddef.h>

#include <sys/capability.h>

struct privdrop {
	uid_t			 uid;
	gid_t			 gid;
	const char		*chroot_dir;	/* NULL: no chroot */
	const cap_value_t	*keep;		/* kept in the permitted set */
	int			 nkeep;
	int			 nproc_zero;	/* never forks */
};

void	privdrop(const struct privdrop *);
/* syscall numbers allowed; everything else kills the process */
void	seccomp_install(const char *who, const int *allow, size_t n);

#endif
