// https://developers.klaviyo.com/en/reference/query_segment_values
import { ValuesReportStream, type DataProbe } from '../tap/reports/report-stream.js';

/** Segment growth per segment over the report timeframe (Reporting API). */
export class SegmentValuesReports extends ValuesReportStream {
  readonly name = 'segment_values_reports';
  readonly path = '/api/segment-values-reports';
  readonly description = 'Segment membership statistics (added, removed, net change, total) per segment over the last report_days (Reporting API)';

  override probe(): DataProbe {
    return segmentProbe();
  }
}

/** Any segment: the report must then have rows (a segment with members has a total; GET cannot filter on members). */
export function segmentProbe(): DataProbe {
  return { path: '/api/segments', filters: [], what: 'segments' };
}
