import { notNeededClass } from '../recipe/notNeeded';

/** What a container does not need: why, and the recipe `remove:` entries that drop it. */
export interface ContainerClass {
  readonly id: string;
  readonly reason: string;
  /** Entries for the recipe's `remove:` (globs inside the rootfs). */
  readonly remove: readonly string[];
}

interface PathClass extends ContainerClass {
  /** Canonical (usr-merged) path prefixes, no leading `/`, ending in `/`. */
  readonly prefixes: readonly string[];
  readonly keep?: RegExp;
}

/** Path classes, matched on canonical paths (`lib/modules` is `usr/lib/modules` after usr-merge). */
export const PATH_CLASSES: readonly PathClass[] = [
  { id: 'docs', reason: 'documentation, man and info pages: nobody reads them inside a container', prefixes: ['usr/share/doc/', 'usr/share/man/', 'usr/share/info/', 'usr/share/lintian/'], remove: ['/usr/share/doc/*', '/usr/share/man/*', '/usr/share/info/*', '/usr/share/lintian/*'] },
  { id: 'locales', reason: 'message translations and locale sources: a container runs in C.UTF-8', prefixes: ['usr/share/locale/', 'usr/share/i18n/'], remove: ['/usr/share/locale/*', '/usr/share/i18n/*'] },
  { id: 'apt-cache', reason: 'apt lists and caches: rebuilt by `apt-get update` when needed', prefixes: ['var/lib/apt/lists/', 'var/cache/apt/', 'var/cache/debconf/', 'var/log/'], keep: /^var\/cache\/debconf\/(?:config|templates|passwords)\.dat$/, remove: ['/var/lib/apt/lists/*', '/var/cache/apt/*', '/var/cache/debconf/*-old', '/var/log/*'] },
  { id: 'boot', reason: 'a container boots no kernel: /boot is never read', prefixes: ['boot/'], remove: ['/boot/*'] },
  { id: 'kernel', reason: 'kernel modules: a container uses the host kernel', prefixes: ['usr/lib/modules/'], remove: ['/usr/lib/modules/*'] },
  { id: 'firmware', reason: 'device firmware is loaded by the host kernel, not the container', prefixes: ['usr/lib/firmware/'], remove: ['/usr/lib/firmware/*'] },
  { id: 'gconv', reason: 'legacy character-set converters: only iconv to old encodings uses them', prefixes: ['usr/lib/x86_64-linux-gnu/gconv/', 'usr/lib/aarch64-linux-gnu/gconv/', 'usr/lib/arm-linux-gnueabihf/gconv/', 'usr/lib/i386-linux-gnu/gconv/', 'usr/lib/gconv/'], keep: /\/(?:gconv-modules[^/]*|UTF-[^/]*|UNICODE\.so|ISO8859-1\.so)$/, remove: ['/usr/lib/*/gconv/[A-TV-Z]*'] },
];

/** Package classes beyond the ones recipes already know (src/core/recipe/notNeeded.ts). */
const PACKAGE_CLASSES: readonly (ContainerClass & { readonly matches: (n: string) => boolean })[] = [
  { id: 'editor', reason: 'an editor: a container is rebuilt, not edited', remove: [], matches: (n) => /^(?:vim(?:-tiny|-runtime|-common)?|nano|ed|joe|mg|emacs.*)$/.test(n) },
  { id: 'compiler', reason: 'a compiler or build tool in a runtime image: build elsewhere, copy the result', remove: [], matches: (n) => /^(?:gcc|g\+\+|cpp|clang|binutils|build-essential|make|dpkg-dev|libc6-dev|linux-libc-dev)(?:-.*)?$/.test(n) || /^(?:gcc|g\+\+|cpp)-\d+/.test(n) },
  { id: 'extra-shell', reason: 'a second shell: one is enough to run scripts', remove: [], matches: (n) => /^(?:zsh|ksh|ksh93|mksh|tcsh|csh|fish)$/.test(n) },
];

/** The path class of a canonical path, if any. */
export function pathClass(path: string): PathClass | undefined {
  // Plain loops (no closure per class): it runs for every file of an image.
  for (const c of PATH_CLASSES) {
    for (const p of c.prefixes) {
      if (!path.startsWith(p)) continue;
      if (!(c.keep?.test(path) ?? false)) return c;
      break;
    }
  }
  return undefined;
}

/**
 * The class of a whole package a container does not need (kernel, init system, bootloader,
 * firmware, initramfs as recipes know them; editors, compilers, extra shells), or undefined.
 * Its `remove` entries are the package's own files.
 */
export function packageClass(name: string): ContainerClass | undefined {
  const known = notNeededClass(name);
  if (known) return { id: known.what.replace(/^an? /, '').replace(/\s+/g, '-'), reason: `${known.what}: a container runs the user's program on the host's kernel`, remove: [] };
  return PACKAGE_CLASSES.find((c) => c.matches(name));
}
