/** The app's state: one plain object, changed only by the reducer. */
import type { ContainerSummary, ImageSummary, NetworkResource, SearchResult, VolumeInfo } from '../../client/api.js';
import type { ProgressRow } from '../../client/format/build-progress.js';
import type { ProgressLines } from '../../client/format/progress-lines.js';
import type { Edit } from './text-edit.js';

export type ListId = 'containers' | 'images' | 'volumes' | 'networks';
export const LISTS: readonly ListId[] = ['containers', 'images', 'volumes', 'networks'];
export type FocusId = ListId | 'main';
export type TabId = 'logs' | 'stats' | 'inspect' | 'top' | 'diff' | 'history' | 'users';

export interface ListState {
  /** Row key of the selection (it follows the row when the list changes). */
  selected: string | null;
  /** Where the selection was, to land near it when its row goes away. */
  index: number;
  filter: Edit;
  filtering: boolean;
}

export interface LogsView {
  follow: boolean;
  timestamps: boolean;
  search: Edit;
  searching: boolean;
  /** Sequence number of the last line shown when not following. */
  anchor: number | null;
  /** Sequence number of the current search match. */
  match: number | null;
}

export interface Message {
  text: string;
  kind: 'info' | 'error';
}

export interface ConfirmOption {
  name: string;
  label: string;
  value: boolean;
}

export interface ConfirmState {
  kind: 'confirm';
  title: string;
  body: string;
  /** The command to run on yes, with its targets. */
  command: string;
  refs: string[];
  names: string[];
  options: ConfirmOption[];
  index: number;
}

export type FormId =
  | 'commit'
  | 'save'
  | 'load'
  | 'tag'
  | 'run'
  | 'export'
  | 'volume'
  | 'pull'
  | 'push'
  | 'search'
  | 'login'
  | 'network'
  | 'connect'
  | 'disconnect'
  | 'build';
export type FieldValue = Edit | boolean;

export interface Busy {
  label: string;
  started: number;
  bytes: number;
  total?: number;
  layers: number;
  current: string;
  /** A pull's or a push's lines, as docker shows them. */
  lines?: ProgressLines;
}

/** A build's display in its dialog: buildx's header and the rows of its steps. */
export interface OutputView {
  header: string;
  rows: ProgressRow[];
}

/** What the credentials dialog goes back to once the registry has them. */
export type RegistryRetry =
  | { op: 'pull'; ref: string; platform: string }
  | { op: 'push'; ref: string; allTags: boolean }
  | { op: 'search'; term: string };

export interface FormState {
  kind: 'form';
  form: FormId;
  values: Record<string, FieldValue>;
  field: number;
  error: string | null;
  /** Candidates of the last Tab completion. */
  hint: string | null;
  busy: Busy | null;
  /** What the work shows as it runs (a build's steps); kept after a failure to show where it failed. */
  output?: OutputView | null;
  /** What the form acts on (container ID, image refs, ...). */
  refs: string[];
  names: string[];
  /** The search dialog's results, and the one chosen (null: the cursor is in the term field). */
  results?: SearchResult[] | null;
  pick?: number | null;
  /** The credentials dialog: the pull, push or search to run again with them. */
  retry?: RegistryRetry;
}

export type Overlay =
  | { kind: 'help'; scroll: number }
  | { kind: 'menu'; list: ListId; index: number }
  | { kind: 'hosts'; index: number }
  | ConfirmState
  | FormState;

export interface Data {
  containers: ContainerSummary[] | null;
  images: ImageSummary[] | null;
  volumes: VolumeInfo[] | null;
  networks: NetworkResource[] | null;
}

export interface AppState {
  focus: FocusId;
  /** The list whose selection the main panel shows. */
  subject: ListId;
  lists: Record<ListId, ListState>;
  data: Data;
  showAll: boolean;
  /** The Containers list groups its rows by compose project. */
  grouped: boolean;
  tab: Record<ListId, TabId>;
  statsAvailable: boolean;
  /** Keys of marked image rows. */
  marks: string[];
  overlay: Overlay | null;
  message: Message | null;
  /** Why the link to a remote engine is down (null while it is up); the header says so. */
  linkDown: string | null;
  /** Output that was not the app's (warnings, stray stderr) went to this log while the app showed. */
  logged: { entries: number; path: string } | null;
  /** The main panel fills the screen (logs full screen). */
  maximized: boolean;
  /** Lines scrolled in the main panel (non-log tabs). */
  scroll: number;
  logs: LogsView;
}
