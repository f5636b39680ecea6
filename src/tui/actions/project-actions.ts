/**
 * The commands of a compose project's row in the grouped Containers list:
 * start, stop and restart act on every container of the project (stop and
 * restart ask first), one after the other in docker-compose's order; the
 * other container commands need a container.
 */
import type { ContainerSummary } from '../../client/api.js';
import type { Services } from '../hooks/context.js';
import { containerName } from '../presenters/rows.js';
import { restartOrder, startOrder, stopOrder, type ProjectRow } from '../presenters/projects.js';
import type { ConfirmState } from '../state/types.js';
import { say, task } from './task.js';

const verbs = {
  'project.start': { doing: 'starting', done: 'started' },
  'project.stop': { doing: 'stopping', done: 'stopped' },
  'project.restart': { doing: 'restarting', done: 'restarted' },
} as const;
type ProjectCommand = keyof typeof verbs;

const count = (n: number) => `${n} container${n === 1 ? '' : 's'}`;

function targets(row: ProjectRow, command: ProjectCommand): ContainerSummary[] {
  if (command === 'project.start') return startOrder(row.members);
  if (command === 'project.stop') return stopOrder(row.members);
  return restartOrder(row.members);
}

/** Run a container command on a project row. */
export function projectCommand(svc: Services, id: string, row: ProjectRow): void {
  if (id === 'container.logs') {
    svc.store.dispatch({ type: 'maximize', on: true });
    return;
  }
  const command = (
    {
      'container.start': 'project.start',
      'container.stop': 'project.stop',
      'container.restart': 'project.restart',
    } as const
  )[id as 'container.start'];
  if (!row.project) {
    say(svc, `${row.name}: not a compose project; select one of its containers`, 'error');
    return;
  }
  if (!command) {
    const what = svc.keymap.binding(id)?.description ?? id;
    say(svc, `${what}: select a container (on a project: start, stop, restart, logs)`, 'error');
    return;
  }
  const cs = targets(row, command);
  if (!cs.length) {
    say(svc, `project ${row.name}: no container to ${command.slice(8)}`);
    return;
  }
  const refs = cs.map((c) => c.Id);
  const names = cs.map(containerName);
  if (command === 'project.start') return void runProject(svc, command, row.name, refs, names);
  const verb = command === 'project.stop' ? 'Stop' : 'Restart';
  svc.store.dispatch({
    type: 'confirmOpen',
    confirm: {
      title: `${verb} project`,
      body: `${verb} project ${row.name}: ${count(cs.length)} (${names.join(', ')})?`,
      command,
      refs,
      names: [row.name, ...names],
      options: [],
    },
  });
}

/** Start, stop or restart the containers in the order given; the first failure ends it and is shown. */
function runProject(
  svc: Services,
  command: ProjectCommand,
  project: string,
  refs: string[],
  names: string[],
): Promise<boolean> {
  const b = svc.backend;
  const { doing, done } = verbs[command];
  return task(svc, `${doing} project ${project}`, async () => {
    for (const [i, ref] of refs.entries()) {
      say(svc, `${doing} project ${project}: ${names[i]} (${i + 1}/${refs.length})…`);
      if (command === 'project.start') await b.startContainer(ref);
      else if (command === 'project.stop') await b.stopContainer(ref);
      else await b.restartContainer(ref);
    }
    return `${done} project ${project} (${count(refs.length)})`;
  });
}

/** A project confirmation was answered yes (names: the project, then its containers). True when it was one. */
export function projectConfirmed(svc: Services, c: ConfirmState): boolean {
  if (c.command !== 'project.stop' && c.command !== 'project.restart') return false;
  void runProject(svc, c.command, c.names[0]!, c.refs, c.names.slice(1));
  return true;
}
