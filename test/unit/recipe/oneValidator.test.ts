import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planBuild, PlanError, type PlanOptions } from '../../../src/core/build/plan';
import { ARCHES } from '../../../src/core/kernel/arch';
import { lintRecipe } from '../../../src/core/recipe';
import type { Recipe } from '../../../src/core/recipe/types';
import { rng } from '../rng';


/** Each pool: valid values first, then values the build cannot use; `pick` takes a valid one most of the time. */
const POOLS = {
  image: [['owned/x:1', 'owned/x', 'registry.example:5000/team/base:12', 'localhost/a_b:c-1'],
    ['Owned/x:1', 'x; rm -rf /', `a@sha256:${'ab'.repeat(32)}`, 'owned/x:-bad', '', 'a//b:1']],
  distro: [['debian', 'ubuntu'], ['fedora', 'Debian']],
  suite: [['bookworm', 'trixie', 'sid', 'stable', 'forky'],
    ['jammy', 'bookworm-updates', '12', 'experimental', 'bookworm\nid', 'foo', '../x', 'bookworm; id', '']],
  arch: [ARCHES.map((a) => a.name), ['x86', 'amd64$(id)', 'AMD64', '']],
  variant: [['minbase', 'buildd', '-'], ['essential', 'apt', 'required', 'important', 'debootstrap', 'standard', 'fakechroot', 'extract', 'custom', ' minbase', '--foreign']],
  builder: [['debootstrap', 'mmdebstrap'], ['cdebootstrap', 'MMDEBSTRAP']],
  mirror: [['http://m.invalid/debian', 'https://m.invalid/ubuntu/', 'file:///srv/mirror/debian'],
    ['ftp://m.invalid/debian', "http://m.invalid/'x", 'http://m.invalid/a b', 'javascript:alert(1)', 'http://m\\x', '']],
  component: [['main', 'contrib', 'non-free-firmware', 'universe', 'updates/main'], ['../x', '-x', 'main/../../x', 'a b', '', 'Main', 'main\n']],
  package: [['curl', 'libc6:arm64', 'curl=7.88.1-10', 'libstdc++6', 'x=1:2.3~rc1'], ['a', '-o', 'curl;x', 'C', '$(id)', 'curl=', '']],
  remove: [['/usr/share/doc/*', '/var/lib/apt/lists/*', '/var/cache/apt/*', '/usr/share/locale/*', '/opt/app/$(x)', '/usr/bin/perl5*', '/etc/apt/apt.conf.d/docker-clean'],
    ['/bin/*', '/lib/*', '/lib/x86_64-linux-gnu/*', '/lib/aarch64-linux-gnu/*', '/usr/sbin/*', '/sbin/*', '/bin/dpkg', '/bin/sh', '/usr/bin/sh',
      '/lib64/ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/var/lib/dpkg', '/x\ny', '/../etc', '/*', 'rel/x', '/', '/usr']],
  oneLine: [['C.UTF-8', '', '/srv', '1000:1000', 'a "quoted" $(value)'], ['a\nb', 'x\r', 'n\u0000ul']],
  argv: [['/bin/sh', '-c', 'echo "$(id)"\necho two lines'], ['a\u0000b']],
  port: [[80, 2222, '53/udp', '443/tcp', 65535], [0, 70000, '80/sctp', 'http', 1.5]],
  envName: [['LANG', 'PORT', '_X'], ['1A', 'A-B', '']],
} as const;

type Pool = keyof typeof POOLS;

function generator(rand: () => number) {
  const pick = <P extends Pool>(p: P): (typeof POOLS)[P][number][number] => {
    const [good, bad] = POOLS[p];
    const from: readonly unknown[] = rand() < 0.85 ? good : bad;
    return from[Math.floor(rand() * from.length)] as (typeof POOLS)[P][number][number];
  };
  const some = (): boolean => rand() < 0.35;
  const list = <P extends Pool>(p: P) => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(p));
  return (): Record<string, unknown> => {
    const r: Record<string, unknown> = { image: pick('image'), distro: pick('distro'), suite: pick('suite') };
    if (some()) r['arch'] = pick('arch');
    if (some()) r['variant'] = pick('variant');
    if (some()) r['builder'] = pick('builder');
    if (some()) r['mirror'] = pick('mirror');
    if (some()) r['components'] = list('component');
    if (some()) r['packages'] = list('package');
    if (some()) r['remove'] = list('remove');
    if (some()) {
      const c: Record<string, unknown> = {};
      if (some()) c['cmd'] = list('argv');
      if (some()) c['entrypoint'] = list('argv');
      if (some()) c['env'] = { [pick('envName')]: pick('oneLine') };
      if (some()) c['workdir'] = pick('oneLine');
      if (some()) c['user'] = pick('oneLine');
      if (some()) c['expose'] = list('port');
      if (some()) c['labels'] = { [rand() < 0.8 ? 'org.example.a' : pick('oneLine')]: pick('oneLine') };
      r['config'] = c;
    }
    if (some()) r['slim'] = rand() < 0.9 ? rand() < 0.5 : 'yes';
    return r;
  };
}

const OPTS: PlanOptions = { hostArch: 'amd64', workdir: '/dev/shm/ownbase-prop', hostMirror: 'http://mirror.invalid/debian' };

test('for 2,000 generated recipes: lint has no error ⇔ planBuild does not throw PlanError, and the plan says what lint says', () => {
  const seed = 20261201;
  const next = generator(rng(seed));
  let accepted = 0;
  for (let i = 0; i < 2000; i++) {
    const value = next();
    const text = JSON.stringify(value, null, 2);
    const errors = lintRecipe(text).filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
    let refused: string | undefined;
    try {
      planBuild(value as unknown as Recipe, OPTS);
    } catch (e) {
      if (!(e instanceof PlanError)) assert.fail(`case ${i} (seed ${seed}) ${text}: planBuild threw ${e instanceof Error ? e.stack : String(e)}`);
      refused = e.message;
    }
    const why = `case ${i} (seed ${seed}) ${text}\nlint: ${JSON.stringify(errors)}\nplan: ${refused}`;
    if (refused === undefined) { assert.deepEqual(errors, [], why); accepted++; }
    else assert.ok(errors.some((e) => e.endsWith(` ${refused}`)), why);
  }
  // Both sides of the equivalence are exercised.
  assert.ok(accepted > 150 && accepted < 1800, `${accepted} of 2000 accepted`);
});
