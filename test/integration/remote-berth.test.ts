/**
 * The remote-backend suite (remote-suite.ts) against berth's own service:
 * `berth system service` on a temporary root, reached with -H as any other
 * engine, and held to what the docker CLI says of that same service.
 */
import { peerSkipReason, describeIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { startApiService, type ApiService } from '../helpers/api-service.js';
import { remoteBackendSuite } from './remote-suite.js';

describeIf(skipReason() ?? peerSkipReason())('berth -H against berth system service', () => {
  let t: TempRoot | null = null;
  let svc: ApiService | null = null;
  remoteBackendSuite({
    async start() {
      t = tempRoot('berth-remote-svc-');
      svc = await startApiService(t);
      return svc.host;
    },
    async stop() {
      await svc?.stop();
      t?.cleanup();
    },
  });
});
