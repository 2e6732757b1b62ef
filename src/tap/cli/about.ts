// --about: what the tap is, its capabilities, its settings and its streams (JSON or Markdown).
import { readFileSync } from 'node:fs';
import { CONFIG_SCHEMA, settingsDescription } from '../config/config.js';
import { revisionLifecycle } from '../config/revision.js';
import type { KlaviyoStream } from '../engine/stream.js';

interface PackageJson {
  name: string;
  version: string;
  description: string;
}

export const PACKAGE = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as PackageJson;
export const CAPABILITIES = ['catalog', 'discover', 'state', 'about', 'test', 'activate-version'] as const;

/** The default revision and its lifecycle dates (deprecated after one year, retired after two). */
export function aboutRevision(): { revision: string; released: string; deprecated: string; retired: string } {
  const revision = String((CONFIG_SCHEMA['properties'] as Record<string, { default?: unknown }>)['revision']?.default);
  const life = revisionLifecycle(revision);
  if (!life) throw new Error(`the config schema's default revision ${revision} is not a date`);
  return life;
}

export function streamSummary(stream: KlaviyoStream): Record<string, unknown> {
  return {
    name: stream.name,
    description: stream.description,
    endpoint: stream.path,
    key_properties: stream.keyProperties,
    replication_method: stream.replicationKey ? 'INCREMENTAL' : 'FULL_TABLE',
    replication_key: stream.replicationKey,
    parent: stream.parent?.stream ?? null,
    scopes: stream.scopes,
  };
}

export function aboutJson(streams: readonly KlaviyoStream[]): Record<string, unknown> {
  return {
    name: PACKAGE.name,
    description: PACKAGE.description,
    version: PACKAGE.version,
    capabilities: [...CAPABILITIES],
    api_revision: aboutRevision(),
    settings: CONFIG_SCHEMA,
    streams: streams.map(streamSummary),
  };
}

export function aboutMarkdown(streams: readonly KlaviyoStream[]): string {
  const settings = settingsDescription()
    .map((s) => `| \`${s.name}\` | ${s.type} | ${s.default === undefined ? '' : `\`${JSON.stringify(s.default)}\``} | ${s.description} |`)
    .join('\n');
  const rows = streams
    .map((s) => {
      const key = s.keyProperties.join(', ');
      const method = s.replicationKey ? `INCREMENTAL (\`${s.replicationKey}\`)` : 'FULL_TABLE';
      return `| \`${s.name}\` | ${s.description} | \`${s.path}\` | ${key} | ${method} | ${s.parent?.stream ?? ''} | ${s.scopes.join(', ')} |`;
    })
    .join('\n');
  const revision = aboutRevision();
  return `# ${PACKAGE.name} ${PACKAGE.version}

${PACKAGE.description}

Capabilities: ${CAPABILITIES.join(', ')}

Klaviyo API revision: ${revision.revision} (deprecated from ${revision.deprecated}, retired on ${revision.retired})

## Settings

| setting | type | default | description |
|---|---|---|---|
${settings}

## Streams

| stream | what | endpoint | key | replication | parent | scopes |
|---|---|---|---|---|---|---|
${rows}
`;
}
