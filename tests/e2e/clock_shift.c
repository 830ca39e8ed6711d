// clock_shift.c: an LD_PRELOAD library with which an end-to-end test steps
// the wall clock of a process tree, as NTP or `date -s` would, without root.
// CLOCK_REALTIME (clock_gettime, gettimeofday, time) reads as the real clock
// plus the whole seconds written in the file that CH_TEST_CLOCK_SHIFT_FILE
// names, read again at every call (missing or unreadable: no shift). The
// monotonic clocks are left alone, as a real step leaves them; file times
// come from the kernel and are not shifted (files written after a real
// step would be, which a test need not reproduce).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long ShiftSeconds(void) {
  const char* path = getenv("CH_TEST_CLOCK_SHIFT_FILE");
  if (path == NULL) return 0;
  FILE* f = fopen(path, "re");
  if (f == NULL) return 0;
  long seconds = 0;
  if (fscanf(f, "%ld", &seconds) != 1) seconds = 0;
  fclose(f);
  return seconds;
}

int clock_gettime(clockid_t id, struct timespec* ts) {
  static int (*real)(clockid_t, struct timespec*) = NULL;
  if (real == NULL) real = (int (*)(clockid_t, struct timespec*))dlsym(RTLD_NEXT, "clock_gettime");
  const int rc = real(id, ts);
  if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
    ts->tv_sec += ShiftSeconds();
  return rc;
}

int gettimeofday(struct timeval* tv, void* tz) {
  static int (*real)(struct timeval*, void*) = NULL;
  if (real == NULL) real = (int (*)(struct timeval*, void*))dlsym(RTLD_NEXT, "gettimeofday");
  const int rc = real(tv, tz);
  if (rc == 0) tv->tv_sec += ShiftSeconds();  // tv: nonnull in glibc's declaration
  return rc;
}

time_t time(time_t* out) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (out != NULL) *out = ts.tv_sec;
  return ts.tv_sec;
}
