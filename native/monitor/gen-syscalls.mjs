#!/usr/bin/env node
/**
 * Build step (native/binding.gyp): the syscall name -> number tables that the
 * seccomp compiler (seccomp.c) needs, read from the build host's kernel headers
 * (Debian: linux-libc-dev) through the C preprocessor, one table per
 * architecture a process on this host can run as:
 *
 *   x86_64   asm/unistd_64.h (SCMP_ARCH_X86_64), asm/unistd_32.h (SCMP_ARCH_X86),
 *            asm/unistd_x32.h (SCMP_ARCH_X32)
 *   aarch64  asm/unistd.h (SCMP_ARCH_AARCH64)
 *
 * Other hosts get no table: the monitor then refuses a seccomp profile with a
 * message (run such containers with --security-opt seccomp=unconfined).
 *
 * Syscalls newer than the headers: since Linux 5.1 new syscalls take the same
 * number on every architecture (arch/x86/entry/syscalls/syscall_64.tbl,
 * "common"), so the ones the default profile names that a 6.1 header set
 * lacks are added from the kernel's tables below, only where the headers do
 * not have the name.
 *
 *   node gen-syscalls.mjs OUT.h
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const out = process.argv[2];
if (!out) throw new Error('usage: gen-syscalls.mjs OUT.h');
const cc = (process.env.CC || 'cc').split(/\s+/);

const preprocess = (source) =>
  execFileSync(cc[0], [...cc.slice(1), '-E', '-dM', '-x', 'c', '-'], { input: source, encoding: 'utf8' });

/** name -> number for every __NR_ macro the header defines (values may be sums or other macros). */
function table(header, prelude = '') {
  const macros = new Map();
  for (const line of preprocess(`${prelude}#include <${header}>\n`).split('\n')) {
    const m = /^#define (\w+) (.+)$/.exec(line);
    if (m) macros.set(m[1], m[2].trim());
  }
  const value = (expr, depth = 0) => {
    if (depth > 8) return NaN;
    // a sum of numbers and macros, e.g. "(__X32_SYSCALL_BIT + 512)" or "__NR3264_fcntl"
    let sum = 0;
    for (const term of expr.replace(/[()]/g, ' ').split('+')) {
      const t = term.trim();
      if (/^(0x[0-9a-f]+|\d+)[uUlL]*$/i.test(t)) sum += Number(t.replace(/[uUlL]+$/, ''));
      else if (macros.has(t)) sum += value(macros.get(t), depth + 1);
      else return NaN;
    }
    return sum;
  };
  const out = new Map();
  for (const [name, expr] of macros) {
    // __NR_syscalls and __NR_arch_specific_syscall (asm-generic) are bounds, not syscalls
    if (!name.startsWith('__NR_') || name === '__NR_syscalls' || name === '__NR_arch_specific_syscall') continue;
    const n = value(expr);
    if (Number.isInteger(n) && n >= 0) out.set(name.slice(5), n);
  }
  return out;
}

// Syscalls after the 6.1 headers (Linux 6.5 to 6.17), numbers from the kernel's syscall tables.
const COMMON = {
  cachestat: 451,
  fchmodat2: 452,
  futex_wake: 454,
  futex_wait: 455,
  futex_requeue: 456,
  statmount: 457,
  listmount: 458,
  lsm_get_self_attr: 459,
  lsm_set_self_attr: 460,
  lsm_list_modules: 461,
  mseal: 462,
  setxattrat: 463,
  getxattrat: 464,
  listxattrat: 465,
  removexattrat: 466,
  open_tree_attr: 467,
  file_getattr: 468,
  file_setattr: 469,
};
// 64-bit x86 only (x86_64 and x32): map_shadow_stack (6.6), uretprobe (6.11)
const X86_64_ONLY = { map_shadow_stack: 453, uretprobe: 335 };
const X32_BIT = 0x40000000;

function supplement(t, extra, offset = 0) {
  for (const [name, nr] of Object.entries(extra)) if (!t.has(name)) t.set(name, nr + offset);
  return t;
}

const predefined = preprocess('');
const arches = [];
if (/#define __x86_64__ 1/.test(predefined)) {
  arches.push(
    [
      'SCMP_ARCH_X86_64',
      'AUDIT_ARCH_X86_64',
      64,
      supplement(supplement(table('asm/unistd_64.h'), COMMON), X86_64_ONLY),
    ],
    ['SCMP_ARCH_X86', 'AUDIT_ARCH_I386', 32, supplement(table('asm/unistd_32.h'), COMMON)],
    [
      'SCMP_ARCH_X32',
      'AUDIT_ARCH_X86_64',
      32,
      supplement(
        supplement(table('asm/unistd_x32.h', `#define __X32_SYSCALL_BIT ${X32_BIT}\n`), COMMON, X32_BIT),
        X86_64_ONLY,
        X32_BIT,
      ),
    ],
  );
} else if (/#define __aarch64__ 1/.test(predefined)) {
  arches.push(['SCMP_ARCH_AARCH64', 'AUDIT_ARCH_AARCH64', 64, supplement(table('asm/unistd.h'), COMMON)]);
}

const lines = [
  '/* Generated at build time by native/monitor/gen-syscalls.mjs from the kernel headers; do not edit. */',
  '#include <linux/audit.h>',
  '',
];
arches.forEach(([, , , t], i) => {
  const rows = [...t].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([n, nr]) => `  {"${n}", ${nr}},`);
  lines.push(`static const sc_name SC_TABLE_${i}[] = {`, ...rows, '};');
});
lines.push('static const sc_arch SC_ARCHES[] = {');
arches.forEach(([name, audit, bits, t], i) =>
  lines.push(`  {"${name}", ${audit}, ${bits}, ${name === 'SCMP_ARCH_X32' ? 1 : 0}, SC_TABLE_${i}, ${t.size}},`),
);
if (!arches.length) lines.push('  {0, 0, 0, 0, 0, 0},');
lines.push('};', `#define SC_NARCHES ${arches.length}`, '');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, lines.join('\n'));
