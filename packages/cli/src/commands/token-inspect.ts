import { resolve } from 'node:path';
import { TokenError, TokenScopeSchema, verifyTokenSignature } from '@orbit-agents/core/trust';
import { CliError, EXIT } from '../cli-error.js';
import type { Command } from '../command.js';
import { emit, styleOf } from '../io.js';
import { publicJwk, readPublicKey } from '../keys.js';
import { onePositional, readStdin, stringOption } from '../read-input.js';
import { printable } from '../report/escape.js';

/** The core's clock skew for `exp` and `nbf` (`TrustAuthority`'s default). */
const SKEW_SECONDS = 5;

const notAToken = (why: string) =>
  new CliError('ERR_NOT_A_TOKEN', `not an ORBIT trust token: ${why}.`, EXIT.INPUT);

function decodePart(part: string | undefined, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw notAToken(`its ${what} is not a base64url JSON object`);
}

/** Header and claims of a compact JWT, unverified: what the token says about itself. */
function decode(token: string) {
  const parts = token.split('.');
  if (parts.length !== 3)
    throw notAToken(`a compact JWT has 3 parts separated by ".", this has ${parts.length}`);
  const header = decodePart(parts[0], 'header');
  const claims = decodePart(parts[1], 'payload');
  const orbit = claims.orbit as Record<string, unknown> | undefined;
  if (typeof orbit !== 'object' || orbit === null) throw notAToken('it carries no "orbit" claims');
  const scope = TokenScopeSchema.safeParse(orbit.scope);
  if (!scope.success)
    throw notAToken(`its orbit.scope is not a token scope (${scope.error.issues[0]?.message})`);
  return { header, claims, orbit, scope: scope.data };
}

