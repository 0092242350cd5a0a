// The scripted model's shapes the adapter benches time: how many turns, how many parallel tool calls per turn.

/** One tool call the scripted model makes (both adapters' scripted models take this form). */
export interface ScriptedToolCall {
  name: string;
  args: Record<string, unknown>;
  id: string;
}

/** A shape of the model's script: its model turns, each a list of parallel tool calls. */
export interface Shape {
  /** `1 turn × 10 calls` or `10 turns × 1 call`, as the tables print it. */
  name: string;
  turns: ScriptedToolCall[][];
  /** Tool calls in all. */
  calls: number;
}

/**
 * `turns` model turns of `perTurn` parallel `read` calls each, every one with confidence 0.99 (it proceeds).
 *
 * @example
 * const [parallel, sequential] = [shapeOf(1, 10), shapeOf(10, 1)];
 */
export function shapeOf(turns: number, perTurn: number): Shape {
  return {
    name: turns === 1 ? `1 turn × ${perTurn} calls` : `${turns} turns × ${perTurn} call`,
    turns: Array.from({ length: turns }, (_, t) =>
      Array.from({ length: perTurn }, (_, i) => ({
        name: 'read',
        args: { id: `r${t}-${i}`, confidence: 0.99 },
        id: `call-${t}-${i}`,
      })),
    ),
    calls: turns * perTurn,
  };
}
