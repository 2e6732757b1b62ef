// https://developers.klaviyo.com/en/reference/query_form_series
import { formProbe } from './form_values_reports.js';
import { SeriesReportStream, type DataProbe, type ReportWindow } from '../tap/reports/report-stream.js';

/** Sign-up form performance per form and day (Reporting API), re-reading report_reread_days. */
export class FormSeriesReports extends SeriesReportStream {
  readonly name = 'form_series_reports';
  readonly path = '/api/form-series-reports';
  readonly description = 'Sign-up form statistics per form and day, incremental; re-reads the last report_reread_days (Reporting API)';

  override probe(window: ReportWindow): DataProbe {
    return formProbe(window);
  }
}
