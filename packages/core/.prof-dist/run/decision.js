/** Turns a decision that did not run into the refusal the model receives. */
export function toRefusal(decision) {
    const detail = decision.detail ? ` ${decision.detail}` : '';
    return {
        refused: true,
        tool: decision.tool,
        decision: decision.decision,
        reasons: decision.reasons,
        message: `ORBIT did not run "${decision.tool}" (${decision.decision}: ${decision.reasons.join(', ')}).${detail} Do not retry the same call; continue with another step or flag it for human review.`,
    };
}
