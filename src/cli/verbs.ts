/** Every CLI verb, in the order `berth --help` lists them. */
import type { Verb } from './verb.js';
import { verb as run } from './commands/run.js';
import { verb as create } from './commands/create.js';
import { verb as start } from './commands/start.js';
import { verb as stop } from './commands/stop.js';
import { verb as restart } from './commands/restart.js';
import { verb as kill } from './commands/kill.js';
import { verb as pause } from './commands/pause.js';
import { verb as unpause } from './commands/unpause.js';
import { verb as rm } from './commands/rm.js';
import { verb as rename } from './commands/rename.js';
import { verb as wait } from './commands/wait.js';
import { verb as attach } from './commands/attach.js';
import { verb as update } from './commands/update.js';
import { verb as ps } from './commands/ps.js';
import { verb as logs } from './commands/logs.js';
import { verb as exec } from './commands/exec.js';
import { verb as top } from './commands/top.js';
import { verb as diff } from './commands/diff.js';
import { verb as exportVerb } from './commands/export.js';
import { verb as cp } from './commands/cp.js';
import { verb as port } from './commands/port.js';
import { verb as commit } from './commands/commit.js';
import { verb as containerPrune } from './commands/container-prune.js';
import { verb as containerCleanup } from './commands/container-cleanup.js';
import { verb as images } from './commands/images.js';
import { containerVerb as containerInspect, imageVerb as imageInspect, verb as inspect } from './commands/inspect.js';
import { verb as history } from './commands/history.js';
import { verb as tag } from './commands/tag.js';
import { verb as rmi } from './commands/rmi.js';
import { verb as imagePrune } from './commands/image-prune.js';
import { verb as load } from './commands/load.js';
import { verb as save } from './commands/save.js';
import { verb as importVerb } from './commands/import.js';
import { verb as systemDf } from './commands/system-df.js';
import { verb as systemPrune } from './commands/system-prune.js';
import { verb as systemCheck } from './commands/system-check.js';
import { verb as version } from './commands/version.js';
import { verb as events } from './commands/events.js';
import { verb as volumeCreate } from './commands/volume-create.js';
import { verb as volumeLs } from './commands/volume-ls.js';
import { verb as volumeInspect } from './commands/volume-inspect.js';
import { verb as volumeRm } from './commands/volume-rm.js';
import { verb as volumePrune } from './commands/volume-prune.js';

export const verbs: Verb[] = [
  run,
  create,
  start,
  stop,
  restart,
  kill,
  pause,
  unpause,
  rm,
  rename,
  wait,
  attach,
  update,
  ps,
  logs,
  exec,
  top,
  diff,
  exportVerb,
  cp,
  port,
  commit,
  containerPrune,
  containerCleanup,
  images,
  inspect,
  imageInspect,
  containerInspect,
  history,
  tag,
  rmi,
  imagePrune,
  load,
  save,
  importVerb,
  volumeCreate,
  volumeLs,
  volumeInspect,
  volumeRm,
  volumePrune,
  systemDf,
  systemPrune,
  systemCheck,
  events,
  version,
];

/** Summaries of the command groups. */
export const groups: Record<string, string> = {
  container: 'Manage containers',
  image: 'Manage images',
  volume: 'Manage volumes',
  system: 'Manage berth',
};
