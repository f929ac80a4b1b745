/** A recipe becomes a Plan of Steps (argv, reason, cleanup); the same plan is shown, run and exported. */
export type { Plan, Step, StepKind, ImageSpec, InProcessAction } from './types';
export { planBuild, PlanError, checkRemovePattern, type PlanOptions } from './plan';
export { planToScript, stepCommandLine, type ScriptOptions } from './script';
export { shQuote, shJoin } from './quote';
export { probeCache, cacheDirFor, cacheCovers, type CacheProbe } from './cache';
export { hostMirror, mirrorFromSources } from './mirror';
export { detectBuildHost, defaultWorkBase, findProgram, DEFAULT_CACHE_ROOT, type BuildHost } from './host';
