/** The recipe (`*.ownbase.yaml`): schema, parse with source ranges, rules, completion, derivation. */
export type { Recipe, ImageConfig, Distro, Builder } from './types';
export { parseRecipe, nodeAt, rangeFor, fieldAt, type ParsedRecipe, type NodeInfo } from './parse';
export { pathKey, type PathSegment } from './path';
export { lintRecipe, lintParsedRecipe, loadRecipe, type RecipeLintOptions } from './lint';
export { RECIPE_RULES } from './rules';
export type { RecipeRule, RecipeRuleContext } from './rules/rule';
export { completeRecipe, type RecipeCompletion } from './completion';
export { baseFromImage, DEFAULT_DEBIAN_SUITE, type DerivedBase } from './derive';
export { serializeRecipe } from './serialize';
export { parseImageRef, type ImageRef } from '../kernel/imageRef';
export type { HostProbe } from './host';
export { RECIPE_JSON_SCHEMA, describeField, validateRecipeValue, type SchemaIssue } from './schema';
export { isNotNeededInContainer } from './notNeeded';
