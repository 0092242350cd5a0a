import type { Command } from '../command.js';
import { consoleCommand } from './console.js';
import { manifestSchema } from './manifest-schema.js';

/** Every `orbit` command, in the order `orbit --help` lists them. One file per command. */
export const COMMANDS: readonly Command[] = [manifestSchema, consoleCommand];
