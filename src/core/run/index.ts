/** Runs a Plan step by step (argv via execa, or in-process handlers), always cleaning up; faces subscribe to its events. */
export { runPlan, type RunEvent, type RunResult, type RunOptions, type Runnable, type InProcessHandler, type InProcessContext, type Outcome, type Phase } from './runner';
export { runProcess, type ProcessOptions, type ProcessResult } from './process';
export { mountsUnder, parseMountinfo } from './mounts';
