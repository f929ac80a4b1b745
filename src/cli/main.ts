import { runCli } from './run';

// Ctrl-C aborts the running command, which cancels its work and cleans up (unmounts). A second Ctrl-C only
// says so, since leaving now could leave mounts behind; a third exits at once.
const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts === 1) {
    process.stderr.write('\nownbase: cancelling and cleaning up…\n');
    controller.abort();
  } else if (interrupts === 2) {
    process.stderr.write('\nownbase: still cleaning up (undoing mounts); Ctrl-C once more to exit without finishing\n');
  } else {
    process.exit(130);
  }
});
process.on('SIGTERM', () => controller.abort());

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), signal: controller.signal })
  .then((code) => { process.exitCode = controller.signal.aborted && code === 0 ? 130 : code; })
  .catch((err: unknown) => {
    process.stderr.write(`ownbase: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
