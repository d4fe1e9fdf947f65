#ifndef CARE_RECORD_SYSTEM_SHIMS_H
#define CARE_RECORD_SYSTEM_SHIMS_H

/// System calls Swift cannot reach directly (glibc's variadic `syscall`).

/// Puts the thread `tid` (0: the calling thread) in the idle I/O scheduling class: its disk requests are served when no
/// other process's are waiting, so a refresh's writes give way to the server's audit commits. Linux only; returns 0 on
/// success, -1 with errno set otherwise (and -1 on other systems).
int care_record_set_io_idle(int tid);

/// The I/O scheduling class of the thread `tid` (0: the calling thread): 0 none set (derived from the CPU niceness),
/// 1 real-time, 2 best-effort, 3 idle; -1 with errno set on failure (and on other systems).
int care_record_io_class(int tid);

#include <stddef.h>

/// Fills `count` bytes at `buffer` from the kernel's random number generator (`getrandom`, blocking only before it is
/// seeded at boot); returns 0, or -1 with errno set. One system call for many request ids (issue 12).
int care_record_random_bytes(void *buffer, size_t count);

#endif
