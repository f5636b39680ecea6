/* The seccomp compiler's parts (seccomp.c reads the profile, seccomp-bpf.c writes the filter). Private. */
#ifndef BERTH_SECCOMP_BPF_H
#define BERTH_SECCOMP_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the seccomp compiler reads the low word of an argument first (little-endian hosts only)"
#endif

typedef struct {
  const char *name;
  unsigned int nr;
} sc_name;

typedef struct {
  const char *name;   /* SCMP_ARCH_... */
  uint32_t audit;     /* seccomp_data.arch */
  int bits;           /* argument width compared */
  int x32;            /* numbers carry __X32_SYSCALL_BIT */
  const sc_name *tab; /* sorted by name */
  size_t n;
} sc_arch;

#define X32_BIT     0x40000000u
#define LEAF        8
#define MAX_CONDS   6
#define RET_BADARCH SECCOMP_RET_KILL_PROCESS

enum { OP_NE, OP_LT, OP_LE, OP_EQ, OP_GE, OP_GT, OP_MASKED_EQ };

typedef struct {
  unsigned int index;
  int op;
  uint64_t value, value2;
} cond_t;

/* One rule: an action, the conditions that must all hold, the syscalls it names. */
typedef struct {
  uint32_t ret;
  size_t ncond;
  cond_t cond[MAX_CONDS];
  const char **names;
} rule_t;

/* A filter being written; overflow: it outgrew BPF_MAXINSNS. */
typedef struct {
  struct sock_filter *v;
  size_t n, cap;
  bool overflow;
} asm_t;

size_t bpf_emit(asm_t *a, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k);
/* The lookup for one architecture's numbering, for A holding the syscall number. */
void bpf_emit_arch(asm_t *a, const sc_arch *arch, const rule_t *rules, size_t nrules, uint32_t dflt);

#define LD(a, off)          bpf_emit(a, BPF_LD | BPF_W | BPF_ABS, 0, 0, (off))
#define RET(a, k)           bpf_emit(a, BPF_RET | BPF_K, 0, 0, (k))
#define JMP(a, op, k, t, f) bpf_emit(a, BPF_JMP | (op) | BPF_K, (t), (f), (k))

#endif
