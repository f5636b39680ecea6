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
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const runs = Number(opt('--runs', '5'));
const loadAtStart = os.loadavg(); // the machine may be shared: say how busy it was
const work = opt('--workdir', '/var/tmp/berth-bench');
const rebuild = args.includes('--rebuild');
const cli = join(repo, 'dist', 'cli', 'main.js');
const peers = resolve(repo, 'scripts', 'peers.sh');

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // a sandbox setting that slows every node start; not part of berth
for (const m of execFileSync(peers, ['start'], { encoding: 'utf8' }).matchAll(/^export (\w+)=(.*)$/gm))
  env[m[1]] = m[2];
const docker = (...a) =>
  execFileSync(env.PEER_DOCKER, ['-H', env.PEER_DOCKER_HOST, ...a], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
const sh = (cmd) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
const log = (s) => process.stderr.write(`${s}\n`);

/** Peak resident memory of a command, in kB, from GNU time (null when /usr/bin/time is missing). */
function peakRssKb(cmd, args) {
  if (!existsSync('/usr/bin/time')) return null;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return Number(r.stderr.trim().split('\n').pop());
}

function timed(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const syncDisks = () => spawnSync('sync');

// ---- the image -------------------------------------------------------------
mkdirSync(work, { recursive: true });
const image = join(work, 'image.tar');
const TAG = 'berth-bench/deb:big';
if (rebuild || !existsSync(image)) {
  const rootfs = join(work, 'rootfs');
  if (!existsSync(join(rootfs, 'etc', 'debian_version'))) {
    log('debootstrap --variant=minbase bookworm (about a minute)');
    sh(`debootstrap --variant=minbase bookworm ${rootfs} http://deb.debian.org/debian > ${work}/debootstrap.log 2>&1`);
  }
  log('building the image with the peer docker');
  sh(`tar --numeric-owner -C ${rootfs} -cf ${work}/base.tar .`);
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
  docker('commit', '-m', 'small files and a blob', 'berth-bench-l2', TAG);
  docker('rm', 'berth-bench-l2');
  docker('save', '-o', image, TAG);
  rmSync(join(work, 'base.tar'), { force: true });
}
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
// All unpacking happens on a new ext4 file system (a loop device, journaled as a
// host's would be), with a private dockerd of the peer's own binary and flags
// whose data root is on it too: berth, docker and tar then write to the same
// kind of fresh disk. (On this machine's root file system, an unjournaled ext4
// that tests and earlier runs have churned, creating inodes costs several times
// more in some directories than in others, which made timings depend on where
// each tool's directory happened to be, not on the tool.)
const fsImage = join(work, 'fs.img');
const mnt = join(work, 'mnt');
const berthRoot = join(mnt, 'berth-root');
const berthRun = join(mnt, 'berth-run');
const dest = join(mnt, 'tar-dest');
const out = join(mnt, 'out.tar');
const dockerState = join(mnt, 'docker');
const dockerSock = join(work, 'docker.sock');
const umount = () => spawnSync('umount', [mnt]);
umount();
rmSync(fsImage, { force: true });
sh(`truncate -s 8G ${fsImage} && mkfs.ext4 -q -F ${fsImage}`);
mkdirSync(mnt, { recursive: true });
sh(`mount -o loop ${fsImage} ${mnt}`);
const dockerd = spawn(
  '/usr/sbin/dockerd',
  [
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    '--host',
    `unix://${dockerSock}`,
    '--data-root',
    join(dockerState, 'data'),
    '--exec-root',
    join(dockerState, 'exec'),
    '--pidfile',
    join(dockerState, 'dockerd.pid'),
  ],
  { stdio: 'ignore', env },
);
const freshDocker = (...a) =>
  execFileSync(env.PEER_DOCKER, ['-H', `unix://${dockerSock}`, ...a], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
const dockerdExited = new Promise((r) => dockerd.once('exit', r));
const stopDockerd = async () => {
  dockerd.kill('SIGTERM');
  await dockerdExited;
};
for (let i = 0; ; i++) {
  if (spawnSync(env.PEER_DOCKER, ['-H', `unix://${dockerSock}`, 'version'], { env }).status === 0) break;
  if (i > 120) throw new Error('the private dockerd did not start');
  spawnSync('sleep', ['0.5']);
}
log(`a fresh ext4 at ${mnt}, docker's data root on it`);

// ---- the runs --------------------------------------------------------------
const result = { berthLoad: [], dockerLoad: [], tarExtract: [], berthSave: [], dockerSave: [] };
const berthCli = (...a) => execFileSync('node', [cli, '--root', berthRoot, '--runroot', berthRun, ...a], { env });
const cleanup = () => {
  rmSync(berthRoot, { recursive: true, force: true });
  rmSync(dest, { recursive: true, force: true });
  rmSync(out, { force: true });
  spawnSync(env.PEER_DOCKER, ['-H', `unix://${dockerSock}`, 'rmi', '-f', TAG], { env });
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
umount();
rmSync(fsImage, { force: true });

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
