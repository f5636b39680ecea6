/** The pure parts of seccomp and device handling: profile resolution, --security-opt, --device. */
import { describe, expect, it } from 'vitest';
import { deviceOpt, securityOpts } from '../../src/cli/security-flags.js';
import { DEFAULT_CAPABILITIES } from '../../src/engine/container/capabilities.js';
import { checkDeviceMapping } from '../../src/engine/security/devices.js';
import { DEFAULT_SECCOMP_PROFILE } from '../../src/engine/security/seccomp-default.js';
import { parseSeccompProfile } from '../../src/engine/security/seccomp-profile.js';
import { containerSeccomp, kernelAtLeast, resolveSeccomp } from '../../src/engine/security/seccomp.js';
import { parseSecurityOpt } from '../../src/engine/security/security-opt.js';

const X64 = { arch: 'x64', kernel: '6.1.0-18-amd64' };
const names = (s: ReturnType<typeof resolveSeccomp>) => new Set(s!.syscalls!.flatMap((c) => c.names));
const rulesFor = (s: ReturnType<typeof resolveSeccomp>, name: string) =>
  s!.syscalls!.filter((c) => c.names.includes(name));

describe("docker's default profile, resolved per container", () => {
  const dflt = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, X64)!;

  it('denies by default with EPERM, on x86_64 with its i386 and x32 sub-architectures', () => {
    expect(dflt.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(dflt.defaultErrnoRet).toBe(1);
    expect(dflt.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(resolveSeccomp(DEFAULT_SECCOMP_PROFILE, [], { arch: 'arm64', kernel: '6.1' })!.architectures).toEqual([
      'SCMP_ARCH_AARCH64',
      'SCMP_ARCH_ARM',
    ]);
  });

  it('without CAP_SYS_ADMIN: no mount, unshare, setns, bpf; clone only without namespace flags; clone3 ENOSYS', () => {
    const n = names(dflt);
    for (const s of ['mount', 'unshare', 'setns', 'bpf', 'keyctl', 'userfaultfd', 'perf_event_open', 'add_key'])
      expect(n.has(s), s).toBe(false);
    for (const s of ['read', 'execve', 'chroot', 'arch_prctl', 'modify_ldt', 'ptrace', 'close_range'])
      expect(n.has(s), s).toBe(true);
    expect(rulesFor(dflt, 'clone')).toEqual([
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }],
      },
    ]);
    expect(rulesFor(dflt, 'clone3')).toEqual([{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
    expect(rulesFor(dflt, 'socket').map((r) => r.args)).toEqual([
      [{ index: 0, value: 38, op: 'SCMP_CMP_LT' }],
      [{ index: 0, value: 39, op: 'SCMP_CMP_EQ' }],
      [{ index: 0, value: 40, op: 'SCMP_CMP_GT' }],
    ]);
  });

  it('capabilities, architecture and kernel version select rules as moby does', () => {
    const admin = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], X64)!;
    expect(rulesFor(admin, 'clone').map((r) => r.args)).toEqual([undefined]); // unconditional, the masked rule excluded
    expect(rulesFor(admin, 'clone3')).toHaveLength(1);
    expect(rulesFor(admin, 'clone3')[0]!.action).toBe('SCMP_ACT_ALLOW');
    expect(names(admin).has('unshare')).toBe(true);
    const nochroot = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, ['CAP_CHOWN'], X64)!;
    expect(names(nochroot).has('chroot')).toBe(false);
    const old = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, { arch: 'x64', kernel: '4.4.0' })!;
    expect(names(old).has('ptrace')).toBe(false); // minKernel 4.8
    const arm = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, { arch: 'arm64', kernel: '6.1' })!;
    expect([names(arm).has('arch_prctl'), names(arm).has('set_tls')]).toEqual([false, true]);
    expect([
      kernelAtLeast('4.8.0-1-amd64', '4.8'),
      kernelAtLeast('4.7.10', '4.8'),
      kernelAtLeast('5.0', '4.8'),
    ]).toEqual([true, false, true]);
  });

  it('unconfined and --privileged have no filter; a given profile applies even with --privileged', () => {
    expect(containerSeccomp({ seccomp: 'unconfined' }, false, [], X64)).toBeUndefined();
    expect(containerSeccomp({ seccomp: 'default' }, true, [], X64)).toBeUndefined();
    const profile = '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"mkdir","action":"SCMP_ACT_ERRNO"}]}';
    expect(containerSeccomp({ seccomp: { profile } }, true, [], X64)).toEqual({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }],
    });
    // moby: neither a default action nor rules means no filter
    expect(containerSeccomp({ seccomp: { profile: '{}' } }, false, [], X64)).toBeUndefined();
  });
});

