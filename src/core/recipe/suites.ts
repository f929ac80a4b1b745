import type { Distro } from './types';

/** A release a recipe can name as its `suite`. */
export interface Suite {
  readonly name: string;
  readonly distro: Distro;
  /** Release number: `12` (Debian), `22.04` (Ubuntu); absent for sid and aliases. */
  readonly version?: string;
  /** Ubuntu long-term support. */
  readonly lts?: boolean;
  /** An alias (stable, testing, …) that moves from release to release. */
  readonly alias?: boolean;
  /** Offered by completion; older releases are still accepted. */
  readonly current?: boolean;
}

const debian = (name: string, version?: string, current = false): Suite =>
  ({ name, distro: 'debian', ...(version !== undefined && { version }), current });
const ubuntu = (name: string, version: string, current = false): Suite =>
  ({ name, distro: 'ubuntu', version, current, ...(isLts(version) && { lts: true }) });
const isLts = (version: string): boolean => version === '6.06' || (/^\d+\.04$/.test(version) && Number.parseInt(version, 10) % 2 === 0);

/**
 * The Debian release that an image tag naming none stands for today (`debian:latest`, `gcc:13`): Debian's stable.
 * The one place it is written; pinning a tag and deriving a recipe both read it.
 */
export const DEFAULT_DEBIAN_SUITE = 'trixie';

/** Newest first within each distro, so completion lists the likely choices at the top. */
export const SUITES: readonly Suite[] = [
  debian('sid', undefined, true),
  debian('duke', '15'),
  debian('forky', '14', true),
  debian('trixie', '13', true),
  debian('bookworm', '12', true),
  debian('bullseye', '11', true),
  debian('buster', '10', true),
  debian('stretch', '9'),
  debian('jessie', '8'),
  debian('wheezy', '7'),
  debian('squeeze', '6.0'),
  debian('lenny', '5.0'),
  debian('etch', '4.0'),
  debian('sarge', '3.1'),
  debian('woody', '3.0'),
  debian('potato', '2.2'),
  debian('slink', '2.1'),
  debian('hamm', '2.0'),
  ...['stable', 'testing', 'unstable', 'oldstable', 'oldoldstable'].map((name): Suite => ({ name, distro: 'debian', alias: true, current: true })),
  ubuntu('resolute', '26.04', true),
  ubuntu('questing', '25.10', true),
  ubuntu('plucky', '25.04', true),
  ubuntu('oracular', '24.10', true),
  ubuntu('noble', '24.04', true),
  ubuntu('mantic', '23.10', true),
  ubuntu('lunar', '23.04', true),
  ubuntu('kinetic', '22.10', true),
  ubuntu('jammy', '22.04', true),
  ubuntu('impish', '21.10', true),
  ubuntu('hirsute', '21.04', true),
  ubuntu('groovy', '20.10', true),
  ubuntu('focal', '20.04', true),
  ubuntu('eoan', '19.10', true),
  ubuntu('disco', '19.04', true),
  ubuntu('cosmic', '18.10', true),
  ubuntu('bionic', '18.04', true),
  ubuntu('artful', '17.10', true),
  ubuntu('zesty', '17.04', true),
  ubuntu('yakkety', '16.10', true),
  ubuntu('xenial', '16.04', true),
  ubuntu('wily', '15.10'),
  ubuntu('vivid', '15.04'),
  ubuntu('utopic', '14.10'),
  ubuntu('trusty', '14.04'),
  ubuntu('saucy', '13.10'),
  ubuntu('raring', '13.04'),
  ubuntu('quantal', '12.10'),
  ubuntu('precise', '12.04'),
  ubuntu('oneiric', '11.10'),
  ubuntu('natty', '11.04'),
  ubuntu('maverick', '10.10'),
  ubuntu('lucid', '10.04'),
  ubuntu('karmic', '9.10'),
  ubuntu('jaunty', '9.04'),
  ubuntu('intrepid', '8.10'),
  ubuntu('hardy', '8.04'),
  ubuntu('gutsy', '7.10'),
  ubuntu('feisty', '7.04'),
  ubuntu('edgy', '6.10'),
  ubuntu('dapper', '6.06'),
  ubuntu('breezy', '5.10'),
  ubuntu('hoary', '5.04'),
  ubuntu('warty', '4.10'),
];

const BY_NAME = new Map(SUITES.map((s) => [s.name, s]));

export function findSuite(name: string): Suite | undefined {
  return BY_NAME.get(name);
}

export function suitesOf(distro: Distro): Suite[] {
  return SUITES.filter((s) => s.distro === distro);
}

/** The codename of a release number: `12` or `12.5` → bookworm, `22.04` → jammy. */
export function suiteByVersion(distro: Distro, version: string): Suite | undefined {
  const v = distro === 'debian' ? /^(\d+)(?:\.\d+)*$/.exec(version)?.[1] : /^(\d\d\.\d\d)(?:\.\d+)?$/.exec(version)?.[1];
  if (v === undefined) return undefined;
  return SUITES.find((s) => s.distro === distro && s.version !== undefined && (s.version === v || (distro === 'debian' && s.version.split('.')[0] === v && Number(v) < 7)));
}

/** "Debian 12", "Ubuntu 22.04 LTS", "Debian alias". */
export function suiteLabel(s: Suite): string {
  const distro = s.distro === 'debian' ? 'Debian' : 'Ubuntu';
  if (s.alias) return `${distro} alias (moves with each release)`;
  if (s.version === undefined) return `${distro} unstable`;
  return `${distro} ${s.version}${s.lts ? ' LTS' : ''}`;
}

/** The suites that carry a release's fixes after it was published. */
export interface UpdateSuites {
  /** `SUITE-updates` (on the release's own mirror). */
  readonly updates?: string;
  /** `SUITE-security`, or `SUITE/updates` up to Debian 10 (on the security archive). */
  readonly security?: string;
}

const NO_UPDATES = new Set(['sid', 'unstable', 'experimental', 'rc-buggy']);

/** The update and security suites of `suite`; Debian's unstable has neither. */
export function updateSuites(distro: string, suite: string): UpdateSuites {
  if (distro === 'debian') {
    if (NO_UPDATES.has(suite)) return {};
    const version = findSuite(suite)?.version;
    const before11 = version !== undefined && Number.parseFloat(version) < 11;
    return { updates: `${suite}-updates`, security: before11 ? `${suite}/updates` : `${suite}-security` };
  }
  return { updates: `${suite}-updates`, security: `${suite}-security` };
}
