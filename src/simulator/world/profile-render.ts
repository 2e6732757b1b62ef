// Renders a profile's API attributes from its row, its stored timestamps and its revision.
import { formatMicros, formatSeconds } from '../datetime.js';
import { hash32, pickBy } from '../rng.js';
import type { Attributes } from '../types.js';
import * as t from './profile-traits.js';

export interface ProfileState {
  seed: number;
  row: number;
  createdMicros: number;
  updatedMicros: number;
  /** How many times the profile was updated by a mutation (changes some properties). */
  revision: number;
  endSec: number;
  listIds: readonly string[];
  /** The profile's suppressions were lifted by a mutation: it is no longer suppressed. */
  suppressionsLifted?: boolean;
}

const COLORS = ['teal', 'crimson', 'navy', 'olive', 'coral', 'black'] as const;
const SOURCES = ['Shopify', 'Popup Form', 'Footer Form', 'API', 'Checkout', 'In-store'] as const;
const METHODS = ['FORM', 'API', 'SHOPIFY', 'CHECKOUT'] as const;

function createdSec(state: ProfileState): number {
  return Math.floor(state.createdMicros / 1_000_000);
}

function customProperties(state: ProfileState): Record<string, unknown> {
  const { seed, row } = state;
  const points = (hash32(seed, 230, row) % 5000) + state.revision * 25;
  const props: Record<string, unknown> = {
    'Accepts Marketing': t.traitUnit(seed, 1, row) < 0.7,
    'Favorite Color': pickBy(COLORS, hash32(seed, 231, row)),
    'Loyalty Points': points,
    'Signup Source': pickBy(SOURCES, hash32(seed, 232, row)),
    'Shopify Tags': t.traitUnit(seed, 2, row) < 0.3 ? ['vip', 'wholesale'] : [],
  };
  if (t.traitUnit(seed, 3, row) < 0.5) props['Birthday'] = `19${70 + (hash32(seed, 233, row) % 30)}-0${1 + (row % 9)}-1${row % 10}`;
  if (state.revision > 0) props['Last Sync Revision'] = state.revision;
  return props;
}

export function baseAttributes(state: ProfileState): Attributes {
  const { seed, row } = state;
  const place = t.placeOf(seed, row);
  const first = t.firstNameOf(seed, row);
  const lastEventSec = createdSec(state) + Math.floor(t.traitUnit(seed, 4, row) * Math.max(0, state.endSec - createdSec(state)));
  return {
    email: t.emailOf(seed, row),
    phone_number: t.phoneOf(seed, row),
    external_id: t.externalIdOf(seed, row),
    first_name: first,
    last_name: t.lastNameOf(seed, row),
    organization: t.organizationOf(seed, row),
    locale: t.localeOf(seed, row),
    title: t.titleOf(seed, row),
    image: t.traitUnit(seed, 5, row) < 0.2 ? `https://images.example.org/avatars/${row + 1}.png` : null,
    created: formatMicros(state.createdMicros),
    updated: formatMicros(state.updatedMicros),
    last_event_date: t.traitUnit(seed, 6, row) < 0.9 ? formatSeconds(lastEventSec) : null,
    location: {
      address1: `${1 + (hash32(seed, 234, row) % 999)} ${first} St`,
      address2: t.traitUnit(seed, 7, row) < 0.2 ? `Apt ${1 + (row % 40)}` : null,
      city: place.city,
      country: place.country,
      latitude: place.latitude,
      longitude: place.longitude,
      region: place.region,
      zip: place.zip,
      timezone: place.timezone,
      ip: `${10 + (row % 200)}.${hash32(seed, 235, row) % 256}.${hash32(seed, 236, row) % 256}.${1 + (row % 250)}`,
    },
    properties: customProperties(state),
  };
}

