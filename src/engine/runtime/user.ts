/**
 * Resolving a container's USER ("name", "uid", "name:group", "uid:gid") from
 * the image's /etc/passwd and /etc/group, as runc does at start. Pure parsing
 * here; the caller supplies file contents.
 */
import { BerthError } from '../errors.js';

export interface ExecUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function parsePasswd(text: string | null): PasswdEntry[] {
  return (text ?? '')
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 6 && f[0] && !f[0].startsWith('#'))
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' }))
    .filter((e) => Number.isInteger(e.uid) && Number.isInteger(e.gid));
}

export function parseGroup(text: string | null): GroupEntry[] {
  return (text ?? '')
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 3 && f[0] && !f[0].startsWith('#'))
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }))
    .filter((e) => Number.isInteger(e.gid));
}

const isNum = (s: string) => /^\d+$/.test(s);

export function resolveUser(spec: string, passwd: string | null, group: string | null): ExecUser {
  const [userPart = '', groupPart] = spec.split(':', 2) as [string, string | undefined];
  const users = parsePasswd(passwd);
  const groups = parseGroup(group);
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | null = 'root';
  if (userPart !== '') {
    const byName = users.find((u) => u.name === userPart);
    const byUid = isNum(userPart) ? users.find((u) => u.uid === Number(userPart)) : undefined;
    const u = byName ?? byUid;
    if (u) {
      uid = u.uid;
      gid = u.gid;
      home = u.home;
      name = u.name;
    } else if (isNum(userPart)) {
      uid = Number(userPart);
      name = null;
    } else {
      throw new BerthError('RUNTIME', `unable to find user ${userPart}: no matching entries in passwd file`);
    }
  } else {
    const root = users.find((u) => u.uid === 0);
    if (root) home = root.home;
  }
  if (groupPart !== undefined && groupPart !== '') {
    const g = groups.find((x) => x.name === groupPart) ?? (isNum(groupPart) ? { gid: Number(groupPart) } : undefined);
    if (!g) throw new BerthError('RUNTIME', `unable to find group ${groupPart}: no matching entries in group file`);
    gid = g.gid;
  }
  // as containerd gives runc: the primary group first among the supplementary ones (`id` shows groups=GID)
  const additionalGids = name ? groups.filter((g) => g.members.includes(name!) && g.gid !== gid).map((g) => g.gid) : [];
  return { uid, gid, additionalGids: [...new Set([gid, ...additionalGids])], home };
}
