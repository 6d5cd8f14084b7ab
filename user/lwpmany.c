// lwpmany [n]: n LWPs (default 100) alive at once in one process: each
// waits at a barrier until all have started, then they are all joined.
#include "user.h"
#include "thread.h"

static barrier_t start;
static int ran[MAX_LWPS];

static void *
worker(void *arg)
{
  ran[(long)arg] = 1;
  barrier_wait(&start);
  return arg;
}

int
main(int argc, char *argv[])
{
  int n = argc > 1 ? atoi(argv[1]) : 100;
  if (n < 1 || n >= MAX_LWPS) {
    fprintf(2, "lwpmany: 1..%d\n", MAX_LWPS - 1);
    exit(1);
  }
  static thread_t t[MAX_LWPS];
  barrier_init(&start, n + 1);
  for (long i = 0; i < n; i++)
    if (thread_create(&t[i], worker, (void *)i) < 0) {
      fprintf(2, "lwpmany: thread %d: thread_create failed\n", (int)i);
      exit(1);
    }
  barrier_wait(&start);
  int all = 0;
  for (int i = 0; i < n; i++) {
    void *ret;
    if (thread_join(&t[i], &ret) == 0 && ret == (void *)(long)i && ran[i])
      all++;
  }
  printf("lwpmany: %d of %d LWPs ran and were joined\n", all, n);
  exit(all == n ? 0 : 1);
}
