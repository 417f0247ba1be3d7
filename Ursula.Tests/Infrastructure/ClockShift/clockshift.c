/*
 * A seam around the wall clock, for tests. Loaded into a node with LD_PRELOAD, it adds an offset
 * to every reading of the real-time clock (clock_gettime of CLOCK_REALTIME and its coarse form,
 * gettimeofday, time): the offset, in whole seconds and possibly negative, is the content of the
 * file named by URSULA_CLOCK_OFFSET_FILE (no file: no offset), read again at most every 20 ms of
 * monotonic time. Monotonic clocks are untouched, so timers and timeouts behave; only what the
 * node believes the date to be jumps, as after an NTP step or a VM restored from a snapshot.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static int (*real_clock_gettime)(clockid_t, struct timespec *);
static volatile long offset_seconds;
static volatile long long next_check_ns;

static void refresh_offset(void)
{
    struct timespec now;
    if (real_clock_gettime == NULL)
        real_clock_gettime = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    real_clock_gettime(CLOCK_MONOTONIC, &now);
    long long ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
    if (ns < next_check_ns)
        return;
    next_check_ns = ns + 20000000LL;

    const char *path = getenv("URSULA_CLOCK_OFFSET_FILE");
    long value = 0;
    if (path != NULL)
    {
        FILE *file = fopen(path, "r");
        if (file != NULL)
        {
            if (fscanf(file, "%ld", &value) != 1)
                value = 0;
            fclose(file);
        }
    }
    offset_seconds = value;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
    if (real_clock_gettime == NULL)
        real_clock_gettime = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    int result = real_clock_gettime(clock, ts);
    if (result == 0 && ts != NULL && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE))
    {
        refresh_offset();
        ts->tv_sec += offset_seconds;
    }
    return result;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    struct timespec ts;
    int result = clock_gettime(CLOCK_REALTIME, &ts);
    if (result == 0 && tv != NULL)
    {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    (void)tz;
    return result;
}

time_t time(time_t *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out != NULL)
        *out = ts.tv_sec;
    return ts.tv_sec;
}
