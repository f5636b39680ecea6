/** Linux capabilities: names, docker's default set, and docker's add/drop rules. */
import { invalidArg } from '../errors.js';

/** Every capability, in kernel number order (CAP_CHOWN = 0 ...). */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** docker's default capability set. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** `net_admin`, `NET_ADMIN`, `CAP_NET_ADMIN` -> CAP_NET_ADMIN; `all` -> ALL. */
export function normalizeCapabilities(caps: string[]): string[] {
  return caps.map((c) => {
    const up = c.trim().toUpperCase();
    if (up === 'ALL') return 'ALL';
    const name = up.startsWith('CAP_') ? up : `CAP_${up}`;
    if (!ALL_CAPABILITIES.includes(name)) throw invalidArg(`unknown capability: "${name}"`);
    return name;
  });
}

/** The capability set a container gets (docker's TweakCapabilities), limited to what the host knows. */
export function containerCapabilities(
  add: string[] | null,
  drop: string[] | null,
  privileged: boolean,
  hostLastCap = ALL_CAPABILITIES.length - 1,
): string[] {
  const known = ALL_CAPABILITIES.slice(0, hostLastCap + 1);
  if (privileged) return known;
  const a = add ?? [];
  const d = drop ?? [];
  let caps: string[];
  if (a.includes('ALL')) caps = [...known];
  else if (d.includes('ALL')) caps = [];
  else caps = DEFAULT_CAPABILITIES.filter((c) => known.includes(c));
  if (!a.includes('ALL')) for (const c of a) if (!caps.includes(c) && known.includes(c)) caps.push(c);
  if (!d.includes('ALL')) caps = caps.filter((c) => !d.includes(c) || a.includes(c));
  return caps;
}
