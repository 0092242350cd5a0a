/** The frameworks an example can run its scenario on. */
export const FRAMEWORKS = ['core', 'langgraph', 'vercel-ai', 'openai-agents'] as const;

/**
 * `core`: the core-only reference; `langgraph`: LangChain createAgent + LangGraph; `vercel-ai`: the Vercel AI
 * SDK; `openai-agents`: the OpenAI Agents SDK.
 */
export type Framework = (typeof FRAMEWORKS)[number];

const isFramework = (value: string): value is Framework => (FRAMEWORKS as readonly string[]).includes(value);

/**
 * The framework a demo runs on: a flag (`--core`, `--langgraph`, `--vercel-ai`, `--openai-agents`) wins; else the
 * `ORBIT_FRAMEWORK` environment variable (so that `ORBIT_FRAMEWORK=vercel-ai pnpm demo` reaches the
 * example through the root script); else the demo's own default.
 *
 * @throws Error when two different framework flags are given, or `ORBIT_FRAMEWORK` names none of them.
 * @example
 * const framework = chooseFramework(process.argv.slice(2), process.env, 'langgraph');
 */
export function chooseFramework(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  fallback: Framework,
): Framework {
  const flagged = [...new Set(args.map((arg) => arg.replace(/^--/, '')).filter(isFramework))];
  if (flagged.length > 1) {
    throw new Error(
      `Expected at most one framework flag, got ${flagged.map((f) => `--${f}`).join(' and ')}.`,
    );
  }
  if (flagged[0]) return flagged[0];
  const named = env.ORBIT_FRAMEWORK?.trim();
  if (!named) return fallback;
  if (!isFramework(named)) {
    throw new Error(`Expected ORBIT_FRAMEWORK to be one of ${FRAMEWORKS.join(', ')}, got "${named}".`);
  }
  return named;
}
