/** `berth system check [--repair]`: find (and remove) what nothing references; report what is missing. */
import { requireFeature } from '../../client/api.js';
import { bool, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['system', 'check']],
  summary: 'Check the store for unreferenced or missing blobs and layers',
  configure(cmd) {
    cmd.option('--repair', 'Remove unreferenced blobs, layers and leftovers of interrupted work');
  },
  async run(cli, _args, opts) {
    const repair = bool(opts, 'repair');
    const backend = await cli.backend();
    requireFeature(backend.capabilities(), 'storeCheck');
    const r = await backend.checkStore({ repair });
    const verb = repair ? 'removed' : 'found';
    for (const b of r.unreferencedBlobs) cli.out(`unreferenced blob ${verb}: ${b}`);
    for (const l of r.unreferencedLayers) cli.out(`unreferenced layer ${verb}: ${l}`);
    if (r.scratchLeftovers) cli.out(`leftovers of interrupted work ${verb}: ${r.scratchLeftovers}`);
    for (const b of r.missingBlobs) cli.out(`missing blob: ${b}`);
    for (const l of r.missingLayers) cli.out(`missing layer tree: ${l}`);
    const garbage = r.unreferencedBlobs.length + r.unreferencedLayers.length + r.scratchLeftovers;
    const missing = r.missingBlobs.length + r.missingLayers.length;
    if (!garbage && !missing) {
      cli.out('The store is consistent.');
      return 0;
    }
    if (missing)
      cli.out(`${missing} item(s) missing: images that need them cannot be saved or run; remove and load them again.`);
    return missing || (garbage && !repair) ? 1 : 0;
  },
};
