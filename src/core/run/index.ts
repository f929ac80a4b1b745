/** Runs a Plan step by step (argv in process groups, or in-process handlers), always cleaning up; the build events faces read. */
export { runPlan, type RunEvent, type RunResult, type RunOptions, type Runnable, type InProcessHandler, type InProcessContext, type Outcome, type Phase } from './runner';
export { runProcess, startProcess, GroupProcess, exitStatus, terminateThenKill, interruptThenTerminate, type ProcessOptions, type ProcessResult, type StartOptions, type ProcessExit, type CancelSignal } from './process';
export { mountsUnder, parseMountinfo } from './mounts';
export * from './events';
export { renderBuildEvent, type TextChunk } from './render';
export { BUILD_STARTED, endBuildState, nextBuildState, type BuildState, type CurrentStep } from './buildState';
