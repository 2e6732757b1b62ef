// docs/streams/<stream>.md: one page per stream, from the registry and the facts generated from the spec (like
// the README table): key, replication, parent, scopes, rate tier and page size, what a run costs in requests,
// and what a record deleted in Klaviyo becomes in the warehouse.
import { aboutRevision } from '../../src/tap/cli/about.js';
import type { KlaviyoStream } from '../../src/tap/engine/stream.js';
import type { ParentSpec } from '../../src/tap/engine/stream-types.js';

export const DOCS_DIR = 'docs/streams';

/** Requests a run makes for `records` records of one parent (or of the whole stream): one per page, at least one. */
export function requestsFor(stream: KlaviyoStream, records: number): number {
  const size = stream.facts.pageSize?.max;
  return size ? Math.max(1, Math.ceil(records / size)) : 1;
}

function replicationText(s: KlaviyoStream): string {
  if (!s.replicationKey) return 'FULL_TABLE: every run reads every record.';
  const bookmark = s.sortsByKey
    ? 'the API sorts by it, so the bookmark advances (and STATE is written) after every page'
    : 'the records arrive out of order, so the bookmark is written when the stream (or partition) is finished';
  const lookback = s.lateArriving ? ' Each run re-reads `lookback_days` before the bookmark for late-arriving events (re-sent, same key).' : '';
  const per = s.parent ? ` One bookmark per ${s.parent.resourceType} (\`${s.parent.key}\` in the state's partition context).` : '';
  const archived = s.archivedSide
    ? ' Klaviyo lists archived records only when asked: each partition is also read filtered `equals(archived,true)` (context `"archived": "true"`), with its own bookmark, and every `full_reread_days` each side is read again in full, since archiving may not move the replication key.'
    : '';
  return `INCREMENTAL on \`${s.replicationKey}\`: ${bookmark}.${per}${archived}${lookback}`;
}

/** How many listings of the parent a run makes per owner: one per list filter, twice where archived ones are listed apart. */
function listingsText(p: ParentSpec): string {
  const listings = (p.listFilters?.length ?? 1) * (p.archivedSide ? 2 : 1);
  return listings > 1 ? `, ${listings} listings: ${p.listFilters ? `one per filter${p.archivedSide ? ', each on both sides' : ''}` : 'both sides'}` : '';
}

function costText(s: KlaviyoStream): string {
  const { rateLimit, pageSize } = s.facts;
  const paging = pageSize ? `pages of up to ${pageSize.max} records` : 'one page per request (the endpoint takes no page size)';
  const perRun = s.replicationKey ? `the records whose \`${s.replicationKey}\` is past the bookmark (on a first run: from \`start_date\`)` : 'every record';
  const lines = [
    `- Rate tier: ${rateLimit.perSecond}/s burst, ${rateLimit.perMinute}/min steady, shared by every stream on \`${s.path}\`.`,
    `- A run reads ${perRun} in ${paging}: one request per page, e.g. ${requestsFor(s, 100_000).toLocaleString('en-US')} requests per 100,000 records` +
      ` (at least ${Math.ceil(requestsFor(s, 100_000) / rateLimit.perMinute)} min at the steady rate).`,
  ];
  if (s.parent) {
    lines.push(
      `- Child of \`${s.parent.stream}\`: the run first lists every ${s.parent.resourceType} (\`${s.parent.path}\`, a few fields, full pages${listingsText(s.parent)}), then makes at least one request per ${s.parent.resourceType}, even an empty one.`,
    );
    for (let p: ParentSpec | undefined = s.parent; p; p = p.parent) {
      if (p.archivedSide) lines.push(`- Archived ${p.resourceType}s are listed too, apart (filtered \`equals(archived,true)\`): Klaviyo's listing leaves them out otherwise.`);
    }
    if (s.parent.changedField) lines.push(`- Between full re-reads (\`full_reread_days\`), only ${s.parent.resourceType}s whose \`${s.parent.changedField}\` moved since the last run are read.`);
  }
  if (s.costlyFields.length > 0) lines.push(`- Not selected unless asked for, since they cost more: ${s.costlyFields.map((f) => `\`${f}\``).join(', ')}.`);
  if (Object.keys(s.relatedIdFields).length > 0) lines.push(`- ${Object.keys(s.relatedIdFields).map((f) => `\`${f}\``).join(', ')}: asked for (\`include\`) only when selected.`);
  return lines.join('\n');
}

/** What a record deleted (or removed) in Klaviyo becomes downstream. */
export function deletesText(s: KlaviyoStream): string {
  if (!s.replicationKey) {
    return 'Every run sends every record that still exists, so a deleted record is simply absent from the next run: a target that replaces the table drops it; an appending target keeps its last row.';
  }
  if (s.parent) {
    return `A record removed from its ${s.parent.resourceType} is not listed any more and no incremental run sees the removal: its row stays in the warehouse until the stream is read in full again (drop its bookmarks from the state).`;
  }
  return 'Klaviyo lists no deleted records, so an incremental run never sees a deletion: the last version of the record stays in the warehouse. Read the stream in full again (drop its bookmark) to find what is gone.';
}

export function streamPage(s: KlaviyoStream): string {
  const key = s.keyProperties.map((k) => `\`${k}\``).join(', ');
  return `<!-- GENERATED by scripts/docs.ts from the stream registry and src/generated/endpoints.ts. Do not edit; run npm run docs. -->
# ${s.name}

${s.description}

| | |
|---|---|
| endpoint | \`GET ${s.path}\` (revision ${aboutRevision().revision}) |
| key | ${key} |
| replication | ${replicationLabel(s)} |
| parent | ${s.parent ? `[${s.parent.stream}](${s.parent.stream}.md)` : ''} |
| scopes | ${s.scopes.map((x) => `\`${x}\``).join(', ')} |

## Replication

${replicationText(s)}

## Requests per run

${costText(s)}

## Deletes

${deletesText(s)}
`;
}

/** `INCREMENTAL (`key`)` or `FULL_TABLE`. */
function replicationLabel(s: KlaviyoStream): string {
  return s.replicationKey ? `INCREMENTAL (\`${s.replicationKey}\`)` : 'FULL_TABLE';
}

export function docsIndex(streams: readonly KlaviyoStream[]): string {
  const rows = streams.map((s) => `| [${s.name}](${s.name}.md) | ${s.keyProperties.join(', ')} | ${replicationLabel(s)} | ${s.facts.rateLimit.perMinute}/min |`);
  return `<!-- GENERATED by scripts/docs.ts. Do not edit; run npm run docs. -->
# Streams

One page per stream: key, replication, scopes, what a run costs in requests, and what deletes become.

| stream | key | replication | steady rate |
|---|---|---|---|
${rows.join('\n')}
`;
}

/** The README's stream table sits between these markers; `npm run docs` writes it. */
export const README_TABLE_START = '<!-- streams table: written by npm run docs -->';
export const README_TABLE_END = '<!-- /streams table -->';

/** The README with its stream table written from the registry: each stream linked to its page. */
export function withReadmeTable(readme: string, streams: readonly KlaviyoStream[]): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no stream table markers (${README_TABLE_START} ... ${README_TABLE_END})`);
  const rows = streams.map((s) => `| [\`${s.name}\`](${DOCS_DIR}/${s.name}.md) | ${s.description} | ${replicationLabel(s)} | ${s.keyProperties.join(', ')} |`);
  const table = ['| stream | what | replication | key |', '|---|---|---|---|', ...rows].join('\n');
  return `${readme.slice(0, start + README_TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}
