/**
 * Colours and glyphs, chosen once at start from what the terminal can do:
 * chalk's colour level (16 / 256 / truecolor, from TERM, COLORTERM and
 * FORCE_COLOR), NO_COLOR (no colours at all; bold and inverse still mark the
 * selection), and the locale (no UTF-8: plain ASCII lines, marks and charts).
 * Components take colour names from here and never pick their own.
 */
export type ColorLevel = 0 | 1 | 2 | 3;

export interface Palette {
  accent?: string;
  muted?: string;
  running?: string;
  paused?: string;
  stopped?: string;
  error?: string;
  ok?: string;
  stderr?: string;
  match?: string;
  title?: string;
  /** Chart series, in order. */
  series: (string | undefined)[];
}

export interface Glyphs {
  vline: string;
  hline: string;
  mark: string;
  pointer: string;
  ellipsis: string;
  barFull: string;
  barEmpty: string;
  dot: string;
  /** One per character of a password field. */
  mask: string;
}

export interface Theme {
  level: ColorLevel;
  unicode: boolean;
  colors: Palette;
  glyphs: Glyphs;
  /** For the chart module. */
  charset: 'braille' | 'block' | 'ascii';
}

const PALETTES: Record<Exclude<ColorLevel, 0>, Palette> = {
  1: {
    accent: 'cyan',
    muted: 'gray',
    running: 'green',
    paused: 'yellow',
    stopped: 'gray',
    error: 'red',
    ok: 'green',
    stderr: 'red',
    match: 'yellow',
    title: 'cyan',
    series: ['cyan', 'magenta', 'yellow', 'green'],
  },
  2: {
    accent: 'ansi256(39)',
    muted: 'ansi256(244)',
    running: 'ansi256(41)',
    paused: 'ansi256(214)',
    stopped: 'ansi256(244)',
    error: 'ansi256(203)',
    ok: 'ansi256(41)',
    stderr: 'ansi256(210)',
    match: 'ansi256(220)',
    title: 'ansi256(75)',
    series: ['ansi256(75)', 'ansi256(213)', 'ansi256(221)', 'ansi256(114)'],
  },
  3: {
    accent: '#29a3ff',
    muted: '#8a8f98',
    running: '#3fd17a',
    paused: '#ffb02e',
    stopped: '#8a8f98',
    error: '#ff5f5f',
    ok: '#3fd17a',
    stderr: '#ff8f8f',
    match: '#ffd75f',
    title: '#6cb6ff',
    series: ['#6cb6ff', '#f27ee0', '#ffd75f', '#7ee787'],
  },
};

const UNICODE_GLYPHS: Glyphs = {
  vline: '│',
  hline: '─',
  mark: '●',
  pointer: '▸',
  ellipsis: '…',
  barFull: '█',
  barEmpty: '░',
  dot: '·',
  mask: '•',
};
const ASCII_GLYPHS: Glyphs = {
  vline: '|',
  hline: '-',
  mark: '*',
  pointer: '>',
  ellipsis: '~',
  barFull: '#',
  barEmpty: '.',
  dot: '.',
  mask: '*',
};

/** Does the locale promise UTF-8 output? (LC_ALL, then LC_CTYPE, then LANG, as setlocale reads them.) */
export function localeIsUtf8(env: NodeJS.ProcessEnv): boolean {
  const loc = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(loc);
}

export function makeTheme(level: ColorLevel, unicode: boolean, noColor: boolean): Theme {
  const colors: Palette = noColor || level === 0 ? { series: [] } : PALETTES[level];
  return {
    level: noColor ? 0 : level,
    unicode,
    colors,
    glyphs: unicode ? UNICODE_GLYPHS : ASCII_GLYPHS,
    charset: unicode ? 'braille' : 'ascii',
  };
}

/** The theme for this process: chalk's detected level, NO_COLOR and the locale. */
export async function detectTheme(env: NodeJS.ProcessEnv = process.env): Promise<Theme> {
  const { supportsColor } = await import('chalk');
  const level = (supportsColor ? supportsColor.level : 0) as ColorLevel;
  return makeTheme(level, localeIsUtf8(env), !!env.NO_COLOR);
}
