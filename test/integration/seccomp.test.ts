/**
 * seccomp, played from inside real containers: docker's default profile is on
 * (Seccomp: 2 in /proc/self/status), a static probe's keyctl, bpf,
 * userfaultfd, perf_event_open, unshare(CLONE_NEWUSER) and clone(CLONE_NEWUSER)
 * fail with EPERM, and the flags that relax it (seccomp=unconfined,
 * --privileged, a custom profile, no-new-privileges=false) do what docker's
 * do; exec gets the container's filter. The probe's results are compared with
 * the peer docker's for the same flags.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildProbe, probeResults } from '../helpers/hostile.js';
import {
  berth,
  describeIf,
  fixture,
  itIf,
  peerDocker,
  peerSkipReason,
  skipReason,
  tempRoot,
  type TempRoot,
} from '../helpers/env.js';

const reason = skipReason();
const DENIED = ['keyctl', 'bpf', 'userfaultfd', 'perf_event_open', 'unshare_user', 'clone_newuser'];

describeIf(reason)('seccomp', () => {
  let t: TempRoot;
  let dir: string;
  let probe: string;
  const run = (flags: string[], cmd: string[]) => berth(t, ['run', '--rm', ...flags, 'bb', ...cmd]);
  const probeIn = async (flags: string[]) => {
    const r = await run(['-v', `${probe}:/probe:ro`, ...flags], ['/probe']);
    expect(r.exitCode, r.stderr).toBe(0);
    return probeResults(r.stdout);
  };
  const status = async (flags: string[]) =>
    (await run(flags, ['sh', '-c', 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'])).stdout;

  beforeAll(async () => {
    t = tempRoot();
    dir = mkdtempSync(join(tmpdir(), 'berth-seccomp-'));
    probe = buildProbe(dir);
    expect((await berth(t, ['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(async () => {
    const ids = (await berth(t, ['ps', '-aq'])).stdout.trim();
    if (ids) await berth(t, ['rm', '-f', ...ids.split('\n')]);
    t?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs every container under docker's default profile, with no_new_privs", async () => {
    expect(await status([])).toBe('NoNewPrivs:\t1\nSeccomp:\t2\n');
  });

  it('denies keyctl, bpf, userfaultfd, perf_event_open and new user namespaces with EPERM', async () => {
    const r = await probeIn([]);
    for (const k of DENIED) expect(r[k], k).toBe('EPERM');
    // argument rules: personality only with docker's values, no AF_VSOCK sockets
    expect(r.personality_query).toBe('ok');
    expect(r.personality_no_randomize).toBe('EPERM');
    expect(r.socket_vsock).toBe('EPERM');
    expect(r.socket_unix).toBe('ok');
  });

  it('busybox unshare -U fails', async () => {
    const r = await run([], ['sh', '-c', 'unshare -U true']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/Operation not permitted/);
  });

  it('seccomp=unconfined: no filter, the probe gets what the kernel gives', async () => {
    expect(await status(['--security-opt', 'seccomp=unconfined'])).toBe('NoNewPrivs:\t1\nSeccomp:\t0\n');
    const r = await probeIn(['--security-opt', 'seccomp=unconfined']);
    for (const k of DENIED) expect(r[k], k).not.toBe('EPERM');
    expect(r.personality_no_randomize).toBe('ok');
  });

  it('--privileged: no filter and no no_new_privs; with a profile given, that profile', async () => {
    expect(await status(['--privileged'])).toBe('NoNewPrivs:\t0\nSeccomp:\t0\n');
    const file = join(dir, 'deny-mkdir.json');
    writeFileSync(
      file,
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
      }),
    );
    expect(await status(['--privileged', '--security-opt', `seccomp=${file}`])).toBe('NoNewPrivs:\t0\nSeccomp:\t2\n');
  });

  it('a custom profile that denies mkdir makes mkdir fail, and nothing else', async () => {
    const file = join(dir, 'deny-mkdir.json');
    const r = await run(
      ['--security-opt', `seccomp=${file}`],
      ['sh', '-c', 'mkdir /x; echo rc=$?; touch /y && echo ok'],
    );
    expect(r.stdout).toBe('rc=1\nok\n');
    expect(r.stderr).toMatch(/can't create directory '\/x': Operation not permitted/);
    const p = await probeIn(['--security-opt', `seccomp=${file}`]);
    expect(p.unshare_user).toBe('ok'); // the custom profile allows what it does not name
  });

  it("capabilities widen the profile as docker's includes say (CAP_SYS_ADMIN: unshare, clone, bpf)", async () => {
    const r = await probeIn(['--cap-add', 'SYS_ADMIN']);
    expect([r.unshare_user, r.clone_newuser, r.perf_event_open]).toEqual(['ok', 'ok', 'ok']);
    expect(r.bpf).not.toBe('EPERM');
    expect([r.keyctl, r.userfaultfd]).toEqual(['EPERM', 'EPERM']);
  });

  it('no-new-privileges=false keeps the filter and drops no_new_privs; no-new-privileges sets it', async () => {
    expect(await status(['--security-opt', 'no-new-privileges=false'])).toBe('NoNewPrivs:\t0\nSeccomp:\t2\n');
    expect(await status(['--privileged', '--security-opt', 'no-new-privileges'])).toBe('NoNewPrivs:\t1\nSeccomp:\t0\n');
    const p = await probeIn(['--security-opt', 'no-new-privileges=false']);
    for (const k of DENIED) expect(p[k], k).toBe('EPERM');
  });

  it('exec runs under the container filter, also with --privileged', async () => {
    const id = (await berth(t, ['run', '-d', '-v', `${probe}:/probe:ro`, 'bb', 'sleep', '60'])).stdout.trim();
    const grep = ['sh', '-c', 'grep "^Seccomp:" /proc/self/status'];
    expect((await berth(t, ['exec', id, ...grep])).stdout).toBe('Seccomp:\t2\n');
    expect((await berth(t, ['exec', '--privileged', id, ...grep])).stdout).toBe('Seccomp:\t2\n');
    const p = probeResults((await berth(t, ['exec', id, '/probe'])).stdout);
    for (const k of DENIED) expect(p[k], k).toBe('EPERM');
    await berth(t, ['rm', '-f', id]);
  });

  it('inspect shows the security options as docker records them (a profile file becomes its JSON)', async () => {
    const file = join(dir, 'deny-mkdir.json');
    writeFileSync(file, '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": []\n}\n');
    const id = (
      await berth(t, [
        'create',
        '--security-opt',
        `seccomp=${file}`,
        '--security-opt',
        'no-new-privileges',
        'bb',
        'true',
      ])
    ).stdout.trim();
    const hc = JSON.parse((await berth(t, ['inspect', id])).stdout)[0].HostConfig;
    expect(hc.SecurityOpt).toEqual(['seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}', 'no-new-privileges']);
    const plain = (await berth(t, ['create', 'bb', 'true'])).stdout.trim();
    expect(JSON.parse((await berth(t, ['inspect', plain])).stdout)[0].HostConfig.SecurityOpt).toBeNull();
    await berth(t, ['rm', id, plain]);
  });

  it("refuses bad options and profiles with docker's words, exit 125, nothing created", async () => {
    const bad = join(dir, 'bad.json');
    const cases: [string, string, RegExp][] = [
      ['foo', '', /Invalid --security-opt: "foo"/],
      ['foo=bar', '', /invalid --security-opt 2: "foo=bar"/],
      ['no-new-privileges=maybe', '', /invalid --security-opt 2: "no-new-privileges=maybe"/],
      [
        `seccomp=${join(dir, 'missing.json')}`,
        '',
        /opening seccomp profile \(.*missing\.json\) failed: open .*: no such file/,
      ],
      [`seccomp=${bad}`, '{bad', /compacting json for seccomp profile/],
      [
        `seccomp=${bad}`,
        '{"defaultAction":"SCMP_ACT_FOO"}',
        /invalid seccomp profile: defaultAction: unknown action "SCMP_ACT_FOO"/,
      ],
      [
        `seccomp=${bad}`,
        '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":9,"value":1,"op":"SCMP_CMP_EQ"}]}]}',
        /invalid seccomp profile: syscalls\[0\]\.args\[0\]\.index: must be 0 to 5/,
      ],
      [`seccomp=${bad}`, '{"defaultAction":"SCMP_ACT_NOTIFY"}', /SCMP_ACT_NOTIFY needs a seccomp agent/],
    ];
    const before = (await berth(t, ['ps', '-aq'])).stdout;
    for (const [opt, content, msg] of cases) {
      if (content) writeFileSync(bad, content);
      const r = await run(['--security-opt', opt], ['true']);
      expect(r.exitCode, opt).toBe(125);
      expect(r.stderr.split('\n')[0], opt).toMatch(msg);
    }
    expect((await berth(t, ['ps', '-aq'])).stdout).toBe(before);
  });

  itIf(peerSkipReason())("the probe's results are docker's for the same flags", async () => {
    await peerDocker(['load', '-q', '-i', fixture('busybox.docker-save.tar')]);
    for (const flags of [[], ['--security-opt', 'seccomp=unconfined'], ['--cap-add', 'SYS_ADMIN']]) {
      const d = await peerDocker(['run', '--rm', '-v', `${probe}:/probe:ro`, ...flags, 'bb', '/probe']);
      expect(d.exitCode, d.stderr).toBe(0);
      const theirs = probeResults(d.stdout);
      const ours = await probeIn(flags);
      // docker 20.10's profile predates the AF_VSOCK rule (moby's current profile, which berth's is, denies it)
      delete theirs.socket_vsock;
      delete ours.socket_vsock;
      expect(ours, flags.join(' ')).toEqual(theirs);
    }
  });
});
