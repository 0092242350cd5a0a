// Writes the manifest's JSON Schema (for editors) from the zod schema, the single source of truth.
import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ManifestSchema } from '../dist/exports/manifest.js';

const schema = z.toJSONSchema(ManifestSchema, { io: 'input', unrepresentable: 'any' });
schema.$id = 'https://orbit-agents.dev/schema/agent-manifest.schema.json';
schema.title = 'ORBIT agent manifest';
mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('../schema/agent-manifest.schema.json', import.meta.url),
  `${JSON.stringify(schema, null, 2)}\n`,
);
