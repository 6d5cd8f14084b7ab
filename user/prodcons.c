// prodcons [producers] [consumers] [items]: a bounded buffer shared by
// several producer and consumer threads (a mutex and two condition
// variables); every item is consumed exactly once.
#include "user.h"
#include "thread.h"

#define SLOTS 8

static int buf[SLOTS], head, tail, count;
static mutex_t lock = MUTEX_INITIALIZER;
static cond_t not_full = COND_INITIALIZER, not_empty = COND_INITIALIZER;
static int items_each;
static uint64 consumed_sum, consumed_count;

static void
put(int v)
{
  mutex_lock(&lock);
  while (count == SLOTS)
    cond_wait(&not_full, &lock);
  buf[tail] = v;
  tail = (tail + 1) % SLOTS;
  count++;
  cond_signal(&not_empty);
  mutex_unlock(&lock);
}

static int
get(void)
{
  mutex_lock(&lock);
  while (count == 0)
    cond_wait(&not_empty, &lock);
  int v = buf[head];
  head = (head + 1) % SLOTS;
  count--;
  cond_signal(&not_full);
  mutex_unlock(&lock);
  return v;
}

static void *
producer(void *arg)
{
  long id = (long)arg;
  for (int i = 1; i <= items_each; i++)
    put(id * 100000 + i);
  return 0;
}

static void *
consumer(void *arg)
{
  uint64 sum = 0, n = 0;
  for (;;) {
    int v = get();
    if (v < 0)
      break;                  // the end marker: one per consumer
    sum += v;
    n++;
  }
  mutex_lock(&lock);
  consumed_sum += sum;
  consumed_count += n;
  mutex_unlock(&lock);
  return 0;
}

int
main(int argc, char *argv[])
{
  int np = argc > 1 ? atoi(argv[1]) : 3;
  int nc = argc > 2 ? atoi(argv[2]) : 3;
  items_each = argc > 3 ? atoi(argv[3]) : 500;
  if (np < 1 || nc < 1 || np > 16 || nc > 16 || items_each < 0) {
    fprintf(2, "prodcons: 1..16 producers and consumers\n");
    exit(1);
  }
  static thread_t p[16], c[16];
  for (long i = 0; i < nc; i++)
    thread_create(&c[i], consumer, 0);
  for (long i = 0; i < np; i++)
    thread_create(&p[i], producer, (void *)(i + 1));
  for (int i = 0; i < np; i++)
    thread_join(&p[i], 0);
  for (int i = 0; i < nc; i++)
    put(-1);
  for (int i = 0; i < nc; i++)
    thread_join(&c[i], 0);
  uint64 want_sum = 0;
  for (uint64 id = 1; id <= np; id++)
    want_sum += id * 100000 * items_each + (uint64)items_each * (items_each + 1) / 2;
  int ok = consumed_count == (uint64)np * items_each && consumed_sum == want_sum;
  printf("prodcons: %d producers, %d consumers: %d items consumed (%s)\n", np, nc,
         (int)consumed_count, ok ? "correct" : "WRONG");
  exit(ok ? 0 : 1);
}
