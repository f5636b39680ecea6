/** Entry point of the full-screen app (issue 6 builds it out). */
export async function startApp(_argv: string[]): Promise<number> {
  process.stderr.write('berth: the full-screen app is not built yet; run `berth --help` for the commands.\n');
  return 1;
}
