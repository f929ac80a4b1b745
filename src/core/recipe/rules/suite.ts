import type { Diagnostic, Fix } from '../../kernel/diagnostic';
import { didYouMean } from '../didYouMean';
import { replaceNode, scalarText } from '../edits';
import { nodeAt, type ParsedRecipe } from '../parse';
import { oneLine } from '../path';
import { findSuite, suiteByVersion, suiteLabel, SUITES, suitesOf, type Suite } from '../suites';
import type { Distro } from '../types';
import { stringField, type Located, type RecipeRule } from './rule';

const DISTRO_NAME: Record<Distro, string> = { debian: 'Debian', ubuntu: 'Ubuntu' };
const A_DISTRO: Record<Distro, string> = { debian: 'a Debian', ubuntu: 'an Ubuntu' };
const POCKET = /^(.+)-(updates|security|backports|backports-sloppy|proposed)$/;

function replaceSuite(parsed: ParsedRecipe, suite: Located, to: string): Fix[] {
  if (!suite.node || suite.node.kind !== 'scalar') return [];
  return [{ title: `Change suite to '${to}'`, kind: 'quickfix', isPreferred: true, safe: false,
    changes: [{ edits: [replaceNode(parsed, suite.node, scalarText(suite.node, to))] }] }];
}

function examples(distro: Distro | undefined): string {
  return distro === 'ubuntu' ? 'noble, jammy, focal' : distro === 'debian' ? 'trixie, bookworm, sid' : 'trixie, bookworm (Debian) or noble, jammy (Ubuntu)';
}

/** What OB202 says about a suite of a distro (undefined distro: not yet known), with the fix it offers. */
export interface SuiteVerdict {
  readonly severity: Diagnostic['severity'];
  readonly message: string;
  /** Change the suite to this. */
  readonly suite?: string;
  /** Change the distro to this. */
  readonly distro?: Distro;
}

/** OB202's verdict on a non-empty suite name; undefined when it is a release of the distro. */
export function suiteVerdict(suite: string, distro: Distro | undefined): SuiteVerdict | undefined {
  const name = oneLine(suite);
  const known = findSuite(suite);
  if (known) {
    if (distro && known.distro !== distro) {
      return { severity: 'error', distro: known.distro, message: `'${name}' is ${A_DISTRO[known.distro]} suite (${suiteLabel(known)}), `
        + `not ${A_DISTRO[distro]} one: set distro: ${known.distro}, or choose ${A_DISTRO[distro]} suite such as ${examples(distro)}.` };
    }
    if (known.alias) {
      return { severity: 'hint', message: `'${name}' is an alias that moves to a new ${DISTRO_NAME[known.distro]} release every two years: `
        + `name a codename (e.g. trixie) so the base stays the same until you change it.` };
    }
    return undefined;
  }
  if (suite === 'experimental' && distro !== 'ubuntu') {
    return { severity: 'error', suite: 'sid',
      message: "'experimental' is not a complete suite and cannot be bootstrapped: bootstrap sid and add experimental as an apt source." };
  }
  const numbered = distro ? suiteByVersion(distro, suite) : undefined;
  if (numbered) {
    return { severity: 'error', suite: numbered.name,
      message: `'${name}' is a release number: the bootstrap takes the codename, ${numbered.name} (${suiteLabel(numbered)}).` };
  }
  const pocket = POCKET.exec(suite);
  const base = pocket ? findSuite(pocket[1]!) : undefined;
  if (pocket && base && (!distro || base.distro === distro)) {
    return { severity: 'error', suite: base.name, message: `'${name}' is the ${pocket[2]} pocket of ${base.name}, not a suite: bootstrap ${base.name} `
      + `(apt gets ${pocket[2]} through its sources).` };
  }
  const candidates: readonly Suite[] = distro ? suitesOf(distro) : SUITES;
  const suggestion = didYouMean(suite, candidates.map((s) => s.name));
  const which = distro ? `${DISTRO_NAME[distro]} suite` : 'suite';
  const hint = suggestion ? ` Did you mean '${suggestion}'?` : ` Use a codename such as ${examples(distro)}.`;
  return { severity: 'error', message: `Unknown ${which} '${name}'.${hint}`, ...(suggestion !== undefined && { suite: suggestion }) };
}

/** The recipe's distro when it is a valid one. */
export const distroOf = (d: unknown): Distro | undefined => (d === 'debian' || d === 'ubuntu' ? d : undefined);

export const suiteRule: RecipeRule = {
  code: 'OB202',
  name: 'unknown-suite',
  defaultSeverity: 'error',
  description: "The suite must be a release of the recipe's distro: a Debian codename (bookworm, trixie, sid, …) or "
    + 'alias (stable, testing, …), or an Ubuntu codename (jammy, noble, …). A suite of the other distro, an update pocket or a '
    + 'typo fails the bootstrap.',
  check({ parsed }): Diagnostic[] {
    const suite = stringField(parsed, 'suite');
    if (!suite || suite.value === '') return [];
    const verdict = suiteVerdict(suite.value, distroOf(stringField(parsed, 'distro')?.value));
    if (!verdict) return [];
    const fixes: Fix[] = [];
    if (verdict.suite !== undefined) fixes.push(...replaceSuite(parsed, suite, verdict.suite));
    if (verdict.distro !== undefined) {
      const distroNode = nodeAt(parsed, ['distro']);
      if (distroNode && distroNode.kind === 'scalar') {
        fixes.push({ title: `Set distro to ${verdict.distro}`, kind: 'quickfix', isPreferred: true, safe: false,
          changes: [{ edits: [replaceNode(parsed, distroNode, scalarText(distroNode, verdict.distro))] }] });
      }
    }
    return [{ code: 'OB202', severity: verdict.severity, message: verdict.message, range: suite.range, ...(fixes.length > 0 && { fixes }) }];
  },
};
