/**
 * Container names: docker's rule ([a-zA-Z0-9][a-zA-Z0-9_.-]+) and random
 * "adjective_surname" names in the spirit of docker's generator (our own
 * word lists).
 */
import { randomInt } from 'node:crypto';
import { invalidArg } from '../errors.js';
import { SHARED } from '../shared-constants.js';

export const ADJECTIVES = [
  'admiring',
  'agile',
  'amazing',
  'bold',
  'brave',
  'busy',
  'calm',
  'charming',
  'clever',
  'cool',
  'crisp',
  'dazzling',
  'determined',
  'eager',
  'elastic',
  'elegant',
  'epic',
  'fervent',
  'focused',
  'friendly',
  'gallant',
  'gentle',
  'happy',
  'hardcore',
  'hopeful',
  'jolly',
  'keen',
  'kind',
  'laughing',
  'lucid',
  'magical',
  'modest',
  'nimble',
  'nostalgic',
  'patient',
  'peaceful',
  'practical',
  'quirky',
  'relaxed',
  'serene',
  'sharp',
  'silly',
  'steady',
  'stoic',
  'sweet',
  'tender',
  'trusting',
  'upbeat',
  'vibrant',
  'wizardly',
  'youthful',
  'zealous',
];

export const SURNAMES = [
  'agnesi',
  'allen',
  'babbage',
  'bardeen',
  'bartik',
  'bell',
  'boole',
  'borg',
  'brattain',
  'cerf',
  'clarke',
  'curie',
  'darwin',
  'dijkstra',
  'easley',
  'einstein',
  'euler',
  'faraday',
  'fermat',
  'feynman',
  'franklin',
  'galileo',
  'gauss',
  'goldberg',
  'goodall',
  'hamilton',
  'hawking',
  'hopper',
  'hypatia',
  'jepsen',
  'johnson',
  'kepler',
  'knuth',
  'lamarr',
  'lamport',
  'leavitt',
  'liskov',
  'lovelace',
  'mayer',
  'mccarthy',
  'meitner',
  'mirzakhani',
  'morse',
  'napier',
  'newton',
  'noether',
  'pascal',
  'perlman',
  'ritchie',
  'shannon',
  'shockley',
  'sinoussi',
  'stallman',
  'swartz',
  'tesla',
  'thompson',
  'torvalds',
  'turing',
  'wilson',
  'wozniak',
];

const { firstChars, restChars, minLength } = SHARED.containerName;
/** docker's rule, /?[a-zA-Z0-9][a-zA-Z0-9_.-]+ (the launcher's valid_name reads it from the same place). */
export const NAME_RE = new RegExp(`^/?[${firstChars}][${restChars}]{${minLength - 1},}$`);

export function validateName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw invalidArg(`Invalid container name (${name}), only [${firstChars}][${restChars}] are allowed`);
  }
  return name.replace(/^\//, '');
}

export function randomName(taken: (n: string) => boolean): string {
  for (let i = 0; i < 100; i++) {
    const base = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${SURNAMES[randomInt(SURNAMES.length)]}`;
    const name = i < 10 ? base : `${base}${randomInt(10)}`;
    if (!taken(name)) return name;
  }
  throw new Error('could not find a free random container name');
}
