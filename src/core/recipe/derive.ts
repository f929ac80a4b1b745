import { DEFAULT_DEBIAN_SUITE, findSuite, suiteByVersion, suiteLabel, type Suite } from './suites';
import type { Distro } from './types';

export { serializeRecipe } from './serialize';

/** What an owned base needs to replace an image: the release and the packages that give its tools. */
export interface DerivedBase {
  readonly distro: Distro;
  readonly suite: string;
  readonly packages: string[];
  /** One or two sentences for the recipe's header comment: where this came from and what differs. */
  readonly why: string;
}

/** The suite assumed for official language images whose tag names no release (suites.ts owns it). */
export { DEFAULT_DEBIAN_SUITE };

interface LanguageImage {
  readonly packages: readonly string[];
  /** What the official image carries that Debian's packages replace. */
  readonly what: string;
  /**
   * Releases the image's maintainers hold a major version on instead of Debian's stable, by major version, with
   * their reason: the gcc image keeps 12 and 13 on bookworm because trixie's own GCC 14 breaks their ABI.
   */
  readonly pinned?: { readonly suites: Readonly<Record<string, string>>; readonly why: string };
}

const LANGUAGE_IMAGES: Readonly<Record<string, LanguageImage>> = {
  gcc: {
    packages: ['gcc', 'g++', 'make', 'libc6-dev'], what: 'a GCC built from source',
    pinned: {
      suites: { 8: 'buster', 9: 'bookworm', 10: 'bookworm', 11: 'bookworm', 12: 'bookworm', 13: 'bookworm' },
      why: 'a GCC older than the next release\'s own stays on the release whose libstdc++ it matches',
    },
  },
  golang: { packages: ['golang-go', 'gcc', 'libc6-dev', 'git', 'ca-certificates'], what: 'an upstream Go toolchain' },
  node: { packages: ['nodejs', 'npm'], what: 'an upstream Node.js build' },
  python: { packages: ['python3', 'python3-pip', 'python3-venv'], what: 'a Python built from source' },
  rust: { packages: ['rustc', 'cargo', 'gcc', 'libc6-dev'], what: 'a rustup toolchain' },
  ruby: { packages: ['ruby'], what: 'a Ruby built from source' },
  perl: { packages: ['perl'], what: 'a Perl built from source' },
};

const BUILDPACK_CURL = ['ca-certificates', 'curl', 'gnupg', 'netbase', 'wget'];
const BUILDPACK_SCM = [...BUILDPACK_CURL, 'git', 'openssh-client', 'procps'];
const BUILDPACK_FULL = [...BUILDPACK_SCM, 'build-essential', 'autoconf', 'automake', 'libtool', 'pkg-config'];

/** Tags of images that are not Debian or Ubuntu underneath. */
const NOT_DEB = /^(alpine|windowsservercore|nanoserver|ltsc|busybox)/;
const DATE_SUFFIX = /-\d{8}(?:\.\d+)?$/;

function repository(path: string): string {
  return path.replace(/^library\//, '');
}

function distroImage(distro: Distro, tag: string): DerivedBase | undefined {
  const Name = distro === 'debian' ? 'Debian' : 'Ubuntu';
  const image = `${distro}:${tag}`;
  let t = tag.replace(DATE_SUFFIX, '');
  let slim = false;
  if (distro === 'debian' && t.endsWith('-slim')) { slim = true; t = t.slice(0, -'-slim'.length).replace(DATE_SUFFIX, ''); }
  let pocket = '';
  const m = /^([a-z]+)-(backports|updates|security|proposed)$/.exec(t);
  if (m) { t = m[1]!; pocket = ` The ${m[2]} pocket is not part of the bootstrap; add it as an apt source if you need it.`; }
  if (distro === 'ubuntu' && t === 'latest') t = 'noble';
  if (distro === 'debian' && t === 'latest') t = 'stable';
  const suite: Suite | undefined = suiteByVersion(distro, t) ?? (findSuite(t)?.distro === distro ? findSuite(t) : undefined);
  if (!suite) return undefined;
  const moving = suite.alias || tag === 'latest'
    ? ` ${image} moves with each release; so does suite ${suite.name}: name a codename to keep the base the same.` : '';
  const slimNote = slim ? ' The slim variant is what slim: true (the default) gives.' : '';
  return {
    distro, suite: suite.name, packages: [],
    why: `${image} is ${Name} ${suite.name}${suite.version ? ` (${suiteLabel(suite)})` : ''}; a minbase bootstrap of ${suite.name} `
      + `is the same userland without the image's layers.${slimNote}${pocket}${moving}`,
  };
}

/** A release named by one of the tag's dash-separated parts (`3.12-slim-bookworm`, `jammy-curl`). */
function suiteInTag(tag: string): Suite | undefined {
  for (const part of tag.split('-')) {
    const s = findSuite(part);
    if (s && !s.alias) return s;
  }
  return undefined;
}

function languageVersion(tag: string): string | undefined {
  const v = tag.split('-')[0]!;
  return /^\d/.test(v) ? v : undefined;
}

/**
 * The distro, suite and packages of an owned base that replaces a known image: `ubuntu`, `debian` and the
 * official Debian-based language images (`gcc`, `golang`, `node`, `python`, `buildpack-deps`, …). Undefined
 * for images it does not know or that are not Debian or Ubuntu underneath (alpine tags).
 */
export function baseFromImage(ref: { readonly path: string; readonly tag?: string }): DerivedBase | undefined {
  const repo = repository(ref.path);
  const tag = ref.tag ?? 'latest';
  if (repo === 'ubuntu') return distroImage('ubuntu', tag);
  if (repo === 'debian') return distroImage('debian', tag);
  const language = LANGUAGE_IMAGES[repo];
  const buildpack = repo === 'buildpack-deps';
  if (!language && !buildpack) return undefined;
  if (tag.split('-').some((p) => NOT_DEB.test(p))) return undefined;
  const named = suiteInTag(tag);
  const major = languageVersion(tag)?.split('.')[0];
  const pinned = !named && major !== undefined ? language?.pinned?.suites[major] : undefined;
  const suite = named?.name ?? pinned ?? DEFAULT_DEBIAN_SUITE;
  const distro: Distro = named?.distro ?? 'debian';
  const assumed = named ? ''
    : pinned ? ` The image holds ${repo} ${major} on ${pinned}: ${language!.pinned!.why}.`
      : ` The tag names no release, so ${DEFAULT_DEBIAN_SUITE} is assumed: change suite if the image tracked a newer one.`;
  const image = `${repo}:${tag}`;
  if (buildpack) {
    const packages = tag.endsWith('-curl') ? BUILDPACK_CURL : tag.endsWith('-scm') ? BUILDPACK_SCM : BUILDPACK_FULL;
    return {
      distro, suite, packages: [...packages],
      why: `${image} is ${distro === 'debian' ? 'Debian' : 'Ubuntu'} ${suite} plus build tools and dozens of -dev libraries; the owned base `
        + `installs the tools (${packages.join(', ')}): add the -dev packages your build links against.${assumed}`,
    };
  }
  const version = languageVersion(tag);
  const differs = version ? `; it is the suite's version, which may differ from ${version}` : '';
  return {
    distro, suite, packages: [...language!.packages],
    why: `${image} is ${distro === 'debian' ? 'Debian' : 'Ubuntu'} ${suite} plus ${language!.what}; the owned base installs the distro's ${language!.packages.join(', ')}${differs}.${assumed}`,
  };
}
