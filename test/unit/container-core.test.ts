/** The pure parts of containers: config from flags and image, docker's checks, live state, capabilities, signals. */
import { describe, expect, it } from 'vitest';
import {
  containerCapabilities,
  DEFAULT_CAPABILITIES,
  normalizeCapabilities,
} from '../../src/engine/container/capabilities.js';
import { hostConfigView } from '../../src/engine/container/docker-shapes.js';
import {
  buildContainerConfig,
  parseRestartPolicy,
  restartArg,
  validateCpuset,
} from '../../src/engine/container/options.js';
import { parseSignal } from '../../src/engine/container/signals.js';
import { currentState, persistable } from '../../src/engine/container/state.js';
import { initialState, type PersistedState } from '../../src/engine/container/types.js';
import type { MonitorState } from '../../src/engine/runtime/monitor.js';

const ID = 'a'.repeat(64);
const rootfs = { type: 'layers', diff_ids: [] };
const image = {
  rootfs,
  config: { Env: ['PATH=/bin', 'FOO=bar'], Cmd: ['httpd', '-f'], WorkingDir: '/data', Labels: { a: '1' } },
};
const build = (
  req: Record<string, unknown>,
  img: typeof image | { rootfs: typeof rootfs; config: Record<string, unknown> } = image,
) => buildContainerConfig({ image: 'img', ...req }, img, ID, { cpus: 2, memNodes: 1 });
const refusal = (req: Record<string, unknown>) => {
  try {
    build(req);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('container config from a create request and the image', () => {
  it('merges as docker does: env, labels, cmd, entrypoint, workdir, hostname', () => {
    const b = build({ env: ['FOO=baz', 'NEW=1'], labels: ['b=2', 'flag'] });
    expect(b.config.Env).toEqual(['PATH=/bin', 'FOO=baz', 'NEW=1']);
    expect(b.config.Labels).toEqual({ a: '1', b: '2', flag: '' });
    expect([b.path, b.args]).toEqual(['httpd', ['-f']]);
    expect(b.config).toMatchObject({ WorkingDir: '/data', Hostname: ID.slice(0, 12) });
    // a new entrypoint drops the image's Cmd; arguments replace it
    expect(build({ entrypoint: 'sh' })).toMatchObject({ path: 'sh', args: [] });
    expect(build({ entrypoint: 'sh', cmd: ['-c', 'true'] })).toMatchObject({ path: 'sh', args: ['-c', 'true'] });
    expect(build({ entrypoint: '', cmd: ['true'] })).toMatchObject({ path: 'true', config: { Entrypoint: null } });
    // no env anywhere: null, as docker shows it
    expect(build({}, { rootfs, config: { Cmd: ['true'] } }).config.Env).toBeNull();
    expect(build({ network: 'host' }).config.Hostname).toBe('');
  });

  it("HostConfig: limits, docker's memory-swap default, masked paths unless privileged", () => {
    const b = build({ memory: '64m', cpus: '1.5', pidsLimit: 10, cpusetCpus: '0-1', cpusetMems: '0', readOnly: true });
    expect(b.hostConfig).toMatchObject({
      Memory: 64 << 20,
      NanoCpus: 1.5e9,
      PidsLimit: 10,
      CpusetCpus: '0-1',
      CpusetMems: '0',
      ReadonlyRootfs: true,
      // dockerd records twice the memory (checked against the peer's inspect)
      MemorySwap: 128 << 20,
    });
    expect(build({ memory: '64m', memorySwap: '-1' }).hostConfig.MemorySwap).toBe(-1);
    expect(build({}).hostConfig.MemorySwap).toBe(0);
    expect(b.hostConfig.MaskedPaths).toContain('/proc/kcore');
    expect(build({ privileged: true }).hostConfig).toMatchObject({ MaskedPaths: [], ReadonlyPaths: [] });
    expect(build({ pidsLimit: -1 }).hostConfig.PidsLimit).toBeNull();
  });

  it('refuses what docker refuses, with its words', () => {
    expect(refusal({ memory: '1m' })).toBe('Minimum memory limit allowed is 6MB');
    expect(refusal({ memorySwap: '1g' })).toBe(
      'You should always set the Memory limit when using Memoryswap limit, see usage',
    );
    expect(refusal({ memory: '64m', memorySwap: '32m' })).toBe(
      'Minimum memoryswap limit should be larger than memory limit, see usage',
    );
    expect(refusal({ cpus: '3' })).toBe('Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
    expect(refusal({ cpus: '1', cpuQuota: 1000 })).toBe(
      'Conflicting options: Nano CPUs and CPU Period cannot both be set',
    );
    expect(refusal({ cpusetCpus: '0-3' })).toBe('Requested CPUs are not available - requested 0-3, available: 0-1');
    expect(refusal({ cpusetMems: '1' })).toBe('Requested memory nodes are not available - requested 1, available: 0');
    expect(refusal({ restart: 'always', autoRemove: true })).toBe(
      'conflicting options: cannot specify both --restart and --rm',
    );
    expect(refusal({ stopSignal: 'SIGNOPE' })).toBe('Invalid signal: SIGNOPE');
    expect(refusal({ network: 'bridge', ip: '172.17.0.9' })).toBe(
      'user specified IP address is supported on user defined networks only',
    );
    expect(refusal({ networkAliases: ['a'] })).toBe(
      'network-scoped alias is supported only for containers in user defined networks',
    );
    expect(refusal({ publish: ['80/xyz'] })).toBe('invalid proto: xyz');
    expect(refusal({ publish: ['70000:80'] })).toBe('invalid hostPort: 70000');
    expect(refusal({ publish: ['8000:0'] })).toBe('invalid port specification: "0/tcp"');
    expect(refusal({ hostname: 'bad_host!' })).toBe('invalid hostname format: bad_host!');
    expect(refusal({ workdir: 'rel' })).toBe("the working directory 'rel' is invalid, it needs to be an absolute path");
    expect(refusal({ logOpts: ['max-file=3'] })).toBe('max-file cannot be set without max-size');
    expect(refusal({ logDriver: 'syslog' })).toBe('logging driver "syslog" is not supported (json-file, none)');
  });

  it('refuses a container with no command', () => {
    expect(() => buildContainerConfig({ image: 'x' }, { rootfs, config: {} }, ID, { cpus: 1 })).toThrow(
      'No command specified',
    );
  });

  it("restart policies and cpusets parse as docker's", () => {
    expect(parseRestartPolicy('on-failure:3')).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(parseRestartPolicy(undefined)).toEqual({ Name: '', MaximumRetryCount: 0 });
    expect(restartArg({ Name: 'on-failure', MaximumRetryCount: 3 })).toBe('on-failure:3');
    expect(restartArg({ Name: '', MaximumRetryCount: 0 })).toBe('no');
    expect(() => parseRestartPolicy('always:2')).toThrow(
      "maximum retry count cannot be used with restart policy 'always'",
    );
    expect(() => parseRestartPolicy('sometimes')).toThrow("unknown policy 'sometimes'");
    expect(validateCpuset('0,1', 4)).toBe('0,1');
    expect(() => validateCpuset('1-0', 4)).toThrow('invalid value 1-0 for cpuset cpus');
  });
});

describe('capabilities and signals', () => {
  it("docker's default set, add and drop, ALL, privileged", () => {
    expect(containerCapabilities(null, null, false)).toEqual(DEFAULT_CAPABILITIES);
    expect(containerCapabilities(['CAP_NET_ADMIN'], ['CAP_CHOWN'], false)).toEqual([
      ...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN'),
      'CAP_NET_ADMIN',
    ]);
    expect(containerCapabilities(null, ['ALL'], false)).toEqual([]);
    expect(containerCapabilities(['ALL'], ['CAP_KILL'], false)).not.toContain('CAP_KILL');
    expect(containerCapabilities(null, null, true, 2)).toEqual([
      'CAP_CHOWN',
      'CAP_DAC_OVERRIDE',
      'CAP_DAC_READ_SEARCH',
    ]);
    expect(normalizeCapabilities(['net_admin', 'CAP_KILL', 'all'])).toEqual(['CAP_NET_ADMIN', 'CAP_KILL', 'ALL']);
    expect(() => normalizeCapabilities(['flying'])).toThrow('unknown capability: "CAP_FLYING"');
  });

  it('signal names, numbers and real-time signals', () => {
    expect([
      parseSignal('TERM'),
      parseSignal('sigkill'),
      parseSignal('10'),
      parseSignal('SIGRTMIN+3'),
      parseSignal('RTMAX-1'),
    ]).toEqual([15, 9, 10, 37, 63]);
    expect(() => parseSignal('65')).toThrow('Invalid signal: 65');
  });
});

describe("a container's state, from the database and the monitor", () => {
  const ZERO = '0001-01-01T00:00:00Z';
  const NOW = '2026-01-01T00:00:10Z';
  const running: PersistedState = { ...initialState(), status: 'running', startedAt: '2026-01-01T00:00:00Z' };
  const mon = (over: Partial<MonitorState>): MonitorState => ({
    status: 'running',
    pid: 42,
    monitorPid: 40,
    monitorStartTime: 1,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: ZERO,
    exitCode: 0,
    oomKilled: false,
    restartCount: 0,
    stoppedByUser: false,
    error: '',
    monitorAlive: true,
    ...over,
  });

  it('a live monitor is the truth: running, paused (frozen), restarting', () => {
    expect(currentState({ persisted: running, monitor: mon({}), frozen: false, now: NOW })).toMatchObject({
      status: 'running',
      pid: 42,
      live: true,
    });
    expect(currentState({ persisted: running, monitor: mon({}), frozen: true, now: NOW })).toMatchObject({
      status: 'paused',
    });
    expect(
      currentState({
        persisted: running,
        monitor: mon({ status: 'restarting', restartCount: 2 }),
        frozen: false,
        now: NOW,
      }),
    ).toMatchObject({ status: 'restarting', restartCount: 2, pid: 0 });
  });

  it('an exit the monitor recorded, a killed monitor, a reboot', () => {
    const exited = currentState({
      persisted: running,
      monitor: mon({ status: 'exited', exitCode: 3, finishedAt: NOW, monitorAlive: false }),
      frozen: false,
      now: NOW,
    });
    expect(exited).toMatchObject({ status: 'exited', exitCode: 3, finishedAt: NOW, live: false });
    const killed = currentState({ persisted: running, monitor: mon({ monitorAlive: false }), frozen: false, now: NOW });
    expect(killed).toMatchObject({
      status: 'exited',
      exitCode: 137,
      finishedAt: NOW,
      error: 'the container monitor was killed',
    });
    const rebooted = currentState({ persisted: running, monitor: null, frozen: false, now: NOW });
    expect(rebooted).toMatchObject({ status: 'exited', finishedAt: NOW, live: false });
    expect(currentState({ persisted: initialState(), monitor: null, frozen: false, now: NOW }).status).toBe('created');
  });

  it('only a final state is persisted, and only when it changed', () => {
    const exited = currentState({
      persisted: running,
      monitor: mon({ status: 'exited', exitCode: 3, monitorAlive: false }),
      frozen: false,
      now: NOW,
    });
    const next = persistable(exited, running);
    expect(next).toMatchObject({ status: 'exited', exitCode: 3 });
    expect(persistable(exited, next!)).toBeNull();
    expect(
      persistable(currentState({ persisted: running, monitor: mon({}), frozen: false, now: NOW }), running),
    ).toBeNull();
    // the monitor recorded the exit and only runs its exit command: final already
    expect(
      persistable(
        currentState({ persisted: running, monitor: mon({ status: 'exited', exitCode: 2 }), frozen: false, now: NOW }),
        running,
      ),
    ).toMatchObject({ status: 'exited', exitCode: 2 });
  });
});

describe("docker's shapes", () => {
  it("HostConfig in docker's order, empty optional fields left out", () => {
    const view = hostConfigView({ ...build({}).hostConfig, Init: null, Mounts: null, Tmpfs: null });
    const keys = Object.keys(view);
    expect(keys.slice(0, 4)).toEqual(['Binds', 'ContainerIDFile', 'LogConfig', 'NetworkMode']);
    expect(keys.slice(-2)).toEqual(['MaskedPaths', 'ReadonlyPaths']);
    expect(keys).not.toContain('Init');
    expect(Object.keys(hostConfigView({ ...build({ init: true }).hostConfig })).pop()).toBe('Init');
  });
});
