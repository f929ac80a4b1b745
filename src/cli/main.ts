import { runCli } from './run';

// Ctrl-C aborts the running command, which cancels its work and cleans up; a second Ctrl-C exits at once.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write('\nownbase: cancelling (Ctrl-C again to exit at once)…\n');
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), signal: controller.signal })
  .then((code) => { process.exitCode = controller.signal.aborted && code === 0 ? 130 : code; })
  .catch((err: unknown) => {
    process.stderr.write(`ownbase: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
