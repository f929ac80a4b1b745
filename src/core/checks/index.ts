/** Checks of what an image must do (the recipe's `verify:`): the model, the runner, two drivers. See ARCHITECTURE.md. */
export { BUILTINS, checksOf, type BuiltinName, type Check, type CheckKind } from './model';
export { runChecks, formatBytes, type RunChecksOptions } from './run';
export { reportOf, type CheckReport, type CheckResult, type CheckStatus } from './result';
export { engineTarget, imageFacts } from './engine';
export { rootfsTarget, userSpec, type RootfsOptions } from './rootfs';
export type { CheckTarget, ExecOptions, ExecResult, ImageFacts } from './target';
export { formatJunit, xmlEscape } from './junit';
export { checkRanges, recipeCheckItems } from './locate';
export { discardPending, failedTag, isFinalTag, keepAsFailed, pendingTag, promote } from './tags';
