/**
 * HostConfig.SecurityOpt, read as docker's daemon reads it (moby's
 * parseSecurityOpt), with its messages: `seccomp=unconfined|builtin|<profile
 * JSON>` (the CLI puts a file's content there, as docker's CLI does),
 * `no-new-privileges[=BOOL]`, and `label=...`/`apparmor=...`, which are
 * accepted and recorded but apply nothing (berth loads no SELinux or AppArmor
 * policy). Pure.
 */
import { invalidArg } from '../errors.js';
import { parseSeccompProfile } from './seccomp-profile.js';

export interface SecurityOptions {
  /** 'default': docker's profile; a profile's JSON text otherwise */
  seccomp: 'default' | 'unconfined' | { profile: string };
  /** set by no-new-privileges[=BOOL]; undefined: berth's default (on unless --privileged) */
  noNewPrivileges?: boolean;
}

/** Go's strconv.ParseBool. */
function goBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

export function parseSecurityOpt(list: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { seccomp: 'default' };
  for (const opt of list ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') continue; // label=disable's short form
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
    if (!sep) throw invalidArg(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const key = opt.slice(0, opt.indexOf(sep));
    const value = opt.slice(opt.indexOf(sep) + 1);
    switch (key) {
      case 'label':
      case 'apparmor':
        break;
      case 'seccomp':
        if (value === 'unconfined') out.seccomp = 'unconfined';
        else if (value === '' || value === 'builtin') out.seccomp = 'default';
        else {
          parseSeccompProfile(value); // refused here, at create, rather than at the start
          out.seccomp = { profile: value };
        }
        break;
      case 'no-new-privileges': {
        const b = goBool(value);
        if (b === undefined) throw invalidArg(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.noNewPrivileges = b;
        break;
      }
      default:
        throw invalidArg(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  return out;
}
