// The user thread library (user/thread.h): threads on LWPs, and mutexes,
// condition variables and barriers on lwp_park/lwp_unpark.
#include "user.h"
#include "thread.h"

static thread_t main_thread;       // the thread that was there first
static int ready;                  // main_thread set up, and tp pointing at it
static mutex_t malloc_lock = MUTEX_INITIALIZER;

static inline void set_tp(thread_t *t) { asm volatile("mv tp, %0" : : "r"(t)); }

static inline thread_t *get_tp(void) {
  thread_t *t;
  asm volatile("mv %0, tp" : "=r"(t));
  return t;
}

// Before the first thread is made, the caller is the only one: give it a
// thread_t of its own (exec leaves tp as the old program had it).
static void setup(void) {
  if (ready)
    return;
  main_thread.lid = lwp_self();
  set_tp(&main_thread);
  ready = 1;
}

thread_t *thread_self(void) {
  setup();
  return get_tp();
}

// ---- the spin lock guarding a wait queue: held for a few instructions,
// so a waiter yields rather than spins (one hart: the holder must run).

static void guard_lock(int *g) {
  while (__atomic_exchange_n(g, 1, __ATOMIC_ACQUIRE))
    yield();
}

static void guard_unlock(int *g) { __atomic_store_n(g, 0, __ATOMIC_RELEASE); }

static void enqueue(struct waitq *q, struct waiter *w) {
  w->next = 0;
  if (q->tail)
    q->tail->next = w;
  else
    q->head = w;
  q->tail = w;
}

static struct waiter *dequeue(struct waitq *q) {
  struct waiter *w = q->head;
  if (w) {
    q->head = w->next;
    if (q->head == 0)
      q->tail = 0;
  }
  return w;
}

static void unqueue(struct waitq *q, struct waiter *w) {
  struct waiter **pp = &q->head, *prev = 0;
  while (*pp && *pp != w) {
    prev = *pp;
    pp = &(*pp)->next;
  }
  if (*pp == 0)
    return;
  *pp = w->next;
  if (q->tail == w)
    q->tail = prev;
}

// Wake one waiter: read its lid before marking it woken, for once it is
// woken it may return and its stack frame (the waiter) be gone.
static void wake(struct waiter *w) {
  int lid = w->lid;
  __atomic_store_n(&w->woken, 1, __ATOMIC_SEQ_CST);
  lwp_unpark(lid);
}

static void wait_woken(struct waiter *w) {
  while (!__atomic_load_n(&w->woken, __ATOMIC_SEQ_CST))
    lwp_park(0);
}

// ---- threads ----

static void start(void *arg) {
  thread_t *t = arg;
  set_tp(t);
  // Its creator stores the lid too, but only when lwp_create returns, and
  // this thread may run (and wait on a lock, by lid) before that.
  t->lid = lwp_self();
  t->ret = t->fn(t->arg);
  lwp_exit();
}

int thread_create(thread_t *t, void *(*fn)(void *), void *arg) {
  setup();
  memset(t, 0, sizeof *t);
  t->stack = thread_malloc(THREAD_STACK);
  if (t->stack == 0)
    return -1;
  t->fn = fn;
  t->arg = arg;
  // The stack grows down from its top, 16-byte aligned as the ABI wants.
  uint64 top = ((uint64)t->stack + THREAD_STACK) & ~15UL;
  t->lid = lwp_create((void *)start, t, (void *)top, 0);
  if (t->lid < 0) {
    thread_free(t->stack);
    t->stack = 0;
    return -1;
  }
  return 0;
}

int thread_join(thread_t *t, void **ret) {
  if (lwp_wait(t->lid, 0) < 0)
    return -1;
  thread_free(t->stack);
  t->stack = 0;
  if (ret)
    *ret = t->ret;
  return 0;
}

void thread_exit(void *ret) {
  thread_self()->ret = ret;
  lwp_exit();
}

