// `event_properties` per metric, derived from (seed, event row) when the event is rendered.
import { hash32, pickBy, unit } from '../rng.js';
import { BOUNCE_TYPES, BROWSERS, DROP_REASONS, EMAIL_CLIENTS } from './vocabulary.js';

/** The message an email event is about (a campaign message or a flow message). */
export interface EmailSource {
  messageId: string;
  subject: string;
  campaignId: string | null;
  campaignName: string | null;
  flowId: string | null;
  /** When a campaign was sent (seconds); NaN for a flow message (sent whenever its flow runs). */
  sendSec: number;
}

export interface Product {
  id: string;
  sku: string;
  title: string;
  price: number;
  url: string;
  image: string;
  categories: string[];
}

export interface EventInputs {
  seed: number;
  row: number;
  metricName: string;
  source: EmailSource | null;
  /** The message a conversion (Placed Order) is attributed to, if any. */
  attribution: EmailSource | null;
  profileEmail: string | null;
  products: readonly Product[];
}

const SHOP = 'https://shop.northwind.example';

function emailProperties(input: EventInputs): Record<string, unknown> {
  const { seed, row, source } = input;
  const props: Record<string, unknown> = {
    Subject: source?.subject ?? 'Your weekly picks',
    '$message': source?.messageId ?? null,
    'Email Domain': input.profileEmail?.split('@')[1] ?? null,
    '$event_id': `${source?.messageId ?? 'msg'}:${row}`,
  };
  if (source?.campaignId) Object.assign(props, { 'Campaign Name': source.campaignName, '$campaign': source.campaignId });
  if (source?.flowId) props['$flow'] = source.flowId;
  switch (input.metricName) {
    case 'Opened Email':
      return { ...props, 'Client Name': pickBy(EMAIL_CLIENTS, hash32(seed, 601, row)), 'Client Type': unit(seed, 602, row) < 0.6 ? 'Mobile' : 'Desktop', 'Machine Open': unit(seed, 603, row) < 0.3 };
    case 'Clicked Email':
      return { ...props, URL: `${SHOP}/collections/new?utm_source=klaviyo&utm_medium=email&utm_content=${row % 7}`, 'Client Name': pickBy(EMAIL_CLIENTS, hash32(seed, 601, row)) };
    case 'Bounced Email':
      return { ...props, 'Bounce Type': pickBy(BOUNCE_TYPES, hash32(seed, 604, row)) };
    case 'Dropped Email':
      return { ...props, 'Drop Reason': pickBy(DROP_REASONS, hash32(seed, 605, row)) };
    case 'Unsubscribed from Email Marketing':
      return { ...props, Method: 'Unsubscribe link' };
    default:
      return props;
  }
}

function orderItems(input: EventInputs): Record<string, unknown>[] {
  const count = 1 + (hash32(input.seed, 610, input.row) % 3);
  return Array.from({ length: count }, (_, n) => {
    const product = pickBy(input.products, hash32(input.seed, 611, input.row, n));
    const quantity = 1 + (hash32(input.seed, 612, input.row, n) % 2);
    return {
      ProductID: product.id,
      SKU: product.sku,
      ProductName: product.title,
      Quantity: quantity,
      ItemPrice: product.price,
      RowTotal: Math.round(product.price * quantity * 100) / 100,
      ProductURL: product.url,
      ImageURL: product.image,
      Categories: product.categories,
    };
  });
}

/** Klaviyo's record of the message a conversion is credited to: `$message`, `$flow` (flow messages only), channel. */
function attributionProperties(source: EmailSource): Record<string, unknown> {
  return { '$message': source.messageId, ...(source.flowId ? { '$flow': source.flowId } : {}), '$attributed_channel': 'email' };
}

function commerceProperties(input: EventInputs): Record<string, unknown> {
  const { seed, row } = input;
  if (input.metricName === 'Placed Order') {
    const items = orderItems(input);
    const value = Math.round(items.reduce((sum, item) => sum + Number(item['RowTotal']), 0) * 100) / 100;
    const discount = unit(seed, 613, row) < 0.2 ? ['WELCOME10'] : [];
    const order = { '$value': value, '$event_id': `ORD-${100_000 + row}`, OrderId: `ORD-${100_000 + row}`, ItemNames: items.map((i) => i['ProductName']), Items: items, 'Discount Codes': discount, 'Source Name': 'web' };
    return input.attribution ? { ...order, '$attribution': attributionProperties(input.attribution) } : order;
  }
  const product = pickBy(input.products, hash32(seed, 614, row));
  return { ProductName: product.title, ProductID: product.id, SKU: product.sku, URL: product.url, ImageURL: product.image, Categories: product.categories, Price: product.price, '$value': product.price };
}

export function eventProperties(input: EventInputs): Record<string, unknown> {
  const { seed, row } = input;
  if (input.source !== null || input.metricName.endsWith('Email') || input.metricName.includes('Email ')) return emailProperties(input);
  switch (input.metricName) {
    case 'Placed Order':
    case 'Viewed Product':
      return commerceProperties(input);
    case 'Active on Site':
      return { page: `${SHOP}/${['', 'collections/sale', 'products/classic-tee', 'cart', 'pages/about'][row % 5]}`, browser: pickBy(BROWSERS, hash32(seed, 620, row)), '$is_session_activity': true };
    case 'Loyalty Points Earned': {
      const points = 10 * (1 + (hash32(seed, 621, row) % 50));
      return { points, reason: unit(seed, 622, row) < 0.7 ? 'purchase' : 'review', '$value': points / 100 };
    }
    default:
      return { ticket_id: `T-${50_000 + row}`, priority: ['low', 'normal', 'high'][hash32(seed, 623, row) % 3], channel: 'chat' };
  }
}