function emailMarketing(state: ProfileState): Record<string, unknown> {
  const { seed, row } = state;
  const suppressions = state.suppressionsLifted ? [] : t.suppressionsOf(seed, row, createdSec(state), state.endSec);
  const listSuppressions = t.listSuppressionsOf(seed, row, createdSec(state), state.endSec, state.listIds);
  const subscribed = suppressions.length === 0 && t.traitUnit(seed, 8, row) < 0.7;
  const consentSec = createdSec(state) + Math.floor(t.traitUnit(seed, 9, row) * 86_400 * 3);
  return {
    can_receive_email_marketing: subscribed,
    consent: suppressions.length ? 'UNSUBSCRIBED' : subscribed ? 'SUBSCRIBED' : 'NEVER_SUBSCRIBED',
    consent_timestamp: subscribed || suppressions.length ? formatSeconds(consentSec) : null,
    last_updated: formatSeconds(Math.max(consentSec, ...suppressions.map((s) => s.sec))),
    method: subscribed ? pickBy(METHODS, hash32(seed, 240, row)) : null,
    method_detail: subscribed ? 'popup-form' : null,
    custom_method_detail: null,
    double_optin: subscribed ? t.traitUnit(seed, 10, row) < 0.3 : null,
    suppression: suppressions.map((s) => ({ reason: s.reason, timestamp: formatSeconds(s.sec) })),
    list_suppressions: listSuppressions.map((s) => ({ list_id: s.listId, reason: s.reason, timestamp: formatSeconds(s.sec) })),
  };
}

export function subscriptions(state: ProfileState): Record<string, unknown> {
  const { seed, row } = state;
  const hasPhone = t.phoneOf(seed, row) !== null;
  const smsConsent = hasPhone && t.traitUnit(seed, 11, row) < 0.6;
  const smsSec = createdSec(state) + 3600;
  const sms = (channel: 'marketing' | 'transactional'): Record<string, unknown> => ({
    [`can_receive_sms_${channel}`]: smsConsent,
    consent: smsConsent ? 'SUBSCRIBED' : 'NEVER_SUBSCRIBED',
    consent_timestamp: smsConsent ? formatSeconds(smsSec) : null,
    method: smsConsent ? 'TEXT' : null,
    method_detail: smsConsent ? 'JOIN' : null,
    last_updated: smsConsent ? formatSeconds(smsSec) : null,
  });
  const push = t.traitUnit(seed, 12, row) < 0.2;
  return {
    email: { marketing: emailMarketing(state) },
    sms: { marketing: sms('marketing'), transactional: sms('transactional') },
    mobile_push: { marketing: { can_receive_push_marketing: push, consent: push ? 'SUBSCRIBED' : 'NEVER_SUBSCRIBED', consent_timestamp: push ? formatSeconds(smsSec) : null } },
  };
}

export function predictiveAnalytics(state: ProfileState): Record<string, unknown> {
  const { seed, row } = state;
  const orders = hash32(seed, 250, row) % 12;
  const aov = Math.round(2000 + (hash32(seed, 251, row) % 15_000)) / 100;
  const historic = Math.round(orders * aov * 100) / 100;
  const predicted = Math.round(historic * 0.4 * 100) / 100;
  const channels = ['email', 'sms', 'push'];
  const shift = hash32(seed, 252, row) % 3;
  return {
    historic_clv: historic,
    predicted_clv: predicted,
    total_clv: Math.round((historic + predicted) * 100) / 100,
    historic_number_of_orders: orders,
    predicted_number_of_orders: Math.round(orders * 0.35 * 10) / 10,
    average_days_between_orders: orders > 1 ? 20 + (hash32(seed, 253, row) % 90) : null,
    average_order_value: orders ? aov : 0,
    churn_probability: Math.round(t.traitUnit(seed, 13, row) * 100) / 100,
    expected_date_of_next_order: orders > 1 ? formatSeconds(state.endSec + (hash32(seed, 254, row) % 60) * 86_400) : null,
    ranked_channel_affinity: [...channels.slice(shift), ...channels.slice(0, shift)],
  };
}
