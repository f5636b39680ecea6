/**
 * What the image benchmarks share (bench/load-save.mjs, bench/pull-push.mjs):
 * the peers' variables, the 268 MB Debian image they use, one fresh ext4 file
 * system (a loop device) for every tool to write to, and a private dockerd of
 * the peer's own binary and flags keeping its data there.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const cli = join(repo, 'dist', 'cli', 'main.cjs');
export const log = (s) => process.stderr.write(`${s}\n`);
export const IMAGE_TAG = 'berth-bench/deb:big';

/** Start the peers (scripts/peers.sh start) and return the environment with their variables. */
export function peerEnv() {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS; // a sandbox setting that slows every node start; not part of berth
  const out = execFileSync(resolve(repo, 'scripts', 'peers.sh'), ['start'], { encoding: 'utf8' });
  for (const m of out.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]] = m[2];
  return env;
}

export const sh = (env, cmd) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8', env, maxBuffer: 1 << 26 });

export function timed(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Spread of a sample: min, max, and the median absolute deviation relative to the median. */
export const spread = (xs) => {
  if (!xs.length) return null;
  const m = median(xs);
  return { min: Math.min(...xs), max: Math.max(...xs), madPct: (100 * median(xs.map((x) => Math.abs(x - m)))) / m };
};

export const syncDisks = () => spawnSync('sync');

/** Peak resident memory of a command, in kB, from GNU time (null when /usr/bin/time is missing). */
export function peakRssKb(env, cmd, args) {
  if (!existsSync('/usr/bin/time')) return null;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return Number(r.stderr.trim().split('\n').pop());
}

/**
 * The image: a Debian bookworm minbase root made with debootstrap (imported
 * as layer one), plus a layer holding 5,000 small files and a 50 MB blob,
 * built with the peer docker and saved to WORK/image.tar (about 268 MB). Kept
 * between runs; `rebuild` makes it again.
 */
export function buildBenchImage(env, work, rebuild = false) {
  const docker = (...a) =>
    execFileSync(env.PEER_DOCKER, ['-H', env.PEER_DOCKER_HOST, ...a], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  mkdirSync(work, { recursive: true });
  const image = join(work, 'image.tar');
  if (rebuild || !existsSync(image)) {
    const rootfs = join(work, 'rootfs');
    if (!existsSync(join(rootfs, 'etc', 'debian_version'))) {
      log('debootstrap --variant=minbase bookworm (about a minute)');
      sh(
        env,
        `debootstrap --variant=minbase bookworm ${rootfs} http://deb.debian.org/debian > ${work}/debootstrap.log 2>&1`,
      );
    }
    log('building the image with the peer docker');
    sh(env, `tar --numeric-owner -C ${rootfs} -cf ${work}/base.tar .`);
    docker('import', join(work, 'base.tar'), 'berth-bench/deb:base');
    spawnSync(env.PEER_DOCKER, ['-H', env.PEER_DOCKER_HOST, 'rm', '-f', 'berth-bench-l2'], { env });
    docker(
      'run',
      '--name',
      'berth-bench-l2',
      'berth-bench/deb:base',
      'sh',
      '-c',
      'mkdir -p /many && cd /many && for d in $(seq 1 50); do mkdir $d; for f in $(seq 1 100); do head -c $((1000 + (d * f) % 3000)) /dev/urandom > $d/$f; done; done; head -c 50000000 /dev/urandom > /blob',
    );
    docker('commit', '-m', 'small files and a blob', 'berth-bench-l2', IMAGE_TAG);
    docker('rm', 'berth-bench-l2');
    docker('save', '-o', image, IMAGE_TAG);
    rmSync(join(work, 'base.tar'), { force: true });
  }
  return image;
}

/**
 * A new ext4 file system (a loop device, journaled as a host's would be)
 * mounted at DIR/mnt (its image is DIR/fs.img). On this machine's root file system, an unjournaled
 * ext4 that tests and earlier runs have churned, creating inodes costs
 * several times more in some directories than in others (in block groups
 * that lost inodes in the last minutes: README, Benchmarks), which made
 * timings depend on where each tool's directory happened to be, not on the
 * tool. bench/load-save.mjs measures there too (store-fs).
 */
export function freshExt4(env, dir, size = '8G') {
  const fsImage = join(dir, 'fs.img');
  const mnt = join(dir, 'mnt');
  const umount = () => spawnSync('umount', [mnt]);
  umount();
  rmSync(fsImage, { force: true });
  sh(env, `truncate -s ${size} ${fsImage} && mkfs.ext4 -q -F ${fsImage}`);
  mkdirSync(mnt, { recursive: true });
  sh(env, `mount -o loop ${fsImage} ${mnt}`);
  return {
    mnt,
    remove() {
      umount();
      rmSync(fsImage, { force: true });
    },
  };
}

/**
 * A private dockerd (the peer's binary and flags: no bridge, no iptables)
 * with its data root in `state`, on the socket DIR/docker.sock.
 */
export async function privateDockerd(env, dir, state) {
  const sock = join(dir, 'docker.sock');
  const dockerd = spawn(
    '/usr/sbin/dockerd',
    [
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--host',
      `unix://${sock}`,
      '--data-root',
      join(state, 'data'),
      '--exec-root',
      join(state, 'exec'),
      '--pidfile',
      join(state, 'dockerd.pid'),
    ],
    { stdio: 'ignore', env },
  );
  const exited = new Promise((r) => dockerd.once('exit', r));
  const args = (...a) => ['-H', `unix://${sock}`, ...a];
  for (let i = 0; ; i++) {
    if (spawnSync(env.PEER_DOCKER, args('version'), { env }).status === 0) break;
    if (i > 120) throw new Error('the private dockerd did not start');
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    host: `unix://${sock}`,
    /** the daemon's pid (its CPU, and its unpackers', can be read from /proc) */
    pid: dockerd.pid,
    /** run the docker client against it; throws on failure */
    run: (...a) => execFileSync(env.PEER_DOCKER, args(...a), { encoding: 'utf8', env, maxBuffer: 1 << 26 }),
    /** the same, ignoring failure */
    tryRun: (...a) => spawnSync(env.PEER_DOCKER, args(...a), { env }),
    async stop() {
      dockerd.kill('SIGTERM');
      await exited;
    },
  };
}
