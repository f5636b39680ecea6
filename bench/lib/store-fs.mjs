/**
 * The store-fs setting of bench/load-save.mjs: berth and a private dockerd
 * (the peer's binary and flags) load the same archive on the file system that
 * holds berth's default store, each first removing what its previous run
 * loaded, in two removal modes. Besides wall-clock seconds, each timed load
 * records what explains an outlier without a profiler:
 *   cpu     user and system CPU seconds of the loader (berth: the process,
 *           by GNU time; docker: dockerd and the unpacker it waits for, from
 *           /proc/<pid>/stat). Much system time means the kernel's work, e.g.
 *           ext4's inode allocator; a long load with little CPU waited (a busy
 *           machine, the disk, syncfs flushing other processes' writes).
 *   tree    the ext4 block groups that hold the loaded inodes (largest first)
 *           and how many of them sit in groups that a tree this benchmark
 *           removed in the last 360 s used (ext4 without a journal steps over
 *           each such recently freed inode on every create: README).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { log, privateDockerd, syncDisks, timed } from './bench-env.mjs';
import { attrs, fsInfo, inodesPerGroup, load1, processCpu, summary, traceInodes, treeGroups } from './bench-util.mjs';

const RECENT_SECONDS = 360; // ext4's window for a recently deleted inode whose inode table block is dirty

/**
 * o: { dir, runs, work, image, tag, cli, env, traceAllocs }. Returns the
 * store-fs part of the report.
 */
