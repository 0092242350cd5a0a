/** The pseudo-tool a delegation is decided as: the article's `spawn_sub_agent`. */
export const SPAWN_TOOL = 'spawn_sub_agent';
