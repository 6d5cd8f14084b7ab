// psum [threads] [n]: sum 1..n in parallel, each thread a slice, and
// check the total against n(n+1)/2.
#include "user.h"
#include "thread.h"

struct slice {
  uint64 lo, hi, sum;
};

static void *
sum_slice(void *arg)
{
  struct slice *s = arg;
  uint64 sum = 0;
  for (uint64 i = s->lo; i <= s->hi; i++)
    sum += i;
  s->sum = sum;
  return 0;
}

int
main(int argc, char *argv[])
{
  int nthreads = argc > 1 ? atoi(argv[1]) : 4;
  uint64 n = argc > 2 ? atoi(argv[2]) : 1000000;
  if (nthreads < 1 || nthreads > 64) {
    fprintf(2, "psum: threads 1..64\n");
    exit(1);
  }
  static thread_t t[64];
  static struct slice s[64];
  uint64 per = n / nthreads;
  for (int i = 0; i < nthreads; i++) {
    s[i].lo = i * per + 1;
    s[i].hi = i == nthreads - 1 ? n : (i + 1) * per;
    if (thread_create(&t[i], sum_slice, &s[i]) < 0) {
      fprintf(2, "psum: thread_create failed\n");
      exit(1);
    }
  }
  uint64 total = 0;
  for (int i = 0; i < nthreads; i++) {
    thread_join(&t[i], 0);
    total += s[i].sum;
  }
  uint64 want = n * (n + 1) / 2;
  printf("psum: %d threads: sum 1..%ld = %ld (%s)\n", nthreads, n, total,
         total == want ? "correct" : "WRONG");
  exit(total == want ? 0 : 1);
}
