// The memory bandwidth of this machine, for the physical floor in bench/README.md: the best of 5
// passes over a 512 MB buffer, copied with memcpy and read with a summing loop, on one core.
//
//   cc -O3 -march=native bench/bandwidth.c -o /tmp/bandwidth && /tmp/bandwidth
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
    size_t n = (size_t)512 << 20;
    char *a = malloc(n), *b = malloc(n);
    if (!a || !b) return 1;
    memset(a, 1, n);
    memset(b, 2, n);
    double copy = 1e9, read = 1e9;
    uint64_t sum = 0;
    for (int r = 0; r < 5; r++) {
        double t = now();
        memcpy(b, a, n);
        t = now() - t;
        if (t < copy) copy = t;
        t = now();
        const uint64_t *p = (const uint64_t *)a;
        for (size_t i = 0; i < n / 8; i++) sum += p[i];
        t = now() - t;
        if (t < read) read = t;
    }
    printf("memcpy %.1f GB/s, read %.1f GB/s (one core, %zu MB; checksum %llu)\n", n / copy / 1e9,
           n / read / 1e9, n >> 20, (unsigned long long)(sum & 1) + (unsigned long long)b[n - 1]);
    return 0;
}
