/**
 * What each command of the keymap does: state changes go to the reducer,
 * engine work goes through the backend with the outcome in the footer.
 * Destructive commands open a confirmation first (confirmed() runs them).
 */
import { humanSize } from '../../client/format/humanize.js';
import type { Services } from '../hooks/context.js';
import { disabledReason } from '../keymap/features.js';
import { openForm } from '../state/forms.js';
import { imageTargets, selectedRow } from '../state/selectors.js';
import type { ConfirmState } from '../state/types.js';
import { isProjectRow } from '../presenters/projects.js';
import { projectCommand, projectConfirmed } from './project-actions.js';
import { attach, execShell } from './terminal-actions.js';
import { say, task } from './task.js';

type ConfirmRequest = Omit<ConfirmState, 'kind' | 'index'>;

function confirm(svc: Services, c: ConfirmRequest): void {
  svc.store.dispatch({ type: 'confirmOpen', confirm: c });
}

/** The message to show once `p` is done. */
async function after(p: Promise<unknown>, message: string): Promise<string> {
  await p;
  return message;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function containerCommand(svc: Services, id: string): boolean {
  const s = svc.store.get();
  const row = selectedRow(s, 'containers');
  const d = svc.store.dispatch;
  if (id === 'container.toggleAll') {
    d({ type: 'toggleAll' });
    say(svc, s.showAll ? 'showing running containers only' : 'showing all containers');
    return true;
  }
  if (id === 'container.group') {
    d({ type: 'toggleGroup' });
    say(svc, s.grouped ? 'containers: flat list' : 'containers: grouped by compose project');
    return true;
  }
  if (!row) {
    say(svc, 'no container selected', 'error');
    return true;
  }
  if (isProjectRow(row)) {
    projectCommand(svc, id, row);
    return true;
  }
  const { ref, name } = row;
  const b = svc.backend;
  switch (id) {
    case 'container.stop':
      void task(svc, `stopping ${name}`, () => after(b.stopContainer(ref), `stopped ${name}`));
      return true;
    case 'container.start':
      void task(svc, `starting ${name}`, () => after(b.startContainer(ref), `started ${name}`));
      return true;
    case 'container.restart':
      void task(svc, `restarting ${name}`, () => after(b.restartContainer(ref), `restarted ${name}`));
      return true;
    case 'container.pause':
      if (row.c.State === 'paused')
        void task(svc, `unpausing ${name}`, () => after(b.unpauseContainer(ref), `unpaused ${name}`));
      else void task(svc, `pausing ${name}`, () => after(b.pauseContainer(ref), `paused ${name}`));
      return true;
    case 'container.kill':
      confirm(svc, {
        title: 'Kill container',
        body: `Send SIGKILL to ${name}?`,
        command: id,
        refs: [ref],
        names: [name],
        options: [],
      });
      return true;
    case 'container.remove': {
      const running = row.c.State === 'running' || row.c.State === 'paused' || row.c.State === 'restarting';
      confirm(svc, {
        title: 'Remove container',
        body: `Remove ${name}${running ? ' (it is running)' : ''}?`,
        command: id,
        refs: [ref],
        names: [name],
        options: [
          { name: 'force', label: 'Force (stop it first)', value: running },
          { name: 'volumes', label: 'Remove its anonymous volumes', value: false },
        ],
      });
      return true;
    }
    case 'container.exec':
      void execShell(svc, ref, name);
      return true;
    case 'container.attach':
      void attach(svc, ref, name);
      return true;
    case 'container.commit':
      d({ type: 'formOpen', form: openForm('commit', [ref], [name]) });
      return true;
    case 'container.export':
      d({ type: 'formOpen', form: openForm('export', [ref], [name]) });
      return true;
    case 'container.logs':
      d({ type: 'maximize', on: true });
      return true;
  }
  return false;
}

function imageCommand(svc: Services, id: string): boolean {
  const s = svc.store.get();
  const d = svc.store.dispatch;
  if (id === 'image.load') {
    d({ type: 'formOpen', form: openForm('load') });
    return true;
  }
  if (id === 'image.pull' || id === 'image.search') {
    d({ type: 'formOpen', form: openForm(id === 'image.pull' ? 'pull' : 'search') });
    return true;
  }
  if (id === 'image.build') {
    d({ type: 'formOpen', form: openForm('build') });
    return true;
  }
  if (id === 'image.prune') {
    confirm(svc, {
      title: 'Prune images',
      body: 'Remove all dangling images (untagged, unused)?',
      command: id,
      refs: [],
      names: [],
      options: [],
    });
    return true;
  }
  const row = selectedRow(s, 'images');
  if (!row) {
    say(svc, 'no image selected', 'error');
    return true;
  }
  const targets = imageTargets(s);
  switch (id) {
    case 'image.mark':
      d({ type: 'mark' });
      return true;
    case 'image.run':
      d({ type: 'formOpen', form: openForm('run', [row.ref], [row.ref]) });
      return true;
    case 'image.tag':
      d({ type: 'formOpen', form: openForm('tag', [row.ref], [row.ref]) });
      return true;
    case 'image.save':
      d({ type: 'formOpen', form: openForm('save', targets.refs, targets.names) });
      return true;
    case 'image.push': {
      // a name to push to: the row's repository:tag (an untagged image has none)
      const why = row.repo === '<none>' ? 'an image without a name cannot be pushed: tag it first' : null;
      if (why) say(svc, why, 'error');
      else d({ type: 'formOpen', form: openForm('push', [row.ref], [row.ref]) });
      return true;
    }
    case 'image.remove':
      confirm(svc, {
        title: 'Remove images',
        body: `Remove ${targets.names.join(', ')}?`,
        command: id,
        refs: targets.refs,
        names: targets.names,
        options: [
          { name: 'force', label: 'Force (also when several names or a stopped container use it)', value: false },
        ],
      });
      return true;
  }
  return false;
}

function volumeCommand(svc: Services, id: string): boolean {
  const d = svc.store.dispatch;
  if (id === 'volume.create') {
    d({ type: 'formOpen', form: openForm('volume') });
    return true;
  }
  if (id === 'volume.prune') {
    confirm(svc, {
      title: 'Prune volumes',
      body: 'Remove all anonymous volumes no container uses?',
      command: id,
      refs: [],
      names: [],
      options: [],
    });
    return true;
  }
  const row = selectedRow(svc.store.get(), 'volumes');
  if (id === 'volume.remove') {
    if (!row) say(svc, 'no volume selected', 'error');
    else
      confirm(svc, {
        title: 'Remove volume',
        body: `Remove volume ${row.ref} and its data${row.users.length ? ` (used by ${row.users.join(', ')})` : ''}?`,
        command: id,
        refs: [row.ref],
        names: [row.ref],
        options: [{ name: 'force', label: 'Force', value: false }],
      });
    return true;
  }
  return false;
}

function networkCommand(svc: Services, id: string): boolean {
  const d = svc.store.dispatch;
  if (id === 'network.create') {
    d({ type: 'formOpen', form: openForm('network') });
    return true;
  }
  if (id === 'network.prune') {
    confirm(svc, {
      title: 'Prune networks',
      body: 'Remove all user-defined networks no running container is on?',
      command: id,
      refs: [],
      names: [],
      options: [],
    });
    return true;
  }
  const row = selectedRow(svc.store.get(), 'networks');
  if (!row) {
    say(svc, 'no network selected', 'error');
    return true;
  }
  const name = row.n.Name;
  switch (id) {
    case 'network.connect':
      d({ type: 'formOpen', form: openForm('connect', [row.ref], [name]) });
      return true;
    case 'network.disconnect':
      d({ type: 'formOpen', form: openForm('disconnect', [row.ref], [name]) });
      return true;
    case 'network.remove': {
      const running = Object.values(row.n.Containers).map((c) => c.Name);
      confirm(svc, {
        title: 'Remove network',
        body: `Remove network ${name}${running.length ? ` (running on it: ${running.join(', ')})` : ''}?`,
        command: id,
        refs: [row.ref],
        names: [name],
        options: [],
      });
      return true;
    }
  }
  return false;
}

/** Run a command that is not about a pane's own keys (navigation in panes is handled there). False when unknown. */
export function runCommand(svc: Services, id: string): boolean {
  const d = svc.store.dispatch;
  const off = disabledReason(svc.backend.capabilities(), id);
  if (off) {
    say(svc, `${svc.keymap.binding(id)?.description ?? id}: ${off}`, 'error');
    return true;
  }
  switch (id) {
    case 'app.quit':
    case 'app.interrupt':
      svc.terminal.quit();
      return true;
    case 'app.help':
      d({ type: 'help' });
      return true;
    case 'app.hosts':
      if (!svc.hosts) return (say(svc, 'Hosts: this app was started on one engine only', 'error'), true);
      svc.hosts.connectAll();
      d({ type: 'hosts', index: svc.hosts.currentIndex });
      return true;
    case 'app.back':
      d({ type: 'back' });
      return true;
    case 'app.redraw':
      svc.terminal.redraw();
      return true;
    case 'focus.containers':
    case 'focus.images':
    case 'focus.volumes':
    case 'focus.networks':
      d({ type: 'focus', target: id.slice(6) as 'containers' | 'images' | 'volumes' | 'networks' });
      return true;
    case 'focus.next':
    case 'focus.prev':
      d({ type: 'focusCycle', delta: id === 'focus.next' ? 1 : -1 });
      return true;
    case 'tab.prev':
    case 'tab.next':
      d({ type: 'tab', delta: id === 'tab.next' ? 1 : -1 });
      return true;
    case 'list.menu':
      d({ type: 'menuOpen' });
      return true;
  }
  if (id.startsWith('container.')) return containerCommand(svc, id);
  if (id.startsWith('image.')) return imageCommand(svc, id);
  if (id.startsWith('volume.')) return volumeCommand(svc, id);
  if (id.startsWith('network.')) return networkCommand(svc, id);
  return false;
}

/** The confirmation was answered yes. */
export function confirmed(svc: Services, c: ConfirmState): void {
  svc.store.dispatch({ type: 'closeOverlay' });
  if (projectConfirmed(svc, c)) return;
  const opt = (n: string) => c.options.find((o) => o.name === n)?.value ?? false;
  const b = svc.backend;
  switch (c.command) {
    case 'container.kill':
      void task(svc, `killing ${c.names[0]}`, () => after(b.killContainer(c.refs[0]!), `killed ${c.names[0]}`));
      return;
    case 'container.remove':
      void task(svc, `removing ${c.names[0]}`, async () => {
        await b.removeContainer(c.refs[0]!, { force: opt('force'), volumes: opt('volumes') });
        return `removed ${c.names[0]}`;
      });
      return;
    case 'image.remove':
      void task(svc, `removing ${c.names.join(', ')}`, async () => {
        const items = [];
        for (const ref of c.refs) items.push(...(await b.removeImage(ref, { force: opt('force') })));
        svc.store.dispatch({ type: 'clearMarks' });
        const untagged = items.filter((i) => i.Untagged).length;
        const deleted = items.filter((i) => i.Deleted).length;
        return `untagged ${untagged}, deleted ${plural(deleted, 'layer/image')}`;
      });
      return;
    case 'image.prune':
      void task(svc, 'pruning images', async () => {
        const r = await b.pruneImages();
        return `deleted ${plural(r.deleted.filter((i) => i.Deleted).length, 'image/layer')}, reclaimed ${humanSize(r.spaceReclaimed)}`;
      });
      return;
    case 'volume.remove':
      void task(svc, `removing volume ${c.names[0]}`, () =>
        after(b.removeVolume(c.refs[0]!, opt('force')), `removed volume ${c.names[0]}`),
      );
      return;
    case 'volume.prune':
      void task(svc, 'pruning volumes', async () => {
        const r = await b.pruneVolumes();
        return `deleted ${plural(r.deleted.length, 'volume')}, reclaimed ${humanSize(r.spaceReclaimed)}`;
      });
      return;
    case 'network.remove':
      void task(svc, `removing network ${c.names[0]}`, () =>
        after(b.removeNetwork(c.refs[0]!), `removed network ${c.names[0]}`),
      );
      return;
    case 'network.prune':
      void task(svc, 'pruning networks', async () => {
        const r = await b.pruneNetworks();
        return r.deleted.length ? `deleted ${r.deleted.join(', ')}` : 'no unused network';
      });
      return;
  }
}
