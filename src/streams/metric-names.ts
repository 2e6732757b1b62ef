// Klaviyo's metric renames: each chain lists one metric's names, newest first. A name the tap looks up in an account
// (a metric stream's metric, metric_streams, conversion_metric) is found under any name of its chain, so an older
// account that still shows an earlier name, or a config written before a rename, keeps working (account-names.ts).
// Only renames with a source are listed; docs/any-account.md has the same table.

export const METRIC_RENAMES: readonly (readonly string[])[] = [
  // Email unsubscribes. "Unsubscribed: when someone unsubscribes from emails globally" (Klaviyo Help Center,
  // "Understanding email metrics", help.klaviyo.com/hc/en-us/articles/360036974872); singer-io/tap-klaviyo read
  // "Unsubscribed" until its revision upgrade of 2024-05-23 (PR #67, commit 0af8fa5) renamed its mapping to
  // "Unsubscribed from Email Marketing"; fivetran/dbt_klaviyo's klaviyo__count_metrics still lists "Unsubscribed".
  ['Unsubscribed from Email Marketing', 'Unsubscribed'],
  // Text messages. singer-io/tap-klaviyo PR #67 (2024-05-23): "Unsubscribed from SMS" -> "Unsubscribed from SMS
  // Marketing"; PR #87 (2026-07-23, "Klaviyo renamed SMS to Text Message, July 2026") renamed every SMS metric.
  // fivetran/dbt_klaviyo lists the oldest forms ("Received SMS", "Clicked SMS", "Sent SMS", "Unsubscribed from SMS").
  ['Unsubscribed from Text Messaging Marketing', 'Unsubscribed from SMS Marketing', 'Unsubscribed from SMS'],
  ['Subscribed to Text Messaging Marketing', 'Subscribed to SMS Marketing'],
  ['Received Text Message', 'Received SMS'],
  ['Clicked Text Message', 'Clicked SMS'],
  ['Sent Text Message', 'Sent SMS'],
  ['Failed to Deliver Text Message', 'Failed to Deliver SMS'],
  ['Failed to Deliver Automated Response Text Message', 'Failed to deliver Automated Response SMS'],
  ['Received Automated Response Text Message', 'Received Automated Response SMS'],
];
