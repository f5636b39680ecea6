/**
 * The one keymap table: every command the app understands, its default keys,
 * the pane where it applies and a description. The same table drives input
 * handling, the `?` help overlay, the Enter action menus, the footer hints
 * and the README's key list; user overrides are merged over it (config.ts).
 *
 * Key names: single characters ("s", "S", "/", "?"), or named keys: up, down,
 * left, right, pageup, pagedown, home, end, enter, escape, tab, shift-tab,
 * space, backspace, ctrl-c, ctrl-l ...
 */
export type Scope = 'global' | 'list' | 'containers' | 'images' | 'volumes' | 'logs' | 'dialog';

export interface Binding {
  id: string;
  keys: string[];
  scope: Scope;
  description: string;
  /** Shown in the Enter action menu of this scope. */
  action?: boolean;
  /** Hidden from the footer hints (still in help). */
  quiet?: boolean;
}

export const DEFAULT_BINDINGS: Binding[] = [
  // global
  { id: 'app.quit', keys: ['q', 'ctrl-c'], scope: 'global', description: 'Quit' },
  { id: 'app.help', keys: ['?'], scope: 'global', description: 'Show or hide this help' },
  { id: 'focus.containers', keys: ['1'], scope: 'global', description: 'Focus Containers', quiet: true },
  { id: 'focus.images', keys: ['2'], scope: 'global', description: 'Focus Images', quiet: true },
  { id: 'focus.volumes', keys: ['3'], scope: 'global', description: 'Focus Volumes', quiet: true },
  { id: 'focus.next', keys: ['tab', 'right'], scope: 'global', description: 'Next panel', quiet: true },
  { id: 'focus.prev', keys: ['shift-tab', 'left'], scope: 'global', description: 'Previous panel', quiet: true },
  { id: 'tab.prev', keys: ['['], scope: 'global', description: 'Previous tab' },
  { id: 'tab.next', keys: [']'], scope: 'global', description: 'Next tab' },
  { id: 'main.pageUp', keys: ['pageup'], scope: 'global', description: 'Scroll the main panel up', quiet: true },
  { id: 'main.pageDown', keys: ['pagedown'], scope: 'global', description: 'Scroll the main panel down', quiet: true },
  // lists
  { id: 'list.down', keys: ['j', 'down'], scope: 'list', description: 'Move down', quiet: true },
  { id: 'list.up', keys: ['k', 'up'], scope: 'list', description: 'Move up', quiet: true },
  { id: 'list.first', keys: ['g', 'home'], scope: 'list', description: 'First item', quiet: true },
  { id: 'list.last', keys: ['G', 'end'], scope: 'list', description: 'Last item', quiet: true },
  { id: 'list.filter', keys: ['/'], scope: 'list', description: 'Filter the list' },
  { id: 'list.clearFilter', keys: ['escape'], scope: 'list', description: 'Clear the filter / back', quiet: true },
  { id: 'list.menu', keys: ['enter'], scope: 'list', description: 'Actions for the selection' },
  // containers
  { id: 'container.stop', keys: ['s'], scope: 'containers', description: 'Stop', action: true },
  { id: 'container.start', keys: ['S'], scope: 'containers', description: 'Start', action: true },
  { id: 'container.restart', keys: ['r'], scope: 'containers', description: 'Restart', action: true },
  { id: 'container.pause', keys: ['p'], scope: 'containers', description: 'Pause / unpause', action: true },
  { id: 'container.kill', keys: ['K'], scope: 'containers', description: 'Kill', action: true },
  { id: 'container.remove', keys: ['d'], scope: 'containers', description: 'Remove', action: true },
  { id: 'container.exec', keys: ['E'], scope: 'containers', description: 'Exec a shell', action: true },
  { id: 'container.attach', keys: ['a'], scope: 'containers', description: 'Attach', action: true },
  { id: 'container.commit', keys: ['c'], scope: 'containers', description: 'Commit to an image', action: true },
  { id: 'container.export', keys: ['e'], scope: 'containers', description: 'Export the file system', action: true },
  { id: 'container.logs', keys: ['m'], scope: 'containers', description: 'Logs full screen', action: true },
  { id: 'container.toggleAll', keys: ['A'], scope: 'containers', description: 'Show / hide stopped containers' },
  // images
  { id: 'image.run', keys: ['R'], scope: 'images', description: 'Run a container', action: true },
  { id: 'image.tag', keys: ['t'], scope: 'images', description: 'Tag', action: true },
  { id: 'image.remove', keys: ['d'], scope: 'images', description: 'Remove', action: true },
  { id: 'image.save', keys: ['S'], scope: 'images', description: 'Save to a file', action: true },
  { id: 'image.load', keys: ['L'], scope: 'images', description: 'Load from a file', action: true },
  { id: 'image.prune', keys: ['P'], scope: 'images', description: 'Prune dangling images', action: true },
  { id: 'image.mark', keys: ['space'], scope: 'images', description: 'Mark for save / remove' },
  // volumes
  { id: 'volume.create', keys: ['n'], scope: 'volumes', description: 'New volume', action: true },
  { id: 'volume.remove', keys: ['d'], scope: 'volumes', description: 'Remove', action: true },
  { id: 'volume.prune', keys: ['P'], scope: 'volumes', description: 'Prune unused volumes', action: true },
  // logs tab
  { id: 'logs.follow', keys: ['f'], scope: 'logs', description: 'Follow on / off' },
  { id: 'logs.timestamps', keys: ['t'], scope: 'logs', description: 'Timestamps on / off' },
  { id: 'logs.search', keys: ['/'], scope: 'logs', description: 'Search' },
  { id: 'logs.next', keys: ['n'], scope: 'logs', description: 'Next match' },
  { id: 'logs.prev', keys: ['N'], scope: 'logs', description: 'Previous match' },
  { id: 'logs.end', keys: ['G'], scope: 'logs', description: 'Jump to the end' },
  // dialogs
  { id: 'dialog.submit', keys: ['enter'], scope: 'dialog', description: 'Confirm', quiet: true },
  { id: 'dialog.cancel', keys: ['escape'], scope: 'dialog', description: 'Cancel', quiet: true },
  { id: 'dialog.nextField', keys: ['tab', 'down'], scope: 'dialog', description: 'Next field', quiet: true },
  { id: 'dialog.prevField', keys: ['shift-tab', 'up'], scope: 'dialog', description: 'Previous field', quiet: true },
];
