/**
 * dist/cli/main.js: berth's entry for whoever still names it (an older script, `--cli` of a benchmark
 * comparing builds). It runs dist/cli/main.cjs, the entry bin/berth and the launcher run.
 */
import './main.cjs';
