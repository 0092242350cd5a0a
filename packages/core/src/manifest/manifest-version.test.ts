import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, type JSONWebKeySet } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { countingTool, manifestOf } from '../../test/support.js';
import { ManifestDowngradeError, RunManifestChangedError } from '../errors.js';
import { createOrbit } from '../run/create-orbit.js';
import { SqliteStore } from '../stores/sqlite-store.js';
import { loadManifest } from './load-manifest.js';
import type { ManifestInput } from './manifest-schema.js';
import { ManifestSchema } from './manifest-schema.js';
import { signManifest } from './sign-manifest.js';

/** Item 10: a manifest is never downgraded, in this process or in the store, and a run keeps its manifest. */
let privateKey: CryptoKey;
let trustedKeys: JSONWebKeySet;

beforeAll(async () => {
  const pair = await generateKeyPair('Ed25519');
  privateKey = pair.privateKey;
  trustedKeys = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' }] };
});

/** Signs and loads a manifest of `agent` with the given version and task scope (its content). */
async function deploy(agent: string, version: number | undefined, scope = 'Test the gate') {
  const { manifest_version: _fixture, ...unversioned } = manifestOf({ agent_id: agent, task_scope: scope });
  const manifest: ManifestInput =
    version === undefined ? unversioned : { ...unversioned, manifest_version: version };
  const signature = await signManifest({ manifest, privateKey, kid: 'k1' });
  return loadManifest({ manifest, signature, trustedKeys });
}

const agentId = () => `agent-${randomUUID()}`;

describe('manifest_version in the schema', () => {
  it.each([0, -1, 1.5, '2', Number.MAX_SAFE_INTEGER + 2])(
    'refuses manifest_version %p, naming the field',
    (value) => {
      const result = ManifestSchema.safeParse({ ...manifestOf(), manifest_version: value });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['manifest_version']);
    },
  );

  it('accepts a whole number >= 1, and a manifest without one', () => {
    expect(ManifestSchema.parse({ ...manifestOf(), manifest_version: 7 }).manifest_version).toBe(7);
    const { manifest_version: _fixture, ...unversioned } = manifestOf();
    expect(ManifestSchema.parse(unversioned).manifest_version).toBeUndefined();
  });
});

describe('loadManifest refuses a downgrade in this process', () => {
  it('refuses an older signed manifest once a newer one was loaded, naming both versions', async () => {
    const agent = agentId();
    await deploy(agent, 1);
    await deploy(agent, 2, 'v2');
    const refused = deploy(agent, 1);
    await expect(refused).rejects.toBeInstanceOf(ManifestDowngradeError);
    await expect(refused).rejects.toMatchObject({
      code: 'ERR_MANIFEST_DOWNGRADE',
      agentId: agent,
      version: 1,
      newestVersion: 2,
      reason: 'older',
      message: expect.stringMatching(/manifest_version 1, older than version 2/),
    });
  });

  it('refuses the same version with other content, and loads the same manifest again', async () => {
    const agent = agentId();
    await deploy(agent, 3, 'v3');
    await expect(deploy(agent, 3, 'v3')).resolves.toMatchObject({ signed: true });
    await expect(deploy(agent, 3, 'changed')).rejects.toMatchObject({
      code: 'ERR_MANIFEST_DOWNGRADE',
      reason: 'same_version_different_content',
      message: expect.stringMatching(/same version, different content/),
    });
    await expect(deploy(agent, 4, 'changed')).resolves.toMatchObject({ signed: true });
  });

  it('treats a manifest without manifest_version as version 0: loadable until a versioned one was seen', async () => {
    const agent = agentId();
    await expect(deploy(agent, undefined, 'a')).resolves.toMatchObject({ signed: true });
    await expect(deploy(agent, undefined, 'b')).resolves.toMatchObject({ signed: true });
    await deploy(agent, 1);
    await expect(deploy(agent, undefined, 'a')).rejects.toMatchObject({
      code: 'ERR_MANIFEST_DOWNGRADE',
      version: 0,
      newestVersion: 1,
    });
  });

  it('neither checks nor records unsigned (development) manifests: their version proves nothing', async () => {
    const agent = agentId();
    await deploy(agent, 5);
    const unsigned = { ...manifestOf({ agent_id: agent }), manifest_version: 1 };
    await expect(
      loadManifest({ manifest: unsigned, allowUnsigned: true, logger: { warn() {} } }),
    ).resolves.toMatchObject({ signed: false });
  });

  it('createOrbit refuses a signed manifest loaded before a newer version of its agent', async () => {
    const agent = agentId();
    const old = await deploy(agent, 1);
    await deploy(agent, 2, 'v2');
    expect(() => createOrbit({ manifest: old })).toThrow(ManifestDowngradeError);
  });
});

describe('the store keeps the newest manifest version and each run its manifest', () => {
  const update = countingTool('update');

  it('a worker still on an older signed manifest halts its runs once the store has seen a newer one', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-manifest-')), 'runs.db');
    const agent = agentId();
    // Worker A deployed version 1; worker B (another process: its own store connection) version 2.
    const a = createOrbit({ manifest: await deploy(agent, 1), store: new SqliteStore({ path }) });
    const b = createOrbit({ manifest: await deploy(agent, 2, 'v2'), store: new SqliteStore({ path }) });
    await b.startRun().ready();
    const run = a.startRun();
    expect(await run.guardAsync({ tool: 'update', args: { id: '1' }, confidence: 0.99 })).toMatchObject({
      decision: 'halt',
      reasons: ['manifest_downgrade'],
    });
    await expect(a.startRun().ready()).rejects.toMatchObject({
      code: 'ERR_MANIFEST_DOWNGRADE',
      version: 1,
      newestVersion: 2,
      reason: 'older',
    });
  });

  it('a run resumed under another manifest halts rather than take its limits', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-manifest-')), 'runs.db');
    const agent = agentId();
    const tight = manifestOf({
      agent_id: agent,
      allowed_tools: [{ name: 'update', max_calls_per_run: 1, reversibility: 'reversible' }],
    });
    const loose = {
      ...tight,
      allowed_tools: [{ name: 'update', max_calls_per_run: 100, reversibility: 'reversible' as const }],
    };
    const load = (manifest: ManifestInput) =>
      loadManifest({ manifest, allowUnsigned: true, logger: { warn() {} } });
    const a = createOrbit({ manifest: await load(tight), store: new SqliteStore({ path }) });
    const run = a.startRun();
    expect((await run.execute(update, { id: '1', confidence: 0.99 })).status).toBe('executed');
    const b = createOrbit({ manifest: await load(loose), store: new SqliteStore({ path }) });
    const resumed = b.resumeRun(run.id);
    await expect(resumed.execute(update, { id: '2', confidence: 0.99 })).rejects.toMatchObject({
      code: 'ERR_RUN_HALTED',
      decision: { reasons: ['run_manifest_changed'] },
    });
    await expect(resumed.ready()).rejects.toBeInstanceOf(RunManifestChangedError);
    // Under its own manifest it resumes, with its own limits.
    const again = createOrbit({ manifest: await load(tight), store: new SqliteStore({ path }) }).resumeRun(
      run.id,
    );
    await expect(again.ready()).resolves.toBeUndefined();
    expect(await again.guardAsync({ tool: 'update', args: { id: '3' }, confidence: 0.99 })).toMatchObject({
      decision: 'block',
      reasons: ['max_calls_exceeded'],
    });
  });
});
