// smpcount: a QEMU TCG plugin that counts the instructions each hart runs
// between two marker instructions the guest executes (make bench's SMP figures).
//
// Why a plugin: under -icount QEMU runs every vCPU on one host thread and the
// guest's clock advances with the instructions of all harts together, so four
// busy harts take as long in guest time as one; wall time on a 2-core host
// says nothing either.  What does say how long a parallel run takes is the
// instructions each hart executed: the busiest hart is the critical path.
//
// The markers are HINTs, instructions that write x0 and so do nothing on any
// RISC-V processor (the ISA sets `slti x0, ...` aside for custom hints):
//
//   slti x0, x0, 1   (0x00102013)   start: remember every hart's count
//   slti x0, x0, 2   (0x00202013)   stop: report each hart's instructions
//                                   since the last start
//
// Each stop writes one line to the file named by the plugin argument
// out=PATH (else to QEMU's log, stderr), flushed at once:
//
//   SMPCOUNT {"run": 1, "by": 0, "insns": [1200345, 17, 0, 0],
//             "kernel": [200345, 17, 0, 0], "spin": [1000, 0, 0, 0]}
//
// (on one line).  run counts the stops since boot, by is the hart that
// executed the stop marker, insns[h] is hart h's instructions between the
// markers, kernel[h] those of them at addresses at or above the argument
// kernel=ADDR (default 0x80000000, where Pyrite's kernel lives; user code
// lies below), spin[h] those in the address ranges given as spin=LO-HI
// (at most 8; tools/smpbench.py gives the kernel's lock-spinning
// functions).  The marker instructions themselves are not counted; they
// belong in user code.
//
// Counting: each translated block gets an exec callback that adds its
// instruction count to its own vCPU's counter.  A counter is written only by
// its vCPU's thread (QEMU's multi-threaded TCG runs each vCPU on its own
// host thread), so there is no shared counter to race on; the marker reads
// the others' counters with atomic loads.  A block's instructions are added
// when it starts; a block cut short by a trap is counted whole (a few
// instructions per trap, negligible against the figures).
//
// The plugin API (QEMU's include/qemu/qemu-plugin.h, version 1 in QEMU 7.2)
// is a stable C ABI, but Debian ships no header: the few types and functions
// used here are declared below.
//
// Build: gcc -shared -fPIC -O2 -fvisibility=hidden -o build/smpcount.so tools/smpcount.c
// Use:   qemu-system-riscv64 ... -plugin build/smpcount.so,out=/tmp/counts[,spin=LO-HI...]
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---- the part of the plugin API used here ----

#define EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;

typedef struct {
  const char *target_name;
  struct { int min, cur; } version;
  bool system_emulation;
  union {
    struct { int smp_vcpus, max_vcpus; } system;
  };
} qemu_info_t;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, qemu_plugin_vcpu_tb_trans_cb_t);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *, qemu_plugin_vcpu_udata_cb_t,
                                          enum qemu_plugin_cb_flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *, qemu_plugin_vcpu_udata_cb_t,
                                            enum qemu_plugin_cb_flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, qemu_plugin_udata_cb_t, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *);
void qemu_plugin_outs(const char *);

EXPORT int qemu_plugin_version = 1;

// ---- the counters ----

#define MAXHARTS 64
#define MARK_START 0x00102013u    // slti x0, x0, 1
#define MARK_STOP  0x00202013u    // slti x0, x0, 2

#define MAXSPIN 8
enum { ALL, KERNEL, SPIN, NKINDS };
static const char *kind_name[NKINDS] = { "insns", "kernel", "spin" };

// One set of counters per vCPU, each on its own cache line: vCPU threads
// never write the same line.
static struct {
  uint64_t n[NKINDS];
  char pad[64 - NKINDS * 8];
} count[MAXHARTS] __attribute__((aligned(64)));

static int nharts = 1;
static uint64_t kernel_base = 0x80000000;
static uint64_t spin_lo[MAXSPIN], spin_hi[MAXSPIN];
static int nspin;
static pthread_mutex_t mark_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t start[MAXHARTS][NKINDS];    // the counts at the last start marker
static int started;
static int runs;
static FILE *out;                   // out=PATH, or NULL: qemu_plugin_outs

// A block's counts travel in its callback's pointer: 16 bits each (a
// block has at most 512 instructions).
#define PACK(all, kernel, spin) ((void *)(uintptr_t)((all) | (kernel) << 16 | (uint64_t)(spin) << 32))

static void
tb_exec(unsigned int vcpu, void *packed)
{
  uint64_t p = (uintptr_t)packed;
  if (vcpu >= MAXHARTS)
    return;
  uint64_t *n = count[vcpu].n;
  __atomic_store_n(&n[ALL], n[ALL] + (p & 0xffff), __ATOMIC_RELAXED);
  if (p >> 16)
    __atomic_store_n(&n[KERNEL], n[KERNEL] + ((p >> 16) & 0xffff), __ATOMIC_RELAXED);
  if (p >> 32)
    __atomic_store_n(&n[SPIN], n[SPIN] + (p >> 32), __ATOMIC_RELAXED);
}