/** A NumericDate as ISO 8601; `null` when absent or outside what a date can hold (a hostile `exp: 1e300`). */
const iso = (seconds: unknown) => {
  if (typeof seconds !== 'number') return null;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

/** `orbit token inspect`: a trust token's claims, its expiry, and with `--key` its signature. */
export const tokenInspect: Command = {
  path: ['token', 'inspect'],
  summary: "show a trust token's scope, parent chain and expiry; verify it with --key",
  usage: [
    'orbit token inspect <token | -> [--key <public.pem>] [--audience <agent>] [--issuer <iss>]',
    '',
    'Decodes a trust token (the JWT run.delegate() mints; "-" reads it from standard input) and shows its',
    'claims: the scope (tools with call limits, thresholds and resources; budgets; delegation), the parent',
    'chain (depth, parent_jti, ancestors) and its expiry. With --key, verifies it as the core does first',
    '(EdDSA signature by that key, issuer, type, claims, expiry and not-before with 5 s skew). Lineage and',
    'revocation are not checked: they need the authority that minted the token (and its store).',
    '',
    'Options:',
    '  --key <file>        the Ed25519 public key (PEM) of the authority that signed it',
    '  --audience <agent>  the agent the token must have been minted for',
    '  --issuer <iss>      the issuer to accept with --key; default: orbit',
    '  --json              print { header, jti, iss, sub, aud, issued_at, expires_at, expired, run_id,',
    '                      manifest_digest, depth, parent_jti, chain, scope, verification } as JSON',
    '',
    'Exit codes: 0 shown (and verified, with --key); 1 expired, minted for another audience, or (with --key)',
    'the signature does not verify; 2 usage; 3 not a trust token, or an unusable key.',
  ].join('\n'),
  options: { key: { type: 'string' }, audience: { type: 'string' }, issuer: { type: 'string' } },
  async run({ values, positionals }, io) {
    const argument = onePositional(positionals, '<token | ->', 'token inspect <token | ->');
    const token = (argument === '-' ? readStdin() : argument).trim();
    const { header, claims, orbit, scope } = decode(token);
    const keyPath = stringOption(values, 'key');
    const audience = stringOption(values, 'audience');
    const nowSeconds = Date.now() / 1000;
    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    const expired = exp === undefined || nowSeconds > exp + SKEW_SECONDS;
    let verification: { ok: boolean; reason?: string; message?: string } | null = null;
    if (keyPath !== undefined) {
      const key = readPublicKey(resolve(io.cwd, keyPath));
      const kid = typeof header.kid === 'string' && header.kid !== '' ? header.kid : 'none';
      try {
        await verifyTokenSignature(token, {
          trustedKeys: { keys: [publicJwk(key, kid)] },
          issuer: stringOption(values, 'issuer') ?? 'orbit',
        });
        verification = { ok: true };
      } catch (error) {
        if (!TokenError.isInstance(error)) throw error;
        verification = { ok: false, reason: error.reason, message: error.message };
      }
    }
    const wrongAudience = audience !== undefined && claims.aud !== audience;
    const problems = [
      ...(expired ? [`expired at ${iso(exp) ?? '(no exp claim)'}`] : []),
      ...(wrongAudience ? [`minted for "${String(claims.aud)}", not for "${audience}"`] : []),
      ...(verification && !verification.ok ? [`${verification.reason}: ${verification.message}`] : []),
    ];
    const data = {
      ok: problems.length === 0,
      problems,
      header,
      jti: claims.jti ?? null,
      iss: claims.iss ?? null,
      sub: claims.sub ?? null,
      aud: claims.aud ?? null,
      issued_at: iso(claims.iat),
      not_before: iso(claims.nbf),
      expires_at: iso(exp),
      expired,
      run_id: orbit.run_id ?? null,
      manifest_digest: orbit.manifest_digest ?? null,
      depth: orbit.depth ?? null,
      parent_jti: orbit.parent_jti ?? null,
      chain: Array.isArray(orbit.chain) ? (orbit.chain as unknown[]).map(String) : [],
      scope,
      verification,
    };
    const style = styleOf(io);
    emit(io, data, () => {
      // Everything the token says is the token's author's text: no control characters reach the terminal.
      const p = (value: unknown) => printable(String(value));
      const tools = Object.entries(scope.tools).map(([name, tool]) => {
        const extras = [
          `max_calls ${tool.max_calls}`,
          ...(tool.max_calls_per_resource === undefined
            ? []
            : [`per resource ${tool.max_calls_per_resource}`]),
          `threshold ${tool.threshold}`,
          ...(tool.resources ? [`resources ${p(tool.resources.join(', '))}`] : []),
        ];
        return `  ${p(name)}: ${extras.join(', ')}`;
      });
      const limits = [
        ...(scope.max_tokens === undefined ? [] : [`max_tokens ${scope.max_tokens}`]),
        ...(scope.max_records === undefined ? [] : [`max_records ${scope.max_records}`]),
        ...(scope.time_limit_ms === undefined ? [] : [`time_limit_ms ${scope.time_limit_ms}`]),
      ];
      const signature =
        verification === null
          ? 'not checked (pass --key <public.pem>)'
          : verification.ok
            ? style.green('verified')
            : style.red(`does not verify (${p(verification.reason)}: ${p(verification.message)})`);
      return [
        `token      ${p(data.jti)} (kid ${p(header.kid ?? 'none')}, issuer ${p(data.iss)})`,
        `agent      ${p(data.aud)} (run ${p(data.run_id)}, manifest ${p(data.manifest_digest)})`,
        `lineage    depth ${p(data.depth)}, parent ${data.parent_jti === null ? 'none (a root token)' : p(data.parent_jti)}${data.chain.length ? `, chain ${p(data.chain.join(' > '))}` : ''}`,
        `issued     ${data.issued_at}`,
        `expires    ${data.expires_at}${expired ? style.red(' (expired)') : ''}`,
        `profile    ${p(scope.profile ?? 'none')}`,
        'tools',
        ...(tools.length ? tools : ['  (none)']),
        `limits     ${limits.length ? limits.join(', ') : 'none'}`,
        `delegate   ${scope.delegate.allowed ? `yes, up to depth ${scope.delegate.max_depth}, ${scope.delegate.max_sub_agents} sub-agent(s)` : 'no'}`,
        `signature  ${signature}`,
        ...(wrongAudience
          ? [style.red(`audience   minted for "${p(data.aud)}", not for "${p(audience)}"`)]
          : []),
      ].join('\n');
    });
    return problems.length === 0 ? EXIT.OK : EXIT.FAILED;
  },
};
