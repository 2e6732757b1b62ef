// Metric name -> ids, read once per run from /api/metrics and shared by every metric stream.
import { ENDPOINTS } from '../generated/endpoints.js';
import { paginate } from '../tap/http/paginate.js';
import { budgetOf } from '../tap/http/endpoint-facts.js';
import type { StreamRuntime } from '../tap/stream.js';

export function metricIdsByName(rt: StreamRuntime): Promise<Map<string, string[]>> {
  return rt.memo('metric-ids-by-name', async () => {
    const facts = ENDPOINTS['/api/metrics'];
    if (!facts) throw new Error('the spec has no /api/metrics');
    const byName = new Map<string, string[]>();
    for await (const page of paginate(rt.client, '/api/metrics?fields[metric]=name', budgetOf(facts))) {
      for (const metric of page.data) {
        const name = String(metric.attributes?.['name'] ?? '');
        byName.set(name, [...(byName.get(name) ?? []), metric.id]);
      }
    }
    return byName;
  });
}
