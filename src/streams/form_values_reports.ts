// https://developers.klaviyo.com/en/reference/query_form_values
import { f } from '../tap/engine/filters.js';
import { ValuesReportStream, type DataProbe, type ReportWindow } from '../tap/reports/report-stream.js';

/** Sign-up form performance per form over the report timeframe (Reporting API). */
export class FormValuesReports extends ValuesReportStream {
  readonly name = 'form_values_reports';
  readonly path = '/api/form-values-reports';
  readonly description = 'Sign-up form statistics (views, submits, closes) per form over the last report_days (Reporting API)';

  override probe(window: ReportWindow): DataProbe {
    return formProbe(window);
  }
}

/** Live forms created before the window's end: the report must then have rows (unless nobody saw them). */
export function formProbe(window: ReportWindow): DataProbe {
  return { path: '/api/forms', filters: [f.equals('status', 'live'), f.time('less-than', 'created_at', window.end)], what: 'live forms' };
}
