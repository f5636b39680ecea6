/**
 * Every CLI verb, in the order `berth --help` lists them, by the command words
 * that reach it. Modules load lazily: a command imports only its own verb
 * (start-up time is most of a short command's run). Each verb's own `paths`
 * must match its words here (a unit test checks).
 */
import type { Verb } from './verb.js';

type Load = () => Promise<Verb>;

export const verbIndex: [string[], Load][] = [
  [['run', 'container run'], () => import('./commands/run.js').then((m) => m.verb)],
  [['create', 'container create'], () => import('./commands/create.js').then((m) => m.verb)],
  [['start', 'container start'], () => import('./commands/start.js').then((m) => m.verb)],
  [['stop', 'container stop'], () => import('./commands/stop.js').then((m) => m.verb)],
  [['restart', 'container restart'], () => import('./commands/restart.js').then((m) => m.verb)],
  [['kill', 'container kill'], () => import('./commands/kill.js').then((m) => m.verb)],
  [['pause', 'container pause'], () => import('./commands/pause.js').then((m) => m.verb)],
  [['unpause', 'container unpause'], () => import('./commands/unpause.js').then((m) => m.verb)],
  [['rm', 'container rm', 'container remove'], () => import('./commands/rm.js').then((m) => m.verb)],
  [['rename', 'container rename'], () => import('./commands/rename.js').then((m) => m.verb)],
  [['wait', 'container wait'], () => import('./commands/wait.js').then((m) => m.verb)],
  [['attach', 'container attach'], () => import('./commands/attach.js').then((m) => m.verb)],
  [['update', 'container update'], () => import('./commands/update.js').then((m) => m.verb)],
  [['ps', 'container ls', 'container list', 'container ps'], () => import('./commands/ps.js').then((m) => m.verb)],
  [['logs', 'container logs'], () => import('./commands/logs.js').then((m) => m.verb)],
  [['exec', 'container exec'], () => import('./commands/exec.js').then((m) => m.verb)],
  [['top', 'container top'], () => import('./commands/top.js').then((m) => m.verb)],
  [['stats', 'container stats'], () => import('./commands/stats.js').then((m) => m.verb)],
  [['diff', 'container diff'], () => import('./commands/diff.js').then((m) => m.verb)],
  [['export', 'container export'], () => import('./commands/export.js').then((m) => m.verb)],
  [['cp', 'container cp'], () => import('./commands/cp.js').then((m) => m.verb)],
  [['port', 'container port'], () => import('./commands/port.js').then((m) => m.verb)],
  [['commit', 'container commit'], () => import('./commands/commit.js').then((m) => m.verb)],
  [['container prune'], () => import('./commands/container-prune.js').then((m) => m.verb)],
  [['container cleanup'], () => import('./commands/container-cleanup.js').then((m) => m.verb)],
  [['images', 'image ls', 'image list'], () => import('./commands/images.js').then((m) => m.verb)],
  [['inspect'], () => import('./commands/inspect.js').then((m) => m.verb)],
  [['image inspect'], () => import('./commands/inspect.js').then((m) => m.imageVerb)],
  [['container inspect'], () => import('./commands/inspect.js').then((m) => m.containerVerb)],
  [['history', 'image history'], () => import('./commands/history.js').then((m) => m.verb)],
  [['tag', 'image tag'], () => import('./commands/tag.js').then((m) => m.verb)],
  [['rmi', 'image rm', 'image remove'], () => import('./commands/rmi.js').then((m) => m.verb)],
  [['image prune'], () => import('./commands/image-prune.js').then((m) => m.verb)],
  [['pull', 'image pull'], () => import('./commands/pull.js').then((m) => m.verb)],
  [['push', 'image push'], () => import('./commands/push.js').then((m) => m.verb)],
  [['search'], () => import('./commands/search.js').then((m) => m.verb)],
  [['login'], () => import('./commands/login.js').then((m) => m.verb)],
  [['logout'], () => import('./commands/logout.js').then((m) => m.verb)],
  [['load', 'image load'], () => import('./commands/load.js').then((m) => m.verb)],
  [['save', 'image save'], () => import('./commands/save.js').then((m) => m.verb)],
  [['import', 'image import'], () => import('./commands/import.js').then((m) => m.verb)],
  [['volume create'], () => import('./commands/volume-create.js').then((m) => m.verb)],
  [['volume ls', 'volume list'], () => import('./commands/volume-ls.js').then((m) => m.verb)],
  [['volume inspect'], () => import('./commands/volume-inspect.js').then((m) => m.verb)],
  [['volume rm', 'volume remove'], () => import('./commands/volume-rm.js').then((m) => m.verb)],
  [['volume prune'], () => import('./commands/volume-prune.js').then((m) => m.verb)],
  [['network create'], () => import('./commands/network-create.js').then((m) => m.verb)],
  [['network ls', 'network list'], () => import('./commands/network-ls.js').then((m) => m.verb)],
  [['network inspect'], () => import('./commands/network-inspect.js').then((m) => m.verb)],
  [['network rm', 'network remove'], () => import('./commands/network-rm.js').then((m) => m.verb)],
  [['network prune'], () => import('./commands/network-prune.js').then((m) => m.verb)],
  [['network connect'], () => import('./commands/network-connect.js').then((m) => m.verb)],
  [['network disconnect'], () => import('./commands/network-disconnect.js').then((m) => m.verb)],
  [['system df'], () => import('./commands/system-df.js').then((m) => m.verb)],
  [['system prune'], () => import('./commands/system-prune.js').then((m) => m.verb)],
  [['system check'], () => import('./commands/system-check.js').then((m) => m.verb)],
  [['system service'], () => import('./commands/system-service.js').then((m) => m.verb)],
  [['info', 'system info'], () => import('./commands/info.js').then((m) => m.verb)],
  [['events', 'system events'], () => import('./commands/events.js').then((m) => m.verb)],
  [['build', 'image build'], () => import('./commands/build.js').then((m) => m.verb)],
  [['builder prune'], () => import('./commands/builder-prune.js').then((m) => m.verb)],
  [['version'], () => import('./commands/version.js').then((m) => m.verb)],
];

/** The verb reached by the first words of argv (global options already skipped), if any. */
export function findVerb(words: string[]): Load | null {
  const two = words.slice(0, 2).join(' ');
  const one = words[0] ?? '';
  return (verbIndex.find(([w]) => w.includes(two)) ?? verbIndex.find(([w]) => w.includes(one)))?.[1] ?? null;
}

export const allVerbs = (): Promise<Verb[]> => Promise.all(verbIndex.map(([, load]) => load()));

/** Summaries of the command groups. */
export const groups: Record<string, string> = {
  container: 'Manage containers',
  image: 'Manage images',
  volume: 'Manage volumes',
  network: 'Manage networks',
  system: 'Manage berth',
  builder: 'Manage builds',
};
