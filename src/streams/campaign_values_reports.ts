// https://developers.klaviyo.com/en/reference/query_campaign_values
import { f } from '../tap/engine/filters.js';
import { ValuesReportStream, type DataProbe, type ReportWindow } from '../tap/reports/report-stream.js';

/** Campaign performance per campaign message and channel over the report timeframe (Reporting API). */
export class CampaignValuesReports extends ValuesReportStream {
  readonly name = 'campaign_values_reports';
  readonly path = '/api/campaign-values-reports';
  readonly description = 'Campaign statistics per campaign message and channel over the last report_days (Reporting API)';

  /** Email campaigns sent (scheduled) in the window: the report must then have rows. */
  override probe(window: ReportWindow): DataProbe {
    const filters = [
      f.equals('messages.channel', 'email'),
      f.any('status', ['Sent', 'Variations Sent']),
      f.time('greater-or-equal', 'scheduled_at', window.start),
      f.time('less-than', 'scheduled_at', window.end),
    ];
    return { path: '/api/campaigns', filters, what: 'sent email campaigns' };
  }
}
