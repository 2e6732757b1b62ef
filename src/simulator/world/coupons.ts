// Coupons and their unique codes (each code assigned to a profile).
import { formatSeconds } from '../datetime.js';
import { base62 } from '../ids.js';
import { hash32 } from '../rng.js';
import { ref, rngFor, secondsValue, type BuildContext } from './context.js';
import type { ProfileTable } from './profiles.js';
import { StaticTable, type StaticRow } from './static-table.js';

const COUPON_NAMES = ['WELCOME10', 'SUMMER20', 'VIP25', 'FREESHIP', 'BDAY15', 'WINBACK30', 'LOYAL5', 'FLASH40', 'REFER10', 'HOLIDAY20'] as const;

export interface Coupons {
  coupons: StaticTable;
  codes: StaticTable;
}

function couponRows(ctx: BuildContext): StaticRow[] {
  return Array.from({ length: ctx.counts.coupons }, (_, index) => {
    const base = COUPON_NAMES[index % COUPON_NAMES.length] ?? 'COUPON';
    const externalId = index < COUPON_NAMES.length ? base : `${base}_${Math.floor(index / COUPON_NAMES.length) + 1}`;
    return {
      id: externalId,
      attributes: {
        external_id: externalId,
        description: `${externalId.replace(/_\d+$/, '')} — unique single-use codes`,
        monitor_configuration: index % 2 === 0 ? { low_balance_threshold: 10 + index } : null,
      },
    };
  });
}

export function buildCoupons(ctx: BuildContext, profiles: ProfileTable): Coupons {
  const rng = rngFor(ctx, 'coupon-codes');
  const coupons = couponRows(ctx);
  const codes: StaticRow[] = [];
  coupons.forEach((coupon, couponIndex) => {
    for (let n = 0; n < ctx.counts.codesPerCoupon; n++) {
      const uniqueCode = `${coupon.id.slice(0, 4)}${base62(hash32(ctx.seed, 401, couponIndex, n), 6).toUpperCase()}${n}`;
      const profileRow = rng.int(profiles.size());
      const status = rng.chance(0.35) ? 'USED' : 'ASSIGNED_TO_PROFILE';
      const expiresSec = ctx.endSec + rng.between(-200, 400) * 86_400;
      const profileId = profiles.id(profileRow);
      codes.push({
        id: `${coupon.id}-${uniqueCode}`,
        attributes: { unique_code: uniqueCode, expires_at: formatSeconds(expiresSec), status },
        values: { 'coupon.id': coupon.id, 'profile.id': profileId, expires_at: secondsValue(expiresSec), status },
        toOne: { coupon: ref('coupon', coupon.id), profile: ref('profile', profileId) },
      });
    }
  });
  const codeKinds = { expires_at: 'datetime', status: 'string', 'coupon.id': 'string', 'profile.id': 'string' } as const;
  return { coupons: new StaticTable('coupon', {}, [], coupons), codes: new StaticTable('coupon-code', codeKinds, [], codes) };
}
