/** Running real containers from the fixture images (needs root, namespaces, overlayfs, cgroups). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, describeIf, skipReason } from '../helpers/env.js';
import { runIn, testEngine, type TestEngine } from '../helpers/engine.js';

const reason = skipReason();

describeIf(reason)('running containers', () => {
  let e: TestEngine;
  beforeAll(async () => {
    e = await testEngine();
  });
  afterAll(async () => e?.close());

  it('sees the image layers: whiteout, opaque dir, hard link, symlink, config', async () => {
    const r = await runIn(e.b, 'bb-layers:v1', [
      'sh',
      '-c',
      'cat /data/a.txt /data/hard.txt; ls /data/sub; ls -l /data/link | sed "s/.* -> //"; test -e /bin/wc || echo no-wc; echo $FOO; pwd',
    ]);
    expect(r.stdout).toBe('changed\none\nn\n/data/a.txt\nno-wc\nbar\n/data\n');
    expect(r.code).toBe(0);
  });

  it('exit codes, including 128+signal', async () => {
    expect((await runIn(e.b, 'bb', ['sh', '-c', 'exit 3'])).code).toBe(3);
    expect((await runIn(e.b, 'bb', ['sh', '-c', 'sleep 5 & kill -TERM $!; wait $!; exit $?'])).code).toBe(143);
  });

  it('PID 1, hostname, env, workdir, user', async () => {
    const r = await runIn(e.b, 'bb', ['sh', '-c', 'echo $$; hostname; echo $GREETING; pwd; id -u; id -g'], {
      hostname: 'box1',
      env: ['GREETING=hi there'],
      workdir: '/work/here',
      user: '1000:1000',
    });
    expect(r.stdout).toBe('1\nbox1\nhi there\n/work/here\n1000\n1000\n');
  });

  it('stdout and stderr are kept apart', async () => {
    const r = await runIn(e.b, 'bb', ['sh', '-c', 'echo out; echo err >&2']);
    expect([r.stdout, r.stderr]).toEqual(['out\n', 'err\n']);
  });

  it("docker's default capabilities, masked paths, read-only /sys and /proc/sys", async () => {
    const r = await runIn(e.b, 'bb', [
      'sh',
      '-c',
      'grep CapEff /proc/self/status; wc -c < /proc/keys; wc -c < /proc/timer_list; ls /sys/firmware | wc -l; touch /sys/x 2>/dev/null || echo sys-ro; echo 1 > /proc/sys/vm/drop_caches 2>/dev/null || echo procsys-ro',
    ]);
    expect(r.stdout.split('\n').map((l) => l.trim())).toEqual([
      'CapEff:\t00000000a80425fb',
      '0',
      '0',
      '0',
      'sys-ro',
      'procsys-ro',
      '',
    ]);
  });

  it('--cap-drop, --cap-add and --privileged change the set', async () => {
    const caps = async (extra: Record<string, unknown>) =>
      (await runIn(e.b, 'bb', ['sh', '-c', 'grep CapEff /proc/self/status'], extra)).stdout.trim();
    expect(await caps({ capDrop: ['ALL'] })).toBe('CapEff:\t0000000000000000');
    expect(await caps({ capDrop: ['ALL'], capAdd: ['NET_ADMIN'] })).toBe('CapEff:\t0000000000001000');
    // everything this host lets a process hold (some sandboxes withhold a few)
    const { readFileSync } = await import('node:fs');
    const own = /CapPrm:\t(\w+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1];
    expect(await caps({ privileged: true })).toBe(`CapEff:\t${own}`);
  });

  it('a memory limit kills with OOM: exit 137, OOMKilled', async () => {
    const r = await runIn(e.b, 'bb', ['sh', '-c', 'x=a; while true; do x=$x$x; done'], {
      memory: '16m',
      memorySwap: '16m',
    });
    expect(r.code).toBe(137);
    const i = (await e.b.inspectContainer(r.id)) as { State: { OOMKilled: boolean; ExitCode: number } };
    expect(i.State).toMatchObject({ OOMKilled: true, ExitCode: 137 });
  });

  it('a pids limit stops forks', async () => {
    const r = await runIn(
      e.b,
      'bb',
      ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 3 & done 2>&1; wait; echo done'],
      { pidsLimit: 5 },
    );
    expect(r.stdout + r.stderr).toMatch(/can't fork|Resource temporarily unavailable/);
  });

  it('--init runs the command under an init that reaps and forwards', async () => {
    const r = await runIn(e.b, 'bb', ['sh', '-c', 'echo $$; cat /proc/1/cmdline | tr "\\0" " "'], { init: true });
    const [pid, cmdline] = r.stdout.trim().split('\n');
    expect(pid).not.toBe('1');
    expect(cmdline).toMatch(/^\/dev\/init -- sh -c/);
  });

  it('--read-only refuses writes to the root file system', async () => {
    const r = await runIn(
      e.b,
      'bb',
      ['sh', '-c', 'touch /etc/new 2>&1; echo rc=$?; touch /dev/shm/ok && echo shm-ok'],
      { readOnly: true },
    );
    expect(r.stdout).toMatch(/Read-only file system/);
    expect(r.stdout).toContain('shm-ok');
  });

  it('stdin through attach, with -i', async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'while read l; do echo got:$l; done'],
      openStdin: true,
      attachStdin: true,
    });
    const { session } = await e.b.startContainer(id, { attach: { stdin: true, stdout: true, stderr: true } });
    const out = (await import('../helpers/engine.js')).collect(session!);
    session!.write('one\ntwo\n');
    session!.closeStdin();
    const exit = await session!.exited;
    expect(exit?.exitCode).toBe(0);
    expect(out.text().stdout).toBe('got:one\ngot:two\n');
  });

  it('a tty with resize', async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'stty size; sleep 0.5; stty size'],
      tty: true,
    });
    const { session } = await e.b.startContainer(id, { attach: { stdout: true, stderr: true } });
    const out = (await import('../helpers/engine.js')).collect(session!);
    session!.resize(40, 120);
    await session!.exited;
    expect(out.text().stdout.replace(/\r/g, '').trim().split('\n').pop()).toBe('40 120');
  });

  it('the CLI: foreground output and exit code, -d prints the ID, missing programs give 127', async () => {
    const r = await berth(e.t, ['run', '--rm', 'bb', 'sh', '-c', 'echo hi; echo oops >&2; exit 7']);
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([7, 'hi\n', 'oops\n']);
    const d = await berth(e.t, ['run', '-d', '--name', 'det', 'bb', 'sleep', '30']);
    expect(d.stdout).toMatch(/^[a-f0-9]{64}\n$/);
    const missing = await berth(e.t, ['run', '--rm', 'bb', 'nosuchprog']);
    expect([missing.exitCode, missing.stderr]).toEqual([
      127,
      'Error: exec: "nosuchprog": executable file not found in $PATH\n',
    ]);
    const notexec = await berth(e.t, ['run', '--rm', 'bb', '/etc/passwd']);
    expect(notexec.exitCode).toBe(126);
    // (--pull never: a missing image is otherwise pulled, and this machine reaches no registry)
    const noimage = await berth(e.t, ['run', '--rm', '--pull', 'never', 'nope:1', 'true']);
    expect([noimage.exitCode, noimage.stderr]).toEqual([125, "Error: Unable to find image 'nope:1' locally\n"]);
    const badflag = await berth(e.t, ['run', '--memory', '1x', 'bb', 'true']);
    expect([badflag.exitCode, badflag.stderr]).toEqual([125, "Error: invalid size: '1x'\n"]);
    const piped = await berth(e.t, ['run', '--rm', '-i', 'bb', 'sh', '-c', 'cat; echo end'], { input: 'from stdin\n' });
    expect(piped.stdout).toBe('from stdin\nend\n');
    expect((await berth(e.t, ['rm', '-f', 'det'])).stdout).toBe('det\n');
    expect((await berth(e.t, ['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n')).not.toContain('det');
  });

  it('--rm leaves nothing behind', async () => {
    const { readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const before = readdirSync(join(e.t.root, 'containers')).length;
    const r = await berth(e.t, ['run', '--rm', 'bb', 'true']);
    expect(r.exitCode).toBe(0);
    expect(readdirSync(join(e.t.root, 'containers')).length).toBe(before);
  });
});
