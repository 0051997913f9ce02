// SPDX-License-Identifier: MIT
/*
 * A forking, multi-threaded test workload: every thread and the forked child each open a file
 * of their own, so a test can check that the tracer saw all of them.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4

static void *thread_main(void *arg)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/thread-%ld", (long)arg);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	pid_t child;
	int status = 0;

	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, thread_main, (void *)i) != 0)
			return 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);

	child = fork();
	if (child == 0) {
		/* A grandchild too: descendants at any depth belong to the container. */
		if (fork() == 0) {
			close(open("/tmp/grandchild", O_WRONLY | O_CREAT, 0644));
			_exit(0);
		}
		wait(NULL);
		close(open("/tmp/forked-child", O_WRONLY | O_CREAT, 0644));
		_exit(0);
	}
	waitpid(child, &status, 0);
	puts("threads done");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
