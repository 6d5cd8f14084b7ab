// The threads lab (labs/threads/README.md): your synchronisation on
// lwp_park/lwp_unpark.  The functions that say TODO are yours to write.
//
// Rules of the game (the grader checks them):
//   - no lost wakeups: a thread that must wait parks (lwp_park), and the
//     thread that lets it go unparks it (lwp_unpark, by lid);
//   - the uncontended paths never enter the kernel: taking a free mutex,
//     giving back one that nobody waits for, signalling a condition
//     variable nobody waits on make no system call at all;
//   - no busy waiting on the lock itself: a spin that yields is for a few
//     instructions' worth of a guard, never for the whole critical section.
#include "user.h"
#include "thread.h"
#include "usync.h"

// Until you have written them, the functions stop the program at once.
static void todo(const char *what) {
  printf("usync: %s is not written yet (user/usync.c)\n", what);
  exit(1);
}

// ---- mutexes ----

void umutex_init(umutex_t *m) { memset(m, 0, sizeof *m); }

void umutex_lock(umutex_t *m) {
  todo("umutex_lock");          // TODO
}

void umutex_unlock(umutex_t *m) {
  todo("umutex_unlock");        // TODO
}

// ---- condition variables ----

void ucond_init(ucond_t *c) { memset(c, 0, sizeof *c); }

void ucond_wait(ucond_t *c, umutex_t *m) {
  todo("ucond_wait");           // TODO
}

void ucond_signal(ucond_t *c) {
  todo("ucond_signal");         // TODO
}

void ucond_broadcast(ucond_t *c) {
  todo("ucond_broadcast");      // TODO
}

// ---- barriers ----

void ubarrier_init(ubarrier_t *b, int n) {
  memset(b, 0, sizeof *b);
  b->n = n;
}

int ubarrier_wait(ubarrier_t *b) {
  todo("ubarrier_wait");        // TODO
  return 0;
}
