// https://developers.klaviyo.com/en/reference/query_segment_series
import { SeriesReportStream, type DataProbe } from '../tap/reports/report-stream.js';
import { segmentProbe } from './segment_values_reports.js';

/** Segment growth per segment and day (Reporting API), re-reading report_reread_days. */
export class SegmentSeriesReports extends SeriesReportStream {
  readonly name = 'segment_series_reports';
  readonly path = '/api/segment-series-reports';
  readonly description = 'Segment membership statistics per segment and day, incremental; re-reads the last report_reread_days (Reporting API)';

  override probe(): DataProbe {
    return segmentProbe();
  }
}
