// Dependency rules for the ORBIT monorepo, checked by `pnpm deps` (part of `pnpm test`).
//
// Paths are relative to the repository root. A dependency's `path` is the file it resolves to
// (`.js` specifiers resolve to the `.ts` sources), or, when it cannot be resolved, the specifier as
// written. Workspace packages imported by name resolve to their `dist/` through the node_modules
// symlinks once built, and are unresolvable before: the patterns below match both forms.

/** The agent frameworks the core must never depend on, as module names. */
const FRAMEWORKS = '(langchain|@langchain/[^/]+|ai|@ai-sdk/[^/]+|@openai/agents[^/]*|openai)';

/** The framework adapters, by folder name under packages/ (and package name under @orbit-agents/). */
const ADAPTERS = '(langgraph|vercel-ai|openai-agents)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-no-agent-framework',
      severity: 'error',
      comment:
        'packages/core/src is framework-neutral: it imports no agent framework (LangChain, Vercel AI SDK, ' +
        'OpenAI Agents SDK, OpenAI client). Framework code belongs in an adapter package.',
      from: { path: '^packages/core/src/' },
      to: { path: [`^${FRAMEWORKS}(/|$)`, `(^|/)node_modules/${FRAMEWORKS}/`] },
    },
    {
      name: 'core-no-workspace-package',
      severity: 'error',
      comment:
        'packages/core/src imports no other workspace package (adapters, cli) and nothing under ' +
        'examples/: everything else depends on the core, never the other way round.',
      from: { path: '^packages/core/src/' },
      to: {
        path: ['^packages/(?!core/)[^/]+/', '^examples/', '(^|/)@orbit-agents/(?!core(/|$))'],
      },
    },
    {
      name: 'adapters-not-each-other',
      severity: 'error',
      comment:
        'A framework adapter (packages/langgraph, packages/vercel-ai, packages/openai-agents, tests ' +
        'included) never imports another adapter, by relative path or by package name: adapters depend ' +
        'on the core only.',
      from: { path: `^packages/${ADAPTERS}/` },
      to: {
        path: [
          `^packages/${ADAPTERS}/`,
          `(^|/)node_modules/@orbit-agents/${ADAPTERS}(/|$)`,
          `^@orbit-agents/${ADAPTERS}(/|$)`,
          `^(\\.\\./)+(packages/)?${ADAPTERS}/`,
        ],
        pathNot: ['^packages/$1/', '(^|/)node_modules/@orbit-agents/$1(/|$)', '^@orbit-agents/$1(/|$)'],
      },
    },
    {
      name: 'core-detectors-metrics-not-run',
      severity: 'error',
      comment:
        'The detectors and metrics read audit events; they never import the run (src/run/). Shared ' +
        'constants live outside run/ (e.g. src/trust/spawn-tool.ts).',
      from: { path: '^packages/core/src/(detectors|metrics)/' },
      to: { path: '^packages/core/src/run/' },
    },
    {
      name: 'no-circular-in-src',
      severity: 'error',
      comment:
        'No import cycles inside a package source (packages/*/src); a type-only import does not load a module, so it cannot close one.',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true, path: '^packages/[^/]+/src/', viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-unresolvable-relative',
      severity: 'error',
      comment:
        'A relative import must resolve to a file (a typo, or a path into a package that does not exist). ' +
        'Package names are left to the type checker: workspace packages resolve only once built.',
      from: {},
      // A build output (e.g. packages/core/scripts importing ../dist/index.js) exists only after a build.
      to: { couldNotResolve: true, path: '^\\.{1,2}/', pathNot: '(^|/)dist/' },
    },
  ],
  options: {
    // dist/ and node_modules are not cruised, but imports into them are still seen by the rules.
    doNotFollow: { path: ['(^|/)node_modules/', '(^|/)dist/'] },
    exclude: { path: ['(^|/)\\.turbo/', '(^|/)coverage/', '(^|/)\\.prof-dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
