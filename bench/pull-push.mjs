#!/usr/bin/env node
/**
 * bench/pull-push: pull the 268 MB Debian image of bench/load-save.mjs from a
 * distribution registry on loopback into fresh stores, alternating runs:
 * `berth pull` (bin/berth, as a user runs it) against `docker pull` (a private dockerd of the peer's binary
 * and flags), `podman pull` (fresh storage each run) and `skopeo copy
 * docker://… oci:DIR` (which does not unpack). Then `berth push` against
 * `docker push` of the same image to a fresh registry; berth pull's peak
 * memory; and a pull of an image already present (its requests, counted from
 * the registry's access log, and its wall time). Prints one JSON object with
 * medians, spreads and ratios against the budgets of issue 14.
 *
 *   node bench/pull-push.mjs [--runs N] [--fs store|loop] [--dir DIR] [--workdir DIR] [--rebuild] [--cli PATH]
 *
 * --fs chooses where every store (berth's, docker's, podman's, skopeo's
 * directory) and the registry's storage live:
 *   store  (the default) the file system that holds berth's default store,
 *          as users have it: a fresh directory DIR/berth-bench-pull (--dir,
 *          /var/lib by default, so beside /var/lib/berth), removed after;
 *   loop   one fresh ext4 on a loop device, made for the run (a controlled
 *          variant: no other files, nothing recently freed).
 *
 * --cli measures another build's berth (its dist/cli/main.cjs) with this
 * benchmark.
 *
 * Needs root, the built berth, debootstrap and the peers (scripts/peers.sh
 * start). The registry is the peer's docker-registry binary, a private
 * instance with its storage on the same file system as every tool's store,
 * so the benchmark never fills or depends on the shared peer registry. While
 * berth has no `pull` (or `push`), its columns are null and `berth.note` says
 * so; the peers' numbers are still measured.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import os from 'node:os';
import {
  IMAGE_TAG,
  buildBenchImage,
  cli as ownCli,
  freshExt4,
  log,
  median,
  peakRssKb,
  peerEnv,
  privateDockerd,
  spread,
  syncDisks,
  timed,
} from './lib/bench-env.mjs';
import { startBenchRegistry } from './lib/bench-registry.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const runs = Number(opt('--runs', '5'));
const cli = opt('--cli', ownCli);
const work = opt('--workdir', '/var/tmp/berth-bench');
const fsKind = opt('--fs', 'store');
const storeDir = resolve(opt('--dir', '/var/lib'));
if (fsKind !== 'store' && fsKind !== 'loop') {
  process.stderr.write(
    'usage: node bench/pull-push.mjs [--runs N] [--fs store|loop] [--dir DIR] [--workdir DIR] [--rebuild] [--cli PATH]\n',
  );
  process.exit(2);
}
const loadAtStart = os.loadavg();

const env = peerEnv();
const image = buildBenchImage(env, work, args.includes('--rebuild'));
// the image is shared with load-save (built once, in WORK); everything else in a directory of this benchmark's own
const scratch = join(work, 'pull-push');
mkdirSync(scratch, { recursive: true });
const run = (cmd, a, extraEnv = {}) =>
  execFileSync(cmd, a, {
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'pipe'], // on failure the thrown error carries stderr
  });

// ---- does this berth pull and push yet? ---------------------------------------
const berthHas = (verb) => {
  const r = spawnSync('node', [cli, verb], { env, encoding: 'utf8' });
  return !/unknown command/.test(r.stderr);
};
const has = { pull: berthHas('pull'), push: berthHas('push') };
const notes = [];
if (!has.pull) notes.push("`berth pull` is not in this build (unknown command): berth's pull numbers are null");
if (!has.push) notes.push("`berth push` is not in this build (unknown command): berth's push numbers are null");
for (const n of notes) log(`note: ${n}`);

// ---- one file system for every store, the registry's too ---------------------
/** Where the stores live: a fresh directory on the default store's file system, or a fresh ext4. */
function storesOn() {
  if (fsKind === 'loop') return freshExt4(env, scratch);
  const mnt = join(storeDir, 'berth-bench-pull');
  rmSync(mnt, { recursive: true, force: true });
  mkdirSync(mnt, { recursive: true });
  return { mnt, remove: () => rmSync(mnt, { recursive: true, force: true }) };
}
const fs = storesOn();
const mnt = fs.mnt;
const fsDevice = execFileSync('findmnt', ['-n', '-o', 'SOURCE,FSTYPE,TARGET', '--target', mnt], { encoding: 'utf8' })
  .trim()
  .replace(/\s+/g, ' ');
