/**
 * `berth system service [--time SECONDS] [URI]`: serve the Docker Engine API
 * on a unix socket (default <runroot>/docker.sock) or TCP, until nobody has
 * used it for --time seconds (0: forever). A socket passed by systemd
 * (LISTEN_FDS) is taken instead of URI.
 */
import { join } from 'node:path';
import { readServiceSettings } from '../../client/settings-file.js';
import { UsageError } from '../context.js';
import { bool, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['system', 'service']],
  summary: 'Serve the Docker Engine API (for docker, docker-compose and other API clients)',
  configure(cmd) {
    cmd
      .argument('[URI]', 'unix:///PATH or tcp://HOST:PORT (default unix://<runroot>/docker.sock)')
      .option('-t, --time <seconds>', 'Exit after this many seconds without a connection (0: never)', '5')
      .option('--tlsverify', 'Use TLS and require client certificates signed by --tlscacert (tcp://)')
      .option('--tlscacert <file>', 'Trust client certificates signed by this CA')
      .option('--tlscert <file>', "The service's TLS certificate")
      .option('--tlskey <file>', "The service's TLS key")
      .option('--insecure', 'Allow plain TCP without TLS (anyone who can connect has root on this host)')
      .option('-D, --debug', 'Log every request on stderr');
  },
  async run(cli, args, opts) {
    const time = str(opts, 'time') ?? '5';
    if (!/^\d+$/.test(time))
      throw new UsageError(`invalid argument "${time}" for "-t, --time" flag: expected whole seconds`);
    const tlsverify = bool(opts, 'tlsverify');
    const files = { ca: str(opts, 'tlscacert'), cert: str(opts, 'tlscert'), key: str(opts, 'tlskey') };
    if (tlsverify && (!files.ca || !files.cert || !files.key))
      throw new UsageError('--tlsverify needs --tlscacert, --tlscert and --tlskey');
    if (!tlsverify && (files.ca || files.cert || files.key))
      throw new UsageError(
        '--tlscacert, --tlscert and --tlskey need --tlsverify (client certificates are always verified)',
      );
    const { parseEndpoint, systemdSocketFd } = await import('../../server/listen.js');
    const { startService } = await import('../../server/service.js');
    const backend = await cli.backend();
    const fd = systemdSocketFd();
    const uri = args[0] ?? `unix://${join(backend.info().runroot, 'docker.sock')}`;
    const endpoint = fd === null ? parseEndpoint(uri) : null;
    if (endpoint?.kind === 'unix' && tlsverify) throw new UsageError('TLS applies to tcp:// addresses only');
    const insecure = bool(opts, 'insecure');
    const { group } = readServiceSettings();
    const log = (line: string) => cli.err(`berth: ${line}`);
    const svc = await startService({
      backend,
      endpoint,
      fd,
      tls: tlsverify ? { ca: files.ca!, cert: files.cert!, key: files.key! } : null,
      insecure,
      group,
      idleSeconds: Number(time),
      log,
      debug: bool(opts, 'debug'),
    });
    if (insecure && !tlsverify && (endpoint?.kind === 'tcp' || (fd !== null && svc.address.includes('tcp'))))
      cli.err(
        `WARNING: the API is served on ${svc.address} without TLS: anyone who can reach it has root access on this host. Use --tlsverify.`,
      );
    log(
      `serving the Docker Engine API on ${svc.address}${Number(time) ? ` (exits after ${time} s without a connection)` : ''}`,
    );
    const stop = () => svc.stop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    await svc.done;
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  },
};
