/*
 * The seccomp compiler's writer (see seccomp.c): for one architecture, a
 * binary search tree over the syscall numbers a profile names, with at most
 * LEAF linear comparisons at the bottom; a syscall whose rules have argument
 * conditions gets a body that checks them in order. Conditional jumps reach
 * 255 instructions, so a leaf whose bodies are longer puts each body right
 * after its comparison and jumps over it with `ja`.
 */
#include "seccomp-bpf.h"

#include <stdlib.h>
#include <string.h>
#include "util.h"

typedef struct {
  unsigned int nr;
  size_t rule; /* index into the rules, which keeps the profile's order */
} ent_t;

static int cmp_name(const void *key, const void *elem)
{
  return strcmp((const char *)key, ((const sc_name *)elem)->name);
}

static int cmp_ent(const void *a, const void *b)
{
  const ent_t *x = a, *y = b;
  if (x->nr != y->nr) return x->nr < y->nr ? -1 : 1;
  return x->rule < y->rule ? -1 : x->rule > y->rule;
}

size_t bpf_emit(asm_t *a, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
  if (a->n >= BPF_MAXINSNS) {
    a->overflow = true;
    return a->n - 1;
  }
  if (a->n == a->cap) {
    a->cap = a->cap ? a->cap * 2 : 256;
    a->v = xrealloc(a->v, a->cap * sizeof *a->v);
  }
  a->v[a->n] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
  return a->n++;
}

#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i)))
#define ARG_HI(i) (ARG_LO(i) + 4)

/* A jump to the end of the current rule ("the conditions do not hold"), patched once that end is known. */
typedef struct {
  size_t at[8 * MAX_CONDS];
  bool jt[8 * MAX_CONDS];
  size_t n;
} fails_t;

static void to_fail(fails_t *f, size_t at, bool jt)
{
  f->at[f->n] = at;
  f->jt[f->n++] = jt;
}

static void emit_cond(asm_t *a, const cond_t *c, bool wide, fails_t *f)
{
  uint32_t lo = (uint32_t)c->value, hi = (uint32_t)(c->value >> 32);
  uint32_t lo2 = (uint32_t)c->value2, hi2 = (uint32_t)(c->value2 >> 32);
  uint32_t alo = ARG_LO(c->index), ahi = ARG_HI(c->index);
  switch (c->op) {
    case OP_EQ:
      if (wide) {
        LD(a, ahi);
        to_fail(f, JMP(a, BPF_JEQ, hi, 0, 0), false);
      }
      LD(a, alo);
      to_fail(f, JMP(a, BPF_JEQ, lo, 0, 0), false);
      break;
    case OP_NE:
      if (wide) {
        LD(a, ahi);
        JMP(a, BPF_JEQ, hi, 0, 2); /* the high words differ: holds */
      }
      LD(a, alo);
      to_fail(f, JMP(a, BPF_JEQ, lo, 0, 0), true);
      break;
    case OP_GT:
    case OP_GE:
      if (wide) {
        LD(a, ahi);
        JMP(a, BPF_JGT, hi, 3, 0); /* above in the high word: holds */
        to_fail(f, JMP(a, BPF_JEQ, hi, 0, 0), false);
      }
      LD(a, alo);
      to_fail(f, JMP(a, c->op == OP_GT ? BPF_JGT : BPF_JGE, lo, 0, 0), false);
      break;
    case OP_LT:
    case OP_LE:
      if (wide) {
        LD(a, ahi);
        to_fail(f, JMP(a, BPF_JGT, hi, 0, 0), true);
        JMP(a, BPF_JEQ, hi, 0, 2); /* below in the high word: holds */
      }
      LD(a, alo);
      to_fail(f, JMP(a, c->op == OP_LT ? BPF_JGE : BPF_JGT, lo, 0, 0), true);
      break;
    case OP_MASKED_EQ: /* (arg & value) == valueTwo */
      if (wide && (hi || hi2)) {
        LD(a, ahi);
        bpf_emit(a, BPF_ALU | BPF_AND | BPF_K, 0, 0, hi);
        to_fail(f, JMP(a, BPF_JEQ, hi2, 0, 0), false);
      }
      LD(a, alo);
      bpf_emit(a, BPF_ALU | BPF_AND | BPF_K, 0, 0, lo);
      to_fail(f, JMP(a, BPF_JEQ, lo2, 0, 0), false);
      break;
  }
}

/* The code for one syscall with argument conditions: its rules in order, ending in a return. */
static void emit_body(asm_t *a, const ent_t *e, size_t n, const rule_t *rules, bool wide, uint32_t dflt)
{
  uint32_t last = dflt;
  bool have_last = false;
  for (size_t k = 0; k < n; k++) {
    const rule_t *r = &rules[e[k].rule];
    if (!r->ncond) {
      if (!have_last) last = r->ret;
      have_last = true;
      continue;
    }
    fails_t f = {.n = 0};
    for (size_t c = 0; c < r->ncond; c++) emit_cond(a, &r->cond[c], wide, &f);
    RET(a, r->ret);
    for (size_t j = 0; j < f.n && !a->overflow; j++) {
      size_t off = a->n - f.at[j] - 1; /* at most 6 conditions of 6 instructions: below 255 */
      if (f.jt[j])
        a->v[f.at[j]].jt = (uint8_t)off;
      else
        a->v[f.at[j]].jf = (uint8_t)off;
    }
  }
  RET(a, last);
}

