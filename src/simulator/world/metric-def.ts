// What the world knows of a metric before it is built (metrics.ts lists Klaviyo's; context.ts carries the account's).
export interface MetricDef {
  /** Klaviyo's current name: what the metric is (its events' properties, what reports count it as). */
  name: string;
  /** The name the account shows, where it still uses an earlier one (the `renamed-metrics` account). */
  label?: string;
  integration: 'klaviyo' | 'shopify' | 'api' | 'woocommerce';
  /** Relative frequency among events. */
  weight: number;
  /** Email engagement metrics carry campaign/flow message properties. */
  email: boolean;
}