// Every hart's counts as of now.  The marking hart's own counters already
// hold the rest of its block (added at the block's start): `ahead` of them,
// the marker included, have not run yet (user code: not in the other kinds).
static void
snapshot(unsigned int vcpu, uint64_t ahead, uint64_t counts[][NKINDS])
{
  for (int h = 0; h < nharts; h++)
    for (int k = 0; k < NKINDS; k++)
      counts[h][k] = __atomic_load_n(&count[h].n[k], __ATOMIC_RELAXED);
  if (vcpu < (unsigned)nharts)
    counts[vcpu][ALL] -= ahead;
}

static void
emit(const char *line)
{
  if (out) {
    fputs(line, out);
    fflush(out);
  } else {
    qemu_plugin_outs(line);
  }
}

// `"name": [n0, n1, ...]` for one kind of count, at line + len.
static int
put_counts(char *line, int len, int kind, uint64_t now[][NKINDS], uint64_t then[][NKINDS])
{
  len += snprintf(line + len, 32, "%s\"%s\": [", kind ? ", " : "", kind_name[kind]);
  for (int h = 0; h < nharts; h++)
    len += snprintf(line + len, 24, "%s%" PRIu64, h ? ", " : "",
                    now[h][kind] - (then ? then[h][kind] : 0));
  return len + snprintf(line + len, 4, "]");
}

#define LINE_MAX (64 + NKINDS * (32 + MAXHARTS * 24))

// udata: bit 0 says stop (1) or start (0); the rest, how many instructions
// of the block from the marker on.
static void
marker(unsigned int vcpu, void *udata)
{
  uintptr_t what = (uintptr_t)udata;
  uint64_t now[MAXHARTS][NKINDS];
  snapshot(vcpu, what >> 1, now);
  pthread_mutex_lock(&mark_lock);
  if (!(what & 1)) {
    memcpy(start, now, sizeof start);
    started = 1;
  } else if (started) {
    static char line[LINE_MAX];
    int len = snprintf(line, 64, "SMPCOUNT {\"run\": %d, \"by\": %u, ", ++runs, vcpu);
    for (int k = 0; k < NKINDS; k++)
      len = put_counts(line, len, k, now, start);
    snprintf(line + len, 4, "}\n");
    started = 0;
    emit(line);
  }
  pthread_mutex_unlock(&mark_lock);
}

static int
in_spin(uint64_t pc)
{
  for (int i = 0; i < nspin; i++)
    if (pc >= spin_lo[i] && pc < spin_hi[i])
      return 1;
  return 0;
}

static uint32_t
insn_word(const struct qemu_plugin_insn *insn)
{
  uint32_t word = 0;
  if (qemu_plugin_insn_size(insn) == 4)
    memcpy(&word, qemu_plugin_insn_data(insn), 4);
  return word;
}

static void
tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
  size_t n = qemu_plugin_tb_n_insns(tb), kernel = 0, spin = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t pc = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i));
    kernel += pc >= kernel_base;
    spin += in_spin(pc);
  }
  qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS,
                                       PACK(n, kernel, spin));
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint32_t word = insn_word(insn);
    if (word == MARK_START || word == MARK_STOP) {
      uintptr_t what = ((n - i) << 1) | (word == MARK_STOP);
      qemu_plugin_register_vcpu_insn_exec_cb(insn, marker, QEMU_PLUGIN_CB_NO_REGS, (void *)what);
    }
  }
}

// At exit: every hart's instructions since boot, for a look at the whole run.
static void
at_exit(qemu_plugin_id_t id, void *udata)
{
  static char line[LINE_MAX];
  static uint64_t now[MAXHARTS][NKINDS];
  snapshot(MAXHARTS, 0, now);
  int len = snprintf(line, 64, "SMPCOUNT {\"exit\": 1, ");
  for (int k = 0; k < NKINDS; k++)
    len = put_counts(line, len, k, now, NULL);
  snprintf(line + len, 4, "}\n");
  emit(line);
  if (out)
    fclose(out);
  out = NULL;
}

EXPORT int
qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
  if (!info->system_emulation)
    return -1;
  nharts = info->system.max_vcpus;
  if (nharts < 1 || nharts > MAXHARTS) {
    fprintf(stderr, "smpcount: %d harts, at most %d\n", nharts, MAXHARTS);
    return -1;
  }
  for (int i = 0; i < argc; i++) {
    if (strncmp(argv[i], "out=", 4) == 0) {
      out = fopen(argv[i] + 4, "w");
      if (!out) {
        fprintf(stderr, "smpcount: cannot write %s\n", argv[i] + 4);
        return -1;
      }
    } else if (strncmp(argv[i], "kernel=", 7) == 0) {
      kernel_base = strtoull(argv[i] + 7, NULL, 0);
    } else if (strncmp(argv[i], "spin=", 5) == 0 && nspin < MAXSPIN) {
      char *dash;
      spin_lo[nspin] = strtoull(argv[i] + 5, &dash, 0);
      if (*dash != '-') {
        fprintf(stderr, "smpcount: spin=LO-HI, not %s\n", argv[i]);
        return -1;
      }
      spin_hi[nspin++] = strtoull(dash + 1, NULL, 0);
    } else {
      fprintf(stderr, "smpcount: unknown argument %s (out=PATH, kernel=ADDR, spin=LO-HI)\n",
              argv[i]);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
