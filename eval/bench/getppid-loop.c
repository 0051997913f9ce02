// SPDX-License-Identifier: MIT
/* getppid-loop N: the mean cost of N raw getppid() calls, the cheapest syscall, in ns per call. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	char *end = NULL;
	long long n = 0;

	if (argc == 2)
		n = strtoll(argv[1], &end, 10);
	if (n <= 0 || !end || *end) {
		fprintf(stderr, "usage: getppid-loop N   (N > 0 calls)\n");
		return 2;
	}
	/* Warm-up, untimed: page faults, caches, branch predictors, CPU frequency. */
	for (long long i = 0; i < n / 10; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long long i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	printf("ns_per_call=%.2f\n", ns / (double)n);
	return 0;
}
