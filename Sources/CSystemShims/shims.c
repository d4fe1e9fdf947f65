#include "CSystemShims.h"

#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>

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
