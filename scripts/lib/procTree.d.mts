/** Every living descendant of `pid` (children, their children, …), read from /proc; empty where there is none. */
export function descendants(pid: number): number[];
