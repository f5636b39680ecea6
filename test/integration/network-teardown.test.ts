/**
 * What networking leaves behind, counted: 20 detached runs with published ports started at once
 * from separate processes get 20 distinct addresses and host ports; a monitor killed with SIGKILL
 * and a berth that died before its container's monitor ran leave nothing once the next berth
 * process sweeps; and after 200 cycles of `run --rm -p` (BERTH_NET_CYCLES for more) the host has the same rules, map
 * elements and interfaces as before.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/engine.js';
import { CLI, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { httpGet, storeInterfaces, storeTable } from '../helpers/network.js';

const reason = skipReason();

/** The CLI in a process of its own; resolves with its exit code and output. */
function cli(t: TempRoot, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn('node', [CLI, ...args], { env: { ...process.env, ...t.env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

const master = (name: string) => {
  try {
    return /^INTERFACE=(.*)$/m.exec(readFileSync(`/sys/class/net/${name}/master/uevent`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
};

/** What this store has on the host: its bridges, the veth ends on them, its table's rules and map elements. */
function counts(root: string) {
  const bridges = storeInterfaces(root);
  const veths = readdirSync('/sys/class/net').filter(
    (n) => /^vb[0-9a-f]{12}\d$/.test(n) && bridges.includes(master(n)),
  );
  let table = '';
  try {
    table = execFileSync('nft', ['list', 'table', 'inet', storeTable(root)], { encoding: 'utf8' });
  } catch {
    /* none yet */
  }
  const elements = (table.match(/elements = \{[^}]*\}/g) ?? [])
    .filter((e) => e.includes(' : '))
    .reduce((n, e) => n + e.split(',').length, 0);
  const rules = table.split('\n').filter((l) => /^\t\t(?!type |elements|flags|auto-merge|\s)/.test(l)).length;
  return { bridges: bridges.length, veths: veths.length, rules, elements };
}

describeIf(reason)('network teardown', () => {
  let t: TempRoot;
  const run = (args: string[]) => berth(t, args);
  beforeAll(async () => {
    t = tempRoot();
    expect((await run(['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    // the bridge and table exist from the first run on
    expect((await run(['run', '--rm', '-p', '80', 'bb', 'true'])).exitCode).toBe(0);
  });
  afterAll(async () => {
    const ids = (await run(['ps', '-aq'])).stdout.trim();
    if (ids) await run(['rm', '-f', ...ids.split('\n')]);
    t?.cleanup();
  });

  it('20 `run -d -p` at once from separate processes: 20 distinct addresses and host ports', async () => {
    const runs = await Promise.all(
      Array.from({ length: 20 }, () => cli(t, ['run', '-d', '-p', '80', '-p', '53/udp', 'bb', 'sleep', '300'])),
    );
    for (const r of runs) expect(r.code, r.err).toBe(0);
    const ids = runs.map((r) => r.out.trim());
    const addrs = new Set<string>();
    const ports = new Set<string>();
    for (const id of ids) {
      const info = JSON.parse((await run(['inspect', id])).stdout)[0];
      addrs.add(info.NetworkSettings.IPAddress);
      for (const [k, b] of Object.entries(info.NetworkSettings.Ports as Record<string, { HostPort: string }[]>))
        ports.add(`${k.split('/')[1]}:${b[0]!.HostPort}`);
    }
    expect(addrs.size).toBe(20);
    expect(ports.size).toBe(40);
    expect(counts(t.root).elements).toBe(40);
    expect(counts(t.root).veths).toBe(20);
    await run(['rm', '-f', ...ids]);
    expect(counts(t.root)).toMatchObject({ veths: 0, elements: 0 });
  }, 300_000);

  it('a monitor killed with SIGKILL: the next berth process takes back its address, port, map element and veth', async () => {
    const before = counts(t.root);
    const r = await run(['run', '-d', '--name', 'victim', '-p', '0:80', 'bb', 'httpd', '-f', '-p', '80']);
    expect(r.exitCode, r.stderr).toBe(0);
    const id = r.stdout.trim();
    const port = Number((await run(['port', 'victim', '80'])).stdout.trim().split(':').pop());
    await until(async () => !(await httpGet('127.0.0.1', port, 1000)).startsWith('error:ECONNREFUSED'), 15_000, 100);
    expect(counts(t.root)).toMatchObject({ veths: before.veths + 1, elements: before.elements + 1 });
    const state = JSON.parse(readFileSync(join(t.runroot, 'c', id.slice(0, 16), 'state.json'), 'utf8'));
    process.kill(state.monitorPid, 'SIGKILL');
    // the container dies with its monitor; the next berth process (any command) sweeps
    await until(async () => (await run(['inspect', '-f', '{{.State.Status}}', id])).stdout.trim() === 'exited');
    await until(async () => {
      await run(['ps']);
      const c = counts(t.root);
      return c.veths === before.veths && c.elements === before.elements;
    });
    const net = JSON.parse((await run(['network', 'inspect', 'bridge'])).stdout)[0];
    expect(Object.keys(net.Containers)).not.toContain(id);
    // the host port is free for the next container
    const next = await run(['run', '-d', '--name', 'heir', '-p', `${port}:80`, 'bb', 'sleep', '100']);
    expect(next.exitCode, next.stderr).toBe(0);
    await run(['rm', '-f', 'victim', 'heir']);
  });

  it('a berth that died before the monitor ran: its address and veth end go at the next open', async () => {
    const created = await run(['create', '--name', 'orphan', 'bb', 'sleep', '100']);
    const id = created.stdout.trim();
    // a process that is gone by now held the allocation, as a berth killed mid-start would have
    const dead = spawn('true');
    await new Promise((r) => dead.on('exit', r));
    const net = JSON.parse((await run(['network', 'inspect', 'bridge'])).stdout)[0];
    const bridge = net.Options['com.docker.network.bridge.name'];
    const db = new Database(join(t.root, 'berth.db'));
    db.prepare(
      `INSERT INTO endpoints (network_id, container_id, id, slot, addr, mac, owner_pid, owner_start)
       VALUES (?, ?, ?, 0, ?, '02:42:00:00:00:09', ?, 1)`,
    ).run(net.Id, id, 'e'.repeat(64), (0xac110000 >>> 0) + 200, dead.pid);
    db.close();
    const veth = `vb${id.slice(0, 12)}0`;
    execFileSync('ip', [
      'link',
      'add',
      veth,
      'master',
      bridge,
      'type',
      'veth',
      'peer',
      'name',
      `${veth.slice(0, 13)}x`,
    ]);
    expect(counts(t.root).veths).toBe(1);
    await run(['ps']);
    expect(readdirSync('/sys/class/net')).not.toContain(veth);
    expect(counts(t.root).veths).toBe(0);
    const left = new Database(join(t.root, 'berth.db'), { readonly: true });
    expect(left.prepare('SELECT COUNT(*) AS n FROM endpoints WHERE container_id = ?').get(id)).toEqual({ n: 0 });
    left.close();
    await run(['rm', 'orphan']);
  });

  it('200 cycles of run --rm -p: the same rules, map elements and interfaces as before', async () => {
    const before = counts(t.root);
    const hostBefore = readdirSync('/sys/class/net').length;
    const workers = 4;
    const cycles = Number(process.env.BERTH_NET_CYCLES ?? 200);
    let done = 0;
    let failed = '';
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        while (done < cycles && !failed) {
          done++;
          // a fixed host port per worker (taken and given back each cycle) and a random one
          const r = await cli(t, ['run', '--rm', '-p', `${18100 + w}:80`, '-p', '53/udp', 'bb', 'true']);
          if (r.code !== 0) failed = r.err;
        }
      }),
    );
    expect(failed).toBe('');
    expect(done).toBeGreaterThanOrEqual(cycles);
    expect((await run(['ps', '-aq'])).stdout).toBe('');
    expect(counts(t.root)).toEqual(before);
    // the host as a whole (other processes may add interfaces meanwhile: never fewer than before, and none of ours)
    expect(readdirSync('/sys/class/net').filter((n) => /^vb[0-9a-f]{12}\d$/.test(n) && !master(n))).toEqual([]);
    expect(readdirSync('/sys/class/net').length).toBeGreaterThanOrEqual(hostBefore - 1);
  }, 3_600_000);
});
