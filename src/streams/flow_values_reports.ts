// https://developers.klaviyo.com/en/reference/query_flow_values
import { f } from '../tap/engine/filters.js';
import { ValuesReportStream, type DataProbe } from '../tap/reports/report-stream.js';

/** Flow performance per flow message and channel over the report timeframe (Reporting API). */
export class FlowValuesReports extends ValuesReportStream {
  readonly name = 'flow_values_reports';
  readonly path = '/api/flow-values-reports';
  readonly description = 'Flow statistics per flow message and channel over the last report_days (Reporting API)';

  /** Live flows: the report must then have rows (a live flow sends, unless nobody entered it). */
  override probe(): DataProbe {
    return { path: '/api/flows', filters: [f.equals('status', 'live')], what: 'live flows' };
  }
}
