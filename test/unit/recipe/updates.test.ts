import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintRecipe } from '../../../src/core/recipe';
import type { HostProbe } from '../../../src/core/recipe/host';
import { RECIPE_RULE_DOCS } from '../../../src/core/recipe/ruleDocs';
import { r } from './helpers';

const host = (security: string | undefined, toolSecurity?: string): HostProbe => ({
  hostArch: () => 'amd64', binfmtRegistered: () => false, fileExists: () => false,
  securityMirror: () => security,
  toolDefaults: () => (toolSecurity !== undefined ? { security: toolSecurity } : {}),
});
const ob208 = (text: string, h?: HostProbe) => lintRecipe(text, h ? { host: h } : {}).filter((d) => d.code === 'OB208');
const BOOKWORM = 'image: owned/base:1\ndistro: debian\nsuite: bookworm\n';

test('updates: false says what the image leaves out', () => {
  const [d, ...rest] = ob208(`${BOOKWORM}updates: false\n`);
  assert.deepEqual(rest, []);
  assert.equal(d!.severity, 'warning');
  assert.deepEqual(d!.range, r(3, 9, 3, 14));
  assert.equal(d!.message, 'updates: false builds bookworm as it was released: without bookworm-updates and bookworm-security, the image lacks every fix '
    + 'published since, security fixes included, and its apt sources name bookworm alone, so apt-get upgrade inside cannot fetch them.');
  assert.deepEqual(ob208(`image: owned/base:1\ndistro: debian\nsuite: sid\nupdates: false\n`), [], 'sid has nothing to leave out');
  assert.deepEqual(ob208(`${BOOKWORM}updates: true\n`), []);
});

test('no security archive on the host and none in the recipe: a warning naming the fallback, or its absence', () => {
  const [d] = ob208(BOOKWORM, host(undefined, 'http://s.invalid/debian-security'));
  assert.equal(d!.severity, 'warning');
  assert.deepEqual(d!.range, r(1, 8, 1, 14));
  assert.equal(d!.message, "This machine's apt sources name no debian security archive and the recipe names no security_mirror: "
    + "bookworm-security comes from the bootstrap tool's default, http://s.invalid/debian-security. Name the archive in security_mirror.");
  assert.equal(ob208(BOOKWORM, host(undefined))[0]!.message, "This machine's apt sources name no debian security archive and the recipe names no security_mirror: "
    + 'the image is built without bookworm-security and its security fixes. Name the archive in security_mirror.');
  assert.deepEqual(ob208(BOOKWORM, host('http://s.invalid/debian-security')), [], 'the host names one');
  assert.deepEqual(ob208(`${BOOKWORM}security_mirror: http://s.invalid/debian-security\n`, host(undefined)), [], 'the recipe names one');
  assert.deepEqual(ob208(BOOKWORM), [], 'no host: no host check');
  assert.ok(RECIPE_RULE_DOCS.some((x) => x.code === 'OB208' && x.name === 'updates'));
});

test('hover on updates and security_mirror names the suites of the recipe\'s release; completion offers both keys', async () => {
  const { hoverRecipe } = await import('../../../src/core/recipe/hover');
  const { completeRecipe } = await import('../../../src/core/recipe/completion');
  const h = hoverRecipe('image: owned/b:1\ndistro: debian\nsuite: buster\nupdates: true\n', { line: 3, character: 2 });
  assert.match(h!.markdown, /^\*\*updates\*\* — Carry the release's fixes/);
  assert.match(h!.markdown, /\n\nFor `buster`: `buster-updates` and `buster\/updates`\.$/);
  const s = hoverRecipe('image: owned/b:1\ndistro: ubuntu\nsuite: focal\nsecurity_mirror: http://s.invalid/ubuntu\n', { line: 3, character: 2 });
  assert.match(s!.markdown, /For `focal`: `focal-updates` and `focal-security`\.$/);
  const values = completeRecipe('image: owned/b:1\nupdates: ', { line: 1, character: 9 }).map((c) => c.label);
  assert.deepEqual(values, ['true', 'false']);
});
