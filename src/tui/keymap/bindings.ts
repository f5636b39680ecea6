/**
 * The one keymap table: every command the app understands, its default keys,
 * the scope where it applies and a description. The same table drives input
 * handling (keys.ts resolves a key in the active scopes), the `?` help
 * overlay, the Enter action menus (bindings marked `action`), the footer
 * hints (bindings not marked `quiet`) and the README's key list
 * (test/unit/tui-readme-keys.test.ts checks the README against it); user
 * overrides are merged over it (config.ts).
 *
 * Key names: single characters ("s", "S", "/", "?"), or named keys: up,
 * down, left, right, pageup, pagedown, home, end, enter, escape, tab,
 * shift-tab, space, backspace, ctrl-<letter>.
 *
 * Scopes, from the most specific: an open prompt or dialog ("input",
 * "dialog", "menu", "confirm"), the focused pane ("containers", "images",
 * "volumes", "networks" with "list" under them; "logs" with "main" under it, or "main"
 * alone), then "global". A key resolves in the first scope that binds it.
 */
export type Scope =
  | 'global'
  | 'list'
  | 'containers'
  | 'images'
  | 'volumes'
  | 'networks'
  | 'main'
  | 'logs'
  | 'input'
  | 'dialog'
  | 'menu'
  | 'confirm';

export interface Binding {
  id: string;
  keys: string[];
  scope: Scope;
  description: string;
  /** Shown in the Enter action menu of this scope. */
  action?: boolean;
  /** Hidden from the footer hints (still in help). */
  quiet?: boolean;
  /** Works in every scope, prompts and dialogs included (ctrl-c). */
  anywhere?: boolean;
}

export const SCOPE_TITLES: Record<Scope, string> = {
  global: 'Everywhere',
  list: 'Lists',
  containers: 'Containers',
  images: 'Images',
  volumes: 'Volumes',
  networks: 'Networks',
  main: 'Main panel',
  logs: 'Logs tab',
  input: 'Filter and search prompts',
  dialog: 'Dialogs',
  menu: 'Action menu',
  confirm: 'Confirmations',
};

