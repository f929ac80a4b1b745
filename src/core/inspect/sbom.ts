import { randomUUID } from 'node:crypto';
import type { Report } from './report';

export interface SbomOptions {
  /** Tool name and version in the document's creators. */
  readonly tool?: string;
  /** Fixed for reproducible output (tests); default now. */
  readonly created?: Date;
  /** Fixed for reproducible output (tests); default random. */
  readonly uuid?: string;
}

/** `distro=` of a purl: `debian-12`, else the id alone. */
function distro(r: Report): string | undefined {
  if (!r.os) return undefined;
  return r.os.versionId ? `${r.os.id}-${r.os.versionId}` : r.os.id;
}

/**
 * `pkg:deb/debian/NAME@VERSION?arch=…&distro=…` (`pkg:apk/alpine/…` for an apk database); the namespace
 * is the OS id (debian, ubuntu, alpine).
 */
export function debPurl(r: Report, name: string, version: string, arch: string): string {
  const apk = r.packageManager === 'apk';
  const ns = r.os?.id ?? (apk ? 'alpine' : 'debian');
  const q = [`arch=${encodeURIComponent(arch)}`];
  const d = distro(r);
  if (d) q.push(`distro=${encodeURIComponent(d)}`);
  return `pkg:${apk ? 'apk' : 'deb'}/${encodeURIComponent(ns)}/${encodeURIComponent(name)}@${encodeURIComponent(version)}?${q.join('&')}`;
}

const spdxId = (s: string): string => s.replace(/[^A-Za-z0-9.-]/g, '-');
const packageId = (r: Report, name: string, arch: string): string => `SPDXRef-Package-${r.packageManager === 'apk' ? 'apk' : 'deb'}-${spdxId(name)}-${spdxId(arch)}`;

/** SPDX 2.3 JSON: one package per installed package and one for the operating system. */
export function toSpdx(r: Report, opts: SbomOptions = {}): object {
  const created = (opts.created ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const uuid = opts.uuid ?? randomUUID();
  const tool = opts.tool ?? 'ownbase';
  const osId = 'SPDXRef-OperatingSystem';
  const packages: object[] = [];
  if (r.os) {
    packages.push({
      name: r.os.id, SPDXID: osId, versionInfo: r.os.versionId ?? 'NOASSERTION', downloadLocation: 'NOASSERTION',
      filesAnalyzed: false, primaryPackagePurpose: 'OPERATING-SYSTEM', ...(r.os.prettyName ? { description: r.os.prettyName } : {}),
    });
  }
  for (const p of r.packages) {
    packages.push({
      name: p.name, SPDXID: packageId(r, p.name, p.arch), versionInfo: p.version,
      downloadLocation: 'NOASSERTION', filesAnalyzed: false, primaryPackagePurpose: 'LIBRARY',
      sourceInfo: `built from source package ${p.source} ${p.sourceVersion}`,
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: debPurl(r, p.name, p.version, p.arch) }],
    });
  }
  const described = r.os ? osId : 'SPDXRef-DOCUMENT';
  return {
    spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: r.source,
    documentNamespace: `urn:uuid:${uuid}`,
    creationInfo: { created, creators: [`Tool: ${tool}`] },
    packages,
    relationships: [
      ...(r.os ? [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: osId }] : []),
      ...r.packages.map((p) => ({ spdxElementId: described, relationshipType: r.os ? 'CONTAINS' : 'DESCRIBES', relatedSpdxElement: packageId(r, p.name, p.arch) })),
    ],
  };
}

/** CycloneDX 1.5 JSON: a library component per package, the OS as an operating-system component. */
export function toCycloneDx(r: Report, opts: SbomOptions = {}): object {
  const created = (opts.created ?? new Date()).toISOString();
  const components: object[] = r.packages.map((p) => {
    const purl = debPurl(r, p.name, p.version, p.arch);
    return {
      type: 'library', 'bom-ref': purl, name: p.name, version: p.version, purl,
      properties: [
        { name: 'ownbase:arch', value: p.arch },
        { name: 'ownbase:source', value: p.source },
        { name: 'ownbase:sourceVersion', value: p.sourceVersion },
      ],
    };
  });
  if (r.os) components.push({ type: 'operating-system', 'bom-ref': `os:${r.os.id}`, name: r.os.id, ...(r.os.versionId ? { version: r.os.versionId } : {}), ...(r.os.prettyName ? { description: r.os.prettyName } : {}) });
  return {
    bomFormat: 'CycloneDX', specVersion: '1.5', serialNumber: `urn:uuid:${opts.uuid ?? randomUUID()}`, version: 1,
    metadata: {
      timestamp: created,
      tools: { components: [{ type: 'application', name: opts.tool ?? 'ownbase' }] },
      component: { type: 'container', 'bom-ref': 'image', name: r.source },
    },
    components,
  };
}
