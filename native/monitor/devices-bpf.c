/*
 * The device rules of a container on cgroup v2 (which has no devices
 * controller): an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE, run by
 * the kernel on every open and mknod of a device node by a member of the
 * cgroup. It gets (access << 16 | type, major, minor) and returns 1 to allow.
 *
 * The rules keep cgroup v1's meaning: the list starts from "everything
 * allowed" (the root cgroup), a rule "a" (any device, any access) resets that
 * default to its own verdict, and among the rest a later rule wins, so the
 * program tries them from the last to the first. An allow rule covers a
 * request when it allows every kind of access asked for; a deny rule when it
 * denies any of them.
 */
#include "devices-bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ACC_ALL  (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
#define MAX_INSN 4096
#define MAX_OLD  64

static int parse_num(const char *s, const char **end, long *out)
{
  if (*s == '*') {
    *out = -1;
    *end = s + 1;
    return 0;
  }
  char *e;
  errno = 0;
  long v = strtol(s, &e, 10);
  if (e == s || errno || v < 0 || v > 0xfffff) return -1;
  *out = v;
  *end = e;
  return 0;
}

int devrule_parse(const char *text, bool allow, dev_rule *out, berr_t *err)
{
  *out = (dev_rule){'a', -1, -1, ACC_ALL, allow};
  if (!strcmp(text, "a")) return 0;
  const char *p = text;
  if ((*p != 'a' && *p != 'b' && *p != 'c') || p[1] != ' ') goto bad;
  out->type = *p;
  p += 2;
  if (parse_num(p, &p, &out->major) < 0 || *p++ != ':' || parse_num(p, &p, &out->minor) < 0 || *p++ != ' ') goto bad;
  out->access = 0;
  for (; *p; p++) {
    unsigned bit = *p == 'r'   ? BPF_DEVCG_ACC_READ
                   : *p == 'w' ? BPF_DEVCG_ACC_WRITE
                   : *p == 'm' ? BPF_DEVCG_ACC_MKNOD
                               : 0;
    if (!bit || (out->access & bit)) goto bad;
    out->access |= bit;
  }
  if (!out->access) goto bad;
  return 0;
bad:
  return fail(err, EINVAL, "invalid device rule \"%s\"", text);
}

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

size_t devbpf_build(const dev_rule *rules, size_t n, struct bpf_insn *out, size_t max)
{
  /* the default, and the first rule that counts after the last reset */
  int dflt = 1;
  size_t start = 0;
  for (size_t k = 0; k < n; k++) {
    const dev_rule *r = &rules[k];
    if (r->type == 'a' && r->major < 0 && r->minor < 0 && r->access == ACC_ALL) {
      dflt = r->allow;
      start = k + 1;
    }
  }
  size_t len = 0;
#define PUT(x)                                                                                                         \
  do {                                                                                                                 \
    if (len >= max) return 0;                                                                                          \
    out[len++] = (x);                                                                                                  \
  } while (0)
  /* r2 = type, r3 = access, r4 = major, r5 = minor */
  PUT(INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0));
  PUT(INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0));
  PUT(INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));
  PUT(INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff));
  PUT(INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0));
  PUT(INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0));
  for (size_t k = n; k-- > start;) {
    const dev_rule *r = &rules[k];
    struct bpf_insn blk[8];
    size_t b = 0;
    int jumps[8], nj = 0; /* the tests that leave the rule when they fail */
    if (r->type != 'a') {
      jumps[nj++] = (int)b;
      blk[b++] =
          INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
    }
    if (r->access != ACC_ALL) {
      blk[b++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
      blk[b++] =
          INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int)(r->allow ? (~r->access & ACC_ALL) : r->access));
      jumps[nj++] = (int)b;
      blk[b++] = INSN(BPF_JMP | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K, BPF_REG_1, 0, 0, 0);
    }
    if (r->major >= 0) {
      jumps[nj++] = (int)b;
      blk[b++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int)r->major);
    }
    if (r->minor >= 0) {
      jumps[nj++] = (int)b;
      blk[b++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int)r->minor);
    }
    blk[b++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
    blk[b++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    for (int j = 0; j < nj; j++) blk[jumps[j]].off = (short)(b - (size_t)jumps[j] - 1);
    for (size_t j = 0; j < b; j++) PUT(blk[j]);
  }
  PUT(INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, dflt));
  PUT(INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
#undef PUT
  return len;
}

