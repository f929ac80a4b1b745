import { runCli } from './run';

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
  .then((code) => { process.exitCode = code; })
  .catch((err: unknown) => {
    process.stderr.write(`ownbase: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
