/** `berth login [-u USER] [-p PASS | --password-stdin] [SERVER]`: check the credentials, then save them as docker does. */
import { ExitError, UsageError } from '../context.js';
import { readAllStdin, readLine } from '../secret.js';
import { bool, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['login']],
  summary: 'Log in to a registry',
  configure(cmd) {
    cmd
      .argument('[SERVER]')
      .option('-p, --password <string>', 'Password')
      .option('--password-stdin', 'Take the password from stdin')
      .option('-u, --username <string>', 'Username');
  },
  async run(cli, args, opts) {
    let username = str(opts, 'username')?.trim();
    let password = str(opts, 'password');
    const fromStdin = bool(opts, 'passwordStdin');
    if (password !== undefined) {
      cli.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.');
      if (fromStdin) throw new UsageError('--password and --password-stdin are mutually exclusive');
    }
    if (fromStdin) {
      if (!username) throw new UsageError('Must provide --username with --password-stdin');
      password = await readAllStdin(cli);
    }
    const server = args[0];
    const interactive = !username || password === undefined;
    if (interactive && !cli.stdin.isTTY)
      throw new ExitError(1, 'Error: Cannot perform an interactive login from a non TTY device');
    if (!username) username = (await readLine(cli, 'Username: ')).trim();
    if (!username) throw new ExitError(1, 'Error: Username is required');
    if (password === undefined) password = await readLine(cli, 'Password: ', true);
    if (!password) throw new ExitError(1, 'Error: Password is required');
    const backend = await cli.backend();
    const r = await backend.login(server, { username, password });
    if (!r.helper) {
      cli.out(`WARNING! Your password will be stored unencrypted in ${r.configPath}.`);
      cli.out('Configure a credential helper to remove this warning. See');
      cli.out('https://docs.docker.com/engine/reference/commandline/login/#credentials-store');
      cli.out('');
    }
    cli.out('Login Succeeded');
  },
};