typedef struct {
  unsigned int nr;
  size_t first, n; /* its (syscall, rule) entries */
  bool plain;      /* no argument conditions: one return value */
  uint32_t ret;
} group_t;

static void copy_into(asm_t *a, const asm_t *b)
{
  for (size_t k = 0; k < b->n; k++) bpf_emit(a, b->v[k].code, b->v[k].jt, b->v[k].jf, b->v[k].k);
  if (b->overflow) a->overflow = true;
}

/* The bottom of the tree: a few syscall numbers compared one by one; A holds the number. */
static void emit_leaf(asm_t *a, const group_t *g, size_t n, const ent_t *ents, const rule_t *rules, bool wide,
                      uint32_t dflt)
{
  asm_t bodies[LEAF] = {{0}};
  uint32_t rets[LEAF];
  size_t nrets = 0, body_total = 0;
  for (size_t k = 0; k < n; k++) {
    if (!g[k].plain) {
      emit_body(&bodies[k], ents + g[k].first, g[k].n, rules, wide, dflt);
      body_total += bodies[k].n;
      continue;
    }
    bool seen = false;
    for (size_t j = 0; j < nrets; j++) seen |= rets[j] == g[k].ret;
    if (!seen) rets[nrets++] = g[k].ret;
  }
  /* compact: n comparisons, the default, the shared returns, then the bodies, if every jump reaches */
  if (n + 1 + nrets + body_total <= 255) {
    size_t body_at = n + 1 + nrets;
    for (size_t k = 0; k < n; k++) {
      size_t target;
      if (g[k].plain) {
        size_t j = 0;
        while (rets[j] != g[k].ret) j++;
        target = n + 1 + j;
      } else {
        target = body_at;
        body_at += bodies[k].n;
      }
      JMP(a, BPF_JEQ, g[k].nr, (uint8_t)(target - k - 1), 0);
    }
    RET(a, dflt);
    for (size_t j = 0; j < nrets; j++) RET(a, rets[j]);
    for (size_t k = 0; k < n; k++)
      if (!g[k].plain) copy_into(a, &bodies[k]);
  } else {
    /* each syscall's code right after its comparison; long bodies are jumped over */
    for (size_t k = 0; k < n; k++) {
      if (g[k].plain) {
        JMP(a, BPF_JEQ, g[k].nr, 0, 1);
        RET(a, g[k].ret);
        continue;
      }
      JMP(a, BPF_JEQ, g[k].nr, 1, 0);
      bpf_emit(a, BPF_JMP | BPF_JA, 0, 0, (uint32_t)bodies[k].n);
      copy_into(a, &bodies[k]);
    }
    RET(a, dflt);
  }
  for (size_t k = 0; k < n; k++) free(bodies[k].v);
}

static void emit_tree(asm_t *a, const group_t *g, size_t n, const ent_t *ents, const rule_t *rules, bool wide,
                      uint32_t dflt)
{
  if (n <= LEAF) {
    emit_leaf(a, g, n, ents, rules, wide, dflt);
    return;
  }
  size_t mid = n / 2;
  JMP(a, BPF_JGE, g[mid].nr, 0, 1);
  size_t ja = bpf_emit(a, BPF_JMP | BPF_JA, 0, 0, 0);
  emit_tree(a, g, mid, ents, rules, wide, dflt);
  if (!a->overflow) a->v[ja].k = (uint32_t)(a->n - ja - 1);
  emit_tree(a, g + mid, n - mid, ents, rules, wide, dflt);
}

void bpf_emit_arch(asm_t *a, const sc_arch *arch, const rule_t *rules, size_t nrules, uint32_t dflt)
{
  size_t cap = 0, n = 0;
  for (size_t r = 0; r < nrules; r++)
    for (const char **nm = rules[r].names; *nm; nm++) cap++;
  ent_t *ents = xmalloc((cap + 1) * sizeof *ents);
  for (size_t r = 0; r < nrules; r++)
    for (const char **nm = rules[r].names; *nm; nm++) {
      const sc_name *s = bsearch(*nm, arch->tab, arch->n, sizeof *arch->tab, cmp_name);
      if (s) ents[n++] = (ent_t){s->nr, r};
    }
  qsort(ents, n, sizeof *ents, cmp_ent);
  group_t *g = xmalloc((n + 1) * sizeof *g);
  size_t ng = 0;
  for (size_t k = 0; k < n;) {
    size_t j = k;
    bool plain = true;
    while (j < n && ents[j].nr == ents[k].nr) plain &= rules[ents[j++].rule].ncond == 0;
    g[ng++] = (group_t){ents[k].nr, k, j - k, plain, rules[ents[k].rule].ret};
    k = j;
  }
  emit_tree(a, g, ng, ents, rules, arch->bits == 64, dflt);
  free(g);
  free(ents);
}
