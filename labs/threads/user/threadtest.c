// The threads lab's test program (labs/threads/README.md): stress tests of
// your user/usync.c.
//
//   threadtest mutex [threads]      a counter incremented under a mutex
//   threadtest prodcons [pairs]     producers and consumers on a bounded buffer
//   threadtest barrier [threads]    threads meeting round after round
//   threadtest uncontended          the free paths make no system call
//
// Each prints `threadtest: NAME: OK token=...` or `... FAILED: why`.  A
// thread that is never woken (a lost wakeup) stops the test: a watchdog
// in the main thread says `stuck` after a while.
#include "user.h"
#include "thread.h"
#include "common/grade.h"

// usync.c is compiled into this program, its system calls counted: the
// uncontended test checks that the free paths make none.
int counted_park(int);
int counted_unpark(int);
int counted_yield(void);
#define lwp_park counted_park
#define lwp_unpark counted_unpark
#define yield counted_yield
#include "usync.c"
#undef lwp_park
#undef lwp_unpark
#undef yield

static int nparks, nunparks, nyields;

int counted_park(int lid) {
  __atomic_add_fetch(&nparks, 1, __ATOMIC_SEQ_CST);
  return lwp_park(lid);
}

int counted_unpark(int lid) {
  __atomic_add_fetch(&nunparks, 1, __ATOMIC_SEQ_CST);
  return lwp_unpark(lid);
}

int counted_yield(void) {
  __atomic_add_fetch(&nyields, 1, __ATOMIC_SEQ_CST);
  return yield();
}

static const char *test;

static void fail(const char *why, int a, int b) {
  printf("threadtest: %s: FAILED: ", test);
  printf(why, a, b);
  printf("\n");
  exit(1);
}

// A random number per thread (xorshift), for yields at random places.
static unsigned rnd(unsigned *s) {
  unsigned x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static unsigned seed(int i) { return 0x9e3779b9u * (i + 1) ^ (uptime() << 8) ^ 0x5a5a; }

#define MAXT 16
static thread_t threads[MAXT];
static int done;                        // threads that finished

static void run(int n, void *(*fn)(void *)) {
  if (n < 1 || n > MAXT)
    fail("between 1 and %d threads, not %d", MAXT, n);
  done = 0;
  for (long i = 0; i < n; i++)
    if (thread_create(&threads[i], fn, (void *)i) < 0)
      fail("thread_create failed (thread %d of %d)", i, n);
  // The watchdog: a thread parked for good never finishes.
  // (Ten ticks a second.)
  int start = uptime();
  while (__atomic_load_n(&done, __ATOMIC_SEQ_CST) < n) {
    if (uptime() - start > 600)
      fail("stuck: after 60 seconds %d of %d threads have finished (a lost wakeup?)",
           __atomic_load_n(&done, __ATOMIC_SEQ_CST), n);
    sleep(1);
  }
  for (int i = 0; i < n; i++)
    if (thread_join(&threads[i], 0) < 0)
      fail("thread_join of thread %d failed", i, 0);
}

static void finished(void) { __atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST); }

// ---- mutex: a read-modify-write of a counter, with yields inside ----

#define ITERS 4000
static umutex_t mu;
static volatile int counter, inside;

static void *mutex_worker(void *arg) {
  unsigned s = seed((long)arg);
  for (int i = 0; i < ITERS; i++) {
    umutex_lock(&mu);
    if (inside++ != 0)
      fail("two threads inside the critical section", 0, 0);
    int v = counter;
    if (rnd(&s) % 8 == 0)
      yield();                         // another thread now finds it taken
    counter = v + 1;
    inside--;
    umutex_unlock(&mu);
    if (rnd(&s) % 8 == 0)
      yield();
  }
  finished();
  return 0;
}

static void test_mutex(int n) {
  umutex_init(&mu);
  counter = 0;
  nparks = 0;
  run(n, mutex_worker);
  if (counter != n * ITERS)
    fail("the counter is %d, not %d: increments were lost", counter, n * ITERS);
  if (nparks == 0)
    fail("no thread ever parked: a thread that finds the mutex taken must lwp_park", 0, 0);
}

// ---- prodcons: a bounded buffer on two condition variables ----

#define PER 600                        // items per producer
#define BUF 4
static umutex_t pm;
static ucond_t notfull, notempty;
static int buf[BUF], head, tail, count, consumed, total, pairs;
static unsigned char seen[MAXT / 2 * PER];

static void enter(void) {
  if (inside++ != 0)
    fail("two threads hold the buffer's mutex (after ucond_wait?)", 0, 0);
}

static void leave(void) { inside--; }

