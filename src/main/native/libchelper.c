/*
 * The small C helpers a native image of this service calls (AMD64LibCHelper, LocaleCHelper, CSunMiscSignal,
 * LibCHelper, LinuxLibCHelper, CodeSynchronizationOperations, AttachHelper), written for the build-only toolchain
 * that toolchain.sh assembles. docs/native.md says what this toolchain is for and where it differs from GraalVM.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <limits.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "amd64cpufeatures.h"
#include "svm_locale.h"

/* ---- CPU features ---- */

static unsigned long long read_xcr0(void) {
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long) hi << 32) | lo;
}

void determineCPUFeatures(CPUFeatures *f) {
    unsigned int a, b, c, d;
    memset(f, 0, sizeof(*f));
    unsigned int max = __get_cpuid_max(0, NULL);
    if (max < 1) {
        return;
    }
    __cpuid(1, a, b, c, d);
    f->fCX8 = (d >> 8) & 1;
    f->fCMOV = (d >> 15) & 1;
    f->fMMX = (d >> 23) & 1;
    f->fFXSR = (d >> 24) & 1;
    f->fSSE = (d >> 25) & 1;
    f->fSSE2 = (d >> 26) & 1;
    f->fHT = (d >> 28) & 1;
    f->fTSC = (d >> 4) & 1;
    f->fFLUSH = (d >> 19) & 1;
    f->fSSE3 = c & 1;
    f->fCLMUL = (c >> 1) & 1;
    f->fSSSE3 = (c >> 9) & 1;
    f->fFMA = (c >> 12) & 1;
    f->fSSE4_1 = (c >> 19) & 1;
    f->fSSE4_2 = (c >> 20) & 1;
    f->fPOPCNT = (c >> 23) & 1;
    f->fAES = (c >> 25) & 1;
    f->fF16C = (c >> 29) & 1;
    f->fHV = (c >> 31) & 1;
    int osxsave = (c >> 27) & 1;
    int avx_os = osxsave && (read_xcr0() & 0x6) == 0x6;
    int avx512_os = osxsave && (read_xcr0() & 0xe6) == 0xe6;
    f->fAVX = avx_os && ((c >> 28) & 1);
    if (!f->fAVX) {
        f->fFMA = 0;
        f->fF16C = 0;
    }
    f->fVZEROUPPER = f->fAVX;
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f->fBMI1 = (b >> 3) & 1;
        f->fAVX2 = f->fAVX && ((b >> 5) & 1);
        f->fBMI2 = (b >> 8) & 1;
        f->fERMS = (b >> 9) & 1;
        f->fADX = (b >> 19) & 1;
        f->fFLUSHOPT = (b >> 23) & 1;
        f->fCLWB = (b >> 24) & 1;
        f->fSHA = (b >> 29) & 1;
        f->fFSRM = (d >> 4) & 1;
        f->fSERIALIZE = (d >> 14) & 1;
        f->fGFNI = (c >> 8) & 1;
        f->fRDPID = (c >> 22) & 1;
        if (avx512_os && ((b >> 16) & 1)) {
            f->fAVX512F = 1;
            f->fAVX512DQ = (b >> 17) & 1;
            f->fAVX512_IFMA = (b >> 21) & 1;
            f->fAVX512CD = (b >> 28) & 1;
            f->fAVX512BW = (b >> 30) & 1;
            f->fAVX512VL = (b >> 31) & 1;
            f->fAVX512_VBMI = (c >> 1) & 1;
            f->fAVX512_VBMI2 = (c >> 6) & 1;
            f->fAVX512_VAES = (c >> 9) & 1;
            f->fAVX512_VPCLMULQDQ = (c >> 10) & 1;
            f->fAVX512_VNNI = (c >> 11) & 1;
            f->fAVX512_BITALG = (c >> 12) & 1;
            f->fAVX512_VPOPCNTDQ = (c >> 14) & 1;
        }
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        f->fLZCNT = (c >> 5) & 1;
        f->fSSE4A = (c >> 6) & 1;
        f->fAMD_3DNOW_PREFETCH = (c >> 8) & 1;
        f->fRDTSCP = (d >> 27) & 1;
    }
    if (__get_cpuid(0x80000007, &a, &b, &c, &d)) {
        f->fTSCINV_BIT = (d >> 8) & 1;
        f->fTSCINV = f->fTSCINV_BIT;
    }
}

