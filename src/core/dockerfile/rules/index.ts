import type { Rule } from '../rule';
import { multipleFrom } from './multipleFrom';
import { crossArchException } from './crossArchException';
import { notOwnedBase } from './notOwnedBase';
import { unpinnedBase } from './unpinnedBase';
import { unresolvedArgInFrom } from './unresolvedArgInFrom';

/** Every Dockerfile rule, in code order. */
export const DOCKERFILE_RULES: readonly Rule[] = [multipleFrom, crossArchException, notOwnedBase, unpinnedBase, unresolvedArgInFrom];