export async function storeFs(o) {
  const { dir, runs, work, image, tag: TAG, cli, env, traceAllocs } = o;
  const berthRoot = join(dir, 'berth-bench-store');
  const dockerState = join(dir, 'berth-bench-docker');
  const out = join(dir, 'berth-bench-save.tar');
  const dockerDir = join(work, 'store-fs'); // its socket
  const berth = (...a) =>
    execFileSync('node', [cli, '--root', berthRoot, '--runroot', '/run/berth-bench', ...a], { env });
  const timeFile = join(work, 'berth-time.txt');
  /** berth load under GNU time: wall seconds and CPU. */
  const berthLoad = () => {
    const useTime = existsSync('/usr/bin/time');
    const argv = ['node', cli, '--root', berthRoot, '--runroot', '/run/berth-bench', 'load', '-q', '-i', image];
    let seconds;
    if (useTime)
      seconds = timed(() => execFileSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, ...argv], { env }));
    else seconds = timed(() => execFileSync(argv[0], argv.slice(1), { env }));
    if (!useTime) return { seconds, cpu: null };
    const [user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    return { seconds, cpu: { user, system } };
  };

  for (const p of [berthRoot, dockerState, out]) rmSync(p, { recursive: true, force: true });
  mkdirSync(dockerState, { recursive: true });
  mkdirSync(dockerDir, { recursive: true });
  const fileSystem = fsInfo(dir);
  const ipg = inodesPerGroup(fileSystem.device);
  const d = await privateDockerd(env, dockerDir, dockerState);
  const dockerLoad = () => {
    const before = processCpu(d.pid);
    const seconds = timed(() => d.run('load', '-q', '-i', image));
    const after = processCpu(d.pid);
    return { seconds, cpu: { user: after.user - before.user, system: after.system - before.system } };
  };
  log(`store-fs: berth store ${berthRoot}, docker data root ${dockerState}/data, on ${fileSystem.device}`);
  const removal = {
    'rm-rf': {
      berth: `rm -rf ${berthRoot}`,
      docker: `docker rmi ${TAG}; docker image prune -f`,
      run: {
        berth: () => spawnSync('rm', ['-rf', berthRoot]),
        docker: () => {
          d.tryRun('rmi', TAG);
          d.run('image', 'prune', '-f');
        },
      },
    },
    'own-commands': {
      berth: `berth rmi -f ${TAG}; berth image prune -af`,
      docker: `docker rmi -f ${TAG}; docker image prune -f`,
      run: {
        berth: () => {
          berth('rmi', '-f', TAG);
          berth('image', 'prune', '-af');
        },
        docker: () => {
          d.run('rmi', '-f', TAG);
          d.run('image', 'prune', '-f');
        },
      },
    },
  };
  const loadWith = { berth: berthLoad, docker: dockerLoad };
  /** Whether the removal left nothing of the image: a load after a failed removal would measure nothing. */
  const gone = {
    berth: () => !existsSync(berthRoot) || berth('images', '-aq').toString().trim() === '',
    docker: () => d.run('images', '-aq').trim() === '',
  };
  const storeDir = { berth: berthRoot, docker: join(dockerState, 'data') };
  /** each tool's current tree (its groups) and the trees removed so far, with when */
  const current = {};
  const removed = [];
  const place = (tool) => {
    const groups = treeGroups(storeDir[tool], ipg.inodesPerGroup);
    current[tool] = groups;
    const now = Date.now() / 1000;
    const hot = new Set(removed.filter((r) => now - r.at <= RECENT_SECONDS).flatMap((r) => [...r.groups.keys()]));
    let inodes = 0;
    let inHot = 0;
    for (const [g, n] of groups) {
      inodes += n;
      if (hot.has(g)) inHot += n;
    }
    const top = [...groups].sort((a, b) => b[1] - a[1]).slice(0, 8);
    return { inodes, inGroupsFreedWithin360s: inHot, groups: top.map(([group, n]) => ({ group, inodes: n })) };
  };
  const modes = {};
  const saves = { berth: [], docker: [] };
  try {
    for (const [mode, rm] of Object.entries(removal)) {
      log(`store-fs, removing with ${mode}: a first load of each tool, not timed`);
      loadWith.berth();
      loadWith.docker();
      for (const tool of ['berth', 'docker']) current[tool] = treeGroups(storeDir[tool], ipg.inodesPerGroup);
      const rows = [];
      for (let i = 0; i < runs; i++) {
        const order = i % 2 ? ['docker', 'berth'] : ['berth', 'docker'];
        const row = { run: i + 1, order };
        for (const tool of order) {
          const removeSeconds = timed(rm.run[tool]);
          if (!gone[tool]()) throw new Error(`${tool}: the image is still there after ${rm[tool]}`);
          removed.push({ tool, groups: current[tool], at: Date.now() / 1000 });
          syncDisks();
          const loadAverage = load1();
          const r = traceAllocs
            ? traceInodes(storeDir[tool], work, ipg.inodesPerGroup, loadWith[tool])
            : loadWith[tool]();
          row[tool] = {
            removeSeconds,
            loadSeconds: r.seconds,
            loadAverage,
            cpu: r.cpu ?? null,
            tree: place(tool),
            ...(r.inodeAllocation ? { inodeAllocation: r.inodeAllocation } : {}),
          };
          syncDisks();
        }
        log(
          `  ${mode} run ${i + 1}/${runs}: berth ${row.berth.loadSeconds.toFixed(2)} s, docker ${row.docker.loadSeconds.toFixed(2)} s (load average ${row.berth.loadAverage.toFixed(1)})`,
        );
        rows.push(row);
        for (const tool of order) {
          const save = tool === 'berth' ? () => berth('save', '-o', out, TAG) : () => d.run('save', '-o', out, TAG);
          const loadAverage = load1();
          saves[tool].push({ seconds: timed(save), loadAverage, mode, run: i + 1 });
          rmSync(out, { force: true });
          syncDisks();
        }
      }
      const b = summary(rows.map((r) => r.berth.loadSeconds));
      const k = summary(rows.map((r) => r.docker.loadSeconds));
      modes[mode] = {
        removeWith: { berth: rm.berth, docker: rm.docker },
        berthLoad: b,
        dockerLoad: k,
        ratio: b.median / k.median,
        ratioSpread: { min: b.min / k.max, max: b.max / k.min },
        budget: '<= 0.8',
        met: b.median / k.median <= 0.8,
        berthRemove: summary(rows.map((r) => r.berth.removeSeconds)),
        dockerRemove: summary(rows.map((r) => r.docker.removeSeconds)),
        runs: rows,
      };
    }
  } finally {
    await d.stop();
  }
  const berthSave = summary(saves.berth.map((s) => s.seconds));
  const dockerSave = summary(saves.docker.map((s) => s.seconds));
  const report = {
    dir,
    fileSystem,
    inodeGroups: ipg,
    berthRoot,
    dockerDataRoot: join(dockerState, 'data'),
    berthScratchAttributes: attrs(join(berthRoot, 'tmp')),
    modes,
    save: {
      berthSave,
      dockerSave,
      ratio: berthSave.median / dockerSave.median,
      budget: '<= 1.0',
      met: berthSave.median / dockerSave.median <= 1,
      runs: saves,
    },
  };
  for (const p of [berthRoot, dockerState]) rmSync(p, { recursive: true, force: true });
  return report;
}
