/*
 * seccomp.c - the seccomp allow-list of agentd (trust zone "agentd").
 * The only process with outbound network: sockets to model providers
 * (TCP, TLS) and to the resolver (UDP, evdns).  It opens no file and
 * runs nothing; it writes its edges, its sockets and its LMDB
 * environment (config, sessions, transcripts).
 */
#include <stddef.h>

#include <seccomp.h>

#include "agentd.h"
#include "privdrop.h"

static const int agentd_syscalls[] = {
	/* event loop and its edges */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(poll), SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg), SCMP_SYS(close), SCMP_SYS(fcntl),
	/* outbound HTTP(S) and DNS */
	SCMP_SYS(socket), SCMP_SYS(connect), SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(readv),
	SCMP_SYS(ioctl), SCMP_SYS(shutdown),
	/* LMDB commits (the config store) */
	SCMP_SYS(pread64), SCMP_SYS(pwrite64), SCMP_SYS(lseek),
	SCMP_SYS(writev), SCMP_SYS(fdatasync), SCMP_SYS(msync),
	/* libsodium: randomness, guarded and locked memory for keys */
	SCMP_SYS(getrandom), SCMP_SYS(mprotect), SCMP_SYS(mlock),
	SCMP_SYS(munlock),
	/* memory, time, exit */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
};

void
agentd_seccomp(void)
{
	seccomp_install("agentd", agentd_syscalls,
	    sizeof(agentd_syscalls) / sizeof(agentd_syscalls[0]));
}
