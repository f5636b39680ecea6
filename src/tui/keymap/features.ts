/**
 * Which engine feature each command of the keymap needs (client/types/
 * capabilities.ts). A backend that lacks one keeps the command visible:
 * the help and the Enter menu show it disabled with the reason, and its key
 * says the reason in the footer instead of running it.
 */
import type { Capabilities, Feature } from '../../client/api.js';

export const COMMAND_FEATURES: Readonly<Record<string, Feature>> = {
  'container.pause': 'pause',
  'container.exec': 'exec',
  'container.attach': 'attach',
  'container.commit': 'commit',
  'container.export': 'export',
  'image.save': 'save',
  'image.load': 'load',
  'image.pull': 'registry',
  'image.push': 'registry',
  'image.search': 'registry',
  'volume.create': 'volumes',
  'volume.remove': 'volumes',
  'volume.prune': 'volumes',
  'image.build': 'build',
  'network.create': 'networks',
  'network.connect': 'networks',
  'network.disconnect': 'networks',
  'network.remove': 'networks',
  'network.prune': 'networks',
};

/** Why the command cannot run on this backend, or null when it can. */
export function disabledReason(caps: Capabilities, commandId: string): string | null {
  const f = COMMAND_FEATURES[commandId];
  if (!f) return null;
  const s = caps[f];
  return s.ok ? null : s.reason;
}