log(`stores on ${fsKind === 'loop' ? 'a fresh ext4 (loop)' : "the default store's file system"}: ${mnt} (${fsDevice})`);
const reg = await startBenchRegistry(join(mnt, 'registry'), join(scratch, 'registry.log'));
const pushReg = await startBenchRegistry(join(mnt, 'push-registry'), join(scratch, 'push-registry.log'));
const dockerd = await privateDockerd(env, scratch, join(mnt, 'docker'));
const REF = `${reg.host}/berth-bench/deb:big`;
log(`seeding ${REF} with skopeo`);
run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `docker-archive:${image}:${IMAGE_TAG}`, `docker://${REF}`]);
const manifest = JSON.parse(run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${REF}`]));
const compressedBytes = manifest.layers.reduce((n, l) => n + l.size, 0) + manifest.config.size;

const berthRoot = join(mnt, 'berth-root');
const berthEnv = (root) => ({ BERTH_ROOT: root, BERTH_RUNROOT: `${root}-run` });
// as a user runs it: the measured checkout's bin/berth (the launcher, then Node; the launcher answers a present pull
// from its record and hands Node NODE_EXTRA_CA_CERTS to read only when it opens a TLS connection)
const berthBin = join(dirname(cli), '..', '..', 'bin', 'berth');
const berth = (root, ...a) => run(berthBin, a, berthEnv(root));
const rmrf = (p) => rmSync(p, { recursive: true, force: true });
const podmanDir = join(mnt, 'podman');
const podman = (...a) =>
  run('podman', [
    '--root',
    join(podmanDir, 'root'),
    '--runroot',
    join(podmanDir, 'run'),
    '--storage-driver',
    'overlay',
    '--events-backend',
    'none',
    ...a,
  ]);
const podmanReset = () => {
  spawnSync(
    'podman',
    ['--root', join(podmanDir, 'root'), '--runroot', join(podmanDir, 'run'), 'system', 'reset', '-f'],
    {
      env,
      stdio: 'ignore',
    },
  );
  spawnSync('umount', ['-R', join(podmanDir, 'root', 'overlay')], { stdio: 'ignore' });
  rmrf(podmanDir);
};
const ociDir = join(mnt, 'skopeo-oci');

// ---- pulls, alternating ------------------------------------------------------
const pulls = {
  berth: has.pull ? () => berth(berthRoot, 'pull', '-q', REF) : null,
  docker: () => dockerd.run('pull', '-q', REF),
  podman: () => podman('pull', '-q', '--tls-verify=false', REF),
  skopeo: () => run('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${REF}`, `oci:${ociDir}:big`]),
};
const cleanups = {
  berth: () => {
    rmrf(berthRoot);
    rmrf(`${berthRoot}-run`);
  },
  docker: () => {
    dockerd.tryRun('rmi', '-f', REF);
    dockerd.tryRun('image', 'prune', '-f');
  },
  podman: podmanReset,
  skopeo: () => rmrf(ociDir),
};
const seconds = { berthPull: [], dockerPull: [], podmanPull: [], skopeoCopy: [] };
const key = { berth: 'berthPull', docker: 'dockerPull', podman: 'podmanPull', skopeo: 'skopeoCopy' };
const order = Object.keys(pulls).filter((k) => pulls[k]);
try {
  for (let i = 0; i < runs; i++) {
    const turn = order.map((_, j) => order[(i + j) % order.length]); // rotate who goes first
    log(`pull run ${i + 1}/${runs}: ${turn.join(', ')}`);
    for (const tool of turn) {
      cleanups[tool]();
      syncDisks();
      seconds[key[tool]].push(timed(pulls[tool]));
      syncDisks();
      cleanups[tool]();
    }
  }

  // ---- berth pull: peak memory, and a pull of what is already there ----------
  let peakKb = null;
  const present = {};
  const presentPull = (name, fn) => {
    const walls = [];
    let last = null;
    for (let i = 0; i < 5; i++) {
      const before = reg.requests().length;
      walls.push(timed(fn) * 1000);
      last = reg.requests().slice(before);
    }
    present[name] = {
      wallMs: median(walls),
      wallMsRuns: walls,
      manifestRequests: last.filter((r) => r.path.includes('/manifests/')).length,
      requests: last.map((r) => `${r.method} ${r.path} ${r.status}`),
    };
  };
  if (has.pull) {
    cleanups.berth();
    peakKb = peakRssKb({ ...env, ...berthEnv(berthRoot) }, 'node', [cli, 'pull', '-q', REF]);
    presentPull('berth', () => berth(berthRoot, 'pull', '-q', REF));
    cleanups.berth();
  }
  pulls.docker();
  presentPull('docker', () => dockerd.run('pull', '-q', REF));
  cleanups.docker();

  // ---- pushes to a fresh registry, alternating --------------------------------
  const pushSeconds = { berthPush: [], berthPushAgain: [], dockerPush: [] };
  dockerd.run('load', '-q', '-i', image);
  for (let i = 0; i < runs; i++) {
    log(`push run ${i + 1}/${runs}`);
    const jobs = [
      [
        'docker',
        () => {
          const target = `${pushReg.host}/docker-${i}/deb:big`;
          dockerd.run('tag', IMAGE_TAG, target);
          pushReg.wipe();
          pushSeconds.dockerPush.push(timed(() => dockerd.run('push', '-q', target)));
          dockerd.tryRun('rmi', target);
        },
      ],
    ];
    if (has.push)
      jobs.push([
        'berth',
        () => {
          // a store that has never pushed (nothing compressed yet), then the same store again
          cleanups.berth();
          berth(berthRoot, 'load', '-q', '-i', image);
          const first = `${pushReg.host}/berth-${i}/deb:big`;
          const again = `${pushReg.host}/berth-again-${i}/deb:big`;
          berth(berthRoot, 'tag', IMAGE_TAG, first);
          berth(berthRoot, 'tag', IMAGE_TAG, again);
          syncDisks();
          pushReg.wipe();
          pushSeconds.berthPush.push(timed(() => berth(berthRoot, 'push', '-q', first)));
          pushReg.wipe();
          pushSeconds.berthPushAgain.push(timed(() => berth(berthRoot, 'push', '-q', again)));
          cleanups.berth();
        },
      ]);
    if (i % 2) jobs.reverse();
    for (const [, job] of jobs) {
      syncDisks();
      job();
    }
  }
  Object.assign(seconds, pushSeconds);

  const med = Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, median(v)]));
  const ratio = (a, b) => (med[a] != null && med[b] ? med[a] / med[b] : null);
  const ratios = {
    berthPullVsDockerPull: ratio('berthPull', 'dockerPull'),
    berthPullVsSkopeoCopy: ratio('berthPull', 'skopeoCopy'),
    berthPullVsPodmanPull: ratio('berthPull', 'podmanPull'),
    berthPushVsDockerPush: ratio('berthPush', 'dockerPush'),
    berthPushAgainVsDockerPush: ratio('berthPushAgain', 'dockerPush'),
  };
  const peakMB = peakKb == null ? null : (peakKb * 1024) / 1e6;
  const within = (x, max) => (x == null ? null : x <= max);
  const report = {
    bench: 'pull-push',
    image: { ref: REF, archiveBytes: statSync(image).size, compressedBytes, layers: manifest.layers.length },
    registry:
      "the peer's docker-registry 2.8, a private instance on loopback (plain HTTP), its storage beside the stores",
    fileSystem: { setting: fsKind, dir: mnt, mount: fsDevice },
    runs,
    berth: { cli, pull: has.pull, push: has.push, note: notes.join('; ') || null },
    seconds,
    median: med,
    spread: Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, spread(v)])),
    ratios,
    berthPullPeakRssKb: peakKb,
    present,
    budget: {
      berthPullVsDockerPull: '<= 0.6',
      berthPullVsSkopeoCopy: '<= 1.0',
      berthPushVsDockerPush: '<= 0.8',
      berthPullPeakMB: '<= 150',
      presentPull: 'one manifest request, < 100 ms wall',
    },
    met: {
      berthPullVsDockerPull: within(ratios.berthPullVsDockerPull, 0.6),
      berthPullVsSkopeoCopy: within(ratios.berthPullVsSkopeoCopy, 1),
      berthPushVsDockerPush: within(ratios.berthPushVsDockerPush, 0.8),
      berthPullPeakMB: within(peakMB, 150),
      presentPull: present.berth ? present.berth.manifestRequests === 1 && present.berth.wallMs < 100 : null,
    },
    loadAverage: { start: loadAtStart, end: os.loadavg() },
    cpus: os.cpus().length,
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} finally {
  for (const c of Object.values(cleanups)) c();
  dockerd.tryRun('rmi', '-f', IMAGE_TAG);
  await dockerd.stop();
  await reg.stop();
  await pushReg.stop();
  fs.remove();
}
