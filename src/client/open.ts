/**
 * Open the backend the user asked for: the embedded engine when no host is
 * named (no -H/--host, --context, DOCKER_HOST, DOCKER_CONTEXT or current
 * docker context), else the remote backend for that endpoint. --root or
 * --runroot name the embedded engine's store, so with either and no -H or
 * --context the environment is not asked (the monitor's exit hook runs
 * `berth --root R --runroot RR container cleanup` with the environment of
 * whoever ran the container, DOCKER_HOST included). Both the CLI
 * and the app open theirs here, and neither looks at which one it got.
 */
import type { Backend } from './api.js';
import { processEnv } from './docker-api/contexts.js';
import { resolveEndpoint, type HostChoice } from './docker-api/endpoint.js';

export interface BackendChoice extends HostChoice {
  root?: string;
  runroot?: string;
  /** The embedded engine whatever the environment names (the hosts list's own entry). */
  local?: boolean;
}

export async function openBackend(choice: BackendChoice, env: NodeJS.ProcessEnv = process.env): Promise<Backend> {
  const explicitLocal = (choice.local || choice.root || choice.runroot) && !choice.host && !choice.context;
  const remote = explicitLocal ? null : resolveEndpoint(choice, processEnv(env));
  if (remote) {
    const { DockerBackend } = await import('./docker-api/backend.js');
    return DockerBackend.open(remote.endpoint, remote.context);
  }
  const { EmbeddedBackend } = await import('./embedded.js');
  return new EmbeddedBackend({
    ...(choice.root ? { root: choice.root } : {}),
    ...(choice.runroot ? { runroot: choice.runroot } : {}),
  });
}
