import { breaksPackageManagerRule } from './breaksPackageManager';
import { duplicatePackageRule } from './duplicatePackage';
import { foreignArchRule } from './foreignArch';
import { imageRefRule } from './imageRef';
import { notInContainerRule } from './notInContainer';
import type { RecipeRule } from './rule';
import { schemaRule } from './schema';
import { suiteRule } from './suite';
import { updatesRule } from './updates';

/** Every recipe rule, in code order; lintRecipe runs them all. */
export const RECIPE_RULES: readonly RecipeRule[] = [
  schemaRule,
  suiteRule,
  foreignArchRule,
  notInContainerRule,
  imageRefRule,
  breaksPackageManagerRule,
  duplicatePackageRule,
  updatesRule,
];
