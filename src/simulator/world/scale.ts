// How much data each scale generates.

export type ScaleName = 'small' | 'medium' | 'large';

export interface ScaleCounts {
  events: number;
  profiles: number;
  lists: number;
  segments: number;
  campaigns: { email: number; sms: number; mobile_push: number };
  flows: number;
  templates: number;
  tags: number;
  coupons: number;
  codesPerCoupon: number;
  catalogItems: number;
  categories: number;
  images: number;
  forms: number;
  /** Email campaign sends whose "Received Email" events all share one second. */
  tieClusters: number;
  tieClusterSize: number;
}

export const SCALES: Readonly<Record<ScaleName, ScaleCounts>> = {
  small: {
    events: 3_600, profiles: 300, lists: 24, segments: 14, campaigns: { email: 24, sms: 10, mobile_push: 7 },
    flows: 4, templates: 28, tags: 8, coupons: 5, codesPerCoupon: 24, catalogItems: 60, categories: 12,
    images: 45, forms: 10, tieClusters: 6, tieClusterSize: 90,
  },
  medium: {
    events: 100_000, profiles: 10_000, lists: 40, segments: 24, campaigns: { email: 120, sms: 40, mobile_push: 20 },
    flows: 30, templates: 80, tags: 40, coupons: 12, codesPerCoupon: 200, catalogItems: 400, categories: 30,
    images: 120, forms: 40, tieClusters: 40, tieClusterSize: 600,
  },
  large: {
    events: 1_050_000, profiles: 100_000, lists: 60, segments: 40, campaigns: { email: 300, sms: 100, mobile_push: 50 },
    flows: 60, templates: 150, tags: 60, coupons: 20, codesPerCoupon: 1_000, catalogItems: 2_000, categories: 60,
    images: 300, forms: 60, tieClusters: 120, tieClusterSize: 2_500,
  },
};

export function isScaleName(value: string): value is ScaleName {
  return value === 'small' || value === 'medium' || value === 'large';
}
