import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The first fenced block of `language` after `heading` in the README. */
function blockAfter(readme: string, heading: string, language: string): string {
  const from = readme.indexOf(heading);
  expect(from, `README has no "${heading}"`).toBeGreaterThanOrEqual(0);
  const match = readme.slice(from).match(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\\n\`\`\`\\n`));
  expect(match, `no \`\`\`${language} block after "${heading}"`).not.toBeNull();
  return match![1]!;
}

// The README's quick start, run as a new user runs it (its imports resolve from this package: the built
// dist of @orbit-agents/langgraph and core, langchain, jose), prints exactly the output the README shows.
it('the README quick start runs as written and prints what the README says', async () => {
  const readme = await readFile(`${packageDir}README.md`, 'utf8');
  const script = blockAfter(readme, '## Quick start', 'ts');
  const expected = blockAfter(readme, '## Quick start', 'text');
  const file = `${packageDir}.readme-quickstart-${process.pid}.ts`;
  await writeFile(file, script);
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
      cwd: packageDir,
      timeout: 60_000,
    });
    expect(stdout.trimEnd()).toBe(expected.trimEnd());
  } finally {
    await rm(file, { force: true });
  }
}, 90_000);
