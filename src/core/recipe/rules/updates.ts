import { updateSuites } from '../suites';
import type { Diagnostic } from '../../kernel/diagnostic';
import { rangeFor } from '../parse';
import { stringField, type RecipeRule } from './rule';

const fieldOf = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;

export const updatesRule: RecipeRule = {
  code: 'OB208',
  name: 'updates',
  defaultSeverity: 'warning',
  description: 'An owned base carries its release\'s fixes: the build upgrades from the updates and security suites '
    + '(`bookworm-updates`, `bookworm-security`). `updates: false` leaves every fix since the release out; a build with '
    + 'no security archive known (none in this machine\'s apt sources, no `security_mirror`) depends on the bootstrap '
    + 'tool\'s default, or goes without the security suite.',
  check({ parsed, host }): Diagnostic[] {
    const distro = stringField(parsed, 'distro');
    const suite = stringField(parsed, 'suite');
    if (!distro || !suite || (distro.value !== 'debian' && distro.value !== 'ubuntu')) return [];
    const { updates, security } = updateSuites(distro.value, suite.value);
    const named = [updates, security].filter((x): x is string => x !== undefined);
    if (named.length === 0) return [];
    if (fieldOf(parsed.value, 'updates') === false) {
      return [{ code: 'OB208', severity: 'warning', range: rangeFor(parsed, ['updates']),
        message: `updates: false builds ${suite.value} as it was released: without ${named.join(' and ')}, the image lacks every fix `
          + `published since, security fixes included, and its apt sources name ${suite.value} alone, so apt-get upgrade inside cannot fetch them.` }];
    }
    if (!security || !host?.securityMirror || fieldOf(parsed.value, 'security_mirror') !== undefined) return [];
    if (host.securityMirror(distro.value) !== undefined) return [];
    const arch = stringField(parsed, 'arch')?.value ?? host.hostArch();
    const fallback = host.toolDefaults?.(distro.value, arch).security;
    return [{ code: 'OB208', severity: 'warning', range: distro.range,
      message: `This machine's apt sources name no ${distro.value} security archive and the recipe names no security_mirror: `
        + (fallback !== undefined ? `${security} comes from the bootstrap tool's default, ${fallback}.` : `the image is built without ${security} and its security fixes.`)
        + ' Name the archive in security_mirror.' }];
  },
};
