/* A program with three ThreadSanitizer findings, for TestRealTSAN: a data
 * race on a global (bump() and main() increment it without a lock), a
 * lock-order inversion (take_ab() locks a then b, main() b then a) and a
 * thread leak (a thread that ends and is never joined). Built with
 * -fsanitize=thread by the test; not part of pyrace. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

int counter;
pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t b = PTHREAD_MUTEX_INITIALIZER;

void *bump(void *arg) {
	counter++;
	return arg;
}

void *take_ab(void *arg) {
	pthread_mutex_lock(&a);
	pthread_mutex_lock(&b);
	pthread_mutex_unlock(&b);
	pthread_mutex_unlock(&a);
	return arg;
}

void *quick(void *arg) { return arg; }

int main(void) {
	pthread_t t1, t2, t3;
	pthread_create(&t1, NULL, bump, NULL);
	counter++;
	pthread_join(t1, NULL);

	pthread_create(&t2, NULL, take_ab, NULL);
	pthread_join(t2, NULL);
	pthread_mutex_lock(&b);
	pthread_mutex_lock(&a);
	pthread_mutex_unlock(&a);
	pthread_mutex_unlock(&b);

	pthread_create(&t3, NULL, quick, NULL);
	usleep(200 * 1000); /* t3 ends; it is never joined */
	printf("counter %d\n", counter);
	return 0;
}
