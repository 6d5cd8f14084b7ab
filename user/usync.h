// The threads lab (labs/threads/README.md): mutexes, condition variables
// and barriers of your own, on lwp_park/lwp_unpark.
//
// user/usync.c is yours to write; the lab's test program
// (labs/threads/user/threadtest.c) uses only what this header declares.
// You may add fields to the structs (keep the type names), and types and
// static helpers of your own.  user/thread.c's threads (thread_create,
// thread_join, thread_self()->lid) are there to use.
#ifndef PYRITE_USYNC_H
#define PYRITE_USYNC_H

struct umutex {
  int locked;                  // 0 free, 1 held
  // your fields: who waits for it?
};

struct ucond {
  int unused;                  // replace with your fields: who waits on it?
};

struct ubarrier {
  int n;                       // how many threads meet at it
  // your fields
};

typedef struct umutex umutex_t;
typedef struct ucond ucond_t;
typedef struct ubarrier ubarrier_t;

void umutex_init(umutex_t *m);
void umutex_lock(umutex_t *m);
void umutex_unlock(umutex_t *m);

void ucond_init(ucond_t *c);
void ucond_wait(ucond_t *c, umutex_t *m);   // m held on entry and on return
void ucond_signal(ucond_t *c);              // wake one waiter, if any
void ucond_broadcast(ucond_t *c);           // wake every waiter

void ubarrier_init(ubarrier_t *b, int n);
int ubarrier_wait(ubarrier_t *b);           // 1 in exactly one of the n threads, else 0

#endif
