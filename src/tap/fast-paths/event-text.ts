// An event in the simulator's own layout, read by one regular expression from its text (as Latin-1): a native
// scan, quicker than reading it byte by byte (event-scan.ts), which takes every other layout. The match pins every
// member of the resource:
// - Every string it reads is printable ASCII without `"` or `\`, so its text is its value and its JSON. The `links`
//   are matched whole (body.ts LINKS_SOURCE).
// - `event_properties` is what lies between its key and the only place the rest of the pattern fits (the rest holds
//   a fixed number of `"`, none inside its strings); the lane uses it only if it parses alone, so it is exactly one
//   JSON value, which the whole text reads the same way (a newline in it fails the match).
import { LINKS_SOURCE } from '../http/body.js';
import { TEXT } from './event-scan.js';
import type { EventValues } from './event-values.js';

/** The contents of a JSON string whose text is its value: printable ASCII without `"` and `\`. */
const PLAIN = '([ !#-\\[\\]-~]*)';
const related = (name: string): string => `"${name}":\\{"data":\\{"type":"${name}","id":"${PLAIN}"\\},${LINKS_SOURCE}\\}`;
/**
 * An event's text in the simulator's layout. Groups: 1 id, 2 timestamp, 3 event_properties, 4 datetime, 5 uuid,
 * then the metric and profile ids: 6 and 7 when the metric comes first, else 8 (profile) and 9 (metric).
 */
const EVENT_TEXT = new RegExp(
  `^\\{"type":"event","id":"${PLAIN}","attributes":\\{"timestamp":(0|-?[1-9]\\d{0,14}|null),"event_properties":(\\{[^\\n\\r]*?\\}|null),` +
    `"datetime":"${PLAIN}","uuid":"${PLAIN}"\\},"relationships":\\{(?:${related('metric')},${related('profile')}|${related('profile')},${related('metric')}),` +
    `"attributions":\\{${LINKS_SOURCE}\\}\\},${LINKS_SOURCE}\\}$`,
);

/** The attributes in the order this layout sends them (EVENT_ATTRIBUTES indexes 0, 1, 2, 3 as base-4 digits). */
const IN_ORDER = 0 * 64 + 1 * 16 + 2 * 4 + 3;

/**
 * What the lane writes of an event in the simulator's layout (its text as Latin-1, found at `start` in the page), or
 * null for any other layout.
 */
export function textValues(text: string, start: number): EventValues | null {
  const m = EVENT_TEXT.exec(text);
  if (m === null) return null;
  // The key is the first `"event_properties":` of the text: what comes before it holds no `"` but in fixed places.
  const properties = m[3] === 'null' ? -1 : start + text.indexOf('"event_properties":') + 19;
  const metricFirst = m[6] !== undefined;
  const [id, metric, profile] = [m[1] as string, (metricFirst ? m[6] : m[9]) as string, (metricFirst ? m[7] : m[8]) as string];
  return {
    id,
    idJson: `"${id}"`,
    timestamp: m[2] as string,
    propertiesStart: properties,
    propertiesEnd: properties + (m[3] as string).length,
    propertiesText: TEXT.UNREAD,
    found: null,
    foundAt: 0,
    datetime: m[4] as string,
    uuidJson: `"${m[5] as string}"`,
    metric,
    metricJson: `"${metric}"`,
    profileJson: `"${profile}"`,
    order: IN_ORDER,
    metricFirst,
    unknown: null,
  };
}
