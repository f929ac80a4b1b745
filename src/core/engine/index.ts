/** The Docker engine through dockerode, and a daemonless image-archive writer. */
export * from './archive';
export * from './commit';
export * from './connect';
export * from './endpoint';
export * from './export';
export * from './extract';
export * from './imageConfig';
export * from './import';
export * from './labels';
export * from './layer';
export * from './list';
export * from './tarWalk';