/*
 * 0 when this CPU has every feature the image was built for, else -1. The builder lays the requirement out like a
 * CPUFeatures struct: 0xFE in the byte of a required feature, 0xFF elsewhere, so each byte of what is present
 * (0 or 1) or-ed with it must give 0xFF.
 */
int checkCPUFeatures(unsigned char *required) {
    CPUFeatures here;
    determineCPUFeatures(&here);
    unsigned char *have = (unsigned char *) &here;
    for (size_t i = 0; i < sizeof(here); i++) {
        if ((unsigned char) (have[i] | required[i]) != 0xFF) {
            return -1;
        }
    }
    return 0;
}

int checkCPUFeaturesOrExit(unsigned char *required, const char *message) {
    if (checkCPUFeatures(required) != 0) {
        fputs(message, stderr);
        fputc('\n', stderr);
        exit(1);
    }
    return 0;
}

/* ---- code cache (x86 keeps instruction caches coherent) ---- */

void codeSynchronization_clearCache(long start, long size) {
    (void) start;
    (void) size;
}

/* ---- locale: from LC_ALL / LC_MESSAGES / LANG, "en" when none is set or it is C/POSIX ---- */

static svm_locale_props_t locale_props;

static void parse_locale(const char *value, char **language, char **script, char **country, char **variant) {
    *language = strdup("en");
    *script = strdup("");
    *country = strdup("");
    *variant = strdup("");
    if (value == NULL || *value == 0 || strcmp(value, "C") == 0 || strcmp(value, "POSIX") == 0 || strncmp(value, "C.", 2) == 0) {
        return;
    }
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", value);
    char *at = strchr(buf, '@');
    if (at != NULL) {
        *at = 0;
    }
    char *dot = strchr(buf, '.');
    if (dot != NULL) {
        *dot = 0;
    }
    char *underscore = strchr(buf, '_');
    if (underscore != NULL) {
        *underscore = 0;
        free(*country);
        *country = strdup(underscore + 1);
    }
    if (buf[0] != 0) {
        free(*language);
        *language = strdup(buf);
    }
}

static const char *locale_env(const char *category) {
    const char *names[] = {"LC_ALL", category, "LANG"};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        if (v != NULL && *v != 0) {
            return v;
        }
    }
    return NULL;
}

int svm_initialize_locale(void) {
    parse_locale(locale_env("LC_MESSAGES"), &locale_props.display_language, &locale_props.display_script,
                    &locale_props.display_country, &locale_props.display_variant);
    parse_locale(locale_env("LC_CTYPE"), &locale_props.format_language, &locale_props.format_script,
                    &locale_props.format_country, &locale_props.format_variant);
    return SVM_LOCALE_INITIALIZATION_SUCCEEDED;
}

svm_locale_props_t *svm_get_locale(void) {
    return &locale_props;
}

/* ---- threads, environment, time zone ---- */

int getThreadId(void) {
    return (int) syscall(SYS_gettid);
}

long getThreadUserTimeSlow(int tid) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    char line[2048];
    long result = -1;
    if (fgets(line, sizeof(line), f) != NULL) {
        char *p = strrchr(line, ')');
        unsigned long utime;
        /* after the command: state and 11 more fields, then utime (field 14) */
        if (p != NULL && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu", &utime) == 1) {
            result = (long) (utime * (1000000000L / sysconf(_SC_CLK_TCK)));
        }
    }
    fclose(f);
    return result;
}

extern char **environ;

char **getEnviron(void) {
    return environ;
}

