// The Owned Bases view's contributions as package.json declares them: menus keyed on contextValue, grouped
// run / general / destructive, and every action that runs a process or changes the engine hidden in Restricted Mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Entry { command: string; when?: string; group?: string }
const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string; title: string; category: string }[]; menus: Record<string, Entry[]>; views: Record<string, { id: string }[]>; viewsWelcome: { view: string; when?: string; contents: string }[] };
};
const RUNS_OR_CHANGES = ['ownbase.view.build', 'ownbase.view.rebuild', 'ownbase.view.cancelBuild', 'ownbase.view.enterChroot', 'ownbase.view.exportScript',
  'ownbase.view.runShell', 'ownbase.view.inspectImage', 'ownbase.view.removeImage', 'ownbase.view.pruneImages'];
const items = pkg.contributes.menus['view/item/context']!;
const titles = pkg.contributes.menus['view/title']!;

test('the container has the three views, each with a welcome for its empty or broken state', () => {
  assert.deepEqual(pkg.contributes.views['ownbase']!.map((v) => v.id), ['ownbase.recipes', 'ownbase.bases', 'ownbase.engine']);
  const engine = pkg.contributes.viewsWelcome.find((w) => w.view === 'ownbase.engine' && w.when === 'ownbase.engineState == unreachable');
  assert.match(engine?.contents ?? '', /\[Retry\]\(command:ownbase\.view\.retryEngine\)/);
  assert.match(pkg.contributes.viewsWelcome.find((w) => w.view === 'ownbase.recipes' && w.when === '!ownbase.view.filtered')?.contents ?? '', /\[New Recipe\]\(command:ownbase\.view\.newRecipe\)/);
});

test('actions that run a process or change the engine are hidden in Restricted Mode', () => {
  for (const e of [...items, ...titles].filter((m) => RUNS_OR_CHANGES.includes(m.command))) {
    assert.match(e.when ?? '', /isWorkspaceTrusted/, `${e.command} (${e.when})`);
  }
  assert.equal([...items, ...titles].filter((m) => RUNS_OR_CHANGES.includes(m.command)).length, 13);
});

test('item menus are keyed on contextValue and grouped run / general / destructive', () => {
  for (const e of items) {
    assert.match(e.when ?? '', /viewItem/, e.command);
    assert.match(e.group ?? '', /^(inline|1_run|2_general|3_destructive)@\d+$/, e.command);
  }
  assert.deepEqual(items.filter((e) => e.group?.startsWith('3_destructive')).map((e) => e.command), ['ownbase.view.removeImage']);
  assert.deepEqual(titles.filter((e) => e.group?.startsWith('3_destructive')).map((e) => e.command), ['ownbase.view.pruneImages']);
});

test('the view commands are in the category "Owned Base"; those that need an item are not in the palette', () => {
  const view = pkg.contributes.commands.filter((c) => c.command.startsWith('ownbase.view.'));
  assert.equal(view.length, 19);
  assert.deepEqual([...new Set(view.map((c) => c.category))], ['Owned Base']);
  const hidden = pkg.contributes.menus['commandPalette']!.filter((e) => e.command.startsWith('ownbase.view.') && e.when === 'false').map((e) => e.command).sort();
  assert.deepEqual(hidden, ['ownbase.view.build', 'ownbase.view.cancelBuild', 'ownbase.view.copyImageName', 'ownbase.view.createOwnedBase', 'ownbase.view.enterChroot',
    'ownbase.view.exportScript', 'ownbase.view.inspectImage', 'ownbase.view.openRecipe', 'ownbase.view.openUse', 'ownbase.view.rebuild', 'ownbase.view.removeImage',
    'ownbase.view.replaceWithOwnedBase', 'ownbase.view.runShell']);
});
