import { oneLine, pathKey, type PathSegment } from './path';
import { checkRemovePattern, removalBreaks } from './removal';
import { imageVerdict } from './rules/imageRef';
import { distroOf, suiteVerdict } from './rules/suite';
import { schemaAt, validateRecipeValue } from './schema';
import type { Builder } from './types';
import { verifyProblems } from './verify';

/**
 * The one recipe validator: what lint reports as an error at a field, the plan refuses with the same
 * message, and nothing else (see ARCHITECTURE.md, "One validator").
 */
export interface RecipeProblem {
  /** OB201 schema and values the build cannot run, OB202 suite, OB205 image name, OB206 removal. */
  readonly code: 'OB201' | 'OB202' | 'OB205' | 'OB206';
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** The variants each bootstrap tool runs as root, without fakechroot. */
const VARIANTS: Readonly<Record<Builder, readonly string[]>> = {
  debootstrap: ['minbase', 'buildd', '-'],
  mmdebstrap: ['minbase', 'buildd', '-', 'essential', 'apt', 'required', 'important', 'debootstrap', 'standard'],
};

/** Every variant some builder runs: the schema's `variant` enum (a test keeps them equal). */
export const ALL_VARIANTS: readonly string[] = VARIANTS.mmdebstrap;

/**
 * Why `builder` cannot bootstrap `variant`, or undefined. `how` names where the builder came from:
 * `builder: mmdebstrap` in the recipe, or the `--builder` option.
 */
export function variantProblem(variant: string, builder: Builder, how = `builder ${builder}`): string | undefined {
  if (VARIANTS[builder].includes(variant)) return undefined;
  const other: Builder = builder === 'debootstrap' ? 'mmdebstrap' : 'debootstrap';
  const hint = VARIANTS[other].includes(variant) ? ` '${variant}' is a variant of ${other}: set builder: ${other}.` : '';
  return `variant: '${variant}' cannot be built with ${how}, which runs ${VARIANTS[builder].join(', ')}.${hint}`;
}

/** The mirror URL rule (schema.json's `mirror` pattern): the plan checks the host's mirror with it too. */
export function isMirrorUrl(url: string): boolean {
  return schemaAt(['mirror'])!.pattern!.test(url);
}

const SNAPSHOT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/u;
/** A snapshot time inside a URL (`…/20261101T000000Z/`): a mirror that already names one. */
const SNAPSHOT_IN_URL = /\/\d{8}T\d{6}Z(\/|$)/u;

/**
 * Why `snapshot` is not a time a snapshot-style archive can name (schema.json's pattern, then the calendar),
 * or undefined. The plan checks it again: a recipe built without lint still gets the message.
 */
export function snapshotProblem(snapshot: string, mirror?: string): string | undefined {
  const m = SNAPSHOT.exec(snapshot);
  if (!m) return `snapshot: '${oneLine(snapshot)}' is not a UTC time as YYYYMMDDTHHMMSSZ, e.g. 20261101T000000Z.`;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return `snapshot: '${snapshot}' is not a date and time that exists (month 01-12, a day of that month, 00:00:00-23:59:59).`;
  }
  if (mirror !== undefined && SNAPSHOT_IN_URL.test(mirror)) {
    return `snapshot: the mirror ${mirror} already names a snapshot time; set mirror to the snapshot archive's base (without the time): the build appends /${snapshot}/.`;
  }
  return undefined;
}

const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {};
const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

/**
 * The problems of a recipe's value beyond its schema: what the build cannot run (OB201), unknown suites
 * (OB202), image names docker cannot tag (OB205), removals that break apt and dpkg (OB206), `verify` regular
 * expressions that do not compile (OB201). Fields of the
 * wrong type are left to the schema. Never throws.
 */
