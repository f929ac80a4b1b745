import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEventOf } from '../../../src/cli/buildChecks';
import { checksOf } from '../../../src/core/checks';
import { resultOf } from '../../../src/core/checks/result';
import { BuildEventDecoder, formatBuildEvent, type BuildEvent } from '../../../src/core/run/events';
import { outcomeOfEvent, outcomeOfResult } from '../../../src/extension/testing/outcome';

const checks = checksOf({ verify: { commands: [{ argv: ['cat', '/etc/debian_version'], stdout: ['^12\\.'] }] } });
const apt = checks.find((c) => c.id === 'builtins.apt')!;
const command = checks.find((c) => c.id === 'commands[0]')!;
const passed = resultOf(apt, 'passed', 'apt-get 2.6.1; dpkg --audit: nothing', 412);
const failed = resultOf(command, 'failed', 'stdout does not match /^12\\./', 38, { expected: '/^12\\./', actual: '11.9\n' });
const skipped = resultOf(apt, 'skipped', 'no engine', 0);

/** What the extension reads from the CLI's stdout for these results: the build's own event lines, decoded. */
function throughTheBuild(...lines: string[]): BuildEvent[] {
  const d = new BuildEventDecoder();
  return [...d.push(lines.join('')), ...d.flush()].filter((e): e is BuildEvent => typeof e !== 'string');
}

test('a build\'s check events give the Test Explorer the same outcome as `ownbase test` for the same result', () => {
  const events = throughTheBuild(
    formatBuildEvent({ type: 'step-start', phase: 'main', index: 7, total: 7, id: 'import', kind: 'import', title: 'import as owned/x:1', why: 'the image', commandLine: 'docker import' }),
    formatBuildEvent(checkEventOf(passed, 18)),
    formatBuildEvent(checkEventOf(failed, 22)),
    formatBuildEvent(checkEventOf(skipped)),
    formatBuildEvent({ type: 'error', code: 'checks', message: '1 of 3 checks failed' }),
  );
  assert.equal(events.length, 5);
  const outcomes = events.map(outcomeOfEvent);
  assert.equal(outcomes[0], undefined);
  assert.equal(outcomes[4], undefined);
  assert.deepEqual(outcomes.slice(1, 4), [passed, failed, skipped].map(outcomeOfResult));
  assert.deepEqual(outcomes[2], {
    id: 'commands[0]', state: 'failed', message: 'stdout does not match /^12\\./', expected: '/^12\\./', actual: '11.9\n', durationMs: 38,
  });
  assert.deepEqual(outcomes[1], { id: 'builtins.apt', state: 'passed', message: 'apt-get 2.6.1; dpkg --audit: nothing', durationMs: 412 });
});
