#!/usr/bin/env node
/**
 * The C header of the constants that native/ and src/ share: made from
 * native/constants.json (and the package's version from package.json) by the
 * build (binding.gyp's berth-constants target), so the two languages cannot
 * drift apart. Every leaf becomes a BERTH_ macro named by its path
 * (events.kept -> BERTH_EVENTS_KEPT); a key ending in Chars, the inside of a
 * regular expression's [...] class, also gets the list of its characters
 * (BERTH_CONTAINER_NAME_FIRST_CHARS_SET) for strspn. The run plan's markers
 * are checked here: the ID marker's 12- and 16-character prefixes are the
 * other ID markers, as the launcher's replacement relies on.
 *
 *   node native/gen-constants.mjs native/constants.json OUT.h   (OUT.h "-": stdout)
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The characters of a [...] class body such as "a-zA-Z0-9_.-" (ranges and single characters; a last "-" is itself). */
export function classChars(body) {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' || c === '^' || c === '[' || c === ']') throw new Error(`class "${body}": "${c}" is not supported`);
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const to = body.charCodeAt(i + 2);
      if (to < c.charCodeAt(0)) throw new Error(`class "${body}": range ${c}-${body[i + 2]} is backwards`);
      for (let k = c.charCodeAt(0); k <= to; k++) out += String.fromCharCode(k);
      i += 2;
    } else out += c;
  }
  return out;
}

const macro = (path) =>
  'BERTH_' +
  path
    .map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2'))
    .join('_')
    .toUpperCase();

const cString = (s) => {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new Error(`"${s}": only printable ASCII goes into the header`);
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';
};

function check(c) {
  const m = c.plan.markers;
  if (m.id12.length !== 12 || m.id16.length !== 16 || m.id64.length !== 64)
    throw new Error('plan.markers: id12, id16 and id64 must be 12, 16 and 64 characters long');
  if (!m.id64.startsWith(m.id16) || !m.id16.startsWith(m.id12))
    throw new Error("plan.markers: the ID marker's 12- and 16-character prefixes must be id12 and id16");
  for (const [k, v] of Object.entries(m))
    if (!v.startsWith(c.plan.markerPrefix)) throw new Error(`plan.markers.${k} must start with plan.markerPrefix`);
  if (!Number.isInteger(c.storeSchema) || c.storeSchema < 1) throw new Error('storeSchema must be a positive integer');
}

/** The header's text for the parsed constants.json (and the package's version). */
export function renderHeader(constants, version) {
  check(constants);
  const lines = [
    '/* Generated from native/constants.json by native/gen-constants.mjs at build time: do not edit. */',
    '#ifndef BERTH_CONSTANTS_H',
    '#define BERTH_CONSTANTS_H',
    '',
    `#define BERTH_VERSION ${cString(version)}`,
  ];
  const walk = (value, path) => {
    if (path[0]?.startsWith('$')) return;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      return;
    }
    const name = macro(path);
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) throw new Error(`${path.join('.')}: only integers go into the header`);
      lines.push(`#define ${name} ${value}`);
    } else if (typeof value === 'string') {
      lines.push(`#define ${name} ${cString(value)}`);
      if (path.at(-1).endsWith('Chars')) lines.push(`#define ${name}_SET ${cString(classChars(value))}`);
    } else throw new Error(`${path.join('.')}: only numbers and strings go into the header`);
  };
  walk(constants, []);
  lines.push('', '#endif', '');
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    process.stderr.write('usage: gen-constants.mjs constants.json OUT.h\n');
    process.exit(2);
  }
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8'));
  const text = renderHeader(JSON.parse(readFileSync(input, 'utf8')), pkg.version);
  if (output === '-') process.stdout.write(text);
  else {
    writeFileSync(`${output}.${process.pid}.tmp`, text);
    renameSync(`${output}.${process.pid}.tmp`, output);
  }
}
