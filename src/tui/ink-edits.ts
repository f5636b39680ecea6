/**
 * Edits to Ink's renderer (and string-width, and yoga's loader) made when the app is bundled
 * (bundle.ts), each found exactly once or the build fails (a new version
 * must be looked at again).
 *
 * Ink builds the caches behind a frame (text widths, ANSI tokens per line)
 * anew for every frame, measures each text's widest line again uncached, and
 * keeps every text it ever measured in a map that is never emptied. A live
 * list then spends most of a frame re-measuring lines that did not change,
 * and a followed log grows that map by every line it shows. Here the caches
 * outlive the frame, widest-line goes through them, and every cache is
 * emptied past a bound.
 *
 * Ink then turns every frame into text cell by cell: 40 rows of 120 cell
 * objects, each row serialised again with its ANSI codes, and every clipped
 * line sliced again, even when one cell of the screen changed. Here a row is
 * serialised only when what is written on it changed: the writes that land
 * on a row (their columns and the cached styled characters of their lines)
 * are its signature, and a row whose signature equals the last frame's
 * reuses the last frame's text. Clipped slices are cached like the rest, and
 * a row's text is built without diffing two equal styles (Ink's serialiser
 * builds three Sets per character to find that nothing changed).
 */
import type { Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
const CACHE_BOUND = 20_000;

/** Ink's Output.get, with the rows' text kept across frames (the same cells and order as Ink's). */
const ROW_CACHED_GET = `
const rowMemo = new Map();
const sameStyles = (a, b) => {
    if (a === b)
        return true;
    if (a.length !== b.length)
        return false;
    for (let i = 0; i < a.length; i++)
        if (a[i].code !== b[i].code || a[i].endCode !== b[i].endCode)
            return false;
    return true;
};
// styledCharsToString without diffing equal styles (it builds three Sets per character otherwise)
const rowText = (chars) => {
    let text = '';
    for (let i = 0; i < chars.length; i++) {
        const char = chars[i];
        if (i === 0) {
            if (char.styles.length)
                text += ansiCodesToString(char.styles);
        }
        else if (!sameStyles(chars[i - 1].styles, char.styles))
            text += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));
        text += char.value;
        if (i === chars.length - 1 && char.styles.length)
            text += ansiCodesToString(diffAnsiCodes(char.styles, []));
    }
    return text;
};
const BLANK_CELL = { type: 'char', value: ' ', fullWidth: false, styles: [] };
const sameWrites = (a, b) => {
    if (a.length !== b.length)
        return false;
    for (let i = 0; i < a.length; i++)
        if (a[i] !== b[i])
            return false;
    return true;
};
function rowCachedGet(out) {
    const { width, height, caches } = out;
    const writes = [];
    for (let y = 0; y < height; y++)
        writes.push([]);
    const clips = [];
    for (const operation of out.operations) {
        if (operation.type === 'clip')
            clips.push(operation.clip);
        if (operation.type === 'unclip')
            clips.pop();
        if (operation.type !== 'write')
            continue;
        const { text, transformers } = operation;
        let { x, y } = operation;
        let lines = text.split('\\n');
        const clip = clips.at(-1);
        if (clip) {
            const clipHorizontally = typeof clip?.x1 === 'number' && typeof clip?.x2 === 'number';
            const clipVertically = typeof clip?.y1 === 'number' && typeof clip?.y2 === 'number';
            if (clipHorizontally) {
                const w = caches.getWidestLine(text);
                if (x + w < clip.x1 || x > clip.x2)
                    continue;
            }
            if (clipVertically && (y + lines.length < clip.y1 || y > clip.y2))
                continue;
            if (clipHorizontally) {
                lines = lines.map(line => {
                    const from = x < clip.x1 ? clip.x1 - x : 0;
                    const w = caches.getStringWidth(line);
                    const to = x + w > clip.x2 ? clip.x2 - x : w;
                    return caches.getSlice(line, from, to);
                });
                if (x < clip.x1)
                    x = clip.x1;
            }
            if (clipVertically) {
                const from = y < clip.y1 ? clip.y1 - y : 0;
                const to = y + lines.length > clip.y2 ? clip.y2 - y : lines.length;
                lines = lines.slice(from, to);
                if (y < clip.y1)
                    y = clip.y1;
            }
        }
        let offsetY = 0;
        for (let [index, line] of lines.entries()) {
            const row = writes[y + offsetY];
            // as in Ink: a line past the rows (or above them) is dropped with the ones after it
            if (!row)
                continue;
            for (const transformer of transformers)
                line = transformer(line, index);
            row.push(x, caches.getStyledChars(line));
            offsetY++;
        }
    }
    const key = width + 'x' + height;
    let memo = rowMemo.get(key);
    if (!memo) {
        if (rowMemo.size >= 8)
            rowMemo.clear();
        memo = [];
        rowMemo.set(key, memo);
    }
    const rows = [];
    for (let y = 0; y < height; y++) {
        const w = writes[y];
        const last = memo[y];
        if (last && sameWrites(last.writes, w)) {
            rows.push(last.text);
            continue;
        }
        const cells = new Array(width).fill(BLANK_CELL);
        for (let i = 0; i < w.length; i += 2) {
            let offsetX = w[i];
            for (const character of w[i + 1]) {
                cells[offsetX] = character;
                const characterWidth = Math.max(1, caches.getStringWidth(character.value));
                for (let k = 1; k < characterWidth; k++)
                    cells[offsetX + k] = { type: 'char', value: '', fullWidth: false, styles: character.styles };
                offsetX += characterWidth;
            }
        }
        const text = rowText(cells.filter(item => item !== undefined)).trimEnd();
        memo[y] = { writes: w, text };
        rows.push(text);
    }
    return { output: rows.join('\\n'), height };
}
`;

/**
 * string-width counts printable ASCII by its length and sends anything else
 * through Intl.Segmenter and Unicode property regexes: a list row with a
 * state glyph or a box-drawing line took that slow path on every new text.
 * Here text made only of characters one column wide (with ambiguous ones
 * narrow, string-width's default) is counted by its length too: Latin-1
 * without the soft hyphen, the dashes to the ellipsis, box drawing, block
 * elements, the geometric shapes that are not emoji, braille. A unit test
 * checks every one of them against string-width itself.
 */
export const NARROW_TEXT =
  '^[\\u0020-\\u007E\\u00A0-\\u00AC\\u00AE-\\u00FF\\u2010-\\u2027\\u2500-\\u25FC\\u2800-\\u28FF]*$';

/**
 * Ink's layout engine, yoga, is WebAssembly kept in its module as a data: URL.
 * Emscripten's loader fetches that URL with fetch() wherever fetch exists:
 * in Node that loads the whole of Node's undici (fetch's implementation)
 * first, some 40 ms of the app's start. Here a data: URL is decoded as the
 * loader does where there is no fetch.
 */
export const YOGA_EDITS: [string, string][] = [
  ['function ya(){return w||"function"!=typeof fetch?', 'function ya(){return w||ua(H)||"function"!=typeof fetch?'],
];

/** Edits by module path under node_modules. */
export const BUNDLE_EDITS: Record<string, [string, string][]> = {
  'ink/build/output.js': [
    [
      'class OutputCaches {',
      `let sharedCaches;\nconst frameCaches = () => {\n    if (!sharedCaches || sharedCaches.widths.size + sharedCaches.styledChars.size + sharedCaches.blockWidths.size + sharedCaches.slices.size > ${CACHE_BOUND})\n        sharedCaches = new OutputCaches();\n    return sharedCaches;\n};\nexport const cachedWidestLine = (text) => frameCaches().getWidestLine(text);\n${ROW_CACHED_GET}\nclass OutputCaches {\n    slices = new Map();\n    getSlice(line, from, to) {\n        const key = from + ',' + to + ',' + line;\n        let cached = this.slices.get(key);\n        if (cached === undefined) {\n            cached = sliceAnsi(line, from, to);\n            this.slices.set(key, cached);\n        }\n        return cached;\n    }`,
    ],
    ['caches = new OutputCaches();', 'caches = frameCaches();'],
    [
      "import { styledCharsFromTokens, styledCharsToString, tokenize, } from '@alcalzone/ansi-tokenize';",
      "import { ansiCodesToString, diffAnsiCodes, styledCharsFromTokens, styledCharsToString, tokenize, } from '@alcalzone/ansi-tokenize';",
    ],
    [
      '    get() {\n        // Initialize output array',
      '    get() {\n        return rowCachedGet(this);\n    }\n    uncachedGet() {\n        // Initialize output array',
    ],
  ],
  'ink/build/render-node-to-output.js': [
    ["import widestLine from 'widest-line';", "import { cachedWidestLine as widestLine } from './output.js';"],
  ],
  'ink/build/measure-text.js': [
    [
      '    cache.set(text, dimensions);',
      `    if (cache.size > ${CACHE_BOUND})\n        cache.clear();\n    cache.set(text, dimensions);`,
    ],
  ],
  'yoga-layout/dist/binaries/yoga-wasm-base64-esm.js': YOGA_EDITS,
  'string-width/index.js': [
    [
      '\tif (/^[\\u0020-\\u007E]*$/.test(string)) {',
      `\tif (/^[\\u0020-\\u007E]*$/.test(string) || (ambiguousIsNarrow && /${NARROW_TEXT}/.test(string))) {`,
    ],
    // building \p{RGI_Emoji} takes about 20 ms: only when a text is not narrow (never, for most commands)
    [
      'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;',
      "let rgiEmoji;\nconst rgiEmojiRegex = { test: (s) => (rgiEmoji ??= new RegExp('^\\\\p{RGI_Emoji}$', 'v')).test(s) };",
    ],
  ],
};

/** The edits the command line's bundle makes: string-width's, for table cells. */
export const CLI_BUNDLE_EDITS: Record<string, [string, string][]> = {
  'string-width/index.js': BUNDLE_EDITS['string-width/index.js']!,
};

/** A module's text with its edits made; each must be found exactly once (a new version must be looked at again). */
export function applyEdits(
  module: string,
  text: string,
  edits: Record<string, [string, string][]> = BUNDLE_EDITS,
): string {
  for (const [from, to] of edits[module] ?? []) {
    if (text.split(from).length !== 2)
      throw new Error(
        `${module} changed: "${from.slice(0, 60)}" is not there once; look at the edits in tui/ink-edits.ts again`,
      );
    text = text.replace(from, () => to); // a function: "$" in an edit is text, not a replacement pattern
  }
  return text;
}

/** An esbuild plugin that makes the edits to those modules (by their path under node_modules) as they are read. */
export function editModules(edits: Record<string, [string, string][]>): Plugin {
  return {
    name: 'edit-modules',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/].*\.js$/ }, async (args) => {
        const module = args.path
          .split(/[\\/]node_modules[\\/]/)
          .slice(1)
          .join('/node_modules/')
          .replace(/\\/g, '/');
        if (!edits[module]) return undefined;
        return { contents: applyEdits(module, await readFile(args.path, 'utf8'), edits), loader: 'js' };
      });
    },
  };
}
