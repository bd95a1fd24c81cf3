/* Only for the builder's struct queries: this toolchain builds for amd64 alone (see amd64cpufeatures.h). */
#ifndef VIDEO_EVENTS_RISCV64CPUFEATURES_H
#define VIDEO_EVENTS_RISCV64CPUFEATURES_H

typedef struct {
    char fI;
    char fM;
    char fA;
    char fF;
    char fD;
    char fC;
    char fV;
} CPUFeatures;

#endif