/* the zone id: $TZ, else the zoneinfo file /etc/localtime points at, else /etc/timezone, else UTC */
char *SVM_FindJavaTZmd(const char *java_home, int len) {
    (void) java_home;
    (void) len;
    const char *tz = getenv("TZ");
    if (tz != NULL && *tz != 0) {
        return strdup(*tz == ':' ? tz + 1 : tz);
    }
    char target[PATH_MAX];
    ssize_t n = readlink("/etc/localtime", target, sizeof(target) - 1);
    if (n > 0) {
        target[n] = 0;
        char *zi = strstr(target, "zoneinfo/");
        if (zi != NULL) {
            return strdup(zi + strlen("zoneinfo/"));
        }
    }
    FILE *f = fopen("/etc/timezone", "r");
    if (f != NULL) {
        char line[256];
        if (fgets(line, sizeof(line), f) != NULL) {
            line[strcspn(line, " \t\r\n")] = 0;
            fclose(f);
            if (line[0] != 0) {
                return strdup(line);
            }
        } else {
            fclose(f);
        }
    }
    return strdup("UTC");
}

/* ---- jdk.internal.misc.Signal: a counter per signal and a semaphore the dispatch thread waits on ---- */

static volatile long signal_counts[NSIG];
static sem_t signal_semaphore;
static volatile int signal_open;

int cSunMiscSignal_open(void) {
    if (!__sync_bool_compare_and_swap(&signal_open, 0, 1)) {
        errno = EBUSY;
        return -1;
    }
    memset((void *) signal_counts, 0, sizeof(signal_counts));
    if (sem_init(&signal_semaphore, 0, 0) != 0) {
        signal_open = 0;
        return -1;
    }
    return 0;
}

int cSunMiscSignal_close(void) {
    if (signal_open) {
        sem_destroy(&signal_semaphore);
        signal_open = 0;
    }
    return 0;
}

int cSunMiscSignal_awaitSemaphore(void) {
    if (!signal_open) {
        errno = EINVAL;
        return -1;
    }
    while (sem_wait(&signal_semaphore) != 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

int cSunMiscSignal_signalSemaphore(void) {
    if (!signal_open) {
        errno = EINVAL;
        return -1;
    }
    return sem_post(&signal_semaphore);
}

int cSunMiscSignal_signalRangeCheck(int sig) {
    return sig > 0 && sig < NSIG;
}

/* a signal that has arrived and not yet been dispatched (its count taken down by one), or -1 */
int cSunMiscSignal_checkPendingSignal(void) {
    for (int sig = 1; sig < NSIG; sig++) {
        long count;
        while ((count = signal_counts[sig]) > 0) {
            if (__sync_bool_compare_and_swap(&signal_counts[sig], count, count - 1)) {
                return sig;
            }
        }
    }
    return -1;
}

static void counting_handler(int sig) {
    int saved = errno;
    if (sig > 0 && sig < NSIG) {
        __sync_fetch_and_add(&signal_counts[sig], 1);
        if (signal_open) {
            sem_post(&signal_semaphore);
        }
    }
    errno = saved;
}

void *cSunMiscSignal_signalHandlerFunctionPointer(void) {
    return (void *) counting_handler;
}

/* ---- the attach mechanism (jcmd): not offered by this toolchain ---- */

void svm_attach_startup(char *path) {
    (void) path;
}

void svm_attach_listener_cleanup(int fd, char *path) {
    if (fd >= 0) {
        close(fd);
    }
    if (path != NULL) {
        unlink(path);
    }
}

int svm_attach_check_socket_file(char *path) {
    (void) path;
    return 0;
}

int svm_attach_is_init_trigger(char *path) {
    (void) path;
    return 0;
}

int svm_attach_create_listener(char *path) {
    (void) path;
    return -1;
}

int svm_attach_wait_for_request(int fd) {
    (void) fd;
    return -1;
}

void svm_attach_shutdown_socket(int fd) {
    (void) fd;
}

/* ---- fixed-argument forms of variadic libc functions, which the image calls like any other ---- */

int openSII(const char *path, int flags, int mode) {
    return open(path, flags, mode);
}

int openatISII(int dirfd, const char *path, int flags, int mode) {
    return openat(dirfd, path, flags, mode);
}

int fprintfSD(FILE *stream, const char *format, const char *s, int d) {
    return fprintf(stream, format, s, d);
}

void *mremapP(void *old_address, size_t old_size, size_t new_size, int flags, void *new_address) {
    return mremap(old_address, old_size, new_size, flags, new_address);
}

/* ---- Jvm.initialize: nothing to prepare, the JVM functions live in the libjvm.so stand-in ---- */

void initialize(void) {
}
