#!/usr/bin/env node
/**
 * bench/load-save: `berth load` / `berth save` of a ~270 MB image against the
 * peer engine's `docker load` / `docker save` of the same archive (a private
 * dockerd of the peer's binary and flags), in two settings:
 *
 *  store-fs  the file system that holds berth's default store (/var/lib, so
 *            /var/lib/berth; --dir chooses another), as users have it: berth
 *            keeps a store at DIR/berth-bench-store, docker its data root at
 *            DIR/berth-bench-docker. Five (--runs) alternating runs in each of
 *            two removal modes, in which each tool first removes what its
 *            previous run loaded:
 *              rm-rf         berth: rm -rf of its store;
 *                            docker: docker rmi TAG, docker image prune -f
 *              own-commands  berth: berth rmi -f TAG, berth image prune -af;
 *                            docker: docker rmi -f TAG, docker image prune -f
 *            then `sync`, then the timed load. Which tool goes first
 *            alternates from run to run. Then save, alternating too.
 *  loop      one fresh ext4 (a loop device, journaled as mkfs.ext4 makes it)
 *            for every tool, with plain `tar -x` of the layers beside them and
 *            berth load's peak memory.
 *
 * Budgets (docs/DESIGN.md section 7): berth load at most 0.8x docker load in
 * each setting and mode (ratio of medians); berth save at most 1x docker save.
 *
 *   node bench/load-save.mjs [--runs N] [--only store-fs|loop] [--dir DIR]
 *                            [--workdir DIR] [--rebuild] [--trace-inodes]
 *                            [--cli PATH]
 *
 * --cli runs another build of berth (its dist/cli/main.cjs), e.g. one made
 * from an older commit, to compare.
 * --trace-inodes records ext4's inode-allocation tracepoints (perf) around
 * each store-fs load and reports how long the allocator took per inode the
 * load made (see README, Benchmarks). It adds perf's overhead to the times.
 *
 * Needs root, the built berth (npm install), debootstrap, and the peers
 * (scripts/peers.sh start; the image is built with the peer docker). The
 * image: a Debian bookworm minbase root made with debootstrap (layer one),
 * plus a layer holding 5,000 small files and a 50 MB blob. The machine may be
 * shared: every timed step records the 1-minute load average. Prints one JSON
 * object on stdout; progress goes to stderr.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import os from 'node:os';
import {
  IMAGE_TAG as TAG,
  buildBenchImage,
  cli as builtCli,
  freshExt4,
  log,
  peakRssKb as peakRss,
  peerEnv,
  privateDockerd,
  repo,
  sh as shIn,
  syncDisks,
  timed,
} from './lib/bench-env.mjs';
import { fsInfo, load1, summary } from './lib/bench-util.mjs';
import { storeFs } from './lib/store-fs.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const runs = Number(opt('--runs', '5'));
const only = opt('--only', null);
const storeFsDir = resolve(opt('--dir', '/var/lib'));
const work = resolve(opt('--workdir', '/var/tmp/berth-bench'));
const rebuild = args.includes('--rebuild');
const traceAllocs = args.includes('--trace-inodes');
if (!(runs >= 1) || (only && only !== 'store-fs' && only !== 'loop')) {
  log(
    'usage: node bench/load-save.mjs [--runs N] [--only store-fs|loop] [--dir DIR] [--workdir DIR] [--rebuild] [--trace-inodes] [--cli PATH]',
  );
  process.exit(2);
}
const loadAtStart = os.loadavg(); // the machine may be shared: say how busy it was
const cli = resolve(opt('--cli', builtCli));

const env = peerEnv();
const sh = (cmd) => shIn(env, cmd);
const peakRssKb = (cmd, a) => peakRss(env, cmd, a);

// ---- the image -------------------------------------------------------------
const image = buildBenchImage(env, work, rebuild);
const archiveBytes = statSync(image).size;
log(`archive: ${(archiveBytes / 1e6).toFixed(1)} MB`);
// the layer tars, for the plain tar baseline
const layersDir = join(work, 'layers');
rmSync(layersDir, { recursive: true, force: true });
mkdirSync(layersDir);
sh(`tar -xf ${image} -C ${layersDir}`);
const layerFiles = JSON.parse(readFileSync(join(layersDir, 'manifest.json'), 'utf8'))[0].Layers.map((l) =>
  join(layersDir, l),
);
const archiveEntries = Number(sh(`for f in ${layerFiles.join(' ')}; do tar -tf $f; done | wc -l`).trim());

const berthOn = (root, runroot) => {
  const run = (...a) => execFileSync('node', [cli, '--root', root, '--runroot', runroot, ...a], { env });
  return run;
};

// ---- loop: one fresh file system for every tool ------------------------------
// All unpacking happens on a new ext4 file system (a loop device, journaled as
// mkfs.ext4 makes it), with a private dockerd whose data root is on it too:
// berth, docker and tar write to the same kind of fresh disk.
async function loopDevice() {
  // bench/lib/bench-env.mjs says why a fresh file system
  const fresh = freshExt4(env, work);
  const mnt = fresh.mnt;
  const berthRoot = join(mnt, 'berth-root');
  const berth = berthOn(berthRoot, join(mnt, 'berth-run'));
  const dest = join(mnt, 'tar-dest');
  const out = join(mnt, 'out.tar');
  const d = await privateDockerd(env, work, join(mnt, 'docker'));
  log(`loop: a fresh ext4 at ${mnt}, docker's data root on it`);
  const result = { berthLoad: [], dockerLoad: [], tarExtract: [], berthSave: [], dockerSave: [], loadAverage: [] };
  const cleanup = () => {
    rmSync(berthRoot, { recursive: true, force: true });
    rmSync(dest, { recursive: true, force: true });
    rmSync(out, { force: true });
    d.tryRun('rmi', '-f', TAG);
    syncDisks();
  };
  let fileSystem;
  try {
    for (let i = 0; i < runs; i++) {
      log(`loop run ${i + 1}/${runs}`);
      cleanup();
      result.loadAverage.push(load1());
      result.berthLoad.push(timed(() => berth('load', '-q', '-i', image)));
      syncDisks();
      result.dockerLoad.push(timed(() => d.run('load', '-q', '-i', image)));
      syncDisks();
      mkdirSync(dest);
      result.tarExtract.push(
        timed(() => layerFiles.forEach((f) => execFileSync('tar', ['--numeric-owner', '-xpf', f, '-C', dest]))),
      );
      syncDisks();
      result.berthSave.push(timed(() => berth('save', '-o', out, TAG)));
      rmSync(out, { force: true });
      syncDisks();
      result.dockerSave.push(timed(() => d.run('save', '-o', out, TAG)));
    }
    cleanup();
    fileSystem = fsInfo(mnt);
  } finally {
    await d.stop();
  }
  // memory: berth load of this archive against a small one (it streams: the peak should not grow with the archive)
  const rss = {};
  for (const [name, file] of [
    ['smallArchive', join(repo, 'test', 'fixtures', 'busybox.docker-save.tar')],
    ['thisArchive', image],
  ]) {
    rmSync(berthRoot, { recursive: true, force: true });
    rss[name] = peakRssKb('node', [
      cli,
      '--root',
      berthRoot,
      '--runroot',
      join(mnt, 'berth-run'),
      'load',
      '-q',
      '-i',
      file,
    ]);
  }
  rmSync(berthRoot, { recursive: true, force: true });
  fresh.remove();
  const s = Object.fromEntries(Object.entries(result).map(([k, v]) => [k, k === 'loadAverage' ? v : summary(v)]));
  return {
    fileSystem,
    ...s,
    ratios: {
      berthLoadVsDockerLoad: s.berthLoad.median / s.dockerLoad.median,
      berthLoadVsTarExtract: s.berthLoad.median / s.tarExtract.median,
      berthSaveVsDockerSave: s.berthSave.median / s.dockerSave.median,
    },
    budget: { berthLoadVsDockerLoad: '<= 0.8', berthSaveVsDockerSave: '<= 1.0' },
    met: {
      berthLoadVsDockerLoad: s.berthLoad.median / s.dockerLoad.median <= 0.8,
      berthSaveVsDockerSave: s.berthSave.median / s.dockerSave.median <= 1,
    },
    berthLoadPeakRssKb: rss,
  };
}

const report = {
  bench: 'load-save',
  about:
    'seconds per command; medians, min and max of alternating runs; ratio = berth median / docker median. storeFs: the file system of the default store, each tool removing its previous load first (two ways); loop: a fresh ext4 loop device. loadAverage: 1-minute load average of the machine when each timed step began (2+ means others were using the CPUs).',
  berthCli: cli,
  commit: spawnSync('git', ['-C', repo, 'describe', '--always', '--dirty'], { encoding: 'utf8' }).stdout.trim(),
  kernel: os.release(),
  cpus: os.cpus().length,
  node: process.version,
  docker: execFileSync(env.PEER_DOCKER, ['--version'], { encoding: 'utf8' }).trim(),
  archive: { path: image, bytes: archiveBytes, layers: layerFiles.length, entries: archiveEntries },
  runs,
  traceInodes: traceAllocs,
};
if (only !== 'loop') {
  report.storeFs = await storeFs({ dir: storeFsDir, runs, work, image, tag: TAG, cli, env, traceAllocs });
}
if (only !== 'store-fs') report.loop = await loopDevice();
report.loadAverage = { start: loadAtStart, end: os.loadavg() };
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
rmSync(layersDir, { recursive: true, force: true });
