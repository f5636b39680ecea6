#!/usr/bin/env node
/**
 * bench/load-save: `berth load` / `berth save` of a ~270 MB image against the
 * peer engine's `docker load` / `docker save` of the same archive, and
 * against plain `tar -x` of its layers. Alternating runs, medians. Every tool
 * writes to one fresh ext4 file system (a loop device) made for the run, with
 * a private dockerd (the peer's binary and flags) keeping its data there.
 *
 *   node bench/load-save.mjs [--runs N] [--workdir DIR] [--rebuild]
 *
 * Needs root, the built berth (npm install), debootstrap, and the peers
 * (scripts/peers.sh start). The image: a Debian bookworm minbase root
 * made with debootstrap (imported as layer one), plus a layer holding 5,000
 * small files and a 50 MB blob. Prints one JSON object on stdout, with the
 * peak memory of berth load for this archive and for a small one, and the
 * load average of the (possibly shared) machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import {
  IMAGE_TAG as TAG,
  buildBenchImage,
  cli,
  freshExt4,
  log,
  median,
  peakRssKb as peakRss,
  peerEnv,
  privateDockerd,
  repo,
  sh as shIn,
  syncDisks,
  timed,
} from './lib/bench-env.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const runs = Number(opt('--runs', '5'));
const loadAtStart = os.loadavg(); // the machine may be shared: say how busy it was
const work = opt('--workdir', '/var/tmp/berth-bench');
const rebuild = args.includes('--rebuild');

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
const manifest = JSON.parse(readFileSync(join(layersDir, 'manifest.json'), 'utf8'));
const layerFiles = manifest[0].Layers.map((l) => join(layersDir, l));

// ---- one fresh file system for every tool -----------------------------------
// All unpacking happens on a new ext4 file system (bench/lib/bench-env.mjs says
// why), with a private dockerd of the peer's own binary and flags whose data
// root is on it too: berth, docker and tar then write to the same kind of
// fresh disk.
const fs = freshExt4(env, work);
const mnt = fs.mnt;
const berthRoot = join(mnt, 'berth-root');
const berthRun = join(mnt, 'berth-run');
const dest = join(mnt, 'tar-dest');
const out = join(mnt, 'out.tar');
const dockerd = await privateDockerd(env, work, join(mnt, 'docker'));
const freshDocker = (...a) => dockerd.run(...a);
const stopDockerd = () => dockerd.stop();
log(`a fresh ext4 at ${mnt}, docker's data root on it`);

// ---- the runs --------------------------------------------------------------
const result = { berthLoad: [], dockerLoad: [], tarExtract: [], berthSave: [], dockerSave: [] };
const berthCli = (...a) => execFileSync('node', [cli, '--root', berthRoot, '--runroot', berthRun, ...a], { env });
const cleanup = () => {
  rmSync(berthRoot, { recursive: true, force: true });
  rmSync(dest, { recursive: true, force: true });
  rmSync(out, { force: true });
  dockerd.tryRun('rmi', '-f', TAG);
  syncDisks();
};
try {
  for (let i = 0; i < runs; i++) {
    log(`run ${i + 1}/${runs}`);
    cleanup();
    result.berthLoad.push(timed(() => berthCli('load', '-q', '-i', image)));
    syncDisks();
    result.dockerLoad.push(timed(() => freshDocker('load', '-q', '-i', image)));
    syncDisks();
    mkdirSync(dest);
    result.tarExtract.push(
      timed(() => layerFiles.forEach((f) => execFileSync('tar', ['--numeric-owner', '-xpf', f, '-C', dest]))),
    );
    syncDisks();
    result.berthSave.push(timed(() => berthCli('save', '-o', out, TAG)));
    rmSync(out, { force: true });
    syncDisks();
    result.dockerSave.push(timed(() => freshDocker('save', '-o', out, TAG)));
  }
  cleanup();
} finally {
  await stopDockerd();
}

// memory: berth load of this archive against a small one (it streams: the peak should not grow with the archive)
const small = join(repo, 'test', 'fixtures', 'busybox.docker-save.tar');
const rss = {};
for (const [name, file] of [
  ['small', small],
  ['large', image],
]) {
  rmSync(berthRoot, { recursive: true, force: true });
  rss[name] = peakRssKb('node', [cli, '--root', berthRoot, '--runroot', berthRun, 'load', '-q', '-i', file]);
}
rmSync(berthRoot, { recursive: true, force: true });
fs.remove();

const med = Object.fromEntries(Object.entries(result).map(([k, v]) => [k, median(v)]));
const report = {
  bench: 'load-save',
  archiveBytes,
  layers: layerFiles.length,
  runs,
  seconds: result,
  median: med,
  ratios: {
    berthLoadVsDockerLoad: med.berthLoad / med.dockerLoad,
    berthLoadVsTarExtract: med.berthLoad / med.tarExtract,
    berthSaveVsDockerSave: med.berthSave / med.dockerSave,
  },
  budget: { berthLoadVsDockerLoad: '<= 0.8', berthSaveVsDockerSave: '<= 1.0' },
  berthLoadPeakRssKb: { smallArchive: rss.small, thisArchive: rss.large },
  loadAverage: { start: loadAtStart, end: os.loadavg() },
  cpus: os.cpus().length,
};
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
rmSync(layersDir, { recursive: true, force: true });
