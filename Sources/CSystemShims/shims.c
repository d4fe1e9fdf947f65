#include "CSystemShims.h"

#ifdef __linux__
#include <errno.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

int care_record_random_bytes(void *buffer, size_t count) {
    unsigned char *next = buffer;
    while (count > 0) {
        ssize_t got = getrandom(next, count, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        next += got;
        count -= (size_t)got;
    }
    return 0;
}

// From linux/ioprio.h: the class sits above the 13 bits of level; IOPRIO_WHO_PROCESS names one thread by its id.
enum { CARE_RECORD_IOPRIO_CLASS_IDLE = 3, CARE_RECORD_IOPRIO_CLASS_SHIFT = 13, CARE_RECORD_IOPRIO_WHO_PROCESS = 1 };

int care_record_set_io_idle(int tid) {
    return (int)syscall(SYS_ioprio_set, CARE_RECORD_IOPRIO_WHO_PROCESS, tid, CARE_RECORD_IOPRIO_CLASS_IDLE << CARE_RECORD_IOPRIO_CLASS_SHIFT);
}

int care_record_io_class(int tid) {
    int priority = (int)syscall(SYS_ioprio_get, CARE_RECORD_IOPRIO_WHO_PROCESS, tid);
    return priority < 0 ? -1 : priority >> CARE_RECORD_IOPRIO_CLASS_SHIFT;
}
#else
#include <errno.h>
#include <stdlib.h>

int care_record_random_bytes(void *buffer, size_t count) {
    arc4random_buf(buffer, count);
    return 0;
}

int care_record_set_io_idle(int tid) {
    (void)tid;
    errno = ENOSYS;
    return -1;
}

int care_record_io_class(int tid) {
    (void)tid;
    errno = ENOSYS;
    return -1;
}
#endif
