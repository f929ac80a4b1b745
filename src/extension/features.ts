// The lazy half of the extension, dist/features.js: what runs when a command is invoked, not at activation.
// activate() registers thin handlers that require this bundle on first use (featuresModule.ts); the state the
// two halves share (Services: the recipe index, the build tracker, the log…) lives in extension.js and is passed
// in, so no class or module-level value exists twice. See ARCHITECTURE.md.
export { buildCommand, cancelBuildCommand } from './commands/build';
export { commitContainerCommand } from './commands/commitContainer';
export { enterChrootCommand } from './commands/enterChroot';
export { exportContainerCommand } from './commands/exportContainer';
export { exportScriptCommand } from './commands/exportScript';
export { importFolderCommand } from './commands/importFolder';
export { resolveRecipe } from './commands/recipeTarget';
export { openInspector } from './inspector/open';
export { needsCommand } from './needs/command';
export { buildFromView, fixBase, openRecipe, openUse, pruneImages, removeImage, runShell } from './tree/commands';
export { newRecipeCommand } from './tree/newRecipeFlow';
export { taskFor } from './tree/tasks';
export { runRecipeChecks } from './testing/run';
