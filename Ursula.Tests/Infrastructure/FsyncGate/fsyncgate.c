/*
 * A seam around the flush to disk, for tests. Loaded into a node with LD_PRELOAD, it holds every
 * fsync, fdatasync and msync(MS_SYNC) of files whose path contains URSULA_FSYNC_GATE_FILTER (the
 * node's Raft WAL) for as long as the file named by URSULA_FSYNC_GATE exists. While it holds a call
 * it keeps "<gate>.held" present, so a test can tell that the node really is waiting for its disk.
 * URSULA_FSYNC_DELAY_MS adds a delay to every such call (a slow disk), and so does the number of
 * milliseconds in "<gate>.delay" while that file exists (a disk that turns slow and recovers).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void hold_while_gate_closed(void)
{
    const char *gate = getenv("URSULA_FSYNC_GATE");
    const char *delay = getenv("URSULA_FSYNC_DELAY_MS");
    if (delay != NULL && atol(delay) > 0)
        pause_ms(atol(delay));

    if (gate == NULL)
        return;

    char slow[4096];
    snprintf(slow, sizeof slow, "%s.delay", gate);
    FILE *file = fopen(slow, "r");
    if (file != NULL)
    {
        long ms = 0;
        if (fscanf(file, "%ld", &ms) == 1 && ms > 0)
            pause_ms(ms);
        fclose(file);
    }

    if (access(gate, F_OK) != 0)
        return;

    char held[4096];
    snprintf(held, sizeof held, "%s.held", gate);
    int fd = open(held, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0)
        close(fd);

    while (access(gate, F_OK) == 0)
        pause_ms(5);
}

static int path_matches(const char *path)
{
    const char *filter = getenv("URSULA_FSYNC_GATE_FILTER");
    return filter == NULL || strstr(path, filter) != NULL;
}

static int fd_matches(int fd)
{
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    return path_matches(target);
}

/* The file mapped at addr, from /proc/self/maps. */
static int mapping_matches(const void *addr)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return 0;

    char line[4608];
    int found = 0;
    uintptr_t at = (uintptr_t)addr;
    while (fgets(line, sizeof line, maps) != NULL)
    {
        unsigned long start, end;
        if (sscanf(line, "%lx-%lx", &start, &end) != 2 || at < start || at >= end)
            continue;

        char *path = strchr(line, '/');
        found = path != NULL && path_matches(path);
        break;
    }

    fclose(maps);
    return found;
}

int fsync(int fd)
{
    static int (*real)(int);
    if (real == NULL)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    if (fd_matches(fd))
        hold_while_gate_closed();
    return real(fd);
}

int fdatasync(int fd)
{
    static int (*real)(int);
    if (real == NULL)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    if (fd_matches(fd))
        hold_while_gate_closed();
    return real(fd);
}

int msync(void *addr, size_t length, int flags)
{
    static int (*real)(void *, size_t, int);
    if (real == NULL)
        real = (int (*)(void *, size_t, int))dlsym(RTLD_NEXT, "msync");
    if ((flags & MS_SYNC) && mapping_matches(addr))
        hold_while_gate_closed();
    return real(addr, length, flags);
}