export function semanticProblems(value: unknown): RecipeProblem[] {
  const r = record(value);
  const out: RecipeProblem[] = [];
  const image = own(r, 'image');
  const suite = own(r, 'suite');
  if (typeof image === 'string' && image !== '') {
    const v = imageVerdict(image, typeof suite === 'string' ? suite : undefined);
    if (v?.severity === 'error') out.push({ code: 'OB205', path: ['image'], message: v.message });
  }
  if (typeof suite === 'string' && suite !== '') {
    const v = suiteVerdict(suite, distroOf(own(r, 'distro')));
    if (v?.severity === 'error') out.push({ code: 'OB202', path: ['suite'], message: v.message });
  }
  const variant = own(r, 'variant');
  if (typeof variant === 'string' && ALL_VARIANTS.includes(variant)) {
    const builder: Builder = own(r, 'builder') === 'mmdebstrap' ? 'mmdebstrap' : 'debootstrap';
    const why = variantProblem(variant, builder, own(r, 'builder') === undefined ? 'debootstrap (the default builder)' : undefined);
    if (why !== undefined) out.push({ code: 'OB201', path: ['variant'], message: why });
  }
  const remove = own(r, 'remove');
  if (Array.isArray(remove)) {
    remove.forEach((p: unknown, i) => {
      if (typeof p !== 'string') return;
      const path = ['remove', i];
      const why = checkRemovePattern(p);
      if (why !== undefined) { out.push({ code: 'OB201', path, message: `${pathKey(path)}: '${oneLine(p)}' ${why}.` }); return; }
      const breaks = removalBreaks(p);
      if (breaks !== undefined) out.push({ code: 'OB206', path, message: breaks });
    });
  }
  const snapshot = own(r, 'snapshot');
  if (typeof snapshot === 'string' && SNAPSHOT.test(snapshot)) {
    const mirror = own(r, 'mirror');
    const why = snapshotProblem(snapshot, typeof mirror === 'string' ? mirror : undefined);
    if (why !== undefined) out.push({ code: 'OB201', path: ['snapshot'], message: why });
  }
  for (const p of verifyProblems(own(r, 'verify'))) out.push({ code: 'OB201', ...p });
  out.push(...runtimeProblems(r));
  return out;
}

/** `profile: runtime` and `runtime:` go together; `runtime.with` names packages the root installs. */
function runtimeProblems(r: Record<string, unknown>): RecipeProblem[] {
  const profile = own(r, 'profile');
  const runtime = own(r, 'runtime');
  if (runtime !== undefined && profile !== 'runtime') {
    return [{ code: 'OB201', path: ['runtime'], message: 'runtime: goes with profile: runtime (a base recipe has no binaries to draw files for).' }];
  }
  if (profile !== 'runtime') return [];
  if (runtime === undefined) return [{ code: 'OB201', path: ['profile'], message: 'profile: runtime needs a runtime: section naming the binaries (runtime: { binaries: [{ path: ./app }] }).' }];
  const packages = own(r, 'packages');
  const installed = new Set(Array.isArray(packages) ? packages.filter((p): p is string => typeof p === 'string').map((p) => p.replace(/[:=].*$/u, '')) : []);
  const withPkgs = own(record(runtime), 'with');
  const out: RecipeProblem[] = [];
  const binaries = own(record(runtime), 'binaries');
  if (Array.isArray(binaries)) {
    binaries.forEach((b: unknown, i) => {
      const path = own(record(b), 'path');
      if (own(record(b), 'stage') !== undefined && typeof path === 'string' && !path.startsWith('/')) {
        out.push({ code: 'OB201', path: ['runtime', 'binaries', i, 'path'], message: `runtime.binaries: with stage:, path is the binary's absolute path in that stage's image, not '${oneLine(path)}'.` });
      }
    });
  }
  if (Array.isArray(withPkgs)) {
    withPkgs.forEach((p: unknown, i) => {
      if (typeof p === 'string' && !installed.has(p.replace(/[:=].*$/u, ''))) {
        out.push({ code: 'OB201', path: ['runtime', 'with', i], message: `runtime.with: ${oneLine(p)} is not in packages: the root the files come from installs only those (add it to packages).` });
      }
    });
  }
  return out;
}

/**
 * Every error of a recipe's value: its schema issues, then its semantic problems at other fields. The plan
 * refuses the first; lint reports each at its field.
 */
export function recipeErrors(value: unknown): RecipeProblem[] {
  const schema = validateRecipeValue(value).map((i): RecipeProblem => ({ code: 'OB201', path: i.path, message: i.message }));
  const taken = new Set(schema.map((p) => pathKey(p.path)));
  return [...schema, ...semanticProblems(value).filter((p) => !taken.has(pathKey(p.path)))];
}
