/**
 * Every command of `cdc`, one file each: a command is added by writing its file (exporting a
 * `register<Name>(program)`) and listing it here, in the order `cdc --help` shows them.
 */
import type { Command } from 'commander';
import { registerBackfill } from './backfill';
import { registerHistory } from './history';
import { registerPrune } from './prune';
import { registerRedrive } from './redrive';
import { registerStatus } from './status';
import { registerTail } from './tail';
import { registerVerify } from './verify';

export const COMMANDS: readonly ((program: Command) => void)[] = [
  registerRedrive,
  registerBackfill,
  registerHistory,
  registerStatus,
  registerTail,
  registerVerify,
  registerPrune,
];
