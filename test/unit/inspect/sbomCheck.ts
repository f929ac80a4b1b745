// Checkers of the SBOMs against their specifications, for the unit and integration tests: CycloneDX 1.5 by
// @cyclonedx/cyclonedx-library's strict JSON validator (the schemas it ships), SPDX 2.3 field by field.
import { createRequire } from 'node:module';

type CycloneDxLibrary = typeof import('@cyclonedx/cyclonedx-library');
// Loaded from node_modules at run time, not bundled: its validator reads the schema files beside itself.
const cdx = createRequire(__filename)('@cyclonedx/cyclonedx-library') as CycloneDxLibrary;

/** The validator's findings, or null when the document is valid CycloneDX 1.5. */
export async function cycloneDx15Problems(doc: object): Promise<unknown> {
  return new cdx.Validation.JsonStrictValidator(cdx.Spec.Version.v1dot5).validate(JSON.stringify(doc));
}

const PURPOSES = new Set(['APPLICATION', 'FRAMEWORK', 'LIBRARY', 'CONTAINER', 'OPERATING-SYSTEM', 'DEVICE', 'FIRMWARE', 'SOURCE', 'ARCHIVE', 'FILE', 'INSTALL', 'OTHER']);
const REF_CATEGORIES = new Set(['SECURITY', 'PACKAGE-MANAGER', 'PERSISTENT-ID', 'OTHER']);
const RELATIONSHIPS = new Set(['DESCRIBES', 'DESCRIBED_BY', 'CONTAINS', 'CONTAINED_BY', 'DEPENDS_ON', 'DEPENDENCY_OF', 'GENERATED_FROM', 'OTHER']);
const SPDX_ID = /^SPDXRef-[A-Za-z0-9.-]+$/;
const CREATED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * What an SPDX 2.3 JSON document breaks of the spec (clauses 6 and 7): the creation information every
 * document needs, every package's required fields, and relationships that name elements of the document.
 */
export function spdx23Problems(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  if (doc['spdxVersion'] !== 'SPDX-2.3') out.push('6.1 spdxVersion must be SPDX-2.3');
  if (doc['dataLicense'] !== 'CC0-1.0') out.push('6.2 dataLicense must be CC0-1.0');
  if (doc['SPDXID'] !== 'SPDXRef-DOCUMENT') out.push('6.3 SPDXID must be SPDXRef-DOCUMENT');
  if (!str(doc['name'])) out.push('6.4 name is required');
  const ns = doc['documentNamespace'];
  if (!str(ns) || !/^[a-z][a-z0-9+.-]*:/i.test(ns) || ns.includes('#')) out.push('6.5 documentNamespace must be a URI without #');
  const ci = doc['creationInfo'] as { creators?: unknown; created?: unknown } | undefined;
  const creators = Array.isArray(ci?.creators) ? ci.creators : [];
  if (creators.length === 0 || !creators.every((c) => typeof c === 'string' && /^(Tool|Person|Organization): \S/.test(c))) out.push('6.8 creators: one or more of Tool:, Person:, Organization:');
  if (typeof ci?.created !== 'string' || !CREATED.test(ci.created)) out.push('6.9 created must be YYYY-MM-DDThh:mm:ssZ');
  const ids = new Set(['SPDXRef-DOCUMENT']);
  const packages = Array.isArray(doc['packages']) ? doc['packages'] as Record<string, unknown>[] : [];
  for (const [i, p] of packages.entries()) {
    const at = `packages[${i}] (${String(p['name'])})`;
    if (!str(p['name'])) out.push(`${at}: 7.1 name is required`);
    const id = p['SPDXID'];
    if (typeof id !== 'string' || !SPDX_ID.test(id)) out.push(`${at}: 7.2 SPDXID must match SPDXRef-[A-Za-z0-9.-]+`);
    else if (ids.has(id)) out.push(`${at}: 7.2 SPDXID ${id} is not unique`);
    else ids.add(id);
    const dl = p['downloadLocation'];
    if (!(dl === 'NONE' || dl === 'NOASSERTION' || (str(dl) && /^[a-z+]+:/.test(dl)))) out.push(`${at}: 7.7 downloadLocation must be NONE, NOASSERTION or a location`);
    if (p['filesAnalyzed'] !== false && p['packageVerificationCode'] === undefined) out.push(`${at}: 7.9 packageVerificationCode is required unless filesAnalyzed is false`);
    if (p['versionInfo'] !== undefined && !str(p['versionInfo'])) out.push(`${at}: 7.3 versionInfo must be text`);
    if (p['primaryPackagePurpose'] !== undefined && !PURPOSES.has(String(p['primaryPackagePurpose']))) out.push(`${at}: 7.24 primaryPackagePurpose ${String(p['primaryPackagePurpose'])}`);
    for (const r of (p['externalRefs'] ?? []) as Record<string, unknown>[]) {
      if (!REF_CATEGORIES.has(String(r['referenceCategory'])) || !str(r['referenceType']) || !str(r['referenceLocator'])) out.push(`${at}: 7.21 externalRefs need a category, type and locator`);
      if (r['referenceType'] === 'purl' && !/^pkg:[a-z]+\/.+/.test(String(r['referenceLocator']))) out.push(`${at}: 7.21 purl locator ${String(r['referenceLocator'])}`);
    }
  }
  const rels = Array.isArray(doc['relationships']) ? doc['relationships'] as Record<string, unknown>[] : [];
  for (const [i, r] of rels.entries()) {
    if (!ids.has(String(r['spdxElementId'])) || !ids.has(String(r['relatedSpdxElement']))) out.push(`relationships[${i}]: 11.1 names an element the document does not have`);
    if (!RELATIONSHIPS.has(String(r['relationshipType']))) out.push(`relationships[${i}]: 11.1 relationshipType ${String(r['relationshipType'])}`);
  }
  if (!rels.some((r) => r['spdxElementId'] === 'SPDXRef-DOCUMENT' && r['relationshipType'] === 'DESCRIBES')) out.push('6.x the document must DESCRIBE at least one element');
  return out;
}
