/** Walks executed actions newest first and compensates each by its tier. */
export async function compensate(actions, record) {
    const report = { undone: [], undo_failed: [], manual_recovery: [], unrecoverable: [] };
    for (let i = actions.length - 1; i >= 0; i--) {
        const action = actions[i];
        if (action.reversibility === 'read_only')
            continue;
        const entry = {
            call_id: action.callId,
            tool: action.tool,
            reversibility: action.reversibility,
            ...(action.resource === undefined ? {} : { resource: action.resource }),
        };
        let result;
        let error;
        if (action.reversibility === 'irreversible')
            result = 'unrecoverable';
        else if (action.reversibility === 'partial' || !action.undo)
            result = 'manual_recovery';
        else {
            try {
                await action.undo();
                result = 'undone';
            }
            catch (caught) {
                error = caught;
                entry.error = caught instanceof Error ? caught.message : String(caught);
                result = 'undo_failed';
            }
        }
        report[result].push(entry);
        record(action, result, error);
    }
    return report;
}
