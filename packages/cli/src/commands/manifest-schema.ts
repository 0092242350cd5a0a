import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { EXIT } from '../cli-error.js';
import type { Command } from '../command.js';

/** `orbit manifest schema`: the manifest's JSON Schema (for editors and CI validators). */
export const manifestSchema: Command = {
  path: ['manifest', 'schema'],
  summary: "print the manifest's JSON Schema",
  usage: [
    'orbit manifest schema',
    '',
    'Prints the JSON Schema of agent-manifest.yaml (draft 2020-12), the one @orbit-agents/core ships, for an',
    'editor (yaml-language-server: $schema=...) or a CI validator.',
  ].join('\n'),
  async run(_args, io) {
    const path = createRequire(import.meta.url).resolve('@orbit-agents/core/agent-manifest.schema.json');
    io.out(await readFile(path, 'utf8'));
    return EXIT.OK;
  },
};
