/* ThreadSanitizer's mutex and signal reports, for TestRealTSANKinds: a
 * double lock, an unlock of an unlocked mutex, a signal handler that
 * spoils errno and a signal-unsafe call (malloc) inside a handler. Built
 * with -fsanitize=thread by the test; not part of pyrace. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

pthread_mutex_t mu;
pthread_mutex_t other = PTHREAD_MUTEX_INITIALIZER;

void spoil(int sig) { errno = 42; }

void unsafe(int sig) {
	void *p = malloc(16);
	free(p);
}

int main(void) {
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&mu, &attr); /* a second lock fails instead of blocking */
	pthread_mutex_lock(&mu);
	pthread_mutex_lock(&mu); /* double lock */

	pthread_mutex_unlock(&other); /* unlock of an unlocked mutex */

	signal(SIGUSR1, spoil);
	raise(SIGUSR1);
	usleep(10000);
	signal(SIGUSR2, unsafe);
	raise(SIGUSR2);
	usleep(10000);
	return 0;
}
