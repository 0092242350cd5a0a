import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ToolDefinition } from '@orbit-agents/core';
import { CliError, EXIT } from './cli-error.js';

/** A `defineTool` tool: a name and an `execute`. */
function isTool(value: unknown): value is ToolDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { execute?: unknown }).execute === 'function'
  );
}

/**
 * The application's tools from the module at `path` (JavaScript, or TypeScript Node can strip): its
 * `tools` export when that is an array, else every export that is a tool (a default export may be the
 * array). Undos live in the tools' code.
 *
 * @throws CliError `ERR_TOOLS_MODULE` (exit 3) when the file is missing, fails to load, or has no tools.
 */
export async function loadTools(path: string, cwd: string): Promise<ToolDefinition[]> {
  const file = resolve(cwd, path);
  if (!existsSync(file))
    throw new CliError('ERR_TOOLS_MODULE', `--tools ${path}: the file does not exist.`, EXIT.INPUT);
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CliError(
      'ERR_TOOLS_MODULE',
      `--tools ${path}: the module does not load: ${message}`,
      EXIT.INPUT,
      {
        cause: error,
      },
    );
  }
  const listed = Array.isArray(module.tools)
    ? module.tools
    : Array.isArray(module.default)
      ? module.default
      : undefined;
  const candidates = listed ?? Object.values(module);
  const tools = candidates.filter(isTool);
  if (listed && tools.length !== listed.length)
    throw new CliError(
      'ERR_TOOLS_MODULE',
      `--tools ${path}: its tools array holds something that is not a tool (expected defineTool tools: a name and an execute).`,
      EXIT.INPUT,
    );
  if (tools.length === 0)
    throw new CliError(
      'ERR_TOOLS_MODULE',
      `--tools ${path}: no tools found (expected an array export "tools", or defineTool tools as named exports).`,
      EXIT.INPUT,
    );
  return tools;
}