export const DEFAULT_BINDINGS: readonly Binding[] = [
  // global
  { id: 'app.quit', keys: ['q'], scope: 'global', description: 'Quit' },
  {
    id: 'app.interrupt',
    keys: ['ctrl-c'],
    scope: 'global',
    description: 'Quit (also inside dialogs)',
    quiet: true,
    anywhere: true,
  },
  { id: 'app.help', keys: ['?'], scope: 'global', description: 'Show or hide this help' },
  {
    id: 'app.hosts',
    keys: ['H'],
    scope: 'global',
    description: 'Hosts: the overview of every host; Enter switches to the chosen one',
  },
  {
    id: 'app.back',
    keys: ['escape'],
    scope: 'global',
    description: 'Back: close the overlay, leave full screen, return to the list',
    quiet: true,
  },
  { id: 'app.redraw', keys: ['ctrl-l'], scope: 'global', description: 'Redraw the screen', quiet: true },
  { id: 'focus.containers', keys: ['1'], scope: 'global', description: 'Focus Containers', quiet: true },
  { id: 'focus.images', keys: ['2'], scope: 'global', description: 'Focus Images', quiet: true },
  { id: 'focus.volumes', keys: ['3'], scope: 'global', description: 'Focus Volumes', quiet: true },
  { id: 'focus.networks', keys: ['4'], scope: 'global', description: 'Focus Networks', quiet: true },
  {
    id: 'focus.next',
    keys: ['tab', 'right'],
    scope: 'global',
    description: 'Next panel (the lists, then the main panel)',
    quiet: true,
  },
  { id: 'focus.prev', keys: ['shift-tab', 'left'], scope: 'global', description: 'Previous panel', quiet: true },
  { id: 'tab.prev', keys: ['['], scope: 'global', description: 'Previous tab' },
  { id: 'tab.next', keys: [']'], scope: 'global', description: 'Next tab' },
  { id: 'main.pageUp', keys: ['pageup'], scope: 'global', description: 'Scroll the main panel up a page', quiet: true },
  {
    id: 'main.pageDown',
    keys: ['pagedown'],
    scope: 'global',
    description: 'Scroll the main panel down a page',
    quiet: true,
  },
  // lists
  { id: 'list.down', keys: ['j', 'down'], scope: 'list', description: 'Move down', quiet: true },
  { id: 'list.up', keys: ['k', 'up'], scope: 'list', description: 'Move up', quiet: true },
  { id: 'list.first', keys: ['g', 'home'], scope: 'list', description: 'First item', quiet: true },
  { id: 'list.last', keys: ['G', 'end'], scope: 'list', description: 'Last item', quiet: true },
  { id: 'list.filter', keys: ['/'], scope: 'list', description: 'Filter the list (Esc clears)' },
  { id: 'list.clearFilter', keys: ['escape'], scope: 'list', description: 'Clear the filter', quiet: true },
  { id: 'list.menu', keys: ['enter'], scope: 'list', description: 'Actions for the selection' },
  // containers
  { id: 'container.stop', keys: ['s'], scope: 'containers', description: 'Stop', action: true },
  { id: 'container.start', keys: ['S'], scope: 'containers', description: 'Start', action: true },
  { id: 'container.restart', keys: ['r'], scope: 'containers', description: 'Restart', action: true },
  { id: 'container.pause', keys: ['p'], scope: 'containers', description: 'Pause / unpause', action: true },
  { id: 'container.kill', keys: ['K'], scope: 'containers', description: 'Kill', action: true },
  {
    id: 'container.remove',
    keys: ['d'],
    scope: 'containers',
    description: 'Remove (asks; force, volumes)',
    action: true,
  },
  { id: 'container.exec', keys: ['E'], scope: 'containers', description: 'Exec a shell', action: true },
  {
    id: 'container.attach',
    keys: ['a'],
    scope: 'containers',
    description: 'Attach (detach with ctrl-p ctrl-q)',
    action: true,
  },
  { id: 'container.commit', keys: ['c'], scope: 'containers', description: 'Commit to an image', action: true },
  {
    id: 'container.export',
    keys: ['e'],
    scope: 'containers',
    description: 'Export the file system to a tar',
    action: true,
  },
  { id: 'container.logs', keys: ['m'], scope: 'containers', description: 'Logs full screen', action: true },
  { id: 'container.toggleAll', keys: ['A'], scope: 'containers', description: 'Show / hide stopped containers' },
  {
    id: 'container.group',
    keys: ['v'],
    scope: 'containers',
    description:
      'Group by compose project / flat list (on a project row: s, S, r act on all its containers; Logs merges theirs)',
  },
  // images
  { id: 'image.run', keys: ['R'], scope: 'images', description: 'Run a container', action: true },
  { id: 'image.tag', keys: ['t'], scope: 'images', description: 'Tag', action: true },
  { id: 'image.remove', keys: ['d'], scope: 'images', description: 'Remove (asks; force)', action: true },
  { id: 'image.save', keys: ['S'], scope: 'images', description: 'Save to a file', action: true },
  { id: 'image.load', keys: ['L'], scope: 'images', description: 'Load from a file', action: true },
  {
    id: 'image.pull',
    keys: ['p'],
    scope: 'images',
    description: 'Pull from a registry (Esc cancels)',
    action: true,
  },
  { id: 'image.push', keys: ['u'], scope: 'images', description: 'Push to its registry (Esc cancels)', action: true },
  {
    id: 'image.search',
    keys: ['f'],
    scope: 'images',
    description: 'Search a registry (Enter on a result pulls it)',
    action: true,
  },
  {
    id: 'image.build',
    keys: ['b'],
    scope: 'images',
    description: 'Build from a Dockerfile (steps shown live; Esc cancels)',
    action: true,
  },
  { id: 'image.prune', keys: ['P'], scope: 'images', description: 'Prune dangling images', action: true },
  { id: 'image.mark', keys: ['space'], scope: 'images', description: 'Mark for save / remove' },
  // volumes
  { id: 'volume.create', keys: ['n'], scope: 'volumes', description: 'New volume', action: true },
  { id: 'volume.remove', keys: ['d'], scope: 'volumes', description: 'Remove (asks; force)', action: true },
  { id: 'volume.prune', keys: ['P'], scope: 'volumes', description: 'Prune unused volumes', action: true },
  // networks
  { id: 'network.create', keys: ['n'], scope: 'networks', description: 'New network', action: true },
  {
    id: 'network.connect',
    keys: ['c'],
    scope: 'networks',
    description: 'Connect a container (alias, address)',
    action: true,
  },
  { id: 'network.disconnect', keys: ['D'], scope: 'networks', description: 'Disconnect a container', action: true },
  { id: 'network.remove', keys: ['d'], scope: 'networks', description: 'Remove (asks)', action: true },
  { id: 'network.prune', keys: ['P'], scope: 'networks', description: 'Prune unused networks', action: true },
  // main panel (focused with Tab / right)
  { id: 'main.down', keys: ['j', 'down'], scope: 'main', description: 'Scroll down a line', quiet: true },
  { id: 'main.up', keys: ['k', 'up'], scope: 'main', description: 'Scroll up a line', quiet: true },
  { id: 'main.top', keys: ['g', 'home'], scope: 'main', description: 'Scroll to the top', quiet: true },
  { id: 'main.bottom', keys: ['G', 'end'], scope: 'main', description: 'Scroll to the bottom', quiet: true },
  // logs tab
  { id: 'logs.follow', keys: ['f'], scope: 'logs', description: 'Follow on / off' },
  { id: 'logs.timestamps', keys: ['t'], scope: 'logs', description: 'Timestamps on / off' },
  { id: 'logs.search', keys: ['/'], scope: 'logs', description: 'Search' },
  { id: 'logs.next', keys: ['n'], scope: 'logs', description: 'Next match (older)' },
  { id: 'logs.prev', keys: ['N'], scope: 'logs', description: 'Previous match (newer)' },
  { id: 'logs.end', keys: ['G', 'end'], scope: 'logs', description: 'Jump to the end and follow' },
  // prompts (filter, search)
  { id: 'input.accept', keys: ['enter'], scope: 'input', description: 'Keep the text' },
  { id: 'input.cancel', keys: ['escape'], scope: 'input', description: 'Clear and close' },
  // dialogs
  { id: 'dialog.submit', keys: ['enter'], scope: 'dialog', description: 'Confirm (in a multi-line field: new line)' },
  { id: 'dialog.submitAlways', keys: ['ctrl-s'], scope: 'dialog', description: 'Confirm from any field' },
  { id: 'dialog.cancel', keys: ['escape'], scope: 'dialog', description: 'Cancel (stops work in progress)' },
  {
    id: 'dialog.nextField',
    keys: ['tab', 'down'],
    scope: 'dialog',
    description: 'Next field (Tab completes a path first)',
    quiet: true,
  },
  { id: 'dialog.prevField', keys: ['shift-tab', 'up'], scope: 'dialog', description: 'Previous field', quiet: true },
  { id: 'dialog.toggle', keys: ['space'], scope: 'dialog', description: 'Switch an on/off field', quiet: true },
  // action menu
  { id: 'menu.down', keys: ['j', 'down'], scope: 'menu', description: 'Move down', quiet: true },
  { id: 'menu.up', keys: ['k', 'up'], scope: 'menu', description: 'Move up', quiet: true },
  { id: 'menu.run', keys: ['enter'], scope: 'menu', description: 'Run the action' },
  { id: 'menu.close', keys: ['escape'], scope: 'menu', description: 'Close' },
  // confirmations
  { id: 'confirm.yes', keys: ['y', 'enter'], scope: 'confirm', description: 'Yes' },
  { id: 'confirm.no', keys: ['n', 'escape'], scope: 'confirm', description: 'No' },
  { id: 'confirm.toggle', keys: ['space'], scope: 'confirm', description: 'Switch the selected option', quiet: true },
  { id: 'confirm.nextOption', keys: ['tab', 'down', 'j'], scope: 'confirm', description: 'Next option', quiet: true },
  {
    id: 'confirm.prevOption',
    keys: ['shift-tab', 'up', 'k'],
    scope: 'confirm',
    description: 'Previous option',
    quiet: true,
  },
];

export type CommandId = (typeof DEFAULT_BINDINGS)[number]['id'];
