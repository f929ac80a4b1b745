/** What a binary needs at run time: ELF reader, loader-faithful resolver, files -> dpkg packages (ARCHITECTURE.md). */
export * from './ldconf';
export * from './needs';
export * from './packages';
export * from './read';
export * from './resolve';
export * from './root';
export * from './image';
export * from './recipe';
