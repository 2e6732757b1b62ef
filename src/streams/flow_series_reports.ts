// https://developers.klaviyo.com/en/reference/query_flow_series
import { SeriesReportStream } from '../tap/reports/report-stream.js';

/** Flow performance per flow message, channel and day (Reporting API), re-reading report_reread_days. */
export class FlowSeriesReports extends SeriesReportStream {
  readonly name = 'flow_series_reports';
  readonly path = '/api/flow-series-reports';
  readonly description = 'Flow statistics per flow message, channel and day, incremental; re-reads the last report_reread_days (Reporting API)';
}
