/** The base of every error ORBIT throws. */
export class OrbitError extends Error {
    code;
    constructor(code, message, options) {
        super(message, options);
        this.name = 'OrbitError';
        this.code = code;
    }
}
/**
 * A manifest could not be loaded: invalid, unsigned, tampered or signed by an unknown key.
 * `issues` lists every invalid field with its path.
 */
export class ManifestError extends OrbitError {
    issues;
    constructor(code, message, issues = [], options) {
        super(code, message, options);
        this.name = 'ManifestError';
        this.issues = issues;
    }
}
/** An approval answer could not be applied: unknown request, already answered, or bound to other arguments. */
export class ApprovalError extends OrbitError {
    approvalId;
    constructor(code, message, approvalId) {
        super(code, message);
        this.name = 'ApprovalError';
        this.approvalId = approvalId;
    }
}
/** Formats a path of keys and indices the way every ORBIT error names a field. */
export function formatPath(path) {
    let out = '';
    for (const key of path) {
        if (typeof key === 'number')
            out += `[${key}]`;
        else
            out += out === '' ? String(key) : `.${String(key)}`;
    }
    return out === '' ? '(root)' : out;
}