static long bpf(int cmd, union bpf_attr *attr)
{
  return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

int devbpf_load(const dev_rule *rules, size_t n, berr_t *err)
{
  struct bpf_insn *insns = xmalloc(MAX_INSN * sizeof *insns);
  size_t len = devbpf_build(rules, n, insns, MAX_INSN);
  if (!len) {
    free(insns);
    return fail(err, E2BIG, "too many device rules for one eBPF program");
  }
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.insn_cnt = (uint32_t)len;
  attr.license = (uint64_t)(uintptr_t) "MIT";
  snprintf(attr.prog_name, sizeof attr.prog_name, "berth_devices");
  int fd = (int)bpf(BPF_PROG_LOAD, &attr);
  if (fd < 0) {
    /* again with the verifier's log, for the message */
    int e = errno;
    static char log[4096];
    log[0] = 0;
    attr.log_level = 1;
    attr.log_buf = (uint64_t)(uintptr_t)log;
    attr.log_size = sizeof log;
    int fd2 = (int)bpf(BPF_PROG_LOAD, &attr);
    if (fd2 >= 0) close(fd2);
    free(insns);
    char *nl = strchr(log, '\n');
    if (nl) *nl = 0;
    return fail(err, e, "load the eBPF device program: %s%s%s", errno_text(e), log[0] ? ": " : "", log);
  }
  free(insns);
  return fd;
}

int devbpf_apply(const char *cgroup_dir, char *const *rules, const bool *allow, size_t n, berr_t *err)
{
  if (!n) return 0;
  dev_rule *parsed = xmalloc(n * sizeof *parsed);
  for (size_t k = 0; k < n; k++)
    if (devrule_parse(rules[k], allow[k], &parsed[k], err) < 0) {
      free(parsed);
      return -1;
    }
  int prog = devbpf_load(parsed, n, err);
  free(parsed);
  if (prog < 0) return -1;
  int dir = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    int e = errno;
    close(prog);
    errno = e;
    return fail_errno(err, "open cgroup %s", cgroup_dir);
  }
  /* programs attached before (a leftover of this cgroup's earlier life) go once the new one is in place */
  uint32_t old[MAX_OLD];
  union bpf_attr q;
  memset(&q, 0, sizeof q);
  q.query.target_fd = (uint32_t)dir;
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = (uint64_t)(uintptr_t)old;
  q.query.prog_cnt = MAX_OLD;
  uint32_t nold = bpf(BPF_PROG_QUERY, &q) == 0 ? q.query.prog_cnt : 0;
  union bpf_attr at;
  memset(&at, 0, sizeof at);
  at.target_fd = (uint32_t)dir;
  at.attach_bpf_fd = (uint32_t)prog;
  at.attach_type = BPF_CGROUP_DEVICE;
  at.attach_flags = BPF_F_ALLOW_MULTI; /* a nested runtime may attach its own below */
  if (bpf(BPF_PROG_ATTACH, &at) < 0) {
    int e = errno;
    close(prog);
    close(dir);
    errno = e;
    return fail_errno(err, "attach the eBPF device program to %s", cgroup_dir);
  }
  close(prog);
  for (uint32_t k = 0; k < nold && k < MAX_OLD; k++) {
    union bpf_attr g;
    memset(&g, 0, sizeof g);
    g.prog_id = old[k];
    int fd = (int)bpf(BPF_PROG_GET_FD_BY_ID, &g);
    if (fd < 0) continue;
    union bpf_attr d;
    memset(&d, 0, sizeof d);
    d.target_fd = (uint32_t)dir;
    d.attach_bpf_fd = (uint32_t)fd;
    d.attach_type = BPF_CGROUP_DEVICE;
    bpf(BPF_PROG_DETACH, &d); /* one left behind only narrows what is allowed */
    close(fd);
  }
  close(dir);
  return 0;
}
