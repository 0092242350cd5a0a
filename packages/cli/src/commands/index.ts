import type { Command } from '../command.js';
import { manifestSchema } from './manifest-schema.js';
import { report } from './report.js';

/** Every `orbit` command, in the order `orbit --help` lists them. One file per command. */
export const COMMANDS: readonly Command[] = [manifestSchema, report];
