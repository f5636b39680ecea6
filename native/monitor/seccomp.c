/*
 * A small seccomp compiler: linux.seccomp (OCI runtime spec) -> classic BPF.
 *
 * The filter checks the architecture first (x86_64, i386 and x32 share one
 * kernel; an architecture the profile does not list is killed), then looks the
 * syscall number up in a binary search tree over the numbers the profile
 * names, with at most LEAF linear comparisons at the bottom; a syscall whose
 * rules have argument conditions gets a body that checks them in order
 * (seccomp-bpf.c writes that part; this file reads the profile).
 *
 * Semantics, as runc gives them through libseccomp: a syscall's rules with
 * argument conditions are tried in the profile's order and the first whose
 * conditions all hold decides; otherwise its unconditional rule; otherwise the
 * default action. Conditions of one rule on different arguments all must hold;
 * several on the same argument are alternatives (runc splits them into rules).
 * Names that this host's tables do not know are skipped (runc does the same).
 * Arguments are compared as 64-bit values on 64-bit architectures and as their
 * low 32 bits on 32-bit ones (i386, x32), as libseccomp does.
 */
#include "seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "seccomp-bpf.h"

#include "syscall-table.h"

static int parse_action(const char *name, const jval *errno_ret, const char *where, uint32_t *out, berr_t *err)
{
  uint32_t data = errno_ret && errno_ret->t == J_NUM ? (uint32_t)errno_ret->num : EPERM;
  if (errno_ret && errno_ret->t == J_NUM && (errno_ret->num < 0 || errno_ret->num > 4095))
    return fail(err, EINVAL, "config.json: %s: errnoRet must be between 0 and 4095", where);
  static const struct {
    const char *name;
    uint32_t ret;
    bool data;
  } acts[] = {
      {"SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD, false},
      {"SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD, false},
      {"SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS, false},
      {"SCMP_ACT_TRAP", SECCOMP_RET_TRAP, false},
      {"SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO, true},
      {"SCMP_ACT_TRACE", SECCOMP_RET_TRACE, true},
      {"SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW, false},
      {"SCMP_ACT_LOG", SECCOMP_RET_LOG, false},
  };
  for (size_t k = 0; k < sizeof acts / sizeof acts[0]; k++) {
    if (strcmp(name, acts[k].name)) continue;
    *out = acts[k].ret | (acts[k].data ? (data & SECCOMP_RET_DATA) : 0);
    return 0;
  }
  if (!strcmp(name, "SCMP_ACT_NOTIFY"))
    return fail(err, EINVAL, "config.json: %s: SCMP_ACT_NOTIFY needs a seccomp agent, which berth does not run", where);
  return fail(err, EINVAL, "config.json: %s: unknown seccomp action %s", where, name);
}

static int parse_u64(const jval *v, uint64_t *out, const char *what, berr_t *err)
{
  if (!v || v->t == J_NULL) {
    *out = 0;
    return 0;
  }
  if (v->t != J_NUM || v->num < 0 || v->num >= 18446744073709551616.0 || v->num != (double)(uint64_t)v->num)
    return fail(err, EINVAL, "config.json: linux.seccomp: %s must be an unsigned integer", what);
  *out = (uint64_t)v->num;
  return 0;
}

static int parse_op(const char *s, int *op)
{
  static const char *const ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  for (int k = 0; k < 7; k++)
    if (!strcmp(s, ops[k])) {
      *op = k;
      return 0;
    }
  return -1;
}

/* One syscalls[] entry -> one rule, or several when conditions on the same argument are alternatives. */
static int parse_entry(const jval *e, size_t pos, rule_t **rules, size_t *nrules, size_t *cap, berr_t *err)
{
  char where[48];
  snprintf(where, sizeof where, "linux.seccomp.syscalls[%zu]", pos);
  if (!e || e->t != J_OBJ) return fail(err, EINVAL, "config.json: %s must be an object", where);
  const jval *names = json_get(e, "names");
  if (!names || names->t != J_ARR || !names->n) return fail(err, EINVAL, "config.json: %s: names is empty", where);
  for (size_t k = 0; k < names->n; k++)
    if (names->items[k].t != J_STR) return fail(err, EINVAL, "config.json: %s: names must be strings", where);
  uint32_t ret;
  if (parse_action(json_str(json_get(e, "action"), ""), json_get(e, "errnoRet"), where, &ret, err) < 0) return -1;
  rule_t base = {.ret = ret};
  const jval *args = json_get(e, "args");
  size_t nargs = args && args->t == J_ARR ? args->n : 0;
  if (args && args->t != J_ARR && args->t != J_NULL)
    return fail(err, EINVAL, "config.json: %s: args must be a list", where);
  if (nargs > MAX_CONDS)
    return fail(err, EINVAL, "config.json: %s: more than %d argument conditions", where, MAX_CONDS);
  bool repeated = false;
  for (size_t k = 0; k < nargs; k++) {
    const jval *a = &args->items[k];
    cond_t *c = &base.cond[k];
    uint64_t idx = 0;
    if (parse_u64(json_get(a, "index"), &idx, "an argument index", err) < 0) return -1;
    if (idx > 5)
      return fail(err, EINVAL, "config.json: %s: argument index %llu is not 0 to 5", where, (unsigned long long)idx);
    c->index = (unsigned int)idx;
    if (parse_op(json_str(json_get(a, "op"), ""), &c->op) < 0)
      return fail(err, EINVAL, "config.json: %s: unknown comparison %s", where, json_str(json_get(a, "op"), "(none)"));
    if (parse_u64(json_get(a, "value"), &c->value, "value", err) < 0 ||
        parse_u64(json_get(a, "valueTwo"), &c->value2, "valueTwo", err) < 0)
      return -1;
    for (size_t j = 0; j < k; j++)
      if (base.cond[j].index == c->index) repeated = true;
  }
  base.names = json_strv(names);
  size_t add = repeated ? nargs : 1;
  if (*nrules + add > *cap) {
    *cap = (*nrules + add) * 2;
    *rules = xrealloc(*rules, *cap * sizeof(rule_t));
  }
  if (!repeated) {
    base.ncond = nargs;
    (*rules)[(*nrules)++] = base;
    return 0;
  }
  for (size_t k = 0; k < nargs; k++) {
    rule_t r = {.ret = ret, .names = base.names, .ncond = 1};
    r.cond[0] = base.cond[k];
    (*rules)[(*nrules)++] = r;
  }
  return 0;
}

static const sc_arch *arch_by_name(const char *name)
{
  for (size_t k = 0; k < SC_NARCHES; k++)
    if (!strcmp(SC_ARCHES[k].name, name)) return &SC_ARCHES[k];
  return NULL;
}

static int parse_flags(const jval *flags, unsigned int *out, berr_t *err)
{
  *out = 0;
  if (!flags || flags->t == J_NULL) return 0;
  if (flags->t != J_ARR) return fail(err, EINVAL, "config.json: linux.seccomp.flags must be a list");
  for (size_t k = 0; k < flags->n; k++) {
    const char *f = json_str(&flags->items[k], "");
    if (!strcmp(f, "SECCOMP_FILTER_FLAG_LOG"))
      *out |= SECCOMP_FILTER_FLAG_LOG;
    else if (!strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
      *out |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    else if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC")) /* one thread: nothing to synchronise */
      return fail(err, EINVAL, "config.json: linux.seccomp.flags: %s is not supported", f);
  }
  return 0;
}

int seccomp_compile(const jval *sec, seccomp_prog **out, berr_t *err)
{
  *out = NULL;
  if (!sec || sec->t == J_NULL) return 0;
  if (sec->t != J_OBJ) return fail(err, EINVAL, "config.json: linux.seccomp must be an object");
  if (!SC_NARCHES) return fail(err, ENOTSUP, "seccomp: berth was built without a syscall table for this architecture");
  if (json_get(sec, "listenerPath"))
    return fail(err, EINVAL, "config.json: linux.seccomp.listenerPath is not supported");
  uint32_t dflt;
  if (parse_action(json_str(json_get(sec, "defaultAction"), ""), json_get(sec, "defaultErrnoRet"),
                   "linux.seccomp.defaultAction", &dflt, err) < 0)
    return -1;
  unsigned int flags;
  if (parse_flags(json_get(sec, "flags"), &flags, err) < 0) return -1;
  /* the architectures: the host's own always, then those listed that this build knows */
  const sc_arch *arches[SC_NARCHES + 1];
  size_t narch = 0;
  arches[narch++] = &SC_ARCHES[0];
  const jval *al = json_get(sec, "architectures");
  for (size_t k = 0; al && al->t == J_ARR && k < al->n; k++) {
    const char *name = json_str(&al->items[k], "");
    if (strncmp(name, "SCMP_ARCH_", 10)) return fail(err, EINVAL, "config.json: unknown seccomp architecture %s", name);
    const sc_arch *ar = arch_by_name(name);
    bool dup = false;
    for (size_t j = 0; j < narch; j++) dup |= arches[j] == ar;
    if (ar && !dup) arches[narch++] = ar;
  }
  const jval *calls = json_get(sec, "syscalls");
  if (calls && calls->t != J_ARR && calls->t != J_NULL)
    return fail(err, EINVAL, "config.json: linux.seccomp.syscalls must be a list");
  rule_t *rules = NULL;
  size_t nrules = 0, cap = 0;
  for (size_t k = 0; calls && calls->t == J_ARR && k < calls->n; k++)
    if (parse_entry(&calls->items[k], k, &rules, &nrules, &cap, err) < 0) goto failed;

  asm_t a = {0};
  LD(&a, offsetof(struct seccomp_data, arch));
  /* one dispatch per kernel arch value (x86_64 and x32 share one) */
  uint32_t audits[SC_NARCHES + 1];
  size_t patch[SC_NARCHES + 1], naudit = 0;
  for (size_t k = 0; k < narch; k++) {
    bool seen = false;
    for (size_t j = 0; j < naudit; j++) seen |= audits[j] == arches[k]->audit;
    if (seen) continue;
    audits[naudit] = arches[k]->audit;
    JMP(&a, BPF_JEQ, arches[k]->audit, 0, 1);
    patch[naudit++] = bpf_emit(&a, BPF_JMP | BPF_JA, 0, 0, 0);
  }
  RET(&a, RET_BADARCH);
  for (size_t j = 0; j < naudit; j++) {
    if (!a.overflow) a.v[patch[j]].k = (uint32_t)(a.n - patch[j] - 1);
    const sc_arch *plain = NULL, *x32 = NULL;
    for (size_t k = 0; k < narch; k++)
      if (arches[k]->audit == audits[j]) *(arches[k]->x32 ? &x32 : &plain) = arches[k];
    LD(&a, offsetof(struct seccomp_data, nr));
    if (audits[j] == AUDIT_ARCH_X86_64) {
      /* x32 numbers carry __X32_SYSCALL_BIT; without the x32 table they are a foreign architecture */
      JMP(&a, BPF_JGE, X32_BIT, 0, 1);
      size_t to_x32 = x32 ? bpf_emit(&a, BPF_JMP | BPF_JA, 0, 0, 0) : RET(&a, RET_BADARCH);
      if (plain)
        bpf_emit_arch(&a, plain, rules, nrules, dflt);
      else
        RET(&a, RET_BADARCH);
      if (x32) {
        if (!a.overflow) a.v[to_x32].k = (uint32_t)(a.n - to_x32 - 1);
        bpf_emit_arch(&a, x32, rules, nrules, dflt);
      }
    } else {
      bpf_emit_arch(&a, plain ? plain : x32, rules, nrules, dflt);
    }
  }
  if (a.overflow) {
    free(a.v);
    fail(err, E2BIG, "config.json: the seccomp profile needs more than %d BPF instructions", BPF_MAXINSNS);
    goto failed;
  }
  for (size_t k = 0; k < nrules; k++)
    if (k == 0 || rules[k].names != rules[k - 1].names) free(rules[k].names);
  free(rules);
  /* the filter in one block of its size (the caller may give the scratch back: malloc_trim) */
  seccomp_prog *p = xmalloc(sizeof *p);
  *p = (seccomp_prog){xmalloc(a.n * sizeof *a.v), a.n, flags};
  memcpy(p->insns, a.v, a.n * sizeof *a.v);
  free(a.v);
  *out = p;
  return 0;
failed:
  for (size_t k = 0; k < nrules; k++)
    if (k == 0 || rules[k].names != rules[k - 1].names) free(rules[k].names);
  free(rules);
  return -1;
}

int seccomp_install(const seccomp_prog *p, berr_t *err)
{
  if (!p) return 0;
  struct sock_fprog fp = {.len = (unsigned short)p->len, .filter = p->insns};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &fp) < 0)
    return fail_errno(err, "install the seccomp filter");
  return 0;
}

void seccomp_free(seccomp_prog *p)
{
  if (!p) return;
  free(p->insns);
  free(p);
}
