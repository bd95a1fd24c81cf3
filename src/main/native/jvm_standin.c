/*
 * A stand-in for libjvm.so, for the build-only native toolchain (toolchain.sh, docs/native.md).
 *
 * The toolchain links the image against the host JDK's shared libraries (libjava.so, libnio.so, ...), which import
 * JVM_* and jio_* functions from libjvm.so. A native image provides its own Java runtime, so the process must not
 * load HotSpot; it loads this library instead. The functions below are the ones the JDK's native code can reach in
 * an image; toolchain.sh generates the others as functions that abort, so that a call nobody expected is loud.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef int32_t jint;
typedef int64_t jlong;
typedef unsigned char jboolean;
typedef void JNIEnv;
typedef void *jclass;

int jio_vsnprintf(char *str, size_t count, const char *fmt, va_list args) {
    if ((intptr_t) count <= 0) {
        return -1;
    }
    int result = vsnprintf(str, count, fmt, args);
    if (result > 0 && (size_t) result >= count) {
        result = -1;
    }
    return result;
}

int jio_snprintf(char *str, size_t count, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int result = jio_vsnprintf(str, count, fmt, args);
    va_end(args);
    return result;
}

int jio_vfprintf(FILE *f, const char *fmt, va_list args) {
    return vfprintf(f, fmt, args);
}

int jio_fprintf(FILE *f, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int result = vfprintf(f, fmt, args);
    va_end(args);
    return result;
}

jlong JVM_CurrentTimeMillis(JNIEnv *env, jclass ignored) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (jlong) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

jlong JVM_NanoTime(JNIEnv *env, jclass ignored) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (jlong) ts.tv_sec * 1000000000L + ts.tv_nsec;
}

jlong JVM_GetNanoTimeAdjustment(JNIEnv *env, jclass ignored, jlong offset_secs) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    jlong diff = (jlong) ts.tv_sec - offset_secs;
    if (diff >= 0x100000000L || diff <= -0x100000000L) {
        return -1;
    }
    return diff * 1000000000L + ts.tv_nsec;
}

jint JVM_ActiveProcessorCount(void) {
    return (jint) sysconf(_SC_NPROCESSORS_ONLN);
}

jboolean JVM_IsContainerized(void) {
    return 0;
}

jboolean JVM_IsUseContainerSupport(void) {
    return 0;
}

jboolean JVM_IsSupportedJNIVersion(jint version) {
    return version == 0x00010001 || version == 0x00010002 || version == 0x00010004 || version == 0x00010006
                    || version == 0x00010008 || version >= 0x00090000;
}

char *JVM_NativePath(char *path) {
    return path;
}

void *JVM_LoadLibrary(const char *name, jboolean throw_exception) {
    return dlopen(name, RTLD_LAZY);
}

void JVM_UnloadLibrary(void *handle) {
    dlclose(handle);
}

void *JVM_FindLibraryEntry(void *handle, const char *name) {
    return dlsym(handle, name);
}

jint JVM_FindSignal(const char *name) {
    static const struct { const char *name; int number; } signals[] = {
        {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"TERM", SIGTERM}, {"USR1", SIGUSR1},
        {"USR2", SIGUSR2}, {"ALRM", SIGALRM}, {"CHLD", SIGCHLD}, {"PIPE", SIGPIPE}, {"WINCH", SIGWINCH},
    };
    for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
        if (strcmp(name, signals[i].name) == 0) {
            return signals[i].number;
        }
    }
    return -1;
}

jboolean JVM_RaiseSignal(jint sig) {
    return raise(sig) == 0;
}

void JVM_BeforeHalt(void) {
}

void JVM_Halt(jint code) {
    _exit(code);
}

void JVM_Yield(JNIEnv *env, jclass ignored) {
    sched_yield();
}

/*
 * A statically linked JDK library announces itself with JNI_OnLoad_<name>; the image calls that for each JDK library
 * it was built with. Here those libraries are the host JDK's shared ones, whose entry is their plain JNI_OnLoad.
 */
typedef jint (*on_load_t)(void *vm, void *reserved);

static jint forward_on_load(const char *library, void *vm, void *reserved) {
    void *handle = dlopen(library, RTLD_NOW | RTLD_NOLOAD);
    on_load_t on_load = handle == NULL ? NULL : (on_load_t) dlsym(handle, "JNI_OnLoad");
    jint version = on_load == NULL ? 0x00010008 : on_load(vm, reserved);
    /* the static form must answer at least JNI 1.8 */
    return version < 0x00010008 ? 0x00010008 : version;
}

#define ON_LOAD(name) \
    jint JNI_OnLoad_##name(void *vm, void *reserved) { return forward_on_load("lib" #name ".so", vm, reserved); }

ON_LOAD(java)
ON_LOAD(nio)
ON_LOAD(net)
ON_LOAD(zip)
ON_LOAD(extnet)
ON_LOAD(prefs)
ON_LOAD(management)
ON_LOAD(management_ext)
ON_LOAD(jaas)
ON_LOAD(j2pkcs11)
ON_LOAD(jimage)
ON_LOAD(verify)
ON_LOAD(fdlibm)
