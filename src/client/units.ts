/** docker's size and CPU-count syntax, for the user interfaces' own flag checks. */
export { ramInBytes, parseCpus } from '../engine/util/units.js';
