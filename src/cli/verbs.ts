/** Every CLI verb, in the order `berth --help` lists them. */
import type { Verb } from './verb.js';
import { verb as images } from './commands/images.js';
import { verb as inspect } from './commands/inspect.js';
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

export const verbs: Verb[] = [
  images,
  inspect,
  history,
  tag,
  rmi,
  imagePrune,
  load,
  save,
  importVerb,
  systemDf,
  systemPrune,
  systemCheck,
  version,
];

/** Summaries of the command groups. */
export const groups: Record<string, string> = {
  image: 'Manage images',
  system: 'Manage berth',
};
