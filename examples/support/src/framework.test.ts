import { describe, expect, it } from 'vitest';
import { chooseFramework } from './framework.js';

describe('chooseFramework', () => {
  it("runs on the demo's default when neither a flag nor ORBIT_FRAMEWORK says otherwise", () => {
    expect(chooseFramework([], {}, 'langgraph')).toBe('langgraph');
    expect(chooseFramework(['--verbose'], { ORBIT_FRAMEWORK: '' }, 'core')).toBe('core');
  });

  it('takes ORBIT_FRAMEWORK, and a flag over it', () => {
    expect(chooseFramework([], { ORBIT_FRAMEWORK: 'vercel-ai' }, 'langgraph')).toBe('vercel-ai');
    expect(chooseFramework(['--core'], { ORBIT_FRAMEWORK: 'vercel-ai' }, 'langgraph')).toBe('core');
    expect(chooseFramework(['--vercel-ai'], {}, 'core')).toBe('vercel-ai');
    expect(chooseFramework([], { ORBIT_FRAMEWORK: 'openai-agents' }, 'langgraph')).toBe('openai-agents');
    expect(chooseFramework(['--openai-agents'], { ORBIT_FRAMEWORK: 'vercel-ai' }, 'core')).toBe(
      'openai-agents',
    );
  });

  it('refuses an unknown ORBIT_FRAMEWORK and two different flags, naming what it expected', () => {
    expect(() => chooseFramework([], { ORBIT_FRAMEWORK: 'vercel' }, 'core')).toThrow(
      'Expected ORBIT_FRAMEWORK to be one of core, langgraph, vercel-ai, openai-agents, got "vercel".',
    );
    expect(() => chooseFramework(['--core', '--vercel-ai'], {}, 'core')).toThrow(
      'Expected at most one framework flag, got --core and --vercel-ai.',
    );
    expect(() => chooseFramework(['--openai-agents', '--langgraph'], {}, 'core')).toThrow(
      'Expected at most one framework flag, got --openai-agents and --langgraph.',
    );
    expect(() => chooseFramework([], { ORBIT_FRAMEWORK: 'openai' }, 'core')).toThrow('got "openai"');
    expect(chooseFramework(['--core', '--core'], {}, 'langgraph')).toBe('core');
  });
});
