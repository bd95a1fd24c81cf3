/*
 * Container limits for the native image (ContainerLibrary), for the build-only toolchain: this stand-in reports
 * "not in a container", so the image sizes itself from the machine (sysconf) unless -Xmx and the like are given.
 * docs/native.md explains why a production image is built with Mandrel instead.
 */
#include <unistd.h>

int svm_container_initialize(int version) {
    (void) version;
    return 0; /* SUCCESS_IS_NOT_CONTAINERIZED */
}

unsigned long svm_container_physical_memory(void) {
    return (unsigned long) sysconf(_SC_PHYS_PAGES) * (unsigned long) sysconf(_SC_PAGESIZE);
}

long svm_container_memory_limit_in_bytes(void) { return -1; }
long svm_container_memory_and_swap_limit_in_bytes(void) { return -1; }
long svm_container_memory_soft_limit_in_bytes(void) { return -1; }
long svm_container_memory_usage_in_bytes(void) { return -1; }
long svm_container_memory_max_usage_in_bytes(void) { return -1; }
long svm_container_rss_usage_in_bytes(void) { return -1; }
long svm_container_cache_usage_in_bytes(void) { return -1; }

int svm_container_active_processor_count(void) {
    return (int) sysconf(_SC_NPROCESSORS_ONLN);
}