int thread_setspecific(int key, void *value) {
  if (key < 0 || key >= THREAD_KEYS)
    return -1;
  thread_self()->keys[key] = value;
  return 0;
}

void *thread_getspecific(int key) {
  if (key < 0 || key >= THREAD_KEYS)
    return 0;
  return thread_self()->keys[key];
}

void *thread_malloc(unsigned n) {
  mutex_lock(&malloc_lock);
  void *p = malloc(n);
  mutex_unlock(&malloc_lock);
  return p;
}

void thread_free(void *p) {
  mutex_lock(&malloc_lock);
  free(p);
  mutex_unlock(&malloc_lock);
}

// ---- mutexes ----

void mutex_init(mutex_t *m) { memset(m, 0, sizeof *m); }

int mutex_trylock(mutex_t *m) {
  return __atomic_exchange_n(&m->locked, 1, __ATOMIC_SEQ_CST) == 0;
}

void mutex_lock(mutex_t *m) {
  if (mutex_trylock(m))
    return;                        // the fast path: no kernel
  struct waiter w;
  for (;;) {
    w.lid = thread_self()->lid;
    w.woken = 0;
    guard_lock(&m->q.guard);
    // Queue first, then try again: an unlock either sees us queued (and
    // wakes someone) or happened before this try (and we take the lock).
    // Trying before queueing would lose the wakeup of an unlock that came
    // in between and found the queue empty.
    enqueue(&m->q, &w);
    if (mutex_trylock(m)) {
      unqueue(&m->q, &w);
      guard_unlock(&m->q.guard);
      return;
    }
    guard_unlock(&m->q.guard);
    wait_woken(&w);                // dequeued by an unlock: compete again
  }
}

void mutex_unlock(mutex_t *m) {
  __atomic_store_n(&m->locked, 0, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&m->q.head, __ATOMIC_SEQ_CST) == 0)
    return;                        // nobody waits: no kernel
  guard_lock(&m->q.guard);
  struct waiter *w = dequeue(&m->q);
  guard_unlock(&m->q.guard);
  if (w)
    wake(w);
}

// ---- condition variables ----

void cond_init(cond_t *c) { memset(c, 0, sizeof *c); }

void cond_wait(cond_t *c, mutex_t *m) {
  struct waiter w;
  w.lid = thread_self()->lid;
  w.woken = 0;
  guard_lock(&c->q.guard);
  enqueue(&c->q, &w);
  guard_unlock(&c->q.guard);
  mutex_unlock(m);
  wait_woken(&w);
  mutex_lock(m);
}

void cond_signal(cond_t *c) {
  if (__atomic_load_n(&c->q.head, __ATOMIC_SEQ_CST) == 0)
    return;
  guard_lock(&c->q.guard);
  struct waiter *w = dequeue(&c->q);
  guard_unlock(&c->q.guard);
  if (w)
    wake(w);
}

void cond_broadcast(cond_t *c) {
  if (__atomic_load_n(&c->q.head, __ATOMIC_SEQ_CST) == 0)
    return;
  guard_lock(&c->q.guard);
  struct waiter *all = c->q.head;
  c->q.head = c->q.tail = 0;
  guard_unlock(&c->q.guard);
  while (all) {
    struct waiter *next = all->next;   // before the wake: then it may be gone
    wake(all);
    all = next;
  }
}

// ---- barriers ----

void barrier_init(barrier_t *b, int n) {
  mutex_init(&b->m);
  cond_init(&b->c);
  b->count = 0;
  b->n = n;
  b->generation = 0;
}

int barrier_wait(barrier_t *b) {
  mutex_lock(&b->m);
  int gen = b->generation;
  if (++b->count == b->n) {
    b->count = 0;
    b->generation++;
    cond_broadcast(&b->c);
    mutex_unlock(&b->m);
    return 1;
  }
  while (gen == b->generation)
    cond_wait(&b->c, &b->m);
  mutex_unlock(&b->m);
  return 0;
}
