// A small thread library on the kernel's LWPs (lwp_create and friends):
// threads with malloc'd stacks, mutexes, condition variables and
// barriers built on lwp_park/lwp_unpark, and per-thread data through tp.
//
// The uncontended paths never enter the kernel: a mutex is one atomic
// swap (amoswap) to take and a store to give back.  A thread that must
// wait queues itself (on its own stack) and parks; whoever releases
// unparks it.  An unpark that comes before the park is not lost (the
// kernel remembers it), so there is no window between deciding to wait
// and waiting.
//
// Link user/thread.c into a program that uses it (user/Makefile's
// THREAD_PROGS).  malloc is not thread-safe: call it from one thread at
// a time, or through thread_malloc/thread_free.
#ifndef PYRITE_THREAD_H
#define PYRITE_THREAD_H

#define THREAD_STACK (16 * 1024)   // each thread's user stack
#define THREAD_KEYS 8              // per-thread data slots

struct thread {
  int lid;                     // its LWP
  char *stack;                 // malloc'd, freed by thread_join
  void *(*fn)(void *);
  void *arg;
  void *ret;                   // what fn returned
  void *keys[THREAD_KEYS];     // thread_setspecific's slots
};
typedef struct thread thread_t;

// A waiter in a queue: lives on the waiting thread's stack.
struct waiter {
  struct waiter *next;
  int lid;
  volatile int woken;
};

struct waitq {                 // a queue of parked threads and its guard
  int guard;                   // a spin lock, held a few instructions
  struct waiter *head, *tail;
};

typedef struct {
  int locked;                  // 0 free, 1 held
  struct waitq q;
} mutex_t;

typedef struct {
  struct waitq q;
} cond_t;

typedef struct {
  mutex_t m;
  cond_t c;
  int count, n, generation;
} barrier_t;

#define MUTEX_INITIALIZER { 0, { 0, 0, 0 } }
#define COND_INITIALIZER { { 0, 0, 0 } }

int thread_create(thread_t *t, void *(*fn)(void *), void *arg);   // 0 or -1
int thread_join(thread_t *t, void **ret);                         // 0 or -1
thread_t *thread_self(void);                                      // via tp
void thread_exit(void *ret) __attribute__((noreturn));
int thread_setspecific(int key, void *value);                     // 0 or -1
void *thread_getspecific(int key);

void mutex_init(mutex_t *m);
void mutex_lock(mutex_t *m);
int mutex_trylock(mutex_t *m);                                    // 1 if taken
void mutex_unlock(mutex_t *m);

void cond_init(cond_t *c);
void cond_wait(cond_t *c, mutex_t *m);
void cond_signal(cond_t *c);
void cond_broadcast(cond_t *c);

void barrier_init(barrier_t *b, int n);
int barrier_wait(barrier_t *b);    // 1 in exactly one of the n threads, else 0

void *thread_malloc(unsigned n);   // malloc/free under a lock
void thread_free(void *p);

#endif