static void *producer(void *arg) {
  int p = (long)arg;
  unsigned s = seed(p);
  for (int i = 0; i < PER; i++) {
    umutex_lock(&pm);
    enter();
    while (count == BUF) {
      leave();
      ucond_wait(&notfull, &pm);
      enter();
    }
    buf[tail] = p * PER + i;
    tail = (tail + 1) % BUF;
    count++;
    ucond_signal(&notempty);
    leave();
    umutex_unlock(&pm);
    if (rnd(&s) % 4 == 0)
      yield();
  }
  finished();
  return 0;
}

static void *consumer(void *arg) {
  unsigned s = seed((long)arg);
  for (;;) {
    umutex_lock(&pm);
    enter();
    while (count == 0 && consumed < total) {
      leave();
      ucond_wait(&notempty, &pm);
      enter();
    }
    if (count == 0) {                  // everything consumed
      leave();
      umutex_unlock(&pm);
      break;
    }
    int v = buf[head];
    head = (head + 1) % BUF;
    count--;
    if (v < 0 || v >= total)
      fail("consumed item %d, which no producer made", v, 0);
    seen[v]++;
    if (++consumed == total)
      ucond_broadcast(&notempty);      // the other consumers stop
    ucond_signal(&notfull);
    leave();
    umutex_unlock(&pm);
    if (rnd(&s) % 4 == 0)
      yield();
  }
  finished();
  return 0;
}

static void *prodcons_worker(void *arg) {
  long i = (long)arg;
  return i < pairs ? producer((void *)i) : consumer((void *)i);
}

static void test_prodcons(int n) {
  if (n < 1 || n > MAXT / 2)
    fail("between 1 and %d pairs, not %d", MAXT / 2, n);
  umutex_init(&pm);
  ucond_init(&notfull);
  ucond_init(&notempty);
  pairs = n;
  total = n * PER;
  head = tail = count = consumed = inside = 0;
  memset(seen, 0, sizeof seen);
  run(2 * n, prodcons_worker);
  for (int v = 0; v < total; v++)
    if (seen[v] != 1)
      fail("item %d was consumed %d times", v, seen[v]);
}

// ---- barrier: nobody passes round r before all have arrived ----

#define ROUNDS 100
static ubarrier_t bar;
static int arrived[ROUNDS], serial[ROUNDS], nbar;

static void *barrier_worker(void *arg) {
  unsigned s = seed((long)arg);
  for (int r = 0; r < ROUNDS; r++) {
    if (rnd(&s) % 3 == 0)
      yield();
    __atomic_add_fetch(&arrived[r], 1, __ATOMIC_SEQ_CST);
    int one = ubarrier_wait(&bar);
    int a = __atomic_load_n(&arrived[r], __ATOMIC_SEQ_CST);
    if (a != nbar)
      fail("a thread passed round %d when only %d had arrived", r, a);
    if (one)
      __atomic_add_fetch(&serial[r], 1, __ATOMIC_SEQ_CST);
  }
  finished();
  return 0;
}

static void test_barrier(int n) {
  nbar = n;
  ubarrier_init(&bar, n);
  memset(arrived, 0, sizeof arrived);
  memset(serial, 0, sizeof serial);
  run(n, barrier_worker);
  for (int r = 0; r < ROUNDS; r++)
    if (serial[r] != 1)
      fail("in round %d, ubarrier_wait returned 1 in %d threads, not 1", r, serial[r]);
}

// ---- uncontended: no system calls at all ----

static void test_uncontended(void) {
  umutex_t m;
  ucond_t c;
  ubarrier_t b;
  umutex_init(&m);
  ucond_init(&c);
  ubarrier_init(&b, 1);
  nparks = nunparks = nyields = 0;
  for (int i = 0; i < 1000; i++) {
    umutex_lock(&m);
    ucond_signal(&c);
    ucond_broadcast(&c);
    umutex_unlock(&m);
  }
  for (int i = 0; i < 100; i++)
    if (ubarrier_wait(&b) != 1)
      fail("a barrier of 1 thread: ubarrier_wait returned 0", 0, 0);
  if (nparks + nunparks + nyields != 0) {
    printf("threadtest: %s: %d lwp_park, %d lwp_unpark, %d yield\n", test, nparks, nunparks,
           nyields);
    fail("the uncontended paths made system calls", 0, 0);
  }
}

int main(int argc, char *argv[]) {
  if (argc < 2) {
    printf("usage: threadtest mutex|prodcons|barrier|uncontended [threads]\n");
    exit(1);
  }
  test = argv[1];
  int n = argc > 2 ? atoi(argv[2]) : 0;
  if (strcmp(test, "mutex") == 0)
    test_mutex(n ? n : 4);
  else if (strcmp(test, "prodcons") == 0)
    test_prodcons(n ? n : 3);
  else if (strcmp(test, "barrier") == 0)
    test_barrier(n ? n : 5);
  else if (strcmp(test, "uncontended") == 0)
    test_uncontended();
  else {
    printf("threadtest: no test %s\n", test);
    exit(1);
  }
  printf("threadtest: %s: OK", test);
  pass_token("");
  exit(0);
}
