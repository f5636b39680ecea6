/**
 * The shell to open in a running container (the app's exec key): the login
 * shell of the container's user in the container's own /etc/passwd, when
 * that program exists in the container, else /bin/sh.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wrongState } from '../errors.js';
import type { Store } from '../store/store.js';
import { findContainer, isRunning, stateOf } from './records.js';

/** The shell field of the passwd entry for `user` ("name", "uid", "name:group"; "" is root). Pure. */
export function passwdShell(passwd: string | null, user: string): string | null {
  const who = user.split(':')[0] || 'root';
  const entries = (passwd ?? '')
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 7 && f[0] && !f[0].startsWith('#'));
  const e = entries.find((f) => f[0] === who) ?? (/^\d+$/.test(who) ? entries.find((f) => f[2] === who) : undefined);
  const shell = e?.[6]?.trim();
  return shell && shell.startsWith('/') ? shell : null;
}

/** The login shell to open: passwdShell's, unless it is one that refuses a login (nologin, false). Pure. */
export function openableShell(passwd: string | null, user: string): string | null {
  const shell = passwdShell(passwd, user);
  return shell && !/\/(nologin|false)$/.test(shell) ? shell : null;
}

export function loginShell(store: Store, ref: string): string {
  const rec = findContainer(store, ref);
  const st = stateOf(store, rec);
  if (!isRunning(st) || !st.pid) throw wrongState(`Container ${rec.id} is not running`);
  // the container's file system as its init process sees it
  const root = `/proc/${st.pid}/root`;
  let passwd: string | null = null;
  try {
    passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
  } catch {
    passwd = null;
  }
  const shell = openableShell(passwd, rec.config.User ?? '');
  if (shell) {
    try {
      lstatSync(join(root, shell));
      return shell;
    } catch {
      // not in this container
    }
  }
  return '/bin/sh';
}