describe('a seccomp profile a user gives', () => {
  const bad: [string, RegExp][] = [
    ['[1]', /the profile must be a JSON object/],
    ['{bad', /Decoding seccomp profile failed/],
    ['{"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}', /defaultAction: is missing/],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"x"}]}',
      /both 'architectures' and 'archMap'/,
    ],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ALLOW"}]}',
      /both 'name' and 'names'/,
    ],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["Read"],"action":"SCMP_ACT_ALLOW"}]}',
      /syscalls\[0\]\.names: "Read" is not valid/,
    ],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"ALLOW"}]}',
      /syscalls\[0\]\.action: unknown action "ALLOW"/,
    ],
    ['{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":5000}', /defaultErrnoRet: must be an errno number/],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":"1","op":"SCMP_CMP_EQ"}]}]}',
      /args\[0\]\.value: must be an unsigned integer/,
    ],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]}',
      /above 2\^53/,
    ],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"EQ"}]}]}',
      /args\[0\]\.op: unknown comparison "EQ"/,
    ],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4"}}]}',
      /includes\.minKernel: invalid kernel version/,
    ],
    [
      '{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}',
      /flags: SECCOMP_FILTER_FLAG_NEW_LISTENER is not supported/,
    ],
    ['{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock"}', /seccomp agents are not supported/],
  ];
  it.each(bad)('refuses %s', (text, msg) => {
    expect(() => parseSeccompProfile(text)).toThrow(msg);
  });

  it("takes docker's own profile, and the old single-name form", () => {
    expect(parseSeccompProfile(JSON.stringify(DEFAULT_SECCOMP_PROFILE))).toEqual(DEFAULT_SECCOMP_PROFILE);
    expect(
      parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"mkdir","action":"SCMP_ACT_LOG"}]}')
        .syscalls,
    ).toEqual([{ names: ['mkdir'], action: 'SCMP_ACT_LOG' }]);
  });
});

describe('--security-opt', () => {
  it("reads docker's options", () => {
    expect(parseSecurityOpt(null)).toEqual({ seccomp: 'default' });
    expect(parseSecurityOpt(['seccomp=unconfined', 'no-new-privileges'])).toEqual({
      seccomp: 'unconfined',
      noNewPrivileges: true,
    });
    expect(parseSecurityOpt(['seccomp:unconfined', 'no-new-privileges=false', 'label=disable', 'apparmor=x'])).toEqual({
      seccomp: 'unconfined',
      noNewPrivileges: false,
    });
    expect(parseSecurityOpt(['seccomp=builtin', 'no-new-privileges:1'])).toEqual({
      seccomp: 'default',
      noNewPrivileges: true,
    });
    expect(parseSecurityOpt(['seccomp={"defaultAction":"SCMP_ACT_LOG"}']).seccomp).toEqual({
      profile: '{"defaultAction":"SCMP_ACT_LOG"}',
    });
  });

  it("refuses with docker's daemon messages", () => {
    expect(() => parseSecurityOpt(['foo'])).toThrow('invalid --security-opt 1: "foo"');
    expect(() => parseSecurityOpt(['foo=bar'])).toThrow('invalid --security-opt 2: "foo=bar"');
    expect(() => parseSecurityOpt(['no-new-privileges=yes'])).toThrow(
      'invalid --security-opt 2: "no-new-privileges=yes"',
    );
    expect(() => parseSecurityOpt(['seccomp=/etc/profile.json'])).toThrow(/Decoding seccomp profile failed/);
  });

  it("the CLI sends a profile file's JSON, compacted, as docker's CLI does", () => {
    expect(securityOpts(['no-new-privileges', 'seccomp=unconfined', 'label:disable'])).toEqual([
      'no-new-privileges',
      'seccomp=unconfined',
      'label:disable',
    ]);
    expect(() => securityOpts(['seccomp='])).toThrow('Invalid --security-opt: "seccomp="');
    expect(() => securityOpts(['foo'])).toThrow('Invalid --security-opt: "foo"');
    expect(() => securityOpts(['seccomp=/nonexistent/p.json'])).toThrow(
      'opening seccomp profile (/nonexistent/p.json) failed: open /nonexistent/p.json: no such file or directory',
    );
  });
});

describe('--device', () => {
  it("parses docker's forms", () => {
    expect(deviceOpt('/dev/fuse')).toEqual({
      PathOnHost: '/dev/fuse',
      PathInContainer: '/dev/fuse',
      CgroupPermissions: 'rwm',
    });
    expect(deviceOpt('/dev/sda:r')).toEqual({
      PathOnHost: '/dev/sda',
      PathInContainer: '/dev/sda',
      CgroupPermissions: 'r',
    });
    expect(deviceOpt('/dev/sda:/dev/xvda')).toEqual({
      PathOnHost: '/dev/sda',
      PathInContainer: '/dev/xvda',
      CgroupPermissions: 'rwm',
    });
    expect(deviceOpt('/dev/sda:/dev/xvda:rw').CgroupPermissions).toBe('rw');
  });

  it("refuses with docker's messages", () => {
    expect(() => deviceOpt('a:b:c:d')).toThrow('bad format for path: a:b:c:d');
    expect(() => deviceOpt(':/dev/x')).toThrow('bad format for path: :/dev/x');
    expect(() => deviceOpt('/dev/a:/dev/b:rwx')).toThrow('bad mode specified: rwx');
    expect(() => deviceOpt('/dev/a:/dev/b:rr')).toThrow('bad mode specified: rr');
    expect(() => deviceOpt('/dev/a:b')).toThrow('b is not an absolute path');
    expect(() =>
      checkDeviceMapping({ PathOnHost: '/dev/a', PathInContainer: '/dev/a', CgroupPermissions: 'x' }),
    ).toThrow('invalid device mode: x');
    expect(checkDeviceMapping({ PathOnHost: '/dev/a', PathInContainer: '', CgroupPermissions: '' })).toEqual({
      PathOnHost: '/dev/a',
      PathInContainer: '/dev/a',
      CgroupPermissions: 'rwm',
    });
  });
});
