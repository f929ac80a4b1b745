/** Where recipes are: the glob every recipe watcher and search uses. */
export const RECIPE_GLOB = '**/*.ownbase.{yaml,yml}';
